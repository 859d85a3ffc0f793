"""Settings: a TOML file in the data folder, with environment overrides.

``OPENAI_BASE_URL``, ``TING_MODEL`` and ``TING_PROVIDER`` override the file;
``OPENAI_API_KEY`` is read by ``assistant.secrets`` and is never stored here.
"""

from __future__ import annotations

import math
import os
import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Any

from assistant.errors import ConfigError, UsageError
from assistant.paths import config_path

# the currencies the bookkeeping skill records (their names and signs:
# skills/bookkeeping/currencies.py)
CURRENCIES = (
    "CNY", "USD", "EUR", "GBP", "JPY", "HKD", "TWD", "KRW", "AUD", "CAD", "SGD", "CHF", "THB",
    "NZD", "MOP",
)  # fmt: skip
LANGUAGES = ("zh", "en", "ja", "ko", "fr", "de", "es", "ru", "it", "pt")
MAX_TIMEOUT_S = 86400  # a day: more is a typo (and inf overflows the HTTP client)


@dataclass
class Settings:
    # auto: the built-in local model unless a key or base_url is set; local; remote
    provider: str = "auto"
    local_model: str = "1.5b"  # the built-in model: 1.5b (quality) or 0.5b (small machine)
    local_idle_timeout: float = 600.0  # seconds without requests before its server stops
    base_url: str = ""  # empty: the provider's default (api.openai.com) once a key is set
    model: str = "gpt-4o-mini"
    request_timeout: float = 120.0  # seconds without a byte before a provider call gives up
    hotkey: str = "<ctrl>+<alt>+space"
    hotkey_mode: str = "hold"  # hold: talk while held; toggle: press to start, press to stop
    dictation_hotkey: str = "<ctrl>+<alt>+d"  # what is said is typed into the focused window
    edit_hotkey: str = "<ctrl>+<alt>+e"  # a spoken instruction rewrites the selected text
    input_device: str = ""  # empty: the system default input
    language_pair: str = "zh,en"
    default_currency: str = "CNY"
    asr_model: str = "base"  # "base" (bundled) or a path to a CTranslate2 Whisper folder
    asr_language: str = "auto"
    # Mandarin decodes compared by the built-in language model (voice.lm_choice): in
    # files, and in meetings as far as their real-time factor of 0.25 allows ("files");
    # also where a person waits for the text (push-to-talk, dictation, the interpreter:
    # 2-3 s more per sentence) and in every part of a meeting (~1.5-1.8x the time)
    # ("all"); or not ("off")
    asr_compare_decodes: str = "files"
    tts_voice: str = "auto"
    start_at_login: bool = False
    chat_tools: bool = True  # chat may call Ting's tools and the mcp_servers' (an agent)

    @property
    def languages(self) -> tuple[str, str]:
        a, b = self.language_pair.split(",")
        return a.strip(), b.strip()

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


_VALIDATORS: dict[str, Any] = {
    "provider": lambda v: v in ("auto", "local", "remote") or "must be auto, local or remote",
    "local_model": lambda v: v in ("1.5b", "0.5b") or "must be 1.5b or 0.5b",
    "local_idle_timeout": lambda v: (
        (math.isfinite(v) and 10 <= v <= MAX_TIMEOUT_S)
        or f"must be a number of seconds from 10 to {MAX_TIMEOUT_S}"
    ),
    "hotkey_mode": lambda v: v in ("hold", "toggle") or "must be 'hold' or 'toggle'",
    "default_currency": lambda v: v in CURRENCIES or f"must be one of {', '.join(CURRENCIES)}",
    "asr_language": lambda v: v in ("auto", "zh", "en") or "must be auto, zh or en",
    "asr_compare_decodes": lambda v: v in ("files", "all", "off") or "must be files, all or off",
    "request_timeout": lambda v: (
        (math.isfinite(v) and 0 < v <= MAX_TIMEOUT_S)
        or f"must be a positive number of seconds, at most {MAX_TIMEOUT_S}"
    ),
    "model": lambda v: v != "" or "must name a model (for example gpt-4o-mini)",
    "language_pair": lambda v: (
        (
            len([p for p in v.split(",") if p.strip()]) == 2
            and all(p.strip() in LANGUAGES for p in v.split(","))
            and len({p.strip() for p in v.split(",")}) == 2
        )
        or f"must be two different language codes like zh,en (known: {', '.join(LANGUAGES)})"
    ),
    "base_url": lambda v: (
        (v == "" or v.startswith(("http://", "https://"))) or "must start with http:// or https://"
    ),
}


def setting_names() -> list[str]:
    return [f.name for f in fields(Settings)]


def coerce_value(key: str, raw: str) -> Any:
    """Turn the text a user typed into a typed, validated setting value."""
    types = {f.name: f.type for f in fields(Settings)}
    if key not in types:
        raise UsageError(f"unknown setting {key!r}", hint=f"settings: {', '.join(setting_names())}")
    kind = types[key]
    value: Any
    if kind in ("bool", bool):
        low = raw.strip().lower()
        if low in ("1", "true", "yes", "on"):
            value = True
        elif low in ("0", "false", "no", "off"):
            value = False
        else:
            raise UsageError(f"{key} must be true or false, not {raw!r}")
    elif kind in ("float", float):
        try:
            value = float(raw)
        except ValueError:
            raise UsageError(f"{key} must be a number, not {raw!r}") from None
    else:
        value = raw.strip()
        if key == "default_currency":
            value = value.upper()
        if key in ("provider", "local_model"):
            value = value.lower()
        if any(ord(c) < 32 or ord(c) == 127 for c in value):
            raise UsageError(f"{key} must be one line of text without control characters")
    check = _VALIDATORS.get(key)
    if check is not None:
        verdict = check(value)
        if verdict is not True:
            raise UsageError(f"{key} {verdict}")
    return value


def read_config_data(path: Path | None = None) -> dict[str, Any]:
    """The config file as TOML data ({} when there is none); ConfigError if unreadable."""
    return _read_file(path or config_path())


def _read_file(path: Path) -> dict[str, Any]:
    if not path.exists():
        return {}
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except UnicodeDecodeError:
        raise ConfigError(
            f"the config file {path} is not UTF-8 text",
            hint="fix it, or delete it to start from defaults",
        ) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"the config file {path} is not valid TOML: {exc}",
            hint="fix it, or delete it to start from defaults",
        ) from None
    except OSError as exc:
        raise ConfigError(f"cannot read the config file {path}: {exc.strerror}") from None


def load_settings(path: Path | None = None, *, env: bool = True) -> Settings:
    path = path or config_path()
    data = _read_file(path)
    settings = Settings()
    known = set(setting_names())
    kinds = {f.name: f.type for f in fields(Settings)}
    for key, value in data.items():
        if key not in known:
            continue  # a setting from a newer version: keep the file, ignore it here
        problem = _wrong_type(key, kinds[key], value)
        if problem:
            raise ConfigError(f"in {path}: {problem}")
        try:
            setattr(settings, key, coerce_value(key, str(value)))
        except UsageError as exc:
            raise ConfigError(f"in {path}: {exc.message}") from None
    if env:
        if os.environ.get("OPENAI_BASE_URL"):
            settings.base_url = os.environ["OPENAI_BASE_URL"].strip()
        if os.environ.get("TING_MODEL"):
            settings.model = os.environ["TING_MODEL"].strip()
        if os.environ.get("TING_PROVIDER"):
            try:
                settings.provider = coerce_value("provider", os.environ["TING_PROVIDER"])
            except UsageError as exc:
                raise ConfigError(
                    f"TING_PROVIDER {exc.message.removeprefix('provider ')}"
                ) from None
    return settings


def _wrong_type(key: str, kind: Any, value: Any) -> str | None:
    """Why a value from the file has the wrong TOML type for ``key``, or None."""
    if kind in ("float", float):
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            return f"{key} must be a number, not {value!r}"
    elif kind in ("bool", bool):
        if not isinstance(value, (bool, str)):
            return f"{key} must be true or false, not {value!r}"
    elif not isinstance(value, (str, int, float)) or isinstance(value, bool):
        return f"{key} must be text, not {value!r}"
    return None


def save_setting(key: str, raw: str, path: Path | None = None) -> Any:
    """Validate and write one setting; the file is replaced atomically."""
    path = path or config_path()
    value = coerce_value(key, raw)
    data = _read_file(path)
    data[key] = value
    write_config_data(data, path)
    return value


def write_config_data(data: dict[str, Any], path: Path | None = None) -> None:
    """Replace the config file with ``data`` atomically (a crash leaves the old file)."""
    import tomli_w

    from assistant.atomic_write import write_atomically

    path = path or config_path()
    if path.is_dir():
        raise ConfigError(f"cannot write the config file {path}: Is a directory")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, tomli_w.dumps(data))
    except OSError as exc:
        raise ConfigError(f"cannot write the config file {path}: {exc.strerror}") from None
