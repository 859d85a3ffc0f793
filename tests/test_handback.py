"""A misrouted request ends in an answer: the routed skill hands back what it cannot act
on, the runtime runs the next candidate (chat last), and the history row says so.

Real parts throughout: the installed skills and router, the SQLite history, ``ting``
in a subprocess, a scripted OpenAI-compatible server on loopback as the provider.
"""

from __future__ import annotations

from typing import Any

import pytest
from fixtures_core import assert_clean_failure

from assistant.events import Failed, Progress, Result
from assistant.frontend.app import App
from assistant.router import RouteDecision
from assistant.skill import Request
from skills.chat.skill import SYSTEM_PROMPT


def chat_system_messages(provider: Any) -> list[str]:
    return [r["messages"][0]["content"] for r in provider.requests]


def test_a_code_edit_naming_no_file_is_answered_by_chat(ting, provider) -> None:
    provider.queue_reply("Name the file and I'll make the edit.")
    ran = ting("ask", "rename parse_date to parse_day", "--json", env=provider.env)
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    progress = [(e["stage"], e["message"]) for e in events if e["type"] == "progress"]
    stages = [stage for stage, _ in progress]
    assert stages[:3] == ["routed", "handed_back", "routed"]
    assert progress[0][1].startswith("diff (rules")
    assert progress[1][1] == "diff found nothing to do here; chat takes it"
    assert progress[2][1].startswith("chat (handed back by diff")
    assert "name the file" not in ran.out + ran.err
    assert events[-1]["type"] == "result"
    assert events[-1]["text"] == "Name the file and I'll make the edit."
    # chat was told what the first skill missed, so its answer can say so
    (system,) = chat_system_messages(provider)
    assert system.startswith(SYSTEM_PROMPT)
    assert "diff: name the file to edit" in system

    (row,) = ting("history", "list", "--json").json_lines()[0]["exchanges"]
    assert (row["skill"], row["status"], row["route_source"]) == ("chat", "ok", "rules")
    route = row["route"]
    assert route["skill"] == "diff"
    assert {c["skill"] for c in route["candidates"]} >= {"diff", "chat"}
    (handed,) = route["handed_back"]
    assert handed["skill"] == "diff" and handed["reason"].startswith("name the file to edit")


def test_without_a_provider_the_end_is_what_to_set_not_what_the_wrong_skill_missed(
    ting,
) -> None:
    ran = ting("ask", "rename parse_date to parse_day")
    assert ran.code != 0
    assert "Traceback" not in ran.err
    (line,) = [line for line in ran.err.splitlines() if line.strip()]
    assert line.startswith("ting: ") and "provider" in line
    assert "name the file" not in line
    (row,) = ting("history", "list", "--json").json_lines()[0]["exchanges"]
    assert row["skill"] == "chat" and row["route"]["handed_back"][0]["skill"] == "diff"


def test_a_skill_the_user_named_does_not_hand_back(ting, provider) -> None:
    ran = ting("ask", "--skill", "diff", "rename parse_date to parse_day", env=provider.env)
    assert_clean_failure(ran, code=1, mentions="name the file to edit")
    assert provider.requests == []


def test_a_ledger_sentence_with_no_amount_is_answered_by_chat(ting, provider) -> None:
    provider.queue_reply("How much was it?")
    ran = ting("ask", "记一笔午饭", "--json", env=provider.env)
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    assert events[0]["message"].startswith("bookkeeping")
    assert [e["stage"] for e in events if e["type"] == "progress"][1] == "handed_back"
    assert events[-1]["text"] == "How much was it?"
    (row,) = ting("history", "list", "--json").json_lines()[0]["exchanges"]
    assert row["route"]["handed_back"][0]["skill"] == "bookkeeping"


def test_meeting_notes_hand_back_a_request_naming_no_meeting(provider_env) -> None:
    """The issue's "summarize the plot of Hamlet" once went to meeting notes with 0.98;
    routed there anyway (a router's mistake), it still ends in chat's answer."""
    app = App.from_environment()
    provider_env.queue_reply("Hamlet avenges his father…")
    mistaken = RouteDecision(
        "meeting_notes", 0.98, "local", (("meeting_notes", 0.98), ("chat", 0.02))
    )
    runtime = app.runtime
    runtime._route = lambda text: mistaken
    events = list(runtime.run(Request("summarize the plot of Hamlet in three sentences")))
    assert isinstance(events[-1], Result) and events[-1].text == "Hamlet avenges his father…"
    assert [e.stage for e in events if isinstance(e, Progress)][:3] == [
        "routed",
        "handed_back",
        "routed",
    ]
    row = app.history.list(1)[0]
    assert row.skill == "chat"
    assert row.route["handed_back"][0]["skill"] == "meeting_notes"
    assert "names no meeting" in row.route["handed_back"][0]["reason"]


def test_a_meeting_request_with_no_recording_keeps_its_own_answer(ting) -> None:
    """Not a misroute: the user asked for a meeting's notes, and hears there is none."""
    ran = ting("ask", "整理一下刚才的会议")
    assert ran.code == 1
    assert "there is no meeting recording yet" in ran.err
    (row,) = ting("history", "list", "--json").json_lines()[0]["exchanges"]
    assert row["skill"] == "meeting_notes" and "handed_back" not in row["route"]


@pytest.mark.parametrize(
    "text",
    ["please reply briefly to this message", "reply to this test message with OK"],
)
def test_the_issues_requests_end_in_an_answer(ting, provider, text: str) -> None:
    if ting("route", text, "--json", "--offline").json_lines()[0]["unsure"]:
        provider.queue_reply("chat")  # the router's question to the model comes first
    provider.queue_reply("OK")
    ran = ting("ask", text, "--json", env=provider.env)
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    assert events[-1]["type"] == "result" and events[-1]["text"] == "OK"
    assert not [e for e in events if e["type"] == "error"]


def test_route_json_shows_the_candidates(ting) -> None:
    ran = ting("route", "今天天气怎么样", "--json")
    assert ran.code == 0, ran.err
    (data,) = ran.json_lines()
    assert set(data) == {"skill", "confidence", "source", "unsure", "candidates"}
    assert data["skill"] == "chat" and data["source"] == "local"
    assert data["candidates"][0] == {"skill": "chat", "score": data["confidence"]}
    assert {c["skill"] for c in data["candidates"]} == {
        "bookkeeping",
        "chat",
        "diff",
        "meeting_notes",
        "translation",
    }
    plain = ting("route", "今天天气怎么样")
    assert plain.out.split("\t")[0] == "chat" and plain.out.endswith("\tlocal\n")


@pytest.mark.parametrize(
    ("args", "code", "mentions"),
    [
        (["route"], 2, "Missing argument"),
        (["route", "   "], 2, "nothing to do: the text is empty"),
        (["route", "--bogus", "x"], 2, "No such option"),
    ],
)
def test_route_bad_input_is_one_line(ting, args, code, mentions) -> None:
    assert_clean_failure(ting(*args), code=code, mentions=mentions)


def test_route_reads_standard_input(ting) -> None:
    ran = ting("route", "-", "--json", input="把这句翻成英文：你好")
    assert ran.code == 0, ran.err
    assert ran.json_lines()[0]["skill"] == "translation"
    assert_clean_failure(ting("route", "-", input="a\x00b"), code=2, mentions="NUL byte")
    assert_clean_failure(ting("route", "-", input=""), code=2, mentions="empty")


def test_an_unsure_route_asks_the_model(ting, provider) -> None:
    """An unsure local answer goes to the configured model; its choice is the route."""
    from scripted_provider import Reply

    from assistant.router import Router
    from assistant.router_model import is_routing_prompt

    text = next(
        t
        for t in ["那个 刚才 的 那个", "把那个改一下", "lunch", "three hundred"]
        if Router().local_decision(t).to_dict()["unsure"]
    )

    def respond(body: dict[str, Any]) -> Any:
        assert is_routing_prompt(body["messages"][0]["content"])
        return Reply('{"skill": "translation"}')

    provider.responder = respond
    ran = ting("route", text, "--json", env=provider.env)
    assert ran.code == 0, ran.err
    data = ran.json_lines()[0]
    assert (data["skill"], data["source"], data["unsure"]) == ("translation", "model", False)
    offline = ting("route", text, "--json", "--offline", env=provider.env).json_lines()[0]
    assert offline["source"] == "local" and offline["unsure"] is True
    assert len(provider.requests) == 1


def test_failed_events_still_end_a_forced_request(provider_env) -> None:
    app = App.from_environment()
    events = list(app.runtime.run(Request("rename a to b", skill="diff")))
    assert isinstance(events[-1], Failed) and events[-1].kind == "Declined"
