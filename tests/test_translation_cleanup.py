"""The translation out of a model's reply (``reply_cleanup.clean_translation``), on the
wrappings small real models put around it: a preamble, a fence, quotes, a note, the
source repeated, a romanization line. Pure: no model, no server."""

from __future__ import annotations

import pytest

from skills.translation.reply_cleanup import clean_translation

SOURCE_ZH = "三点开会"
SOURCE_EN = "The meeting moved to Thursday."

CASES = [
    # (reply, source, target, what the user is shown)
    ("Here is the translation: 会议改到周四了。", SOURCE_EN, "zh", "会议改到周四了。"),
    ("翻译如下：The meeting is at three.", SOURCE_ZH, "en", "The meeting is at three."),
    (
        "Sure! Here's the English translation:\n\nThe meeting is at three.",
        SOURCE_ZH,
        "en",
        "The meeting is at three.",
    ),
    ("```\nThe meeting is at three.\n```", SOURCE_ZH, "en", "The meeting is at three."),
    ("“The meeting is at three.”", SOURCE_ZH, "en", "The meeting is at three."),
    (
        "The meeting is at three.\n\nNote: 三点 means three o'clock.",
        SOURCE_ZH,
        "en",
        "The meeting is at three.",
    ),
    (
        "The meeting is at three. (Literally: three o'clock open meeting)",
        SOURCE_ZH,
        "en",
        "The meeting is at three.",
    ),
    ("三点开会\nThe meeting is at three.", SOURCE_ZH, "en", "The meeting is at three."),
    (
        "Chinese: 会议改到周四了。\nPinyin: huìyì gǎi dào zhōusì le.",
        SOURCE_EN,
        "zh",
        "会议改到周四了。",
    ),
    # quotes that belong to the sentence stay
    ('"Hello," she said.', "“你好，”她说。", "en", '"Hello," she said.'),
    ('"Thanks."', '"谢谢。"', "en", '"Thanks."'),
    # nothing to strip
    ("会议改到周四了。", SOURCE_EN, "zh", "会议改到周四了。"),
]


@pytest.mark.parametrize(("reply", "source", "target", "shown"), CASES)
def test_the_translation_is_kept_and_the_wrapping_dropped(
    reply: str, source: str, target: str, shown: str
) -> None:
    assert clean_translation(reply, source, target) == shown


def test_an_empty_reply_stays_empty() -> None:
    assert clean_translation("  \n ", SOURCE_ZH, "en") == ""
