"""The provider client against a real OpenAI-compatible server on loopback."""

from __future__ import annotations

import threading

import pytest

from assistant.config import Settings
from assistant.errors import Cancelled, ProviderAuthError, ProviderError, ProviderNotConfigured
from assistant.events import Delta, Progress
from assistant.llm import (
    Completion,
    LLMClient,
    ProviderStreamBroken,
    RetryPolicy,
    client_from_settings,
)
from assistant.skill import CancelToken

MSG = [{"role": "user", "content": "hi"}]


def make_client(provider, **kw) -> LLMClient:
    kw.setdefault("retry", RetryPolicy(attempts=3, base_delay_s=0.05, max_delay_s=0.2))
    kw.setdefault("heartbeat_s", 0.2)
    return LLMClient(base_url=provider.base_url, api_key=provider.api_key, model="m", **kw)


def drain(it):
    events, completion = [], None
    for item in it:
        if isinstance(item, Completion):
            completion = item
        else:
            events.append(item)
    return events, completion


def test_streams_text_in_pieces_and_sends_key_and_model(provider):
    provider.queue_reply("你好，世界！Hello there.", chunk_size=3)
    events, completion = drain(make_client(provider).stream(MSG))
    deltas = [e.text for e in events if isinstance(e, Delta)]
    assert len(deltas) > 3
    assert "".join(deltas) == "你好，世界！Hello there."
    assert completion.text == "你好，世界！Hello there."
    assert completion.finish_reason == "stop"
    body = provider.requests[0]
    assert body["model"] == "m" and body["stream"] is True and body["messages"] == MSG
    assert body["_authorization"] == f"Bearer {provider.api_key}"


def test_one_client_is_built_once_and_serves_every_request(provider):
    """The HTTP client (its CA bundle, its connection pool) is built once per LLMClient,
    not per request: a conversation's requests all go through the same one."""
    client = make_client(provider)
    for n in range(3):
        provider.queue_reply(f"reply {n}")
        _, completion = drain(client.stream(MSG))
        assert completion.text == f"reply {n}"
    assert len(provider.requests) == 3
    assert client._client() is client._client()


def test_tool_calls_are_assembled_from_fragments(provider):
    provider.queue_reply(
        tool_calls=[{"name": "choose_skill", "arguments": {"skill": "translation", "why": "翻译"}}]
    )
    completion = make_client(provider).complete(
        MSG,
        tools=[
            {
                "type": "function",
                "function": {"name": "choose_skill", "parameters": {"type": "object"}},
            }
        ],
    )
    assert completion.finish_reason == "tool_calls"
    (call,) = completion.tool_calls
    assert call.name == "choose_skill"
    assert call.parsed_arguments() == {"skill": "translation", "why": "翻译"}
    assert provider.requests[0]["tools"][0]["function"]["name"] == "choose_skill"


def test_retries_429_then_succeeds_with_progress(provider):
    provider.queue_reply(status=429, headers={"Retry-After": "0.1"}, error_message="slow down")
    provider.queue_reply(status=503, error_message="overloaded")
    provider.queue_reply("ok")
    events, completion = drain(make_client(provider).stream(MSG))
    assert completion.text == "ok"
    retries = [e for e in events if isinstance(e, Progress) and e.stage == "retrying"]
    assert len(retries) == 2
    assert "429" in retries[0].message and "503" in retries[1].message
    assert len(provider.requests) == 3


def test_gives_up_after_retries_with_one_line(provider):
    for _ in range(3):
        provider.queue_reply(status=500, error_message="boom")
    with pytest.raises(ProviderError) as info:
        drain(make_client(provider).stream(MSG))
    assert "500" in info.value.message and "after 3 tries" in info.value.message
    assert "\n" not in info.value.message


def test_auth_error_is_not_retried(provider):
    provider.queue_reply(status=401, error_message="bad key")
    with pytest.raises(ProviderAuthError) as info:
        drain(make_client(provider).stream(MSG))
    assert "401" in info.value.message
    assert provider.api_key not in info.value.user_message()
    assert len(provider.requests) == 1


def test_heartbeats_every_interval_while_model_thinks(provider):
    provider.queue_reply("done", delay_before_first_token=1.5)
    events, completion = drain(make_client(provider, heartbeat_s=0.2).stream(MSG, stage="thinking"))
    beats = [e for e in events if isinstance(e, Progress)]
    assert completion.text == "done"
    assert len(beats) >= 3  # 1.5 s of silence at a 0.2 s heartbeat
    assert all(b.stage == "thinking" for b in beats)
    assert beats[-1].elapsed >= beats[0].elapsed


def test_reasoning_chunks_become_progress_not_text(provider):
    provider.queue_reply("answer", delay_before_first_token=1.0, reasoning_every=0.1)
    events, completion = drain(make_client(provider, heartbeat_s=0.2).stream(MSG))
    assert completion.text == "answer"
    assert "".join(e.text for e in events if isinstance(e, Delta)) == "answer"
    assert any(isinstance(e, Progress) and "thinking" in e.message for e in events)


def test_silence_past_timeout_gives_up_clearly(provider):
    for _ in range(2):
        provider.queue_reply("late", delay_before_first_token=5)
    client = make_client(provider, timeout_s=0.5, retry=RetryPolicy(attempts=2, base_delay_s=0.05))
    with pytest.raises(ProviderError) as info:
        drain(client.stream(MSG))
    assert "no answer from the provider within 0.5 s" in info.value.message


def test_disconnect_mid_stream_keeps_partial_text(provider):
    provider.queue_reply("abcdefghijklmnopqrstuvwxyz", chunk_size=2, disconnect_after_chunks=4)
    seen = []
    with pytest.raises(ProviderStreamBroken) as info:
        for item in make_client(provider).stream(MSG):
            if isinstance(item, Delta):
                seen.append(item.text)
    assert info.value.partial == "".join(seen) == "abcdef"
    assert len(provider.requests) == 1  # never retried after text was shown


def test_malformed_chunk_is_a_clear_error(provider):
    provider.queue_reply("abcdefgh", chunk_size=2, malformed_after_chunks=2)
    with pytest.raises(ProviderStreamBroken) as info:
        drain(make_client(provider).stream(MSG))
    assert "malformed" in info.value.message
    assert info.value.partial == "ab"  # the one good text chunk before the bad one


def test_malformed_first_chunk_is_a_clear_error(provider):
    provider.queue_reply("abcdefgh", malformed_after_chunks=0)
    with pytest.raises(ProviderError) as info:
        drain(make_client(provider).stream(MSG))
    assert "malformed" in info.value.message
    assert not isinstance(info.value, ProviderStreamBroken)


def test_cancel_while_waiting_for_first_token(provider):
    provider.queue_reply("never", delay_before_first_token=30)
    cancel = CancelToken()
    beats = 0
    with pytest.raises(Cancelled):
        for item in make_client(provider).stream(MSG, cancel=cancel):
            if isinstance(item, Progress):
                beats += 1
                cancel.cancel()  # the user pressed Cancel after the first progress line
    assert beats == 1


def test_cancel_from_another_thread_mid_stream(provider):
    provider.queue_reply("x" * 400, chunk_size=1, chunk_delay=0.02)
    cancel = CancelToken()
    got = []
    with pytest.raises(Cancelled):
        for item in make_client(provider).stream(MSG, cancel=cancel):
            if isinstance(item, Delta):
                got.append(item.text)
                if len(got) == 5:
                    threading.Thread(target=cancel.cancel).start()
    assert 5 <= len(got) < 400


def test_unreachable_provider(provider):
    provider.stop()
    client = make_client(provider, retry=RetryPolicy(attempts=2, base_delay_s=0.05))
    with pytest.raises(ProviderError) as info:
        drain(client.stream(MSG))
    assert "cannot reach the provider" in info.value.message


def test_not_configured_says_what_to_set():
    # (with provider = auto, the default, nothing configured means the built-in model)
    with pytest.raises(ProviderNotConfigured) as info:
        client_from_settings(Settings(provider="remote"), api_key=None)
    assert "OPENAI_API_KEY" in info.value.user_message()


def test_local_server_needs_no_key(provider):
    provider.queue_reply("pong")
    client = client_from_settings(
        Settings(base_url=provider.base_url, model="llama3"), api_key=None
    )
    assert client.check() == "pong"
    assert provider.requests[0]["model"] == "llama3"


@pytest.mark.parametrize(
    "base_url, mentions",
    [
        ("ftp://example.com/v1", "must start with http:// or https://"),
        ("not a url", "must start with http:// or https://"),
        ("http:///v1", "has no host"),
        ("http://127.0.0.1:99999/v1", "port"),
    ],
)
def test_a_base_url_that_cannot_work_is_refused_before_any_request(base_url, mentions):
    with pytest.raises(ProviderNotConfigured, match=mentions):
        client_from_settings(Settings(base_url=base_url), api_key="x")


def test_cli_with_a_non_http_base_url_in_the_environment(ting):
    from fixtures_core import assert_clean_failure

    env = {"OPENAI_BASE_URL": "ftp://example.com/v1", "OPENAI_API_KEY": "x"}
    ran = ting("ask", "--skill", "chat", "hello", env=env, timeout=30)
    assert_clean_failure(ran, code=1, mentions="OPENAI_BASE_URL")
    assert "retry" not in ran.err and "tries" not in ran.err
