"""Capture: the ring buffer, device choice, and real audio through a PulseAudio null
sink (played with paplay, captured through sounddevice by the app's own classes)."""

from __future__ import annotations

import numpy as np
import pytest
from fixtures_voice import play_into_sink

from assistant.errors import AudioError
from voice.capture import (
    SAMPLE_RATE,
    AudioRing,
    MicrophoneCapture,
    MicrophoneStream,
    find_input_device,
    input_devices,
)


def test_ring_keeps_the_latest_samples_by_absolute_position() -> None:
    ring = AudioRing(10)
    ring.write(np.arange(4, dtype=np.float32))
    assert ring.position == 4 and ring.read(0).tolist() == [0, 1, 2, 3]
    ring.write(np.arange(4, 12, dtype=np.float32))  # wraps round
    assert ring.position == 12 and ring.oldest == 2
    assert ring.read(0).tolist() == list(range(2, 12))  # what was overwritten is gone
    assert ring.read(9, 11).tolist() == [9, 10]
    ring.write(np.arange(100, 125, dtype=np.float32))  # more than the capacity at once
    assert ring.position == 37 and ring.read(30).tolist() == list(range(118, 125))
    assert ring.read(37).size == 0 and ring.read(40).size == 0


def _speech_onset(stream: MicrophoneStream, start: int, threshold: float = 0.02) -> int:
    """Wait (on captured samples, not the clock) until sound arrives; its ring position."""
    seen = start
    while True:
        assert stream.wait_for(seen + SAMPLE_RATE // 10, timeout=30), "no audio arrived"
        block = stream.read(seen)
        loud = np.flatnonzero(np.abs(block) > threshold)
        if loud.size:
            return seen + int(loud[0])
        seen += block.size


def _capture_clip(stream: MicrophoneStream, sink: str, path) -> np.ndarray:
    start = stream.position
    player = play_into_sink(sink, path)
    assert player.wait(timeout=60) == 0
    # the monitor delivers in order: once half a second more has been captured after the
    # player finished, the whole clip is in the ring
    assert stream.wait_for(stream.position + SAMPLE_RATE // 2, timeout=30)
    return stream.read(start)


@pytest.mark.audio
@pytest.mark.slow
@pytest.mark.parametrize("device_rate", [None, 44100], ids=["16kHz", "44.1kHz-resampled"])
def test_speech_played_into_the_sink_is_captured_and_transcribed(
    pulse_sink, recognizer, asterisk_clips, device_rate
) -> None:
    path, expected = asterisk_clips["agent-newlocation"]
    with MicrophoneStream("", device_rate=device_rate) as stream:
        assert stream.device_rate == (device_rate or SAMPLE_RATE)
        audio = _capture_clip(stream, pulse_sink, path)
    assert audio.dtype == np.float32 and audio.size > 3 * SAMPLE_RATE
    assert np.abs(audio).max() > 0.1
    text = recognizer.transcribe(audio, "en").text
    assert text.lower().replace(",", "").rstrip(".") == expected.lower().replace(",", "").rstrip(
        "."
    )


@pytest.mark.audio
@pytest.mark.slow
def test_pre_roll_keeps_the_first_word_when_the_key_goes_down_late(
    pulse_sink, recognizer, asterisk_clips
) -> None:
    path, _ = asterisk_clips["all-circuits-busy-now"]  # "All circuits are busy now."
    stream = MicrophoneStream("").open()
    try:
        capture = MicrophoneCapture(stream=stream, pre_roll_s=0.5)
        assert stream.wait_for(SAMPLE_RATE, timeout=30)  # the stream has run for a second
        before = stream.position
        player = play_into_sink(pulse_sink, path)
        onset = _speech_onset(stream, before)
        pressed = onset + int(0.3 * SAMPLE_RATE)  # the key goes down 300 ms into "All"
        assert stream.wait_for(pressed, timeout=30)
        chunks: list[np.ndarray] = []
        capture.start(chunks.append, at=pressed)
        assert player.wait(timeout=60) == 0
        assert stream.wait_for(stream.position + SAMPLE_RATE // 2, timeout=30)
        utterance = capture.stop()
        begin = pressed - SAMPLE_RATE // 2
        assert np.array_equal(utterance, stream.read(begin, begin + utterance.size))
        without_pre_roll = utterance[SAMPLE_RATE // 2 :]  # what a capture from the press gets
    finally:
        stream.close()
    assert capture.begin is None and not capture.active
    assert sum(c.size for c in chunks) > 0  # the listener saw the live blocks
    heard = recognizer.transcribe(utterance, "en").text.lower()
    assert heard.startswith("all circuits"), heard
    cut = recognizer.transcribe(without_pre_roll, "en").text.lower()
    assert not cut.startswith("all circuits"), cut  # proof that the pre-roll saved "All"


@pytest.mark.audio
def test_devices_are_listed_and_chosen_by_name(pulse_sink) -> None:
    devices = input_devices()
    assert devices and any(d.is_default for d in devices)
    assert find_input_device("").is_default
    named = devices[-1]
    assert find_input_device(named.name).index == named.index
    assert find_input_device(str(named.index)).index == named.index
    with pytest.raises(AudioError, match="no input device named 'no such microphone'") as caught:
        find_input_device("no such microphone")
    assert named.name in (caught.value.hint or "")


@pytest.mark.audio
def test_cli_lists_devices_and_fails_clearly_on_an_unknown_one(pulse_sink, ting) -> None:
    from fixtures_core import assert_clean_failure

    ran = ting("voice", "devices", "--json")
    assert ran.code == 0, ran.err
    listed = ran.json_lines()[0]["devices"]
    assert any(d["default"] for d in listed)
    assert {"index", "name", "channels", "default_rate", "default"} <= set(listed[0])
    ran = ting("voice", "level", "--device", "no such microphone")
    assert_clean_failure(ran, code=1, mentions="no input device named 'no such microphone'")


@pytest.mark.audio
@pytest.mark.slow
def test_live_partial_text_then_the_final_text_and_nothing_after_it(
    pulse_sink, recognizer, asterisk_clips
) -> None:
    """LiveTranscription over the null sink, as the app and `ting listen` run it: partial
    text while the prompt plays (its own worker, beside the drafts), the final text on
    release, and no partial text once stop() has returned, even from a partial that was
    still decoding then."""
    import threading

    from assistant.textmatch import words
    from voice.streaming import LiveTranscription

    path, expected = asterisk_clips["dir-usingkeypad"]  # 5.9 s, two short pauses
    shown: list[tuple[str, bool]] = []
    released = threading.Event()
    with MicrophoneStream("") as stream:
        assert stream.wait_for(SAMPLE_RATE, timeout=30)
        live = LiveTranscription(
            recognizer,
            stream,
            language="en",
            on_partial=lambda text: shown.append((text, released.is_set())),
        )
        live.start()
        player = play_into_sink(pulse_sink, path)
        assert player.wait(timeout=60) == 0
        assert stream.wait_for(stream.position + SAMPLE_RATE * 3 // 10, timeout=30)
        final = live.stop()
        released.set()
        live.join(timeout=120)
    assert not any(worker.is_alive() for worker in live._workers)
    assert shown and not any(after for _, after in shown), shown
    # all but "…key for Z": Whisper base hears that last phrase, decoded alone after the
    # commits, as "key for Z", "key per Z" or "keepers e" depending on where it starts
    # (eight starts 20 ms apart gave all three); where the live commit lands depends on
    # timing. The words before it are what the commits made.
    # (Whisper writes the letter Q as "cue" in some decodes: one CI run here)
    said = "".join(words(expected))
    heard = "".join(words(final.text)).replace("keyforcue", "keyforq")
    assert heard.startswith(said[: said.index("keyforz")]), final.text
