"""What a dictated utterance types: spoken punctuation made into marks, spoken commands
recognised, and the space needed between it and what was typed before it (pure).

* Spoken punctuation in Chinese ("逗号" → "，", "句号" → "。", "换行" → a line end) and
  English ("comma" → ",", "question mark" → "?", "new line"). Whisper often writes its
  own mark beside the word ("Hello comma, how are you"): marks and spaces around a
  spoken one are dropped, and it alone stays.
* Commands, when they are the whole utterance: "delete that", "scratch that",
  "删掉刚才那句" … remove the last insertion.
* English after a sentence end or a line end starts with a capital letter.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

DELETE_LAST = "delete_last"

# The whole utterance, lower-cased, without spaces or punctuation.
DELETE_COMMANDS = frozenset(
    {
        "deletethat",
        "deletethis",
        "deletethelastsentence",
        "deletelastsentence",
        "scratchthat",
        "undothat",
        "removethat",
        "删掉刚才那句",
        "删掉刚才那句话",
        "删掉刚才那段",
        "删掉刚才说的",
        "删除刚才那句",
        "删除刚才那句话",
        "删除刚才说的",
        "删掉上一句",
        "删除上一句",
        "撤销刚才那句",
        "撤回刚才那句",
        "删掉那句",
        "删掉那句话",
        "删了刚才那句",
    }
)

# Spoken mark -> (what it types, whether a space follows it in running English).
_CHINESE_MARKS: dict[str, str] = {
    "逗号": "，",
    "句号": "。",
    "问号": "？",
    "感叹号": "！",
    "叹号": "！",
    "冒号": "：",
    "分号": "；",
    "顿号": "、",
    "省略号": "……",
    "破折号": "——",
    "左括号": "（",
    "右括号": "）",
    "左引号": "“",
    "右引号": "”",
    "换行": "\n",
    "下一行": "\n",
    "新的一行": "\n",
    "另起一行": "\n",
    "新段落": "\n\n",
    "另起一段": "\n\n",
    "空格": " ",
}
_ENGLISH_MARKS: dict[str, str] = {
    "comma": ",",
    "period": ".",
    "full stop": ".",
    "question mark": "?",
    "exclamation mark": "!",
    "exclamation point": "!",
    "colon": ":",
    "semicolon": ";",
    "semi colon": ";",
    "ellipsis": "…",
    "dash": "—",
    "hyphen": "-",
    "open parenthesis": "(",
    "close parenthesis": ")",
    "open bracket": "(",
    "close bracket": ")",
    "open quote": "“",
    "close quote": "”",
    "end quote": "”",
    "new line": "\n",
    "newline": "\n",
    "next line": "\n",
    "new paragraph": "\n\n",
}
_SPACE_AFTER = set(",.?!:;…”)—")  # marks followed by a space in running English
_NO_SPACE_BEFORE = set(",.?!:;…”)")
_OPENING = set("(“—")
# Whisper's own marks (and spaces) that a spoken mark replaces when they touch it.
_WRITTEN = r"[\s,.;:!?，。；：！？、…]*"
_SENTENCE_END = set(".?!。？！\n")


def _pattern() -> re.Pattern[str]:
    english = sorted(_ENGLISH_MARKS, key=len, reverse=True)
    chinese = sorted(_CHINESE_MARKS, key=len, reverse=True)
    # Whisper may put its own mark between the words: "question, Mark?"
    english_alt = "|".join(r"[\s,.;:!?]+".join(map(re.escape, p.split())) for p in english)
    chinese_alt = "|".join(map(re.escape, chinese))
    return re.compile(
        rf"{_WRITTEN}(?:(?<![A-Za-z])(?P<en>{english_alt})(?![A-Za-z])|(?P<zh>{chinese_alt})){_WRITTEN}",
        re.IGNORECASE,
    )


_MARK = _pattern()


@dataclass(frozen=True)
class Dictated:
    """What one utterance does: ``text`` to type (may be empty) or a ``command``."""

    text: str
    command: str | None = None


def _key(text: str) -> str:
    return "".join(
        c
        for c in unicodedata.normalize("NFKC", text).lower()
        if not (c.isspace() or unicodedata.category(c).startswith("P"))
    )


def is_cjk(char: str) -> bool:
    point = ord(char)
    return (
        0x3400 <= point <= 0x9FFF
        or 0xF900 <= point <= 0xFAFF
        or 0x20000 <= point <= 0x2FFFF
        or 0x3000 <= point <= 0x303F  # CJK punctuation
        or 0xFF00 <= point <= 0xFFEF  # full-width forms
    )


def dictated(transcript: str) -> Dictated:
    """What ``transcript`` types (see the module docstring)."""
    text = transcript.strip()
    if not text:
        return Dictated("")
    if _key(text) in DELETE_COMMANDS:
        return Dictated("", DELETE_LAST)
    pieces: list[str] = []
    last = 0
    for match in _MARK.finditer(text):
        pieces.append(text[last : match.start()])
        spoken = match.group("en") or match.group("zh")
        if match.group("en"):
            mark = _ENGLISH_MARKS[" ".join(re.findall(r"[a-z]+", spoken.lower()))]
        else:
            mark = _CHINESE_MARKS[spoken]
        pieces.append("\0" + mark + "\0")  # the marks' own spacing is settled below
        last = match.end()
    pieces.append(text[last:])
    return Dictated(_settle("".join(pieces)))


def _settle(text: str) -> str:
    """Spaces and capitals around the inserted marks (each wrapped in NULs)."""
    parts = text.split("\0")
    out = ""
    capital_next = False
    for index, part in enumerate(parts):
        if index % 2 == 0:  # dictated words
            words = part
            if out and (out[-1] in _SPACE_AFTER or out[-1] in _OPENING or out[-1] == "\n"):
                words = words.lstrip()
            if capital_next and words.strip():
                words = _capitalize_first(words)
                capital_next = False
            out += words
            continue
        mark = part
        out = out.rstrip(" ")
        if mark == " ":
            out += " "
            continue
        if mark[0] in _OPENING and out and out[-1] != "\n" and not is_cjk(out[-1]):
            mark = " " + mark
        out += mark
        following = parts[index + 1].lstrip() if index + 1 < len(parts) else ""
        if (
            mark[-1] in _SPACE_AFTER
            and following
            and not is_cjk(following[0])
            and following[0] not in _NO_SPACE_BEFORE
        ):
            out += " "
        if mark[-1] in _SENTENCE_END:
            capital_next = True
    return out.strip(" ")


def _capitalize_first(words: str) -> str:
    """The first letter upper-cased when it is an English one."""
    for i, char in enumerate(words):
        if char.isspace() or char in '“"(':
            continue
        if char.isascii() and char.isalpha():
            return words[:i] + char.upper() + words[i + 1 :]
        return words
    return words


def joined(previous: str, text: str) -> str:
    """``text`` as typed after ``previous`` (the last insertion): a space first when two
    pieces of Latin-script text meet."""
    if not previous or not text or previous.endswith(("\n", " ")):
        return text
    first, last = text[0], previous[-1]
    if first.isspace() or first in _NO_SPACE_BEFORE or is_cjk(first) or is_cjk(last):
        return text
    if last in _OPENING:
        return text
    return " " + text
