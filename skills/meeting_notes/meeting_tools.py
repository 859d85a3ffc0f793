"""Meeting notes as tools and resources (see ``assistant.tool_registry``): list the
meetings, get one's notes, search every meeting's notes; each meeting's Markdown is also
a resource ``ting://meetings/{id}``. Read-only."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from assistant.tool_registry import ResourceItem, ResourceSpec, ToolContext, ToolError, ToolSpec

MAX_TRANSCRIPT_LINES = 400
MAX_HITS_PER_MEETING = 8
# in the order matches are listed: what was decided before what was said about it
SECTIONS = ("decisions", "action_items", "open_questions", "summary", "transcript")


def _store(ctx: ToolContext) -> Any:
    from skills.meeting_notes.meeting_store import MeetingStore

    return MeetingStore(ctx.history)


def _date_filter(args: dict[str, Any]) -> tuple[str, list[Any]]:
    """SQL for ``since``/``until`` (dates, both ends included) on ``created_at``."""
    where: list[str] = []
    params: list[Any] = []
    for key, op in (("since", ">="), ("until", "<")):
        value = args.get(key)
        if not value:
            continue
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ToolError(f"{key} {value!r} is not a date (YYYY-MM-DD)") from None
        if key == "until":
            day += dt.timedelta(days=1)
        where.append(f"created_at {op} ?")
        params.append(day.isoformat())
    return (" where " + " and ".join(where)) if where else "", params


# the counts read from the stored JSON by SQLite, without loading whole transcripts
_COLUMNS = (
    "id, created_at, title, language, duration, offline,"
    " json_array_length(notes_json, '$.decisions') as decisions,"
    " json_array_length(notes_json, '$.action_items') as action_items"
)


def _summary(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": row["id"],
        "created_at": row["created_at"],
        "title": row["title"],
        "language": row["language"],
        "duration_s": row["duration"],
        "offline_notes": bool(row["offline"]),
        "decisions": row["decisions"] or 0,
        "action_items": row["action_items"] or 0,
    }


def meeting_list(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    store = _store(ctx)
    clause, params = _date_filter(args)
    rows = list(
        store.db.query(
            f"select {_COLUMNS} from meetings" + clause + " order by id desc limit ?",
            [*params, int(args.get("limit", 20))],
        )
    )
    return {"meetings": [_summary(r) for r in rows]}


def meeting_get_notes(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    meeting = _store(ctx).meeting(int(args["id"]))
    if meeting is None:
        raise ToolError(f"no meeting with id {args['id']} (meeting_list shows them)")
    notes = json.loads(meeting.notes_json)
    out: dict[str, Any] = {
        "id": meeting.id,
        "created_at": meeting.created_at,
        "title": meeting.title,
        "language": meeting.language,
        "duration_s": meeting.duration,
        "offline_notes": meeting.offline,
        "summary": notes.get("summary", []),
        "decisions": notes.get("decisions", []),
        "action_items": notes.get("action_items", []),
        "open_questions": notes.get("open_questions", []),
    }
    if args.get("include_transcript"):
        lines = notes.get("transcript", [])
        out["transcript"] = lines[:MAX_TRANSCRIPT_LINES]
        if len(lines) > MAX_TRANSCRIPT_LINES:
            out["transcript_note"] = f"the first {MAX_TRANSCRIPT_LINES} of {len(lines)} lines"
    return out


def _lines(notes: dict[str, Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for section in SECTIONS:
        for item in notes.get(section, []):
            if isinstance(item, dict):
                text = item.get("what") or item.get("text") or ""
                if section == "action_items" and item.get("owner"):
                    text = f"{item['owner']}: {text}"
            else:
                text = str(item)
            if text:
                out.append((section, text))
    return out


def meeting_search_notes(args: dict[str, Any], ctx: ToolContext) -> dict[str, Any]:
    terms = [t.lower() for t in str(args["query"]).split() if t.strip()]
    if not terms:
        raise ToolError("nothing to search for: the query has no words")
    store = _store(ctx)
    clause, params = _date_filter(args)
    # every term somewhere in the title or the notes; the JSON holds the text unescaped
    where = ["instr(lower(title || ' ' || notes_json), ?) > 0" for _ in terms]
    clause = clause + (" and " if clause else " where ") + " and ".join(where)
    rows = list(
        store.db.query(
            f"select {_COLUMNS}, notes_json from meetings" + clause + " order by id desc limit ?",
            [*params, *terms, int(args.get("limit", 10))],
        )
    )
    found = []
    for row in rows:
        notes = json.loads(row["notes_json"])
        scored = []
        for order, (section, text) in enumerate(_lines(notes)):
            low = text.lower()
            hits = sum(1 for t in terms if t in low)
            if hits:
                scored.append((-hits, SECTIONS.index(section), order, section, text))
        scored.sort()
        found.append(
            {
                **_summary(row),
                "matches": [
                    {"section": s, "text": t} for *_, s, t in scored[:MAX_HITS_PER_MEETING]
                ],
            }
        )
    return {"query": args["query"], "meetings": found}


def _resource_items(ctx: ToolContext) -> list[ResourceItem]:
    return [
        ResourceItem(str(m.id), m.title, f"meeting notes, {m.created_at[:10]}")
        for m in _store(ctx).meetings(limit=200)
    ]


def _resource_text(key: str, ctx: ToolContext) -> str:
    if not key.isdigit():
        raise ToolError(f"no meeting {key!r}")
    rows = list(_store(ctx).db.query("select markdown from meetings where id = ?", [int(key)]))
    if not rows:
        raise ToolError(f"no meeting with id {key}")
    return rows[0]["markdown"]


_DATES = {
    "since": {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}-\d{2}$",
        "description": "held on or after",
    },
    "until": {
        "type": "string",
        "pattern": r"^\d{4}-\d{2}-\d{2}$",
        "description": "held on or before",
    },
}

TOOLS: list[Any] = [
    ToolSpec(
        name="meeting_list",
        title="List meetings",
        description="The user's meetings with notes made by Ting (newest first): id, date, "
        "title, language, how many decisions and action items.",
        input_schema={
            "type": "object",
            "properties": {
                "limit": {"type": "integer", "minimum": 1, "maximum": 200, "default": 20},
                **_DATES,
            },
            "additionalProperties": False,
        },
        function=meeting_list,
        progress="listing meetings…",
    ),
    ToolSpec(
        name="meeting_get_notes",
        title="Get a meeting's notes",
        description="One meeting's notes: summary, decisions, action items (with owner and "
        "due date when said), open questions; the transcript too when asked.",
        input_schema={
            "type": "object",
            "properties": {
                "id": {"type": "integer", "minimum": 1},
                "include_transcript": {"type": "boolean", "default": False},
            },
            "required": ["id"],
            "additionalProperties": False,
        },
        function=meeting_get_notes,
        progress="reading the meeting notes…",
    ),
    ToolSpec(
        name="meeting_search_notes",
        title="Search meeting notes",
        description="Finds meetings whose notes or transcript contain every word of the "
        "query (e.g. 'launch date'), with the matching decisions, action items and "
        "transcript lines. Use since/until for 'last week's meetings'.",
        input_schema={
            "type": "object",
            "properties": {
                "query": {"type": "string", "minLength": 1, "maxLength": 200},
                "limit": {"type": "integer", "minimum": 1, "maximum": 50, "default": 10},
                **_DATES,
            },
            "required": ["query"],
            "additionalProperties": False,
        },
        function=meeting_search_notes,
        progress="searching the meeting notes…",
    ),
    ResourceSpec(
        uri_template="ting://meetings/{key}",
        name="meeting notes",
        description="A meeting's notes as Markdown (summary, decisions, action items, "
        "open questions, transcript)",
        mime_type="text/markdown",
        list_items=_resource_items,
        read_text=_resource_text,
    ),
]
