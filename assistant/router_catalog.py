"""The router assembled from the installed skills, and its disk cache.

Every skill plugin hands over its ``SkillRouting`` (``ting_routing`` hook, see
``assistant.router_spec``): rules, markers, examples and a one-line description. The
catalog puts them together (the rule set, the classifier trained on all the examples,
its calibration) and keeps the result in one file per installation, in the data
folder's ``cache/`` (or ``$TING_CACHE_DIR``). A route in a fresh process reads that
file and nothing else: no plugin manager, no skill module, no numpy.

The cache is rebuilt when anything it came from changed: a routing module or examples
file, the router's own modules, the Python version, or the set of installed packages
(the mtime of each ``site-packages`` folder changes when a package is installed or
removed, which is how a new third-party skill is noticed).
"""

from __future__ import annotations

import marshal
import os
import sys
import zlib

from assistant.errors import TingError
from assistant.router_classifier import LinearModel, features, softmax
from assistant.router_rules import RuleSet, normalize, rule_winner

TYPE_CHECKING = False  # the hotkey path never imports typing
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
    from typing import Any

    from assistant.router_spec import SkillRouting

CATALOG_VERSION = 4
# where a request goes when nothing else claims it, and where look-alikes of a skill
# that is not installed go
DEFAULT_SKILL = "chat"
_ROUTER_MODULES = (
    "router.py",
    "router_catalog.py",
    "router_classifier.py",
    "router_literals.py",
    "router_model.py",
    "router_rules.py",
    "router_spec.py",
)


class Catalog:
    """What the router knows about the installed skills, ready to route with."""

    def __init__(self, state: dict[str, Any]) -> None:
        self.state = state
        self.skills: dict[str, str] = dict(state["skills"])  # name -> description
        self.rules = RuleSet(state["markers"], state["rules"], state["caps"])
        self.model = LinearModel.from_state(state["model"])
        calibration = state["calibration"]
        self.temperature: float = calibration["temperature"]
        self.rule_confidence: dict[str, float] = calibration["rules"]
        self.problems: dict[str, str] = dict(state.get("problems", {}))

    @property
    def names(self) -> tuple[str, ...]:
        return self.model.classes

    def signals(self, text: str) -> tuple[str, dict[str, float]]:
        """The marked text and the rule score of each skill (text already normalized)."""
        marked = self.rules.mark(text)
        return marked, self.rules.scores(marked)

    def probabilities(self, marked: str, scores: dict[str, float]) -> dict[str, float]:
        """P(skill | text) from the classifier, over its features and the rule scores."""
        raw = self.model.scores(features(marked, rule_signals(scores)))
        return dict(zip(self.model.classes, softmax(raw, self.temperature), strict=True))

    def rule_decision_confidence(self, margin: float) -> float:
        return self.rule_confidence["strong" if margin >= 2.5 else "clear"]


def rule_signals(scores: dict[str, float]) -> list[str]:
    """The rule scores as classifier features (rounded to halves)."""
    return [f"{skill}:{int(score * 2) / 2}" for skill, score in scores.items()]


# --------------------------------------------------------------------------- cache


def cache_dir() -> str:
    """``$TING_CACHE_DIR``, else the data folder's ``cache/`` (created on write)."""
    override = os.environ.get("TING_CACHE_DIR")
    if override:
        return override
    from assistant.paths import data_dir

    return str(data_dir() / "cache")


def cache_path() -> str:
    """This installation's catalog file: one per Python prefix and copy of Ting."""
    here = os.path.dirname(os.path.abspath(__file__))
    key = zlib.crc32(f"{sys.prefix}\0{here}\0{sys.version}".encode())
    return os.path.join(cache_dir(), f"router-{key:08x}.marshal")


def _stamp(path: str) -> tuple[str, int, int]:
    try:
        st = os.stat(path)
    except OSError:
        return (path, -1, -1)
    return (path, st.st_mtime_ns, st.st_size)


def package_folders() -> list[str]:
    """The folders whose contents say which packages (and entry points) are installed."""
    return sorted(
        {
            p
            for p in sys.path
            if os.path.basename(p) in ("site-packages", "dist-packages") and os.path.isdir(p)
        }
    )


def _folder_stamps() -> list[tuple[str, int, int]]:
    return [_stamp(folder) for folder in package_folders()]


def _fresh(state: Any) -> bool:
    if not isinstance(state, dict) or state.get("version") != CATALOG_VERSION:
        return False
    if state.get("python") != sys.hexversion or state.get("folders") != _folder_stamps():
        return False
    return all(_stamp(entry[0]) == tuple(entry) for entry in state["manifest"])


def load_cached(path: str | None = None) -> Catalog | None:
    """The cached catalog when it is there, readable and still describes what is
    installed; None otherwise (a missing, stale or damaged cache is simply rebuilt)."""
    path = path or cache_path()
    try:
        with open(path, "rb") as handle:
            # one read: marshal.load on a file reads object by object (ten times slower)
            state = marshal.loads(handle.read())
        if not _fresh(state):
            return None
        return Catalog(state)
    except (OSError, EOFError, ValueError, TypeError, KeyError, IndexError):
        return None


def save(state: dict[str, Any], path: str | None = None) -> None:
    """Write the catalog atomically; a cache that cannot be written is simply skipped."""
    from pathlib import Path

    from assistant.atomic_write import write_atomically

    path = path or cache_path()
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        write_atomically(Path(path), marshal.dumps(state))
    except (OSError, TingError, ValueError):
        pass


_LOADED: dict[str, Catalog] = {}


def installed_catalog(
    collect: Callable[[], tuple[list[SkillRouting], list[str], dict[str, str]]] | None = None,
) -> Catalog:
    """The catalog of what is installed: from this process's memory, else the disk
    cache, else built (``collect`` gives the routings, the files they came from and
    the plugins' problems; by default the skill registry's)."""
    path = cache_path()
    catalog = _LOADED.get(path)
    if catalog is not None and _fresh(catalog.state):
        return catalog
    catalog = load_cached(path)
    if catalog is None:
        routings, files, problems = (collect or collect_installed)()
        state = build_state(routings, source_files=files, problems=problems)
        save(state, path)
        catalog = Catalog(state)
    _LOADED[path] = catalog
    return catalog


def collect_installed() -> tuple[list[SkillRouting], list[str], dict[str, str]]:
    """The routings of every installed skill, through the skill registry's plugins."""
    from assistant.registry import SkillRegistry

    registry = SkillRegistry()
    routings, files, problems = registry.routings()
    return routings, files, {**registry.plugin_errors, **problems}


# --------------------------------------------------------------------------- build


def build_state(
    routings: Sequence[SkillRouting],
    *,
    source_files: Sequence[str] = (),
    problems: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Put the routings together: rules, markers, the trained classifier and its
    calibration, as plain data (what ``Catalog`` and the cache hold)."""
    from assistant.router_spec import read_examples

    if not routings:
        raise TingError("no installed skill can be routed to")
    # the same catalog whatever order the plugins were found in
    routings = sorted(routings, key=lambda r: r.skill)
    names = sorted({r.skill for r in routings})
    if len(names) != len(routings):
        raise TingError("two plugins give routing for the same skill")
    from assistant.router_literals import required_literals

    markers = [
        (name, pattern, required_literals(pattern))
        for _, name, pattern in sorted(
            (m.order, m.name, m.pattern) for r in routings for m in r.markers
        )
    ]
    rules = sorted(
        (
            (r.skill, rule.weight, rule.group, rule.pattern, required_literals(rule.pattern))
            for r in routings
            for rule in r.rules
        ),
        key=lambda rule: (rule[0], rule[2], -rule[1]),
    )
    caps = {r.skill: r.score_cap for r in routings}
    rule_set = RuleSet(markers, rules, caps)
    fallback = DEFAULT_SKILL if DEFAULT_SKILL in names else None
    examples: list[tuple[str, str]] = []
    for routing in routings:
        for text, route, _style in read_examples(routing.examples, routing.skill):
            label = route if route in names else fallback
            if label is not None:
                examples.append((text, label))
    prepared = []
    for text, label in examples:
        marked = rule_set.mark(normalize(text))
        scores = rule_set.scores(marked)
        prepared.append((marked, scores, label))
    calibration = _calibrate(prepared, names)
    model = _fit(prepared, names)
    manifest = [
        _stamp(path)
        for path in sorted(
            set(source_files) | set(_router_files()) | {str(r.examples) for r in routings}
        )
    ]
    return {
        "version": CATALOG_VERSION,
        "python": sys.hexversion,
        "folders": _folder_stamps(),
        "manifest": manifest,
        "skills": sorted((r.skill, " ".join(r.description.split())) for r in routings),
        "markers": markers,
        "rules": rules,
        "caps": caps,
        "model": model.to_state(),
        "calibration": calibration,
        "examples": len(examples),
        "problems": dict(problems or {}),
    }


def _router_files() -> list[str]:
    here = os.path.dirname(os.path.abspath(__file__))
    return [os.path.join(here, name) for name in _ROUTER_MODULES]


def _fit(
    prepared: Sequence[tuple[str, dict[str, float], str]], names: Sequence[str]
) -> LinearModel:
    from assistant.router_classifier import train

    samples = [
        (features(marked, rule_signals(scores)), label) for marked, scores, label in prepared
    ]
    return train(samples, [n for n in names if any(label == n for _, label in samples)])


def _calibrate(
    prepared: Sequence[tuple[str, dict[str, float], str]], names: Sequence[str]
) -> dict[str, Any]:
    """Temperature and rule confidences from a split the model did not train on (every
    fifth example), so that a confidence says how often such an answer was right."""
    held = [row for i, row in enumerate(prepared) if i % 5 == 4]
    train_rows = [row for i, row in enumerate(prepared) if i % 5 != 4]
    model = _fit(train_rows, names)
    local: list[tuple[list[float], int]] = []
    rules = {"clear": [0, 0], "strong": [0, 0]}
    for marked, scores, label in held:
        win = rule_winner(scores)
        if win is not None:
            bucket = rules["strong" if win[1] >= 2.5 else "clear"]
            bucket[0] += win[0] == label
            bucket[1] += 1
            continue
        if label in model.classes:
            raw = model.scores(features(marked, rule_signals(scores)))
            local.append((raw, model.classes.index(label)))

    def log_loss(t: float) -> float:
        import math

        total = 0.0
        for raw, truth in local:
            p = softmax(raw, t)[truth]
            total -= math.log(max(p, 1e-12))
        return total

    temperatures = [0.2 + 0.05 * i for i in range(77)]
    temperature = min(temperatures, key=log_loss) if local else 1.0
    # add-one smoothing: a handful of held-out rule decisions never says 1.0
    confidence = {
        bucket: min(0.99, (right + 1) / (count + 2)) for bucket, (right, count) in rules.items()
    }
    return {"temperature": round(temperature, 2), "rules": confidence}
