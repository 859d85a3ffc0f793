"""What a request's text may be, and reading one from standard input.

Light on purpose (``ting route`` on the hotkey path checks its text with it): it
imports nothing but the errors.
"""

from __future__ import annotations

import sys

from assistant.errors import UsageError

MAX_REQUEST_CHARS = 100_000  # a spoken or typed request; far more is a paste gone wrong


def check_request_text(text: str) -> str:
    """``text`` if a skill can take it; else a UsageError saying what is wrong with it."""
    if len(text) > MAX_REQUEST_CHARS:
        raise UsageError(
            f"the request is too long ({len(text):,} characters; at most {MAX_REQUEST_CHARS:,})"
        )
    if "\x00" in text:
        raise UsageError("the request contains a NUL byte; send text, not binary data")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # undecodable bytes from argv arrive as lone surrogates
        raise UsageError("the request is not valid UTF-8 text") from None
    return text


def read_stdin_text() -> str:
    """Standard input as text: UTF-8, or a UsageError (never a half-decoded string)."""
    data = sys.stdin.buffer.read(MAX_REQUEST_CHARS * 4 + 1)  # UTF-8: at most 4 bytes a char
    if len(data) > MAX_REQUEST_CHARS * 4:
        raise UsageError(
            f"the request is too long (more than {MAX_REQUEST_CHARS:,} characters on standard input)"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError("standard input is not UTF-8 text") from None
    return text.strip()


def request_text(words: list[str] | tuple[str, ...]) -> str:
    """The request a command line's words make (``-`` reads standard input), checked."""
    text = " ".join(words).strip()
    if text == "-":
        text = read_stdin_text()
    if not text:
        raise UsageError("nothing to do: the text is empty")
    return check_request_text(text)
