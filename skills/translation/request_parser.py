"""Reading a translation request: what to translate and into which language.

Pure: ``parse_translation_request("把这句翻成英文：明天下午三点开会")`` gives
``TranslationAsk(text="明天下午三点开会", target_lang="en")``. The shapes understood:

* an instruction and the text after a colon (翻译一下：…, translate to English: …);
* the text in quotes (把“今天天气很好”翻成英文, how do you say 'invoice' in Chinese);
* the text around the instruction (invoice用中文怎么说, how do you say good morning in
  Japanese, what's the French word for butterfly, 中译英：…);
* no instruction at all: the whole text is what to translate.

``target_lang`` is None when the request does not name one (the skill then picks the
other language of the user's pair). ``text`` is empty when the request only points at
something ("这句话用英语怎么说", "translate this into Chinese") and holds no text;
``from_clipboard`` is set when what it points at is the clipboard ("把剪贴板里的翻成英文",
"translate what I copied into French"). A bare word is still the word itself ("how do
you say clipboard in Chinese").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from skills.translation.languages import LANGUAGE_WORDS, language_code


@dataclass(frozen=True)
class TranslationAsk:
    text: str
    target_lang: str | None
    from_clipboard: bool = False


_LANG = "(?P<lang>" + "|".join(re.escape(w) for w in LANGUAGE_WORDS) + ")"
_LANG_CHAR = "[中英日韩法德俄西]"

_QUOTED = re.compile(
    r"“([^”]+)”|‘([^’]+)’|「([^」]+)」|『([^』]+)』|\"([^\"]+)\"|(?<!\w)'(.+?)'(?!\w)"
)

# Where the target language is named, strongest first.
_TARGET_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        rf"{_LANG_CHAR}译(?P<char>{_LANG_CHAR})",
        rf"(?:翻译?|译)(?:成|为|到)\s*(?:地道(?:一点|一些)?的|正式(?:一点)?的|简体|繁体)?\s*{_LANG}",
        rf"(?:用|拿)\s*{_LANG}",
        rf"{_LANG}\s*(?:里|中|里面)?\s*(?:的)?\s*[^，,。.]{{0,6}}?(?:怎么|如何|咋)(?:说|讲|表达|写|念)",
        rf"{_LANG}\s*(?:是什么|是啥)",
        rf"\b(?:into|to)\s+(?:plain\s+|simple\s+|proper\s+)?{_LANG}\b",
        rf"\bin\s+(?:plain\s+|simple\s+)?{_LANG}\b",
        rf"\bthe\s+{_LANG}\s+(?:word|term|phrase|expression|for)\b",
    )
)

# Shapes that say where the text is; each has a group named "text".
_TEXT_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE | re.DOTALL)
    for p in (
        # 把 X 翻成/译成 LANG
        r"^(?:请|帮我|麻烦你?|你能)?\s*(?:帮我)?\s*[把将]\s*(?P<text>.+?)\s*(?:翻译?|译)(?:成|为|到)",
        # X 用 LANG 怎么说 / X LANG 怎么说
        rf"^(?P<text>.+?)\s*[，,]?\s*(?:用|拿)?\s*{_LANG}\s*(?:里|中)?\s*(?:怎么|如何|咋)(?:说|讲|表达|写)",
        # LANG 的 X 怎么说
        rf"{_LANG}\s*(?:里|中)?\s*的?\s*(?P<text>.+?)\s*(?:怎么|如何|咋)(?:说|讲|表达|写)",
        # 用 LANG 说一下 X
        rf"^(?:请|帮我)?\s*(?:用|拿)\s*{_LANG}\s*(?:说|讲|表达)(?:一下)?\s*(?P<text>.+)$",
        # how do you say X in LANG / say X in LANG
        rf"\bsay\s+(?P<text>.+?)\s+in\s+{_LANG}\b",
        # what is / what's X in LANG
        rf"\bwhat(?:'s|\s+is|\s+are)\s+(?P<text>.+?)\s+in\s+{_LANG}\b",
        # what does X mean (in LANG)
        r"\bwhat\s+(?:does|do)\s+(?P<text>.+?)\s+mean\b",
        # the LANG word for X / give me the LANG for X
        rf"\bthe\s+{_LANG}\s+(?:word\s+|term\s+|phrase\s+|expression\s+)?for\s+(?P<text>.+?)[?.!]*$",
        # translate X into LANG
        rf"\btranslate\s+(?P<text>.+?)\s+(?:in)?to\s+{_LANG}\b",
        # translate X (no language)
        r"^(?:please\s+)?(?:can you\s+|could you\s+|help me\s+)?translate\s+"
        r"(?!(?:in)?to\s)(?P<text>.+?)[?.!]*$",
        # 翻译一下 X / 请翻译 X
        r"^(?:请|帮我|麻烦)?\s*翻译(?:一下)?\s*(?P<text>.+)$",
    )
)

# The request only points at something: there is no text to translate in it.
_POINTER = re.compile(
    r"^(?=.)(?:下面|以下|如下|上面)?的?(?:这|那)?[一个几句段话词条封份首篇些的]*"
    r"(?:话|句|段|词|单词|邮件|信|菜单|合同条款|路牌|诗|微信|内容|文字|中文|英文|日文|法语|法文)?$"
    r"|^(?:it|this|that|these|those|the following|this \w+|the following \w+|that \w+)$",
    re.IGNORECASE,
)

_INSTRUCTION_WORDS = re.compile(
    r"翻译|翻成|译成|翻一下|怎么说|怎么讲|什么意思|\btranslat|\bhow do (?:you|i) say\b|"
    r"\bwhat does\b|\bword for\b|\bin\s+" + _LANG + r"\b",
    re.IGNORECASE,
)


def _quoted(text: str) -> str | None:
    match = _QUOTED.search(text)
    if match is None:
        return None
    return next(g for g in match.groups() if g is not None)


def find_target_language(text: str) -> str | None:
    for pattern in _TARGET_PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        groups = match.groupdict()
        word = groups.get("lang") or groups.get("char")
        code = language_code(word) if word else None
        if code:
            return code
    return None


_FILLER = re.compile(r"^(?:一下)\s*|\s*(?:用|拿|的|please|for me)$", re.IGNORECASE)

# "中译英：…", "翻译一下：…", "translate to English: …": an instruction before a colon.
_COLON = re.compile(r"^(?P<head>[^:：]{1,40})[:：]\s*(?P<text>.+)$", re.DOTALL)


def _clean(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _FILLER.sub("", text.strip().strip("，,。.;；!！?？ \t\n"))
    return text.strip()


def _is_pointer(text: str) -> bool:
    return bool(_POINTER.match(text.strip().lower()))


_CLIPBOARD_WORD = r"(?:剪贴板|剪切板|粘贴板)"
# The clipboard as the thing to translate (matched against the text a request points at).
_CLIPBOARD = re.compile(
    r"^(?:the|my)\s+clipboard(?:\s+(?:text|contents?))?$"
    r"|^(?:the\s+)?(?:text|contents?|what'?s|what\s+is)\s+(?:in|on)\s+(?:the|my)\s+clipboard$"
    r"|^(?:what|the\s+(?:text|thing|stuff|sentence)s?(?:\s+that)?)\s+i(?:'ve|\s+have)?"
    r"(?:\s+just)?\s+copied$"
    rf"|^我?{_CLIPBOARD_WORD}(?:里|上|中)(?:面)?的?(?:内容|文字|东西|话|文本|这段话?|那段话?)?$"
    r"|^我?(?:刚才?|刚刚)?复制(?:的(?:内容|文字|东西|话|文本|那?这?段话?|那?这?句话?)?)?$",
    re.IGNORECASE,
)
# 把剪贴板翻成英文: with 把 the bare word means its contents.
_BA_CLIPBOARD = re.compile(rf"^(?:请|帮我|麻烦你?)?\s*[把将]\s*{_CLIPBOARD_WORD}")


def parse_translation_request(request: str) -> TranslationAsk:
    """What to translate and into which language (None: not named) from a request."""
    ask = _parse(request)
    if (ask.text and _CLIPBOARD.match(ask.text)) or _BA_CLIPBOARD.match(request.strip()):
        return TranslationAsk("", ask.target_lang, from_clipboard=True)
    return ask


def _parse(request: str) -> TranslationAsk:
    text = request.strip()
    target = find_target_language(text)
    if not _INSTRUCTION_WORDS.search(text) and target is None:
        return TranslationAsk(text, None)  # no instruction: the text itself
    colon = _COLON.match(text)
    if colon and (
        _INSTRUCTION_WORDS.search(colon.group("head")) or find_target_language(colon.group("head"))
    ):
        return TranslationAsk(_clean(colon.group("text")), target)
    quoted = _quoted(text)
    if quoted and quoted.strip():
        return TranslationAsk(quoted.strip(), target)
    for pattern in _TEXT_PATTERNS:
        match = pattern.search(text)
        if match is None:
            continue
        found = _clean(match.group("text"))
        if not found:
            continue
        if _is_pointer(found):
            return TranslationAsk("", target)
        return TranslationAsk(found, target)
    if _INSTRUCTION_WORDS.search(text):
        return TranslationAsk("", target)  # an instruction that points at nothing here
    return TranslationAsk(text, target)
