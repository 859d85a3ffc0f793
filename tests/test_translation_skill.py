"""The translation skill: the request parser as a table, the glossary, and `ting translate`
run as a user runs it against real SQLite and the scripted OpenAI-compatible server."""

from __future__ import annotations

import re

import pytest
from fixtures_core import assert_clean_failure
from scripted_provider import Reply

from skills.translation.glossary import GlossaryEntry, occurs_in, relevant_entries
from skills.translation.languages import guess_text_language, language_code, other_language
from skills.translation.request_parser import parse_translation_request

PARSER_CASES = [
    # (request, text to translate, target language named in it)
    ("把这句翻成英文：明天下午三点开会", "明天下午三点开会", "en"),
    ("how do you say 'invoice' in Chinese", "invoice", "zh"),
    ("invoice用中文怎么说", "invoice", "zh"),
    ("“谢谢你的帮助”英文怎么说", "谢谢你的帮助", "en"),
    ("我想说“我迷路了”，日语怎么讲", "我迷路了", "ja"),
    ("把“今天天气很好”翻成英文", "今天天气很好", "en"),
    ("把今天下午的会议取消了翻成英文", "今天下午的会议取消了", "en"),
    ("翻译一下：nice to meet you", "nice to meet you", None),
    ("请翻译：我明天下午有空", "我明天下午有空", None),
    ("“牛逼”用英文怎么表达", "牛逼", "en"),
    ("德语里“你好”怎么说", "你好", "de"),
    ("西班牙语的谢谢怎么说", "谢谢", "es"),
    ("这句英文什么意思：break a leg", "break a leg", None),
    ("这个单词怎么翻译：serendipity", "serendipity", None),
    ("“加油”翻成英语是什么", "加油", "en"),
    ("中译英：我们下周再讨论", "我们下周再讨论", "en"),
    ("英译中：the quick brown fox", "the quick brown fox", "zh"),
    ("用英语说一下“我对花生过敏”", "我对花生过敏", "en"),
    ("how do you say good morning in Japanese", "good morning", "ja"),
    ('translate "where is the train station" to German', "where is the train station", "de"),
    ("translate the weather is nice today into French", "the weather is nice today", "fr"),
    ("translate to English: the meeting is at three", "the meeting is at three", "en"),
    ("what does bonjour mean", "bonjour", None),
    ("how would you say I'm sorry in Korean", "I'm sorry", "ko"),
    ("what's the French word for butterfly", "butterfly", "fr"),
    ("what does 'schadenfreude' mean in English", "schadenfreude", "en"),
    ('say "nice to meet you" in Italian', "nice to meet you", "it"),
    ('what is "cheers" in Russian', "cheers", "ru"),
    ("give me the English for 塞翁失马", "塞翁失马", "en"),
    ("what's 'apple' in Japanese", "apple", "ja"),
    # no instruction: the whole text
    ("明天下午三点开会", "明天下午三点开会", None),
    ("Good morning everyone", "Good morning everyone", None),
    ("this is a test: does it work", "this is a test: does it work", None),
    # an instruction pointing at something not in the request: no text
    ("用中文怎么说", "", "zh"),
    ("这句话用英语怎么说", "", "en"),
    ("把下面这句话翻译成日语", "", "ja"),
    ("translate this into Chinese", "", "zh"),
    ("translate to English please", "", "en"),
    ("帮我把这句话翻成粤语", "", "yue"),
    ("把这封信翻成地道一点的英文", "", "en"),
]


@pytest.mark.parametrize(("request_text", "text", "target"), PARSER_CASES)
def test_request_parser(request_text: str, text: str, target: str | None) -> None:
    ask = parse_translation_request(request_text)
    assert (ask.text, ask.target_lang) == (text, target)


@pytest.mark.parametrize(
    ("text", "language", "default_target"),
    [
        ("明天下午三点开会", "zh", "en"),
        ("Please send the invoice", "en", "zh"),
        ("把 invoice 发给我", "zh", "en"),
        ("こんにちは", "ja", "zh"),
        ("안녕하세요", "ko", "zh"),
        ("Привет", "ru", "zh"),
        ("12345", "en", "zh"),
    ],
)
def test_language_guess_and_default_target(text: str, language: str, default_target: str) -> None:
    assert guess_text_language(text) == language
    assert other_language(language, ("zh", "en")) == default_target


def test_language_names() -> None:
    assert [language_code(w) for w in ("英文", "英语", "English", "en", "法语", "日文", "x")] == [
        "en",
        "en",
        "en",
        "en",
        "fr",
        "ja",
        None,
    ]


def test_glossary_entries_that_matter_for_a_text() -> None:
    entries = [
        GlossaryEntry(1, "invoice", "发票", ""),
        GlossaryEntry(2, "Ting", "听", ""),
        GlossaryEntry(3, "standup", "站会", "zh"),
        GlossaryEntry(4, "PR", "合并请求", "ja"),
    ]
    chosen = relevant_entries(entries, "Send the invoice after the standup", "zh")
    assert [(e.term, e.translation) for e in chosen] == [("invoice", "发票"), ("standup", "站会")]
    # translating back: the entry is shown the other way round
    back = relevant_entries(entries, "请把发票发给我", "en")
    assert [(e.term, e.translation) for e in back] == [("发票", "invoice")]
    # whole words only for Latin terms; an entry for another target is left out
    assert relevant_entries(entries, "Tingle the PR", "zh") == []
    assert occurs_in("invoice", "INVOICE no. 3") and occurs_in("invoice", "two invoices")
    assert not occurs_in("invoice", "invoiced")
    # a one-character translation is not looked for backwards: 听 here is "listen"
    assert relevant_entries(entries, "请听我说", "en") == []


# -- the command, end to end ---------------------------------------------------------------


def test_translate_streams_and_records_history(ting, provider) -> None:
    provider.queue_reply("The meeting is at three tomorrow afternoon.", chunk_size=5)
    ran = ting("translate", "明天下午三点开会", "--json", env=provider.env)
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    deltas = [e["text"] for e in events if e["type"] == "delta"]
    assert len(deltas) > 3 and "".join(deltas) == "The meeting is at three tomorrow afternoon."
    result = events[-1]
    assert result["type"] == "result"
    assert result["payload"]["source"] == "明天下午三点开会"
    assert result["payload"]["target_lang"] == "en"  # the other one of zh,en
    assert result["payload"]["translation"] == "The meeting is at three tomorrow afternoon."
    request = provider.requests[0]
    assert request["stream"] is True
    assert "into English" in request["messages"][0]["content"]
    assert request["messages"][-1] == {"role": "user", "content": "明天下午三点开会"}
    rows = ting("history", "list", "--json").json_lines()[0]["exchanges"]
    assert len(rows) == 1
    row = rows[0]
    assert (row["skill"], row["route_source"], row["status"], row["input"]) == (
        "translation",
        "forced",
        "ok",
        "明天下午三点开会",
    )
    assert row["output"] == "The meeting is at three tomorrow afternoon."
    assert row["data"]["target_lang"] == "en"
    found = ting("history", "search", "meeting", "--json").json_lines()[0]["exchanges"]
    assert [r["id"] for r in found] == [row["id"]]


def test_human_output_and_explicit_target(ting, provider) -> None:
    provider.queue_reply("Bonjour")
    ran = ting("translate", "你好", "--to", "法语", env=provider.env)
    assert (ran.code, ran.out) == (0, "Bonjour\n")
    assert "into French" in provider.requests[0]["messages"][0]["content"]


def test_glossary_terms_reach_the_prompt(ting, provider) -> None:
    assert ting("translate", "glossary", "add", "invoice", "发票").code == 0
    assert ting("translate", "glossary", "add", "standup", "站会", "--to", "zh").code == 0
    assert ting("translate", "glossary", "add", "Ting", "听").code == 0
    # adding a term again replaces its translation
    assert ting("translate", "glossary", "add", "Invoice", "发票单").code == 0
    listed = ting("translate", "glossary", "list", "--json").json_lines()[0]["entries"]
    assert [(e["term"], e["translation"], e["target_lang"]) for e in listed] == [
        ("invoice", "发票单", None),
        ("standup", "站会", "zh"),
        ("Ting", "听", None),
    ]
    provider.queue_reply("站会之后请把发票单发过来。")
    ran = ting("translate", "Send the invoice after the standup.", env=provider.env)
    assert ran.code == 0, ran.err
    system = provider.requests[0]["messages"][0]["content"]
    assert "invoice → 发票单" in system and "standup → 站会" in system
    assert "Ting" not in system  # only terms that occur in the text

    assert ting("translate", "glossary", "remove", "standup").code == 0
    assert_clean_failure(ting("translate", "glossary", "remove", "standup"), code=2)
    remaining = ting("translate", "glossary", "list").out
    assert "standup" not in remaining and "invoice → 发票单" in remaining
    assert_clean_failure(ting("translate", "glossary", "add", "x", "  "), code=2)


def test_ask_routes_a_spoken_style_request(ting, provider) -> None:
    provider.queue_reply("The meeting is at 3 pm tomorrow.")
    ran = ting("ask", "把这句翻成英文：明天下午三点开会", "--json", env=provider.env)
    assert ran.code == 0, ran.err
    events = ran.json_lines()
    assert events[0]["stage"] == "routed" and events[0]["message"].startswith("translation")
    assert provider.requests[0]["messages"][-1]["content"] == "明天下午三点开会"
    assert events[-1]["payload"]["target_lang"] == "en"


def test_request_with_no_text_is_a_clear_failure(ting, provider) -> None:
    ran = ting("ask", "--skill", "translation", "这句话用英语怎么说", env=provider.env)
    assert_clean_failure(ran, mentions="nothing to translate")
    assert provider.requests == []


def test_without_provider_one_line_says_what_to_set(ting) -> None:
    ran = ting("translate", "hello")
    assert_clean_failure(ran, code=1, mentions="no language-model provider is set up")
    row = ting("history", "list", "--json").json_lines()[0]["exchanges"][0]
    assert (row["skill"], row["status"]) == ("translation", "error")


def test_provider_500_is_one_clear_line(ting, provider) -> None:
    for _ in range(3):
        provider.queue_reply(status=500, error_message="upstream exploded")
    ran = ting("translate", "hello", "--to", "zh", env=provider.env)
    assert_clean_failure(ran, code=1, mentions="500")
    assert "upstream exploded" in ran.err and len(provider.requests) == 3


def test_provider_timeout_is_one_clear_line(ting, provider) -> None:
    assert ting("config", "set", "request_timeout", "0.5").code == 0
    for _ in range(3):
        provider.queue_reply("too late", delay_before_first_token=3)
    ran = ting("translate", "hello", "--to", "zh", env=provider.env)
    assert_clean_failure(ran, code=1, mentions="no answer from the provider within 0.5 s")


def test_content_dependent_replies_keep_each_text_with_its_translation(ting, provider) -> None:
    def responder(body: dict) -> Reply:
        return Reply(text="EN<" + body["messages"][-1]["content"] + ">")

    provider.responder = responder
    for text in ("第一句", "第二句"):
        ran = ting("translate", text, "--json", env=provider.env)
        assert ran.json_lines()[-1]["payload"]["translation"] == f"EN<{text}>"


@pytest.mark.parametrize(
    ("args", "mentions"),
    [
        (["translate", "hello", "--to", "klingon"], "unknown language 'klingon'"),
        (["translate"], "nothing to translate"),
        (["translate", "   "], "nothing to translate"),
        (["translate", "--audio", "/no/such/file.wav"], "no such file"),
        (["translate", "hello", "--offline"], "--offline applies to --audio only"),
    ],
)
def test_bad_input_is_one_line(ting, args: list[str], mentions: str) -> None:
    assert_clean_failure(ting(*args), code=2, mentions=mentions)


def test_help(ting) -> None:
    for args in (["translate", "--help"], ["translate", "glossary", "--help"]):
        ran = ting(*args)
        assert ran.code == 0 and "Usage:" in ran.out


# -- speech -----------------------------------------------------------------------------


@pytest.mark.slow
def test_speech_into_english_works_offline_with_whisper(
    ting, ting_uses_test_model, asterisk_clips
) -> None:
    path, said = asterisk_clips["conf-onlyperson"]
    ran = ting("translate", "--audio", str(path), "--json")  # no provider set up
    assert ran.code == 0, ran.err
    result = ran.json_lines()[-1]
    assert result["type"] == "result"
    payload = result["payload"]
    assert (payload["engine"], payload["target_lang"]) == ("whisper-translate", "en")
    heard = " ".join(re.findall(r"[a-z]+", payload["translation"].lower()))
    assert "only person in this conference" in heard, payload
    row = ting("history", "list", "--json").json_lines()[0]["exchanges"][0]
    assert (row["skill"], row["status"], row["input"]) == ("translation", "ok", f"[speech] {path}")


def test_speech_into_chinese_needs_a_provider(ting, asterisk_clips) -> None:
    path, _ = asterisk_clips["conf-onlyperson"]
    ran = ting("translate", "--audio", str(path), "--to", "zh")
    assert_clean_failure(ran, code=1, mentions="no language-model provider is set up")
    ran = ting("translate", "--audio", str(path), "--to", "zh", "--offline")
    assert_clean_failure(ran, code=1, mentions="offline speech translation only goes into English")
