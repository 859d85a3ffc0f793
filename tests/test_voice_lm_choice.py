"""Mandarin decodes compared by the built-in language model (voice.lm_choice): the real
Qwen weights from their packages, the real Whisper model, the real recordings of
tests/data/audio/zh. The CER figures per path are the bench's (bench/bench_mandarin.py);
here what must always hold."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fixtures_voice import AUDIO_DATA

from assistant.textmatch import character_errors
from voice.lm_choice import DecodeChooser, scoring_text

ZH = AUDIO_DATA / "zh"
CLIPS = json.loads((ZH / "clips.json").read_text(encoding="utf-8"))["clips"]


@pytest.fixture(scope="module")
def chooser(local_model_run) -> DecodeChooser:
    from assistant.local_model.weights import DEFAULT_MODEL, MODELS

    weights = local_model_run.models / MODELS[DEFAULT_MODEL].file_name
    return DecodeChooser(lambda: weights)


def never_loaded() -> Path:
    raise AssertionError("the model was loaded")


def test_the_model_prefers_what_a_reader_would_write(chooser: DecodeChooser) -> None:
    # each pair: a homophone Whisper base wrote on the real clips, and the right words
    pairs = [
        ("欢迎大家来体验达摩院推出的运营识别模型", "欢迎大家来体验达摩院推出的语音识别模型"),
        ("一二线尝试虽然也处于调整中。", "12线城市虽然也处于调整中"),
        ("试验锅就选验植物本节目有26年专注高品植验锅的验植物冠名播出",
         "吃燕窝就选燕之屋本节目有26年专注高品著燕窝的燕之屋冠名播出"),
    ]  # fmt: skip
    for wrong, right in pairs:
        assert chooser.choose([wrong, right]) == 1, (wrong, right)
        assert chooser.choose([right, wrong]) == 0, (right, wrong)
    assert chooser.score("语音识别") > chooser.score("运营识别")


def test_a_decoding_loop_or_a_text_of_another_length_is_not_chosen(
    chooser: DecodeChooser,
) -> None:
    # said three times, each copy after the first is easy to predict: a mean per
    # character would pick it
    loop = "今天我很荣幸今天我很荣幸今天我很荣幸"
    assert chooser.choose([loop, "今天我很如性", "今天我很荣幸"]) == 2
    assert chooser.choose(["今天我很如性", loop]) != 1


def test_decodes_that_differ_only_in_punctuation_need_no_model() -> None:
    quiet = DecodeChooser(never_loaded)
    assert quiet.choose(["你好，我是小明。", "你好,我是小明", "你好 我是小明"]) == 0
    assert quiet.choose(["一段话"]) == 0
    assert scoring_text("对，这就是我，万人敬仰的太乙真人。") == "对这就是我万人敬仰的太乙真人"


def test_without_the_weights_the_first_decode_stands(caplog) -> None:
    missing = DecodeChooser(lambda: None)
    assert missing.choose(["运营识别模型", "语音识别模型"]) == 0
    assert not missing.available
    assert "not compared" in caplog.text


def test_the_recognizer_compares_only_when_the_built_in_model_is_wanted(ting_home) -> None:
    from assistant.config import Settings
    from voice.asr import SpeechRecognizer

    default = SpeechRecognizer.from_settings(Settings(provider="auto"))
    assert default.chooser is not None and not default.compare_live
    assert SpeechRecognizer.from_settings(Settings(provider="local")).chooser is not None
    assert SpeechRecognizer.from_settings(Settings(provider="remote")).chooser is None
    off = Settings(provider="auto", asr_compare_decodes="off")
    assert SpeechRecognizer.from_settings(off).chooser is None
    everywhere = Settings(provider="auto", asr_compare_decodes="all")
    assert SpeechRecognizer.from_settings(everywhere).compare_live


@pytest.mark.slow
def test_on_the_real_recordings_the_file_path_beats_plain_faster_whisper(
    recognizer, chooser: DecodeChooser, whisper_model_dir: Path
) -> None:
    """The issue's bar, on every clip of the set together (dev, held-out and test): the
    CER of `ting transcribe` below plain faster-whisper's (its defaults, the same model
    files, output in Simplified characters). English is not touched (zh only)."""
    from faster_whisper import WhisperModel

    from voice.asr import to_simplified

    plain_model = WhisperModel(
        str(whisper_model_dir), device="cpu", compute_type="int8", local_files_only=True
    )
    recognizer.set_vocabulary(None)
    recognizer.chooser = chooser
    ting = plain = 0
    try:
        for clip in CLIPS:
            path = ZH / clip["file"]
            segments, _ = plain_model.transcribe(str(path))
            heard = to_simplified("".join(s.text.strip() for s in segments))
            plain += character_errors(clip["text"], heard)[0]
            ting += character_errors(clip["text"], recognizer.transcribe_file(path, "zh").text)[0]
        english = recognizer.transcribe_file(AUDIO_DATA / "en-new-extension.flac", "auto")
    finally:
        recognizer.chooser = None
    assert ting < plain, (ting, plain)
    assert english.language == "en" and "extension" in english.text.lower()


@pytest.mark.slow
def test_a_meeting_chunk_longer_than_one_window_is_compared_too(
    recognizer, chooser: DecodeChooser, tmp_path: Path
) -> None:
    """The held-out and test clips with 3 s pauses: about 44 s holding 26 s of speech,
    one chunk longer than Whisper's 30 s window (real meetings have pauses), decoded as
    plain would (two windows) beside Ting's own decode. The comparison must not make it worse, and times stay on the recording's
    clock."""
    import numpy as np
    from fixtures_voice import write_wav

    from assistant.history import HistoryStore
    from assistant.skill import CancelToken
    from skills.meeting_notes.meeting_store import MeetingStore
    from skills.meeting_notes.transcription import ChunkedTranscriber
    from voice.asr import to_simplified
    from voice.audio_files import read_audio_file

    chosen = [c for c in CLIPS if c["set"] != "dev"]
    pause = np.zeros(3 * 16_000, dtype=np.float32)
    audio = np.concatenate([p for c in chosen for p in (pause, read_audio_file(ZH / c["file"]))])
    path = write_wav(tmp_path / "meeting.wav", audio)
    reference = "".join(c["text"] for c in chosen)

    def heard(name: str) -> tuple[str, list]:
        store = MeetingStore(HistoryStore(tmp_path / f"{name}.db"))
        run = ChunkedTranscriber(
            path, store=store, recognizer=recognizer, cancel=CancelToken(), language="zh"
        ).run()
        with pytest.raises(StopIteration) as done:
            while True:
                next(run)
        lines = done.value.value.lines
        return "".join(line.text for line in lines), lines

    recognizer.set_vocabulary(None)
    before, _ = heard("before")
    recognizer.chooser = chooser
    try:
        after, lines = heard("after")
    finally:
        recognizer.chooser = None
    assert character_errors(reference, after)[0] <= character_errors(reference, before)[0], (
        before,
        after,
    )
    assert to_simplified(after) == after
    starts = [line.start for line in lines]
    assert starts == sorted(starts) and starts[0] >= 0 and lines[-1].end <= audio.size / 16_000
