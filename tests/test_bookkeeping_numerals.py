"""Chinese numeral conversion: tables for the colloquial money forms, and properties
(int → Chinese numeral text → int) checked with hypothesis."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skills.bookkeeping.amounts import find_amounts
from skills.bookkeeping.numerals import (
    chinese_to_int,
    english_words_to_int,
    int_to_chinese,
)
from skills.bookkeeping.parser import ExpenseParser

TODAY = dt.date(2024, 5, 15)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三十五", 35),
        ("十二", 12),
        ("二十", 20),
        ("一百二", 120),
        ("一百二十", 120),
        ("一百零二", 102),
        ("两千五", 2500),
        ("两千零五", 2005),
        ("两万", 20000),
        ("一万二", 12000),
        ("一万二千", 12000),
        ("三万二千五", 32500),
        ("一万零五", 10005),
        ("十万", 100000),
        ("一百万", 1000000),
        ("一亿零一万", 100010000),
        ("两亿", 200000000),
        ("二零二四", 2024),
        ("壹佰贰拾", 120),
    ],
)
def test_chinese_numerals(text: str, value: int) -> None:
    assert chinese_to_int(text) == value


@pytest.mark.parametrize("text", ["", "万", "百二", "千万", "一二十", "十十", "一百千", "abc"])
def test_malformed_numerals_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        chinese_to_int(text)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("一块五", Decimal("1.5")),
        ("三块五毛", Decimal("3.5")),
        ("三块五毛五", Decimal("3.55")),
        ("三块五毛五分", Decimal("3.55")),
        ("十二块八", Decimal("12.8")),
        ("五毛", Decimal("0.5")),
        ("五毛钱", Decimal("0.5")),
        ("两毛五", Decimal("0.25")),
        ("一块零五", Decimal("1.05")),
        ("三十块零五毛", Decimal("30.5")),
        ("三十五块钱", Decimal("35")),
        ("3块5", Decimal("3.5")),
        ("12块8", Decimal("12.8")),
        ("3元5角", Decimal("3.5")),
        ("1.5k", Decimal("1500")),
        ("3千", Decimal("3000")),
        ("2w", Decimal("20000")),
        ("2.5万", Decimal("25000")),
        ("1万2", Decimal("12000")),
        ("1,234.56", Decimal("1234.56")),
        ("12,000", Decimal("12000")),
        ("三点五元", Decimal("3.5")),
    ],
)
def test_colloquial_money(text: str, amount: Decimal) -> None:
    found = find_amounts(text)
    assert [a.value for a in found] == [amount]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("twenty", 20),
        ("twenty five", 25),
        ("twenty-five", 25),
        ("a hundred", 100),
        ("one hundred and twenty", 120),
        ("two thousand five hundred", 2500),
    ],
)
def test_english_number_words(text: str, value: int) -> None:
    assert english_words_to_int(text) == value


@settings(max_examples=400, deadline=None)
@given(st.integers(min_value=0, max_value=10**15))
def test_int_to_chinese_and_back(n: int) -> None:
    assert chinese_to_int(int_to_chinese(n)) == n


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**12))
def test_colloquial_form_reads_back(n: int) -> None:
    text = int_to_chinese(n, colloquial=True)
    assert chinese_to_int(text) == n


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=9))
def test_abbreviated_unit_is_one_place_lower(a: int, b: int) -> None:
    digits = "零一二三四五六七八九"
    for unit_char, unit in (("百", 100), ("千", 1000), ("万", 10000)):
        assert chinese_to_int(f"{digits[a]}{unit_char}{digits[b]}") == a * unit + b * unit // 10


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=99_999_999 * 100))
def test_spoken_yuan_jiao_fen_parse_to_the_same_amount(cents: int) -> None:
    """Any amount said as X块Y毛Z分 in Chinese numerals parses back exactly."""
    yuan, rest = divmod(cents, 100)
    jiao, fen = divmod(rest, 10)
    digits = "零一二三四五六七八九"
    text = ""
    if yuan:
        text += int_to_chinese(yuan) + "块"
    if jiao:
        text += digits[jiao] + "毛"
    if fen:
        if not jiao and yuan:
            text += "零"
        text += digits[fen] + ("分钱" if not (yuan or jiao) else "分")
    if not jiao and not fen:
        text += "钱"
    entries = ExpenseParser().parse("午饭" + text, TODAY)
    assert len(entries) == 1
    assert entries[0].amount == Decimal(cents) / 100


@settings(max_examples=300, deadline=None)
@given(st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999999.99"), places=2))
def test_arabic_amounts_with_currency_parse_back(amount: Decimal) -> None:
    for text, currency in ((f"lunch ${amount}", "USD"), (f"午饭{amount}元", "CNY")):
        entries = ExpenseParser().parse(text, TODAY)
        assert [(e.amount, e.currency) for e in entries] == [(amount, currency)]


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=99_999_999))
def test_thousands_separators(n: int) -> None:
    entries = ExpenseParser().parse(f"rent {n:,} dollars", TODAY)
    assert [e.amount for e in entries] == [Decimal(n)]
