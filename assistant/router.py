"""Which skill a request is for: the installed skills' strong-signal rules, then a small
local classifier, then (only when the local answer is unsure and a provider is
configured) the language model.

The parts: ``router_rules`` (rules and markers), ``router_classifier`` (features and
the linear model), ``router_catalog`` (all of it assembled from the installed skills'
routing and cached on disk), ``router_model`` (the model fallback). Skills own what
routes to them (``assistant.router_spec``); nothing here names a skill but chat, the
destination of whatever no skill claims.

``ting route`` sits on the hotkey path: with a warm cache this imports no plugin
machinery, no skill and no numpy, and a call takes well under a millisecond.
"""

from __future__ import annotations

from assistant.errors import TingError, UsageError
from assistant.router_catalog import DEFAULT_SKILL
from assistant.router_rules import normalize, rule_winner

TYPE_CHECKING = False  # the hotkey path never imports typing
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from assistant.router_catalog import Catalog

# Below this calibrated confidence the local answer is "unsure": on held-out examples
# answers under 0.8 are right about half the time, those above ~99% (the reliability
# table in bench/results_router.md); unsure ones go to the model when one is configured.
DEFAULT_THRESHOLD = 0.8
# An unsure guess at a skill other than chat (one that may write to the ledger or to
# files) below this loses to chat.
CHAT_FALLBACK_BELOW = 0.4
# The model's answers are not calibrated; this says "decided by the model".
MODEL_CONFIDENCE = 0.9


class RouteDecision:
    """The skill a request goes to, how sure the router is, which step decided, and
    every routable skill's score (``candidates``, best first: what the runtime tries
    next when the chosen skill hands the request back)."""

    __slots__ = ("skill", "confidence", "source", "candidates")

    def __init__(
        self,
        skill: str,
        confidence: float,
        source: str,
        candidates: tuple[tuple[str, float], ...] = (),
    ) -> None:
        self.skill = skill
        self.confidence = confidence
        self.source = source  # "rules" | "local" | "model" | "forced"
        self.candidates = candidates

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RouteDecision):
            return NotImplemented
        return (self.skill, self.confidence, self.source, self.candidates) == (
            other.skill,
            other.confidence,
            other.source,
            other.candidates,
        )

    def __repr__(self) -> str:
        return f"RouteDecision({self.skill!r}, {self.confidence!r}, {self.source!r})"

    def next_skills(self, tried: set[str] | frozenset[str] = frozenset()) -> list[str]:
        """Who gets the request after ``tried`` handed it back: the other candidates
        that are plausible at all, best first, and chat last."""
        order = [s for s, score in self.candidates if score >= 0.15 and s != DEFAULT_SKILL]
        order.append(DEFAULT_SKILL)
        return [s for s in order if s not in tried and s != self.skill]

    def to_dict(self, threshold: float = DEFAULT_THRESHOLD) -> dict[str, Any]:
        return {
            "skill": self.skill,
            "confidence": round(self.confidence, 4),
            "source": self.source,
            "unsure": self.source == "local" and self.confidence < threshold,
            "candidates": [
                {"skill": skill, "score": round(score, 4)} for skill, score in self.candidates
            ],
        }


class Router:
    """Rules, then the local classifier, then (if unsure and given) the model.

    ``catalog`` is what the installed skills ship (``router_catalog.installed_catalog``
    by default, read from the disk cache on first use). ``model_classifier`` is called
    as ``model_classifier(text, {skill: description})`` and returns a skill name or None.
    """

    def __init__(
        self,
        catalog: Catalog | None = None,
        *,
        model_classifier: Callable[[str, dict[str, str]], str | None] | None = None,
        threshold: float = DEFAULT_THRESHOLD,
    ) -> None:
        if not 0.0 <= threshold <= 1.0:
            raise ValueError(f"threshold must be within 0..1, not {threshold}")
        self._catalog = catalog
        self.model_classifier = model_classifier
        self.threshold = threshold

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            from assistant.router_catalog import installed_catalog

            self._catalog = installed_catalog()
        return self._catalog

    @property
    def skills(self) -> tuple[str, ...]:
        """The skills requests can be routed to."""
        return self.catalog.names

    def warm(self) -> Router:
        """Load (or build) the catalog now rather than on the first request."""
        _ = self.catalog
        return self

    def local_decision(self, text: str) -> RouteDecision:
        """Rules, then the classifier; never the model."""
        clean = normalize(text)
        if not clean:
            raise UsageError("nothing to route: the text is empty")
        catalog = self.catalog
        marked, scores = catalog.signals(clean)
        proba = catalog.probabilities(marked, scores)
        win = rule_winner(scores)
        if win is not None and win[0] in proba:
            skill, margin = win
            confidence = catalog.rule_decision_confidence(margin)
            # the rest of the belief goes to the others in the classifier's proportions
            rest = sum(p for s, p in proba.items() if s != skill) or 1.0
            proba = {
                s: confidence if s == skill else (1.0 - confidence) * p / rest
                for s, p in proba.items()
            }
            source = "rules"
        else:
            skill = max(proba, key=proba.__getitem__)
            confidence = proba[skill]
            source = "local"
            if (
                skill != DEFAULT_SKILL
                and confidence < CHAT_FALLBACK_BELOW
                and DEFAULT_SKILL in proba
            ):
                skill, confidence = DEFAULT_SKILL, proba[DEFAULT_SKILL]
        candidates = tuple(
            sorted(((s, round(p, 4)) for s, p in proba.items()), key=lambda c: (-c[1], c[0]))
        )
        return RouteDecision(skill, round(confidence, 4), source, candidates)

    def route(self, text: str) -> RouteDecision:
        """The skill for ``text``; raises ``UsageError`` when it is empty or blank."""
        decision = self.local_decision(text)
        if (
            decision.source == "local"
            and decision.confidence < self.threshold
            and self.model_classifier is not None
        ):
            skills = self.catalog.skills
            try:
                answer = self.model_classifier(text, skills)
            except TingError:  # the model is a hint: a failing one leaves the local answer
                answer = None
            if isinstance(answer, str) and answer in skills:
                return RouteDecision(answer, MODEL_CONFIDENCE, "model", decision.candidates)
        return decision
