"""The fixed taxonomy and the words that point into it: categories, kinds, currencies.

A keyword is matched as a substring when it is Chinese and as a whole word (with an
optional plural ``s``) when it is Latin. When several keywords match, the longest one
wins ("gas bill" is utilities although "gas" alone is transport), then the earliest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


def words_of(text: str) -> tuple[str, ...]:
    return tuple(text.split())


EXPENSE_CATEGORIES = (
    "food",
    "transport",
    "shopping",
    "housing",
    "utilities",
    "entertainment",
    "health",
    "education",
    "travel",
    "communication",
    "other",
)
INCOME_CATEGORIES = ("salary", "bonus", "investment", "gift", "refund", "other")
KINDS = ("expense", "income")
CURRENCIES = ("CNY", "USD", "EUR", "GBP", "JPY", "HKD")

EXPENSE_KEYWORDS: dict[str, tuple[str, ...]] = {
    "food": words_of(
        "早饭 早餐 午饭 午餐 中饭 中午饭 晚饭 晚餐 夜宵 宵夜 吃饭 饭钱 外卖 咖啡 拿铁 奶茶 饮料 水果 零食"
        " 买菜 菜钱 火锅 烧烤 米线 拉面 面条 包子 饺子 麦当劳 肯德基 星巴克 瑞幸 喜茶 蛋糕 甜品 面包"
        " 啤酒 聚餐 请客 食堂 牛奶 三明治 汉堡 披萨 寿司 烤鸭 下午茶 便当 快餐 小吃 吃的 盒饭 酸奶"
        " breakfast lunch dinner brunch supper meal food coffee latte cappuccino tea snack"
        " groceries grocery restaurant pizza burger sandwich sushi takeout takeaway starbucks"
        " mcdonalds mcdonald's kfc beer drink bakery bread fruit dessert cafe noodles ramen pho"
        " tacos bagel donut juice smoothie boba wine 美团外卖 饿了么 豆浆"
    )
    + (
        "uber eats",
        "bubble tea",
        "milk tea",
    ),
    "transport": words_of(
        "打车 出租车 的士 滴滴 地铁 公交 公交车 巴士 加油 油费 停车 停车费 过路费 高速费 共享单车 单车"
        " 车费 洗车 网约车 摩的 充电费 轮渡 uber lyft taxi cab subway metro bus train gas fuel parking"
        " toll petrol carwash"
    ),
    "shopping": words_of(
        "衣服 裤子 鞋子 鞋 包包 淘宝 京东 拼多多 天猫 网购 超市 日用品 化妆品 护肤品 电脑 耳机 键盘"
        " 鼠标 家具 家电 购物 眼镜 裙子 外套 衬衫 手机壳 数据线 洗发水 纸巾 雨伞 手表"
        " clothes shirt shoes jacket dress amazon taobao shopping keyboard headphones laptop"
        " supermarket jeans sneakers umbrella mouse"
    ),
    "housing": words_of(
        "房租 租金 房贷 物业费 物业 中介费 装修 租房 维修费 rent mortgage landlord repairs"
    ),
    "utilities": words_of(
        "电费 水费 燃气费 煤气费 燃气 网费 宽带 暖气费 取暖费 水电费 水电 electricity"
        " internet wifi broadband utilities heating"
    )
    + (
        "electric bill",
        "water bill",
        "gas bill",
        "power bill",
        "internet bill",
    ),
    "entertainment": words_of(
        "电影 游戏 KTV 唱歌 演唱会 视频会员 爱奇艺 腾讯视频 网易云 桌游 剧本杀 酒吧 演出 话剧"
        " 展览 密室 博物馆 museum live movie movies cinema film game games netflix spotify concert karaoke"
        " bar theater theatre steam bowling"
    ),
    "health": words_of(
        "药 药店 买药 看病 医院 挂号 体检 牙医 看牙 健身 健身房 健身卡 医药费 门诊 口罩 维生素 感冒药"
        " 理疗 medicine pharmacy doctor hospital dentist gym clinic checkup pills vitamins"
        " physio"
    ),
    "education": words_of(
        "书 买书 课程 学费 培训 网课 教材 考试 报名费 辅导 补习 文具 book books course class"
        " tuition textbook lessons lesson training exam udemy coursera stationery"
    ),
    "travel": words_of(
        "机票 飞机票 酒店 宾馆 住宿 民宿 旅游 旅行 景区 门票 签证 高铁 高铁票 火车票 动车 行李"
        " flight flights airfare hotel airbnb hostel trip vacation visa luggage"
    )
    + (
        "plane ticket",
        "train ticket",
    ),
    "communication": words_of("话费 手机费 电话费 流量 充话费 手机套餐 邮费 快递费 postage")
    + (
        "phone bill",
        "mobile bill",
        "cell phone bill",
        "data plan",
        "phone plan",
        "top-up",
    ),
}

INCOME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "salary": words_of("工资 薪水 薪资 发工资 月薪 salary paycheck paycheque wages payday")
    + (
        "got paid",
        "pay day",
    ),
    "bonus": words_of("奖金 年终奖 绩效 提成 bonus commission"),
    "investment": words_of(
        "利息 分红 股息 理财 理财收益 基金收益 股票收益 dividend dividends interest"
    ),
    "gift": words_of("红包 礼金 压岁钱 gift hongbao")
    + (
        "red envelope",
        "red packet",
    ),
    "refund": words_of(
        "退款 退税 报销 退货 退钱 返现 转我 还我 转给我 refund refunded reimbursed"
        " reimbursement cashback"
    )
    + (
        "paid me back",
        "sent me",
        "venmoed me",
    ),
    "other": words_of("收入 兼职 稿费 外快 卖了 收到 赚了 income freelance sold earned received"),
}

# Names a user may say or type for a category ("改成交通", --category 餐饮).
CATEGORY_NAMES: dict[str, str] = {
    "餐饮": "food",
    "吃饭": "food",
    "饮食": "food",
    "伙食": "food",
    "吃的": "food",
    "交通": "transport",
    "出行": "transport",
    "购物": "shopping",
    "住房": "housing",
    "房租": "housing",
    "居住": "housing",
    "水电": "utilities",
    "水电煤": "utilities",
    "生活缴费": "utilities",
    "缴费": "utilities",
    "娱乐": "entertainment",
    "医疗": "health",
    "健康": "health",
    "教育": "education",
    "学习": "education",
    "旅行": "travel",
    "旅游": "travel",
    "通讯": "communication",
    "通信": "communication",
    "话费": "communication",
    "其他": "other",
    "其它": "other",
    "工资": "salary",
    "薪水": "salary",
    "奖金": "bonus",
    "投资": "investment",
    "理财": "investment",
    "礼金": "gift",
    "红包": "gift",
    "退款": "refund",
    "报销": "refund",
    "transportation": "transport",
    "groceries": "food",
    "dining": "food",
    "eating out": "food",
    "rent": "housing",
    "bills": "utilities",
    "medical": "health",
    "fun": "entertainment",
    "phone": "communication",
    "gifts": "gift",
    "investments": "investment",
}

# Words that make a sentence income (beyond the income keywords), and words that keep
# it an expense although an income keyword is present (发红包 is money going out).
OUTGOING_MARKERS = ("发红包", "给", "送", "随份子", "交", "付", "paid for", "gave", "sent to")
INCOMING_MARKERS = ("收到", "抢到", "收了", "到账", "转我", "还我", "received", "got")

CURRENCY_SYMBOLS: tuple[tuple[str, str], ...] = (
    ("HK$", "HKD"),
    ("US$", "USD"),
    ("$", "USD"),
    ("¥", "CNY"),
    ("￥", "CNY"),
    ("€", "EUR"),
    ("£", "GBP"),
)
CURRENCY_WORDS: tuple[tuple[str, str], ...] = tuple(
    sorted(
        (
            ("块钱", "CNY"),
            ("块", "CNY"),
            ("元钱", "CNY"),
            ("元", "CNY"),
            ("圆", "CNY"),
            ("人民币", "CNY"),
            ("rmb", "CNY"),
            ("cny", "CNY"),
            ("yuan", "CNY"),
            ("kuai", "CNY"),
            ("美元", "USD"),
            ("美金", "USD"),
            ("刀", "USD"),
            ("usd", "USD"),
            ("dollars", "USD"),
            ("dollar", "USD"),
            ("bucks", "USD"),
            ("buck", "USD"),
            ("us dollars", "USD"),
            ("欧元", "EUR"),
            ("eur", "EUR"),
            ("euros", "EUR"),
            ("euro", "EUR"),
            ("英镑", "GBP"),
            ("gbp", "GBP"),
            ("pounds", "GBP"),
            ("pound", "GBP"),
            ("quid", "GBP"),
            ("日元", "JPY"),
            ("日币", "JPY"),
            ("jpy", "JPY"),
            ("yen", "JPY"),
            ("港币", "HKD"),
            ("港元", "HKD"),
            ("港纸", "HKD"),
            ("hkd", "HKD"),
            ("hk dollars", "HKD"),
            ("hong kong dollars", "HKD"),
        ),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
)
CURRENCY_PREFIX_CODES = ("RMB", "CNY", "USD", "EUR", "GBP", "JPY", "HKD")


@dataclass(frozen=True)
class KeywordHit:
    keyword: str
    category: str
    start: int
    end: int


def _is_latin(word: str) -> bool:
    return word.isascii()


@lru_cache(maxsize=2)
def _keyword_pattern(table_name: str) -> tuple[re.Pattern[str], dict[str, str]]:
    table = EXPENSE_KEYWORDS if table_name == "expense" else INCOME_KEYWORDS
    owner: dict[str, str] = {}
    for category, words in table.items():
        for word in words:
            owner.setdefault(word.lower(), category)
    parts = []
    for word in sorted(owner, key=len, reverse=True):
        if _is_latin(word):
            parts.append(rf"(?<![a-z]){re.escape(word)}(?:s|es)?(?![a-z])")
        else:
            parts.append(re.escape(word))
    return re.compile("|".join(parts), re.IGNORECASE), owner


def _owner_of(found: str, owner: dict[str, str]) -> str | None:
    low = found.lower()
    if low in owner:
        return owner[low]
    for cut in (2, 1):
        if low[:-cut] in owner:
            return owner[low[:-cut]]
    return None


def keyword_hits(text: str, kind: str) -> list[KeywordHit]:
    pattern, owner = _keyword_pattern(kind)
    hits = []
    for m in pattern.finditer(text):
        category = _owner_of(m[0], owner)
        if category is not None:
            hits.append(KeywordHit(m[0], category, m.start(), m.end()))
    return hits


# Where something was bought, not what: a product keyword beside it decides the
# category ("在超市买了点水果" is food, "淘宝买衣服" is shopping either way).
VENUE_KEYWORDS = frozenset(
    [
        "超市",
        "淘宝",
        "京东",
        "拼多多",
        "天猫",
        "网购",
        "购物",
        "amazon",
        "taobao",
        "supermarket",
        "shopping",
    ]
)


def best_hit(hits: list[KeywordHit]) -> KeywordHit | None:
    if not hits:
        return None
    products = [h for h in hits if h.keyword.lower() not in VENUE_KEYWORDS]
    return max(products or hits, key=lambda h: (len(h.keyword), -h.start))


def category_from_name(name: str, kind: str | None = None) -> str | None:
    """A category id for a name the user gave (``transport``, ``交通``, ``打车``), or None."""
    low = name.strip().lower()
    if not low:
        return None
    allowed = (
        EXPENSE_CATEGORIES
        if kind == "expense"
        else INCOME_CATEGORIES
        if kind == "income"
        else EXPENSE_CATEGORIES + INCOME_CATEGORIES
    )
    if low in allowed:
        return low
    mapped = CATEGORY_NAMES.get(low)
    if mapped in allowed:
        return mapped
    for table_kind in ("expense", "income") if kind is None else (kind,):
        hit = best_hit(keyword_hits(low, table_kind))
        if hit is not None and hit.end - hit.start == len(low) and hit.category in allowed:
            return hit.category
    return None


def categories_for(kind: str) -> tuple[str, ...]:
    return EXPENSE_CATEGORIES if kind == "expense" else INCOME_CATEGORIES
