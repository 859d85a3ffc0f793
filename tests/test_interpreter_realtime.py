"""The interpreter at real-time pace, where lag is won: detection and decoding share one
encoder pass, partial transcripts run on a second model at the lowest CPU priority (so a
finished sentence never waits behind one), and a sentence decoded as its pause begins
reads exactly as the one decoded after it. Real Whisper, real asterisk recordings; no
assertion depends on how fast the machine is."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from assistant.skill import CancelToken
from skills.translation.interpreter.audio_sources import FileReplay
from skills.translation.interpreter.partials import BackgroundPartials, PartialRequest
from skills.translation.interpreter.pipeline import InterpreterSession, PipelineSettings

pytestmark = pytest.mark.slow

SR = 16_000
NAMES = ["conf-onlyperson", "vm-msgforwarded"]


def _clip(asterisk_clips: dict, name: str) -> np.ndarray:
    from voice.audio_files import read_audio_file

    return read_audio_file(asterisk_clips[name][0])


def _with_pauses(asterisk_clips: dict, names: list[str]) -> np.ndarray:
    pause = np.zeros(int(1.2 * SR), dtype=np.float32)
    parts = [pause[: SR // 2]]
    for name in names:
        parts += [_clip(asterisk_clips, name), pause]
    return np.concatenate(parts)


@pytest.fixture(scope="module")
def partial_recognizer(whisper_cache: Path):
    """A second copy of the model, loaded by BackgroundPartials itself (at nice 19)."""
    from voice.asr import SpeechRecognizer

    return SpeechRecognizer("base", cache_dir=whisper_cache, cpu_threads=1)


class CountingModel:
    """CTranslate2's Whisper object with its encoder calls counted (third-party spy)."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.encodes = 0

    def encode(self, *args, **kwargs):
        self.encodes += 1
        return self.inner.encode(*args, **kwargs)

    def __getattr__(self, name: str):
        return getattr(self.inner, name)


def test_language_detection_and_decoding_share_one_encoder_pass(recognizer, asterisk_clips):
    from voice.asr import LIVE_DECODING

    model = recognizer.load(LIVE_DECODING)
    counting = CountingModel(model.model)
    model.model = counting
    try:
        heard = recognizer.transcribe(
            _clip(asterisk_clips, "vm-newpassword"), "auto", profile=LIVE_DECODING, gate=False
        )
    finally:
        model.model = counting.inner
    assert heard.language == "en" and "password" in heard.text.lower()
    assert counting.encodes == 1


def _niceness(tid: int) -> int:
    stat = Path(f"/proc/self/task/{tid}/stat").read_text()
    return int(stat.rsplit(")", 1)[1].split()[16])


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="Linux thread priorities")
def test_partials_run_on_lowest_priority_threads_and_take_only_one_request_at_a_time(
    partial_recognizer, asterisk_clips
) -> None:
    from voice.asr import LIVE_DECODING

    before = {int(t) for t in os.listdir("/proc/self/task")}
    heard: list[tuple[PartialRequest, str]] = []
    done = threading.Event()

    def on_heard(request: PartialRequest, transcript) -> None:
        heard.append((request, transcript.text))
        done.set()

    partials = BackgroundPartials(partial_recognizer, LIVE_DECODING, on_heard).start()
    try:
        assert partials.wait_ready(120)
        assert partials.low_priority
        assert partials._thread is not None
        worker = partials._thread.native_id
        model_threads = {int(t) for t in os.listdir("/proc/self/task")} - before - {worker}
        assert model_threads and {_niceness(t) for t in model_threads} == {19}
        assert _niceness(worker) == _niceness(threading.get_native_id())  # not starved

        audio = _clip(asterisk_clips, "conf-waitforleader")
        first = PartialRequest(1, 1, audio, audio.size / SR)
        assert partials.submit(first)
        assert not partials.submit(PartialRequest(1, 1, audio[:SR], 1.0))  # busy: dropped
        assert done.wait(120)
    finally:
        partials.stop()
    assert [(r, "leader" in text.lower()) for r, text in heard] == [(first, True)]


def _run(source, recognizer, partial_recognizer=None) -> tuple[list[dict], InterpreterSession]:
    events: list[dict] = []
    lock = threading.Lock()

    def emit(event: Any) -> None:
        with lock:
            events.append(event.to_dict())

    session = InterpreterSession(
        source=source,
        recognizer=recognizer,
        pair=("zh", "en"),
        emit=emit,
        fast=source.fast,
        partial_recognizer=partial_recognizer,
        settings=PipelineSettings(partial_interval_s=0.8, min_partial_speech_s=0.8),
    )
    session.run(CancelToken())
    return events, session


def test_real_time_sentences_read_as_in_a_fast_replay_and_no_partial_comes_late(
    recognizer, partial_recognizer, asterisk_clips
) -> None:
    audio = _with_pauses(asterisk_clips, NAMES)
    fast, _ = _run(FileReplay(audio, fast=True), recognizer)
    live, session = _run(FileReplay(audio, fast=False), recognizer, partial_recognizer)

    def sources(events: list[dict]) -> list[tuple]:
        return [
            (e["sentence"], e["lang"], e["text"], e["audio_end_s"])
            for e in events
            if e["type"] == "source"
        ]

    # same sentences, same words, same places, whether decoded early or after the pause
    assert sources(live) == sources(fast)
    assert len(sources(live)) == len(NAMES)
    assert [t["sentence"] for t in session.timings] == [1, 2]
    # every partial belongs to the sentence being spoken: none after its source line
    ended: set[int] = set()
    for event in live:
        if event["type"] == "source":
            ended.add(event["sentence"])
        elif event["type"] == "partial":
            assert event["sentence"] not in ended
            assert event["sentence"] == len(ended) + 1


def test_partials_that_cannot_load_are_a_notice_and_sentences_go_on(
    recognizer, asterisk_clips, tmp_path: Path
) -> None:
    from voice.asr import SpeechRecognizer

    broken = SpeechRecognizer(str(tmp_path / "no-such-model"), cache_dir=tmp_path)
    audio = _with_pauses(asterisk_clips, NAMES[:1])
    events, _ = _run(FileReplay(audio, fast=False), recognizer, broken)
    notices = [e["text"] for e in events if e["type"] == "notice"]
    assert len(notices) == 1 and notices[0].startswith("partial transcripts off:"), notices
    assert [e["type"] for e in events if e["type"] != "notice"][-1] == "source"
    assert [e["sentence"] for e in events if e["type"] == "source"] == [1]
