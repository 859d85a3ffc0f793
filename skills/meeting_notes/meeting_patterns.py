"""Pattern-based action items, decisions and open questions (the offline notes).

Works sentence by sentence on the transcript, in Chinese and English:

* action items: "我来…", "我负责…", "张伟负责…", "让李娜来…", "I'll …", "we will …",
  "Anna will …", "action item: …", "todo: …", "let's …", or any sentence that says by
  when ("下周前要…", "… by Friday"); the owner is taken from the words (or the speaker
  label for "I"/"我"), the due date as it was said ("下周五前", "by Friday");
* decisions: "we decided", "let's go with", "agreed", "决定", "定了", "敲定", …;
* open questions: a question, or "not sure", "TBD", "待定", "还不确定", "需要确认", ….
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from skills.meeting_notes.extractive import split_sentences
from skills.meeting_notes.notes_model import ActionItem, TranscriptLine

_WEEKDAY_EN = r"(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri)"
_MONTH_EN = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)"
)
_WHEN_EN = (
    rf"(?:the\s+)?(?:end\s+of\s+(?:the\s+)?(?:day|week|month|quarter|year|sprint)|eod|eow|"
    rf"tomorrow(?:\s+(?:morning|afternoon|evening))?|tonight|today|"
    rf"(?:next|this)\s+(?:week|month|{_WEEKDAY_EN})|{_WEEKDAY_EN}|"
    rf"{_MONTH_EN}\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}(?:st|nd|rd|th)?(?:\s+of\s+{_MONTH_EN})?|"
    rf"noon|lunch(?:time)?|\d{{1,2}}(?::\d{{2}})?\s*(?:am|pm))"
)
DUE_EN = re.compile(
    rf"\b(?:(?:by|before|until|till|no\s+later\s+than|due)\s+{_WHEN_EN}|"
    rf"on\s+{_WEEKDAY_EN}|(?:(?:on|for)\s+)?(?:tomorrow|tonight|(?:next|this)\s+(?:week|{_WEEKDAY_EN})|"
    rf"end\s+of\s+(?:the\s+)?(?:day|week|month)))\b",
    re.IGNORECASE,
)
_ZH_DAY = r"[一二三四五六日天末]"
DUE_ZH = re.compile(
    rf"(?:(?:下|这|本)(?:个)?(?:周|星期|礼拜){_ZH_DAY}?|(?:周|星期|礼拜){_ZH_DAY}|"
    r"明天|后天|今天|今晚|月底|年底|月初|(?:本|这个|下个?)月(?:初|底|中)?|"
    r"\d{1,2}月\d{1,2}[日号]|[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}[日号])"
    r"(?:之前|以前|前|内|底|为止)?"
)

_EN_SELF = re.compile(
    r"\b(?P<subject>I|we)\s*(?:'ll|’ll|\s+will|\s+shall|'m going to|\s+am going to|"
    r"'re going to|\s+are going to|\s+can take|\s+need to|\s+have to|\s+must)\s+(?P<what>.+)",
    re.IGNORECASE,
)
_NOT_NAMES = frozenset(
    [
        "I",
        "We",
        "You",
        "He",
        "She",
        "It",
        "They",
        "This",
        "That",
        "There",
        "These",
        "Those",
        "What",
        "Which",
        "Who",
        "Why",
        "How",
        "When",
        "Where",
        "Then",
        "So",
        "And",
        "But",
        "Or",
        "If",
        "Also",
        "Everyone",
        "Everybody",
        "Someone",
        "Nobody",
        "Nothing",
        "Maybe",
        "Perhaps",
        "Today",
        "Tomorrow",
        "Yesterday",
        "Next",
        "Our",
        "Your",
        "Their",
        "My",
        "The",
        "A",
        "An",
        "Let",
        "Please",
        "Yes",
        "No",
        "Okay",
        "OK",
        "Welcome",
        "Hello",
        "Hi",
        "Thanks",
        "Thank",
        "Nice",
        "Good",
        "Great",
        "Happy",
        "Back",
        "Here",
        "Going",
    ]
)
# "Anna to send the deck" is an item, "Welcome to Comedian Mail" is not: after a bare
# "to" the next word must be lower case (a verb), and greetings are no names
_EN_NAMED = re.compile(
    r"(?:^|[,;:]\s*|\band\s+)(?P<owner>[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s+"
    r"(?:(?:will|'ll|’ll|is going to|is gonna|needs to|has to|should|can)\s+|to\s+(?=[a-z]))"
    r"(?P<what>.+)"
)
_EN_MARKED = re.compile(
    r"^(?:action(?:\s+item)?|todo|to-do|to do|follow[- ]up|next step)s?\s*[:：-]\s*(?P<what>.+)",
    re.IGNORECASE,
)
_EN_LETS = re.compile(r"\blet'?s\s+(?P<what>(?!go with\b|decide\b|agree\b|see\b).+)", re.IGNORECASE)

_ZH_SELF = re.compile(
    r"(?P<subject>我们|我)(?:这边|下来|回头|之后)?(?:来|负责|会|去|要|准备|跟进|安排)(?P<what>.+)"
)
_ZH_NAMED = re.compile(
    r"(?:让|请|由|^|[，,、；;：:])(?P<owner>[\u4e00-\u9fff]{2,3}?)(?:来|负责|跟进|去)(?P<what>[^，,。；;]+)"
)
_ZH_NOT_NAMES = frozenset(
    [
        "接下",
        "我们",
        "大家",
        "这个",
        "那个",
        "后面",
        "回头",
        "然后",
        "之后",
        "下来",
        "这边",
        "那边",
        "我们这",
        "你们",
        "他们",
        "谁",
        "其他",
        "别人",
        "由我",
        "让我",
        "请我",
        "我再",
        "我先",
    ]
)
_ZH_MARKED = re.compile(r"^(?:待办|行动项|TODO|跟进事项)\s*[:：]\s*(?P<what>.+)", re.IGNORECASE)
_ZH_NEEDS = re.compile(r"(?:要|需要|得|必须|把)")

_DECISION = re.compile(
    r"\b(?:we(?:'ve|\s+have)?\s+decided|decided\s+to|decision\s*(?:is|was|:)|"
    r"let'?s\s+go\s+with|we(?:'ll|\s+will)\s+go\s+with|(?:we\s+)?agreed|we\s+agree|"
    r"it'?s\s+settled|final\s+decision|we(?:'re|\s+are)\s+going\s+with)\b"
    r"|决定|定了|就这么定|确定了|确定用|敲定|拍板|达成一致|一致同意|就按",
    re.IGNORECASE,
)
_OPEN_QUESTION = re.compile(
    r"[?？]\s*$|\b(?:open\s+question|not\s+sure|unclear|tbd|to\s+be\s+decided|"
    r"don'?t\s+know\s+yet|still\s+need\s+to\s+(?:decide|figure\s+out|check)|undecided)\b"
    r"|待定|不确定|还没定|还不清楚|需要确认|待确认|再讨论|悬而未决|还没想好",
    re.IGNORECASE,
)
_TRIVIAL_QUESTION = re.compile(
    r"^(?:right|ok(?:ay)?|yes|no|really|what|huh|sorry|好吗|对吧|是吗|对吗|行吗|可以吗)\W*$",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Sentence:
    """A sentence of the transcript with where it was said and who said it (if known)."""

    text: str
    at: float | None = None
    speaker: str | None = None


def transcript_sentences(lines: Iterable[TranscriptLine]) -> list[Sentence]:
    out: list[Sentence] = []
    for line in lines:
        for sentence in split_sentences(line.text):
            out.append(Sentence(sentence, line.start, line.speaker))
    return out


def _due_phrase(text: str) -> str | None:
    match = DUE_EN.search(text) or DUE_ZH.search(text)
    return match.group(0).strip() if match else None


def find_due(text: str) -> str | None:
    """The due date as said ("by Friday", "下周五前", "next Tuesday"), or None."""
    phrase = _due_phrase(text)
    return re.sub(r"^(?:on|for)\s+", "", phrase, flags=re.IGNORECASE) if phrase else None


def _tidy(what: str, due: str | None) -> str:
    if due:
        what = what.replace(due, " ")
    what = re.sub(r"\s+", " ", what)
    what = re.sub(r"\s*([，,、；;])\s*(?:[，,、；;]\s*)*", r"\1", what)
    what = re.sub(r"(?<=[A-Za-z])([,;])(?=[A-Za-z])", r"\1 ", what)
    return what.strip(" ,，。.;；:：!！、").strip()


def _is_zh_name(word: str) -> bool:
    return word not in _ZH_NOT_NAMES and not word.startswith("我")


def action_item_in(sentence: Sentence) -> ActionItem | None:
    """The action item a sentence states, or None."""
    text = sentence.text.strip()
    if not text or _TRIVIAL_QUESTION.match(text):
        return None
    due_phrase = _due_phrase(text)
    due = find_due(text)
    owner: str | None = None
    what: str | None = None
    if m := _EN_MARKED.match(text) or _ZH_MARKED.match(text):
        what = m.group("what")
    elif (m := _ZH_NAMED.search(text)) and _is_zh_name(m.group("owner")):
        owner, what = m.group("owner"), m.group("what")
    if what is None and (m := _ZH_SELF.search(text)):
        owner = sentence.speaker or m.group("subject")
        if m.group("subject") == "我们":
            owner = "我们"
        what = m.group("what")
    if (
        what is None
        and (m := _EN_NAMED.search(text))
        and m.group("owner").split()[0] not in _NOT_NAMES
    ):
        owner, what = m.group("owner"), m.group("what")
    if what is None and (m := _EN_SELF.search(text)):
        subject = m.group("subject").lower()
        owner = "we" if subject == "we" else (sentence.speaker or "me")
        what = m.group("what")
    if what is None and (m := _EN_LETS.search(text)):
        owner, what = "we", m.group("what")
    if (
        what is None
        and due
        and (_ZH_NEEDS.search(text) or re.search(r"\b(?:need|must|have to|should)\b", text, re.I))
    ):
        what = text
    if what is None:
        return None
    what = _tidy(what, due_phrase)
    if len(what) < 2:
        return None
    return ActionItem(what=what, owner=owner, due=due, at=sentence.at)


def is_decision(text: str) -> bool:
    return bool(_DECISION.search(text))


def is_open_question(text: str) -> bool:
    stripped = text.strip()
    return bool(_OPEN_QUESTION.search(stripped)) and not _TRIVIAL_QUESTION.match(stripped)


def find_action_items(sentences: Iterable[Sentence]) -> list[ActionItem]:
    items: list[ActionItem] = []
    seen: set[str] = set()
    for s in sentences:
        if is_open_question(s.text) and not s.text.strip().lower().startswith(("action", "todo")):
            continue
        item = action_item_in(s)
        if item and item.what.lower() not in seen:
            seen.add(item.what.lower())
            items.append(item)
    return items


def find_decisions(sentences: Iterable[Sentence]) -> list[str]:
    return _unique(s.text for s in sentences if is_decision(s.text))


def find_open_questions(sentences: Iterable[Sentence]) -> list[str]:
    return _unique(s.text for s in sentences if is_open_question(s.text))


def _unique(texts: Iterable[str]) -> list[str]:
    out: list[str] = []
    seen: set[str] = set()
    for t in texts:
        key = t.strip().lower()
        if key and key not in seen:
            seen.add(key)
            out.append(t.strip())
    return out
