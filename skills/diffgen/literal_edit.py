"""Renames and replacements done by text, without the model.

"rename parse_date to parse_day", "把 DefaultCommandFormatter 类改名为 DefaultMarkFormatter",
"change the 'No such file' message to 'File not found'": when an instruction asks only
for replacements like these and every old name occurs in the named files, every
occurrence is replaced (whole words for names, exact text for quoted strings) and the
result goes through the same preview, confirmation and undo as a model's patch. A small
model renames the definition and forgets the uses, or miscopies the lines it must
match; a text replacement cannot, and it works with no model at all.

Anything else in the instruction (add, delete, a value change like "MAX_LINE_LENGTH to
88", "from 4 to 2") leaves it to the model: ``parse_pairs`` returns None. Pure, no I/O.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

_NAME = r"[A-Za-z_$][A-Za-z0-9_$]*"
_QUOTED = r"'[^'\n]+'|\"[^\"\n]+\"|`[^`\n]+`|“[^”\n]+”|‘[^’\n]+’|「[^」\n]+」"
# a name ends where a sentence does, not inside a dotted name or a call: "logger.info"
_TERM = rf"(?:{_QUOTED}|{_NAME}(?!\.?[A-Za-z0-9_$(\[]))"
# Chinese: the new name may be a few plain words ("改成 Ting Project。")
_TERM_ZH = rf"(?:{_QUOTED}|{_NAME}(?: [A-Za-z][A-Za-z0-9_$]*)*(?!\.?[A-Za-z0-9_$(\[]))"
_KIND = (
    r"(?:function|class|method|variable|constant|parameter|argument|field|attribute|"
    r"property|table|name|string|message|error|text|label|key|option|module|type|enum|"
    r"struct|interface|component|identifier|const|def)"
)
_BEFORE = rf"(?:the\s+)?(?:{_KIND}\s+)*"  # "rename the class Foo"
_AFTER = rf"(?:\s+(?:its\s+)?{_KIND})*(?:\s+in\s+[\w./-]+)?"  # "'...' error message in x.py"

_EN_VERB = r"(?:rename|change|replace|switch)"
_EN_PAIR = re.compile(
    rf"\b{_EN_VERB}\s+{_BEFORE}(?P<old>{_TERM}){_AFTER}\s+(?:to|with|into|as|->|→)\s+"
    rf"{_BEFORE}(?P<new>{_TERM})",
    re.IGNORECASE,
)
_TERM_LIST = rf"{_TERM}(?:\s*,\s*{_TERM})*\s*,?\s*and\s+{_TERM}"
_EN_LISTS = re.compile(
    rf"\b{_EN_VERB}\s+{_BEFORE}(?P<old>{_TERM_LIST}){_AFTER}\s+(?:to|with|into|as)\s+"
    rf"(?P<new>{_TERM_LIST})(?:,?\s+respectively)?",
    re.IGNORECASE,
)
_ARROW_PAIR = re.compile(rf"(?P<old>{_TERM})\s*(?:->|→|=>)\s*(?P<new>{_TERM})")
_EN_SHOULD = re.compile(
    rf"(?P<old>{_TERM})\s+(?:should|must|is\s+to)\s+be\s+(?:re)?(?:named|called)(?:\s+to)?\s+"
    rf"(?P<new>{_TERM})",
    re.IGNORECASE,
)
_EN_CALL_IT = re.compile(
    rf"\bcall\s+it\s+(?P<new>{_TERM})\s+instead\s+of\s+(?P<old>{_TERM})", re.IGNORECASE
)

_ZH_VERB = r"(?:改名为|改名成|重命名为|重命名成|命名为|改为|改成|换成|替换为|替换成|变成|改叫)"
# between the old name and the verb: a few characters naming what it is (" 类", "的名字")
_ZH_GAP = r"\s*(?:这个|那个)?(?:[类函数方法变量常量参数属性字段表名字的]{0,6})\s*(?:统一|都)?"
_ZH_PAIR = re.compile(rf"(?P<old>{_TERM}){_ZH_GAP}{_ZH_VERB}\s*(?P<new>{_TERM_ZH})")
_ZH_RENAME_AS = re.compile(rf"重命名\s*(?P<old>{_TERM})\s*为\s*(?P<new>{_TERM_ZH})")
_ZH_LISTS = re.compile(
    rf"(?P<old>{_TERM}(?:\s*(?:、|和|,|，)\s*{_TERM})+){_ZH_GAP}(?:分别)?{_ZH_VERB}\s*"
    rf"(?P<new>{_TERM_ZH}(?:\s*(?:、|和|,|，)\s*{_TERM_ZH})+)"
)
# a single pair cut out of a list ("把 A 和 B 改成 a、b" read as "B 改成 a") is not one
_LIST_BEFORE = re.compile(rf"{_TERM}\s*(?:、|和|,|，|\band)\s*$", re.IGNORECASE)
_LIST_AFTER = re.compile(rf"^\s*(?:、|和)\s*{_TERM}")
_LIST_SPLIT = re.compile(r"\s*(?:,\s*and|、|和|,|，|\band\b)\s*")

# words that ask for something a replacement does not do: leave those to the model
_OTHER_WORK = re.compile(
    r"\b(?:add|adds|insert|delete|remove|drop|write|log|logging|fix|docstrings?|comments?|"
    r"type hints?|annotat\w*|swap|reorder|move|wrap|extract|raise|lower|increase|decrease|"
    r"default|print|refactor|split|merge|implement|convert|format|sort|return|if|when|unless|"
    r"only|just|but|keep|except|alias|aliases|leave|untouched|not|don't)\b"
    r"|加|添|删|写|去掉|修复|修正|修一下|抽取|提取|移动|移除|包一下|包起来|注释|日志|类型|交换|"
    r"打印|默认|文档|如果|返回|仅|只|别|不要|保留|除了|同名|局部",
    re.IGNORECASE,
)
# a parameter or a local lives in one function: replacing every occurrence in the file is
# not renaming it
_SCOPED = re.compile(
    r"\b(?:parameter|argument|param|arg|local(?:\s+variable)?)s?\b|参数|形参|局部", re.I
)
_FILE_NAME = re.compile(r"[\w./-]+\.[A-Za-z0-9]{1,8}\b")
# "change DEBUG to True" sets a value: not a rename
_VALUE = re.compile(r"^(?:[-+]?\d[\d_.,]*|true|false|none|null|nil|undefined|yes|no|on|off)$", re.I)
# a bare word like these after "rename the ..." names no symbol
_NOT_A_NAME = {"it", "this", "that", "them", "these", "those", "all", "every", "each"}


@dataclass(frozen=True)
class LiteralEdit:
    pairs: tuple[tuple[str, str], ...]  # (old, new) as they are written in the files
    new_texts: dict[str, str]  # path -> new text, only files that change
    count: int  # occurrences replaced

    def describe(self) -> str:
        what = ", ".join(f"{old} → {new}" for old, new in self.pairs)
        files = len(self.new_texts)
        return f"{what}: {self.count} place(s) in {files} file(s)"


def _unquote(term: str) -> tuple[str, bool]:
    term = term.strip()
    if len(term) >= 2 and term[0] + term[-1] in ("''", '""', "``", "“”", "‘’", "「」"):
        return term[1:-1], True
    return term, False


def _split_list(text: str) -> list[str]:
    return [t for t in _LIST_SPLIT.split(text.strip()) if t]


def parse_pairs(instruction: str) -> list[tuple[str, str, bool]] | None:
    """(old, new, quoted) replacements the instruction asks for, or None when it asks for
    anything else as well (or for nothing of the kind)."""
    text = instruction.strip()
    if _SCOPED.search(re.sub(_QUOTED, " ", text)):  # "the 'bad argument' message" is fine
        return None
    spans: list[tuple[int, int]] = []
    pairs: list[tuple[str, str, bool]] = []

    def taken(match: re.Match[str]) -> bool:
        return any(s < match.end() and match.start() < e for s, e in spans)

    for pattern, is_list in (
        (_ZH_LISTS, True),
        (_EN_LISTS, True),
        (_ZH_RENAME_AS, False),
        (_ZH_PAIR, False),
        (_EN_SHOULD, False),
        (_EN_CALL_IT, False),
        (_EN_PAIR, False),
        (_ARROW_PAIR, False),
    ):
        for match in pattern.finditer(text):
            if taken(match):
                continue
            if not is_list and (
                _LIST_BEFORE.search(text[: match.start("old")])
                or _LIST_AFTER.match(text[match.end("new") :])
            ):
                return None
            olds = _split_list(match["old"]) if is_list else [match["old"]]
            news = _split_list(match["new"]) if is_list else [match["new"]]
            if len(olds) != len(news):
                return None
            for old_term, new_term in zip(olds, news, strict=True):
                old, old_quoted = _unquote(old_term)
                new, new_quoted = _unquote(new_term)
                if old == new or _VALUE.match(old) or _VALUE.match(new):
                    return None  # "MAX_LINE_LENGTH to 88": a value, not a name
                if not old_quoted and (
                    old.lower() in _NOT_A_NAME or re.fullmatch(_KIND, old, re.IGNORECASE)
                ):
                    return None
                pairs.append((old, new, old_quoted or new_quoted))
            spans.append(match.span())
    if not pairs:
        return None
    rest = text
    for start, end in sorted(spans, reverse=True):
        rest = rest[:start] + " " + rest[end:]
    rest = _FILE_NAME.sub(" ", rest)
    if _OTHER_WORK.search(rest):
        return None
    return pairs


def _pattern(old: str, quoted: bool) -> re.Pattern[str]:
    """A quoted phrase is matched as written; a bare name only as a whole word."""
    if quoted or not re.fullmatch(_NAME, old):
        return re.compile(re.escape(old))
    return re.compile(rf"(?<![A-Za-z0-9_$]){re.escape(old)}(?![A-Za-z0-9_$])")


def missing_names(instruction: str, files: Sequence[tuple[str, str]]) -> list[str]:
    """Old names of a plain rename that occur in none of the files (empty when the
    instruction is not a plain rename)."""
    pairs = parse_pairs(instruction) or []
    return [
        old
        for old, _, quoted in pairs
        if not any(_pattern(old, quoted).search(text) for _, text in files)
    ]


def literal_edit(instruction: str, files: Sequence[tuple[str, str]]) -> LiteralEdit | None:
    """The edit done by text replacement, or None when the model is needed: the
    instruction asks for more than replacements, or an old name occurs in none of the
    files."""
    pairs = parse_pairs(instruction)
    if pairs is None:
        return None
    texts = dict(files)
    count = 0
    for old, new, quoted in pairs:
        pattern = _pattern(old, quoted)
        found = 0
        for path, text in texts.items():
            texts[path], n = pattern.subn(lambda _m, new=new: new, text)
            found += n
        if not found:
            return None
        count += found
    original = dict(files)
    changed = {p: t for p, t in texts.items() if t != original[p]}
    if not changed:
        return None
    return LiteralEdit(tuple((o, n) for o, n, _ in pairs), changed, count)


def unified_patch(original: dict[str, str], new_texts: dict[str, str]) -> str:
    """A unified diff from ``original`` to ``new_texts`` (only the changed files), with
    "\\ No newline at end of file" where a file ends without one."""
    parts: list[str] = []
    for path, new in new_texts.items():
        old_lines = original[path].splitlines(keepends=True)
        new_lines = new.splitlines(keepends=True)
        for line in difflib.unified_diff(old_lines, new_lines, f"a/{path}", f"b/{path}"):
            if line.endswith("\n"):
                parts.append(line)
            else:
                parts.append(line + "\n\\ No newline at end of file\n")
    return "".join(parts)
