"""What routes a request to chat (see ``assistant.router_spec``).

Chat is a destination of its own, not the leftover: questions, requests to write,
explain or rewrite, greetings, microphone checks, feelings, arithmetic, and talk about
money, languages, code or meetings that asks no skill for its action. Its rules are
signals of asking rather than doing; a skill's own evidence of action outweighs them.
"""

from __future__ import annotations

from pathlib import Path

from assistant.router_spec import Rule, SkillRouting

ROUTING = SkillRouting(
    skill="chat",
    description=(
        "anything else: questions, explanations, advice, small talk, writing or rewriting "
        "text, arithmetic, and talk about money, languages, code or meetings"
    ),
    examples=Path(__file__).with_name("routing_examples.tsv"),
    rules=(
        # greetings, thanks, microphone checks: the whole request
        Rule(
            r"^(?:(?:你好|您好|嗨|哈喽|喂|在吗|早上好|早安|晚上好|晚安|谢谢你?|多谢|好的|知道了|没事了?|"
            r"测试|一二三|听得到吗|听得见吗|能听到吗|能听见吗|算了|不用了|取消吧|取消)[,.!?\s呀啊吧呢]*)+$"
            r"|^(?:(?:hi|hello|hey|yo|hiya|good (?:morning|evening|afternoon|night)|thanks?(?: you)?|"
            r"thank you(?: so much)?|ok(?:ay)?|cool|never ?mind|test(?:ing)?|check|one|two|three|"
            r"forget it|cancel|stop|no thanks|"
            r"is this (?:thing )?on|can you hear me|are you there)[,.!?\s]*)+$",
            3,
            "social",
        ),
        Rule(
            r"(?:能|可以)?听(?:得到|得见|到|见)我(?:说话|的声音)?(?:吗|么)|麦克风|测试一下"
            r"|\bcan you hear me\b|\bmic(?:rophone)? (?:check|test|working)|\bis this (?:thing )?on\b"
            r"|\btesting\b",
            2,
            "social",
        ),
        # asking to know or to be advised, rather than asking for a skill's action
        Rule(
            r"^(?:什么是|为什么|为啥|怎么才能|如何才能|怎样才能|有没有|是不是|你觉得|你认为)"
            r"|(?:有什么|有哪些|有啥)(?:好的?)?(?:方法|技巧|办法|建议|推荐|区别|不同|好处|坏处|用|作用|要求|讲究)"
            r"|(?:怎么办|好不好|值不值|划算吗|贵不贵|贵吗|难吗|累不累|是什么原理|是怎么\S{0,6}的|一般(?:用|是|怎么|要|应该))"
            r"|(?:大概|一般|现在|相当于)\S{0,6}多少钱|能买(?:什么|多少|啥)|如果|要是|假如|是一回事"
            r"|(?:换成|换算成|兑换成?|折合)(?:人民币|美元|日元|欧元|英镑|港币)"
            r"|(?:应不应该|要不要|该不该|能不能|可不可以)\S{0,12}(?:吗|呢)?[?]?$",
            2,
            "question",
        ),
        Rule(
            r"^(?:what|why|who|where|when|which|whats|what's|is|are|was|were|does|do|did|can|could|"
            r"should|would|will|have|has|how)\b|吗[?]?$|呢[?]?$|[?]$",
            1,
            "asking",
        ),
        Rule(
            r"\b(?:what(?:'s| is) the difference|tips (?:for|on)|any tips|how (?:do|can|should) i "
            r"(?:learn|become|get better|stop|stay|make|talk|tell|write|run|prepare|politely)|"
            r"^(?:is it|would it|should i|do you think|what if)\b|should i\b|what happens|why (?:do|does|is|are)\b|"
            r"how does .{1,40} work|what does .{1,40} do\s*\??$|\bif (?:i|we|you)\b|"
            r"\bwhat(?:'s| is) (?:a|an|the) (?:good|best|average|typical|usual)\b)",
            2,
            "question",
        ),
        # writing, explaining, rewriting: the answer is the text
        Rule(
            r"^(?:请|帮我|麻烦|给我)?\s*(?:写|起|想|编|讲|解释|介绍|推荐|润色|改写|概括|列)"
            r"|(?:帮我|给我|请)(?:写|起|想|编|讲讲?|解释|介绍|推荐|润色|改写|概括|列|规划|出几?道|算)"
            r"|算一下|算算|语法|润色|拼写|错别字|说得更|写得更|改得更|更(?:委婉|礼貌|正式|简洁|口语)"
            r"|(?:总结|概括|简述|介绍)\S{0,8}(?:这篇|文章|书|小说|电影|故事|观点|历史|理论|剧情)"
            r"|\bsummari[sz]e (?:the|this|a)\s+(?:\w+\s+){0,2}?(?:plot|story|book|novel|film|movie|"
            r"article|history|theory|idea|chapter|poem|essay|paper)\b|\bgrammar\b|\bproofread|\bpolish\b"
            r"|^(?:please\s+)?(?:write|draft|compose|explain|describe|suggest|recommend|come up with|"
            r"give me|tell me|help me (?:write|decide|plan|think)|rewrite|reword|make this|"
            r"summari[sz]e the (?:plot|story|book|history|idea)|plan|brainstorm|reply)\b",
            2,
            "compose",
        ),
        # arithmetic and unit conversion: "三十五加四十八", "what is 15% of 80"
        Rule(
            r"(?:加|减|乘以?|除以)\S{0,8}(?:等于|是)(?:多少|几)|(?:一共|总共)是?多少[?]?$"
            r"|\d\s*[-+*/×÷]\s*\d|\b(?:plus|minus|times|divided by|percent of)\b"
            r"|多少(?:人民币|美元|日元|欧元|磅|公斤|英里|摄氏度)|\bhow many \w+ (?:in|are in)\b"
            r"|(?:零|一|二|两|三|四|五|六|七|八|九|十|百|千|万|\d)\s*(?:加|减|乘以?|除以)\s*(?:零|一|二|两|三|四|五|六|七|八|九|十|\d)"
            r"|每(?:人|个人|个)(?:多少|几)|\badd up\b"
            r"|\bconvert\b.{0,30}\b(?:to|into) (?:celsius|fahrenheit|miles|km|pounds|kilograms)\b",
            2,
            "arithmetic",
        ),
        # talk *about* a skill's domain (apps, jobs, habits, advice) is not a task for it
        Rule(
            r"(?:记账|翻译|会议|开会|代码|编程|纪要)\s*(?:这个|这门)?\s*(?:软件|app|应用|工具|专业|职业|行业|公司|技巧|习惯|方法|格式|模板)"
            r"|\b(?:bookkeeping|accounting|budgeting|translation|meeting|note[- ]taking|coding|"
            r"recording) (?:apps?|software|tools?|jobs?|careers?|tips|template|habits?)\b"
            r"|\b(?:translators?|interpreters?|bookkeepers?|accountants?)\b",
            1.5,
            "topic",
        ),
        Rule(r"(?:一块儿?|一起)(?:去|来|走|玩|吃|做|聊|看|逛)", 1.5, "together"),
        # feelings and chit-chat about oneself
        Rule(
            r"(?:好|很|有点|太)(?:累|难过|郁闷|烦|无聊|开心|焦虑|紧张)|心情|陪我|聊聊|聊会"
            r"|\bi(?:'m| am) (?:so |really |a bit )?(?:tired|bored|sad|happy|stressed|anxious|nervous)\b"
            r"|\bi feel\b|\btalk to me\b|后悔|乱花钱|花光|太狠|\bregret|\bway too much\b|\bkeep spending\b"
            r"|\b(?:feel|felt) (?:bad|terrible|guilty|awful)",
            2,
            "feeling",
        ),
    ),
)
