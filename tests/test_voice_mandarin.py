"""Real human Mandarin (tests/data/audio/zh) through the real model on every path: the
vocabulary takes the clips' domain words up, a nonsense vocabulary changes nothing, no
Traditional characters. The CER figures against plain faster-whisper are the bench's
(bench/bench_mandarin.py, bench/results_mandarin.md); here only what must always hold."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fixtures_voice import AUDIO_DATA

from assistant.textmatch import character_errors
from voice.asr import to_simplified
from voice.audio_files import read_audio_file

pytestmark = pytest.mark.slow

ZH = AUDIO_DATA / "zh"
CLIPS = json.loads((ZH / "clips.json").read_text(encoding="utf-8"))["clips"]
DOMAIN = [w for clip in CLIPS for w in clip["vocabulary"]]
NONSENSE = ["齿轮箱", "白鹭洲", "量子纠缠", "铁观音", "马拉松", "滨海新区", "区块链", "向日葵",
            "蒸汽机", "金字塔", "潜水艇", "交响乐", "红烧肉", "张伟", "李娜"]  # fmt: skip
NAMES = [c["file"] for c in CLIPS]


@pytest.fixture
def with_vocabulary(recognizer) -> Iterator:
    """The session's recognizer with a vocabulary for one test (set back after it)."""

    def use(words: list[str] | None):
        recognizer.set_vocabulary(words)
        return recognizer

    yield use
    recognizer.set_vocabulary(None)


@pytest.fixture(scope="module")
def heard_without_vocabulary(recognizer) -> dict[str, str]:
    recognizer.set_vocabulary(None)
    return {c["file"]: recognizer.transcribe_file(ZH / c["file"], "zh").text for c in CLIPS}


def test_every_clip_is_mandarin_in_simplified_characters(
    recognizer, heard_without_vocabulary
) -> None:
    for clip in CLIPS:
        text = heard_without_vocabulary[clip["file"]]
        assert text and to_simplified(text) == text, (clip["file"], text)
        assert "普通话" not in text  # the prompt is not read back
    found = recognizer.transcribe_file(ZH / "aishell-BAC009S0764W0121.flac", "auto")
    assert found.language == "zh"


def test_a_nonsense_vocabulary_changes_no_clip(with_vocabulary, heard_without_vocabulary) -> None:
    recognizer = with_vocabulary(NONSENSE)
    for clip in CLIPS:
        text = recognizer.transcribe_file(ZH / clip["file"], "zh").text
        assert text == heard_without_vocabulary[clip["file"]], clip["file"]


def test_the_clips_domain_words_bring_the_cer_to_12_percent(
    with_vocabulary, heard_without_vocabulary
) -> None:
    recognizer = with_vocabulary(DOMAIN)
    before = after = chars = 0
    for clip in CLIPS:
        transcript = recognizer.transcribe_file(ZH / clip["file"], "zh")
        assert to_simplified(transcript.text) == transcript.text
        edits, total = character_errors(clip["text"], transcript.text)
        after += edits
        chars += total
        before += character_errors(clip["text"], heard_without_vocabulary[clip["file"]])[0]
        for made in transcript.corrections:  # shown as corrected, the raw text kept
            assert made["word"] in transcript.text and made["heard"] in transcript.raw_text
    assert after < before
    assert after / chars <= 0.12, (after, chars)


def test_the_live_path_takes_the_words_up(with_vocabulary) -> None:
    from voice.streaming import IncrementalTranscriber

    recognizer = with_vocabulary(DOMAIN)
    quiet = np.zeros(4800, dtype=np.float32)
    audio = np.concatenate([quiet, read_audio_file(ZH / "spark-yanzhiwu-1.flac"), quiet])
    transcriber = IncrementalTranscriber(recognizer, "auto")
    for end in range(1600, audio.size + 1, 1600):
        if transcriber.should_update(audio[:end]):
            transcriber.update(audio[:end])
    final = transcriber.finish(audio)
    assert final.language == "zh"
    assert "燕之屋" in final.text and "燕窝" in final.text, final.text


def test_the_meeting_path_takes_the_words_up(with_vocabulary, tmp_path: Path) -> None:
    from assistant.history import HistoryStore
    from assistant.skill import CancelToken
    from skills.meeting_notes.meeting_store import MeetingStore
    from skills.meeting_notes.transcription import ChunkedTranscriber

    recognizer = with_vocabulary(DOMAIN)
    store = MeetingStore(HistoryStore(tmp_path / "ting.db"))
    run = ChunkedTranscriber(
        ZH / "aishell-BAC009S0764W0121.flac",
        store=store,
        recognizer=recognizer,
        cancel=CancelToken(),
    ).run()
    with pytest.raises(StopIteration) as done:
        while True:
            next(run)
    text = "".join(line.text for line in done.value.value.lines)
    assert "停滞" in text and "交易" in text, text


def test_ting_transcribe_uses_the_words_added_with_ting_vocab(ting, ting_uses_test_model) -> None:
    clip = str(ZH / "spark-yanzhiwu-1.flac")
    before = ting("transcribe", clip, "--language", "zh", "--json").json_lines()[0]
    assert "燕之屋" not in before["text"]
    assert {"text", "language", "duration", "segments"} <= set(before)
    assert "corrections" not in before and before["truncated"] is None  # nothing to correct
    added = ting("vocab", "add", "燕之屋", "燕窝", "--json")
    assert added.code == 0, added.err
    assert added.json_lines()[0]["added"] == ["燕之屋", "燕窝"]
    after = ting("transcribe", clip, "--language", "zh", "--json").json_lines()[0]
    assert after["text"].count("燕之屋") == 2, after
    assert after["language"] == "zh"
    removed = ting("vocab", "remove", "燕之屋")
    assert removed.code == 0 and "燕之屋" not in ting("vocab", "list").out


def test_a_spoken_correction_feeds_the_vocabulary_the_recognizer_reads(ting_home) -> None:
    from assistant.history import HistoryStore
    from assistant.paths import database_path
    from voice.asr import SpeechRecognizer
    from voice.spoken_correction import take_correction

    history = HistoryStore(database_path())
    fixed = take_correction(history, "不对，是滨海新区", "我明天去冰台新区开会")
    assert fixed is not None and fixed.corrected_text == "我明天去滨海新区开会"
    assert take_correction(history, "不对，是四十五", "午饭花了三十五块") is None
    from assistant.config import load_settings

    recognizer = SpeechRecognizer.from_settings(load_settings())
    assert recognizer.vocabulary_words() == ["滨海新区"]


def test_three_recordings_in_a_row_are_all_transcribed(with_vocabulary) -> None:
    """Three real sentences back to back (13 s of speech): every one is in the text, with
    and without the vocabulary (the prompted, trimmed-window decode once kept the first
    sentence alone)."""
    names = ["aishell-BAC009S0764W0121.flac", "funasr-damo.flac", "stepaudio-tingting.flac"]
    pause = np.zeros(8000, dtype=np.float32)
    audio = np.concatenate([part for n in names for part in (read_audio_file(ZH / n), pause)])
    for words in (None, DOMAIN):
        text = with_vocabulary(words).transcribe(audio, "zh").text
        for key in ("交易", "大家来体验", "海洋馆", "礼物"):
            assert key in text, (words is not None, text)


def test_a_long_recording_of_every_clip_is_read_to_the_end(with_vocabulary, tmp_path: Path) -> None:
    """The nine clips with 1.5 s pauses (54 s, two windows) as one 16-bit WAV file: each
    sentence is in the text. The prompted decode once wrote the first sentence as one
    segment over the whole first window (40 s) and lost the next six."""
    from fixtures_voice import write_wav

    pause = np.zeros(24_000, dtype=np.float32)
    audio = np.concatenate([part for n in NAMES for part in (pause, read_audio_file(ZH / n))])
    path = write_wav(tmp_path / "nine.wav", audio)
    text = with_vocabulary(None).transcribe_file(path, "zh").text
    for key in (
        "交易",
        "26年",
        "豆本豆",
        "处于调整",
        "真人",
        "今天我",
        "欢迎大家",
        "海洋馆",
        "以后能够",
    ):
        assert key in text, (key, text)


def test_warming_for_a_user_with_chinese_words_reads_the_word_list(whisper_cache) -> None:
    """The homophone pass's word list (jieba's dictionary, ~1 s) is read while the model
    warms, not after the key is released on the first sentence like one of the words."""
    from voice.asr import SpeechRecognizer
    from voice.pinyin_match import load_word_list

    load_word_list.cache_clear()
    engine = SpeechRecognizer("base", cache_dir=whisper_cache)
    engine.set_vocabulary(["燕之屋"])
    engine.warm()
    engine.wait_warm()
    assert load_word_list.cache_info().currsize == 1
