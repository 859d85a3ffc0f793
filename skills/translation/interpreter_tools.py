"""Saved interpreter sessions as tools (see ``assistant.tool_registry``): list them, get one
with every sentence and its translation. Read-only; the sessions are history rows."""

from __future__ import annotations

import json
from typing import Any

from assistant.tool_registry import ToolContext, ToolError, ToolSpec

MAX_SENTENCES = 500


def _rows(ctx: ToolContext, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    return list(ctx.history.db.query(sql, params))


def interpreter_session_list(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    rows = _rows(
        ctx,
        "select id, created_at, status, input_text,"
        " json_extract(output_json, '$.pair') as pair,"
        " json_array_length(output_json, '$.sentences') as sentences from exchanges"
        " where skill = 'translation' and route_source = 'interpreter'"
        " order by id desc limit ?",
        [int(args.get("limit", 20))],
    )
    return {
        "sessions": [
            {
                "id": r["id"],
                "created_at": r["created_at"],
                "status": r["status"],
                "title": r["input_text"],
                "pair": json.loads(r["pair"]) if r["pair"] else None,
                "sentences": r["sentences"] or 0,
            }
            for r in rows
        ]
    }


def interpreter_session_get(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    from skills.translation.interpreter.transcript import TRANSCRIPT_KIND

    rows = _rows(
        ctx,
        "select id, created_at, status, input_text, output_json from exchanges where id = ?",
        [int(args["id"])],
    )
    data = json.loads(rows[0]["output_json"]) if rows and rows[0]["output_json"] else None
    if not isinstance(data, dict) or data.get("kind") != TRANSCRIPT_KIND:
        raise ToolError(
            f"no interpreter session with id {args['id']} (interpreter_session_list shows them)"
        )
    sentences = [
        {
            "index": s.get("index"),
            "lang": s.get("lang"),
            "text": s.get("text"),
            "target_lang": s.get("target_lang"),
            "translation": s.get("translation"),
            "start_s": s.get("start_s"),
            "end_s": s.get("end_s"),
        }
        for s in data.get("sentences", [])
    ]
    out: dict[str, Any] = {
        "id": rows[0]["id"],
        "created_at": rows[0]["created_at"],
        "status": rows[0]["status"],
        "title": rows[0]["input_text"],
        "pair": data.get("pair"),
        "source": data.get("source"),
        "sentences": sentences[:MAX_SENTENCES],
    }
    if len(sentences) > MAX_SENTENCES:
        out["sentences_note"] = f"the first {MAX_SENTENCES} of {len(sentences)} sentences"
    return out


TOOLS = [
    ToolSpec(
        name="interpreter_session_list",
        title="List interpreter sessions",
        description="Saved live-interpreter sessions (two people speaking different "
        "languages, each sentence translated), newest first.",
        input_schema={
            "type": "object",
            "properties": {
                "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 20}
            },
            "additionalProperties": False,
        },
        function=interpreter_session_list,
        progress="listing interpreter sessions…",
    ),
    ToolSpec(
        name="interpreter_session_get",
        title="Get an interpreter session",
        description="One interpreter session: every sentence as heard, its language and "
        "its translation, with times.",
        input_schema={
            "type": "object",
            "properties": {"id": {"type": "integer", "minimum": 1}},
            "required": ["id"],
            "additionalProperties": False,
        },
        function=interpreter_session_get,
        progress="reading the interpreter session…",
    ),
]
