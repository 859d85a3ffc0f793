"""A real OpenAI-compatible HTTP server on loopback whose replies a test scripts.

Not a mock of our code: Ting's provider client talks to it over real HTTP, through the
``openai`` package, exactly as it would talk to OpenAI, Ollama or vLLM. Each request to
``/v1/chat/completions`` takes the next queued ``Reply`` (or asks ``responder``); with
nothing queued it answers 500 and records the request as unexpected, and the fixture
fails the test at teardown: a test double that fails loudly on unexpected calls.

Faults a reply can inject: an HTTP status (429 with Retry-After, 500, 401 …), a long
silence before the first token (with or without "reasoning" chunks meanwhile), a
disconnect after N chunks, a malformed chunk after N chunks.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    text: str = ""
    tool_calls: list[dict[str, Any]] | None = None  # [{"name":..., "arguments": {...}|str}]
    status: int = 200
    error_message: str = "scripted failure"
    headers: dict[str, str] = field(default_factory=dict)
    delay_before_first_token: float = 0.0
    reasoning_every: float | None = None  # send reasoning_content chunks while "thinking"
    chunk_size: int = 4  # characters of text per streamed chunk
    chunk_delay: float = 0.0
    disconnect_after_chunks: int | None = None
    malformed_after_chunks: int | None = None
    finish_reason: str | None = None


class ScriptedProvider:
    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[dict[str, Any]] = []
        self.unexpected: list[dict[str, Any]] = []
        self.responder: Callable[[dict[str, Any]], Reply | None] | None = None
        self.api_key = "sk-test-scripted-0000000000001234"
        self.model = "scripted-model"
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    # -- control ---------------------------------------------------------------------

    def start(self) -> ScriptedProvider:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    @property
    def env(self) -> dict[str, str]:
        return {
            "OPENAI_BASE_URL": self.base_url,
            "OPENAI_API_KEY": self.api_key,
            "TING_MODEL": self.model,
        }

    def queue_reply(self, text: str = "", **kw: Any) -> Reply:
        reply = Reply(text=text, **kw)
        self.replies.append(reply)
        return reply

    def _next_reply(self, body: dict[str, Any]) -> Reply | None:
        if self.replies:
            return self.replies.popleft()
        if self.responder is not None:
            return self.responder(body)
        return None

    # -- HTTP ------------------------------------------------------------------------

    def _handler_class(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(
                        200, {"object": "list", "data": [{"id": provider.model, "object": "model"}]}
                    )
                else:
                    self._json(404, {"error": {"message": f"no route {self.path}"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw or b"{}")
                except json.JSONDecodeError:
                    self._json(400, {"error": {"message": "request body is not JSON"}})
                    return
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": f"no route {self.path}"}})
                    return
                body["_authorization"] = self.headers.get("authorization", "")
                body["_client_port"] = self.client_address[1]  # one per TCP connection
                provider.requests.append(body)
                reply = provider._next_reply(body)
                if reply is None:
                    provider.unexpected.append(body)
                    self._json(500, {"error": {"message": "scripted provider: no reply queued"}})
                    return
                if reply.status != 200:
                    self._json(
                        reply.status, {"error": {"message": reply.error_message}}, reply.headers
                    )
                    return
                if body.get("stream"):
                    self._stream(body, reply)
                else:
                    self._whole(body, reply)

            # non-streaming
            def _whole(self, body: dict[str, Any], reply: Reply) -> None:
                if provider._stopping.wait(reply.delay_before_first_token):
                    return
                message: dict[str, Any] = {"role": "assistant", "content": reply.text or None}
                if reply.tool_calls:
                    message["tool_calls"] = [
                        {
                            "id": f"call_{i}",
                            "type": "function",
                            "function": {"name": c["name"], "arguments": _args(c)},
                        }
                        for i, c in enumerate(reply.tool_calls)
                    ]
                self._json(
                    200,
                    {
                        "id": "chatcmpl-scripted",
                        "object": "chat.completion",
                        "created": int(time.time()),
                        "model": body.get("model", provider.model),
                        "choices": [
                            {
                                "index": 0,
                                "message": message,
                                "finish_reason": reply.finish_reason
                                or ("tool_calls" if reply.tool_calls else "stop"),
                            }
                        ],
                    },
                )

            # streaming (server-sent events)
            def _stream(self, body: dict[str, Any], reply: Reply) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                # chunked and keep-alive, as hosted providers stream: a client that keeps
                # its connection pool sends the next request over the same connection
                self.send_header("transfer-encoding", "chunked")
                self.end_headers()
                model = body.get("model", provider.model)
                sent = 0
                self.close_connection = True  # until the stream ends properly

                def write(data: bytes) -> None:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                    self.wfile.flush()

                def chunk(delta: dict[str, Any], finish: str | None = None) -> bool:
                    nonlocal sent
                    if (
                        reply.disconnect_after_chunks is not None
                        and sent >= reply.disconnect_after_chunks
                    ):
                        self.close_connection = True
                        self.wfile.flush()
                        self.connection.shutdown(2)
                        return False
                    if (
                        reply.malformed_after_chunks is not None
                        and sent >= reply.malformed_after_chunks
                    ):
                        write(b'data: {"choices": [{"delta": {"content": "oops"\n\n')
                        self.close_connection = True
                        return False
                    payload = {
                        "id": "chatcmpl-scripted",
                        "object": "chat.completion.chunk",
                        "created": int(time.time()),
                        "model": model,
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                    }
                    write(b"data: " + json.dumps(payload).encode() + b"\n\n")
                    sent += 1
                    return True

                try:
                    if not chunk({"role": "assistant", "content": ""}):
                        return
                    # silence (or reasoning) before the first token
                    waited = 0.0
                    step = reply.reasoning_every or reply.delay_before_first_token
                    while waited < reply.delay_before_first_token:
                        pause = min(step, reply.delay_before_first_token - waited)
                        if provider._stopping.wait(pause):
                            return
                        waited += pause
                        if reply.reasoning_every and not chunk({"reasoning_content": "…"}):
                            return
                    text = reply.text
                    for i in range(0, len(text), max(1, reply.chunk_size)):
                        if reply.chunk_delay and provider._stopping.wait(reply.chunk_delay):
                            return
                        if not chunk({"content": text[i : i + reply.chunk_size]}):
                            return
                    for i, call in enumerate(reply.tool_calls or []):
                        args = _args(call)
                        half = len(args) // 2
                        if not chunk(
                            {
                                "tool_calls": [
                                    {
                                        "index": i,
                                        "id": f"call_{i}",
                                        "type": "function",
                                        "function": {
                                            "name": call["name"],
                                            "arguments": args[:half],
                                        },
                                    }
                                ]
                            }
                        ):
                            return
                        if not chunk(
                            {"tool_calls": [{"index": i, "function": {"arguments": args[half:]}}]}
                        ):
                            return
                    finish = reply.finish_reason or ("tool_calls" if reply.tool_calls else "stop")
                    if not chunk({}, finish):
                        return
                    done = b"data: [DONE]\n\n"
                    # [DONE] and the last (empty) chunk in one write, as servers do: a
                    # client that stops reading at [DONE] still sees the body end
                    self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(done), done))
                    self.wfile.flush()
                    self.close_connection = False
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass  # the client went away (cancelled): fine

            def _json(
                self, status: int, obj: dict[str, Any], headers: dict[str, str] | None = None
            ) -> None:
                data = json.dumps(obj).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _args(call: dict[str, Any]) -> str:
    args = call.get("arguments", {})
    return args if isinstance(args, str) else json.dumps(args, ensure_ascii=False)
