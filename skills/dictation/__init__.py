"""The dictation skill: what was said is typed into the focused window, not routed.

Run with ``Request(text=transcript, origin="voice", skill="dictation")`` (``ting
dictate``, the app's dictation key): spoken punctuation and commands are read
(``spoken_text``), the text goes out through the ``text_output`` service, and the
runtime records it in the history like any exchange (skill ``dictation``, the typed text
as the output), where "delete that" finds the last insertion to take back.

Request options: ``after`` (what this session typed last: a space goes between two
pieces of English), ``prepared`` (the target and clipboard saved while the user spoke,
``TextOutput.prepare``), ``method`` (auto, paste or keys).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from assistant.errors import SkillError, UsageError
from assistant.events import Event, Result
from assistant.registry import hookimpl
from assistant.skill import Request, SkillContext

HISTORY_LOOKBACK = 200  # dictation exchanges searched for the last insertion


class DictationSkill:
    name = "dictation"
    description = (
        "Types what you dictate into the focused window (spoken punctuation, 'delete that')."
    )

    def run(self, request: Request, ctx: SkillContext) -> Iterator[Event]:
        from skills.dictation.spoken_text import DELETE_LAST, dictated, joined

        said = dictated(request.text)
        output = ctx.service("text_output")
        if said.command == DELETE_LAST:
            last = last_insertion(ctx.history, before=ctx.history_id)
            if last is None:
                raise UsageError("nothing dictated to delete")
            exchange_id, typed = last
            presses = output.delete_back(typed)
            yield Result(
                text=f"deleted: {typed}",
                payload={"deleted": typed, "deleted_id": exchange_id, "backspaces": presses},
            )
            return
        if not said.text:
            yield Result(text="", payload={"typed": ""})
            return
        text = joined(str(request.options.get("after") or ""), said.text)
        done = output.insert(
            text,
            str(request.options.get("method") or "auto"),
            prepared=request.options.get("prepared"),
        )
        yield Result(
            text=text,
            payload={"typed": text, **done.to_dict(), "insert_ms": round(done.seconds * 1000)},
        )

    def apply(self, action: str, data: dict[str, Any], ctx: SkillContext) -> Iterator[Event]:
        raise SkillError(f"the dictation skill has no action {action!r}")
        yield  # pragma: no cover


def last_insertion(history: Any, *, before: int | None = None) -> tuple[int, str] | None:
    """The newest dictated text not taken back yet: (exchange id, the text typed)."""
    deleted: set[int] = set()
    for exchange in history.list(HISTORY_LOOKBACK, skill="dictation"):
        if before is not None and exchange.id >= before:
            continue
        data = exchange.output if isinstance(exchange.output, dict) else {}
        if exchange.status != "ok":
            continue
        if "deleted_id" in data:
            deleted.add(int(data["deleted_id"]))
            continue
        typed = data.get("typed")
        if typed and exchange.id not in deleted:
            return exchange.id, str(typed)
    return None


@hookimpl
def ting_register_skills(register):
    register(DictationSkill())
