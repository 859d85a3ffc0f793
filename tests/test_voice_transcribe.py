"""`ting transcribe` and the recognizer on real speech: asterisk prompts, Mandarin clips,
non-speech clips (no invented text) and bad files (one clear line)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from fixtures_core import assert_clean_failure
from fixtures_voice import AUDIO_DATA

from assistant.textmatch import word_error_rate, words
from voice.asr import (
    SIMPLIFIED_CHINESE_PROMPT,
    collapse_repetition,
    ends_in_repeat,
    is_invented_line,
    is_prompt_echo,
    join_segment_texts,
    mend_byte_slips,
    question_marks_where_asked,
    to_simplified,
)

if TYPE_CHECKING:
    import numpy as np

pytestmark = pytest.mark.slow


ENGLISH = [
    "all-circuits-busy-now",
    "check-number-dial-again",
    "cannot-complete-as-dialed",
    "conf-getpin",
    "vm-nomore",
    "privacy-prompt",
]


@pytest.mark.parametrize("name", ENGLISH)
def test_english_prompts_come_out_word_for_word(recognizer, asterisk_clips, name: str) -> None:
    path, expected = asterisk_clips[name]
    transcript = recognizer.transcribe_file(path, "auto")
    assert transcript.language == "en"
    assert word_error_rate(expected, transcript.text) <= 0.15, (expected, transcript.text)
    assert transcript.segments and transcript.segments[0].start < 0.6
    assert transcript.segments[-1].end <= transcript.duration


@pytest.mark.parametrize(
    ("clip", "language", "must_contain"),
    [
        ("zh-nihao-xiaoming.wav", "auto", "小明"),
        ("zh-fanyi.wav", "auto", "翻译"),
        ("zh-nihao-xiaoming.wav", "zh", "小明"),
    ],
)
def test_mandarin_comes_out_in_simplified_characters(
    recognizer, built_in_chooser, clip: str, language: str, must_contain: str
) -> None:
    """As ``ting transcribe`` has it by default: Mandarin decodes compared by the
    built-in model. (Whisper's own decode of the synthetic 帮我翻译一下 moves with the CPU
    kernels: 翻我翻语以下 on an AMD EPYC without AVX-512.)"""
    recognizer.chooser = built_in_chooser
    try:
        transcript = recognizer.transcribe_file(AUDIO_DATA / clip, language)
    finally:
        recognizer.chooser = None
    assert transcript.language == "zh"
    assert must_contain in transcript.text
    assert re.search(r"[\u4e00-\u9fff]", transcript.text)
    assert to_simplified(transcript.text) == transcript.text  # no Traditional characters
    assert "普通话" not in transcript.text  # the prompt is not read back


@pytest.mark.parametrize("name", ["silence", "white-noise", "pink-noise", "hum-50hz", "music"])
def test_no_speech_gives_empty_text(recognizer, non_speech_clips, name: str) -> None:
    for language in ("auto", "zh", "en"):
        transcript = recognizer.transcribe_file(non_speech_clips[name], language)
        assert transcript.text == "" and transcript.segments == [], (name, language, transcript)
        assert transcript.duration == pytest.approx(3.0 if name != "music" else 4.0, abs=0.01)


def test_asterisk_silence_and_tones_give_empty_text(recognizer) -> None:
    from fixtures_voice import ASTERISK_SOUNDS

    for clip in ("silence/5.wav", "beep.wav", "ascending-2tone.wav", "beeperr.wav"):
        assert recognizer.transcribe_file(ASTERISK_SOUNDS / clip).text == "", clip


@pytest.mark.parametrize(
    "line",
    [
        "字幕由Amara.org社群提供",
        "字幕由 Amara.org 社区提供",
        "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目",
        "Thank you for watching!",
        "Thanks for watching.",
        "Please subscribe to my channel.",
    ],
)
def test_known_invented_lines_are_recognised(line: str) -> None:
    assert is_invented_line(line)


@pytest.mark.parametrize(
    "line", ["Thank you.", "Please enter your password.", "请把这句话翻译成英文", "我想订个酒店"]
)
def test_real_sentences_are_not_taken_for_invented_lines(line: str) -> None:
    assert not is_invented_line(line)


def test_helpers_for_chinese_output() -> None:
    assert to_simplified("請把這句話翻譯成英文") == "请把这句话翻译成英文"
    assert to_simplified("我们用 Python 写程序") == "我们用 Python 写程序"  # English kept
    assert join_segment_texts(["你好，", "我是小明。"]) == "你好，我是小明。"
    assert join_segment_texts(["Hello", "world."]) == "Hello world."
    assert join_segment_texts(["打开", "GitHub"]) == "打开 GitHub"
    assert collapse_repetition("宝石 不青 恻 恻 恻 恻 恻 恻") == "宝石 不青 恻"
    assert collapse_repetition("No. No. No. No. No.") == "No."
    assert collapse_repetition("哈哈哈哈哈哈哈哈") == "哈"
    assert collapse_repetition("Press 1, press 2, press 3.") == "Press 1, press 2, press 3."
    assert collapse_repetition("谢谢谢谢") == "谢谢谢谢"  # a short, real repetition stays
    assert is_prompt_echo("以下是普通话的句子。", SIMPLIFIED_CHINESE_PROMPT)
    assert not is_prompt_echo("明天下午开会", SIMPLIFIED_CHINESE_PROMPT)


# -- the command, as a user runs it -----------------------------------------------------


@pytest.mark.parametrize("ext", ["flac", "ogg", "mp3", "m4a"])
def test_cli_transcribes_every_container(ting, ting_uses_test_model, ext: str) -> None:
    ran = ting("transcribe", str(AUDIO_DATA / f"en-new-extension.{ext}"), "--json")
    assert ran.code == 0, ran.err
    [result] = ran.json_lines()
    assert set(result) == {
        "text",
        "language",
        "duration",
        "segments",
        "truncated",
        "damaged_seconds",
    }
    assert result["truncated"] is None and result["damaged_seconds"] == 0.0  # all of it read
    assert words(result["text"]) == words("Please enter a new extension, followed by pound.")
    assert result["language"] == "en"
    assert result["duration"] == pytest.approx(3.29, abs=0.06)
    for seg in result["segments"]:
        assert set(seg) == {"start", "end", "text"}
        assert 0 <= seg["start"] < seg["end"] <= result["duration"] + 0.01


def test_cli_plain_output_and_language_option(ting, ting_uses_test_model, asterisk_clips) -> None:
    path, _ = asterisk_clips["vm-goodbye"]
    ran = ting("transcribe", str(path), "--language", "en")
    assert ran.code == 0, ran.err
    assert words(ran.out) == ["goodbye"] or words(ran.out) == ["good", "bye"], ran.out


def test_cli_silence_gives_empty_text(ting, ting_uses_test_model, non_speech_clips) -> None:
    ran = ting("transcribe", str(non_speech_clips["music"]), "--json")
    assert ran.code == 0, ran.err
    assert ran.json_lines()[0]["text"] == ""


def test_cli_bad_files_fail_with_one_line(ting, ting_uses_test_model, tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio\n" * 50)
    garbage = tmp_path / "noise.ogg"
    garbage.write_bytes(bytes(range(256)) * 80)
    image = tmp_path / "picture.m4a"
    image.write_bytes(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
        )
    )
    cases = [
        (tmp_path / "missing.wav", 2, "no such file"),
        (tmp_path, 2, "is a folder"),
        (empty, 1, "is empty"),
        (text, 1, "not a readable audio file"),
        (garbage, 1, "not a readable audio file"),
        (image, 1, "picture.m4a"),
    ]
    # a name the user chose is shown escaped: the line stays one line, and prints
    odd = tmp_path / "two\nlines\x1b[2J.wav"
    odd.write_text("this is not audio\n" * 50)
    cases += [
        (odd, 1, "two\\nlines\\x1b[2J.wav is not a readable audio file"),
        (tmp_path / "gone\n.wav", 2, "no such file: " + str(tmp_path) + "/gone\\n.wav"),
    ]
    for path, code, mention in cases:
        ran = ting("transcribe", str(path), "--json")
        assert_clean_failure(ran, code=code, mentions=mention)
        assert ran.out == ""


def _cut_copies(folder: Path) -> dict[str, Path]:
    """The English clip (3.3 s) as a WAV made by SoX and an MP3 made by FFmpeg (with its
    Xing header), each cut half-way as an interrupted download leaves it."""
    import subprocess

    source = AUDIO_DATA / "en-new-extension.flac"
    whole = {"wav": folder / "whole.wav", "mp3": folder / "whole.mp3"}
    subprocess.run(["sox", str(source), str(whole["wav"])], check=True)
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(source), str(whole["mp3"])], check=True
    )
    cut = {}
    for ext, path in whole.items():
        cut[ext] = folder / f"cut.{ext}"
        data = path.read_bytes()
        cut[ext].write_bytes(data[: len(data) // 2])
    return cut


def test_cli_a_cut_file_is_transcribed_as_far_as_it_goes_and_says_so(
    ting, ting_uses_test_model, tmp_path: Path
) -> None:
    """A cut file decodes without an error up to where it stops: the text of that part
    came out as if it were the whole recording."""
    for ext, path in _cut_copies(tmp_path).items():
        ran = ting("transcribe", str(path), "--json", "--language", "en")
        assert ran.code == 0, ran.err
        [notice] = ran.err.splitlines()
        assert notice.startswith("ting: the file ends early (truncated?): transcribed the first ")
        assert notice.endswith(" of 3.3 s"), notice
        [result] = ran.json_lines()
        assert result["truncated"]["declared_seconds"] == pytest.approx(3.285, abs=0.01)
        assert result["truncated"]["read_seconds"] == pytest.approx(result["duration"], abs=0.01)
        assert 1.0 < result["duration"] < 2.5, (ext, result)
        assert "new" in words(result["text"]), (ext, result["text"])  # what was read
        plain = ting("transcribe", str(path), "--language", "en")
        assert (
            plain.code == 0 and plain.err == ran.err and words(plain.out) == words(result["text"])
        )


def test_a_length_counts_only_where_the_file_declares_it(tmp_path: Path) -> None:
    """FFmpeg's own length of a cut WAV is what is there, and of an MP3 without a Xing
    header a guess from the bitrate (6.2 s for a 5.7 s VBR file): neither may say a
    whole file ends early, nor miss a cut one."""
    import subprocess

    from voice.audio_files import declared_length, ends_early, read_audio_file

    for clip in [*AUDIO_DATA.glob("en-new-extension.*"), *AUDIO_DATA.glob("zh/*.flac")]:
        assert ends_early(clip, read_audio_file(clip).size / 16_000) is None, clip
    source = AUDIO_DATA / "zh" / "funasr-damo.flac"
    vbr = tmp_path / "vbr.mp3"
    subprocess.run(
        ["ffmpeg", "-loglevel", "error", "-i", str(source), "-q:a", "9", "-write_xing", "0"]
        + [str(vbr)],
        check=True,
    )
    assert declared_length(vbr) is None
    assert ends_early(vbr, read_audio_file(vbr).size / 16_000) is None
    piped = subprocess.run(  # a WAV written to a pipe: its size fields were never filled in
        ["ffmpeg", "-loglevel", "error", "-i", str(source), "-f", "wav", "-"],
        check=True,
        capture_output=True,
    ).stdout
    (tmp_path / "piped.wav").write_bytes(piped)
    assert declared_length(tmp_path / "piped.wav") is None
    cut = _cut_copies(tmp_path)
    assert declared_length(cut["wav"]) == pytest.approx(3.285, abs=0.001)
    assert declared_length(cut["mp3"]) == pytest.approx(3.285, abs=0.03)


def _mp3(source: Path, out: Path, *args: str) -> Path:
    import subprocess

    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(source), *args, str(out)], check=True)
    return out


def test_a_whole_mp3_whose_length_header_does_not_fit_it_is_not_called_cut(
    tmp_path: Path,
) -> None:
    """An MP3's Xing frame count may not be the file's: two VBR files joined with ``cat``
    (the first one's header), bytes appended, a placeholder a killed encoder never filled
    in. Only a file shorter than the header's byte count is cut; one that is, still is."""
    from voice.audio_files import declared_length, ends_early, read_audio_file

    first = _mp3(AUDIO_DATA / "zh" / "funasr-damo.flac", tmp_path / "p1.mp3", "-q:a", "9")
    second = _mp3(AUDIO_DATA / "zh" / "f5-taiyi.flac", tmp_path / "p2.mp3", "-q:a", "9")
    joined = tmp_path / "joined.mp3"
    joined.write_bytes(first.read_bytes() + second.read_bytes())
    junk = tmp_path / "junk.mp3"
    junk.write_bytes(first.read_bytes() + bytes(range(256)) * 20)
    data = bytearray(first.read_bytes())
    at = data.index(b"Xing") + 8
    data[at : at + 8] = bytes(8)  # frames and bytes: 0, as the encoder first writes them
    placeholder = tmp_path / "placeholder.mp3"
    placeholder.write_bytes(bytes(data))
    for whole in (first, joined, junk, placeholder):
        assert ends_early(whole, read_audio_file(whole).size / 16_000) is None, whole.name
    cut = tmp_path / "cut.mp3"
    cut.write_bytes(first.read_bytes()[: first.stat().st_size // 2])
    assert declared_length(cut) == pytest.approx(5.547, abs=0.01)
    assert ends_early(cut, read_audio_file(cut).size / 16_000) is not None


def _shift(reference: np.ndarray, other: np.ndarray) -> int:
    """By how many samples ``reference``'s last 2 s sit later in ``other`` (±1.25 s)."""
    import numpy as np

    tail = reference[-32_000:]
    start = len(reference) - len(tail)

    def match(shift: int) -> float:
        piece = other[max(0, start + shift) : start + shift + len(tail)]
        return float(np.dot(tail, piece)) if len(piece) == len(tail) else -np.inf

    return max(range(-20_000, 20_001, 8), key=match)


def test_a_damaged_stretch_in_the_middle_is_left_silent_and_what_follows_keeps_its_time(
    tmp_path: Path,
) -> None:
    """A packet that cannot be decoded is skipped and the rest of the file read; what
    it held becomes silence of its length, so the audio after it (and every timestamp
    of a segment or a meeting line) stays where it was in the recording."""
    import numpy as np

    from skills.meeting_notes.audio_stream import iter_audio_blocks
    from voice.audio_files import read_audio, read_audio_file

    whole = _mp3(AUDIO_DATA / "zh" / "funasr-damo.flac", tmp_path / "whole.mp3")
    data = bytearray(whole.read_bytes())
    data[6000:9000] = bytes(3000)  # about 1 s of this 16 kHz mono MP3
    damaged = tmp_path / "damaged.mp3"
    damaged.write_bytes(bytes(data))
    clean = read_audio_file(whole)
    read = read_audio(damaged)
    assert clean.size / 16_000 == pytest.approx(5.55, abs=0.01)
    assert read.samples.size / 16_000 == pytest.approx(5.55, abs=0.04)
    assert read.damaged_s == pytest.approx(1.0, abs=0.05)
    # the last two seconds are where they were, to within one MP3 frame (36 ms); with
    # the damaged stretch dropped they would be 1 s early
    assert abs(_shift(clean, read.samples)) < 0.036 * 16_000
    blocks = iter_audio_blocks(damaged)
    joined = np.concatenate(list(blocks))
    assert joined.size / 16_000 == pytest.approx(5.55, abs=0.04)
    assert blocks.damaged_s == pytest.approx(read.damaged_s, abs=0.01)


def test_a_damaged_aac_packet_is_skipped_like_any_other(tmp_path: Path) -> None:
    """FFmpeg's AAC decoder reports some damaged packets as EPERM ("Operation not
    permitted"): that is the packet, not the file's permissions."""
    import numpy as np

    from voice.audio_files import read_audio

    m4a = _mp3(
        AUDIO_DATA / "zh" / "funasr-damo.flac",
        tmp_path / "whole.m4a",
        "-c:a",
        "aac",
        "-movflags",
        "+faststart",
    )
    data = m4a.read_bytes()
    at = len(data) // 3
    for seed in range(8):  # FFmpeg's AAC decoder reports one of these as EPERM
        noise = np.random.default_rng(seed).integers(0, 256, 2000, dtype=np.uint8)
        damaged = tmp_path / f"damaged{seed}.m4a"
        damaged.write_bytes(data[:at] + noise.tobytes() + data[at + 2000 :])
        read = read_audio(damaged)
        assert read.samples.size / 16_000 == pytest.approx(5.57, abs=0.02), seed
        assert 0.1 < read.damaged_s < 0.5, seed


def test_a_jump_in_a_whole_file_s_timestamps_is_not_damage(tmp_path: Path) -> None:
    """Timestamps that jump with no packet failing (a paused recording, an edit list)
    are the file as it was made: read as faster-whisper reads it, nothing called
    damaged, no silence added."""
    import av
    import numpy as np
    from faster_whisper.audio import decode_audio

    from voice.audio_files import read_audio

    ogg = _mp3(AUDIO_DATA / "zh" / "funasr-damo.flac", tmp_path / "a.ogg", "-c:a", "libopus")
    jumped = tmp_path / "jumped.mka"
    with av.open(str(ogg)) as source, av.open(str(jumped), "w") as out:
        stream = source.streams.audio[0]
        copy = out.add_stream_from_template(stream)
        for n, packet in enumerate(p for p in source.demux(stream) if p.dts is not None):
            if n >= 100:  # two seconds later from the 100th packet on
                packet.pts += int(2 / packet.time_base)
                packet.dts += int(2 / packet.time_base)
            packet.stream = copy
            out.mux(packet)
    read = read_audio(jumped)
    assert read.damaged_s == 0.0
    assert np.array_equal(read.samples, decode_audio(str(jumped)))


def test_cli_a_damaged_file_says_how_much_was_left_silent(
    ting, ting_uses_test_model, tmp_path: Path
) -> None:
    whole = _mp3(AUDIO_DATA / "zh" / "funasr-damo.flac", tmp_path / "whole.mp3")
    data = bytearray(whole.read_bytes())
    data[6000:9000] = bytes(3000)
    damaged = tmp_path / "damaged.mp3"
    damaged.write_bytes(bytes(data))
    ran = ting("transcribe", str(damaged), "--json", "--language", "zh")
    assert ran.code == 0, ran.err
    assert ran.err == "ting: 1.0 s of the file could not be read (damaged) and was left silent\n"
    [result] = ran.json_lines()
    assert result["truncated"] is None
    assert result["damaged_seconds"] == pytest.approx(1.0, abs=0.05)
    assert result["duration"] == pytest.approx(5.55, abs=0.04)
    whole_run = ting("transcribe", str(whole), "--json", "--language", "zh")
    assert whole_run.err == "" and whole_run.json_lines()[0]["damaged_seconds"] == 0.0


def test_cli_bad_model_setting_fails_with_one_line(ting, ting_home: Path, tmp_path: Path) -> None:
    from assistant.config import save_setting

    save_setting("asr_model", str(tmp_path / "no-model-here"), ting_home / "config.toml")
    ran = ting("transcribe", str(AUDIO_DATA / "en-new-extension.ogg"))
    assert_clean_failure(ran, code=1, mentions="does not exist")


def test_a_damaged_float_wav_s_nan_samples_are_read_as_silence(recognizer, tmp_path) -> None:
    """A NaN converted to 16-bit is a full-scale sample, loud enough for Whisper to hear
    letters and words in it: NaN and infinite samples must become silence, and the
    sentence around them still be heard."""
    import struct

    import numpy as np

    from voice.audio_files import read_audio_file

    samples = read_audio_file(AUDIO_DATA / "zh-nihao-xiaoming.wav").astype("<f4")
    samples[20000:21000] = np.nan
    samples[30000:30010] = np.inf
    data = samples.tobytes()
    fmt = struct.pack("<HHIIHH", 3, 1, 16_000, 16_000 * 4, 4, 32)  # IEEE float
    wav = tmp_path / "damaged.wav"
    wav.write_bytes(
        b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
        + b"fmt " + struct.pack("<I", 16) + fmt + b"data" + struct.pack("<I", len(data)) + data
    )  # fmt: skip
    read = read_audio_file(wav)
    assert np.isfinite(read).all() and len(read) == len(samples)
    assert not read[20000:21000].any() and not read[30000:30010].any()
    assert "小明" in recognizer.transcribe_file(wav, "auto").text


def test_a_sentence_said_again_past_the_end_of_the_audio_is_dropped(
    recognizer, asterisk_clips
) -> None:
    """With the live decoder's short window, Whisper said this prompt two or three times
    over when the audio ended a few tenths of a second after the last word."""
    import numpy as np

    from voice.asr import LIVE_DECODING
    from voice.audio_files import SAMPLE_RATE, read_audio_file

    path, expected = asterisk_clips["confbridge-remove-last-out"]
    clip = read_audio_file(path)
    audio = np.concatenate([np.zeros(SAMPLE_RATE // 2, dtype=np.float32), clip])
    audio = np.concatenate([audio, np.zeros(SAMPLE_RATE, dtype=np.float32)])
    end_of_clip = 0.5 + clip.size / SAMPLE_RATE
    for after in (0.0, 0.1, 0.2, 0.3, 0.4):
        cut = audio[: int((end_of_clip + after) * SAMPLE_RATE)]
        heard = recognizer.transcribe(cut, "en", profile=LIVE_DECODING)
        assert word_error_rate(expected, heard.text) <= 0.15, (after, heard.text)


def test_a_sentence_looped_inside_one_segment_is_said_once() -> None:
    said = "I'm sorry I did not understand your response"
    looped = " ".join([said] * 3) + " I'm sorry I did not"  # cut off by the token bound
    assert collapse_repetition(looped) == said
    assert collapse_repetition(f"{said} {said} {said} {said} Goodbye.") == f"{said} Goodbye."
    # real repetition stays: a sentence said twice, a two-word phrase three times
    assert collapse_repetition(f"{said} {said}") == f"{said} {said}"
    assert collapse_repetition("go on go on go on") == "go on go on go on"


def test_live_decoding_runs_two_decodes_at_once_each_with_its_own_window(
    recognizer, asterisk_clips
) -> None:
    """The live model has two workers: partial text and the draft decode side by side.
    Both threads are inside ``decoding`` at the same time (a barrier both must reach), the
    encoder window floor is per thread, and each gets its own words."""
    import threading

    from voice.asr import LIVE_DECODING
    from voice.audio_files import read_audio_file

    names = ["vm-nomore", "conf-getpin"]
    both_inside = threading.Barrier(2, timeout=120)
    heard: dict[str, str] = {}
    floors: dict[str, tuple[int, int]] = {}
    errors: list[BaseException] = []

    def decode(name: str, floor: int) -> None:
        try:
            with recognizer.decoding(LIVE_DECODING) as model:
                model.min_frames = floor
                both_inside.wait()  # breaks (fails) if the other thread cannot get in
                both_inside.wait()  # both have set their floor
                floors[name] = (floor, model.min_frames)
            path, _ = asterisk_clips[name]
            both_inside.wait()
            heard[name] = recognizer.transcribe(
                read_audio_file(path), "en", profile=LIVE_DECODING
            ).text
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=decode, args=(name, 300 + 100 * i)) for i, name in enumerate(names)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert all(set_to == seen for set_to, seen in floors.values()), floors
    for name in names:
        assert words(heard[name]) == words(asterisk_clips[name][1]), heard


def test_a_phrase_said_twice_at_the_end_is_recognised() -> None:
    assert ends_in_repeat("did not match. Please try again. Please try again")
    assert ends_in_repeat("The estimated hold time. Is currently. Is currently")
    assert ends_in_repeat("我们走吧走吧")
    # going round again and cut off by the end of the audio: the last sentence is the
    # start of the one before
    assert ends_in_repeat("on that extension. Please try again. Please try")
    assert ends_in_repeat("Please try again. Please")
    assert ends_in_repeat("请再试一次。请再")
    assert not ends_in_repeat("Press 1 to listen to.")
    assert not ends_in_repeat("Please try again. Please hang up.")
    assert not ends_in_repeat("我说的是你说的")
    assert not ends_in_repeat("Please try again.")
    assert not ends_in_repeat("no no")  # one word twice: too common to doubt
    assert not ends_in_repeat("请再试一次")
    assert not ends_in_repeat("")


def test_a_full_width_letter_whisper_slipped_into_chinese_is_the_comma_it_meant() -> None:
    """What a meeting chunk came out as: a full-width comma's last byte gone wrong, and a
    character left unfinished. Latin words and full-width digits are left alone."""
    heard = "椰窝就选椰汁屋Ｇ本节目由26年专注高品质椰窝的椰汁屋Ｇ名不出Ｇ豆奶"
    assert (
        mend_byte_slips(heard) == "椰窝就选椰汁屋，本节目由26年专注高品质椰窝的椰汁屋，名不出，豆奶"
    )
    assert mend_byte_slips("老鸣以后\ufffd能够做的") == "老鸣以后能够做的"
    for kept in ("我买了ＩＰＨＯＮＥ手机", "第１章", "Ａ股", "用Word写"):
        assert mend_byte_slips(kept) == kept


@pytest.mark.parametrize(
    "heard, written",
    [
        # statements Whisper ended with a question mark in a meeting of the real clips
        ("一二线城市虽然也处于调整中？", "一二线城市虽然也处于调整中。"),
        (
            "豆奶牛奶换着喝营养更均衡？本节目由豆本豆豆奶特约播出。",
            "豆奶牛奶换着喝营养更均衡。本节目由豆本豆豆奶特约播出。",
        ),
        ("甚至出现交易几乎停滞的情况？", "甚至出现交易几乎停滞的情况。"),
        # questions say so in words, and keep their mark
        ("给妈妈买个礼物，好不好呀？", None),
        ("你有没有收到邮件？", None),
        ("去东京的往返机票多少钱？", None),
        ("我上周五发的邮件你收到了吗？", None),
        ("是周三还是周四？", None),
        ("对吧？明天再说。", None),
        ("OK？", None),
        ("这是真的？？", None),
        ("真的？！", None),
        # spoken question forms a review found
        ("你吃饭了没？", None),
        ("明天一起去，行不？", None),
        ("你知道么？", None),
        ("要不我们明天再说？", None),
        ("这个箱子多重？", None),
        # question words inside ordinary phrases
        ("这几年房价一直在涨？", "这几年房价一直在涨。"),
        ("很多大公司都在裁员？", "很多大公司都在裁员。"),
        ("没什么大问题？", "没什么大问题。"),
        ("无论如何都要按时完成？", "无论如何都要按时完成。"),
        ("我们去酒吧？", "我们去酒吧。"),
    ],
)
def test_a_chinese_question_mark_stays_only_where_something_asks(heard, written) -> None:
    assert question_marks_where_asked(heard) == (written or heard)


def test_a_question_whisper_cut_between_segments_keeps_its_mark() -> None:
    from voice.asr import Segment, _written_chinese

    segments = [
        Segment(0.0, 1.0, "你为什么"),
        Segment(1.0, 2.0, "不早点说?"),
        Segment(2.0, 3.0, "我们明天开会?"),
    ]
    written, _ = _written_chinese(segments, [])
    assert [s.text for s in written] == ["你为什么", "不早点说？", "我们明天开会。"]


def test_a_prompted_decode_that_says_its_last_phrase_twice_is_decoded_without_it(
    recognizer, asterisk_clips
) -> None:
    """Live drafts and meeting notes prompt each piece with the text before it. Prompted
    so, the 1.4 s of "Please try again" after "…did not match." comes out twice; the
    recognizer decodes it again without the prompt and keeps that.

    Whether the prompted decode goes round depends on where the piece is cut and on the
    CPU kernels CTranslate2 picks, so several cuts are tried and each one that does is
    checked."""
    import numpy as np
    from faster_whisper.vad import SpeechTimestampsMap, collect_chunks

    from voice.asr import LIVE_DECODING, _prompt, speech_chunks
    from voice.audio_files import SAMPLE_RATE, read_audio_file

    path, _ = asterisk_clips["vm-mismatch"]
    clip = read_audio_file(path)
    audio = np.concatenate([np.zeros(int(0.7 * SAMPLE_RATE), dtype=np.float32), clip])
    before = "The password you entered and re-entered did not match."
    went_round = []
    for start_s, end_s in [(4.0, 5.4), (4.05, 5.5), (4.3, 5.5)]:
        piece = audio[int(start_s * SAMPLE_RATE) : int(end_s * SAMPLE_RATE)]
        chunks = speech_chunks(piece, recognizer.vad)
        speech = np.concatenate(collect_chunks(piece, chunks)[0])
        timeline = SpeechTimestampsMap(chunks, SAMPLE_RATE)
        prompted = recognizer._decode_speech(
            speech, "en", _prompt("en", before), LIVE_DECODING, timeline
        )
        if not ends_in_repeat(" ".join(s.text for s in prompted)):
            continue
        went_round.append((start_s, end_s))
        heard = recognizer.transcribe(piece, "en", profile=LIVE_DECODING, context=before)
        assert words(heard.text) == ["please", "try", "again"], (start_s, end_s, heard.text)
    assert went_round  # the prompt did make the decoder go round somewhere
