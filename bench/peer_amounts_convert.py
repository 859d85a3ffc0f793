"""Builds tests/data/peer_amounts/cases.jsonl from other projects' test suites.

    pip download --no-binary :all: --no-deps cn2an price-parser chinese2digits money-parser
    (unpack them into PEERS; JioNLP ships no tests in its wheel, so the cases of its
    test/test_money_parser.py and test/test_money_extractor.py are kept, as data, in
    PEERS/jionlp_tests/test_money_parser.py)
    python bench/peer_amounts_convert.py PEERS   # with cn2an and price-parser installed

Run once by hand; the output is committed, this is kept to show how it was made. The
rules (tests/data/peer_amounts/SOURCES.md says the same):

* each Chinese case X is said in two sentences, "午饭花了X块" (just "午饭花了X" when X
  names a currency or does not end in a number) and "刚才买东西花了X"; each English case
  once, "I paid X for lunch"; whole sentences from a peer's suite are used as they are;
* the expected amount is the peer's own value; the expected currency is the one X names
  (mapped to ISO 4217), or CNY (the default) when X names none;
* a refusal is expected where the peer itself rejects X; where the peer marks it rough,
  a range or a percentage/fraction; where the value is zero, negative, has more than 2
  decimals or is above 99,999,999.99 (what Ting's ledger takes); where X names a
  currency Ting does not record; where X holds no amount (a sentence without money);
  and for chinese2digits cases that cn2an reads to a different value (two peers
  disagree: not a sure amount).
"""

from __future__ import annotations

import ast
import json
import re
import sys
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "tests" / "data" / "peer_amounts" / "cases.jsonl"
MAX = Decimal("99999999.99")

# Ting records these (lexicon.CURRENCIES); anything else named is expected to be refused.
TING = {"CNY", "USD", "EUR", "GBP", "JPY", "HKD", "TWD", "KRW", "AUD", "CAD", "SGD", "CHF",
        "THB", "NZD", "MOP"}  # fmt: skip
CURRENCY_NAMES = {
    "$": "USD", "US$": "USD", "USD": "USD", "美元": "USD", "美金": "USD",
    "€": "EUR", "EUR": "EUR", "欧元": "EUR",
    "£": "GBP", "￡": "GBP", "GBP": "GBP", "GBp": "GBP",
    "円": "JPY", "日元": "JPY", "日币": "JPY", "JPY": "JPY",
    "元": "CNY", "圆": "CNY", "圓": "CNY", "人民币": "CNY", "块": "CNY",
    "港元": "HKD", "港币": "HKD", "HK$": "HKD",
    "新台币": "TWD", "台币": "TWD", "NT$": "TWD",
    "원": "KRW", "韩元": "KRW", "₩": "KRW",
    "AUD": "AUD", "AU$": "AUD", "A$": "AUD", "澳元": "AUD",
    "C$": "CAD", "CA$": "CAD", "CAD": "CAD",
    "SGD": "SGD", "S$": "SGD",
    "CHF": "CHF", "chf": "CHF",
    "฿": "THB", "泰铢": "THB",
    "nzd": "NZD", "NZD": "NZD",
    "卢布": "RUB",
    # spellings added after the first run (they were labelled as currencies Ting does
    # not record; the peer names them as these): see tests/data/peer_amounts/SOURCES.md
    "euro": "EUR", "yen": "JPY", "yuan": "CNY", "pound": "GBP", "stg": "GBP",
    "CHf": "CHF", "SFr": "CHF", "AU $": "AUD", "US $": "USD", "CAD$": "CAD", "CAN$": "CAD",
    "MOP$": "MOP", "NT": "TWD",
}  # fmt: skip
CN_CURRENCY = re.compile(
    r"元|圆|块|角|毛|分|整|正|港币|港元|美元|日元|欧元|泰铢|卢布|台币|澳元|韩元|人民币"
)
CN_NUMBER_END = re.compile(
    r"[\d零〇一二两兩三四五六七八九十百千万萬亿壹贰貳叁肆伍陆柒捌玖拾佰仟廿卅kKwW]$"
)


def amount_check(value: Decimal) -> str | None:
    if value == 0:
        return "zero"
    if value < 0:
        return "negative"
    if value != value.quantize(Decimal("0.01")):
        return "decimals"
    if value > MAX:
        return "too_large"
    return None


def expect(value: Decimal | None, currency: str | None, reason: str | None = None) -> dict:
    if reason:
        return {"refuse": reason}
    if value is None:
        return {"refuse": "no_amount"}
    if currency is not None and currency not in TING:
        return {"refuse": "currency"}
    bad = amount_check(value)
    if bad:
        return {"refuse": bad}
    return {"amount": format(value.normalize(), "f"), "currency": currency or "CNY"}


def zh_sentences(said: str) -> list[str]:
    first = (
        f"午饭花了{said}块"
        if (CN_NUMBER_END.search(said) and not CN_CURRENCY.search(said))
        else f"午饭花了{said}"
    )
    return [first, f"刚才买东西花了{said}"]


def dec(value: object) -> Decimal:
    return Decimal(str(value))


def cn2an_value(text: str) -> Decimal | None:
    import cn2an

    for mode in ("strict", "normal", "smart"):
        try:
            return dec(cn2an.cn2an(text, mode))
        except (ValueError, KeyError, IndexError):
            continue
    return None


def zh_currency(said: str) -> str | None:
    for name in sorted(CURRENCY_NAMES, key=len, reverse=True):
        if not name.isascii() and name in said and name not in "块元圆圓":
            return CURRENCY_NAMES[name]
    return None


def cases_cn2an(peers: Path) -> list[dict]:
    out: list[dict] = []
    src = peers / "cn2an-0.5.24" / "cn2an"
    tree = ast.parse((src / "cn2an_test.py").read_text(encoding="utf-8"))
    lists: dict[str, object] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
            try:
                lists[node.targets[0].attr] = ast.literal_eval(node.value)
            except ValueError:
                pass
    seen: set[str] = set()
    for name in ("strict_data_dict", "normal_data_dict", "smart_data_dict", "direct_data_dict"):
        for said in lists[name]:
            if said in seen:
                continue
            seen.add(said)
            value = cn2an_value(said)
            if value is None and name == "direct_data_dict":
                value = dec(lists[name][said])
            where = f"cn2an 0.5.24 cn2an/cn2an_test.py {name}"
            for text in zh_sentences(said):
                out.append(case(text, said, where, expect(value, "CNY")))
    errors = lists["error_smart_datas"] + [
        "",
        "元整",
        "圆",
        "负",
        "零点",
        "点零",
        "零点点",
        "零点零大",
    ]
    errors += [
        "一一",
        "壹壹",
        "零点",
        "点零",
        "点一",
        "百十一",
        "十一十二",
        "负十一十二",
        "十七十八",
    ]
    for said in errors:
        if said in seen:
            continue
        seen.add(said)
        value = cn2an_value(said)
        where = "cn2an 0.5.24 cn2an/cn2an_test.py error_*_datas"
        for text in zh_sentences(said):
            out.append(
                case(
                    text,
                    said,
                    where,
                    expect(value, "CNY") if value is not None else {"refuse": "peer_error"},
                )
            )
    # an2cn: value -> [low, up, rmb, direct] forms; each form read back by cn2an
    tree = ast.parse((src / "an2cn_test.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and isinstance(node.targets[0], ast.Attribute)
            and node.targets[0].attr in ("input_data", "scientific_input_data")
        ):
            data = ast.literal_eval(node.value)
            for key, forms in data.items():
                for index, said in enumerate(forms if isinstance(forms, list) else [forms]):
                    if said in seen:
                        continue
                    seen.add(said)
                    value = cn2an_value(said)
                    if value is None and index == 2:  # the 元角分 form, cut to fen
                        value = dec(key).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
                    where = f"cn2an 0.5.24 cn2an/an2cn_test.py {node.targets[0].attr}"
                    for text in zh_sentences(said):
                        out.append(case(text, said, where, expect(value, "CNY")))
    # transform: whole sentences, both directions
    tree = ast.parse((src / "transform_test.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Attribute):
            attr = node.targets[0].attr
            if not attr.endswith("dict"):
                continue
            data = ast.literal_eval(node.value)
            for a, b in data.items():
                for sentence in (a, b):
                    if sentence in seen:
                        continue
                    seen.add(sentence)
                    where = f"cn2an 0.5.24 cn2an/transform_test.py {attr}"
                    out.append(case(sentence, sentence, where, transform_expect(sentence)))
    for sentence in ("在1-2个月时间内", "在一到二个月时间内"):
        out.append(
            case(
                sentence, sentence, "cn2an 0.5.24 cn2an/transform_test.py", {"refuse": "no_amount"}
            )
        )
    return out


# The money in cn2an's transform sentences (the others hold no amount of money).
TRANSFORM_MONEY = {
    "小王捡了100块钱": Decimal(100),
    "小王捡了一百块钱": Decimal(100),
    "支票上金额应写为：伍仟元整": Decimal(5000),
    "支票上金额应写为：5000元整": Decimal(5000),
    "电话012，1-2个月，金额101元": Decimal(101),
    "电话零一二，一-二个月，金额一零一元": Decimal(101),
}


def transform_expect(sentence: str) -> dict:
    if sentence in TRANSFORM_MONEY:
        return expect(TRANSFORM_MONEY[sentence], "CNY")
    return {"refuse": "no_amount"}


def cases_chinese2digits(peers: Path) -> list[dict]:
    out: list[dict] = []
    path = peers / "chinese2digits-6.0.2" / "chinese2digits" / "test.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    said_lists: list[list[str]] = []
    digit_lists: list[list[str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "assertEqual":
            key = node.args[0]
            if isinstance(key, ast.Subscript) and isinstance(key.slice, ast.Constant):
                if key.slice.value == "CHNumberStringList":
                    said_lists.append(ast.literal_eval(node.args[1]))
                elif key.slice.value == "digitsStringList":
                    digit_lists.append(ast.literal_eval(node.args[1]))
    seen: set[str] = set()
    for saids, digits in zip(said_lists, digit_lists, strict=True):
        for said, digit in zip(saids, digits, strict=True):
            if said in seen:
                continue
            seen.add(said)
            where = "chinese2digits 6.0.2 chinese2digits/test.py"
            if "%" in digit or "/" in digit or "分之" in said or "%" in said:
                want = {"refuse": "not_money"}
            else:
                value = dec(digit)
                other = cn2an_value(said)
                if other is not None and other != value:
                    want = {"refuse": "peers_disagree"}
                else:
                    want = expect(value, "CNY")
            for text in zh_sentences(said):
                out.append(case(text, said, where, want))
    return out


def cases_jionlp(peers: Path) -> list[dict]:
    out: list[dict] = []
    ns: dict[str, object] = {}
    exec((peers / "jionlp_tests" / "test_money_parser.py").read_text(encoding="utf-8"), ns)  # noqa: S102
    where = "JioNLP test/test_money_parser.py"
    for said, result in ns["money_string_list"]:
        if result["definition"] != "accurate":
            want = {"refuse": "rough"}
        else:
            want = expect(dec(result["num"]), CURRENCY_NAMES.get(result["case"], result["case"]))
            if said.startswith("233,333"):
                want = {"refuse": "too_large"}  # the peer rounds 434.344 to .34; 3 decimals anyway
        for text in zh_sentences(said):
            out.append(case(text, said, where, want))
    extractor = {
        "601,293.11元": expect(Decimal("601293.11"), "CNY"),
        "一万二千三百四十五元": expect(Decimal(12345), "CNY"),
        "9佰日元": expect(Decimal(900), "JPY"),
        "十块钱": expect(Decimal(10), "CNY"),
        "壹仟玖佰圆整": expect(Decimal(1900), "CNY"),
        "1 万(含)-5 万元": {"refuse": "rough"},
        "10k~15k": {"refuse": "rough"},
        "3541.07万元": expect(Decimal("35410700"), "CNY"),
        "2000余元": {"refuse": "rough"},
    }
    for said in ns["extractor_spans"]:
        for text in zh_sentences(said):
            out.append(
                case(
                    text, said, "JioNLP test/test_money_extractor.py (values ours)", extractor[said]
                )
            )
    return out


def peer_currency_in_text(currency: str | None, raw: str) -> str | None:
    """The ISO code Ting should give, or 'unsupported', or None when raw names none."""
    if currency is None or currency not in raw:
        return None
    return CURRENCY_NAMES.get(currency, "unsupported")


def cases_price_parser(peers: Path) -> list[dict]:
    sys.path.insert(0, str(peers / "price_parser-0.5.1" / "tests"))
    import test_price_parsing as t

    out: list[dict] = []
    seen: set[str] = set()
    for name in (
        "PRICE_PARSING_EXAMPLES_BUGS_CAUGHT",
        "PRICE_PARSING_EXAMPLES_NEW",
        "PRICE_PARSING_EXAMPLES",
        "PRICE_PARSING_EXAMPLES_2",
        "PRICE_PARSING_EXAMPLES_3",
        "PRICE_PARSING_EXAMPLES_NO_CURRENCY",
        "PRICE_PARSING_EXAMPLES_XFAIL_CURRENCIES_TO_BE_ADDED",
    ):
        for ex in getattr(t, name):
            raw = ex.price_raw
            if raw is None or not re.search(r"\d", raw):
                continue  # nothing to say (the peer's value came from its hint argument)
            text = f"I paid {raw.strip()} for lunch"
            if text in seen:
                continue
            seen.add(text)
            code = peer_currency_in_text(ex.currency, raw)
            if code == "unsupported":
                want = {"refuse": "currency"}
            else:
                want = expect(ex.amount, code)
            out.append(
                case(text, raw, f"price-parser 0.5.1 tests/test_price_parsing.py {name}", want)
            )
    return out


MONEY_PARSER_CURRENCY = {
    "$": "USD",
    "USD": "USD",
    "NIO": "NIO",
    "CFA": "XOF",
    "₣": "XFF",
    "₪": "ILS",
}


def cases_money_parser(peers: Path) -> list[dict]:
    path = peers / "money-parser-0.0.1" / "tests" / "test_price.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[dict] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            where = f"money-parser 0.0.1 tests/test_price.py {name}"
            if name == "price_str_test_cases":
                for raw, value in ast.literal_eval(node.value):
                    code = None
                    for sign in sorted(MONEY_PARSER_CURRENCY, key=len, reverse=True):
                        if sign in raw:
                            code = MONEY_PARSER_CURRENCY[sign]
                            break
                    out.append(
                        case(
                            f"I paid {raw.strip()} for lunch", raw, where, expect(dec(value), code)
                        )
                    )
            elif name == "wrong_price_str_test_cases":
                for elt in node.value.elts:
                    if isinstance(elt, ast.Constant) and isinstance(elt.value, str):
                        raw = elt.value
                        out.append(
                            case(
                                f"I paid {raw} for lunch".replace("  ", " "),
                                raw,
                                where,
                                {"refuse": "peer_error"},
                            )
                        )
    return out


def case(text: str, said: str, source: str, want: dict) -> dict:
    return {"text": text, "said": said, "source": source, **want}


def main() -> int:
    peers = Path(sys.argv[1])
    cases = (
        cases_cn2an(peers)
        + cases_chinese2digits(peers)
        + cases_jionlp(peers)
        + cases_price_parser(peers)
        + cases_money_parser(peers)
    )
    seen: set[str] = set()
    unique = []
    for c in cases:
        if c["text"] not in seen:
            seen.add(c["text"])
            unique.append(c)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(
        "".join(json.dumps(c, ensure_ascii=False) + "\n" for c in unique), encoding="utf-8"
    )
    print(f"{len(unique)} cases -> {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
