"""Plain renames and replacements in `ting diff make` are done by text, with no model:
every occurrence, whole words only, through the same preview, confirmation and undo;
anything more than a replacement still goes to the model."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from skills.diffgen.literal_edit import literal_edit, parse_pairs

TING = str(Path(sys.executable).with_name("ting"))

UTILS = '''\
import datetime

__all__ = ["parse_date"]


def parse_date(text):
    """Read dates; parse_date_strict is stricter."""
    return datetime.date.fromisoformat(text.strip())


def parse_date_strict(text):
    return reparse_date(parse_date(text))  # parse_date first


def reparse_date(day):
    return day
'''

FORMATTERS = """\
function fmtShort(ms) {
  return ms + 'ms';
}
function fmtLong(ms) {
  return fmtShort(ms) + ' long';
}
module.exports = { fmtShort, fmtLong };"""


@pytest.mark.parametrize(
    ("instruction", "pairs"),
    [
        ("rename parse_date to parse_day", [("parse_date", "parse_day")]),
        ("Rename the function parse_date in utils.py to parse_day", [("parse_date", "parse_day")]),
        ("in utils.py rename parse_date to parse_day", [("parse_date", "parse_day")]),
        (
            "Rename _safe_str to _str_for_trace and update every place that calls it.",
            [("_safe_str", "_str_for_trace")],
        ),
        ("把 parse_date 函数改名为 parse_day，调用的地方也改掉", [("parse_date", "parse_day")]),
        ("把 Foo 类重命名为 Bar", [("Foo", "Bar")]),
        ("表名从 _old_table 改成 _new_table。", [("_old_table", "_new_table")]),
        (
            "把 fmtShort 和 fmtLong 分别改名为 formatShort 和 formatLong",
            [("fmtShort", "formatShort"), ("fmtLong", "formatLong")],
        ),
        (
            "rename fmtShort and fmtLong to formatShort and formatLong respectively",
            [("fmtShort", "formatShort"), ("fmtLong", "formatLong")],
        ),
        (
            "把应用名 MyApp 改成 Ting，作者 MyCompany 改成 Ting Project。",
            [("MyApp", "Ting"), ("MyCompany", "Ting Project")],
        ),
        (
            "Change the 'No such file.' error message to 'File not found; check the path.'",
            [("No such file.", "File not found; check the path.")],
        ),
        ("replace `old_api` with `new_api`", [("old_api", "new_api")]),
        ("把报错信息“bad argument”改成“wrong value”", [("bad argument", "wrong value")]),
        ("_perform_cast should be named _cast_value.", [("_perform_cast", "_cast_value")]),
        ("call it live_rows instead of get_rows", [("get_rows", "live_rows")]),
        ("重命名 _seg 为 _split_by_hans，pyi 里的声明也一起改", [("_seg", "_split_by_hans")]),
        (
            "_dataclass_setstate 这个名字换成 _setstate_from_pickle",
            [("_dataclass_setstate", "_setstate_from_pickle")],
        ),
        (
            "把 EMU_to_inch 和 EMU_to_cm 改成 emu_to_inch、emu_to_cm",
            [("EMU_to_inch", "emu_to_inch"), ("EMU_to_cm", "emu_to_cm")],
        ),
    ],
)
def test_replacements_are_read_from_the_instruction(instruction: str, pairs: list) -> None:
    found = parse_pairs(instruction)
    assert found is not None
    assert [(old, new) for old, new, _ in found] == pairs


@pytest.mark.parametrize(
    "instruction",
    [
        "Change MAX_LINE_LENGTH to 88.",  # a value, not a name
        "change DEBUG to True",
        "把 VERBOSE 改成 false",
        "replace print with logger.info",  # a call, not a name for a name
        "把 dump 和 dumps 的默认缩进从 4 改成 2。",
        "rename parse_date to parse_day and add a docstring to it",
        "把 parse_date 改名为 parse_day，再加上类型注解",
        "Add a strip parameter to jsonsplit, defaulting to True",
        "rename the function to something better",
        "Swap the parameters of _table so the name comes first",
        "make it faster",
        "In parse_all only, rename the parameter text to raw",  # scoped: not every occurrence
        "Rename Foo to Bar, but keep Foo as an alias",
        "把 chunk 改名为 chunk_abnf，Reader 里那个同名的局部变量别动",
        "把 A1 和 B1 改成 a1",  # two names, one new name
        "ensure_bytes 的参数 data 改名为 payload",  # a parameter: one function's
        "rename the argument text to raw",
    ],
)
def test_anything_more_than_a_replacement_is_left_to_the_model(instruction: str) -> None:
    assert parse_pairs(instruction) is None


def test_whole_words_in_code_strings_and_comments_but_not_inside_other_names() -> None:
    edit = literal_edit("rename parse_date to parse_day", [("utils.py", UTILS)])
    assert edit is not None
    after = edit.new_texts["utils.py"]
    assert after == (
        UTILS.replace('["parse_date"]', '["parse_day"]')
        .replace("def parse_date(text)", "def parse_day(text)")
        .replace(
            "reparse_date(parse_date(text))  # parse_date",
            "reparse_date(parse_day(text))  # parse_day",
        )
    )
    assert "parse_date_strict" in after and "def reparse_date(day)" in after
    assert edit.count == 4
    compile(after, "utils.py", "exec")


def test_a_name_that_is_not_in_the_files_is_left_to_the_model() -> None:
    assert literal_edit("rename parse_time to parse_clock", [("utils.py", UTILS)]) is None
    # one of two names missing: the model decides, nothing half done
    assert (
        literal_edit("把 fmtShort 和 fmtTiny 分别改名为 a1 和 b1", [("ms.js", FORMATTERS)]) is None
    )


def run_ting(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(
        [TING, *args], capture_output=True, text=True, timeout=120, env={**os.environ, **env}
    )


def test_a_rename_across_files_lands_without_asking_the_model_and_undoes(
    provider, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    (root / "pkg").mkdir(parents=True)
    (root / "pkg" / "utils.py").write_text(UTILS)
    main = "from pkg.utils import parse_date\n\nprint(parse_date('2024-05-01'))\n"
    (root / "main.py").write_text(main)
    done = run_ting(
        [
            "diff",
            "make",
            "rename parse_date to parse_day and update the callers in main.py",
            "pkg/utils.py",
            "main.py",
            "--root",
            str(root),
            "--yes",
            "--json",
        ],
        provider.env,
    )
    assert done.returncode == 0, done.stderr
    assert provider.requests == []  # no model call
    events = [json.loads(line) for line in done.stdout.splitlines()]
    card = next(e for e in events if e["type"] == "needs_confirmation")
    assert card["data"]["method"] == "text"
    assert (
        "-from pkg.utils import parse_date\n+from pkg.utils import parse_day\n" in card["preview"]
    )
    notes = [e["message"] for e in events if e["type"] == "progress"]
    assert any(
        "no model needed: parse_date → parse_day: 6 place(s) in 2 file(s)" in n for n in notes
    )
    assert (root / "main.py").read_text() == main.replace("parse_date", "parse_day")
    assert "parse_date_strict" in (root / "pkg" / "utils.py").read_text()
    undone = run_ting(["diff", "undo", "--root", str(root)], provider.env)
    assert undone.returncode == 0, undone.stderr
    assert (root / "main.py").read_text() == main
    assert (root / "pkg" / "utils.py").read_text() == UTILS


def test_a_chinese_rename_in_a_file_without_a_final_newline_keeps_it_that_way(
    provider, tmp_path: Path
) -> None:
    (tmp_path / "ms.js").write_text(FORMATTERS)
    done = run_ting(
        [
            "diff",
            "make",
            "把 fmtShort 和 fmtLong 分别改名为 formatShort 和 formatLong，调用的地方也改掉。",
            "ms.js",
            "--root",
            str(tmp_path),
            "--yes",
        ],
        provider.env,
    )
    assert done.returncode == 0, done.stderr
    assert provider.requests == []
    after = (tmp_path / "ms.js").read_text()
    assert after == FORMATTERS.replace("fmtShort", "formatShort").replace("fmtLong", "formatLong")
    assert not after.endswith("\n")


def test_a_rename_with_more_to_do_goes_to_the_model(provider, tmp_path: Path) -> None:
    (tmp_path / "utils.py").write_text(UTILS)
    provider.queue_reply(text="I cannot do that.")  # no blocks: refused, then repaired
    provider.queue_reply(text="I cannot do that.")
    provider.queue_reply(text="I cannot do that.")
    done = run_ting(
        [
            "diff",
            "make",
            "rename parse_date to parse_day and add a docstring to reparse_date",
            "utils.py",
            "--root",
            str(tmp_path),
            "--yes",
        ],
        provider.env,
    )
    assert done.returncode == 1
    assert len(provider.requests) == 3
    assert done.stderr.startswith("ting: the model's edit could not be applied")
    assert (tmp_path / "utils.py").read_text() == UTILS


def test_renaming_a_name_that_is_not_there_says_so_and_asks_no_model(
    provider, tmp_path: Path
) -> None:
    (tmp_path / "utils.py").write_text(UTILS)
    done = run_ting(
        ["diff", "make", "rename parse_time to parse_clock", "utils.py", "--root", str(tmp_path)],
        provider.env,
    )
    assert done.returncode != 0
    assert done.stderr.strip().splitlines() == [
        "ting: parse_time does not occur in utils.py: nothing to rename "
        "(names are matched exactly, as whole words)"
    ]
    assert provider.requests == []
    assert (tmp_path / "utils.py").read_text() == UTILS
