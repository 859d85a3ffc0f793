"""The history's tool: full-text search over past exchanges (see ``assistant.tool_registry``)."""

from __future__ import annotations

from typing import Any

from assistant.tool_registry import ToolContext, ToolSpec

TEXT_CHARS = 1000  # of each exchange's input and output; the whole row is `ting history show`


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= TEXT_CHARS:
        return text
    return text[:TEXT_CHARS] + f"… [{len(text) - TEXT_CHARS:,} more characters]"


def history_search(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    rows = ctx.history.search(args["query"], int(args.get("limit", 10)))
    return {
        "query": args["query"],
        "count": len(rows),
        "exchanges": [
            {
                "id": r.id,
                "created_at": r.created_at,
                "origin": r.origin,
                "skill": r.skill,
                "status": r.status,
                "input": _cut(r.input_text),
                "output": _cut(r.output_text),
            }
            for r in rows
        ],
    }


TOOLS = [
    ToolSpec(
        name="history_search",
        title="Search Ting's history",
        description=(
            "Full-text search of everything the user asked Ting and what Ting answered "
            "(voice, typed and command-line requests, with the skill that handled each). "
            "Every word must match; Chinese works character by character (午饭 finds "
            "昨天午饭花了三十五). Newest first."
        ),
        input_schema={
            "type": "object",
            "properties": {
                "query": {
                    "type": "string",
                    "minLength": 1,
                    "maxLength": 500,
                    "description": "Words to find, e.g. 'launch date' or 午饭",
                },
                "limit": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 100,
                    "default": 10,
                    "description": "At most this many exchanges",
                },
            },
            "required": ["query"],
            "additionalProperties": False,
        },
        function=history_search,
        progress="searching the history…",
    ),
]
