"""What users get from the built-in 1.5B model, through the real llama.cpp server (the
session's, see fixtures_local_model.py): meeting notes that validate as the model's own
(not the offline fallback), and a simple rename by `ting diff make` that lands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

NO_PROVIDER = {"TING_PROVIDER": None}  # as a user with nothing configured

pytestmark = pytest.mark.local_model

TRANSCRIPT = """\
[00:00] Anna: Let's decide the release date. I propose we ship version 2.4 on Friday.
[00:09] Ben: Friday works for QA. I will finish the regression tests by Thursday.
[00:17] Anna: Good, then it's decided: version 2.4 ships on Friday.
[00:24] Ben: Who writes the release notes?
[00:28] Anna: I will write the release notes by Wednesday.
"""

UTILS = '''\
import datetime


def parse_date(text):
    """Read 2024-05-01 style dates."""
    return datetime.date.fromisoformat(text.strip())


def describe(text):
    day = parse_date(text)
    return day.strftime("%A")
'''


def test_meeting_notes_come_from_the_model_and_validate(
    ting, local_model_home, tmp_path: Path
) -> None:
    source = tmp_path / "standup.txt"
    source.write_text(TRANSCRIPT, encoding="utf-8")
    ran = ting("meeting", "notes", str(source), "--json", env=NO_PROVIDER, timeout=600)
    assert ran.code == 0, ran.err
    result = ran.json_lines()[-1]
    payload = result["payload"]
    assert payload["offline"] is False, payload["problems"]  # the model's notes, validated
    assert payload["problems"] == []
    notes = payload["notes"]
    assert notes["action_items"], notes
    assert all(item["what"].strip() for item in notes["action_items"])
    said = " ".join(
        [
            *notes["decisions"],
            *(f"{a['what']} {a.get('owner') or ''}" for a in notes["action_items"]),
        ]
    ).lower()
    assert "friday" in said or "2.4" in said, notes
    assert "release notes" in said or "regression" in said, notes


def test_a_rename_by_diff_make_lands(ting, local_model_home, tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "utils.py").write_text(UTILS, encoding="utf-8")
    ran = ting(
        "diff",
        "make",
        "rename parse_date to parse_day",
        "utils.py",
        "--root",
        str(project),
        "--yes",
        "--model",  # the model's edit, not the text rename
        env=NO_PROVIDER,
        timeout=600,
    )
    assert ran.code == 0, ran.err
    after = (project / "utils.py").read_text(encoding="utf-8")
    assert "parse_date" not in after, after
    assert re.search(r"^def parse_day\(text\):", after, re.M), after
    assert "day = parse_day(text)" in after, after
    compile(after, "utils.py", "exec")
