"""The personal vocabulary's pure parts: pinyin matching and the homophone pass, numbers
as people write them, spoken corrections, and the store with what it gathers from the
ledger, the glossary and meetings; `ting vocab` as a user runs it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from fixtures_core import assert_clean_failure

from voice.pinyin_match import correct_homophones, relevant_words, sounds_like_span
from voice.spoken_correction import spoken_correction
from voice.zh_numbers import digits_for_numbers

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ["交易", "停滞", "燕窝", "燕之屋", "豆本豆", "特约播出", "太乙真人", "万人敬仰", "荣幸"]
# words from nowhere near the clips' topics (places, dishes, machines, names)
NONSENSE = [
    "齿轮箱", "白鹭洲", "量子纠缠", "铁观音", "马拉松", "滨海新区", "区块链", "向日葵",
    "蒸汽机", "金字塔", "潜水艇", "交响乐", "红烧肉", "张伟", "李娜", "王芳", "Kubernetes",
]  # fmt: skip


@pytest.mark.parametrize(
    ("heard", "fixed"),
    [
        ("甚至出现交易几乎停制的情况。", "甚至出现交易几乎停滞的情况。"),  # same pinyin
        ("吃燕窝就选燕植物，冠名播出。", "吃燕窝就选燕之屋，冠名播出。"),  # tones differ
        ("这就是我万人仅仰的太以真人。", "这就是我万人敬仰的太乙真人。"),  # jin ≈ jing
        ("吃验窝", "吃燕窝"),
    ],
)
def test_homophones_of_vocabulary_words_are_replaced(heard: str, fixed: str) -> None:
    text, made = correct_homophones(heard, DOMAIN)
    assert text == fixed
    assert made and all(c.heard == heard[c.start : c.end] for c in made)


@pytest.mark.parametrize(
    "heard",
    [
        "中奶牛奶换着喝",  # 中奶/豆奶: one syllable of two: no evidence
        "特殊不出",  # 特殊不出/特约播出: two of four
        "今天我很如性意",  # 如性/荣幸: ru ≠ rong
        "交易停滞燕窝",  # written right already
    ],
)
def test_weak_evidence_changes_nothing(heard: str) -> None:
    assert correct_homophones(heard, DOMAIN) == (heard, [])


@pytest.mark.parametrize(
    ("heard", "word"),
    [
        ("我们下周去北京开会", "背景"),  # the same syllables, but 北京 is a word people say
        ("甚至出现交易几乎停滞", "初现"),
        ("这是实时数据", "事实"),  # 是实 would cut 实时 in two
    ],
)
def test_a_common_word_or_a_word_boundary_is_not_overwritten(heard: str, word: str) -> None:
    """What a new user found: `ting vocab add 初现` turned every 出现 into 初现."""
    assert correct_homophones(heard, [word]) == (heard, [])


def _correct_chinese_sentences() -> list[str]:
    texts = []
    for examples in sorted((ROOT / "skills").glob("*/routing_examples.tsv")):
        for row in examples.read_text("utf-8").splitlines():
            if row and not row.startswith("#") and row != "text\troute\tstyle":
                texts.append(row.split("\t")[0])
    for line in (ROOT / "tests" / "data" / "expense_cases.jsonl").read_text("utf-8").splitlines():
        texts.append(json.loads(line)["text"])
    clips = json.loads((ROOT / "tests/data/audio/zh/clips.json").read_text("utf-8"))["clips"]
    texts += [c["text"] for c in clips]
    return [t for t in texts if any("\u4e00" <= ch <= "\u9fff" for ch in t)]


def test_a_nonsense_vocabulary_changes_no_correct_sentence() -> None:
    """Over every Chinese sentence in the repository's tables (hundreds, written right),
    the homophone pass with a vocabulary from nowhere changes nothing, and neither does
    the clips' own vocabulary."""
    sentences = _correct_chinese_sentences()
    assert len(sentences) > 300
    for words in (NONSENSE, DOMAIN):
        changed = [(s, correct_homophones(s, words)[0]) for s in sentences]
        assert [c for c in changed if c[0] != c[1]] == []


def test_relevant_words_are_those_a_span_sounds_like() -> None:
    heard = "中奶牛奶换着喝营养更均衡，本身有豆本豆豆奶特殊不出。"
    assert relevant_words(heard, DOMAIN + ["豆奶"]) == ["豆本豆", "豆奶", "特约播出"]
    assert relevant_words("一二线城市虽然也处于调整中", NONSENSE) == []
    assert relevant_words("deploy it with kubernetes today", NONSENSE) == ["Kubernetes"]


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("本节目由二十六年专注高品质燕窝", "本节目由26年专注高品质燕窝"),
        ("一二线城市虽然也处于调整中", "一二线城市虽然也处于调整中"),
        ("这件事十分重要", "这件事十分重要"),
        ("三点十分开会", "3点10分开会"),
        ("二零二四年五月三号", "2024年5月3号"),
        ("十一月十二号", "11月12号"),
        ("昨天午饭花了三十五块", "昨天午饭花了35块"),
        ("发工资了一万二", "发工资了一万二"),
        ("两千五百万人", "2500万人"),
        ("万一下雨", "万一下雨"),
        ("三心二意", "三心二意"),
        ("一个人", "一个人"),
        ("十一假期", "十一假期"),
        ("他今年三十岁", "他今年30岁"),
        ("第十二届", "第12届"),
    ],
)
def test_numbers_are_written_as_people_write_them(text: str, written: str) -> None:
    assert digits_for_numbers(text) == written


def test_money_written_in_digits_parses_to_the_same_entries() -> None:
    from skills.bookkeeping.parser import ExpenseParser

    parser = ExpenseParser()
    changed = 0
    for line in (ROOT / "tests" / "data" / "expense_cases.jsonl").read_text("utf-8").splitlines():
        case = json.loads(line)
        written = digits_for_numbers(case["text"])
        if "entries" not in case or written == case["text"]:
            continue
        changed += 1
        today = dt.date.fromisoformat(case["today"])
        before = [e.to_dict() for e in parser.parse(case["text"], today)]
        assert [e.to_dict() for e in parser.parse(written, today)] == before, written
    assert changed >= 20


def test_a_spoken_correction_names_the_word_that_was_meant() -> None:
    fixed = spoken_correction("不对，是滨海新区", "我明天去冰台新区开会")
    assert fixed is not None
    assert (fixed.word, fixed.heard, fixed.corrected_text) == (
        "滨海新区",
        "冰台新区",
        "我明天去滨海新区开会",
    )
    assert spoken_correction("我说的是燕之屋", "吃燕窝就选燕植物") is None  # no 不对
    assert spoken_correction("不对，是燕之屋。", "吃燕窝就选燕植物").word == "燕之屋"
    # Whisper writing a space inside the word
    assert spoken_correction("不对，是滨海 新区", "我明天去冰台新区开会").word == "滨海新区"
    # the bookkeeping corrections stay theirs
    assert spoken_correction("不对，是四十五", "午饭花了三十五块") is None
    assert spoken_correction("不对，是交通", "打车花了三十五块") is None
    assert spoken_correction("不对，是滨海新区", None) is None
    assert sounds_like_span("交易几乎停滞", "停滞") is None  # written right already


def test_a_spoken_correction_stands_when_the_database_is_locked(tmp_path: Path) -> None:
    """A database error storing the word must not end `ting listen`: the correction of
    what was heard stands, and the user is told the word was not kept."""
    import sqlite3

    from assistant.history import HistoryStore
    from voice.spoken_correction import take_correction
    from voice.vocabulary import VocabularyStore

    path = tmp_path / "ting.db"
    VocabularyStore(HistoryStore(path))
    other = sqlite3.connect(path)
    other.execute("BEGIN IMMEDIATE")  # another Ting writing past the busy timeout
    try:
        fixed = take_correction(
            HistoryStore(path, busy_timeout_s=0.2), "不对，是滨海新区", "我明天去冰台新区开会"
        )
    finally:
        other.rollback()
        other.close()
    assert fixed is not None and fixed.corrected_text == "我明天去滨海新区开会"
    assert "locked" in fixed.not_kept
    assert VocabularyStore(HistoryStore(path)).own_words() == []


def test_a_typed_over_phrase_longer_than_a_word_is_not_learned() -> None:
    from voice.spoken_correction import typed_corrections

    heard = "我明天去冰台新区开会，" + "冰台" * 15
    typed = "我明天去滨海新区开会，" + "滨海" * 15  # 30 characters typed over: not a word
    assert typed_corrections(heard, typed) == ["滨海"]


def test_the_amount_correction_still_goes_to_bookkeeping() -> None:
    from assistant.router import Router

    decision = Router().route("不对，是四十五")
    assert decision.skill == "bookkeeping"


# -- the store and what it gathers ------------------------------------------------------


def test_the_store_gathers_ledger_glossary_and_meeting_words(ting_home: Path) -> None:
    from assistant.history import HistoryStore
    from skills.translation.glossary import GlossaryStore
    from voice.vocabulary import VocabularySource, VocabularyStore

    history = HistoryStore(ting_home / "ting.db")
    store = VocabularyStore(history)
    assert store.add("滨海新区")[1] is True
    assert store.add("滨海新区")[1] is False
    GlossaryStore(history).add("invoice", "发票")
    from skills.bookkeeping.ledger import Ledger

    ledger = Ledger(history)
    ledger_words = [w.word for w in ledger_probe(ledger, history)]
    words = {w.word: w.source for w in store.all_words()}
    assert words["滨海新区"] == "user"
    assert words["invoice"] == "glossary" and words["发票"] == "glossary"
    for word in ledger_words:
        assert words[word] == "ledger"
    # the recognizer's own reader (read-only, another connection) sees the same
    assert set(VocabularySource(ting_home / "ting.db").words()) == set(words)
    assert store.remove("滨海新区") and not store.remove("滨海新区")


def test_ting_vocab_refuses_words_that_could_never_be_heard(ting, ting_home: Path) -> None:
    """Control characters, symbols, emoji or digits alone: one line each, nothing stored."""
    from assistant.errors import UsageError
    from assistant.history import HistoryStore
    from voice.vocabulary import VocabularyStore

    for word, mention in [
        ("ab\x01cd", "control characters"),
        ("@@", "needs letters"),
        ("😀😀", "needs letters"),
        ("1234", "needs letters"),
        ("\u200b\u200b", "cannot be empty"),  # zero-width spaces only
    ]:
        assert_clean_failure(ting("vocab", "add", "滨海新区", word), code=2, mentions=mention)
    assert ting("vocab", "list", "--json").json_lines() == [{"words": []}]
    with pytest.raises(UsageError, match="control characters"):  # the settings window's way
        VocabularyStore(HistoryStore(ting_home / "ting.db")).add("滨海\x00新区")
    # a word given twice is added once; one pasted with a zero-width space is the word
    added = ting("vocab", "add", "滨海新区", "滨海\u200b新区", "--json")
    assert added.json_lines() == [{"added": ["滨海新区"], "known": []}]
    # removed as it was given to add
    assert ting("vocab", "remove", "“滨海 新区”").code == 0
    assert ting("vocab", "list", "--json").json_lines() == [{"words": []}]


def test_past_max_words_the_newest_are_used_and_ting_vocab_says_so(ting, ting_home: Path) -> None:
    from assistant.history import HistoryStore
    from voice.vocabulary import MAX_WORDS, VocabularySource, VocabularyStore

    history = HistoryStore(ting_home / "ting.db")
    VocabularyStore(history)  # its table
    old = [
        (f"词{chr(0x4E00 + i)}{chr(0x4E00 + i // 7)}", "2026-01-01T00:00:00+00:00")
        for i in range(MAX_WORDS)
    ]
    with history.transaction() as conn:
        conn.executemany("insert into vocabulary_words (word, added_at) values (?, ?)", old)
    added = ting("vocab", "add", "滨海新区")
    assert added.code == 0 and f"the recognizer uses the newest {MAX_WORDS}" in added.err
    words = VocabularySource(ting_home / "ting.db").words()
    assert len(words) == MAX_WORDS and words[0] == "滨海新区"
    assert len(ting("vocab", "list").out.splitlines()) == MAX_WORDS + 1  # all still kept


def test_ting_vocab_add_writes_all_its_words_or_none(ting, ting_home: Path) -> None:
    """A write the database refuses half-way (here a trigger; in life a lock held too
    long or a full disk) leaves none of the words, not an unreported first half."""
    from assistant.history import HistoryStore
    from voice.vocabulary import VocabularyStore

    history = HistoryStore(ting_home / "ting.db")
    VocabularyStore(history)  # its table
    with history.transaction() as conn:
        conn.execute(
            "create trigger refuse before insert on vocabulary_words"
            " when new.word = '燕窝' begin select raise(abort, 'disk full'); end"
        )
    ran = ting("vocab", "add", "滨海新区", "燕之屋", "燕窝", "豆本豆")
    assert ran.code != 0 and "Traceback" not in ran.err
    assert ting("vocab", "list", "--json").json_lines() == [{"words": []}]


def ledger_probe(ledger, history):
    """Two real ledger entries written through the bookkeeping skill's own proposal path."""
    from skills.bookkeeping.parser import ExpenseParser
    from voice.vocabulary import VocabularyWord

    entries = ExpenseParser().parse("燕窝花了三百块，豆本豆花了十二块", dt.date(2026, 1, 5))
    ledger.add(entries, key="vocab-test", utterance="燕窝花了三百块，豆本豆花了十二块")
    return [VocabularyWord(e.item, "ledger") for e in entries]


def test_the_history_keeps_the_text_as_heard(ting_home: Path, ting) -> None:
    from assistant.config import Settings
    from assistant.frontend.app import App
    from assistant.skill import Request

    heard = {"raw_text": "燕植物花了三百块", "corrections": [{"heard": "燕植物", "word": "燕之屋"}]}
    app = App(Settings(provider="remote"))  # no language model wanted here
    list(app.runtime.run(Request("燕之屋花了三百块", origin="voice", options={"heard": heard})))
    [row] = app.history.list(1)
    assert row.input_text == "燕之屋花了三百块" and row.heard == heard
    shown = ting("history", "show", str(row.id), "--json").json_lines()[0]
    assert shown["heard"] == heard and shown["input"] == "燕之屋花了三百块"
