"""What a skill ships so that requests find it: its routing.

A skill package hands the router one ``SkillRouting`` through the ``ting_routing`` hook
(see ``assistant.registry``)::

    from assistant.router_spec import Marker, Rule, SkillRouting

    ROUTING = SkillRouting(
        skill="weather",
        description="the weather: forecasts, temperature, rain, for a place and a day",
        examples=Path(__file__).with_name("routing_examples.tsv"),
        rules=(Rule(r"天气预报|\\bweather forecast\\b", weight=3),),
    )

* ``description``: the one line the language model sees when the local router is unsure.
* ``examples``: a tab-separated file, header ``text<TAB>route<TAB>style``. ``route`` is
  the skill's own name for a request it should get, or where a look-alike should go
  instead (``chat``, or another skill's name; a skill that is not installed counts as
  chat). ``style`` is ``typed`` or ``spoken`` (as a recognizer writes speech: numbers in
  words, fillers, no quotes or file names). Lines starting with ``#`` are comments.
* ``rules``: strong signals, regular expressions searched in the request after it was
  normalized (NFKC, lower case, ``。`` as ``.``, currency signs as ``$``) and after every
  installed skill's ``markers`` replaced what they match with ``〈name〉`` (the
  translation skill marks language names as ``〈lang〉``, the diff skill code file
  names as ``〈file〉``). A skill's rule score is the sum, over its rule groups, of the
  strongest matching rule of each group, capped at ``score_cap``. Keep classes of
  characters ASCII: a class holding CJK characters compiles many times slower.

Nothing here is imported on the hotkey path: the router reads what these describe from
its on-disk cache (``assistant.router_catalog``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from assistant.errors import TingError

STYLES = ("typed", "spoken")
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Rule:
    """One strong signal for a skill: ``pattern`` found in the request adds ``weight``
    to the skill's score (only the strongest rule of each ``group`` counts)."""

    pattern: str
    weight: float = 3.0
    group: str = "explicit"


@dataclass(frozen=True)
class Marker:
    """Text every rule and the classifier see as one token ``〈name〉`` (a language
    name, a code file name), so that rules stay small and examples generalize.
    Markers apply in ``order`` (lower first): ``english.py`` is a file before the
    language marker could take its first word."""

    name: str
    pattern: str
    order: int = 50


@dataclass(frozen=True)
class SkillRouting:
    skill: str
    description: str
    examples: Path
    rules: tuple[Rule, ...] = ()
    markers: tuple[Marker, ...] = ()
    score_cap: float = 4.0

    def check(self) -> None:
        """Raise a TingError naming what is wrong with this routing (a plugin's bug)."""
        where = f"the routing of skill {self.skill!r}"
        if not _NAME.match(self.skill):
            raise TingError(f"{where}: a skill name is lower case letters, digits and _")
        if not self.description.strip() or "\n" in self.description.strip():
            raise TingError(f"{where}: the description must be one line")
        for rule in self.rules:
            if rule.weight <= 0:
                raise TingError(f"{where}: rule {rule.pattern!r} needs a positive weight")
            try:
                re.compile(rule.pattern)
            except re.error as exc:
                raise TingError(f"{where}: rule {rule.pattern!r} is not a pattern: {exc}") from None
        for marker in self.markers:
            if not _NAME.match(marker.name):
                raise TingError(f"{where}: marker name {marker.name!r} is not a plain name")
            try:
                re.compile(marker.pattern)
            except re.error as exc:
                raise TingError(
                    f"{where}: marker {marker.name!r} is not a pattern: {exc}"
                ) from None


def read_examples(path: Path, own_skill: str) -> list[tuple[str, str, str]]:
    """The ``(text, route, style)`` rows of a skill's examples file.

    A row without three columns, with an empty text, a route that is not a plain name,
    or a style other than typed/spoken is an error naming the file and line."""
    try:
        raw = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TingError(f"cannot read the routing examples of {own_skill!r}: {exc}") from None
    rows: list[tuple[str, str, str]] = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if parts == ["text", "route", "style"]:
            continue
        if (
            len(parts) != 3
            or not parts[0].strip()
            or not _NAME.match(parts[1].strip())
            or parts[2].strip() not in STYLES
        ):
            raise TingError(
                f"{path}:{number}: expected 'text<TAB>route<TAB>style' "
                f"(route a skill name, style typed or spoken)"
            )
        rows.append((parts[0].strip(), parts[1].strip(), parts[2].strip()))
    if not any(route == own_skill for _, route, _ in rows):
        raise TingError(f"{path}: no example routes to {own_skill!r}")
    return rows
