"""What routes a request to the bookkeeping skill (see ``assistant.router_spec``).

Evidence of the action: an amount the user paid or received ("午饭三十五", "spent 12
dollars"), an instruction to the ledger ("记一笔", "log an expense", "undo that", "不对，
是四十五", "改成交通"), or a question about the user's own spending ("这个月吃饭花了多少").
Money talked about (prices, exchange rates, saving tips, arithmetic) is chat.
"""

from __future__ import annotations

from pathlib import Path

from assistant.router_spec import Rule, SkillRouting

# Ledger categories as people name them, for spoken corrections ("改成交通").
_CATEGORIES_ZH = (
    r"餐饮|吃饭|饮食|伙食|交通|出行|购物|住房|房租|居住|水电|水电煤|生活缴费|缴费|娱乐|"
    r"医疗|健康|教育|学习|旅行|旅游|通讯|通信|话费|其他|其它|工资|薪水|奖金|投资|理财|"
    r"礼金|红包|退款|报销|收入|支出"
)
_CATEGORIES_EN = (
    r"food|transport|transportation|shopping|housing|rent|utilities|bills|entertainment|"
    r"health|medical|education|travel|communication|phone|other|salary|bonus|investments?|"
    r"gifts?|refund|groceries|dining|income|expense"
)
_NUMERAL = r"(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿点半]+)"

ROUTING = SkillRouting(
    skill="bookkeeping",
    description=(
        "record, correct or undo the user's own expenses and income in their ledger, or "
        "answer questions about their own recorded spending (amounts, totals, budgets)"
    ),
    examples=Path(__file__).with_name("routing_examples.tsv"),
    rules=(
        Rule(
            r"记账(?!\s*(?:软件|app|应用|方法|习惯|本子|的|有|到底|用))|记个账|记一笔|记笔账|记下账|账本"
            r"|记到账上|记到.{0,6}(?:里|上)|入账|消费记录|支出报表|收支报表|开销|开支"
        ),
        Rule(
            r"\bledger\b|\b(?:log|add|record|track|enter|note down|put down)\s+(?:an?\s+|this\s+|my\s+)?"
            r"(?:expense|income|purchase|payment)s?\b|\bmy expenses\b|\bspending (?:report|summary)\b"
            r"|\bexport (?:my )?(?:expenses|ledger)\b"
        ),
        Rule(
            r"花了多少|花多少钱|花了几(?:块|百|千|万)|花得最多|用了多少钱|收入(?:是|有)?多少|赚了多少"
            r"|(?:支出|开销|花销|消费)(?:是|有|一共)?多少|查\S{0,8}(?:消费|支出|开销|收支)"
            r"|(?:今天|昨天|这周|本周|上周|这个月|本月|上个月|今年|去年)的(?:账|支出|开销|消费|收入)(?!号|户)"
            r"|我\S{0,8}(?:支出|开销|花销|消费|收入)\S{0,10}(?:多少|怎么样|比|对比)"
            r"|\bwhat did (?:i|we) spend\b|\bhow much (?:money )?(?:did|have|do|had) (?:i|we)\b.{0,20}?"
            r"\b(?:spen[dt]|make|made|earn|earned|get|got)\b|\bmy (?:\w+ )?(?:spending|income|expenses)\b"
            r"|\b(?:my|the) (?:\w+ )?budget\b|\bbudget\b.{0,30}\bto\b|预算(?:设|定|改|还剩|剩)|(?:设|定|改)\S{0,8}预算",
            3,
            "question",
        ),
        Rule(
            r"(?:刚才|刚刚|上一|最后一|前一|那|这)笔(?!记|钱)|^(?:撤销|撤回)(?:刚才的?|上一个|那个)?$",
            3,
            "followup",
        ),
        Rule(
            r"^(?:please\s+)?(?:undo|revert|cancel|delete|remove|scratch)\s+(?:that|it|this|"
            r"(?:the|my) last(?: one| entry| expense| record| item)?)\s*[.!]?$"
            r"|\b(?:last|previous) (?:entry|expense|transaction)\b|\b(?:the|my) last one\b"
            r"|^undo\s*[.!]?$",
            3,
            "followup",
        ),
        # a bare amount, or a correction of one: "不对，是四十五", "四十五块"
        Rule(
            r"^(?:不对|不是|错了|记错了|搞错了)?[,.\s]*(?:是|应该是|改成|改为)?\s*"
            + _NUMERAL
            + r"\s*(?:块钱|块|元|刀)?\s*[.!]?$",
            3,
            "followup",
        ),
        Rule(
            r"^(?:不对|不是|错了|记错了|应该是|金额错了)[,.\s]*(?:是|应该是|改成|改为)?\s*"
            r"(?:\d|[零〇一二两三四五六七八九十百千万亿点半])",
            3,
            "followup",
        ),
        # spoken amounts with no digits: "two thousand four hundred", "票价一百零四"
        Rule(
            r"\b(?:a|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|"
            r"sixty|seventy|eighty|ninety) (?:hundred|thousand)\b"
            r"|(?:零|一|二|两|三|四|五|六|七|八|九|十|百|千|万){2,}\s*[.!]?$",
            1.5,
            "amount",
        ),
        Rule(
            r"^(?:no|nope|wait|actually|sorry|oops)[,\s]+(?:it was|it's|make (?:it|that)|that should be|"
            r"should be|i meant)\s+(?:\d|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
            r"\w+teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a hundred)",
            3,
            "followup",
        ),
        Rule(
            r"\b(?:should be|goes|belongs|put it|file it)\s+(?:under|in|as|into)\s+(?:the\s+)?(?:"
            + _CATEGORIES_EN
            + r")\b",
            3,
            "followup",
        ),
        Rule(
            r"^(?:no|nope|wait|actually|sorry|oops)?[,\s]*(?:it was|it's|it is|make (?:it|that)|"
            r"that should be|that was|should be|change it to|i meant)\s*\$?\s*\d+(?:\.\d+)?\s*"
            r"(?:dollars|bucks|yuan|euros)?\s*(?:not\s+\$?\d+(?:\.\d+)?)?\s*[.!]?$"
            r"|^\d+(?:\.\d+)?\s+not\s+\d+(?:\.\d+)?$",
            3,
            "followup",
        ),
        # a correction of the last entry's category: "改成交通", "change it to transport"
        Rule(
            r"^(?:不对|不是|错了|记错了|搞错了)?[,.\s]*(?:分类|类别|那笔|这笔|刚才那笔)?"
            r"(?:改成|改为|换成|应该是|算|记成|记到)\s*(?:"
            + _CATEGORIES_ZH
            + r")(?:类|那一?类)?\s*[.!]?$"
            r"|^(?:no|nope|wait|actually|sorry|oops)?[,\s]*(?:change|make|put|set|file|move)\s+"
            r"(?:it|that|this|the last one)\s+(?:(?:to|into|as|under)\s+)?(?:the\s+)?(?:"
            + _CATEGORIES_EN
            + r")(?:\s+category)?\s*[.!]?$",
            3,
            "followup",
        ),
        # "午饭 35", "lunch 12": a short label and a bare number, nothing else
        Rule(r"^(?:[^\d\s]{1,8}|[a-z]+(?: [a-z]+){0,2})\s*:?\s*\$?\d+(?:\.\d+)?$", 2, "amount"),
        # amounts: "三十五块", "32元", "$45", "12 dollars"; a lone 一块 is also "together"
        Rule(
            _NUMERAL + r"\s*(?:块钱|元钱|元|毛|角|刀|美元|美金|欧元|日元|英镑|港币|人民币)"
            r"|(?:\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千万亿点半]{2,}|[二两三四五六七八九十百千万])块",
            2,
            "amount",
        ),
        Rule(
            r"\$\s*\d|\b\d+(?:\.\d+)?\s*(?:dollars?|bucks|euros?|yuan|rmb|usd|eur|cny|gbp|"
            r"pounds?|quid|yen)\b|\b(?:dollars?|bucks)\b",
            2,
            "amount",
        ),
        Rule(
            r"花了|花掉|花费|买了|付了|交了|充了|收到|到账|赚了|发工资|报销|红包|取了|借给|还了|还我"
            r"|\b(?:paid|spent|spend|bought|cost me|earned|received|salary|paycheck|refund(?:ed)?|"
            r"got paid|came to)\b",
            1,
            "verb",
        ),
    ),
)
