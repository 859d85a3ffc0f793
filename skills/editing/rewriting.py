"""Reading an editing instruction and the model's answer to it (pure).

``translation_language("翻译成英文")`` is "英文": such instructions go to the translation
skill (the user's glossary applies), which reads the language's name. Anything else ("改正式一点", "fix the grammar",
"把时间改成下周三") is a rewrite by the model, asked with ``rewrite_messages`` and read
back with ``clean_rewrite`` (models like to wrap their answer in quotes, a code fence or
a "Here is the revised text:" line).
"""

from __future__ import annotations

import re

SYSTEM_PROMPT = (
    "You edit a piece of text for the user. Apply the user's instruction to the text and "
    "reply with the edited text only: no explanation, no quotes around it, no preamble. "
    "Keep the text's language unless the instruction asks for another, and keep its line "
    "breaks unless the instruction is about them. If the instruction asks for a change "
    "that does not apply, return the text unchanged."
)

_CHINESE_TARGET = re.compile(
    r"(?:翻译?|译|改写?|换)\s*(?:成|为|到)\s*(?P<lang>[\u4e00-\u9fff]{1,8}?(?:文|语|话))(?:[^\u4e00-\u9fff]|$)"
    r"|用\s*(?P<lang2>[\u4e00-\u9fff]{1,5}?(?:文|语|话))\s*(?:怎么|来|重新)?\s*(?:说|写|表达)"
)
_ENGLISH_TARGET = re.compile(
    r"\b(?:translate|put|say|write)\b.*?\b(?:into|to|in)\s+(?P<words>(?:[A-Za-z]+\s*){1,3})[.!]?$",
    re.I,
)
_PREAMBLE = re.compile(
    r"^\s*(?:here(?:'s| is) (?:the |your )?(?:edited|revised|rewritten|corrected|updated)"
    r"[^\n:]*:|(?:修改|改写|润色|修订)后(?:的)?(?:文本|内容|版本)?[:：])\s*\n?",
    re.I,
)
_FENCE = re.compile(r"^\s*```[^\n]*\n(?P<body>.*?)\n```\s*$", re.S)
_QUOTES = (('"', '"'), ("“", "”"), ("「", "」"), ("'", "'"))


def translation_language(instruction: str) -> str | None:
    """The name of the language an instruction asks to translate into, as said ("英文",
    "日语", "French"), or None when it is not a translation."""
    text = instruction.strip()
    found = _CHINESE_TARGET.search(text)
    if found:
        return (found.group("lang") or found.group("lang2")).rsplit("的", 1)[-1]
    found = _ENGLISH_TARGET.search(text)
    if found:
        return found.group("words").split()[-1]
    return None


def rewrite_messages(instruction: str, text: str) -> list[dict[str, str]]:
    return [
        {"role": "system", "content": SYSTEM_PROMPT},
        {"role": "user", "content": f"Instruction: {instruction.strip()}\n\nText:\n{text}"},
    ]


def clean_rewrite(answer: str, original: str) -> str:
    """The edited text out of a model's answer."""
    text = answer.strip()
    fenced = _FENCE.match(text)
    if fenced:
        text = fenced.group("body").strip()
    text = _PREAMBLE.sub("", text, count=1).strip()
    for open_, close in _QUOTES:
        if (
            len(text) >= 2
            and text.startswith(open_)
            and text.endswith(close)
            and not (original.strip().startswith(open_) and original.strip().endswith(close))
            and text.count(open_) + (text.count(close) if close != open_ else 0) == 2
        ):
            text = text[1:-1].strip()
            break
    return text
