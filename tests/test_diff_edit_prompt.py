"""The diff skill's request and the tidying of a small model's SEARCH/REPLACE reply
(pure functions; the model itself is in test_local_model_quality.py)."""

from __future__ import annotations

import pytest

from skills.diffgen.apply_engine import apply_patch
from skills.diffgen.edit_prompt import (
    edit_messages,
    repair_message,
    tidy_reply,
    unfinished_rename,
)
from skills.diffgen.patch_errors import PatchRejected
from skills.diffgen.patch_parser import parse_patch

BLOCK = "<<<<<<< SEARCH\n{old}\n=======\n{new}\n>>>>>>> REPLACE"


def test_the_request_names_the_real_paths_and_shows_the_files_as_they_are() -> None:
    messages = edit_messages("rename a to b", [("pkg/util.py", "a = 1\n")])
    assert "pkg/util.py\n<<<<<<< SEARCH" in messages[0]["content"]
    assert messages[-1]["content"] == "pkg/util.py\n```\na = 1\n```\n\nInstruction: rename a to b"
    # one worked exchange before the real request
    assert [m["role"] for m in messages] == ["system", "user", "assistant", "user"]


def test_a_placeholder_path_becomes_the_one_file_given() -> None:
    reply = "```\npath/to/file.py\n" + BLOCK.format(old="a = 1", new="b = 1") + "\n```"
    patch = parse_patch(tidy_reply(reply, ["pkg/util.py"]))
    assert [f.path for f in patch.files] == ["pkg/util.py"]


def test_a_block_without_a_path_line_takes_the_previous_blocks_file() -> None:
    reply = (
        "a/pkg/_parse.py\n"
        + BLOCK.format(old="x = 1", new="y = 1")
        + "\n\n"
        + BLOCK.format(old="x = 2", new="y = 2")
    )
    patch = parse_patch(tidy_reply(reply, ["pkg/__init__.py", "pkg/_parse.py"]))
    assert [(f.path, len(f.hunks)) for f in patch.files] == [("pkg/_parse.py", 2)]


def test_line_number_prefixes_copied_into_a_block_are_removed() -> None:
    reply = "util.py\n" + BLOCK.format(old=" 4| def f(x):\n 5|     return x", new="def g(x):")
    tidied = tidy_reply(reply, ["util.py"])
    assert "def f(x):\n    return x\n=======" in tidied


def test_a_reply_in_another_format_is_left_alone() -> None:
    diff = "--- a/u.py\n+++ b/u.py\n@@ -1 +1 @@\n-a\n+b\n"
    assert tidy_reply(diff, ["u.py"]) == diff


def test_a_rename_that_left_uses_behind_is_named() -> None:
    old = "def parse_date(t):\n    pass\n\n\nday = parse_date(x)\n"
    half = old.replace("def parse_date", "def parse_day")
    left = unfinished_rename("rename parse_date to parse_day", [("u.py", old, half)])
    assert left is not None and "parse_date still occurs (u.py line 5)" in left
    done = old.replace("parse_date", "parse_day")
    assert unfinished_rename("rename parse_date to parse_day", [("u.py", old, done)]) is None
    # not a rename: no new code-like name appears
    message = old.replace("pass", "return None")
    assert unfinished_rename("make parse_date return None", [("u.py", old, message)]) is None


def test_a_block_that_nearly_matched_is_sent_back_with_the_files_own_lines() -> None:
    text = "".join(f"x{i} = {i}\n" for i in range(1, 30))
    text = text.replace("x12 = 12\n", "def total(values, start=0):\n    return sum(values)\n")
    # misremembered: wrong default and a comment the file does not have
    reply = (
        "m.py\n<<<<<<< SEARCH\nx11 = 11\ndef total(values, start=1):\n"
        "    return sum(values)  # add up\nx13 = 13\n=======\nx11 = 11\n"
        "def total(values, start=1):\n    return sum(values, start)\nx13 = 13\n>>>>>>> REPLACE\n"
    )
    with pytest.raises(PatchRejected) as refused:
        apply_patch(parse_patch(reply), {"m.py": text})
    error = refused.value.user_message()
    assert "its context fits at line 11" in error
    content = repair_message(error, ["m.py"], {"m.py": text})["content"]
    assert content.startswith("That edit could not be applied: " + error)
    shown = text.splitlines()[9:17]  # from the line before
    assert "Lines 10-17 of m.py as they are now:\nm.py\n```\n" + "\n".join(shown) in content
    # an error that names no place adds nothing
    plain = repair_message("the edit changes nothing", ["m.py"], {"m.py": text})["content"]
    assert "as they are now" not in plain


def test_a_block_left_without_its_replace_marker_is_closed() -> None:
    first = "a.py\n<<<<<<< SEARCH\nx = 1\n=======\nx = 2\n"
    second = "a.py\n<<<<<<< SEARCH\ny = 1\n=======\ny = 3\n"
    # at the end of the reply (after a closing fence), and before the next block
    for reply in (
        "```\n" + first + "```",
        first + "\n" + second + ">>>>>>> REPLACE\n",
    ):
        tidied = tidy_reply(reply, ["a.py"])
        patch = parse_patch(tidied)
        added = [
            line.text for f in patch.files for h in f.hunks for line in h.lines if line.tag == "+"
        ]
        assert added[0] == "x = 2", tidied
        assert tidied.count(">>>>>>> REPLACE") == reply.count("<<<<<<< SEARCH"), tidied
    # a block with no ======= at all is not guessed at
    assert tidy_reply("a.py\n<<<<<<< SEARCH\nx = 1\n", ["a.py"]).count("REPLACE") == 0


def test_a_block_with_no_line_in_the_file_is_sent_back_with_the_lines_most_like_it() -> None:
    text = "".join(f"x{i} = {i}\n" for i in range(1, 30))
    text = text.replace(
        "x20 = 20\n", "def dumps(obj, *, indent=4):\n    return _dump(obj, indent)\n"
    )
    # invented from memory: no line is in the file as written
    reply = (
        "m.py\n<<<<<<< SEARCH\ndef dumps(obj, indent: int = 4):\n    return _dump(obj, indent=indent)\n"
        "=======\ndef dumps(obj, indent: int = 2):\n    return _dump(obj, indent=indent)\n"
        ">>>>>>> REPLACE\n"
    )
    with pytest.raises(PatchRejected) as refused:
        apply_patch(parse_patch(reply), {"m.py": text})
    error = refused.value.user_message()
    assert error.endswith("no line of it occurs in the file"), error
    content = repair_message(error, ["m.py"], {"m.py": text}, reply)["content"]
    assert "Lines 19-26 of m.py as they are now:" in content
    assert "def dumps(obj, *, indent=4):\n    return _dump(obj, indent)" in content
    # nothing alike: nothing shown
    unlike = reply.replace("def dumps(obj, indent: int = 4):", "class Totally(Different):")
    unlike = unlike.replace("    return _dump(obj, indent=indent)\n=", "    pass\n=")
    with pytest.raises(PatchRejected) as refused:
        apply_patch(parse_patch(unlike), {"m.py": text})
    content = repair_message(refused.value.user_message(), ["m.py"], {"m.py": text}, unlike)
    assert "as they are now" not in content["content"]


def test_a_deletion_written_without_its_divider_deletes_and_nothing_else() -> None:
    text = "a = 1\n\n\ndef old():\n    return 1\n\n\nb = 2\n"
    reply = "m.py\n<<<<<<< SEARCH\ndef old():\n    return 1\n>>>>>>> REPLACE\n"
    outcome = apply_patch(parse_patch(tidy_reply(reply, ["m.py"])), {"m.py": text})
    assert outcome.files[0].new_text == "a = 1\n\n\n\n\nb = 2\n"
    # old and new lines run together without the divider: not in the file, refused
    mixed = "m.py\n<<<<<<< SEARCH\ndef old():\n    return 1\ndef new():\n    return 2\n>>>>>>> REPLACE\n"
    with pytest.raises(PatchRejected):
        apply_patch(parse_patch(tidy_reply(mixed, ["m.py"])), {"m.py": text})
