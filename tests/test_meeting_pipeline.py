"""Meeting notes end to end with the real Whisper model, real SQLite and the real CLI.

The English meeting is built at test time from Debian's asterisk prompts (a human
speaker, known words), two channels like `ting meeting record` writes them; the
Mandarin one from the voice tests' eSpeak NG clips (machine speech, see
tests/data/audio/SOURCES.md). Audio is about a minute: two transcription chunks.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from fixtures_core import ROOT, TING, assert_clean_failure

sys.path.insert(0, str(Path(__file__).parent / "data" / "meeting"))
from build_meeting import english_meeting, mandarin_meeting, word_recall  # noqa: E402

pytestmark = pytest.mark.slow


def _env(ting_home: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["TING_HOME"] = str(ting_home)
    env.pop("TING_DEBUG", None)
    return env


def _chunk_rows(ting_home: Path) -> list[tuple[int, str, float]]:
    conn = sqlite3.connect(ting_home / "ting.db")
    try:
        return conn.execute(
            "select chunk_index, transcribed_at, seconds_taken from meeting_chunks"
            " order by chunk_index"
        ).fetchall()
    finally:
        conn.close()


def test_killed_mid_transcription_resumes_without_redoing_chunks(
    tmp_path, ting_home, ting_uses_test_model, ting
):
    audio = tmp_path / "standup.wav"
    spoken = english_meeting(audio, stereo=True)
    out = tmp_path / "notes.md"
    options = ["--json", "--out", str(out), "--channels", "Me,Them"]
    command = [*TING, "meeting", "notes", str(audio), *options]

    # first run: SIGKILL as soon as the first chunk is reported finished
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(ting_home),
        cwd=str(ROOT),
    )
    seen: list[dict] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        event = json.loads(line)
        seen.append(event)
        if event.get("stage") == "transcribed_part":
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, [e.get("stage") for e in seen]
    assert not out.exists()  # nothing half-written
    assert not list(tmp_path.glob(".notes.md.*"))
    before = _chunk_rows(ting_home)
    assert [row[0] for row in before] == [0]
    planning = [e for e in seen if e.get("stage") == "transcribing"]
    assert planning and planning[0]["total"] == 2 and planning[0]["done"] == 0
    assert "part 1 of 2" in planning[0]["message"] and "ETA" in planning[0]["message"]

    # second run: Ctrl-C (SIGINT) while Whisper works on part 2: a clean stop, the same
    # finished chunk, nothing written
    proc = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(ting_home),
        cwd=str(ROOT),
    )
    assert proc.stdout is not None and proc.stderr is not None
    interrupted: list[dict] = []
    for line in proc.stdout:
        event = json.loads(line)
        interrupted.append(event)
        if event.get("stage") == "transcribing" and " s on this part" in event["message"]:
            proc.send_signal(signal.SIGINT)  # during a heartbeat: Whisper is running
            break
    rest = [json.loads(line) for line in proc.stdout]
    err = proc.stderr.read()
    assert proc.wait(timeout=120) == 130, err
    assert rest[-1] == {"type": "error", "kind": "cancelled", "error": err[6:].strip()}
    assert err.startswith("ting: stopped;") and "run the same command again" in err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists() and not list(tmp_path.glob(".notes.md.*"))
    assert _chunk_rows(ting_home) == before

    # third run: the finished chunk is kept, only the other one is transcribed
    ran = ting("meeting", "notes", str(audio), *options, timeout=240)
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    result = next(e for e in events if e["type"] == "result")
    assert result["payload"]["chunks"] == {"total": 2, "transcribed": 1, "reused": 1}
    after = _chunk_rows(ting_home)
    assert [row[0] for row in after] == [0, 1]
    assert after[0] == before[0]  # the same row: not transcribed again
    transcribing = [e for e in events if e.get("stage") == "transcribing"]
    assert transcribing and all("part 2 of 2" in e["message"] for e in transcribing)
    assert {"type": "saved", "path": str(out)} in events

    # what was said is in the transcript, in order, with times and the right speaker
    notes = result["payload"]["notes"]
    heard = " ".join(line["text"] for line in notes["transcript"])
    assert word_recall(" ".join(s.text for s in spoken), heard) >= 0.85, heard
    starts = [line["start"] for line in notes["transcript"]]
    assert starts == sorted(starts)
    assert notes["language"] == "en" and notes["offline"] is True
    right_speaker = 0
    for said in spoken:
        near = [t for t in notes["transcript"] if said.start - 1.0 <= t["start"] < said.end]
        assert near, (said, notes["transcript"])
        expected = ("Me", "Them")[said.channel]
        right_speaker += all(t.get("speaker") == expected for t in near[:1])
    assert right_speaker >= len(spoken) - 1

    # the notes file, the stored meeting, the history and the exports agree
    markdown = out.read_text(encoding="utf-8")
    assert markdown == result["text"]
    assert "Offline notes (no language model configured)" in markdown
    assert "Comedian Mail" in markdown
    listed = ting("meeting", "list", "--json")
    assert [m["id"] for m in listed.json_lines()[0]["meetings"]] == [
        result["payload"]["meeting_id"]
    ]
    found = ting("history", "search", "Comedian", "--json")
    assert found.code == 0 and "Comedian" in found.out
    srt = ting("meeting", "export", str(result["payload"]["meeting_id"]), "--format", "srt")
    assert srt.code == 0 and srt.out.startswith("1\n00:00:0") and " --> " in srt.out

    # a fourth run reuses everything and transcribes nothing
    again = ting("meeting", "notes", str(audio), "--json", "--channels", "Me,Them")
    third = next(e for e in again.json_lines() if e["type"] == "result")
    assert third["payload"]["chunks"] == {"total": 2, "transcribed": 0, "reused": 2}


def test_a_cut_file_gives_notes_of_what_was_read_and_says_so(
    tmp_path, ting_home, ting_uses_test_model, ting
):
    """A WAV cut short reads without an error up to where it stops: its notes were made
    as if that were the whole meeting."""
    source = ROOT / "tests" / "data" / "audio" / "en-new-extension.flac"
    whole = tmp_path / "whole.wav"
    subprocess.run(["sox", str(source), "-r", "16000", str(whole)], check=True)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(whole.read_bytes()[: 44 + 2 * 16_000 * 2])  # the first 2 s of 3.3
    said = "the file ends early (truncated?): transcribed the first 2.0 s of 3.3 s"

    ran = ting("meeting", "notes", str(cut), "--json", timeout=240)
    assert ran.code == 0, ran.err
    assert ran.err == f"ting: {said}\n"
    events = ran.json_lines()
    assert {"stage": "truncated", "message": said} in [
        {k: e.get(k) for k in ("stage", "message")} for e in events
    ]
    [result] = [e for e in events if e["type"] == "result"]
    assert result["payload"]["truncated"] == {"read_seconds": 2.0, "declared_seconds": 3.285}
    assert said in result["payload"]["notes"]["problems"] and said in result["text"]
    assert "please" in result["text"].lower()  # the notes of what was read

    plain = ting("meeting", "notes", str(cut))  # the same again, from the stored chunks
    assert plain.code == 0 and plain.err == f"ting: {said}\n"
    assert said in plain.out

    # cut so short that nothing in it is speech: no notes, and the one line says why
    stub = tmp_path / "stub.wav"
    stub.write_bytes(whole.read_bytes()[: 44 + 1600])
    failed = ting("meeting", "notes", str(stub))
    assert_clean_failure(failed, code=1, mentions="no speech was found")
    assert "the file ends early (truncated?): transcribed the first 0.1 s of 3.3 s" in failed.err


def test_a_damaged_file_gives_notes_of_all_of_it_and_says_what_was_left_silent(
    tmp_path, ting_home, ting_uses_test_model, ting
):
    """A stretch the decoder cannot read is silence of its length: the notes cover the
    whole file, not a file cut short, and say how much of it was lost, also when they
    are made again from the stored chunks."""
    source = ROOT / "tests" / "data" / "audio" / "zh" / "funasr-damo.flac"
    whole = tmp_path / "whole.mp3"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-i", str(source), str(whole)], check=True)
    data = bytearray(whole.read_bytes())
    data[6000:9000] = bytes(3000)  # about 1 s of 5.5
    damaged = tmp_path / "damaged.mp3"
    damaged.write_bytes(bytes(data))
    said = "1.0 s of the file could not be read (damaged) and was left silent"

    ran = ting("meeting", "notes", str(damaged), "--json", "--language", "zh", timeout=240)
    assert ran.code == 0, ran.err
    assert ran.err == f"ting: {said}\n"
    [result] = [e for e in ran.json_lines() if e["type"] == "result"]
    payload = result["payload"]
    assert payload["truncated"] is None
    assert payload["damaged_seconds"] == pytest.approx(1.0, abs=0.05)
    assert payload["duration"] == pytest.approx(5.55, abs=0.04)
    assert said in payload["notes"]["problems"] and said in result["text"]

    again = ting("meeting", "notes", str(damaged), "--language", "zh")
    assert again.code == 0 and again.err == f"ting: {said}\n"


def test_a_file_named_with_bytes_that_are_not_utf8_is_read_like_any_other(
    tmp_path, ting_home, ting_uses_test_model, ting
):
    """A name that is not UTF-8 cannot go into the request text or the database as it
    is: it is shown escaped there and in the notes, and the file is read by its real name."""
    import os
    import shutil

    odd = Path(os.fsdecode(os.fsencode(tmp_path) + b"/\xff.wav"))
    shutil.copy(ROOT / "tests" / "data" / "audio" / "zh-nihao-xiaoming.wav", odd)
    ran = ting("meeting", "notes", str(odd), "--json", timeout=240)
    assert ran.code == 0 and ran.err == "", ran.err
    [result] = [e for e in ran.json_lines() if e["type"] == "result"]
    assert result["payload"]["source"] == f"{tmp_path}/\\xff.wav"  # shown escaped
    assert "\\xff" in result["payload"]["title"]
    assert "小明" in " ".join(line["text"] for line in result["payload"]["notes"]["transcript"])
    listed = ting("meeting", "list")
    assert listed.code == 0 and "\\xff" in listed.out


def test_mandarin_meeting_in_process(tmp_path, recognizer):
    """The skill with the session's recognizer: Chinese out, Simplified, key words heard."""
    import zhconv

    from assistant.config import Settings
    from assistant.events import Result
    from assistant.frontend.app import App
    from assistant.skill import Request

    audio = tmp_path / "zh-meeting.wav"
    mandarin_meeting(audio)
    app = App(Settings(provider="remote"))  # no language model: the offline notes
    app.services["asr"] = recognizer
    events = list(
        app.runtime.run(
            Request(
                "meeting notes",
                skill="meeting_notes",
                options={"path": str(audio), "language": "zh"},
            )
        )
    )
    result = next(e for e in events if isinstance(e, Result))
    notes = result.payload["notes"]
    text = "".join(line["text"] for line in notes["transcript"])
    assert notes["language"] == "zh"
    # both sentences are there; which homophone eSpeak's 翻译 comes back as moves with
    # CTranslate2's CPU kernels (发离 on an AMD EPYC without AVX-512), and accuracy is
    # measured on real recordings (bench_mandarin, test_voice_lm_choice)
    assert "小明" in text and "帮我" in text and "一下" in text, text
    assert zhconv.convert(text, "zh-hans") == text
    assert "离线纪要" in result.text and "## 会议记录" in result.text
    assert app.history.search("小明")  # the exchange is searchable


def test_cancel_while_whisper_works_stops_at_once_and_stores_nothing(tmp_path, recognizer):
    """Cancel during a chunk: the run ends as cancelled without waiting for Whisper, no
    thread is left that would hold the process open, and no chunk or meeting is stored."""
    import threading

    from assistant.config import Settings
    from assistant.events import Failed, Progress
    from assistant.frontend.app import App
    from assistant.skill import CancelToken, Request

    audio = tmp_path / "standup.wav"
    english_meeting(audio)
    app = App(Settings(provider="remote"))  # no language model: the offline notes
    app.services["asr"] = recognizer
    cancel = CancelToken()
    events = []
    for event in app.runtime.run(
        Request("meeting notes", skill="meeting_notes", options={"path": str(audio)}),
        cancel=cancel,
    ):
        events.append(event)
        if isinstance(event, Progress) and " s on this part" in event.message:
            cancel.cancel()  # a heartbeat: Whisper is working on part 1
    assert isinstance(events[-1], Failed) and events[-1].kind == "cancelled"
    assert "part 1 of 2" in events[-2].message
    lingering = [t for t in threading.enumerate() if t.name.startswith("ting-meeting")]
    assert all(t.daemon for t in lingering), lingering  # Ctrl-C would wait for these
    for thread in lingering:  # let the part in flight end before the session does
        thread.join()
    conn = sqlite3.connect(app.history.path)
    try:
        assert conn.execute("select count(*) from meeting_chunks").fetchone() == (0,)
        assert conn.execute("select count(*) from meetings").fetchone() == (0,)
    finally:
        conn.close()
    assert app.history.list(1)[0].status == "cancelled"


def test_long_audio_is_read_in_bounded_memory(tmp_path):
    """15 minutes of audio (58 MB as float32) go through the block reader while at most
    a few blocks are held: the Python-side peak stays under a quarter of the whole."""
    import tracemalloc

    from skills.meeting_notes.audio_stream import SAMPLE_RATE, iter_audio_blocks

    audio = tmp_path / "long.wav"
    minutes = 15
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            f"sine=frequency=440:sample_rate={SAMPLE_RATE}:duration={minutes * 60}",
            str(audio),
        ],
        check=True,
    )
    whole = minutes * 60 * SAMPLE_RATE * 4
    tracemalloc.start()
    try:
        samples = sum(len(block) for block in iter_audio_blocks(audio))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert samples == minutes * 60 * SAMPLE_RATE
    assert peak < whole / 4, f"peak {peak / 2**20:.1f} MiB for {whole / 2**20:.0f} MiB of audio"
