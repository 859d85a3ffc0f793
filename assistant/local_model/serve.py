"""The local model server process: llama-cpp-python's OpenAI-compatible app under uvicorn,
bound to 127.0.0.1 on a free port, with a token, stopping itself after an idle time.

Started by ``assistant.local_model.server.LocalServer`` (never by hand: the token comes
in its environment). It binds its socket first and writes the state file as "loading",
so callers see at once which port and process to wait for; then it loads the model and
marks the file "ready" once uvicorn accepts connections. Every HTTP request counts as
activity until its response has been sent in full (a stream: until its last chunk); with
none for ``--idle-timeout`` seconds it shuts down and removes the state file.

A closed client connection stops a streamed generation: llama-cpp-python's server
checks ``request.is_disconnected()`` after each chunk and stops pulling tokens.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path

from assistant.local_model.server import (
    DEFAULT_IDLE_S,
    MARKER,
    TOKEN_VARIABLE,
    ServerState,
    remove_state,
    write_state,
)


class ActivityTracker:
    """ASGI middleware: how many requests are in flight, and when the last one ended."""

    def __init__(self, app) -> None:
        self.app = app
        self.active = 0
        self.last = time.monotonic()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        self.active += 1
        self.last = time.monotonic()
        try:
            await self.app(scope, receive, send)
        finally:
            self.active -= 1
            self.last = time.monotonic()


def _parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="ting-local-model-server")
    parser.add_argument("--model-path", required=True)
    parser.add_argument("--model-key", required=True)
    parser.add_argument("--alias", required=True)
    parser.add_argument("--run-dir", required=True)
    parser.add_argument("--idle-timeout", type=float, default=DEFAULT_IDLE_S)
    parser.add_argument("--context", type=int, default=8192)
    parser.add_argument("--threads", type=int, default=max(1, os.cpu_count() or 1))
    return parser.parse_args([a for a in argv if a != MARKER])


def main(argv: list[str] | None = None) -> int:
    args = _parse(sys.argv[1:] if argv is None else argv)
    token = os.environ.pop(TOKEN_VARIABLE, "")
    if not token:
        print("no token in the environment: this process is started by Ting", file=sys.stderr)
        return 2
    run_dir = Path(args.run_dir)
    # a stop while the model loads (before uvicorn's own handler): still clean up
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(128 + signal.SIGTERM))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    state = ServerState(
        pid=os.getpid(),
        port=port,
        token=token,
        model=args.model_key,
        state="loading",
        started=time.time(),
        idle_timeout_s=args.idle_timeout,
    )
    write_state(run_dir, state)
    try:
        return _serve(args, sock, state, run_dir)
    finally:
        remove_state(run_dir, os.getpid())


def _serve(args, sock: socket.socket, state: ServerState, run_dir: Path) -> int:
    import uvicorn
    from llama_cpp.server.app import create_app
    from llama_cpp.server.settings import ModelSettings, ServerSettings

    loading = time.monotonic()
    app = create_app(
        server_settings=ServerSettings(
            host="127.0.0.1",
            port=state.port,
            api_key=state.token,
            # queue a second request behind the first instead of cutting the first off:
            # the server is shared by the app, the interpreter and CLI calls
            interrupt_requests=False,
        ),
        model_settings=[
            ModelSettings(
                model=args.model_path,
                model_alias=args.alias,
                n_ctx=args.context,
                n_threads=args.threads,
                n_threads_batch=args.threads,
                logits_all=False,  # True keeps a vocabulary-wide row per context token
                verbose=False,
            )
        ],
    )
    print(
        f"model {args.model_key} loaded in {time.monotonic() - loading:.1f} s; "
        f"serving on 127.0.0.1:{state.port}",
        flush=True,
    )
    tracker = ActivityTracker(app)
    config = uvicorn.Config(
        tracker,
        log_level="warning",
        timeout_graceful_shutdown=5,
        lifespan="off",
    )
    server = uvicorn.Server(config)

    def watch() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.05)
        if server.should_exit:
            return
        tracker.last = time.monotonic()
        write_state(run_dir, ServerState(**{**state.to_dict(), "state": "ready"}))
        step = min(1.0, max(0.05, args.idle_timeout / 10))
        while not server.should_exit:
            time.sleep(step)
            if tracker.active == 0 and time.monotonic() - tracker.last >= args.idle_timeout:
                print(f"idle for {args.idle_timeout:g} s: stopping", flush=True)
                server.should_exit = True

    threading.Thread(target=watch, name="ting-idle-watch", daemon=True).start()
    server.run(sockets=[sock])
    return 0


if __name__ == "__main__":
    sys.exit(main())
