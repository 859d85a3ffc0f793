"""How every ``ting`` run ends when something goes wrong: one line on stderr (``ting:
…``) and an exit code, never a traceback; a bug's traceback goes to ``ting.log``."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any

from assistant.cli_kit import fail
from assistant.errors import TingError


def report_failures(
    action: Callable[[], Any], passthrough: tuple[type[BaseException], ...] = ()
) -> Any:
    """``action()``, with its failures turned into one line and an exit code;
    ``passthrough`` exceptions are raised as they are."""
    try:
        return action()
    except passthrough:
        raise
    except TingError as exc:
        fail(exc.user_message(), exc.exit_code)
    except (KeyboardInterrupt, EOFError):
        fail("interrupted", 130)
    except BrokenPipeError:
        sys.exit(0)
    except UnicodeEncodeError as exc:
        if "surrogates not allowed" not in str(exc) or os.environ.get("TING_DEBUG") == "1":
            raise
        # an argument or file name held bytes that are not UTF-8 (argv keeps them
        # as lone surrogates); they cannot be stored or sent anywhere
        fail("the input is not valid UTF-8 text", 2)
    except Exception as exc:  # a bug: log it in full, show the user one line
        if os.environ.get("TING_DEBUG") == "1":
            raise
        fail(report_internal_error(exc), 70)


def report_internal_error(exc: BaseException) -> str:
    import traceback

    summary = f"internal error ({type(exc).__name__}: {exc})"
    try:
        from assistant.paths import data_dir

        log_path = data_dir() / "ting.log"
        with log_path.open("a", encoding="utf-8") as fh:
            fh.write("".join(traceback.format_exception(exc)))
    except Exception:  # no log to write to: never a traceback on the user's terminal
        return f"{summary}; run again with TING_DEBUG=1 for details"
    return f"{summary}; details in {log_path}"


def stop_on_sigterm() -> None:
    """``kill PID`` stops a command the way Ctrl-C does: what was running is recorded as
    cancelled and files are left whole, instead of the process vanishing mid-write."""
    import signal
    import threading

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)
