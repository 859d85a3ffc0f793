"""The runtime end to end in-process: real history file, real provider over HTTP."""

from __future__ import annotations

import threading

import pytest

from assistant.events import Delta, Failed, Progress, Result
from assistant.frontend.app import App
from assistant.skill import CancelToken, Request


@pytest.fixture
def app(provider_env) -> App:
    return App.from_environment()


def test_long_silence_shows_progress_then_answer(app, provider_env):
    provider_env.queue_reply("想好了", delay_before_first_token=3.5)
    events = list(app.runtime.run(Request("慢慢想", skill="chat")))
    beats = [e for e in events if isinstance(e, Progress) and e.stage == "thinking"]
    assert len(beats) >= 2  # a line at least every 2 s over 3.5 s of silence
    assert all("s" in b.message for b in beats) and beats[-1].elapsed > beats[0].elapsed
    assert isinstance(events[-1], Result) and events[-1].text == "想好了"


def test_cancel_mid_answer_leaves_a_cancelled_record(app, provider_env):
    provider_env.queue_reply("word " * 300, chunk_size=5, chunk_delay=0.02)
    cancel = CancelToken()
    seen: list[str] = []
    events = []
    for event in app.runtime.run(Request("long answer please", skill="chat"), cancel=cancel):
        events.append(event)
        if isinstance(event, Delta):
            seen.append(event.text)
            if len(seen) == 10:
                threading.Thread(target=cancel.cancel).start()
    assert isinstance(events[-1], Failed) and events[-1].kind == "cancelled"
    row = app.history.list(1)[0]
    assert row.status == "cancelled"
    assert row.output_text == "".join(seen)  # what was shown is what was kept


def test_unknown_skill_and_empty_request(app):
    from assistant.errors import UsageError

    events = list(app.runtime.run(Request("x", skill="nope")))
    assert isinstance(events[-1], Failed) and "no skill named" in events[-1].error
    with pytest.raises(UsageError):
        list(app.runtime.run(Request("  ")))


def test_skill_crash_is_reported_not_raised(app, ting_home):
    class Crashing:
        name = "crashing"
        description = "raises"

        def run(self, request, ctx):
            yield Delta("partial ")
            raise RuntimeError("boom")

        def apply(self, action, data, ctx):
            return iter(())

    app.registry._skills["crashing"] = Crashing()
    events = list(app.runtime.run(Request("go", skill="crashing")))
    assert isinstance(events[-1], Failed) and events[-1].kind == "internal"
    assert "Traceback" not in events[-1].error
    row = app.history.list(1)[0]
    assert row.status == "error" and row.output_text == "partial "
    assert "RuntimeError: boom" in (ting_home / "ting.log").read_text()
