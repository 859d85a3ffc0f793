"""What routes a request to the translation skill (see ``assistant.router_spec``).

Evidence of the action is an instruction to put given words into a language ("翻成英文",
"translate … into French", "how do you say … in Japanese", "这句日语什么意思"). Talk about
languages, learning them or translation as a job, and writing or explaining something
in a language, are chat.
"""

from __future__ import annotations

from pathlib import Path

from assistant.router_spec import Marker, Rule, SkillRouting

_LANG_ZH = (
    r"英文|英语|中文|汉语|普通话|日语|日文|韩语|韩文|朝鲜语|法语|法文|德语|德文|西班牙语|"
    r"意大利语|俄语|俄文|葡萄牙语|葡语|阿拉伯语|粤语|广东话|繁体(?:中文|字)?|简体(?:中文|字)?|"
    r"泰语|越南语|荷兰语|拉丁语|希腊语|印地语|土耳其语|外语|文言文|现代汉语|白话文"
)
_LANG_EN = (
    r"english|chinese|mandarin|cantonese|japanese|korean|french|german|spanish|italian|"
    r"russian|portuguese|arabic|thai|vietnamese|dutch|latin|greek|hindi|turkish|polish|"
    r"swedish|norwegian|danish|finnish|hebrew|indonesian|malay|tagalog|swahili"
)
# "please", "can you" … before the verb: the sentence is an instruction, not talk about it
_ASKING = (
    r"(?:^|[,.!?:;]\s*)(?:(?:please|pls|ok|okay|hey|uh|um|so|now)\s+)*"
    r"(?:(?:can|could|would|will) you\s+|help me\s+|i (?:need|want) you to\s+|"
    r"i'd like you to\s+)?(?:please\s+)?"
)

ROUTING = SkillRouting(
    skill="translation",
    description=(
        "translate given text or speech into another language, or say how a phrase is "
        "said / what a foreign word means in another language"
    ),
    examples=Path(__file__).with_name("routing_examples.tsv"),
    markers=(Marker("lang", rf"(?:{_LANG_ZH})|\b(?:{_LANG_EN})\b", order=50),),
    score_cap=5.0,
    rules=(
        # Chinese instructions: 翻成英文, 译成日语, 中译英, 英文怎么说, 用日语说, 日语是什么意思
        Rule(r"(?:翻译?|译)(?:成|为|到)[^,.!?]{0,10}?〈lang〉", 5),
        Rule(r"(?:中|英|日|韩|法|德|俄|西)译(?:中|英|日|韩|法|德|俄|西)", 5),
        Rule(r"〈lang〉[^.?]{0,24}?(?:怎么|如何|咋)(?:说|讲|表达|写|念|翻)|〈lang〉\S{0,8}说法", 5),
        Rule(r"(?:用|拿)\s*〈lang〉\s*(?:来)?(?:怎么|如何)?(?:说|讲|表达|回复|回)", 5),
        Rule(r"〈lang〉\s*(?:翻|译)(?:成|为)?\s*〈lang〉|^(?:帮我)?\s*翻(?:译)?一下\b", 5),
        Rule(r"(?:这句|这个|这段|这条|上面的?)〈lang〉.{0,6}?(?:是什么|是啥|什么|啥)意思", 5),
        Rule(r"〈lang〉\s*(?:是什么|是啥|什么意思|啥意思)\s*[.?]?$", 5),
        Rule(r"^(?:请|帮我|麻烦)?\s*翻译(?:一下)?\s*:", 5),
        Rule(r"(?:^|[,.!?\s])(?:请|帮我|麻烦你?|给我)?(?:把|将).{0,40}?(?:翻|译)", 4),
        Rule(r"(?:帮我|请|麻烦)\s*(?:翻|译)", 4),
        Rule(r"翻译(?:一下)?剪贴板|剪贴板.{0,8}(?:翻|译)", 5),
        # English instructions
        Rule(_ASKING + r"translate\b", 5),
        Rule(_ASKING + r"tr[ans]{2,4}l?[ast]{2,3}e\b", 4),  # typed in a hurry: tranlsate, transalte
        Rule(_ASKING + r"(?:put|render)\b.{0,60}?\binto\s+(?:plain\s+|simple\s+)?〈lang〉", 5),
        Rule(
            r"\bhow (?:do|would|could|should|can|does) (?:you|i|we|one|someone) "
            r"(?:say|write|express|spell)\b(?:.{0,60}?\b(?:in|into)\s+〈lang〉|\s*[^\x00-\x7f])",
            5,
        ),
        Rule(r"\bwhat(?:'s| is| does| do)\b.{0,60}?\bin\s+〈lang〉\s*[.?]?$", 5),
        Rule(r"\bthe\s+〈lang〉\s+(?:word|term|phrase|expression|for)\b", 5),
        Rule(r"^(?:please\s+)?say\b.{0,60}?\bin\s+〈lang〉", 5),
        Rule(r"\bin\s+〈lang〉\s*(?:怎么|如何)?(?:说|讲|是什么|什么意思)", 5),
        Rule(r"\btranslated (?:in)?to\s+〈lang〉", 4),
        Rule(
            r"〈lang〉\s*(?:->|→|to)\s*〈lang〉\s*:|\b(?:en|zh|ja|ko|fr|de)\s*(?:->|→|to|2)\s*(?:en|zh|ja|ko|fr|de)\b\s*:",
            5,
        ),
        Rule(r"翻译|翻一下|翻成|\btr[ans]{2,4}l?[ast]{2,3}e\b|\btranslat", 1.5, "weak"),
    ),
)
