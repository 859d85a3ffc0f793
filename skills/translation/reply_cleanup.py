"""The translation out of a small model's reply. Pure.

Small models wrap a translation in what chat taught them: a preamble ("Here is the
translation:", "翻译如下："), quotes or a code fence, the source repeated above it, and a
note or an alternative after it. ``clean_translation`` keeps the translation only; when
it cannot tell, it keeps the reply as it was (stripped) rather than lose words.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^```[\w-]*\s*\n(.*?)\n?```\s*$", re.DOTALL)
_PREAMBLE = re.compile(
    r"^\s*(?:(?:sure|okay|ok|of course|certainly)[,!.]?\s*)?(?:"
    r"(?:here(?:'s| is) (?:the |a |my )?(?:\w+ )?translation[^:：\n]*[:：]\s*)"
    r"|(?:(?:the )?(?:english|chinese|simplified chinese) translation(?: is)?[^:：\n]*[:：]\s*)"
    r"|(?:translation(?: in \w+)?\s*[:：]\s*)"
    r"|(?:translated(?: text)?\s*[:：]\s*)"
    r"|(?:(?:english|chinese|英文|中文|英语|汉语)\s*[:：]\s*)"
    r"|(?:(?:以下是|下面是)?(?:这句话的)?(?:英文|中文)?(?:翻译|译文)(?:如下|是|为)?\s*[:：]?\s*)"
    r")+",
    re.IGNORECASE,
)
_NOTE_LINE = re.compile(
    r"^\s*[(（]?\s*(?:note|notes|explanation|translation note|注|注意|说明|备注|解释|"
    r"alternatively|或者|也可以)\s*[:：]",
    re.IGNORECASE,
)
_TRAILING_NOTE = re.compile(
    r"\s*[(（](?:note|literally|lit\.|注|直译|意思是)[^)）]*[)）]\s*$", re.IGNORECASE
)
_QUOTES = [('"', '"'), ("“", "”"), ("「", "」"), ("『", "』"), ("'", "'"), ("‘", "’")]
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


def _unquote(text: str) -> str:
    for left, right in _QUOTES:
        if len(text) > 2 and text.startswith(left) and text.endswith(right):
            inner = text[1:-1]
            if left not in inner and right not in inner:
                return inner.strip()
    return text


def _in_target(line: str, target: str) -> bool:
    cjk, latin = len(_CJK.findall(line)), len(_LATIN.findall(line))
    if target == "zh":
        return cjk > 0
    if target == "en":
        return cjk == 0 or latin > 3 * cjk
    return True


def _squash(text: str) -> str:
    return re.sub(r"\W+", "", text).casefold()


def clean_translation(reply: str, source: str, target: str) -> str:
    text = reply.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group(1).strip()
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    kept: list[str] = []
    for line in lines:
        if _NOTE_LINE.match(line):
            break  # a note, an explanation or an alternative: the translation is above it
        line = _PREAMBLE.sub("", line).strip()
        if not line:
            continue
        if _squash(line) == _squash(source):
            continue  # the source repeated
        kept.append(line)
    source_lines = max(1, len([s for s in source.splitlines() if s.strip()]))
    if len(kept) > source_lines:
        # a one-line source answered with several lines: keep those in the target language
        in_target = [line for line in kept if _in_target(line, target)]
        kept = in_target[:source_lines] or kept[:source_lines]
    source_quoted = _unquote(source.strip()) != source.strip()
    unquote = (lambda line: line) if source_quoted else _unquote  # its quotes are the text's
    cleaned = "\n".join(unquote(_TRAILING_NOTE.sub("", line)) for line in kept).strip()
    if not cleaned:
        return reply.strip()
    return cleaned if source_quoted else _unquote(cleaned)
