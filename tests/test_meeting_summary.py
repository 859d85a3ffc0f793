"""Meeting notes through a language model: map-reduce against the scripted
OpenAI-compatible server (real HTTP through the real client), retries, a part that
keeps failing, cancel while the model thinks, and no provider at all."""

from __future__ import annotations

import json

import pytest
from scripted_provider import Reply

from assistant.config import load_settings
from assistant.events import Failed, Progress, Result
from assistant.frontend.app import App
from assistant.skill import CancelToken, Request

TRANSCRIPT_LINES = [
    # part 1
    "[00:00] Ana: Part-A starts: we review the budget for the new office.",
    "[00:10] Bob: Rent is the largest item in the budget this year.",
    "[00:20] Ana: I'll send the budget sheet to everyone by Friday.",
    # part 2
    "[00:30] Bob: Part-B starts: furniture costs went up by ten percent.",
    "[00:40] Ana: We decided to buy the desks from the cheaper supplier.",
    "[00:50] Bob: The supplier delivers within three weeks of the order.",
    # part 3
    "[01:00] Li: Part-C starts: the forecast for next quarter looks thin.",
    "[01:10] Li: Li will update the forecast by Monday.",
    "[01:20] Ana: Who approves spending above the budget limit?",
    # part 4
    "[01:30] Bob: Part-D starts: the movers need a date for the office move.",
    "[01:40] Ana: Let's book the movers for the last week of March.",
    "[01:50] Bob: Then we close the budget review for today.",
]
PART_MARKERS = ("Part-A", "Part-B", "Part-C", "Part-D")


def _write_transcript(tmp_path, lines=TRANSCRIPT_LINES):
    path = tmp_path / "budget.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(path, *, part_chars=None, cancel=None, on_event=None):
    app = App(load_settings())
    options = {"path": str(path), "language": "auto"}
    if part_chars:
        options["part_chars"] = part_chars
    events = []
    for event in app.runtime.run(
        Request("meeting notes: budget", skill="meeting_notes", options=options), cancel=cancel
    ):
        events.append(event)
        if on_event:
            on_event(event)
    return app, events


def _notes_json(summary, **extra):
    return json.dumps(
        {"summary": summary, "decisions": [], "action_items": [], "open_questions": [], **extra}
    )


def test_map_reduce_with_a_retried_part_and_a_failed_part(tmp_path, provider_env):
    provider = provider_env
    tries: dict[str, int] = {}

    def respond(body):
        system, user = body["messages"][0]["content"], body["messages"][1]["content"]
        if "one part of a meeting transcript" in system:
            marker = next(m for m in PART_MARKERS if m in user)
            tries[marker] = tries.get(marker, 0) + 1
            if marker == "Part-B" and tries[marker] == 1:
                return Reply(status=500, error_message="overloaded")  # the client retries
            if marker == "Part-C":
                return Reply("Sorry, I cannot help with that.")  # never JSON
            items = []
            if marker == "Part-A":
                items = [{"what": "send the budget sheet", "owner": "Ana", "due": "Friday"}]
            return Reply(_notes_json([f"{marker} summary point"], action_items=items))
        parts = json.loads(user)
        assert [p["part"] for p in parts] == [1, 2, 3, 4]
        return Reply(
            json.dumps(
                {
                    "title": "Budget review",
                    "summary": [p["summary"][0] for p in parts if p["summary"]],
                    "decisions": ["Buy desks from the cheaper supplier"],
                    "action_items": [a for p in parts for a in p["action_items"]],
                    "open_questions": [q for p in parts for q in p["open_questions"]],
                }
            )
        )

    provider.responder = respond
    app, events = _run(_write_transcript(tmp_path), part_chars=220)

    result = next(e for e in events if isinstance(e, Result))
    notes = result.payload["notes"]
    assert result.payload["offline"] is False
    assert notes["title"] == "Budget review"
    assert tries == {"Part-A": 1, "Part-B": 2, "Part-C": 2, "Part-D": 1}
    assert len(provider.requests) == 7  # 4 parts + 1 retried + 1 tried again + the reduce
    [problem] = notes["problems"]
    assert "part 3 of 4 (01:00–01:30)" in problem and "offline extractor" in problem

    # the failed part was not lost: its offline notes went into the reduce
    reduce_input = json.loads(provider.requests[-1]["messages"][1]["content"])
    part_c = reduce_input[2]
    assert {"what": "update the forecast", "owner": "Li", "due": "by Monday"} in part_c[
        "action_items"
    ]
    assert "Who approves spending above the budget limit?" in part_c["open_questions"]
    assert {"what": "update the forecast", "owner": "Li", "due": "by Monday", "at": None} in (
        notes["action_items"]
    )

    # one progress step per map and the reduce, with retries shown
    steps = [e for e in events if isinstance(e, Progress) and e.stage == "summarizing"]
    assert {e.total for e in steps} == {5}
    assert {e.done for e in steps} >= {0, 1, 2, 3, 4, 5}
    retries = [e for e in events if isinstance(e, Progress) and e.stage == "retrying"]
    assert any("overloaded" in e.message or "500" in e.message for e in retries)
    assert any("part 3 of 4" in e.message for e in retries)

    # stored and searchable; the Markdown lists the problem
    assert "# Budget review" in result.text and "## Problems" in result.text
    assert [x.id for x in app.history.search("forecast")]


def test_one_part_is_one_call_in_the_meetings_language(tmp_path, provider_env):
    lines = ["张伟：我来整理会议纪要，下周五前发给大家。", "李娜：我们决定下个月上线。"]
    provider_env.queue_reply(
        json.dumps(
            {
                "title": "上线计划",
                "summary": ["下个月上线"],
                "decisions": ["下个月上线"],
                "action_items": [{"what": "整理会议纪要", "owner": "张伟", "due": "下周五前"}],
                "open_questions": [],
            },
            ensure_ascii=False,
        )
    )
    _, events = _run(_write_transcript(tmp_path, lines))
    result = next(e for e in events if isinstance(e, Result))
    [request] = provider_env.requests
    assert "Simplified Chinese" in request["messages"][0]["content"]
    assert "张伟: 我来整理会议纪要" in request["messages"][1]["content"]
    assert result.payload["language"] == "zh" and result.payload["offline"] is False
    assert "# 上线计划" in result.text
    assert "- [ ] 整理会议纪要 (负责人: 张伟; 截止: 下周五前)" in result.text


def test_an_owner_or_due_date_nobody_said_is_not_written(tmp_path, provider_env):
    """What the built-in 1.5B model did with a Mandarin recording: a due time read off a
    line's stamp and an owner for a meeting nobody chairs. The item stays; the owner and
    date the transcript does not hold go."""
    lines = [
        "[00:13] 那等我们到海洋馆之后，给妈妈买个礼物，好不好呀？",
        "[00:20] 张伟：我来整理会议纪要，下周五前发给大家。",
        "[00:28] 李娜：预算表三月十五号之前交。",
    ]
    provider_env.queue_reply(
        json.dumps(
            {
                "title": "安排",
                "summary": ["海洋馆之后买礼物"],
                "decisions": [],
                "action_items": [
                    {"what": "给妈妈买礼物", "owner": "主持人", "due": "20:20"},
                    {"what": "整理会议纪要", "owner": "张伟", "due": "下周五前"},
                    {"what": "交预算表", "owner": "李娜", "due": "3月15日前"},
                    {"what": "订场地", "owner": None, "due": "明天"},
                    # the 1.5B's answer for an English meeting's only item
                    {"what": "[null]", "owner": "[null]", "due": "[null]"},
                ],
                "open_questions": [],
            },
            ensure_ascii=False,
        )
    )
    _, events = _run(_write_transcript(tmp_path, lines))
    result = next(e for e in events if isinstance(e, Result))
    assert "- [ ] 给妈妈买礼物\n" in result.text + "\n", result.text
    assert "主持人" not in result.text and "20:20" not in result.text
    assert "- [ ] 整理会议纪要 (负责人: 张伟; 截止: 下周五前)" in result.text
    assert "- [ ] 交预算表 (负责人: 李娜; 截止: 3月15日前)" in result.text
    assert "明天" not in result.text  # said by nobody
    assert "null" not in result.text


def _kept(said: str, owner: str | None, due: str | None):
    """The one action item as the notes keep it, from a line "Speaker: text"."""
    from skills.meeting_notes.notes_model import ActionItem, TranscriptLine
    from skills.meeting_notes.summarizer import PartNotes, keep_what_was_said

    speaker, _, text = said.partition("：" if "：" in said else ": ")
    line = TranscriptLine(start=0.0, text=text, speaker=speaker)
    notes = PartNotes(action_items=[ActionItem("do it", owner, due)])
    [item] = keep_what_was_said(notes, [line]).action_items
    return item


@pytest.mark.parametrize(
    "said, owner, due, kept",
    [
        # a due date as a note-taker writes what was said
        ("小吴：我下周五之前出终稿 十月二十四号", "小吴", "10月24日（下周五）前", True),
        ("马丽：好 我这周内整理出来。", "马丽", "本周内", True),
        ("Ana: if you can do it before Thursday that'd help", "Ana", "before Thursday", True),
        ("马丽：最晚十九号要上传。十月二十一号开始预售。", "马丽", "10月19日前", True),
        ("李娜：预算表三月十五号之前交。", "李娜", "3月15日", True),
        # a number nobody said, a day nobody said
        ("李娜：预算表三月十五号之前交。", "李娜", "3月25日", False),
        ("Ana: I'll send it in 2026.", "Ana", "20:26", False),
        ("马丽：好 我这周内整理出来。", "马丽", "下周一", False),
        # what a review found: times and dates as written, 下个星期, a weekday's numeral
        # said elsewhere, a clock time from a number said elsewhere
        ("Ana: I'll have the deck ready by 15:00.", "Ana", "15:00", True),
        ("Ana: the launch is on 2026-12-15, so the deck by 3/15.", "Ana", "3/15", True),
        ("张伟：我下午3:30之前发出来。", "张伟", "下午3:30前", True),
        ("张伟：我下午三点半之前发出来。", "张伟", "15:00", False),
        ("小吴：我下个星期五之前出终稿。", "小吴", "下周五前", True),
        ("小吴：我们这个月底之前交。", "小吴", "本月底", True),
        ("小吴：先看一下终稿。", "小吴", "周一", False),
        ("小吴：二十个人参加。", "小吴", "20:20", False),
        ("Ana: next time we plan, it is Friday.", "Ana", "next Friday", True),
        ("Ana: we meet next week, the end of it maybe.", "Ana", "end of month", False),
        ("小吴：我下周五之前出终稿。", "小吴", "下周五（12月20日）", False),
    ],
)
def test_a_due_date_is_kept_when_the_transcript_says_it(said, owner, due, kept):
    item = _kept(said, owner, due)
    assert item.owner == owner
    assert (item.due == due) is kept and (item.due is None) is not kept


@pytest.mark.parametrize(
    "said, owner, kept",
    [
        ("王总：这个我来跟进。", "王总", True),
        ("Ana: Dr. Lee will check the numbers tomorrow.", "Dr. Lee", True),
        ("李娜：我做。张伟：我也一起。", "李娜和张伟", True),
        ("Ana: we should plan it tomorrow, all of us.", "Tom", False),
        ("Ana: the planning is for all of us.", "Ann", False),
        ("小吴：我们到海洋馆之后再说。", "于洋", False),
        ("Bob: we need someone for the budget.", "Project Manager", False),
    ],
)
def test_an_owner_is_kept_when_the_transcript_names_them(said, owner, kept):
    item = _kept(said, owner, None)
    assert (item.owner == owner) is kept and (item.owner is None) is not kept


def test_notes_in_another_language_are_checked_on_their_numbers():
    from skills.meeting_notes.notes_model import ActionItem, TranscriptLine
    from skills.meeting_notes.summarizer import PartNotes, keep_what_was_said

    line = TranscriptLine(start=0.0, text="我下周五之前交，三月十五号上线。", speaker="张伟")
    notes = PartNotes(
        action_items=[
            ActionItem("hand it in", "Zhang Wei", "next Friday"),
            ActionItem("launch", None, "by March 15"),
            ActionItem("review", None, "March 25"),
        ]
    )
    kept = keep_what_was_said(notes, [line], same_language=False).action_items
    assert [(i.owner, i.due) for i in kept] == [
        ("Zhang Wei", "next Friday"),
        (None, "by March 15"),
        (None, None),
    ]


def test_cancel_while_the_model_thinks_stores_nothing(tmp_path, provider_env):
    provider_env.queue_reply(_notes_json(["never"]), delay_before_first_token=60)
    cancel = CancelToken()

    def cancel_on_heartbeat(event):
        # a heartbeat from the client while the model has not answered yet ("… 1 s")
        if (
            isinstance(event, Progress)
            and event.stage == "summarizing"
            and event.message.endswith(" s")
        ):
            cancel.cancel()

    app, events = _run(_write_transcript(tmp_path), cancel=cancel, on_event=cancel_on_heartbeat)
    assert isinstance(events[-1], Failed) and events[-1].kind == "cancelled"
    assert not any(isinstance(e, Result) for e in events)
    count = app.history.db.execute("select count(*) from meetings").fetchone()[0]
    assert count == 0
    assert app.history.list(1)[0].status == "cancelled"


@pytest.mark.parametrize("status", [401, 500])
def test_a_provider_that_fails_gives_labelled_offline_notes(tmp_path, provider_env, status):
    provider_env.responder = lambda body: Reply(status=status, error_message="nope")
    _, events = _run(_write_transcript(tmp_path))
    result = next(e for e in events if isinstance(e, Result))
    assert result.payload["offline"] is True
    assert "Offline notes (the language model" in result.text
    assert "send the budget sheet" in result.text  # the pattern-based action item


def test_a_merge_that_drops_most_of_the_parts_notes_is_not_used(tmp_path, provider_env):
    def respond(body):
        system, user = body["messages"][0]["content"], body["messages"][1]["content"]
        if "one part of a meeting transcript" in system:
            marker = next(m for m in PART_MARKERS if m in user)
            return Reply(
                _notes_json(
                    [f"{marker} summary point"],
                    decisions=[f"{marker} decision"],
                    action_items=[{"what": f"{marker} task", "owner": "Ana", "due": ""}],
                )
            )
        # a small model's merge: the whole meeting condensed into one decision
        return Reply(
            json.dumps(
                {
                    "title": "Budget review",
                    "summary": ["The office budget was reviewed."],
                    "decisions": ["Part-A decision"],
                    "action_items": [],
                    "open_questions": [],
                }
            )
        )

    provider_env.responder = respond
    _, events = _run(_write_transcript(tmp_path), part_chars=220)
    notes = next(e for e in events if isinstance(e, Result)).payload["notes"]
    assert notes["decisions"] == [f"{m} decision" for m in PART_MARKERS]
    assert [a["what"] for a in notes["action_items"]] == [f"{m} task" for m in PART_MARKERS]
    assert notes["title"] == "Budget review"
    assert notes["summary"] == ["The office budget was reviewed."]
    [problem] = notes["problems"]
    assert "merging the parts kept 1 of their 8 decisions and action items" in problem
