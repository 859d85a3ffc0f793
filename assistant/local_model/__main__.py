"""``python -m assistant.local_model start|stop|status``: prepare and run the shared local
model server of the data folder (``TING_HOME``) by hand, for benches and scripts.

``start`` joins the weights if needed (a progress bar on stderr), starts the server (or
finds the running one) and prints its address; Ting's own processes then reuse it.
``stop`` stops it; ``status`` says whether it runs. ``--json`` prints one JSON object
(with the token: the state file holds it anyway, for this user only).
"""

from __future__ import annotations

import argparse
import json
import sys


def _bar(message: str, done: int | None, total: int | None) -> None:
    if not sys.stderr.isatty():
        return
    line = message
    if done is not None and total:
        filled = int(24 * done / total)
        line = f"[{'#' * filled}{'.' * (24 - filled)}] {message}"
    sys.stderr.write("\r\x1b[2K" + line)
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    from assistant.config import load_settings
    from assistant.errors import TingError
    from assistant.local_model.server import LocalServer

    parser = argparse.ArgumentParser(prog="python -m assistant.local_model")
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--model", choices=["1.5b", "0.5b"], help="default: the setting")
    parser.add_argument("--idle-timeout", type=float, help="seconds; default: the setting")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        if args.model:
            settings.local_model = args.model
        if args.idle_timeout:
            settings.local_idle_timeout = args.idle_timeout
        server = LocalServer.for_settings(settings)
        if args.action == "start":
            state = server.ensure(report=_bar)
            if sys.stderr.isatty():
                sys.stderr.write("\r\x1b[2K")
        elif args.action == "stop":
            state = server.stop()
        else:
            state = server.status()
    except TingError as exc:
        print(f"local_model: {exc.user_message()}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("local_model: interrupted", file=sys.stderr)
        return 130
    if args.json:
        out = state.to_dict() if state else {}
        out.update(running=args.action != "stop" and state is not None)
        if state:
            out["base_url"] = state.base_url
        print(json.dumps(out))
    elif state is None:
        print("not running")
    elif args.action == "stop":
        print(f"stopped pid {state.pid} ({state.model})")
    else:
        print(f"{state.state}: model {state.model}, {state.base_url}, pid {state.pid}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
