"""Runs a request: route it, hand it to the skill, stream its events, record the exchange.

A routed skill that finds nothing it can act on raises ``Declined`` before it shows any
output; the runtime then hands the request to the router's next candidate (chat last),
records the hand-back in the history row, and says so with a ``handed_back`` progress
event and a new ``routed`` one. A misrouted request ends in an answer, not in an error
about what the wrong skill was missing.

The runtime is the history writer: it wraps the skill's event stream, passes every event
through unchanged, and writes one history row per exchange (started before the skill
runs, finished with output, timings and any error after). A skill's exception never
escapes as a traceback: a ``TingError`` becomes a ``Failed`` event with its message, a
cancel becomes ``Failed(kind="cancelled")``, anything else ``Failed(kind="internal")``
with the details written to the log file in the data folder.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

from assistant.errors import Cancelled, Declined, TingError, UsageError
from assistant.events import Delta, Event, Failed, NeedsConfirmation, Progress, Result
from assistant.request_text import MAX_REQUEST_CHARS, check_request_text  # noqa: F401 (re-exported)
from assistant.skill import CancelToken, Request, SkillContext

if TYPE_CHECKING:
    from assistant.history import HistoryStore
    from assistant.registry import SkillRegistry
    from assistant.router import RouteDecision

log = logging.getLogger("ting.runtime")


class Runtime:
    def __init__(
        self,
        *,
        history: HistoryStore,
        registry: SkillRegistry,
        route: Callable[[str], RouteDecision],
        context_factory: Callable[..., SkillContext],
    ) -> None:
        self.history = history
        self.registry = registry
        self._route = route
        self._context_factory = context_factory

    def run(
        self,
        request: Request,
        *,
        cancel: CancelToken | None = None,
        today: Any = None,
    ) -> Iterator[Event]:
        text = request.text.strip()
        if not text:
            raise UsageError("nothing to do: the request is empty")
        check_request_text(text)
        started = time.monotonic()
        timings: dict[str, float] = {}
        decision: RouteDecision | None = None
        route: dict[str, Any] | None = None
        if request.skill:
            skill_name, source, confidence = request.skill, "forced", 1.0
        else:
            decision = self._route(text)
            skill_name, source, confidence = decision.skill, decision.source, decision.confidence
            route = decision.to_dict()
        timings["route_ms"] = round((time.monotonic() - started) * 1000, 2)
        history_id = self.history.start(
            text,
            origin=request.origin,
            skill=skill_name,
            route_source=source,
            confidence=confidence,
            route=route,
            heard=request.options.get("heard"),
        )
        yield Progress(
            "routed",
            f"{skill_name} ({source}, {confidence:.2f})",
            elapsed=time.monotonic() - started,
        )
        ctx = self._context_factory(cancel=cancel, today=today, history_id=history_id)
        current = {"skill": skill_name}

        def body() -> Iterator[Event]:
            name = skill_name
            handed_back: list[dict[str, str]] = []
            while True:
                skill = self.registry.get(name)
                asked = request
                if handed_back:
                    options = dict(request.options, handed_back=list(handed_back))
                    asked = Request(request.text, request.origin, None, options)
                shown = False
                try:
                    for event in skill.run(asked, ctx):
                        shown = shown or isinstance(event, (Delta, Result, NeedsConfirmation))
                        yield event
                    return
                except Declined as exc:
                    if decision is None or shown:
                        raise  # the user named the skill, or it already answered
                    tried = {name, *(h["skill"] for h in handed_back)}
                    following = [s for s in decision.next_skills(tried) if self.registry.has(s)]
                    if not following:
                        raise
                    handed_back.append({"skill": name, "reason": exc.message})
                    name = current["skill"] = following[0]
                    self.history.hand_back(
                        history_id, skill=name, route={**(route or {}), "handed_back": handed_back}
                    )
                    # the reason is for the history and the next skill, not the user: what
                    # the wrong skill was missing is no answer to what they asked
                    yield Progress(
                        "handed_back",
                        f"{handed_back[-1]['skill']} found nothing to do here; {name} takes it",
                        elapsed=time.monotonic() - started,
                    )
                    yield Progress(
                        "routed",
                        f"{name} (handed back by {handed_back[-1]['skill']})",
                        elapsed=time.monotonic() - started,
                    )

        yield from self._recorded(body(), history_id, started, timings, current)

    def confirm(
        self,
        skill_name: str,
        action: str,
        data: dict[str, Any],
        *,
        origin: str = "cli",
        parent_id: int | None = None,
        cancel: CancelToken | None = None,
        today: Any = None,
    ) -> Iterator[Event]:
        """Do what a ``NeedsConfirmation`` proposed, after the user said yes."""
        started = time.monotonic()
        history_id = self.history.start(
            f"[confirmed] {skill_name}: {action}",
            origin=origin,
            skill=skill_name,
            route_source="confirmed",
            confidence=1.0,
            parent_id=parent_id,
        )
        ctx = self._context_factory(cancel=cancel, today=today, history_id=history_id)

        def body() -> Iterator[Event]:
            skill = self.registry.get(skill_name)
            yield from skill.apply(action, data, ctx)

        yield from self._recorded(body(), history_id, started, {}, {"skill": skill_name})

    def _recorded(
        self,
        events: Iterator[Event],
        history_id: int,
        started: float,
        timings: dict[str, float],
        current: dict[str, str],
    ) -> Iterator[Event]:
        """``current["skill"]`` is the skill answering now (it changes on a hand-back)."""
        streamed: list[str] = []
        final: Result | NeedsConfirmation | None = None
        status, error = "ok", None
        first_output: float | None = None
        try:
            for event in events:
                if first_output is None and isinstance(event, (Delta, Result, NeedsConfirmation)):
                    first_output = time.monotonic() - started
                if isinstance(event, Delta):
                    streamed.append(event.text)
                elif isinstance(event, (Result, NeedsConfirmation)):
                    final = event
                elif isinstance(event, Failed):
                    status, error = "error", event.error
                yield event
        except Cancelled as exc:
            status, error = "cancelled", exc.message
            yield Failed(exc.message, kind="cancelled")
        except TingError as exc:
            status, error = "error", exc.user_message()
            partial = getattr(exc, "partial", None)
            if partial and not streamed:
                streamed.append(partial)
            yield Failed(exc.user_message(), kind=type(exc).__name__)
        except (GeneratorExit, KeyboardInterrupt):
            status, error = "cancelled", "stopped by the user"
            raise
        except Exception as exc:
            status, error = "error", f"internal error: {type(exc).__name__}: {exc}"
            log.error("skill %s crashed:\n%s", current["skill"], traceback.format_exc())
            yield Failed(
                f"internal error in the {current['skill']} skill ({type(exc).__name__}); "
                "details are in the log file (ting doctor shows where)",
                kind="internal",
            )
        finally:
            total = time.monotonic() - started
            timings = dict(timings, total_ms=round(total * 1000, 2))
            if first_output is not None:
                timings["first_output_ms"] = round(first_output * 1000, 2)
            output_text = "".join(streamed)
            output: Any = None
            if isinstance(final, Result):
                output_text = final.text or output_text
                output = final.payload or None
            elif isinstance(final, NeedsConfirmation):
                if status == "ok":
                    status = "needs_confirmation"
                output_text = final.preview
                output = {"action": final.action, "data": final.data}
            try:
                self.history.finish(
                    history_id,
                    status=status,
                    output_text=output_text,
                    output=output,
                    error=error,
                    duration_ms=int(total * 1000),
                    timings=timings,
                )
            except TingError as exc:  # the answer was shown; say the record failed
                log.error("could not record exchange %s: %s", history_id, exc.message)
