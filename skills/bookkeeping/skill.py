"""The bookkeeping skill: the thin shell over the parser, the intents and the ledger.

``run`` never writes money. What it can be asked:

* a sentence with amounts → ``NeedsConfirmation(action="add_entries")`` with the parsed
  entries and the ``choices`` each field may take (the UI shows them as an editable
  card); ``apply`` validates them again and
  writes them once (the proposal's ``confirmation_id`` is the idempotency key);
* undo ("撤销刚才那笔", "undo that") → ``NeedsConfirmation(action="undo")`` naming what
  will be reversed. Undo goes through a confirmation like every other change to money
  records, because a misheard voice command must not silently delete entries; ``apply``
  refuses if the ledger changed in between;
* a correction of the last entry ("不对，是四十五", "no, it was 45", "改成交通") →
  ``NeedsConfirmation(action="amend_entry")``; a changed category is remembered for
  that item;
* a question ("这个月吃饭花了多少") → a ``Result`` computed with SQL; nothing to confirm.

With no amount in the sentence and a provider configured, the model may propose
entries (validated against a JSON schema, still confirmed); without a provider the
answer is a clear "no amount found" and nothing is written.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from assistant.errors import Declined, ProviderNotConfigured, SkillError, UsageError
from assistant.events import Event, NeedsConfirmation, Progress, Result
from assistant.skill import Request, SkillContext


def entry_choices() -> dict[str, Any]:
    """What an entry's fields may be, for a UI that lets the user edit the proposal."""
    from assistant.config import CURRENCIES
    from skills.bookkeeping.lexicon import EXPENSE_CATEGORIES, INCOME_CATEGORIES, KINDS

    return {
        "currency": list(CURRENCIES),
        "kind": list(KINDS),
        "category": {"expense": list(EXPENSE_CATEGORIES), "income": list(INCOME_CATEGORIES)},
    }


def ledger_for(ctx: SkillContext) -> Any:
    from skills.bookkeeping.ledger import Ledger

    return Ledger(ctx.history)


class BookkeepingSkill:
    name = "bookkeeping"
    description = (
        "Records spoken expenses and income in the local ledger and answers questions about it."
    )

    # -- run -----------------------------------------------------------------------

    def run(self, request: Request, ctx: SkillContext) -> Iterator[Event]:
        from skills.bookkeeping.intents import is_undo, parse_correction, parse_question

        text = request.text.strip()
        if not text:
            raise UsageError("nothing to record: the text is empty")
        today = ctx.current_date()
        ledger = ledger_for(ctx)
        intent = request.options.get("intent")  # `ting expense add/undo/import` say which
        if intent == "record":
            yield from self._propose_entries(ledger, text, request, ctx)
            return
        if intent == "import_bills":
            from skills.bookkeeping.bills.actions import propose_import

            yield from propose_import(ledger, request.options)
            return
        if intent == "recurring_due":
            from skills.bookkeeping.budget_actions import propose_due

            yield from propose_due(ledger, today)
            return
        if intent == "undo" or is_undo(text):
            yield self._propose_undo(ledger, text)
            return
        planned = self._budget_or_recurring(ledger, text, today, ctx, request.origin != "cli")
        if planned is not None:
            yield planned
            return
        correction = parse_correction(text, today)
        if correction is not None:
            yield self._propose_amend(ledger, correction.changes, text)
            return
        question = parse_question(text, today)
        if question is not None:
            yield self._answer(ledger, question, text)
            return
        yield from self._propose_entries(ledger, text, request, ctx)

    def _budget_or_recurring(
        self, ledger: Any, text: str, today: Any, ctx: SkillContext, chart: bool
    ) -> Event | None:
        """A budget set or asked about, or a monthly entry; None for anything else."""
        from skills.bookkeeping.budget_actions import (
            answer_budget,
            propose_budget,
            propose_recurring,
        )
        from skills.bookkeeping.budget_intents import (
            BudgetQuery,
            parse_budget,
            parse_import,
            parse_recurring,
        )
        from skills.bookkeeping.parser import ExpenseParser

        wants_import, path = parse_import(text)
        if wants_import:
            if path is None:
                return Result(
                    text="To import a bill, drop the file (Alipay, WeChat Pay or a bank CSV) "
                    "on the chat window, or run: ting expense import FILE",
                    payload={"import": None},
                )
            from skills.bookkeeping.bills.actions import propose_import

            return propose_import(ledger, {"path": path})[-1]
        parser = ExpenseParser(ctx.settings.default_currency, ledger.remembered())
        recurring = parse_recurring(text, today, parser)
        if recurring is not None:
            return propose_recurring(recurring, text)
        budget = parse_budget(text, today)
        if isinstance(budget, BudgetQuery):
            return answer_budget(ledger, budget, text, chart=chart)
        if budget is not None:
            return propose_budget(ledger, budget, text, ctx.settings.default_currency)
        return None

    def _propose_entries(
        self, ledger: Any, text: str, request: Request, ctx: SkillContext
    ) -> Iterator[Event]:
        from skills.bookkeeping.display import add_preview
        from skills.bookkeeping.parser import ExpenseParser, NoAmountError

        parser = ExpenseParser(ctx.settings.default_currency, ledger.remembered())
        today = ctx.current_date()
        entries = parser.parse_lenient(text, today)
        source = "rules"
        if not entries and request.options.get("intent") != "record" and not _has_number(text):
            # no amount, no undo, correction or ledger question: nothing here for the
            # ledger (routed here, the request goes to the next skill)
            raise Declined("no amount found: say how much, e.g. 午饭35 or 'lunch 12 dollars'")
        if not entries:
            try:
                llm = ctx.llm()
            except ProviderNotConfigured:
                raise NoAmountError(
                    "no amount found: say how much, e.g. 午饭35 or 'lunch 12 dollars'"
                ) from None
            from skills.bookkeeping.proposals import propose_entries

            for item in propose_entries(
                llm,
                text,
                today=today,
                default_currency=ctx.settings.default_currency,
                cancel=ctx.cancel,
            ):
                if isinstance(item, Progress):
                    yield item
                else:
                    entries = item
            source = "model"
        ctx.cancel.raise_if_cancelled()
        yield NeedsConfirmation(
            skill=self.name,
            action="add_entries",
            preview=add_preview(entries, text, proposed_by_model=source == "model"),
            data={
                "entries": [e.to_dict() for e in entries],
                "utterance": text,
                "origin": request.origin,
                "history_id": ctx.history_id,
                "confirmation_id": uuid.uuid4().hex,
                "source": source,
                "choices": entry_choices(),
            },
        )

    def _propose_undo(self, ledger: Any, text: str) -> NeedsConfirmation:
        from skills.bookkeeping.display import entry_table, is_chinese

        action = ledger.last_action()
        if action is None:
            raise SkillError("nothing to undo: the ledger has no writes left to reverse")
        zh = is_chinese(text)
        if action.action in ("add", "import"):
            entries = ledger.entries_of(action.id)
            lines = entry_table([e.parsed() for e in entries], [e.id for e in entries])
            many = f"these {len(entries)} entries" if len(entries) > 1 else "this entry"
            head = f"撤销这 {len(entries)} 笔：" if zh else f"Undo {many}:"
            if "bills" in action.details:
                from skills.bookkeeping.bills.actions import undo_heading

                head = undo_heading(action.details, len(entries))
        else:
            d = action.details
            before, after = d["before"], d["after"]
            lines = [f"#{d['entry_id']}: {_describe(after)} → {_describe(before)}"]
            head = "撤销刚才的修改：" if zh else "Undo the last correction:"
        return NeedsConfirmation(
            skill=self.name,
            action="undo",
            preview="\n".join([head, *("  " + line for line in lines)]),
            data={"journal_id": action.id},
        )

    def _propose_amend(
        self, ledger: Any, changes: dict[str, Any], text: str
    ) -> NeedsConfirmation | Result:
        from skills.bookkeeping.display import is_chinese
        from skills.bookkeeping.parser import amount_to_json, validate_entry

        last = ledger.last_entry()
        if last is None:
            raise SkillError("there is no entry to correct yet")
        before = last.parsed().to_dict()
        plain = {
            k: (amount_to_json(v) if isinstance(v, Decimal) else v) for k, v in changes.items()
        }
        after = validate_entry({**before, **plain}).to_dict()
        zh = is_chinese(text)
        if after == before:
            same = f"#{last.id}: {_describe(before)}"
            return Result(
                text=("最后一笔已经是这样：" if zh else "The last entry already says that: ")
                + same,
                payload={"entry_id": last.id, "changed": False},
            )
        head = "修改最后一笔：" if zh else "Correct the last entry:"
        return NeedsConfirmation(
            skill=self.name,
            action="amend_entry",
            preview=f"{head}\n  #{last.id}: {_describe(before)} → {_describe(after)}",
            data={"entry_id": last.id, "changes": plain},
        )

    def _answer(self, ledger: Any, question: Any, text: str) -> Result:
        from skills.bookkeeping.display import CATEGORY_LABELS_ZH, is_chinese, money

        totals = ledger.totals(
            question.period.start,
            question.period.end,
            kind=question.kind,
            category=question.category,
        )
        zh = is_chinese(text)
        period = question.period
        span = f"{period.start.isoformat()}..{period.end.isoformat()}"
        if zh:
            what = CATEGORY_LABELS_ZH.get(question.category or "", "")
            verb = "收入" if question.kind == "income" else "支出"
            label = f"{span} {what}{verb}"
            if totals:
                parts = [f"{money(t.amount, t.currency)}（{t.count} 笔）" for t in totals]
                answer = f"{label}：" + "，".join(parts)
            else:
                answer = f"{label}：没有记录"
        else:
            what = f" on {question.category}" if question.category else ""
            verb = "Received" if question.kind == "income" else "Spent"
            label = f"{verb}{what} {period.label} ({span})"
            if totals:
                parts = [
                    f"{money(t.amount, t.currency)} ({t.count} {'entry' if t.count == 1 else 'entries'})"
                    for t in totals
                ]
                answer = f"{label}: " + ", ".join(parts)
            else:
                answer = f"{label}: nothing recorded"
        from skills.bookkeeping.parser import amount_to_json

        return Result(
            text=answer,
            payload={
                "question": {
                    "kind": question.kind,
                    "category": question.category,
                    "start": period.start.isoformat(),
                    "end": period.end.isoformat(),
                    "period": period.label,
                },
                "totals": [
                    {"currency": t.currency, "amount": amount_to_json(t.amount), "count": t.count}
                    for t in totals
                ],
            },
        )

    # -- apply ---------------------------------------------------------------------

    def apply(self, action: str, data: dict[str, Any], ctx: SkillContext) -> Iterator[Event]:
        ledger = ledger_for(ctx)
        if action == "add_entries":
            yield self._apply_add(ledger, data, ctx)
        elif action == "import_bills":
            from skills.bookkeeping.bills.actions import apply_import

            yield apply_import(ledger, data)
        elif action == "set_budget":
            from skills.bookkeeping.budget_actions import apply_budget

            yield apply_budget(ledger, data, ctx.current_date())
        elif action == "add_recurring":
            from skills.bookkeeping.budget_actions import apply_recurring

            yield apply_recurring(ledger, data)
        elif action == "undo":
            yield self._apply_undo(ledger, data)
        elif action == "amend_entry":
            yield self._apply_amend(ledger, data)
        else:
            raise SkillError(f"the bookkeeping skill has no action {action!r}")

    def _apply_add(self, ledger: Any, data: dict[str, Any], ctx: SkillContext) -> Result:
        from skills.bookkeeping.display import entry_table
        from skills.bookkeeping.parser import validate_entry

        raw = data.get("entries")
        if not isinstance(raw, list) or not raw:
            raise UsageError("nothing to record: the confirmation holds no entries")
        entries = []
        for i, item in enumerate(raw):
            try:
                entries.append(validate_entry(item))
            except UsageError as exc:
                raise UsageError(f"entry #{i + 1}: {exc.message}") from None
        key = str(data.get("confirmation_id") or uuid.uuid4().hex)
        history_id = data.get("history_id")
        from skills.bookkeeping.budget_actions import after_add, watch_for

        watch = watch_for(ledger, entries)
        outcome = ledger.add(
            entries,
            key=key,
            utterance=str(data.get("utterance") or ""),
            history_id=history_id if isinstance(history_id, int) else ctx.history_id,
        )
        noun = "entry" if len(entries) == 1 else "entries"
        if outcome.already_recorded:
            text = f"Already recorded ({len(outcome.entry_ids)} {noun}); nothing written again."
        else:
            text = "\n".join(
                [f"Recorded {len(entries)} {noun}:"]
                + ["  " + line for line in entry_table(entries, outcome.entry_ids)]
                + after_add(ledger, data, entries, watch)
            )
        return Result(
            text=text,
            payload={
                "entry_ids": outcome.entry_ids,
                "journal_id": outcome.journal_id,
                "already_recorded": outcome.already_recorded,
                "entries": [e.to_dict() for e in entries],
            },
        )

    def _apply_undo(self, ledger: Any, data: dict[str, Any]) -> Result:
        journal_id = data.get("journal_id")
        if journal_id is not None and not isinstance(journal_id, int):
            raise UsageError("journal_id must be a number")
        row = ledger.undo(journal_id=journal_id)
        if row.action in ("add", "import"):
            count = len(row.details.get("entry_ids", []))
            text = f"Undone: {count} {'entry' if count == 1 else 'entries'} removed."
        else:
            text = f"Undone: entry #{row.details['entry_id']} is back to {_describe(row.details['before'])}."
        return Result(text=text, payload={"journal_id": row.id, "action": row.action})

    def _apply_amend(self, ledger: Any, data: dict[str, Any]) -> Result:
        entry_id = data.get("entry_id")
        changes = data.get("changes")
        if not isinstance(entry_id, int) or not isinstance(changes, dict) or not changes:
            raise UsageError("an amendment needs entry_id and changes")
        row = ledger.amend(entry_id, changes)
        return Result(
            text=f"Corrected #{entry_id}: {_describe(row.details['after'])}",
            payload={"entry_id": entry_id, "journal_id": row.id, "entry": row.details["after"]},
        )


_NUMBER_WORDS = (
    r"\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|"
    r"seventy|eighty|ninety|hundred|thousand|million|dozen|half|couple|grand|buck|bucks)\b"
)


def _has_number(text: str) -> bool:
    """Whether ``text`` holds anything that reads as a number: digits, Chinese numerals,
    or number words the parser leaves to the model ("lunch was twelve fifty")."""
    import re

    from skills.bookkeeping.amounts import find_amounts
    from skills.bookkeeping.parser import normalise

    clean = normalise(text)
    return bool(find_amounts(clean)) or bool(re.search(_NUMBER_WORDS, clean, re.IGNORECASE))


def _describe(entry: dict[str, Any]) -> str:
    amount = Decimal(str(entry["amount"]))
    item = entry.get("item") or "-"
    return f"{entry['date']} {entry['category']} {item} {amount:,.2f} {entry['currency']}"
