"""The language-model provider client: any OpenAI-compatible server through ``openai``.

``LLMClient.stream`` runs the HTTP call on a worker thread and yields, on the caller's
thread:

* ``Progress`` heartbeats at least every ``heartbeat_s`` (1 s) while the model has not
  produced text yet (a reasoning model may think for 60–90 s) or is retrying;
* ``Delta`` for each piece of text;
* last, one ``Completion`` with the whole text, the tool calls and the finish reason.

Retries with backoff on 429, 5xx, timeouts and refused connections, as long as no text
has been streamed yet (a retry then would repeat text the user already saw). When it
gives up it raises a ``ProviderError`` with one line for the user; a stream that breaks
after text arrived raises ``ProviderStreamBroken`` carrying the partial text. The
``CancelToken`` stops it at any point: the HTTP stream is closed and ``Cancelled`` raised.
"""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from assistant.cancel import CancelToken
from assistant.errors import (
    Cancelled,
    ProviderAuthError,
    ProviderError,
    ProviderNotConfigured,
)
from assistant.events import Delta, Progress

DEFAULT_BASE_URL = "https://api.openai.com/v1"


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, as the model wrote it

    def parsed_arguments(self) -> dict[str, Any]:
        try:
            value = json.loads(self.arguments or "{}")
        except json.JSONDecodeError as exc:
            raise ProviderError(
                f"the model called {self.name} with arguments that are not JSON ({exc.msg})"
            ) from None
        if not isinstance(value, dict):
            raise ProviderError(f"the model called {self.name} with non-object arguments")
        return value


@dataclass(frozen=True)
class Completion:
    text: str
    tool_calls: tuple[ToolCall, ...] = ()
    finish_reason: str | None = None
    model: str | None = None
    first_token_s: float | None = None
    total_s: float | None = None


class ProviderRequestRefused(ProviderError):
    """The provider refused the request itself (400): e.g. a server that takes no tools."""


class ProviderStreamBroken(ProviderError):
    """The stream broke after some text arrived; ``partial`` keeps what came."""

    def __init__(self, message: str, partial: str) -> None:
        super().__init__(message)
        self.partial = partial


@dataclass
class RetryPolicy:
    attempts: int = 3  # total tries
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_delay_s)
        return min(self.base_delay_s * (2 ** (attempt - 1)), self.max_delay_s)


@dataclass
class _Outcome:
    """What the worker thread reports: one of these per queue item."""

    kind: str  # "text" | "reasoning" | "done" | "error" | "retry" | "prepare"
    text: str = ""
    error: BaseException | None = None
    completion: Completion | None = None
    retry_in: float = 0.0
    attempt: int = 0
    done: int | None = None
    total: int | None = None


@dataclass
class LLMClient:
    base_url: str
    api_key: str
    model: str
    timeout_s: float = 120.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    heartbeat_s: float = 1.0
    # the built-in local model (assistant.local_model.provider.LocalEndpoint): asked for
    # the server's address and token before each try, starting the server when needed
    endpoint: Any = None
    context_tokens: int | None = None  # prompt + answer limit, where the provider has one
    # the answer's length when a caller sets none: llama.cpp's server otherwise writes
    # until the context is full, minutes of a small model going round in circles
    default_max_tokens: int | None = None
    label: str = ""  # how messages name the provider; default: its URL
    failure_hint: str = ""  # where to look when it cannot be reached (the local server's log)
    # whether tool definitions come back as tool calls: llama.cpp's server (the built-in
    # model) returns the small model's calls as JSON text, which chat would show as its answer
    tool_calls: bool = True
    _openai: Any = field(default=None, init=False, repr=False, compare=False)
    _openai_lock: threading.Lock = field(
        default_factory=threading.Lock, init=False, repr=False, compare=False
    )

    def _client(self):
        """One ``openai.OpenAI`` per LLMClient, built on first use: building one loads
        the CA bundle and a new HTTP client (tens of ms), which an interpreter session
        paid for every sentence. The client is safe to share between threads. (A
        streamed response is closed at [DONE] before its body ends, so the openai client
        does not put that connection back in its pool; whole replies do reuse it.)"""
        with self._openai_lock:
            if self._openai is None:
                import openai

                if self.endpoint is not None and not self.base_url:
                    # never the default (api.openai.com) in place of the built-in model
                    raise ProviderError("the local model's address is not known yet")

                self._openai = openai.OpenAI(
                    base_url=self.base_url or DEFAULT_BASE_URL,
                    api_key=self.api_key,
                    timeout=self.timeout_s,
                    max_retries=0,  # we retry ourselves, with progress events
                )
            return self._openai

    @property
    def display_url(self) -> str:
        return self.base_url or DEFAULT_BASE_URL

    @property
    def display_name(self) -> str:
        return self.label or f"the provider at {self.display_url}"

    def _use_endpoint(self, base_url: str, api_key: str) -> None:
        """Point this client at the local server's current address (a new one after the
        server was restarted drops the cached HTTP client)."""
        with self._openai_lock:
            if (base_url, api_key) != (self.base_url, self.api_key):
                self.base_url, self.api_key = base_url, api_key
                self._openai = None

    # -- public ------------------------------------------------------------------------

    def stream(
        self,
        messages: list[dict[str, Any]],
        *,
        cancel: CancelToken | None = None,
        stage: str = "thinking",
        message: str = "",
        tools: list[dict[str, Any]] | None = None,
        temperature: float | None = None,
        max_tokens: int | None = None,
        response_format: dict[str, Any] | None = None,
    ) -> Iterator[Progress | Delta | Completion]:
        cancel = cancel or CancelToken()
        cancel.raise_if_cancelled()
        items: queue.Queue[_Outcome] = queue.Queue()
        stop = threading.Event()
        holder: dict[str, Any] = {}

        def close_stream() -> None:
            stop.set()
            s = holder.get("stream")
            if s is not None:
                try:
                    s.close()
                except Exception:
                    pass

        cancel.on_cancel(close_stream)
        worker = threading.Thread(
            target=self._run,
            args=(messages, tools, temperature, max_tokens, response_format, items, stop, holder),
            name="ting-llm",
            daemon=True,
        )
        started = time.monotonic()
        worker.start()
        base_message = message or "waiting for the model…"
        last_emit = started
        text_seen = False
        try:
            while True:
                if cancel.cancelled:
                    raise Cancelled()
                try:
                    item = items.get(timeout=min(0.2, self.heartbeat_s))
                except queue.Empty:
                    now = time.monotonic()
                    if now - last_emit >= self.heartbeat_s:
                        elapsed = now - started
                        what = "writing…" if text_seen else base_message
                        yield Progress(stage, f"{what} {elapsed:.0f} s", elapsed=elapsed)
                        last_emit = now
                    continue
                if item.kind == "text":
                    text_seen = True
                    last_emit = time.monotonic()
                    yield Delta(item.text)
                elif item.kind == "reasoning":
                    now = time.monotonic()
                    if now - last_emit >= self.heartbeat_s:
                        elapsed = now - started
                        yield Progress(stage, f"thinking… {elapsed:.0f} s", elapsed=elapsed)
                        last_emit = now
                elif item.kind == "prepare":
                    elapsed = time.monotonic() - started
                    yield Progress(
                        "preparing", item.text, done=item.done, total=item.total, elapsed=elapsed
                    )
                    base_message = "waiting for the local model…"
                    last_emit = time.monotonic()
                elif item.kind == "retry":
                    elapsed = time.monotonic() - started
                    yield Progress(
                        "retrying",
                        f"{item.text}; retrying in {item.retry_in:.1f} s "
                        f"(try {item.attempt + 1} of {self.retry.attempts})",
                        done=item.attempt,
                        total=self.retry.attempts,
                        elapsed=elapsed,
                    )
                    last_emit = time.monotonic()
                elif item.kind == "error":
                    if cancel.cancelled:
                        raise Cancelled()
                    assert item.error is not None
                    raise item.error
                elif item.kind == "done":
                    assert item.completion is not None
                    yield item.completion
                    return
        finally:
            stop.set()
            close_stream()

    def complete(self, messages: list[dict[str, Any]], **kw: Any) -> Completion:
        for item in self.stream(messages, **kw):
            if isinstance(item, Completion):
                return item
        raise ProviderError("the provider closed the stream without an answer")

    def warm_up(self) -> None:
        """Have the built-in model's server started (its weights joined first if needed)
        in the background, so that a first request does not wait for it; nothing for a
        remote provider. A failure here is left for the first request to report."""
        if self.endpoint is None:
            return

        def resolve() -> None:
            try:
                self._use_endpoint(*self.endpoint.resolve())
            except Exception as exc:  # the first request reports it, with its context
                import logging

                logging.getLogger("ting").info("warming the local model failed: %s", exc)

        threading.Thread(target=resolve, name="ting-llm-warm-up", daemon=True).start()

    def check(self, cancel: CancelToken | None = None) -> str:
        """A tiny round trip (``Test connection``); returns the model's reply text."""
        completion = self.complete(
            [{"role": "user", "content": "Reply with the single word: pong"}],
            cancel=cancel,
            max_tokens=5,
        )
        return completion.text

    # -- worker thread -----------------------------------------------------------------

    def _run(
        self, messages, tools, temperature, max_tokens, response_format, items, stop, holder
    ) -> None:
        import openai

        attempt = 0
        started = time.monotonic()
        while True:
            attempt += 1
            text_parts: list[str] = []
            if self.endpoint is not None and not self._resolve_endpoint(items, stop):
                return
            try:
                kwargs: dict[str, Any] = {
                    "model": self.model,
                    "messages": messages,
                    "stream": True,
                }
                if tools:
                    kwargs["tools"] = tools
                if response_format is not None:
                    kwargs["response_format"] = response_format
                if temperature is not None:
                    kwargs["temperature"] = temperature
                if max_tokens is None:
                    max_tokens = self.default_max_tokens
                if max_tokens is not None:
                    kwargs["max_tokens"] = max_tokens
                stream = self._client().chat.completions.create(**kwargs)
                holder["stream"] = stream
                if stop.is_set():
                    stream.close()
                    return
                calls: dict[int, dict[str, str]] = {}
                finish: str | None = None
                model_name: str | None = None
                first_token: float | None = None
                for chunk in stream:
                    if stop.is_set():
                        return
                    model_name = getattr(chunk, "model", None) or model_name
                    if not chunk.choices:
                        continue
                    choice = chunk.choices[0]
                    delta = choice.delta
                    if delta is not None:
                        extra = getattr(delta, "model_extra", None) or {}
                        reasoning = extra.get("reasoning_content") or extra.get("reasoning")
                        if reasoning:
                            items.put(_Outcome("reasoning", text=str(reasoning)))
                        if delta.content:
                            if first_token is None:
                                first_token = time.monotonic() - started
                            text_parts.append(delta.content)
                            items.put(_Outcome("text", text=delta.content))
                        for tc in delta.tool_calls or []:
                            slot = calls.setdefault(tc.index, {"id": "", "name": "", "args": ""})
                            if tc.id:
                                slot["id"] = tc.id
                            if tc.function is not None:
                                if tc.function.name:
                                    slot["name"] += tc.function.name
                                if tc.function.arguments:
                                    slot["args"] += tc.function.arguments
                    if choice.finish_reason:
                        finish = choice.finish_reason
                if finish is None:
                    # the connection ended without the server saying the answer was done
                    partial = "".join(text_parts)
                    if partial:
                        items.put(
                            _Outcome(
                                "error",
                                error=ProviderStreamBroken(
                                    f"the provider's stream broke after {len(partial)} characters; "
                                    "the partial answer was kept",
                                    partial,
                                ),
                            )
                        )
                    else:
                        items.put(
                            _Outcome(
                                "error",
                                error=ProviderError(
                                    "the provider closed the connection before answering"
                                ),
                            )
                        )
                    return
                tool_calls = tuple(
                    ToolCall(id=v["id"], name=v["name"], arguments=v["args"])
                    for _, v in sorted(calls.items())
                )
                items.put(
                    _Outcome(
                        "done",
                        completion=Completion(
                            text="".join(text_parts),
                            tool_calls=tool_calls,
                            finish_reason=finish,
                            model=model_name,
                            first_token_s=first_token,
                            total_s=time.monotonic() - started,
                        ),
                    )
                )
                return
            except openai.AuthenticationError:
                items.put(
                    _Outcome(
                        "error",
                        error=ProviderAuthError(
                            f"the provider at {self.display_url} rejected the API key (401)",
                            hint="store a new one with `ting config set-key` or set OPENAI_API_KEY",
                        ),
                    )
                )
                return
            except openai.PermissionDeniedError as exc:
                items.put(
                    _Outcome(
                        "error",
                        error=ProviderAuthError(
                            f"the provider refused access (403): {_api_message(exc)}"
                        ),
                    )
                )
                return
            except openai.NotFoundError as exc:
                items.put(
                    _Outcome(
                        "error",
                        error=ProviderError(
                            f"the provider at {self.display_url} does not know model {self.model!r} "
                            f"or the endpoint (404): {_api_message(exc)}",
                            hint="check `ting config set model …` or TING_MODEL",
                        ),
                    )
                )
                return
            except openai.BadRequestError as exc:
                items.put(
                    _Outcome(
                        "error",
                        error=ProviderRequestRefused(
                            f"the provider refused the request (400): {_api_message(exc)}"
                        ),
                    )
                )
                return
            except (
                openai.RateLimitError,
                openai.InternalServerError,
                openai.APIStatusError,
                openai.APITimeoutError,
                openai.APIConnectionError,
            ) as exc:
                if stop.is_set():
                    return
                reason = self._reason(exc)
                if text_parts:
                    items.put(
                        _Outcome(
                            "error",
                            error=ProviderStreamBroken(
                                f"the provider's stream broke after {len(''.join(text_parts))} characters"
                                f" ({reason}); the partial answer was kept",
                                "".join(text_parts),
                            ),
                        )
                    )
                    return
                status = getattr(exc, "status_code", None)
                retryable = status is None or status == 429 or status >= 500
                if not retryable or attempt >= self.retry.attempts:
                    tries = f" after {attempt} tries" if attempt > 1 else ""
                    items.put(
                        _Outcome(
                            "error",
                            error=ProviderError(f"{reason}{tries}", hint=self.failure_hint or None),
                        )
                    )
                    return
                delay = self.retry.delay(attempt, _retry_after(exc))
                items.put(_Outcome("retry", text=reason, retry_in=delay, attempt=attempt))
                if stop.wait(delay):
                    return
            except Exception as exc:  # malformed chunk, broken JSON, protocol errors
                if stop.is_set():
                    return
                partial = "".join(text_parts)
                detail = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
                if partial:
                    items.put(
                        _Outcome(
                            "error",
                            error=ProviderStreamBroken(
                                f"the provider sent a malformed reply after {len(partial)} characters "
                                f"({detail}); the partial answer was kept",
                                partial,
                            ),
                        )
                    )
                else:
                    items.put(
                        _Outcome(
                            "error",
                            error=ProviderError(f"the provider sent a malformed reply ({detail})"),
                        )
                    )
                return

    def _resolve_endpoint(self, items, stop) -> bool:
        """Ask the endpoint for the server (starting it if needed); False: gave up, and
        the reason (if any) is queued."""
        from assistant.errors import TingError

        def report(message: str, done: int | None, total: int | None) -> None:
            items.put(_Outcome("prepare", text=message, done=done, total=total))

        try:
            self._use_endpoint(*self.endpoint.resolve(report=report, cancelled=stop.is_set))
        except Cancelled:
            return False
        except TingError as exc:
            if not stop.is_set():
                items.put(_Outcome("error", error=exc))
            return False
        return True

    def _reason(self, exc: BaseException) -> str:
        import openai

        if isinstance(exc, openai.APITimeoutError):
            return f"no answer from {self.label or 'the provider'} within {self.timeout_s:g} s"
        if isinstance(exc, openai.APIConnectionError):
            return f"cannot reach {self.display_name}"
        if isinstance(exc, openai.RateLimitError):
            return "the provider is rate-limiting requests (429)"
        status = getattr(exc, "status_code", "?")
        return f"the provider failed ({status}): {_api_message(exc)}"


def _api_message(exc: BaseException) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])[:200]
        if isinstance(err, str):
            return err[:200]
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:200]


def _retry_after(exc: BaseException) -> float | None:
    response = getattr(exc, "response", None)
    if response is None:
        return None
    value = response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def check_base_url(base_url: str) -> None:
    """Refuse, before any request, a base URL no HTTP client can reach."""
    import os
    from urllib.parse import urlsplit

    env = os.environ.get("OPENAI_BASE_URL", "").strip()
    source = "OPENAI_BASE_URL" if env and env == base_url else "the base_url setting"
    fix = "unset it" if source == "OPENAI_BASE_URL" else "`ting config set base_url …`"
    shown = base_url if len(base_url) <= 80 else base_url[:77] + "..."

    def refuse(why: str) -> ProviderNotConfigured:
        return ProviderNotConfigured(
            f"the provider address {shown!r} (from {source}) {why}",
            hint=f"for example http://127.0.0.1:11434/v1; fix or {fix}",
        )

    try:
        parts = urlsplit(base_url)
        port = parts.port
    except ValueError as exc:  # a port out of range or not a number
        raise refuse(f"has a bad port ({exc})") from None
    if parts.scheme not in ("http", "https"):
        raise refuse("must start with http:// or https://")
    if not parts.hostname:
        raise refuse("has no host")
    del port


def local_client(settings) -> LLMClient:
    """The client for the built-in model (``assistant.local_model``): the same path as
    any provider, its address and token asked from the shared server before each try."""
    from assistant.local_model.provider import DEFAULT_MAX_TOKENS, local_endpoint

    endpoint = local_endpoint(settings)
    server = endpoint.server
    return LLMClient(
        base_url="",
        api_key="",
        model=server.spec.alias,
        timeout_s=settings.request_timeout,
        endpoint=endpoint,
        context_tokens=server.context_tokens,
        default_max_tokens=DEFAULT_MAX_TOKENS,
        label=f"the local model ({server.spec.key})",
        failure_hint=f"its server's log: {server.log_path}",
        tool_calls=False,
    )


def provider_kind(settings, api_key: str | None) -> str:
    """ "local" (the built-in model) or "remote" for these settings: ``provider`` local or
    remote as set; ``auto``: remote when a key or a base URL is configured, else local."""
    chosen = getattr(settings, "provider", "auto")
    if chosen in ("local", "remote"):
        return chosen
    return "remote" if (api_key or settings.base_url) else "local"


def client_from_settings(settings, api_key: str | None) -> LLMClient:
    """The provider client for these settings, or ProviderNotConfigured saying what to set."""
    if provider_kind(settings, api_key) == "local":
        return local_client(settings)
    base_url = settings.base_url
    if not api_key and not base_url:
        raise ProviderNotConfigured(
            "no language-model provider is set up",
            hint="set OPENAI_API_KEY or run `ting config set-key`; for a local server "
            "(Ollama, llama.cpp, vLLM) set OPENAI_BASE_URL; or use the built-in model: "
            "`ting config set provider local`. Offline without one: "
            "bookkeeping, routing, transcription and history",
        )
    if base_url:
        check_base_url(base_url)
    return LLMClient(
        base_url=base_url,
        api_key=api_key or "not-needed",  # local servers accept any key
        model=settings.model,
        timeout_s=settings.request_timeout,
    )
