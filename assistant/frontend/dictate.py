"""``ting dictate``: push-to-talk like ``ting listen``, but what is heard is typed into the
window that has the keyboard focus instead of being routed.

Enter toggles (a terminal sees no key-up), the dictation hotkey (``dictation_hotkey``)
follows ``hotkey_mode``, and ``ting trigger`` toggles over the local socket. When talking
starts, the target window and the clipboard are looked at and saved at once
(``TextOutput.prepare``), so that on release only the transcript and the paste are left.
Each utterance runs through the runtime as the ``dictation`` skill (recorded in the
history); the JSON events are ``ting listen``'s plus ``{"type": "typed", "text", ...}``
(``deleted`` for "delete that").
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistant.errors import TingError
from assistant.frontend.listen import ListenOptions, ListenSession

if TYPE_CHECKING:
    from assistant.frontend.app import App


@dataclass
class DictateOptions(ListenOptions):
    method: str = "auto"


class DictationSession(ListenSession):
    def __init__(self, options: DictateOptions, app: App) -> None:
        super().__init__(options, app)
        self.options: DictateOptions = options
        self.output: Any = None
        self._prepared: Any = None
        self._preparing: threading.Thread | None = None
        self._last_typed = ""

    # -- the session ---------------------------------------------------------------------

    def say(self, kind: str, text: str = "", **extra: Any) -> None:
        if kind == "state" and extra.get("state") == "listening":
            self._prepare_in_background()
        if kind == "ready":
            text = text.replace("press Enter to talk", "press Enter to dictate")
        if kind in ("typed", "deleted") and not self.options.as_json:
            import click

            with self._print_lock:
                click.echo(f"{kind}: {text}")
            return
        super().say(kind, text, **extra)

    def _start_hotkey(self, settings: Any) -> Any:
        if not settings.dictation_hotkey and not self.options.hotkey:
            return None
        original = settings.hotkey
        settings.hotkey = self.options.hotkey or settings.dictation_hotkey
        try:
            return super()._start_hotkey(settings)
        finally:
            settings.hotkey = original

    def _on_command(self, command: str) -> dict[str, Any]:
        if command == "dictate":  # `ting trigger dictate` means the same here
            command = "trigger"
        answer = super()._on_command(command)
        if command == "status":
            answer["app"] = "dictate"
        return answer

    def _prepare_in_background(self) -> None:
        """Learn the target and save the clipboard while the user speaks."""
        output = self.output
        if output is None:
            return

        def prepare() -> None:
            try:
                self._prepared = output.prepare(self.options.method)
            except Exception:  # inserting tries again, and reports what fails then
                self._prepared = None

        self._prepared = None
        self._preparing = threading.Thread(target=prepare, name="ting-prepare", daemon=True)
        self._preparing.start()

    def run(self) -> int:
        # no desktop to type into: one line, before the model or the microphone
        self.output = self.app.service("text_output")
        try:
            return super().run()
        finally:
            self.output.close()

    def _loop(self, app: Any) -> int:
        self.output.warm()
        # the first utterance should not pay for opening the history and loading skills
        app.runtime.registry.get("dictation")
        app.history.count()
        return super()._loop(app)

    # -- what is heard -------------------------------------------------------------------

    def _run_request(self, app: Any, text: str, heard: dict[str, Any] | None = None) -> int:
        # heard (the transcript's corrections, see ListenSession) is for requests to the
        # assistant; dictation types the text as written
        from assistant.events import Failed, Result
        from assistant.skill import Request

        preparing = self._preparing
        if preparing is not None:
            preparing.join()
        prepared, self._prepared = self._prepared, None
        request = Request(
            text=text,
            origin="voice",
            skill="dictation",
            options={
                "after": self._last_typed,
                "prepared": prepared,
                "method": self.options.method,
                **({"heard": heard} if heard else {}),
            },
        )
        code = 0
        try:
            for event in app.runtime.run(request):
                if isinstance(event, Result):
                    payload = dict(event.payload or {})
                    if "deleted" in payload:
                        self._last_typed = ""
                        self.say("deleted", payload["deleted"], backspaces=payload["backspaces"])
                    elif payload.get("typed"):
                        self._last_typed = payload["typed"]
                        payload.pop("typed")
                        self.say("typed", event.text, **payload)
                elif isinstance(event, Failed):
                    self.say("error", event.error)
                    code = 1
        except TingError as exc:
            self.say("error", exc.user_message())
            return exc.exit_code
        finally:
            self.output.warm()
        return code
