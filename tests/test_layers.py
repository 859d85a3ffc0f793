"""The product code's imports go one way: down the layers of shared/DESIGN.md, and no
module imports, however indirectly, a module that imports it back.

Read from the source with ``ast``, so every import counts: at the top of a module,
inside a function (imported on first use) and under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("assistant", "voice", "skills", "ui")

# Bottom to top; a module may import its own layer and the ones below. A module belongs
# to the layer of the longest prefix that names it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("assistant",),  # the core: config, events, runtime, router, history, llm, registry
    ("voice",),  # hardware and models: capture, VAD, ASR, TTS, hotkeys
    ("skills",),  # one package per skill
    ("assistant.frontend.app",),  # the composition root
    # the front ends: the ting command (and `python -m assistant`), the Qt app
    ("assistant.frontend", "assistant.__main__", "ui"),
)


def product_modules() -> dict[str, Path]:
    modules: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            modules[".".join(parts)] = path
    return modules


def import_graph() -> dict[str, set[str]]:
    """Module name -> the product modules it imports (a name imported from a package
    counts as that package, or as the submodule when it is one)."""
    modules = product_modules()

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package
                    for _ in range(node.level - 1):
                        anchor = anchor.rpartition(".")[0]
                    base = f"{anchor}.{base}" if base else anchor
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                found = known(target)
                if found is not None and found != name:
                    graph[name].add(found)
    return graph


def layer_of(module: str) -> int:
    best, found = -1, -1
    for level, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, found = len(prefix), level
    assert found >= 0, f"{module} is in no layer: add its package to LAYERS"
    return found


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    return sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if layer_of(target) > layer_of(module)
    )


def skill_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "skills" and len(parts) > 1 else None


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read_from_the_tree() -> None:
    graph = import_graph()
    assert "assistant.events" in graph["assistant.runtime"]
    assert "skills.bookkeeping.skill" in graph["skills.bookkeeping"]  # a function-level import


def test_cycles_are_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycles_in_product_code() -> None:
    assert cycles(import_graph()) == []


def test_imports_go_down_the_layers() -> None:
    """The core never imports voice, skills or a front end; voice never imports a skill;
    nothing below the composition root imports it."""
    assert upward_imports(import_graph()) == []


def test_an_upward_import_is_found() -> None:
    assert upward_imports(
        {"assistant.app": {"voice.asr"}, "ui.app": {"assistant.frontend.app"}}
    ) == ["assistant.app -> voice.asr"]


def test_skills_do_not_import_each_other() -> None:
    graph = import_graph()
    crossing = sorted(
        f"{module} -> {target}"
        for module, targets in graph.items()
        for target in targets
        if skill_of(module) and skill_of(target) and skill_of(module) != skill_of(target)
    )
    assert crossing == []
