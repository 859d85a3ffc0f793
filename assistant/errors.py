"""The error hierarchy. Every error a user can cause carries a one-line message for them.

The CLI prints ``message`` (and ``hint`` when there is one) on stderr and exits with
``exit_code``; no traceback reaches a user for a ``TingError``.
"""

from __future__ import annotations

import re

# line breaks and other control characters (a file may be named "a\nb.wav"), Unicode's
# line separators, and the lone surrogates that stand for bytes that were not UTF-8
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\udc80-\udcff]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def one_line(text: str) -> str:
    """``text`` as one printable line: control characters written as Python writes them
    in a string literal (``\\n``, ``\\x1b``), a byte that was not UTF-8 as ``\\xff``.
    Messages quote names the user chose, and an error must stay one line."""
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    code = ord(char)
    if char in _NAMED_ESCAPES:
        return _NAMED_ESCAPES[char]
    if 0xDC80 <= code <= 0xDCFF:  # surrogateescape's stand-in for the byte code - 0xDC00
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


class TingError(Exception):
    """Base of every error Ting reports to a user."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def user_message(self) -> str:
        if self.hint:
            return one_line(f"{self.message} ({self.hint})")
        return one_line(self.message)


class UsageError(TingError):
    """Bad input from the user: empty text, a bad option value, a missing file."""

    exit_code = 2


class ConfigError(TingError):
    """The config file cannot be read or a setting is invalid."""


class SecretError(TingError):
    """The OS keyring is missing, insecure or failed."""


class StorageError(TingError):
    """The local database cannot be opened or written (locked, corrupt, read-only)."""


class ProviderError(TingError):
    """The language-model provider failed (unreachable, refused, gave up after retries)."""


class ProviderNotConfigured(ProviderError):
    """No provider is set up; the message says what to set."""


class ProviderAuthError(ProviderError):
    """The provider rejected the API key."""


class SkillError(TingError):
    """A skill could not do what was asked."""


class SkillNotFound(SkillError):
    pass


class Declined(SkillError):
    """A routed skill found nothing in the request it can act on (a code edit naming no
    file, a ledger sentence with no amount and no question, meeting notes with no
    meeting). Raised before the skill shows any output: the runtime then hands the
    request to the next candidate, ending with chat. When the user named the skill
    (``ting ask --skill``, a skill's own command) it is an error like any other, and
    its message says what is missing."""

    exit_code = 2


class Cancelled(TingError):
    """The user cancelled a running task."""

    exit_code = 130

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)


class AudioError(TingError):
    """An audio file or device problem: missing, empty, corrupt, busy, no device."""


class ModelFilesError(TingError):
    """Model files are missing, truncated or unreadable."""
