"""When the rules find no amount and a provider is configured, the model may propose
entries. Its answer must be JSON matching ``ENTRIES_SCHEMA`` (checked here by a small
validator for the JSON-Schema keywords the schema uses) and every entry must pass the
same checks as one typed by hand; the user still confirms before anything is written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

from assistant.config import CURRENCIES
from assistant.errors import ProviderError
from assistant.events import Progress
from skills.bookkeeping.lexicon import EXPENSE_CATEGORIES, INCOME_CATEGORIES
from skills.bookkeeping.parser import NoAmountError, ParsedEntry, validate_entry

ENTRIES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["entries"],
    "additionalProperties": False,
    "properties": {
        "entries": {
            "type": "array",
            "maxItems": 20,
            "items": {
                "type": "object",
                "required": ["amount", "currency", "category", "item", "date", "kind"],
                "additionalProperties": False,
                "properties": {
                    "amount": {"type": "number", "exclusiveMinimum": 0, "maximum": 99999999.99},
                    "currency": {"enum": list(CURRENCIES)},
                    "category": {"enum": sorted(set(EXPENSE_CATEGORIES) | set(INCOME_CATEGORIES))},
                    "item": {"type": "string", "maxLength": 60},
                    "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
                    "kind": {"enum": ["expense", "income"]},
                },
            },
        }
    },
}

_TYPES: dict[str, Any] = {
    "object": dict,
    "array": list,
    "string": str,
    "boolean": bool,
}


class SchemaViolation(ValueError):
    pass


def check_schema(value: Any, schema: dict[str, Any], where: str = "$") -> None:
    """Raise ``SchemaViolation`` naming the first place ``value`` breaks ``schema``."""
    kind = schema.get("type")
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise SchemaViolation(f"{where} must be a number")
    elif kind == "integer":
        if isinstance(value, bool) or not isinstance(value, int):
            raise SchemaViolation(f"{where} must be an integer")
    elif kind is not None and not isinstance(value, _TYPES[kind]):
        raise SchemaViolation(f"{where} must be {kind}")
    if "enum" in schema and value not in schema["enum"]:
        raise SchemaViolation(f"{where} must be one of {', '.join(map(str, schema['enum']))}")
    if "exclusiveMinimum" in schema and not value > schema["exclusiveMinimum"]:
        raise SchemaViolation(f"{where} must be greater than {schema['exclusiveMinimum']}")
    if "maximum" in schema and value > schema["maximum"]:
        raise SchemaViolation(f"{where} must be at most {schema['maximum']}")
    if "pattern" in schema and not re.search(schema["pattern"], value):
        raise SchemaViolation(f"{where} does not look like {schema['pattern']}")
    if "maxLength" in schema and len(value) > schema["maxLength"]:
        raise SchemaViolation(f"{where} is longer than {schema['maxLength']}")
    if isinstance(value, dict):
        for key in schema.get("required", ()):
            if key not in value:
                raise SchemaViolation(f"{where}.{key} is missing")
        props = schema.get("properties", {})
        for key, item in value.items():
            if key in props:
                check_schema(item, props[key], f"{where}.{key}")
            elif schema.get("additionalProperties") is False:
                raise SchemaViolation(f"{where}.{key} is not allowed")
    if isinstance(value, list):
        if "maxItems" in schema and len(value) > schema["maxItems"]:
            raise SchemaViolation(f"{where} has more than {schema['maxItems']} items")
        for i, item in enumerate(value):
            check_schema(item, schema.get("items", {}), f"{where}[{i}]")


def _instructions(today: dt.date, default_currency: str) -> str:
    return (
        "You turn a spoken bookkeeping sentence into ledger entries. Answer with one JSON "
        "object and nothing else, matching this JSON Schema:\n"
        + json.dumps(ENTRIES_SCHEMA, ensure_ascii=False)
        + f"\nToday is {today.isoformat()} ({today.strftime('%A')}). Dates are ISO. "
        f"If no currency is said use {default_currency}. Expense categories: "
        + ", ".join(EXPENSE_CATEGORIES)
        + ". Income categories: "
        + ", ".join(INCOME_CATEGORIES)
        + ". The item is a short noun phrase in the speaker's language. If the sentence "
        'states no amount of money, answer {"entries": []}. Never guess an amount.'
    )


def _json_from(text: str) -> Any:
    body = text.strip()
    fenced = re.search(r"```(?:json)?\s*(.*?)```", body, re.DOTALL)
    if fenced:
        body = fenced.group(1).strip()
    return json.loads(body)


def entries_from_answer(text: str) -> list[ParsedEntry]:
    """Validate the model's answer; raise ``ProviderError``/``NoAmountError`` if unusable."""
    try:
        value = _json_from(text)
    except json.JSONDecodeError as exc:
        raise ProviderError(f"the model's answer was not JSON ({exc.msg})") from None
    try:
        check_schema(value, ENTRIES_SCHEMA)
    except SchemaViolation as exc:
        raise ProviderError(f"the model's answer did not fit the entry schema: {exc}") from None
    if not value["entries"]:
        raise NoAmountError("no amount found, and the model found none either: say how much")
    entries = []
    for i, raw in enumerate(value["entries"]):
        try:
            entries.append(validate_entry(raw))
        except Exception as exc:  # a UsageError about one field
            message = getattr(exc, "message", str(exc))
            raise ProviderError(f"the model proposed a bad entry #{i + 1}: {message}") from None
    return entries


def propose_entries(
    llm: Any, text: str, *, today: dt.date, default_currency: str, cancel: Any = None
) -> Iterator[Progress | list[ParsedEntry]]:
    """Yield the client's progress while it thinks, then the validated entries."""
    from assistant.llm import Completion

    messages = [
        {"role": "system", "content": _instructions(today, default_currency)},
        {"role": "user", "content": text},
    ]
    completion: Completion | None = None
    for item in llm.stream(
        messages,
        cancel=cancel,
        stage="proposing",
        message="asking the model for entries",
        temperature=0,
    ):
        if isinstance(item, Completion):
            completion = item
        elif isinstance(item, Progress):
            yield item
    if completion is None:
        raise ProviderError("the model gave no answer")
    yield entries_from_answer(completion.text)
