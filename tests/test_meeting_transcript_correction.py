"""The language model's corrections of a Mandarin meeting transcript: only homophone
fixes the transcript supports are made (tables), and the whole path with the real model
on a real AISHELL clip and a scripted OpenAI-compatible provider on loopback."""

from __future__ import annotations

import json
import re

import pytest
from fixtures_voice import AUDIO_DATA
from scripted_provider import Reply

from skills.meeting_notes.notes_model import TranscriptLine
from skills.meeting_notes.transcript_correction import apply_edits, check_edit, parse_edits


@pytest.mark.parametrize(
    ("heard", "written", "ok"),
    [
        ("停制", "停滞", True),  # the same syllables
        ("燕植物", "燕之屋", True),  # tones differ
        ("仅仰", "敬仰", True),  # yang the same: half
        ("情况", "情况很好", False),  # adds words
        ("甚至", "而且", False),  # rewords: nothing alike
        ("特殊不出", "特约播出", True),  # te, chu the same: two of four
        ("本身有", "本节目", False),  # one syllable of three
        ("停制", "停制", False),  # no change
        ("不在", "26", False),  # not Chinese both sides
    ],
)
def test_only_sound_alike_edits_pass(heard: str, written: str, ok: bool) -> None:
    assert check_edit(f"前面{heard}后面", heard, written) is ok


def test_an_edit_must_be_in_its_line_and_the_answer_may_be_fenced() -> None:
    lines = [
        TranscriptLine("甚至出现交易几乎停制的情况", 0.0, 4.0),
        TranscriptLine("好的", 4.0, 5.0),
    ]
    answer = (
        '```json\n{"edits": [{"line": 1, "from": "停制", "to": "停滞"},'
        ' {"line": 2, "from": "停制", "to": "停滞"}, {"line": 9, "from": "a", "to": "b"},'
        ' {"line": 1, "from": "情况", "to": "情况很好"}]}\n```'
    )
    fixed, made, refused = apply_edits(lines, parse_edits(answer))
    assert [line.text for line in fixed] == ["甚至出现交易几乎停滞的情况", "好的"]
    assert [e.to_dict() for e in made] == [{"line": 1, "from": "停制", "to": "停滞"}]
    assert refused == 3
    assert parse_edits("no JSON here") == [] and parse_edits('{"edits": "x"}') == []


def test_a_whole_line_proposal_is_cut_to_the_sound_alike_stretches_it_changes() -> None:
    """What the built-in model answered for the meeting path's output of the real clips
    (bench/results_mandarin.md): whole lines as "from" and "to". Each changed stretch
    is judged alone and every character of it must sound alike: 植物 → 之屋 (twice),
    仅 → 敬 and 以 → 乙 are made; 甚至 → 而且, 尝试 → 城市 (chang/cheng) and a line of
    another length are refused, and an unchanged line is no edit."""
    lines = [
        TranscriptLine("吃燕窝就选燕植物，本节目有26年专注高品植燕窝的燕植物，冠名播出。"),
        TranscriptLine("对，这就是我万人仅仰的太以真人。"),
        TranscriptLine("一二线尝试孙然也处于调整中。"),
        TranscriptLine("今天我很如性意。"),
        TranscriptLine("甚至出现交易几乎停制的情况。"),
    ]
    proposed = [
        (1, lines[0].text, "吃燕窝就选燕之屋，本节目有26年专注高品植燕窝的燕之屋，冠名播出。"),
        (2, lines[1].text, "对，这就是我万人敬仰的太乙真人。"),
        (3, lines[2].text, "一二线城市虽然也处于调整中。"),
        (4, lines[3].text, "今天我很满意。"),
        (5, lines[4].text, "而且出现交易几乎停制的情况。"),
        (5, lines[4].text, lines[4].text),
    ]
    fixed, made, refused = apply_edits(lines, proposed)
    assert [line.text for line in fixed] == [
        "吃燕窝就选燕之屋，本节目有26年专注高品植燕窝的燕之屋，冠名播出。",
        "对，这就是我万人敬仰的太乙真人。",
        "一二线尝试孙然也处于调整中。",
        "今天我很如性意。",
        "甚至出现交易几乎停制的情况。",
    ]
    assert [(e.line, e.heard, e.written) for e in made] == [
        (1, "植物", "之屋"), (1, "植物", "之屋"), (2, "仅", "敬"), (2, "以", "乙"),
    ]  # fmt: skip
    assert refused == 4  # 尝试孙 → 城市虽, the shorter line, 甚至, the unchanged line


@pytest.mark.slow
def test_meeting_notes_take_the_models_fixes_and_refuse_inventions(
    tmp_path, recognizer, provider_env
) -> None:
    from assistant.config import load_settings
    from assistant.events import Result
    from assistant.frontend.app import App
    from assistant.skill import Request

    asked: list[str] = []

    def responder(body: dict) -> Reply:
        system = body["messages"][0]["content"]
        user = body["messages"][-1]["content"]
        asked.append(system)
        if "speech-recognition errors" in system:
            heard = re.search(r"几乎(..)的情况", user)
            assert heard, user
            edits = [
                {"line": 1, "from": heard.group(1), "to": "停滞"},
                {"line": 1, "from": "情况", "to": "情况非常严重"},  # invents: refused
            ]
            return Reply(text=json.dumps({"edits": edits}, ensure_ascii=False))
        notes = {"title": "房地产", "summary": ["交易停滞"], "decisions": [],
                 "action_items": [], "open_questions": []}  # fmt: skip
        return Reply(text=json.dumps(notes, ensure_ascii=False))

    provider_env.responder = responder
    app = App(load_settings())
    app.services["asr"] = recognizer
    clip = AUDIO_DATA / "zh" / "aishell-BAC009S0764W0121.flac"
    events = list(
        app.runtime.run(
            Request("meeting notes", skill="meeting_notes", options={"path": str(clip)})
        )
    )
    result = next(e for e in events if isinstance(e, Result))
    text = "".join(line["text"] for line in result.payload["notes"]["transcript"])
    assert "停滞" in text and "非常严重" not in text, text
    assert [c["to"] for c in result.payload["transcript_corrections"]] in ([], ["停滞"])
    assert len(asked) == 2 and "speech-recognition errors" in asked[0]
