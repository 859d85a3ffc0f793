"""Run one diff_make case's checks against a folder of edited files.

    python bench/data/llm_eval/diff_make/apply_checks.py CASE_DIR EDITED_DIR [--json]

CASE_DIR holds case.json; EDITED_DIR holds the case's files (the paths in case.json "files",
relative to it) after the edit. Prints one line per check and a summary; exit status 0 when
every check passes, 1 when any fails, 2 when the case or the folder cannot be read.

Run it with the project's virtualenv Python: `python_asserts` checks import the edited module
and the packages it needs (click, sqlite-utils, python-dateutil, ...). Those checks execute
the edited code, in a child process with a time limit, so run them only on edits you are
prepared to execute (a benchmark's own output, not untrusted files).
"""

from __future__ import annotations

import json
import py_compile
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

CHILD_TIMEOUT_S = 60

# Loads the edited file as a module under a fixed name and runs the case's assertions with
# the module bound to `m`; importlib rather than sys.path so that sibling files cannot
# shadow installed packages.
_ASSERT_RUNNER = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("edited_module", sys.argv[1])
m = importlib.util.module_from_spec(spec)
sys.modules["edited_module"] = m
spec.loader.exec_module(m)
exec(compile(sys.argv[2], "<case python_asserts>", "exec"), {"m": m, "__name__": "case"})
"""

KINDS = (
    "contains",
    "not_contains",
    "regex",
    "not_regex",
    "python_compiles",
    "python_asserts",
    "json_valid",
    "toml_valid",
    "yaml_valid",
    "shell_syntax",
    "js_syntax",
    "absent",
)


class CaseError(Exception):
    """The case or the edited folder cannot be used (as opposed to a failed check)."""


def load_case(case_dir: Path) -> dict:
    try:
        case = json.loads((case_dir / "case.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CaseError(f"cannot read {case_dir / 'case.json'}: {exc}") from None
    if not isinstance(case, dict) or not isinstance(case.get("checks"), list):
        raise CaseError(f"{case_dir / 'case.json'} has no list of checks")
    for check in case["checks"]:
        kinds = [k for k in KINDS if k in check]
        if not isinstance(check, dict) or "file" not in check or len(kinds) != 1:
            raise CaseError(f"{case_dir.name}: malformed check {check!r}")
    return case


def _child(args: list[str], cwd: Path) -> tuple[bool, str]:
    try:
        done = subprocess.run(
            args, cwd=cwd, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S
        )
    except FileNotFoundError:
        return False, f"{args[0]} is not installed"
    except subprocess.TimeoutExpired:
        return False, f"timed out after {CHILD_TIMEOUT_S} s"
    if done.returncode == 0:
        return True, ""
    lines = (done.stderr or done.stdout).strip().splitlines()
    return False, lines[-1] if lines else f"exit status {done.returncode}"


def run_check(check: dict, edited_dir: Path) -> tuple[bool, str]:
    """(passed, detail) for one check."""
    path = edited_dir / check["file"]
    if "absent" in check:
        return not path.exists(), "still there" if path.exists() else ""
    if not path.is_file():
        return False, "file missing"
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return False, f"unreadable: {exc}"

    if "contains" in check:
        missing = [s for s in check["contains"] if s not in text]
        return not missing, f"missing {missing!r}" if missing else ""
    if "not_contains" in check:
        present = [s for s in check["not_contains"] if s in text]
        return not present, f"still has {present!r}" if present else ""
    if "regex" in check:
        found = re.search(check["regex"], text, re.MULTILINE)
        return found is not None, "" if found else f"no match for {check['regex']!r}"
    if "not_regex" in check:
        found = re.search(check["not_regex"], text, re.MULTILINE)
        return found is None, f"matches {found.group(0)[:80]!r}" if found else ""
    if "python_compiles" in check:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                py_compile.compile(str(path), cfile=str(Path(tmp) / "c.pyc"), doraise=True)
            except py_compile.PyCompileError as exc:
                return False, str(exc.msg).strip().splitlines()[-1]
        return True, ""
    if "python_asserts" in check:
        with tempfile.TemporaryDirectory() as tmp:
            return _child(
                [
                    sys.executable,
                    "-B",
                    "-c",
                    _ASSERT_RUNNER,
                    str(path.resolve()),
                    check["python_asserts"],
                ],
                Path(tmp),
            )
    if "json_valid" in check:
        try:
            json.loads(text)
        except json.JSONDecodeError as exc:
            return False, str(exc)
        return True, ""
    if "toml_valid" in check:
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            return False, str(exc)
        return True, ""
    if "yaml_valid" in check:
        try:
            import yaml
        except ImportError:
            return False, "PyYAML is not installed in this Python"
        try:
            yaml.safe_load(text)
        except yaml.YAMLError as exc:
            return False, str(exc).splitlines()[0]
        return True, ""
    if "shell_syntax" in check:
        return _child([shutil.which("bash") or "bash", "-n", str(path.resolve())], edited_dir)
    if "js_syntax" in check:
        return _child([shutil.which("node") or "node", "--check", str(path.resolve())], edited_dir)
    raise CaseError(f"unknown check {check!r}")


def describe(check: dict) -> str:
    kind = next(k for k in KINDS if k in check)
    value = check[kind]
    if kind in ("contains", "not_contains"):
        shown = ", ".join(repr(v)[:40] for v in value)
    elif kind in ("regex", "not_regex"):
        shown = repr(value)[:60]
    else:
        shown = ""
    return f"{check['file']}: {kind} {shown}".rstrip()


def run_case(case_dir: Path, edited_dir: Path) -> list[dict]:
    case = load_case(case_dir)
    if not edited_dir.is_dir():
        raise CaseError(f"{edited_dir} is not a folder")
    results = []
    for check in case["checks"]:
        passed, detail = run_check(check, edited_dir)
        results.append({"check": describe(check), "passed": passed, "detail": detail})
    return results


def main(argv: list[str]) -> int:
    as_json = "--json" in argv
    args = [a for a in argv if a != "--json"]
    if len(args) != 2:
        print("usage: apply_checks.py CASE_DIR EDITED_DIR [--json]", file=sys.stderr)
        return 2
    case_dir, edited_dir = Path(args[0]), Path(args[1])
    try:
        results = run_case(case_dir, edited_dir)
    except CaseError as exc:
        print(f"apply_checks: {exc}", file=sys.stderr)
        return 2
    failed = [r for r in results if not r["passed"]]
    if as_json:
        print(json.dumps({"case": case_dir.name, "passed": not failed, "checks": results}))
    else:
        for r in results:
            mark = "pass" if r["passed"] else "FAIL"
            print(f"{mark}  {r['check']}" + (f"  -- {r['detail']}" if r["detail"] else ""))
        print(
            f"{case_dir.name}: {'PASS' if not failed else 'FAIL'} "
            f"({len(results) - len(failed)}/{len(results)} checks)"
        )
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
