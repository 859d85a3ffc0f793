"""`ting doctor`: each check is OK, WARN, FAIL or SKIP, with the fix when it is not OK."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Check:
    name: str
    status: str  # OK | WARN | FAIL | SKIP
    detail: str
    fix: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "detail": self.detail, "fix": self.fix}


def run_checks(*, offline: bool = False) -> list[Check]:
    checks: list[Check] = []
    checks.append(_data_folder())
    settings, check = _config()
    checks.append(check)
    checks.append(_database())
    checks.append(_keyring())
    checks.extend(_provider(settings, offline))
    checks.extend(_voice(settings))
    return checks


def _data_folder() -> Check:
    from assistant.paths import data_dir

    try:
        path = data_dir()
        with tempfile.NamedTemporaryFile(dir=path, prefix=".doctor-"):
            pass
        return Check("data folder", "OK", f"{path} (writable)")
    except OSError as exc:
        return Check(
            "data folder",
            "FAIL",
            f"cannot write: {exc.strerror}",
            "set TING_HOME to a writable folder or fix its permissions",
        )


def _config():
    from assistant.config import load_settings
    from assistant.errors import TingError
    from assistant.paths import config_path

    try:
        settings = load_settings()
        where = config_path()
        state = "present" if where.exists() else "not created yet, defaults in use"
        return settings, Check("config", "OK", f"{where} ({state})")
    except TingError as exc:
        from assistant.config import Settings

        return Settings(), Check("config", "FAIL", exc.message, exc.hint or "")


def _database() -> Check:
    from assistant.errors import TingError
    from assistant.history import HistoryStore
    from assistant.paths import database_path

    try:
        store = HistoryStore(database_path())
        result = store.db.execute("pragma quick_check").fetchone()[0]
        count = store.count()
        store.close()
        if result != "ok":
            return Check(
                "database",
                "FAIL",
                f"integrity check: {result}",
                "move the file aside; Ting starts a new one",
            )
        return Check("database", "OK", f"{database_path()} ({count} exchanges)")
    except TingError as exc:
        return Check("database", "FAIL", exc.message, exc.hint or "")


def _keyring() -> Check:
    from assistant.errors import SecretError
    from assistant.secrets import backend_description, secure_backend

    try:
        secure_backend()
        return Check("keyring", "OK", backend_description())
    except SecretError as exc:
        status = "WARN" if os.environ.get("OPENAI_API_KEY") else "FAIL"
        return Check("keyring", status, exc.message, exc.hint or "")


def _provider(settings, offline: bool) -> list[Check]:
    from assistant.errors import TingError
    from assistant.llm import client_from_settings, provider_kind
    from assistant.secrets import describe_key, get_api_key, key_source

    try:
        key = get_api_key()
        source = key_source()
    except TingError as exc:
        return [Check("api key", "FAIL", exc.message, exc.hint or ""), *_local_model(settings)]
    if provider_kind(settings, key) == "local":
        detail = f"{describe_key(key)}" + (f" from the {source}" if source else "")
        return [
            Check("api key", "OK", f"{detail} (not needed: the built-in model answers)"),
            *_local_model(settings),
        ]
    key_check = Check(
        "api key",
        "OK" if key else "WARN",
        f"{describe_key(key)}" + (f" from the {source}" if source else ""),
        ""
        if key
        else "run `ting config set-key` or set OPENAI_API_KEY (not needed for a local server)",
    )
    try:
        client = client_from_settings(settings, key)
    except TingError as exc:
        return [key_check, Check("provider", "WARN", exc.message, exc.hint or "")]
    if offline:
        return [
            key_check,
            Check("provider", "SKIP", f"{client.display_url} (not contacted: --offline)"),
        ]
    try:
        import openai

        raw = openai.OpenAI(
            base_url=client.display_url, api_key=client.api_key, timeout=5.0, max_retries=0
        )
        models = [m.id for m in raw.models.list()]
        known = settings.model in models if models else None
        detail = f"{client.display_url} answers; model {settings.model}"
        if known is False:
            return [
                key_check,
                Check(
                    "provider",
                    "WARN",
                    detail + " is not in its model list",
                    f"pick one of: {', '.join(models[:8])} (`ting config set model …`)",
                ),
            ]
        return [key_check, Check("provider", "OK", detail)]
    except Exception as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [
            key_check,
            Check(
                "provider",
                "FAIL",
                f"{client.display_url}: {first}",
                "check OPENAI_BASE_URL / `ting config set base_url …`, the key, and the network",
            ),
        ]


def _local_model(settings) -> list[Check]:
    """The built-in model: which one, its files, its runtime, its server."""
    from assistant.errors import TingError
    from assistant.local_model.server import LocalServer, runtime_hint, runtime_problem
    from assistant.local_model.weights import weights_status

    try:
        server = LocalServer.for_settings(settings)
    except TingError as exc:
        return [Check("local model", "FAIL", exc.message, exc.hint or "")]
    spec = server.spec
    checks = [
        Check(
            "provider",
            "OK",
            f"built-in local model {spec.key} (provider = {settings.provider})",
        )
    ]
    ok, detail = weights_status(spec, server.cache_dir)
    checks.append(
        Check("local model", "OK" if ok else "FAIL", detail, "" if ok else spec.install_hint())
    )
    problem = runtime_problem(load=True)
    if problem:
        checks.append(Check("local runtime", "FAIL", problem, runtime_hint()))
    else:
        from importlib.metadata import PackageNotFoundError, version

        try:
            shown = f"llama-cpp-python {version('llama-cpp-python')}"
        except PackageNotFoundError:
            shown = "llama-cpp-python (bundled)"
        checks.append(Check("local runtime", "OK", f"{shown} imports"))
    state = server.status()
    if state is None:
        checks.append(
            Check(
                "local server",
                "OK",
                f"not running (starts on first use; stops after {settings.local_idle_timeout:g} s "
                "without requests)",
            )
        )
    else:
        where = f"pid {state.pid}, 127.0.0.1:{state.port}, model {state.model}, {state.state}"
        checks.append(Check("local server", "OK", f"running: {where}"))
    return checks


def _voice(settings) -> list[Check]:
    from assistant.errors import TingError
    from voice.doctor import voice_checks

    out: list[Check] = []
    try:
        for name, ok, detail, fix in voice_checks(settings):
            status = ok if isinstance(ok, str) else ("OK" if ok else "FAIL")
            out.append(Check(name, status, detail, fix or ""))
    except TingError as exc:  # an environment problem (a folder it cannot write, …)
        out.append(Check("voice", "FAIL", exc.user_message()))
    except Exception as exc:
        out.append(Check("voice", "FAIL", f"the voice checks crashed: {exc}"))
    return out
