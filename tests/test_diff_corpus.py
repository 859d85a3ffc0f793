"""The whole diff corpus through the shell (in-process), and a sample through the CLI.

Every recoverable case must land exactly as intended; every ambiguous, unplaceable or
hostile one must be refused with nothing touched inside or outside the root.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assistant.errors import TingError
from skills.diffgen.patch_workspace import PatchWorkspace
from tests.data.diff_corpus.corpus_cases import (
    CorpusCase,
    landed_as_intended,
    load_cases,
    materialize,
    snapshot,
)

CASES = load_cases()
TING = str(Path(sys.executable).with_name("ting"))


def test_corpus_is_big_enough() -> None:
    categories = [case.category for case in CASES]
    assert len(CASES) >= 100
    assert categories.count("hostile") >= 20
    assert categories.count("recoverable") >= 100
    mutations = {case.mutation for case in CASES if case.category == "recoverable"}
    for needed in (
        "shifted",
        "dropped_context",
        "trailing_ws",
        "crlf_file",
        "wrong_counts",
        "bare_headers",
        "out_of_order",
        "no_newline_marker_missing",
    ):
        assert needed in mutations


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_corpus_case(case: CorpusCase, tmp_path: Path) -> None:
    root, outside, patch = materialize(case, tmp_path)
    before_root, before_outside = snapshot(root), snapshot(outside)
    if case.expect == "applied":
        PatchWorkspace(root).apply(patch)
        ok, why = landed_as_intended(case, root)
        assert ok, why
    else:
        with pytest.raises(TingError):
            PatchWorkspace(root).apply(patch)
        assert snapshot(root) == before_root
    assert snapshot(outside) == before_outside


SAMPLE = [
    case
    for case in CASES
    if case.mutation in ("combo", "search_replace", "crlf_file")
    or case.name.endswith("symlink-dir-out")
][:8]


@pytest.mark.parametrize("case", SAMPLE, ids=[case.name for case in SAMPLE])
def test_corpus_sample_through_the_cli(case: CorpusCase, tmp_path: Path) -> None:
    root, outside, patch = materialize(case, tmp_path)
    before_root, before_outside = snapshot(root), snapshot(outside)
    done = subprocess.run(
        [TING, "diff", "apply", "-", "--root", str(root)],
        input=patch.encode("utf-8"),
        capture_output=True,
        timeout=60,
    )
    if case.expect == "applied":
        assert done.returncode == 0, done.stderr
        ok, why = landed_as_intended(case, root)
        assert ok, why
    else:
        assert done.returncode != 0
        assert done.stderr.decode().startswith("ting: ")
        assert snapshot(root) == before_root
    assert snapshot(outside) == before_outside
