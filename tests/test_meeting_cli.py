"""`ting meeting …` as a user runs it: bad input gives one clear line, offline notes from
a transcript are labelled, stored, listed, shown and exported."""

from __future__ import annotations

import json

import pytest
from fixtures_core import assert_clean_failure


def _make_bad_files(folder):
    (folder / "empty.wav").write_bytes(b"")
    (folder / "corrupt.wav").write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 8)
    (folder / "noise.mp3").write_bytes(bytes((i * 7919) % 256 for i in range(6000)) + b"\x00")
    (folder / "folder.wav").mkdir()
    (folder / "renamed.wav").write_text("hello this is not audio\n" * 50, encoding="utf-8")
    (folder / "empty.txt").write_text("", encoding="utf-8")
    (folder / "blank.txt").write_text("\n\n# only a comment\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("name", "code", "mentions"),
    [
        ("missing.wav", 2, "no such file"),
        ("empty.wav", 1, "is empty"),
        ("corrupt.wav", 1, "not a readable audio file"),
        ("noise.mp3", 1, "not a readable audio file"),
        ("renamed.wav", 1, "not a readable audio file"),  # text is not taken for a transcript
        ("folder.wav", 2, "is a folder"),
        ("empty.txt", 1, "is empty"),
        ("blank.txt", 1, "holds no transcript text"),
    ],
)
def test_bad_files_give_one_clear_line(tmp_path, ting, name, code, mentions):
    folder = _make_bad_files(tmp_path)
    ran = ting("meeting", "notes", str(folder / name))
    assert_clean_failure(ran, code=code, mentions=mentions)
    assert ran.out == ""
    assert ting("meeting", "list", "--json").json_lines() == [{"meetings": []}]  # none stored


def test_a_name_with_a_line_break_stays_on_one_line(tmp_path, ting):
    folder = _make_bad_files(tmp_path)
    odd = folder / "week\n12\x1b[2J.wav"
    (folder / "renamed.wav").rename(odd)
    ran = ting("meeting", "notes", str(odd))
    assert_clean_failure(ran, code=1, mentions="week\\n12\\x1b[2J.wav is not a readable audio")
    missing = ting("meeting", "notes", str(folder / "gone\r\n.wav"), "--json")
    assert_clean_failure(missing, code=2, mentions="no such file: ")
    assert missing.err.rstrip("\n").endswith("/gone\\r\\n.wav")


def test_bad_options_and_ids(tmp_path, ting):
    transcript = tmp_path / "t.txt"
    transcript.write_text("Ana: hello there everyone.\n", encoding="utf-8")
    assert_clean_failure(ting("meeting", "show", "42"), code=2, mentions="no meeting with id 42")
    assert_clean_failure(ting("meeting", "export", "42", "--format", "srt"), code=2)
    bad_out = ting("meeting", "notes", str(transcript), "--out", str(tmp_path / "no" / "n.md"))
    assert_clean_failure(bad_out, code=2, mentions="folder does not exist")
    to_folder = ting("meeting", "notes", str(transcript), "--out", str(tmp_path))
    assert_clean_failure(to_folder, code=2, mentions="it is a folder")
    channels = ting("meeting", "notes", str(transcript), "--channels", "OnlyOne")
    assert_clean_failure(channels, code=2, mentions="two names")
    assert ting("meeting", "notes", str(transcript), "--language", "fr").code == 2


def test_video_without_sound_is_a_clear_error(tmp_path, ting):
    import subprocess

    video = tmp_path / "screen.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=1:size=32x32",
            str(video),
        ],
        check=True,
    )
    assert_clean_failure(ting("meeting", "notes", str(video)), code=1, mentions="no audio stream")


def test_offline_notes_from_a_transcript_end_to_end(tmp_path, ting):
    transcript = tmp_path / "weekly.txt"
    transcript.write_text(
        "[00:00] 张伟：今天我们讨论新版本的上线计划。\n"
        "[00:06] 李娜：新版本的上线计划需要先完成测试。\n"
        "[00:12] 张伟：我来整理会议纪要，下周五前发给大家。\n"
        "[00:18] 李娜：我们决定下个月上线。\n"
        "[00:24] 张伟：测试环境还没有准备好吗？\n",
        encoding="utf-8",
    )
    out = tmp_path / "weekly.md"
    ran = ting("meeting", "notes", str(transcript), "--out", str(out))
    assert ran.code == 0, ran.err
    assert ran.out.startswith(f"notes written to {out} (meeting 1)")
    markdown = out.read_text(encoding="utf-8")
    assert markdown.startswith("# 会议纪要：weekly\n")
    assert "离线纪要（未配置语言模型）" in markdown
    assert "- [ ] 整理会议纪要，发给大家 (负责人: 张伟; 截止: 下周五前)" in markdown
    assert "## 决定\n\n- 我们决定下个月上线。" in markdown
    assert "## 未决问题\n\n- 测试环境还没有准备好吗？" in markdown
    assert "[00:12] 张伟: 我来整理会议纪要，下周五前发给大家。" in markdown

    listed = ting("meeting", "list", "--json").json_lines()[0]["meetings"]
    assert [(m["id"], m["kind"], m["offline"], m["language"]) for m in listed] == [
        (1, "transcript", True, "zh")
    ]
    shown = ting("meeting", "show", "1", "--json").json_lines()[0]
    assert shown["notes"]["action_items"][0]["owner"] == "张伟"
    assert ting("meeting", "show", "1").out == markdown
    txt = ting("meeting", "export", "1", "--format", "txt").out
    assert txt.startswith("会议纪要：weekly\n") and "* 我们决定下个月上线。" in txt
    srt_file = tmp_path / "weekly.srt"
    assert ting("meeting", "export", "1", "--format", "srt", "--out", str(srt_file)).code == 0
    assert srt_file.read_text(encoding="utf-8").startswith(
        "1\n00:00:00,000 --> 00:00:06,000\n张伟: 今天我们讨论新版本的上线计划。\n"
    )
    found = ting("history", "search", "上线计划", "--json")
    assert found.code == 0 and "meeting notes: weekly.txt" in found.out


def test_json_events_for_a_transcript(tmp_path, ting):
    transcript = tmp_path / "t.srt"
    transcript.write_text(
        "1\n00:00:01,000 --> 00:00:04,000\nI'll send the report by Friday.\n\n"
        "2\n00:00:05,000 --> 00:00:07,000\nWe decided to ship on Monday.\n",
        encoding="utf-8",
    )
    ran = ting("meeting", "notes", str(transcript), "--json")
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    assert [e["type"] for e in events][-1] == "result"
    assert all(e["type"] == "progress" for e in events[:-1])
    payload = events[-1]["payload"]
    assert payload["kind"] == "transcript" and payload["offline"] is True
    assert payload["notes"]["action_items"] == [
        {"what": "send the report", "owner": "me", "due": "by Friday", "at": 1.0}
    ]
    assert json.dumps(payload, ensure_ascii=False)  # plain JSON all the way down


def test_ask_with_no_recording_says_what_to_do(ting):
    ran = ting("ask", "整理一下刚才的会议")
    assert_clean_failure(ran, code=1, mentions="there is no meeting recording yet")
    assert "ting meeting record" in ran.err
