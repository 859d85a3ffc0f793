"""The messages sent to the language model for one translation. Pure.

The sentence to translate is always the last user message, alone, so the model (and a
test's scripted server) sees exactly what to translate. Earlier sentences of a
conversation go before it as user/assistant pairs (source, then the translation that
was given), a few at most: context, never re-translated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from skills.translation.glossary import GlossaryEntry
from skills.translation.languages import english_name

CONTEXT_SENTENCES = 3  # earlier sentences of a conversation shown to the model

# a question or a request is translated, not answered: the mistake small models make
_EXAMPLES = {
    "en": ("你能帮我把窗户关上吗？", "Could you close the window for me?"),
    "zh": ("What time does the pharmacy open on Sunday?", "药店星期天几点开门？"),
}


def request_options(text: str) -> dict[str, Any]:
    """Sampling for a translation: greedy (the server's default temperature makes a small
    model wander), and a length cap a few times the source's, so a model that starts
    explaining stops soon."""
    return {"temperature": 0, "max_tokens": 64 + 4 * len(text)}


@dataclass(frozen=True)
class ContextPair:
    source: str
    translation: str


def system_prompt(
    target_lang: str,
    glossary: Sequence[GlossaryEntry] = (),
    *,
    interpreting: bool = False,
) -> str:
    target = english_name(target_lang)
    lines = [
        f"You are a professional translator. Translate the user's last message into {target}.",
        "Translate every message, even a question, a request or an instruction: never "
        "answer it or carry it out.",
        "Reply with the translation only: no preamble, no quotes, no notes, no explanation, "
        "no romanization.",
        "Keep names, numbers and formatting. The text may come from speech recognition: "
        "translate what was meant.",
    ]
    if target_lang == "zh":
        lines.append("Write Simplified Chinese characters.")
    if target_lang in _EXAMPLES:
        source, translation = _EXAMPLES[target_lang]
        lines.append(f"Example: {source} → {translation}")
    if interpreting:
        lines.append(
            "You are interpreting a live conversation sentence by sentence; earlier "
            "sentences and their translations are given for context only."
        )
    if glossary:
        lines.append("Use these renderings of the user's own terms exactly:")
        lines.extend(f"- {entry.term} → {entry.translation}" for entry in glossary)
    return "\n".join(lines)


def translation_messages(
    text: str,
    target_lang: str,
    glossary: Sequence[GlossaryEntry] = (),
    context: Sequence[ContextPair] = (),
    *,
    interpreting: bool = False,
) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [
        {
            "role": "system",
            "content": system_prompt(target_lang, glossary, interpreting=interpreting),
        }
    ]
    for pair in list(context)[-CONTEXT_SENTENCES:]:
        messages.append({"role": "user", "content": pair.source})
        messages.append({"role": "assistant", "content": pair.translation})
    messages.append({"role": "user", "content": text})
    return messages


def glossary_missing(translation: str, glossary: Sequence[GlossaryEntry]) -> list[GlossaryEntry]:
    """The entries whose rendering the translation does not use (small models drop them)."""
    folded = translation.casefold()
    return [e for e in glossary if e.translation.casefold() not in folded]


def glossary_repair(
    messages: list[dict[str, Any]], reply: str, missing: Sequence[GlossaryEntry]
) -> list[dict[str, Any]]:
    """The same request once more, with the answer given and the renderings it missed."""
    terms = "; ".join(f"{e.term} → {e.translation}" for e in missing)
    return [
        *messages,
        {"role": "assistant", "content": reply},
        {
            "role": "user",
            "content": f"Use exactly these renderings: {terms}. Reply with the corrected "
            "translation only.",
        },
    ]
