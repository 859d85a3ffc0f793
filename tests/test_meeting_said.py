"""Owners and due dates in meeting notes against what was said: the cases in
tests/data/meeting/said_owner_due_cases.json (clock times said in words, end of day, a
year the model adds, a surname with another title, and the made-up values that must stay
out), each read as a transcript file and checked by ``keep_what_was_said``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

CASES = json.loads(
    (Path(__file__).parent / "data/meeting/said_owner_due_cases.json").read_text(encoding="utf-8")
)["cases"]


def kept(case: dict, tmp_path: Path) -> bool:
    """Whether the notes keep the case's owner or due date."""
    from skills.meeting_notes.notes_model import ActionItem
    from skills.meeting_notes.summarizer import PartNotes, keep_what_was_said
    from skills.meeting_notes.transcript_files import read_transcript_file

    path = tmp_path / f"{case['id']}.txt"
    path.write_text("\n".join(case["said"]) + "\n", encoding="utf-8")
    lines = read_transcript_file(path)
    owner = case["value"] if case["field"] == "owner" else None
    due = case["value"] if case["field"] == "due" else None
    notes = PartNotes(action_items=[ActionItem("do it", owner, due)])
    [item] = keep_what_was_said(notes, lines).action_items
    value = item.owner if case["field"] == "owner" else item.due
    assert value in (None, case["value"])
    return value is not None


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_an_owner_or_due_date_is_kept_only_when_said(case, tmp_path):
    assert kept(case, tmp_path) is (case["expected"] == "kept"), case["why"]


@pytest.mark.parametrize(
    "said, field, value, expected",
    [
        # beside the set above: a word that only looks like a title, a count, another
        # day's end of day, a percentage range, a date or time written another way
        ("李娜：王总结了一下。", "owner", "王经理", False),  # 总结 is not 王总
        ("李娜：下周工作计划我来写。", "owner", "老周", False),  # 周工作 is not 周工
        ("李娜：下午3个会连着开。", "due", "15:00", False),  # a count after 下午
        ("李娜：我有三个苹果。", "due", "3:00", False),
        ("Ana: by EOD Friday.", "due", "EOD", False),  # Friday's end of day
        ("Ana: by end of day Friday.", "due", "Friday EOD", True),
        ("Ana: growth is 10-15% this year.", "due", "10/15", False),
        ("Ana: send it on the 3rd of March 2026.", "due", "2026-03-03", True),
        ("Ana: send it March 3.", "due", "March 4, 2026", False),
        ("李娜：十二月十五号交。", "due", "2026.12.15", True),
        ("李娜：下午三点前。", "due", "3pm", True),
        ("欧阳总：我来。", "owner", "欧阳经理", True),
        ("李娜：让小王来。", "owner", "王磊", False),
    ],
)
def test_more_owners_and_due_dates_are_kept_only_when_said(said, field, value, expected, tmp_path):
    case = {"id": "probe", "said": [said], "field": field, "value": value}
    assert kept(case, tmp_path) is expected
