"""The diff skill against the scripted OpenAI-compatible server on loopback: a broken
edit, the engine's error sent back, a repaired edit, preview, confirm, write, undo."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import Declined, SkillError
from assistant.events import NeedsConfirmation, Progress, Result
from assistant.frontend.app import App
from assistant.skill import Request
from skills.diffgen.patch_workspace import PatchWorkspace
from skills.diffgen.skill import DiffSkill, mentioned_files

TING = str(Path(sys.executable).with_name("ting"))

UTILS = '''\
import datetime


def parse_date(text):
    """Read 2024-05-01 style dates."""
    return datetime.date.fromisoformat(text.strip())


def describe(text):
    day = parse_date(text)
    return day.strftime("%A")
'''

INTENDED = UTILS.replace("parse_date", "parse_day")

# what a model gets wrong: context copied from memory, not from the file
BROKEN = """\
```diff
--- a/utils.py
+++ b/utils.py
@@ -4,3 +4,3 @@
-def parse_date(value):
+def parse_day(value):
     return datetime.datetime.strptime(value, "%Y-%m-%d").date()
```
"""

# (blank context lines without their leading space, as models often write them)
REPAIRED = """\
Here is the corrected diff:

```diff
--- a/utils.py
+++ b/utils.py
@@ -2,6 +2,6 @@


-def parse_date(text):
+def parse_day(text):
     \"\"\"Read 2024-05-01 style dates.\"\"\"
     return datetime.date.fromisoformat(text.strip())

@@ -8,4 +8,4 @@

 def describe(text):
-    day = parse_date(text)
+    day = parse_day(text)
     return day.strftime("%A")
```
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "utils.py").write_text(UTILS)
    return root


def run_ting(args: list[str], env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [TING, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **env},
    )


def user_texts(body: dict) -> list[str]:
    return [m["content"] for m in body["messages"] if m["role"] == "user"]


def test_broken_edit_is_repaired_then_applied_and_undone(provider, project: Path) -> None:
    provider.queue_reply(text=BROKEN)
    provider.queue_reply(text=REPAIRED)
    done = run_ting(
        [
            "diff",
            "make",
            "rename parse_date to parse_day",
            "utils.py",
            "--root",
            str(project),
            "--yes",
            "--json",
            "--model",  # a plain rename is done by text otherwise
        ],
        provider.env,
    )
    assert done.returncode == 0, done.stderr
    assert (project / "utils.py").read_text() == INTENDED
    events = [json.loads(line) for line in done.stdout.splitlines()]
    kinds = [e["type"] for e in events]
    assert kinds.count("needs_confirmation") == 1 and kinds[-1] == "result"
    stages = {e["stage"] for e in events if e["type"] == "progress"}
    assert {"reading", "checking"} <= stages
    proposal = next(e for e in events if e["type"] == "needs_confirmation")
    assert proposal["skill"] == "diff" and proposal["action"] == "apply_patch"
    assert "-def parse_date(text):\n+def parse_day(text):\n" in proposal["preview"]
    assert "\x1b[" not in proposal["preview"]
    assert proposal["data"]["repair_rounds"] == 1
    # the model saw the file under its real path first, then the engine's own error
    assert len(provider.requests) == 2
    first, second = provider.requests
    assert "utils.py\n```\nimport datetime\n\n\ndef parse_date(text):" in user_texts(first)[-1]
    assert "utils.py\n<<<<<<< SEARCH" in first["messages"][0]["content"]
    repair = user_texts(second)[-1]
    assert "utils.py: hunk 1 (@@ -4,3 +4,3 @@) does not match the file" in repair
    assert second["messages"][-2] == {"role": "assistant", "content": BROKEN}
    undone = run_ting(["diff", "undo", "--root", str(project)], provider.env)
    assert undone.returncode == 0, undone.stderr
    assert (project / "utils.py").read_text() == UTILS


def test_without_yes_nothing_is_written(provider, project: Path) -> None:
    provider.queue_reply(text=REPAIRED)
    done = run_ting(
        ["diff", "make", "rename parse_date to parse_day", "utils.py", "--root", str(project)],
        provider.env,
    )
    assert done.returncode == 3
    assert "-def parse_date(text):" in done.stdout  # the preview, plain when not a tty
    assert "\x1b[" not in done.stdout
    assert "nothing was written" in done.stderr
    assert (project / "utils.py").read_text() == UTILS


def test_gives_up_after_two_repair_rounds(provider, project: Path) -> None:
    for _ in range(3):
        provider.queue_reply(text=BROKEN)
    done = run_ting(
        [
            "diff",
            "make",
            "rename parse_date to parse_day",
            "utils.py",
            "--root",
            str(project),
            "--yes",
            "--model",
        ],
        provider.env,
    )
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        "ting: the model's edit could not be applied after 2 repair rounds: utils.py: "
        "hunk 1 (@@ -4,3 +4,3 @@) does not match the file; no line of it occurs in the file"
    ]
    assert len(provider.requests) == 3
    assert (project / "utils.py").read_text() == UTILS


def test_file_outside_the_root_is_refused(provider, project: Path, tmp_path: Path) -> None:
    (tmp_path / "elsewhere.py").write_text("x = 1\n")
    done = run_ting(
        ["diff", "make", "change x", str(tmp_path / "elsewhere.py"), "--root", str(project)],
        provider.env,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("ting: ") and "is not inside --root" in done.stderr
    assert provider.requests == []


def test_skill_in_process_finds_spoken_file_names_and_checks_before_writing(
    provider_env, project: Path
) -> None:
    provider_env.queue_reply(text=REPAIRED)
    app = App.from_environment()
    skill = DiffSkill()
    request = Request(
        text="in utils dot py rename parse date to parse day",
        origin="voice",
        skill="diff",
        options={"root": str(project)},
    )
    events = list(skill.run(request, app.make_context()))
    assert any(isinstance(e, Progress) for e in events)
    proposal = events[-1]
    assert isinstance(proposal, NeedsConfirmation)
    assert (project / "utils.py").read_text() == UTILS  # run writes nothing
    # the file changes between preview and confirmation: refuse rather than surprise
    (project / "utils.py").write_text(UTILS.replace('"%A"', '"%a"'))
    with pytest.raises(SkillError, match="changed since the preview"):
        list(skill.apply(proposal.action, proposal.data, app.make_context()))
    (project / "utils.py").write_text(UTILS)
    (result,) = list(skill.apply(proposal.action, proposal.data, app.make_context()))
    assert isinstance(result, Result)
    assert result.payload["files"][0]["status"] == "modified"
    assert (project / "utils.py").read_text() == INTENDED


def test_mentioned_files_only_names_files_under_the_root(project: Path) -> None:
    (project / "pkg").mkdir()
    (project / "pkg" / "core.py").write_text("")
    workspace = PatchWorkspace(project)
    assert mentioned_files(
        "in utils.py and pkg/core.py, not ../secret.py or /etc/passwd.txt or missing.py",
        workspace,
    ) == ["utils.py", "pkg/core.py"]


def test_a_request_naming_no_file_is_a_usage_error(provider_env, project: Path) -> None:
    app = App.from_environment()
    request = Request(text="rename parse_date", skill="diff", options={"root": str(project)})
    with pytest.raises(Declined, match="name the file to edit"):
        list(DiffSkill().run(request, app.make_context()))


def test_preview_is_coloured_on_a_terminal(provider, project: Path) -> None:
    import pty

    provider.queue_reply(text=REPAIRED)
    leader, follower = pty.openpty()
    try:
        done = subprocess.run(
            [TING, "diff", "make", "rename it", "utils.py", "--root", str(project), "--yes"],
            stdout=follower,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=120,
            env={**os.environ, **provider.env},
        )
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: the terminal's writer has closed
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert done.returncode == 0, done.stderr
    assert b"\x1b[31m-def parse_date(text):\x1b[0m" in shown
    assert b"\x1b[32m+def parse_day(text):\x1b[0m" in shown
    assert (project / "utils.py").read_text() == INTENDED


def rename_by_model(project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    args = ["diff", "make", "rename parse_date to parse_day", "utils.py", "--root", str(project)]
    return run_ting([*args, "--yes", "--model"], env)


def test_a_reply_that_repeats_itself_is_cut_where_the_repeating_began(
    provider, project: Path
) -> None:
    block = (
        "utils.py\n<<<<<<< SEARCH\ndef parse_date(text):\n=======\ndef parse_day(text):\n"
        ">>>>>>> REPLACE\n\n"
        "utils.py\n<<<<<<< SEARCH\n    day = parse_date(text)\n=======\n"
        "    day = parse_day(text)\n>>>>>>> REPLACE\n\n"
    )
    provider.queue_reply(text=block * 40)  # greedy decoding stuck in a loop
    done = rename_by_model(project, provider.env)
    assert done.returncode == 0, done.stderr
    assert (project / "utils.py").read_text() == INTENDED
    assert len(provider.requests) == 1


def test_a_reply_that_copies_the_file_over_and_over_is_stopped_and_told_why(
    provider, project: Path
) -> None:
    provider.queue_reply(text=("utils.py\n<<<<<<< SEARCH\n" + UTILS + "```\n\n") * 30)
    provider.queue_reply(text=REPAIRED)
    done = rename_by_model(project, provider.env)
    assert done.returncode == 0, done.stderr
    assert (project / "utils.py").read_text() == INTENDED
    repair = user_texts(provider.requests[1])[-1]
    assert "the reply repeated itself without ending" in repair
    # what the model is shown of its own first reply is the part before the repeating
    shown = provider.requests[1]["messages"][-2]["content"]
    assert len(shown) < 3 * len(UTILS), shown
