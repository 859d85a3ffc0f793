"""`ting interpret --input FILE --fast --json` as a user runs it: real English recordings
(Debian's asterisk prompts, joined with pauses at test time) and a Mandarin clip, the
real Whisper model, real SQLite, and the scripted OpenAI-compatible server giving fake
translations derived from each request, so the pairing can be checked."""

from __future__ import annotations

import difflib
import re
from pathlib import Path

import numpy as np
import pytest
from fixtures_core import assert_clean_failure
from fixtures_voice import AUDIO_DATA, write_wav
from scripted_provider import Reply

pytestmark = pytest.mark.slow

SR = 16_000
PAUSE_S = 1.2


def _words(text: str) -> str:
    from assistant.textmatch import words

    return " ".join(words(text))


def _similar(heard: str, said: str) -> float:
    return difflib.SequenceMatcher(None, _words(heard), _words(said)).ratio()


def _join_with_pauses(paths: list[Path], out: Path) -> tuple[Path, list[tuple[float, float]]]:
    """One WAV of the clips with pauses between; returns it and each clip's (start, end) s."""
    from voice.audio_files import read_audio_file

    pause = np.zeros(int(PAUSE_S * SR), dtype=np.float32)
    parts, spans, position = [pause[: SR // 2]], [], SR // 2
    for path in paths:
        audio = read_audio_file(path)
        spans.append((position / SR, (position + audio.size) / SR))
        parts += [audio, pause]
        position += audio.size + pause.size
    return write_wav(out, np.concatenate(parts)), spans


# 帮我翻译一下。 spoken by eSpeak NG's Mandarin voice (no recorded Mandarin with known text
# ships in a package). Whisper's language guess on eSpeak's Mandarin can hang on where the
# sentence is cut; this clip is heard as Chinese wherever it is cut (how that was checked:
# tests/data/audio/SOURCES.md).
MANDARIN_CLIP = AUDIO_DATA / "zh-fanyi.wav"


def _tagged_translation(body: dict) -> Reply:
    system = body["messages"][0]["content"]
    tag = "ZH" if "into Chinese" in system else "EN"
    return Reply(text=f"{tag}<{body['messages'][-1]['content']}>", chunk_size=3)


def _check_order_and_pairing(events: list[dict]) -> dict[int, dict]:
    """Each sentence: partials before its source, its source before its translation;
    one source and at most one translation per sentence; returns sources by number."""
    sources: dict[int, dict] = {}
    position: dict[tuple[str, int], int] = {}
    for line, event in enumerate(events):
        assert isinstance(event["emitted_s"], float | int) and event["emitted_s"] >= 0
        if event["type"] in ("partial", "source", "translation"):
            assert set(event) >= {"type", "lang", "text", "audio_end_s", "emitted_s", "sentence"}
            n = event["sentence"]
            if event["type"] == "partial":
                assert ("source", n) not in position, "a partial came after its sentence ended"
                assert n == 1 or ("source", n - 1) in position
            elif event["type"] == "source":
                assert ("source", n) not in position
                assert n == len(sources) + 1  # numbered in order, none skipped
                sources[n] = event
            else:
                assert ("source", n) in position, "a translation came before its source"
                assert ("translation", n) not in position
            position[(event["type"], n)] = line
    ends = [sources[n]["audio_end_s"] for n in sorted(sources)]
    assert ends == sorted(ends)
    return sources


def test_english_recordings_are_transcribed_translated_spoken_saved_and_exported(
    ting, provider, ting_uses_test_model, asterisk_clips, tmp_path: Path
) -> None:
    names = ["conf-onlyperson", "conf-waitforleader", "vm-msgforwarded"]
    audio, spans = _join_with_pauses([asterisk_clips[n][0] for n in names], tmp_path / "en.wav")
    provider.responder = _tagged_translation
    spoken = tmp_path / "spoken"
    ran = ting(
        "interpret",
        "--input",
        str(audio),
        "--fast",
        "--json",
        "--speak-to",
        str(spoken),
        env=provider.env,
        timeout=300,
    )
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    assert events[-1]["type"] == "session"
    assert {e["type"] for e in events[:-1]} <= {"partial", "source", "translation"}, events
    sources = _check_order_and_pairing(events[:-1])
    # no sentence lost: one source line per clip, where the clip is, with its words
    assert len(sources) == len(names)
    for n, name in enumerate(names, start=1):
        source = sources[n]
        start, end = spans[n - 1]
        assert source["lang"] == "en"
        assert _similar(source["text"], asterisk_clips[name][1]) >= 0.8, source
        assert start - 0.3 <= source["audio_start_s"] and source["audio_end_s"] <= end + 0.1
    # partial transcripts were shown while sentences were spoken
    partials = [e for e in events if e["type"] == "partial"]
    assert {p["sentence"] for p in partials} == set(sources)
    # each translation belongs to its sentence (the fake translation echoes the source)
    translations = {e["sentence"]: e for e in events if e["type"] == "translation"}
    assert set(translations) == set(sources)
    for n, source in sources.items():
        assert translations[n]["lang"] == "zh"
        assert translations[n]["text"] == f"ZH<{source['text']}>"
        assert translations[n]["audio_end_s"] == source["audio_end_s"]
    # one request per sentence, the sentence itself last, earlier ones as context
    asked = [r["messages"][-1]["content"] for r in provider.requests]
    assert asked == [sources[n]["text"] for n in sorted(sources)]
    assert len(provider.requests[2]["messages"]) == 1 + 2 * 2 + 1
    # read aloud: one Chinese WAV per translation
    assert sorted(p.name for p in spoken.iterdir()) == ["0001-zh.wav", "0002-zh.wav", "0003-zh.wav"]
    summary = events[-1]
    assert (summary["sentences"], summary["translated"]) == (3, 3)

    # saved in the history as a bilingual transcript
    listed = ting("interpret", "list", "--json").json_lines()[0]["sessions"]
    assert [(s["id"], s["status"], s["sentences"]) for s in listed] == [(summary["id"], "ok", 3)]
    found = ting("history", "search", "conference", "--json").json_lines()[0]["exchanges"]
    assert [r["id"] for r in found] == [summary["id"]]
    markdown = ting("interpret", "export", str(summary["id"]), "--format", "md")
    assert markdown.code == 0 and markdown.out.startswith("# Interpreter session")
    for source in sources.values():
        assert source["text"] in markdown.out and f"ZH<{source['text']}>" in markdown.out
    out_file = tmp_path / "session.srt"
    srt = ting("interpret", "export", str(summary["id"]), "--format", "srt", "--out", str(out_file))
    assert srt.code == 0
    cues = out_file.read_text(encoding="utf-8").strip().split("\n\n")
    assert len(cues) == 3
    number, timing, heard, translated = cues[0].split("\n")
    assert number == "1" and re.match(r"00:00:0\d,\d{3} --> 00:00:0\d,\d{3}$", timing)
    assert (heard, translated) == (sources[1]["text"], f"ZH<{sources[1]['text']}>")


def test_mixed_languages_while_the_provider_goes_down_and_comes_back(
    ting, provider, ting_uses_test_model, asterisk_clips, tmp_path: Path
) -> None:
    clips = [
        ("en", asterisk_clips["conf-onlyperson"][0]),
        ("zh", MANDARIN_CLIP),
        ("en", asterisk_clips["vm-msgforwarded"][0]),
        ("en", asterisk_clips["conf-placeintoconf"][0]),
    ]
    audio, spans = _join_with_pauses([path for _, path in clips], tmp_path / "mixed.wav")
    requests = {"count": 0}

    def down_for_a_while(body: dict) -> Reply:
        requests["count"] += 1
        if 2 <= requests["count"] <= 4:  # the provider fails after the first sentence
            return Reply(status=503, error_message="upstream overloaded")
        return _tagged_translation(body)

    provider.responder = down_for_a_while
    ran = ting(
        "interpret", "--input", str(audio), "--fast", "--json", env=provider.env, timeout=300
    )
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    sources = _check_order_and_pairing(events[:-1])
    # every clip gave at least one source line, in its own language
    for (language, _path), (start, end) in zip(clips, spans, strict=True):
        inside = [s for s in sources.values() if start - 0.3 <= s["audio_start_s"] < end]
        assert inside, f"nothing heard in the {language} clip at {start:.1f}-{end:.1f} s"
        assert {s["lang"] for s in inside} == {language}
    # the user was told why translations stopped, and when they came back
    notices = [e["text"] for e in events if e["type"] == "notice"]
    assert len(notices) == 2, notices
    assert notices[0].startswith("translation paused:") and "503" in notices[0]
    assert notices[1].startswith("translation resumed")
    # and every sentence was translated in the end, each into the other language
    translations = {e["sentence"]: e for e in events if e["type"] == "translation"}
    assert set(translations) == set(sources)
    for n, source in sources.items():
        tag, target = ("ZH", "zh") if source["lang"] == "en" else ("EN", "en")
        assert translations[n]["lang"] == target
        assert translations[n]["text"] == f"{tag}<{source['text']}>"
    assert events[-1]["translated"] == events[-1]["sentences"] == len(sources)
    resumed = next(i for i, e in enumerate(events) if e["text"] == notices[1])
    first_retried = next(
        i for i, e in enumerate(events) if e["type"] == "translation" and e["sentence"] == 2
    )
    assert resumed < first_retried


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["interpret", "--fast"], "--fast needs --input"),
        (["interpret", "--input", "/no/such.wav"], "no such file"),
        (["interpret", "--pair", "zh,fr"], "--pair must be two different languages"),
        (["interpret", "--pair", "zh"], "--pair must be two languages"),
        (["interpret", "export", "42"], "no exchange with id 42"),
    ],
)
def test_bad_input_is_one_line(ting, args: list[str], mentions: str) -> None:
    assert_clean_failure(ting(*args), code=2, mentions=mentions)


def test_export_refuses_an_exchange_that_is_not_a_session(ting, provider) -> None:
    provider.queue_reply("你好")
    assert ting("translate", "hello", env=provider.env).code == 0
    assert_clean_failure(
        ting("interpret", "export", "1"), code=2, mentions="not an interpreter session"
    )


def test_without_a_provider_chinese_is_put_into_english_offline_by_whisper(
    ting, ting_uses_test_model, asterisk_clips, tmp_path: Path
) -> None:
    clips = [MANDARIN_CLIP, asterisk_clips["vm-msgforwarded"][0]]
    audio, _ = _join_with_pauses(clips, tmp_path / "offline.wav")
    ran = ting("interpret", "--input", str(audio), "--fast", "--json", timeout=300)
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    sources = _check_order_and_pairing(events[:-1])
    assert [s["lang"] for s in sources.values()] == ["zh", "en"]
    notices = [e["text"] for e in events if e["type"] == "notice"]
    assert len(notices) == 1 and notices[0].startswith("translation into English only, offline")
    # the Chinese sentence came out in English; English → Chinese needs a provider
    translations = [e for e in events if e["type"] == "translation"]
    assert [(t["sentence"], t["lang"]) for t in translations] == [(1, "en")]
    assert re.search(r"[A-Za-z]{2}", translations[0]["text"]), translations
    assert (events[-1]["sentences"], events[-1]["translated"]) == (2, 1)


def test_a_file_with_nobody_in_it_is_one_line_and_a_failed_session(
    ting, provider, ting_uses_test_model, tmp_path: Path
) -> None:
    silence = write_wav(tmp_path / "silence.wav", np.zeros(3 * 16_000, dtype=np.float32))
    assert_clean_failure(
        ting("interpret", "--input", str(silence), "--fast", env=provider.env, timeout=300),
        code=1,
        mentions="no speech was found in",
    )
    listed = ting("interpret", "list", "--json").json_lines()[0]["sessions"]
    assert [(s["status"], s["sentences"]) for s in listed] == [("error", 0)]
