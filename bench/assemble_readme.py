"""Rebuild bench/README.md from the results_*.md file each benchmark area keeps.

python bench/assemble_readme.py
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).parent
ORDER = [
    "history",
    "router",
    "bookkeeping",
    "diff",
    "voice",
    "audio",
    "dictation",
    "mandarin",
    "meeting",
    "interpreter",
    "llm",
    "mcp",
    "ui",
    "packaging",
]
INTRO = """# Benchmarks

Run on demand, never in CI: `python bench/bench_<name>.py`. Each compares Ting with a
baseline run side by side on the same machine and data. The figures were taken on a
2-core machine shared with other work (load average 3–8 while they ran), so absolute
times are upper bounds; the side-by-side ratios are the point. Each section below is
kept in `bench/results_<name>.md` by its benchmark's owner; this file is rebuilt from
them with `python bench/assemble_readme.py`.
"""


def demote(text: str) -> str:
    """Shift headings so that the file's top heading becomes a level-2 section."""
    lines = text.splitlines()
    levels = [len(x) - len(x.lstrip("#")) for x in lines if x.startswith("#")]
    shift = 2 - min(levels) if levels else 0
    out = []
    for line in lines:
        if line.startswith("#"):
            level = len(line) - len(line.lstrip("#"))
            line = "#" * max(1, level + shift) + line[level:]
        out.append(line)
    return "\n".join(out).strip() + "\n"


def main() -> None:
    parts = [INTRO]
    names = ORDER + sorted(
        p.stem.removeprefix("results_")
        for p in HERE.glob("results_*.md")
        if p.stem.removeprefix("results_") not in ORDER
    )
    for name in names:
        path = HERE / f"results_{name}.md"
        if path.exists():
            parts.append(demote(path.read_text(encoding="utf-8")))
    (HERE / "README.md").write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
