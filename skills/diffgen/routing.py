"""What routes a request to the diff skill (see ``assistant.router_spec``).

Evidence of the action: a change asked of a project's files, usually naming one
("in utils.py rename parse_date to parse_day", "把 Dockerfile 的基础镜像换成 alpine"),
or a patch to make or apply. Questions about code, git or programming, and new code
written in the answer ("write a function that …"), are chat.
"""

from __future__ import annotations

from pathlib import Path

from assistant.router_spec import Marker, Rule, SkillRouting

_CODE_EXT = (
    r"(?:py|pyi|ipynb|js|jsx|mjs|cjs|ts|tsx|go|rs|java|kt|kts|c|h|cc|cpp|cxx|hpp|cs|rb|"
    r"php|swift|scala|sh|bash|zsh|ps1|lua|pl|sql|css|scss|less|html|htm|vue|svelte|json|"
    r"yaml|yml|toml|ini|cfg|conf|xml|gradle|cmake|proto|tf|dart|ex|exs|erl|hs|ml|clj|zig|"
    r"md|rst|lock|env|patch|diff)"
)
# A name with a code extension, a dot file, a well-known build/config file, or a spoken
# "utils dot py".
_CODE_FILE = (
    rf"(?<![\w/.-])(?:[\w./-]*[\w-])?\.{_CODE_EXT}(?![\w])"
    rf"|\b[\w/-]+ (?:dot|点) {_CODE_EXT}\b"
    r"|(?<![\w.])\.(?:gitignore|dockerignore|gitattributes|editorconfig|npmrc|bashrc|zshrc|env)\b"
    r"|\b(?:makefile|dockerfile|cmakelists\.txt|requirements\.txt|gemfile|"
    r"package-lock\.json|readme(?:\.md|\.rst)?|changelog(?:\.md)?)\b"
)

ROUTING = SkillRouting(
    skill="diff",
    description=(
        "change the user's source code or project files (rename, refactor, fix a bug in "
        "a named file, edit a config), or make/apply a patch"
    ),
    examples=Path(__file__).with_name("routing_examples.tsv"),
    markers=(Marker("file", _CODE_FILE, order=10),),
    rules=(
        Rule(r"〈file〉", 2, "file"),
        Rule(
            r"\brename\s+(?:the\s+)?(?:function\s+|method\s+|class\s+|variable\s+|field\s+|prop\s+)?"
            r"[\w.]+\s+to\s+[\w.]+|把\s*[\w.]+\s*重命名(?:为|成)|\brename\b.{0,40}\bto\b"
        ),
        Rule(
            r"\b(?:generate|create|make|write|produce|apply)\s+(?:me\s+)?(?:a\s+|an\s+|the\s+|this\s+)?"
            r"(?:unified\s+|git\s+)?(?:diff|patch)\b|(?:生成|应用|打|出)(?:一个|个|一下)?\s*(?:diff|补丁|patch)"
            r"|(?:补丁|patch)(?:帮我)?(?:应用|打上)|(?:应用|打上|\bapply\b)\S{0,12}(?:补丁|\bpatch\b|\bdiff\b)"
        ),
        Rule(
            r"\b(?:rename|refactor|patch|rewrite|replace|remove|delete|add|change|update|fix|"
            r"move|extract|bump|edit|swap|inline|convert|turn off|turn on|split|handle)\b"
            r"|改成|改为|改一下|重命名|重构|补丁|替换|换成|删掉|删除|加(?:一个|个|上)|修一下|修复|修好|挪到|拆成",
            1.5,
            "verb",
        ),
        Rule(
            r"\b(?:function|method|class|variable|import|docstring|type hints?|parameter|argument|"
            r"constructor|module|endpoint|field|assertion|constants?|file)\b|函数|方法|变量|参数|代码|注释|字段|类型注解|接口|常量|文件"
            r"|\bbug\b",
            1,
            "noun",
        ),
    ),
)
