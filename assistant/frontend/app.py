"""The composition root: builds settings, history, provider client, router, skills,
runtime and the shared engines (``service("asr")``: the speech recognizer) once, and
hands them down. Nothing else builds its own dependencies.

It sits above the core (``assistant``), the engines (``voice``) and the skills, and
below the front ends (``ting``'s commands, ``ui``), which each get the one ``App``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from assistant.config import Settings, load_settings
from assistant.skill import CancelToken, SkillContext

if TYPE_CHECKING:
    from assistant.history import HistoryStore
    from assistant.llm import LLMClient
    from assistant.mcp_client import McpConnections
    from assistant.registry import SkillRegistry
    from assistant.router import Router
    from assistant.runtime import Runtime
    from assistant.tool_registry import ToolRegistry


class App:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        # The shared engines, by name: always built instances, made on first use by
        # ``service`` from ``_ENGINES`` (a test may put its own in beforehand).
        self.services: dict[str, Any] = {}

    @classmethod
    def from_environment(cls) -> App:
        app = cls(load_settings())
        app._setup_logging()
        return app

    def reload_settings(self) -> None:
        """Read the settings again (after the settings window or `ting config set`).

        The router and the speech engine are rebuilt on next use when what they were
        built from changed; the same Settings object is updated in place, so contexts
        already handed out see the new values.
        """
        from assistant.config import load_settings

        new = load_settings()
        old_asr = (self.settings.asr_model, self.settings.language_pair)
        for key, value in new.to_dict().items():
            setattr(self.settings, key, value)
        self.__dict__.pop("router", None)
        if (new.asr_model, new.language_pair) != old_asr:
            self.services.pop("asr", None)

    def _setup_logging(self) -> None:
        """Log to ting.log in the data folder (replacing a handler for another folder)."""
        from assistant.paths import data_dir

        logger = logging.getLogger("ting")
        target = str(data_dir() / "ting.log")
        for handler in list(logger.handlers):
            if getattr(handler, "baseFilename", None) == target:
                return
            logger.removeHandler(handler)
            handler.close()
        try:
            handler: logging.Handler = logging.FileHandler(target, encoding="utf-8", delay=True)
        except OSError:
            handler = logging.NullHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False

    @cached_property
    def history(self) -> HistoryStore:
        from assistant.history import HistoryStore
        from assistant.paths import database_path

        return HistoryStore(database_path())

    @cached_property
    def registry(self) -> SkillRegistry:
        from assistant.registry import SkillRegistry

        return SkillRegistry()

    @property
    def tools(self) -> ToolRegistry:
        """Ting's own tools (the core's and the plugins'), for the agent and the MCP server."""
        return self.service("tools")

    def mcp_connections(self) -> McpConnections:
        """The user's MCP servers (``mcp_servers``), started when the agent first needs them."""
        return self.service("mcp")

    def api_key(self) -> str | None:
        from assistant.secrets import get_api_key

        return get_api_key()

    def provider_configured(self) -> bool:
        return bool(self.settings.base_url) or bool(self.api_key())

    def llm(self) -> LLMClient:
        """A provider client (raises ProviderNotConfigured with what to set)."""
        from assistant.llm import client_from_settings

        return client_from_settings(self.settings, self.api_key())

    def service(self, name: str) -> Any:
        """The shared engine ``name`` (``asr``: the local Whisper recognizer), built once.

        Building one is cheap: the models themselves load on first use."""
        engine = self.services.get(name)
        if engine is None:
            build = _ENGINES.get(name)
            if build is None:
                from assistant.errors import SkillError

                raise SkillError(f"the {name} service is not available in this session")
            engine = self.services[name] = build(self)
        return engine

    @cached_property
    def router(self) -> Router:
        from assistant.router import Router
        from assistant.router_model import ModelRouteClassifier

        # The model is asked only when the local answer is unsure; with no provider its
        # factory raises ProviderNotConfigured and the local answer stands. Checking for
        # a key here would load the keyring on every route, even confident ones.
        return Router(model_classifier=ModelRouteClassifier(self._router_llm))

    def _router_llm(self) -> LLMClient:
        """The router's client: one short try, so a slow or dead provider falls back fast."""
        from assistant.llm import RetryPolicy

        client = self.llm()
        client.timeout_s = min(client.timeout_s, 8.0)
        client.retry = RetryPolicy(attempts=1)
        if client.endpoint is not None:
            from assistant.errors import ProviderNotConfigured

            # The built-in 1.5B routes the unsure requests worse than the local guess it
            # would replace (bench/results_llm.md), and a cold start would stall the hotkey.
            raise ProviderNotConfigured("the built-in model is not asked to route")
        return client

    def make_context(
        self,
        cancel: CancelToken | None = None,
        today: Any = None,
        history_id: int | None = None,
    ) -> SkillContext:
        return SkillContext(
            settings=self.settings,
            history=self.history,
            llm_factory=self.llm,
            cancel=cancel or CancelToken(),
            today=today,
            history_id=history_id,
            service_provider=self.service,
        )

    @cached_property
    def runtime(self) -> Runtime:
        from assistant.runtime import Runtime

        return Runtime(
            history=self.history,
            registry=self.registry,
            route=lambda text: self.router.route(text),
            context_factory=self.make_context,
        )


def _speech_recognizer(app: App) -> Any:
    from voice.asr import SpeechRecognizer

    return SpeechRecognizer.from_settings(app.settings)


def _tool_registry(app: App) -> Any:
    from assistant.history_tools import TOOLS
    from assistant.tool_registry import ToolRegistry

    return ToolRegistry(app.registry.pm, core_tools=TOOLS)


def _mcp_connections(app: App) -> Any:
    from assistant.mcp_client import McpConnections
    from assistant.paths import data_dir

    return McpConnections(log_path=data_dir() / "mcp-servers.log")


def _text_output(app: App) -> Any:
    from voice.text_output.typist import TextOutput

    return TextOutput.for_session()


_ENGINES: dict[str, Callable[[App], Any]] = {
    "asr": _speech_recognizer,
    "tools": _tool_registry,  # ting's tools, for the chat agent and `ting mcp serve`
    "mcp": _mcp_connections,  # the user's MCP servers, for the chat agent
    "text_output": _text_output,  # text into the focused window (dictation, edit)
    "skills": lambda app: app.registry,  # a skill that hands work to another (edit → translation)
}
