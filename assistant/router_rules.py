"""The router's first step: the installed skills' strong-signal rules.

A ``RuleSet`` holds the rules and markers of every routable skill as plain strings
(so that the catalog can keep them in its disk cache) and compiles a pattern on first
use only: most requests never reach most patterns' compile, and ``ting route`` sits on
the hotkey path. See ``assistant.router_spec`` for what a rule and a marker mean.
"""

from __future__ import annotations

import re
import unicodedata

# Rules decide alone only when the best score is this high and leads the next by this.
RULE_MIN_SCORE = 2.5
RULE_MIN_MARGIN = 1.5

# Rules see "。" as "." and every currency sign as "$": their character classes then stay
# ASCII, and Python compiles a class holding CJK characters many times slower.
_RULE_PUNCTUATION = str.maketrans(
    {"。": ".", "¥": "$", "€": "$", "£": "$", "₩": "$", "？": "?", "，": ",", "！": "!", "：": ":"}
)


def normalize(text: str) -> str:
    """NFKC (full-width letters, digits and punctuation become ASCII) and lower case."""
    return unicodedata.normalize("NFKC", text).lower().strip()


class RuleSet:
    """Markers and rules as data: ``markers`` is ``[(name, pattern, literals)]`` in the
    order they apply; ``rules`` is ``[(skill, weight, group, pattern, literals)]``;
    ``caps`` is the highest score each skill may reach. ``literals`` (from
    ``router_literals``, or None) are strings one of which every match contains: a
    pattern whose literals are all absent is neither compiled nor run."""

    def __init__(
        self,
        markers: list[tuple[str, str, tuple[str, ...] | None]],
        rules: list[tuple[str, float, str, str, tuple[str, ...] | None]],
        caps: dict[str, float],
    ) -> None:
        self.markers = [(f"〈{name}〉", pattern, literals) for name, pattern, literals in markers]
        self.rules = rules
        self.caps = caps
        self._marker_res: list[re.Pattern[str] | None] = [None] * len(markers)
        self._rule_res: list[re.Pattern[str] | None] = [None] * len(rules)

    def mark(self, clean: str) -> str:
        """Normalized text with every marker's matches replaced by its token."""
        compiled = self._marker_res
        for index, (token, pattern, literals) in enumerate(self.markers):
            if literals is not None and not any(lit in clean for lit in literals):
                continue
            regex = compiled[index]
            if regex is None:
                regex = compiled[index] = re.compile(pattern)
            clean = regex.sub(token, clean)
        return clean

    def scores(self, marked: str) -> dict[str, float]:
        """The rule score of each skill any rule matched (text from ``mark``)."""
        text = marked.translate(_RULE_PUNCTUATION)
        best: dict[tuple[str, str], float] = {}
        compiled = self._rule_res
        for index, (skill, weight, group, pattern, literals) in enumerate(self.rules):
            if weight <= best.get((skill, group), 0.0):
                continue  # a stronger rule of this group already matched
            if literals is not None and not any(lit in text for lit in literals):
                continue
            regex = compiled[index]
            if regex is None:
                regex = compiled[index] = re.compile(pattern)
            if regex.search(text):
                best[(skill, group)] = weight
        scores: dict[str, float] = {}
        for (skill, _group), weight in best.items():
            scores[skill] = scores.get(skill, 0.0) + weight
        return {skill: min(score, self.caps.get(skill, 4.0)) for skill, score in scores.items()}


def rule_winner(scores: dict[str, float]) -> tuple[str, float] | None:
    """``(skill, margin)`` when one skill clearly wins on the rules alone, else None."""
    if not scores:
        return None
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    skill, top = ranked[0]
    second = ranked[1][1] if len(ranked) > 1 else 0.0
    margin = top - second
    if top < RULE_MIN_SCORE or margin < RULE_MIN_MARGIN:
        return None
    return skill, margin
