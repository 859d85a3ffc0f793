"""Notes from a transcript through the language model: map over parts, then reduce.

* The transcript is cut into parts of at most ``PART_CHARS`` characters on line
  boundaries. One part: a single call writes the final notes. Several: each part is
  "mapped" to notes of its own, then one "reduce" call merges them into the meeting's
  notes (title, summary, decisions, action items, open questions).
* Each step is one progress event ("part 2 of 5"), and the client's heartbeats while the
  model thinks are passed on with the step's count.
* A part whose call fails or whose answer is not the JSON asked for is tried again; if
  it fails again it is reported in the notes' problems and that part's notes come from
  the offline extractor, so the rest of the meeting is not lost. A failed reduce falls
  back to the parts' notes merged in order. Each part's answer is stored, so a second
  run does not pay for it again.
"""

from __future__ import annotations

import hashlib
import json
import re
import time
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from assistant.errors import Cancelled, ProviderAuthError, ProviderError, ProviderNotConfigured
from assistant.events import Progress
from skills.meeting_notes.notes_model import ActionItem, TranscriptLine
from skills.meeting_notes.offline_notes import offline_notes
from skills.meeting_notes.rendering import clock

if TYPE_CHECKING:
    from assistant.llm import LLMClient
    from assistant.skill import CancelToken
    from skills.meeting_notes.meeting_store import MeetingStore

PART_CHARS = 6000
ATTEMPTS_PER_STEP = 2
LANGUAGE_NAMES = {"zh": "Simplified Chinese", "en": "English"}

_NOTES_SHAPE = (
    '"summary": ["…"], "decisions": ["…"], '
    '"action_items": [{"what": "…", "owner": "… or null", "due": "… or null"}], '
    '"open_questions": ["…"]'
)
_ITEM_RULES = (
    "A decision is something the meeting agreed on; when a decision is changed later in "
    "the meeting, give only the final one. An action item is one task someone will do: "
    "what, the owner's name (a speaker label, or the name a speaker gives; when someone "
    "says 'I will do it' the owner is that speaker) and the due date or time as said; "
    "null when not said. One task per item. "
)
MAP_PROMPT = (
    "You take meeting notes. You get one part of a meeting transcript (lines may start "
    "with [time] and a speaker). Extract what matters in this part: key points, decisions "
    "made, action items and open questions. " + _ITEM_RULES + "Write in <LANGUAGE>. Use "
    "only what the transcript says. Reply with JSON only, exactly this shape: {"
    + _NOTES_SHAPE
    + "}"
)
FINAL_PROMPT = (
    "You take meeting notes. You get <WHAT>. Write the meeting's notes: a short title, "
    "3 to 8 summary bullets, the decisions, the action items and the open questions. "
    + _ITEM_RULES
    + "Write in <LANGUAGE>. Use only what you were given; where parts disagree, the later "
    'part wins. Reply with JSON only, exactly this shape: {"title": "…", ' + _NOTES_SHAPE + "}"
)

_STRINGS = {"type": "array", "items": {"type": "string"}}
# llama.cpp turns this into a grammar: the built-in model cannot answer outside it
NOTES_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string"},
        "summary": _STRINGS,
        "decisions": _STRINGS,
        "action_items": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "what": {"type": "string"},
                    "owner": {"type": "string"},
                    "due": {"type": "string"},
                },
                "required": ["what", "owner", "due"],
            },
        },
        "open_questions": _STRINGS,
    },
    "required": ["title", "summary", "decisions", "action_items", "open_questions"],
}
STEP_MAX_TOKENS = 1500
MIN_ITEMS_TO_CHECK = 4  # parts' decisions + action items before a lossy merge is refused


def constrained(llm: Any) -> dict[str, Any]:
    """Extra request options: the JSON schema as a grammar for the built-in model (a
    remote provider is asked in words only: not every one takes a schema)."""
    if getattr(llm, "endpoint", None) is None:
        return {}
    return {
        "response_format": {"type": "json_object", "schema": NOTES_SCHEMA},
        "max_tokens": STEP_MAX_TOKENS,
    }


def _prompt(template: str, language: str, what: str = "") -> str:
    return template.replace("<LANGUAGE>", language).replace("<WHAT>", what)


@dataclass
class PartNotes:
    summary: list[str] = field(default_factory=list)
    decisions: list[str] = field(default_factory=list)
    action_items: list[ActionItem] = field(default_factory=list)
    open_questions: list[str] = field(default_factory=list)
    title: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "summary": self.summary,
            "decisions": self.decisions,
            "action_items": [
                {"what": a.what, "owner": a.owner, "due": a.due} for a in self.action_items
            ],
            "open_questions": self.open_questions,
        }


@dataclass(frozen=True)
class SummaryOutcome:
    notes: PartNotes
    problems: list[str]
    model_steps: int  # calls that answered (from the model or its stored answer)


def transcript_text(lines: Sequence[TranscriptLine]) -> str:
    out = []
    for line in lines:
        stamp = f"[{clock(line.start)}] " if line.start is not None else ""
        speaker = f"{line.speaker}: " if line.speaker else ""
        out.append(f"{stamp}{speaker}{line.text}")
    return "\n".join(out)


def split_for_summary(
    lines: Sequence[TranscriptLine], max_chars: int = PART_CHARS
) -> list[list[TranscriptLine]]:
    """Consecutive parts of at most ``max_chars`` characters (a longer line stands alone)."""
    parts: list[list[TranscriptLine]] = []
    current: list[TranscriptLine] = []
    size = 0
    for line in lines:
        length = len(line.text) + 12
        if current and size + length > max_chars:
            parts.append(current)
            current, size = [], 0
        current.append(line)
        size += length
    if current:
        parts.append(current)
    return parts


_NOTHING = {"", "null", "none", "n/a", "unknown", "无", "未知", "暂无", "未提及", "未指定"}


def _says_nothing(text: str) -> bool:
    """A placeholder a model writes for an empty field: "null", "[null]", "（无）"."""
    return text.strip(" \t[]()（）【】\"'“”「」-—….。").lower() in _NOTHING


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise ValueError("expected a list of strings")
    return [str(v).strip() for v in value if not _says_nothing(str(v))]


def _owner_or_due(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return None if _says_nothing(text) else text


def parse_notes_json(text: str) -> PartNotes:
    """The model's JSON answer as notes; ValueError when it is not what was asked for."""
    body = re.sub(r"^\s*```(?:json)?\s*|\s*```\s*$", "", text.strip())
    start, end = body.find("{"), body.rfind("}")
    if start < 0 or end <= start:
        raise ValueError("the answer holds no JSON object")
    try:
        data = json.loads(body[start : end + 1])
    except json.JSONDecodeError as exc:
        raise ValueError(f"the answer is not valid JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ValueError("the answer is not a JSON object")
    items: list[ActionItem] = []
    raw_items = data.get("action_items") or []
    if not isinstance(raw_items, list):
        raise ValueError("action_items is not a list")
    for raw in raw_items:
        if isinstance(raw, str):
            raw = {"what": raw}
        if not isinstance(raw, dict) or _says_nothing(str(raw.get("what") or "")):
            continue
        items.append(
            ActionItem(
                what=str(raw["what"]).strip(),
                owner=_owner_or_due(raw.get("owner")),
                due=_owner_or_due(raw.get("due")),
            )
        )
    if not any(k in data for k in ("summary", "decisions", "action_items", "open_questions")):
        raise ValueError("the answer has none of the fields asked for")
    return PartNotes(
        summary=_strings(data.get("summary")),
        decisions=_strings(data.get("decisions")),
        action_items=items,
        open_questions=_strings(data.get("open_questions")),
        title=str(data.get("title") or "").strip(),
    )


# said around a due date or a name without being part of it ("by Friday", "下周五前",
# "Dr. Lee")
_FILLER = {"by", "before", "until", "till", "on", "at", "the", "of", "no", "later", "than", "and"}
_TITLES = {"mr", "mrs", "ms", "dr", "prof"}
_DUE_AFFIX = re.compile(r"^(?:截止到?|到|在|于)|(?:之前|以前|前|为止|截止)$")
# a time or a date written with separators ("15:00", "2026-12-15", "3/15")
_CLOCK_OR_DATE = re.compile(r"\d+(?:[:/.\-]\d+)+")
# one deadline with many names: EOD, COB, (by) the end of the day, 今天下班前
_EOD = re.compile(
    r"(?:\b(?:by|before)\s+)?(?:\bthe\s+)?(?:\bend\s+of\s+(?:the\s+)?(?:business\s+|work\s+)?day"
    r"|\bclose\s+of\s+business|\bend\s+of\s+business|\b(?:eod|cob|eob)\b)"
    r"|(?:今天|今日)?下班(?:之|以)?前"
)
# a day named next to an end of day makes it that day's, not today's ("明天下班前", "EOD
# Friday")
_DAY_BEFORE = re.compile(
    r"(?:明天|明日|后天|周[1-7日天]|\d日|tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day)"
    r"\s*(?:的)?\s*$"
)
_DAY_AFTER = re.compile(r"^\s*(?:on\s+)?(?:tomorrow|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b")
# a surname with a title or 老/小 before it (王总, 刘老师, 老郑): the same person as the
# same surname with another title, as far as the notes can tell
_ZH_TITLES = (
    "总监|总经理|总裁|经理|老师|主任|主管|部长|处长|科长|局长|院长|校长|教授|博士|医生|律师|"
    "师傅|总(?!结|共|体|部|统|额|数|计|算|量|觉|之|是|表|而|归)|工(?!作|资|具|程|业|厂|期|时|位|号|艺|序|种|地|商)|姐|哥"
)
# the commonest surnames: a rare one with a title is missed rather than 小程序 read as 小程
_SURNAME = (
    r"(?:欧阳|司马|诸葛|上官|东方|皇甫|令狐|慕容|司徒|夏侯|[王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗"
    r"郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方"
    r"邹熊白孟秦邱侯江尹薛闫阎段雷龙黎陶贺毛郝顾龚邵万覃武钱戴严莫孔向汤葛乔赖])"
)
_TITLED = re.compile(rf"(?:老|小)(?P<a>{_SURNAME})|(?P<b>{_SURNAME})(?:{_ZH_TITLES})")
# words that read as 老/小 or a title next to a surname without being one (两个小时)
_NOT_NAMES = {"小时", "老师", "老公", "老家", "老婆", "老板", "小说", "小区", "小学", "小组"}
_NOT_NAMES |= {"施工", "分工", "加工", "开工", "完工", "上工", "化工", "美工"}
_NOT_NAMES |= {"小于", "小程序", "老方法", "老方式", "老方案", "老毛病", "小白", "小龙虾", "老江湖"}
# words a surname ends before a title (基金经理, 甲方经理, 关于总经理, 工程总监)
_SURNAME_IN_WORD = {"关于", "对于", "由于", "等于", "至于", "属于", "用于", "基于", "位于", "终于"}
_SURNAME_IN_WORD |= {"甲方", "乙方", "对方", "双方", "我方", "各方", "官方", "地方", "西方", "南方"}
_SURNAME_IN_WORD |= {"工程", "课程", "流程", "过程", "日程", "进程", "议程", "教程", "规程"}
_SURNAME_IN_WORD |= {"基金", "资金", "现金", "奖金", "租金", "黄金", "美金", "明白", "空白", "蛋白"}


def _said(text: str) -> str:
    """``said_forms``, with the spoken and written names of a day made one (三月十五号
    and 3月15日, 下个星期五 and 下周五, 这个月底 and 本月底)."""
    from assistant.textmatch import said_forms

    text = re.sub(r"星期|礼拜", "周", said_forms(text)).replace("号", "日")
    return re.sub(r"([上下这本])个?([周月])", lambda m: m[1].replace("这", "本") + m[2], text)


def _titled_surnames(forms: str) -> frozenset[str]:
    """The surnames ``forms`` says with a title or 老/小 (王总, 老郑 → 王, 郑). Read
    between punctuation and line breaks, so that two lines do not make a word."""
    found = set()
    for run in re.split(r"[^\w ]+", forms):
        source = run.replace(" ", "")
        for i in range(len(source)):  # every start: 小李总 is 李 either way
            m = _TITLED.match(source, i)
            if not m or any(source.startswith(word, i) for word in _NOT_NAMES):
                continue
            if m["b"] and source[max(0, i - 1) : i + 1] in _SURNAME_IN_WORD:
                continue
            found.add(m["a"] or m["b"])
    return frozenset(found)


def _end_of_day_words(forms: str) -> set[str]:
    """The words an end of day said in ``forms`` stands for: "eod", and "eodtoday" when
    one of them is today's (no other day named next to it). "At the end of the day" is a
    manner of speaking, not a deadline."""
    found = set()
    for m in _EOD.finditer(forms):
        before, after = forms[max(0, m.start() - 12) : m.start()], forms[m.end() :]
        if re.search(r"\bat\s+$", before) and "end" in m[0]:
            continue
        found.add("eod")
        if not _DAY_BEFORE.search(before) and not _DAY_AFTER.match(after):
            found.add("eodtoday")
    return found


@dataclass(frozen=True)
class _Transcript:
    """What was said, in the forms ``_is_said`` looks for."""

    forms: str  # said forms, punctuation kept
    source: str  # without punctuation or spaces
    words: frozenset[str]  # its Latin words (and "eod"/"eodtoday" for an end of day)
    numbers: frozenset[str]  # its digit runs, as said ("15:00" is 15 and 00)
    times: frozenset[tuple[int, int]]  # (hour on a 24-hour clock, minute) it can mean
    dates: frozenset[tuple[int | None, int, int]]  # (year or None, month, day)
    surnames: frozenset[str]  # said with a title: 王 of 王总

    @classmethod
    def of(cls, text: str) -> _Transcript:
        from assistant.textmatch import clock_times, dates, without_punctuation

        forms = _said(text)
        source = without_punctuation(forms)
        return cls(
            forms,
            source,
            frozenset(re.findall(r"[a-z]+", forms)) | _end_of_day_words(forms),
            frozenset(re.findall(r"\d+", forms)),
            frozenset((h, m) for _, _, hours, m in clock_times(forms, speech=True) for h in hours),
            frozenset((y, m, d) for _, _, y, m, d in dates(forms, speech=True)),
            _titled_surnames(forms),
        )


def _date_said(year: int | None, month: int, day: int, said: _Transcript) -> bool:
    """A date's month and day were said, and its year, when it has one, was not said
    otherwise (a model adds the year to "December 15th")."""
    same_day = [y for y, m, d in said.dates if (m, d) == (month, day)]
    if year is not None and any(y is not None and y != year for y in same_day):
        return False
    if same_day:
        return True
    # a month said apart from its day: 十九号 … 十月 (an English month word apart from a
    # number is most often a verb: "those 3 may not work")
    return bool(
        re.search(rf"(?<!\d){month}月", said.source) and re.search(rf"(?<!\d){day}日", said.source)
    )


def _is_said(value: str, said: _Transcript, *, due: bool, same_language: bool) -> bool:
    """Whether the transcript holds ``value``: every one of its Latin words, runs of
    Chinese and numbers; a clock time as the same time said any way (15:00: 下午三点,
    3 pm), a date as its month and day (a year added to them is let be unless the
    transcript says another), an end of day by any of its names, a surname with a title
    as the same surname with any title. Notes written in another language are checked on
    their numbers only. A note in brackets ("10月20日（到岗时）") is not looked for unless
    it holds a number."""
    from assistant.textmatch import clock_times, dates

    noted = re.findall(r"[(（]([^)）]*)[)）]", value)
    value = re.sub(r"[(（][^)）]*[)）]", "", value).strip() or value
    value = " ".join([value] + [n for n in noted if re.search(r"\d|[〇一二三四五六七八九十]", n)])
    forms = _EOD.sub(" eod ", _said(value))
    if re.fullmatch(r"\s*(?:今天|今日|today)?\s*eod\s*(?:today\s*)?", forms):
        forms = " eodtoday "  # an end of day with no day named is today's
    checked = unchecked = 0
    for start, end, hours, minute in reversed(clock_times(forms)):
        if not any((hour, minute) in said.times for hour in hours):
            return False
        forms = forms[:start] + " " + forms[end:]
        checked += 1
    for start, end, year, month, day in reversed(dates(forms)):
        if not _date_said(year, month, day, said):
            return False
        forms = forms[:start] + " " + forms[end:]
        checked += 1
    for written in _CLOCK_OR_DATE.findall(forms):
        spoken = re.sub(r"[:/.\-]", "[点时年月日]", written)  # 15点00, 3月15
        if written not in said.forms and not re.search(spoken, said.source):
            return False
        forms = forms.replace(written, " ")
        checked += 1
    if not due:  # several owners: 李娜和张伟
        forms = re.sub(r"[和与及跟、]", " ", forms)
    for piece in re.findall(r"[\d\u3400-\u9fff]+|[a-z]+", forms):
        core = _DUE_AFFIX.sub("", piece) if due else piece
        if not core or core in _FILLER or core in _TITLES or len(core) == 1 and core.isascii():
            continue
        if core.isdigit():
            found = core in said.numbers
        elif not same_language:
            unchecked += 1
            continue
        elif core.isascii():
            found = core in said.words
        else:  # a month said apart from its day: 十九号 … 十月 for 10月19日
            found = all(part in said.source for part in re.split(r"(?<=月)(?=\d)", core))
            titled = _TITLED.fullmatch(core)
            if not found and not due and titled:  # 王经理 for 王总
                found = (titled["a"] or titled["b"]) in said.surnames
        if not found:
            return False
        checked += 1
    return checked + unchecked > 0


def keep_what_was_said(
    notes: PartNotes, lines: Sequence[TranscriptLine], *, same_language: bool = True
) -> PartNotes:
    """``notes`` with each action item's owner and due date kept only when the
    transcript says them: a small model fills them in from nowhere ("截止: 20:20" from a
    line stamped [00:20], "负责人: 主持人" in a recording nobody chairs). The item
    itself stays. ``same_language``: the notes are in the transcript's language."""
    said = _Transcript.of(
        "\n".join([line.text for line in lines] + [line.speaker or "" for line in lines])
    )
    labels = {(line.speaker or "").lower() for line in lines} - {""}

    def owner_said(owner: str) -> bool:
        return owner.lower() in labels or _is_said(
            owner, said, due=False, same_language=same_language
        )

    items = [
        replace(
            item,
            owner=item.owner if item.owner and owner_said(item.owner) else None,
            due=item.due
            if item.due and _is_said(item.due, said, due=True, same_language=same_language)
            else None,
        )
        for item in notes.action_items
    ]
    return replace(notes, action_items=items)


def merge_parts(parts: Sequence[PartNotes]) -> PartNotes:
    merged = PartNotes()
    for p in parts:
        merged.summary += p.summary
        merged.decisions += p.decisions
        merged.action_items += p.action_items
        merged.open_questions += p.open_questions
    return merged


class ModelSummarizer:
    """Map-reduce notes through ``llm`` (see the module docstring)."""

    def __init__(
        self,
        llm: LLMClient,
        *,
        cancel: CancelToken,
        language: str,
        store: MeetingStore | None = None,
        job_key: str | None = None,
        part_chars: int = PART_CHARS,
        spoken_language: str | None = None,
    ) -> None:
        self.llm = llm
        self.cancel = cancel
        self.language = language
        # the transcript's language, when the notes are written in another
        self.spoken_language = spoken_language or language
        self.store = store
        self.job_key = job_key
        self.part_chars = part_chars
        self.started = time.monotonic()

    def _said_only(self, notes: PartNotes, lines: Sequence[TranscriptLine]) -> PartNotes:
        same = self.spoken_language[:2].lower() == self.language[:2].lower()
        return keep_what_was_said(notes, lines, same_language=same)

    @property
    def language_name(self) -> str:
        return LANGUAGE_NAMES.get(self.language[:2], self.language)

    def summarize(
        self, lines: Sequence[TranscriptLine]
    ) -> Generator[Progress, None, SummaryOutcome]:
        parts = split_for_summary(lines, self.part_chars)
        if not parts:
            raise ValueError("nothing to summarize")
        problems: list[str] = []
        if len(parts) == 1:
            prompt = _prompt(FINAL_PROMPT, self.language_name, "a meeting transcript")
            try:
                notes = yield from self._step(
                    0, 1, prompt, transcript_text(parts[0]), "writing the notes"
                )
            except _StepFailed as failed:
                raise ProviderError(failed.reason) from None
            return SummaryOutcome(self._said_only(notes, lines), problems, 1)
        total = len(parts) + 1
        mapped: list[PartNotes] = []
        answered = 0
        for i, part in enumerate(parts):
            span = _span(part)
            try:
                notes = yield from self._step(
                    i,
                    total,
                    _prompt(MAP_PROMPT, self.language_name),
                    transcript_text(part),
                    f"summarizing part {i + 1} of {len(parts)}{span}",
                )
                answered += 1
            except _StepFailed as failed:
                problems.append(
                    f"part {i + 1} of {len(parts)}{span} could not be summarized "
                    f"({failed.reason}); its notes come from the offline extractor"
                )
                offline = offline_notes(part, language=self.language, title="")
                notes = PartNotes(
                    summary=offline.summary,
                    decisions=offline.decisions,
                    action_items=offline.action_items,
                    open_questions=offline.open_questions,
                )
            mapped.append(notes)
        if not answered:
            raise ProviderError(f"every part failed: {problems[-1]}")
        parts_json = json.dumps(
            [{"part": i + 1, **p.to_dict()} for i, p in enumerate(mapped)], ensure_ascii=False
        )
        try:
            final = yield from self._step(
                len(parts),
                total,
                _prompt(
                    FINAL_PROMPT,
                    self.language_name,
                    "notes taken on consecutive parts of one meeting, as JSON",
                ),
                parts_json,
                f"merging the notes of {len(parts)} parts",
            )
            answered += 1
        except _StepFailed as failed:
            problems.append(
                f"merging the parts failed ({failed.reason}); the notes of each part are "
                "listed in order"
            )
            final = merge_parts(mapped)
        else:
            had = sum(len(p.decisions) + len(p.action_items) for p in mapped)
            kept = len(final.decisions) + len(final.action_items)
            if had >= MIN_ITEMS_TO_CHECK and kept * 2 < had:
                # merging is for dropping repeats; a small model condenses a long meeting
                # into one or two items instead
                problems.append(
                    f"merging the parts kept {kept} of their {had} decisions and action "
                    "items; the notes of each part are listed in order"
                )
                listed = merge_parts(mapped)
                listed.title = final.title
                listed.summary = final.summary or listed.summary
                final = listed
        return SummaryOutcome(self._said_only(final, lines), problems, answered)

    def _step(
        self, index: int, total: int, system: str, user: str, message: str
    ) -> Generator[Progress, None, PartNotes]:
        from assistant.llm import Completion

        input_hash = hashlib.sha256(f"{self.llm.model}\n{system}\n{user}".encode()).hexdigest()[:32]
        if self.store is not None and self.job_key:
            stored = self.store.summary_part(self.job_key, index, input_hash)
            if stored is not None:
                yield self._progress(f"{message} (kept from an earlier run)", index + 1, total)
                return parse_notes_json(json.dumps(stored))
        reason = ""
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        repair: list[dict[str, str]] = []  # the unusable answer and what was wrong with it
        for attempt in range(1, ATTEMPTS_PER_STEP + 1):
            self.cancel.raise_if_cancelled()
            suffix = f" (try {attempt} of {ATTEMPTS_PER_STEP})" if attempt > 1 else ""
            yield self._progress(message + suffix, index, total)
            completion = None
            try:
                for item in self.llm.stream(
                    messages + repair,
                    cancel=self.cancel,
                    stage="summarizing",
                    message=message + suffix,
                    temperature=0.2,
                    **constrained(self.llm),
                ):
                    if isinstance(item, Completion):
                        completion = item
                    elif isinstance(item, Progress):
                        yield Progress(
                            "summarizing" if item.stage != "retrying" else "retrying",
                            item.message,
                            index,
                            total,
                            time.monotonic() - self.started,
                        )
                if completion is None:
                    raise ProviderError("the provider closed the stream without an answer")
                notes = parse_notes_json(completion.text)
            except (Cancelled, ProviderAuthError, ProviderNotConfigured):
                raise
            except ProviderError as exc:
                reason = exc.user_message()
            except ValueError as exc:
                reason = f"the model's answer was not usable: {exc}"
                repair = [
                    {"role": "assistant", "content": completion.text if completion else ""},
                    {
                        "role": "user",
                        "content": f"That answer could not be read: {exc}. Reply again with "
                        "the JSON object only, in exactly the shape asked for, shorter if "
                        "needed.",
                    },
                ]
            else:
                if self.store is not None and self.job_key:
                    self.store.save_summary_part(self.job_key, index, input_hash, notes.to_dict())
                yield self._progress(f"{message}: done", index + 1, total)
                return notes
            yield Progress(
                "retrying",
                f"{message} failed: {reason}",
                index,
                total,
                time.monotonic() - self.started,
            )
        raise _StepFailed(reason)

    def _progress(self, message: str, done: int, total: int) -> Progress:
        return Progress("summarizing", message, done, total, time.monotonic() - self.started)


class _StepFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _span(part: Sequence[TranscriptLine]) -> str:
    starts = [line.start for line in part if line.start is not None]
    ends = [line.end or line.start for line in part if line.start is not None]
    if not starts:
        return ""
    return f" ({clock(min(starts))}–{clock(max(e for e in ends if e is not None))})"
