"""The API key: the environment first (``OPENAI_API_KEY``), then the OS keyring.

A keyring backend that stores plaintext or stores nothing (keyrings.alt, the ``fail``
and ``null`` backends) is refused with a clear message. The key is never written to
the config file, the database or a log line; ``describe_key`` shows only its tail.
"""

from __future__ import annotations

import os

from assistant.errors import SecretError

SERVICE = "ting"
USERNAME = "openai_api_key"

_REFUSED_MODULE_PREFIXES = ("keyrings.alt", "keyring.backends.fail", "keyring.backends.null")


def _backend_name(backend: object) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def _leaf_backends(backend: object) -> list[object]:
    inner = getattr(backend, "backends", None)
    if inner is not None and not isinstance(backend, type):
        return list(inner)
    return [backend]


def secure_backend():
    """The keyring backend, or SecretError saying why it cannot be trusted."""
    try:
        import keyring
    except Exception as exc:  # keyring broken on this system
        raise SecretError(f"the keyring module cannot be loaded: {exc}") from None
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # e.g. PYTHON_KEYRING_BACKEND names a missing backend
        raise SecretError(f"the keyring backend cannot be loaded: {_short(exc)}") from None
    leaves = _leaf_backends(backend)
    names = [_backend_name(b) for b in leaves]
    usable = [
        b for b, n in zip(leaves, names, strict=True) if not n.startswith(_REFUSED_MODULE_PREFIXES)
    ]
    if not usable:
        raise SecretError(
            f"no secure keyring is available (backend: {', '.join(names) or 'none'})",
            hint="install and unlock a Secret Service such as gnome-keyring or KWallet, "
            "or set OPENAI_API_KEY in the environment",
        )
    return backend


def backend_description() -> str:
    import keyring

    try:
        return ", ".join(_backend_name(b) for b in _leaf_backends(keyring.get_keyring()))
    except Exception as exc:
        return f"unavailable ({_short(exc)})"


def get_api_key(*, use_keyring: bool = True) -> str | None:
    env = os.environ.get("OPENAI_API_KEY", "").strip()
    if env:
        return env
    if not use_keyring:
        return None
    try:
        backend = secure_backend()
    except SecretError:
        return None  # no trusted keyring: as if no key were stored (doctor says why)
    try:
        value = backend.get_password(SERVICE, USERNAME)
    except Exception as exc:
        raise SecretError(f"the keyring could not be read: {_short(exc)}") from None
    return value or None


def key_source() -> str | None:
    """Where the key comes from: 'environment', 'keyring' or None."""
    if os.environ.get("OPENAI_API_KEY", "").strip():
        return "environment"
    try:
        return "keyring" if get_api_key() else None
    except SecretError:
        return None


def set_api_key(value: str) -> None:
    value = value.strip()
    if not value:
        raise SecretError("the API key is empty; nothing was stored")
    if any(c.isspace() for c in value):
        raise SecretError("the API key contains spaces or line breaks; nothing was stored")
    backend = secure_backend()
    try:
        backend.set_password(SERVICE, USERNAME, value)
    except Exception as exc:
        raise SecretError(f"the keyring refused to store the key: {_short(exc)}") from None


def delete_api_key() -> bool:
    backend = secure_backend()
    try:
        if backend.get_password(SERVICE, USERNAME) is None:
            return False
        backend.delete_password(SERVICE, USERNAME)
        return True
    except Exception as exc:
        raise SecretError(f"the keyring refused to delete the key: {_short(exc)}") from None


def describe_key(value: str | None) -> str:
    """A key as it may be shown: never more than its last four characters."""
    if not value:
        return "not set"
    return f"set (…{value[-4:]})" if len(value) >= 12 else "set"


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
