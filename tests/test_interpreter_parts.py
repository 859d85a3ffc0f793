"""The interpreter's parts, each real: the streaming Silero segmenter on real speech, the
segmenter's state machine as a table, the translation worker against the scripted
OpenAI-compatible server (pairing, context, provider down and back, unreachable), the
bilingual transcript exports and the spoken output through espeak-ng."""

from __future__ import annotations

import threading
import wave
from pathlib import Path

import numpy as np
import pytest
from scripted_provider import Reply, ScriptedProvider

from assistant.llm import LLMClient, RetryPolicy
from assistant.skill import CancelToken
from skills.translation.glossary import GlossaryEntry
from skills.translation.interpreter.audio_sources import CaptureGate
from skills.translation.interpreter.segmenter import (
    FRAME_SAMPLES,
    SegmenterSettings,
    SentenceSegmenter,
    StreamingSpeechDetector,
)
from skills.translation.interpreter.transcript import (
    BilingualTranscript,
    InterpretedSentence,
    to_markdown,
    to_srt,
)
from skills.translation.interpreter.translation_worker import (
    ProviderSentenceTranslator,
    SourceSentence,
    TranslationWorker,
)

SR = 16_000
FRAMES_PER_S = SR / FRAME_SAMPLES  # 31.25


def _asterisk_with_pauses(clips: dict, names: list[str], pause_s: float = 1.2) -> np.ndarray:
    from voice.audio_files import read_audio_file

    silence = np.zeros(int(pause_s * SR), dtype=np.float32)
    parts = [silence[: SR // 2]]
    for name in names:
        parts += [read_audio_file(clips[name][0]), silence]
    return np.concatenate(parts)


# -- segmenter ----------------------------------------------------------------------------


def test_streaming_detector_cuts_real_speech_like_the_whole_file_vad(asterisk_clips) -> None:
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    audio = _asterisk_with_pauses(
        asterisk_clips, ["conf-onlyperson", "conf-waitforleader", "vm-msgforwarded"]
    )
    settings = SegmenterSettings()
    whole = get_speech_timestamps(
        audio,
        VadOptions(
            min_silence_duration_ms=int(settings.end_silence_s * 1000),
            speech_pad_ms=int(settings.pad_s * 1000),
        ),
    )
    detector, segmenter = StreamingSpeechDetector(), SentenceSegmenter(settings)
    ended = []
    for start in range(0, audio.size, 1600):  # 100 ms blocks, as capture delivers them
        for probability in detector.feed(audio[start : start + 1600]):
            sentence = segmenter.push(probability)
            if sentence:
                ended.append(sentence)
    if (last := segmenter.flush()) is not None:
        ended.append(last)
    assert len(ended) == len(whole) == 3
    for streamed, reference in zip(ended, whole, strict=True):
        assert abs(streamed.start - reference["start"]) <= FRAME_SAMPLES
        assert abs(streamed.end - reference["end"]) <= FRAME_SAMPLES
        assert streamed.speech_end < streamed.end


def _run_segmenter(
    probabilities: list[float], **settings: float
) -> list[tuple[float, float, bool]]:
    segmenter = SentenceSegmenter(SegmenterSettings(pad_s=0.0, **settings))
    out = []
    for p in probabilities:
        if (s := segmenter.push(p)) is not None:
            out.append((round(s.start / SR, 2), round(s.speech_end / SR, 2), s.forced))
    if (s := segmenter.flush()) is not None:
        out.append((round(s.start / SR, 2), round(s.speech_end / SR, 2), s.forced))
    return out


def _frames(seconds: float, value: float) -> list[float]:
    return [value] * round(seconds * FRAMES_PER_S)


@pytest.mark.parametrize(
    ("probabilities", "expected"),
    [
        # silence only: nothing
        (_frames(3, 0.05), []),
        # a 0.1 s click is too short to be a sentence
        (_frames(1, 0.0) + _frames(0.1, 0.9) + _frames(1, 0.0), []),
        # two sentences split by a 1 s pause
        (
            _frames(0.5, 0.0)
            + _frames(2, 0.9)
            + _frames(1, 0.0)
            + _frames(1.5, 0.9)
            + _frames(1, 0),
            [(0.51, 2.5, False), (3.49, 4.99, False)],
        ),
        # a 0.3 s breath inside a sentence does not end it
        (
            _frames(1, 0.9) + _frames(0.3, 0.1) + _frames(1, 0.9) + _frames(1, 0.0),
            [(0.0, 2.27, False)],
        ),
        # hysteresis: 0.4 keeps speech going (above 0.5 - 0.15), 0.3 is silence
        (_frames(1, 0.9) + _frames(1, 0.4) + _frames(1, 0.3), [(0.0, 1.98, False)]),
        # speech running into the end of the stream is flushed
        (_frames(1, 0.0) + _frames(1, 0.9), [(0.99, 1.98, False)]),
        # a lone syllable and a 0.6 s pause do not end a sentence: it goes with the next
        (
            _frames(0.5, 0.0) + _frames(0.4, 0.9) + _frames(0.6, 0.0) + _frames(2, 0.9),
            [(0.51, 3.49, False)],
        ),
        # ... a longer pause does (1 s for one with less than 1 s of speech)
        (
            _frames(0.5, 0.0) + _frames(0.4, 0.9) + _frames(1.2, 0.0) + _frames(2, 0.9),
            [(0.51, 0.9, False), (2.11, 4.1, False)],
        ),
    ],
)
def test_segmenter_table(probabilities: list[float], expected: list) -> None:
    assert _run_segmenter(probabilities) == expected


def test_run_on_speech_is_cut_at_its_quietest_frame() -> None:
    probabilities = _frames(3, 0.9) + [0.55] + _frames(3, 0.9) + _frames(1, 0.0)
    cut = _run_segmenter(probabilities, max_sentence_s=5.0)
    assert cut[0] == (0.0, 3.01, True)  # cut at the quiet (0.55) frame, 94 frames in
    assert cut[1][0] == 3.01 and not cut[1][2]


ZH_CLIPS = Path(__file__).parent / "data" / "audio" / "zh"


def _stream_sentences(audio: np.ndarray) -> list:
    """The sentences the streaming segmenter reports, fed 100 ms blocks as capture does."""
    detector, segmenter = StreamingSpeechDetector(), SentenceSegmenter()
    ended = []
    for start in range(0, audio.size, 1600):
        for probability in detector.feed(audio[start : start + 1600]):
            if (sentence := segmenter.push(probability)) is not None:
                ended.append(sentence)
    if (last := segmenter.flush()) is not None:
        ended.append(last)
    return ended


@pytest.mark.parametrize("clip", sorted(p.name for p in ZH_CLIPS.glob("*.flac")))
def test_a_sentence_starts_before_its_first_syllable_on_real_mandarin(clip: str) -> None:
    """Silero passes its threshold a frame or three after a soft onset; the lead-in pad
    covers that: the first sentence starts at or before the first frame whose level is
    20 dB over the clip's quietest frames and within 30 dB of its loudest (a click in
    the silence is not an onset)."""
    from voice.audio_files import read_audio_file

    audio = read_audio_file(ZH_CLIPS / clip)
    frames = audio[: audio.size // FRAME_SAMPLES * FRAME_SAMPLES].reshape(-1, FRAME_SAMPLES)
    level = 20 * np.log10(np.sqrt((frames**2).mean(axis=1)) + 1e-9)
    voiced = level > max(np.sort(level)[:5].mean() + 20, level.max() - 30)
    onset = int(np.argmax(voiced)) * FRAME_SAMPLES
    first = _stream_sentences(audio)[0]
    assert first.start <= onset


@pytest.mark.slow
def test_a_one_syllable_answer_stays_with_its_sentence(recognizer) -> None:
    """f5-taiyi: "对，这就是我，万人敬仰的太乙真人。" has a 0.55 s pause after 对; cut there,
    Whisper heard the lone 对 as English "Tui!" (or nothing) and the sentence lost it."""
    from skills.translation.interpreter.audio_sources import FileReplay
    from skills.translation.interpreter.events import SourceText
    from skills.translation.interpreter.pipeline import InterpreterSession
    from voice.audio_files import read_audio_file

    audio = read_audio_file(ZH_CLIPS / "f5-taiyi.flac")
    assert len(_stream_sentences(audio)) == 1
    events: list = []
    InterpreterSession(
        source=FileReplay(audio, fast=True),
        recognizer=recognizer,
        pair=("zh", "en"),
        emit=events.append,
        fast=True,
    ).run(CancelToken())
    sources = [e for e in events if isinstance(e, SourceText)]
    assert [(s.lang, s.text[0]) for s in sources] == [("zh", "对")]
    assert "这就是我" in sources[0].text


# -- translation worker, against the scripted provider ------------------------------------


def _client(provider: ScriptedProvider) -> LLMClient:
    return LLMClient(
        base_url=provider.base_url,
        api_key=provider.api_key,
        model=provider.model,
        timeout_s=5,
        retry=RetryPolicy(attempts=1),
    )


def _tagged_translation(body: dict) -> Reply:
    """A fake translation derived from the request, so pairing can be checked."""
    system = body["messages"][0]["content"]
    tag = "ZH" if "into Chinese" in system else "EN"
    return Reply(text=f"{tag}<{body['messages'][-1]['content']}>")


class Collected:
    def __init__(self) -> None:
        self.events: list[tuple[str, object]] = []
        self.lock = threading.Lock()

    def translation(self, sentence: SourceSentence, text: str) -> None:
        with self.lock:
            self.events.append(("translation", (sentence.index, text)))

    def notice(self, message: str) -> None:
        with self.lock:
            self.events.append(("notice", message))

    def of(self, kind: str) -> list:
        return [value for k, value in self.events if k == kind]


SENTENCES = [
    SourceSentence(1, "en", "Good morning.", "zh", 1.0),
    SourceSentence(2, "zh", "早上好。", "en", 2.0),
    SourceSentence(3, "en", "Send the invoice today.", "zh", 3.0),
    SourceSentence(4, "en", "The meeting is at three.", "zh", 4.0),
    SourceSentence(5, "zh", "好的，没问题。", "en", 5.0),
]


def _worker(provider: ScriptedProvider, got: Collected, glossary=()) -> TranslationWorker:
    translator = ProviderSentenceTranslator(_client(provider), list(glossary), CancelToken())
    return TranslationWorker(
        translator,
        on_translation=got.translation,
        on_notice=got.notice,
        retry_delays_s=(0.05, 0.1, 0.2),
    )


def test_worker_pairs_each_sentence_with_its_translation_and_sends_little_context(
    provider: ScriptedProvider,
) -> None:
    provider.responder = _tagged_translation
    got = Collected()
    worker = _worker(provider, got, [GlossaryEntry(1, "invoice", "发票", "")]).start()
    for sentence in SENTENCES:
        worker.submit(sentence)
    assert worker.finish(drain_timeout_s=30) == []
    expected_tags = {"zh": "ZH", "en": "EN"}
    assert got.of("translation") == [
        (s.index, f"{expected_tags[s.target_lang]}<{s.text}>") for s in SENTENCES
    ]
    assert got.of("notice") == []
    for n, request in enumerate(provider.requests):
        messages = request["messages"]
        assert messages[-1]["content"] == SENTENCES[n].text
        context = messages[1:-1]
        assert len(context) == 2 * min(n, 3)  # the last three sentences, never all
        earlier = SENTENCES[max(0, n - 3) : n]
        assert [m["content"] for m in context[::2]] == [s.text for s in earlier]
    assert "invoice → 发票" in provider.requests[2]["messages"][0]["content"]
    assert "invoice" not in provider.requests[0]["messages"][0]["content"]


def test_worker_pauses_while_the_provider_is_down_and_catches_up_in_order(
    provider: ScriptedProvider,
) -> None:
    seen = {"count": 0}

    def flaky(body: dict) -> Reply:
        seen["count"] += 1
        if 2 <= seen["count"] <= 4:  # down after the first sentence, for three tries
            return Reply(status=503, error_message="upstream overloaded")
        return _tagged_translation(body)

    provider.responder = flaky
    got = Collected()
    worker = _worker(provider, got).start()
    for sentence in SENTENCES:
        worker.submit(sentence)
    assert worker.finish(drain_timeout_s=30) == []
    translations = got.of("translation")
    assert [index for index, _ in translations] == [1, 2, 3, 4, 5]
    notices = got.of("notice")
    assert len(notices) == 2
    assert notices[0].startswith("translation paused:") and "503" in notices[0]
    assert notices[1].startswith("translation resumed after 3 failed tries")
    # the pause notice comes after sentence 1, the resume notice before sentence 2
    kinds = [(k, v[0] if k == "translation" else v[:18]) for k, v in got.events]
    assert kinds == [
        ("translation", 1),
        ("notice", "translation paused"),
        ("notice", "translation resume"),
        ("translation", 2),
        ("translation", 3),
        ("translation", 4),
        ("translation", 5),
    ]
    # sentence 2 was asked four times, always alone with sentence 1 as context
    asked_second = [r for r in provider.requests if r["messages"][-1]["content"] == "早上好。"]
    assert len(asked_second) == 4


def test_unreachable_provider_leaves_sentences_untranslated_with_a_reason(
    provider: ScriptedProvider,
) -> None:
    provider.stop()
    got = Collected()
    worker = _worker(provider, got).start()
    for sentence in SENTENCES[:2]:
        worker.submit(sentence)
    left = worker.finish(drain_timeout_s=1.0)
    assert [s.index for s in left] == [1, 2]
    assert got.of("translation") == []
    (notice,) = got.of("notice")
    assert notice.startswith("translation paused: cannot reach the provider")
    assert "cannot reach the provider" in (worker.last_error or "")


def test_refused_key_stops_translation_for_the_session(provider: ScriptedProvider) -> None:
    provider.responder = lambda body: Reply(status=401, error_message="bad key")
    got = Collected()
    worker = _worker(provider, got).start()
    for sentence in SENTENCES[:3]:
        worker.submit(sentence)
    left = worker.finish(drain_timeout_s=5)
    assert len(left) == 3 and len(provider.requests) == 1
    (notice,) = got.of("notice")
    assert notice.startswith("translation stopped:") and "401" in notice


# -- transcript, gate, speech --------------------------------------------------------------


def _transcript() -> BilingualTranscript:
    transcript = BilingualTranscript(("zh", "en"), "meeting.wav, fast replay")
    transcript.add(InterpretedSentence(1, "en", "Good morning.", 0.41, 1.5, "zh"))
    transcript.add(InterpretedSentence(2, "zh", "明天下午三点开会。", 62.0, 3725.25, "en"))
    transcript.set_translation(1, "早上好。")
    return transcript


def test_markdown_and_srt_exports() -> None:
    transcript = _transcript()
    assert to_markdown(transcript) == (
        "# Interpreter session Chinese↔English (meeting.wav, fast replay)\n"
        "\n"
        "**00:00** · English: Good morning.  \n"
        "→ Chinese: 早上好。\n"
        "\n"
        "**01:02** · Chinese: 明天下午三点开会。  \n"
        "→ English: *(not translated)*\n"
    )
    assert to_srt(transcript) == (
        "1\n00:00:00,410 --> 00:00:01,500\nGood morning.\n早上好。\n"
        "\n"
        "2\n00:01:02,000 --> 01:02:05,250\n明天下午三点开会。\n"
    )
    again = BilingualTranscript.from_dict(transcript.to_dict())
    assert again == transcript and again.translated_count == 1
    assert transcript.plain_text() == "[en] Good morning.\n[zh] 早上好。\n[zh] 明天下午三点开会。"


def test_capture_gate_is_closed_while_speaking_and_just_after() -> None:
    gate = CaptureGate(tail_s=0.3)
    assert gate.is_open(now=0.0) or gate.is_open()
    gate.speaking_started()
    assert not gate.is_open()
    gate.speaking_finished()
    import time

    now = time.monotonic()
    assert not gate.is_open(now=now)  # the tail: the room still echoes
    assert gate.is_open(now=now + 0.31)


def test_translations_are_spoken_in_order_with_espeak(tmp_path: Path) -> None:
    from skills.translation.interpreter.speech_output import EspeakSynthesizer, TranslationSpeaker

    notices: list[str] = []
    speaker = TranslationSpeaker(
        EspeakSynthesizer(), out_dir=tmp_path / "spoken", on_notice=notices.append
    ).start()
    speaker.say(1, "早上好。", "zh")
    speaker.say(2, "Good morning.", "en")
    speaker.finish()
    assert notices == []
    assert [p.name for p in speaker.spoken] == ["0001-zh.wav", "0002-en.wav"]
    for path in speaker.spoken:
        with wave.open(str(path)) as wav:
            frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype=np.int16)
            assert wav.getnframes() / wav.getframerate() > 0.4
            assert np.abs(frames).max() > 1000  # real sound, not silence


def test_gate_closes_around_playback() -> None:
    from skills.translation.interpreter.speech_output import (
        SpokenAudio,
        TranslationSpeaker,
    )

    gate = CaptureGate(tail_s=0.0)
    states: list[bool] = []

    class Tone:
        def synthesize(self, text: str, lang: str) -> SpokenAudio:
            return SpokenAudio(np.full(1600, 0.1, dtype=np.float32), SR)

    speaker = TranslationSpeaker(
        Tone(), gate=gate, play=lambda audio: states.append(gate.is_open())
    )
    speaker.start()
    speaker.say(1, "hello", "en")
    speaker.finish()
    assert states == [False] and gate.is_open()
