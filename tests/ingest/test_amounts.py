"""Amounts are parsed exactly or reported, never guessed (issue 12, item 1); theme numbers (item 8)."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from conftest import HEADER
from hypothesis import given
from hypothesis import strategies as st

from pagt_xl.base.config import load_pact
from pagt_xl.base.danish import AmbiguousAmount, AmountUnit, DanishParseError, format_number, parse_amount
from pagt_xl.base.model import Decision, IssueCode, Severity
from pagt_xl.pipeline import run_validation

_CASE_NUMBERS = itertools.count(1)


def _row(granted: object, *, applied: object = 500_000, decision: str = "Tilsagn", title: str = "P v/EUC Nord",
         theme: str = "De potentielle STEM'ere") -> list[object]:  # fmt: skip
    # every row its own case number: a repeated one is an error of its own (duplicate_case_id)
    return [2020, f"2020-{next(_CASE_NUMBERS):03d}", "Åben runde", title, theme, "Motiverende", applied, decision,
            granted]  # fmt: skip


def _validate(workbook, *rows: list[object], header: list[str] = HEADER):
    return run_validation([workbook({"Ansøgninger": [header, *rows]})], load_pact("nordjylland"))


def _at(result, code: IssueCode) -> list[tuple[str | None, Severity]]:
    return [(i.cell, i.severity) for i in result.issues if i.code is code]


@pytest.mark.parametrize("raw", ["100,000", "250,000 kr.", "2,5", 0.1, "1.250 mio. kr."])
def test_ambiguous_amount_in_a_workbook_is_an_error_not_a_guess(workbook, raw):
    result = _validate(workbook, _row(raw))
    assert _at(result, IssueCode.AMBIGUOUS_AMOUNT) == [("I2", Severity.ERROR)]
    assert result.table["has_error"].tolist() == [True]
    assert len(result.granted()) == 0


def test_ambiguous_amount_names_both_readings():
    with pytest.raises(AmbiguousAmount) as exc:
        parse_amount("100,000")
    assert exc.value.readings == (Decimal(100), Decimal(100_000))
    with pytest.raises(AmbiguousAmount) as exc:
        parse_amount("2,5")
    assert exc.value.readings == (Decimal("2.5"), Decimal(2_500_000))
    with pytest.raises(AmbiguousAmount) as exc:
        parse_amount(0.1)
    assert exc.value.readings == (Decimal("0.1"), Decimal(100_000))


@pytest.mark.parametrize(
    ("raw", "unit", "expected"),
    [
        ("1,250 mio. kr.", AmountUnit.KR, 1_250_000),  # a mio. unit settles the comma: decimal
        ("1,250", AmountUnit.MIO, 1_250_000),
        ("1,000,000", AmountUnit.KR, 1_000_000),  # several comma groups: English, unambiguous
        ("1,234,567.89", AmountUnit.KR, 1_234_568),
        ("300.000 kr.", AmountUnit.MIO, 300_000),  # the text's own "kr." beats the column's unit
        ("1.234,56", AmountUnit.KR, 1_235),  # øre on an amount ≥ 1.000 kr. round half-up
        (404_567.5, AmountUnit.KR, 404_568),
        ("2,5", AmountUnit.TKR, 2_500),
    ],
)
def test_unambiguous_forms(raw, unit, expected):
    assert parse_amount(raw, unit) == expected


@pytest.mark.parametrize(("raw", "unit"), [("1,500", AmountUnit.TKR), ("1,500 t.kr.", AmountUnit.KR),
                                           ("-100,000", AmountUnit.KR), ("0,500", AmountUnit.KR)])  # fmt: skip
def test_ambiguous_forms(raw, unit):
    with pytest.raises(AmbiguousAmount):
        parse_amount(raw, unit)


def test_implausible_amount_is_an_error_on_granted_rows_and_a_warning_otherwise(workbook):
    result = _validate(
        workbook,
        _row(20_000),
        _row(None, applied=9_000_000, decision="Afventer", title="Q v/EUC Nord"),
        _row(400_000, title="R v/EUC Nord"),
    )
    assert _at(result, IssueCode.IMPLAUSIBLE_AMOUNT) == [("I2", Severity.ERROR), ("G3", Severity.WARNING)]
    assert result.table["has_error"].tolist() == [True, False, False]


def test_kroner_in_a_millions_column_is_one_issue_at_the_header(workbook):
    header = [*HEADER[:8], "Støttebeløb (mio. kr.)"]
    rows = [_row(250_000, title="A v/X"), _row(1.2, applied=2_000_000, title="B v/X"), _row(300_000, title="C v/X"),
            _row("400000", title="D v/X")]  # fmt: skip
    result = _validate(workbook, *rows, header=header)
    found = [i for i in result.issues if i.code is IssueCode.UNIT_MISMATCH]
    assert [(i.cell, i.severity) for i in found] == [("I1", Severity.ERROR)]
    assert "3" in found[0].message and "I2" in found[0].message
    assert result.table["has_error"].tolist() == [True, False, True, True]
    assert result.table["granted"].tolist()[1] == 1_200_000
    assert not _at(result, IssueCode.IMPLAUSIBLE_AMOUNT)


def test_thousands_column_with_kroner(workbook):
    header = [*HEADER[:8], "Støttebeløb (t.kr.)"]
    result = _validate(workbook, _row(400, title="A v/X"), _row(350_000, title="B v/X"), header=header)
    assert _at(result, IssueCode.UNIT_MISMATCH) == [("I1", Severity.ERROR)]
    assert result.table["granted"].tolist()[0] == 400_000


def test_theme_number_that_contradicts_its_name_is_a_warning_and_the_name_wins(workbook):
    result = _validate(
        workbook,
        _row(400_000, theme="3. De potentielle STEM'ere"),
        _row(400_000, theme="1. De potentielle STEM'ere", title="B v/X"),
        _row(400_000, theme="9 - STEM-kompetencer til alle", title="C v/X"),
    )
    assert _at(result, IssueCode.THEME_NUMBER_MISMATCH) == [("E2", Severity.WARNING), ("E4", Severity.WARNING)]
    assert result.table["theme"].tolist() == ["1", "1", "4"]
    assert result.table["has_error"].tolist() == [False, False, False]
    assert (result.table["decision"] == Decision.GRANTED).all()


# -- property: the intended value, or an error; never a third value --------------------------------------


def _spellings(kroner: int) -> st.SearchStrategy[tuple[object, AmountUnit]]:
    """Danish (and unambiguous English) spellings of ``kroner``, with the column unit they are written in."""
    dotted = format_number(kroner)
    options: list[tuple[object, AmountUnit]] = [
        (kroner, AmountUnit.KR),
        (float(kroner), AmountUnit.KR),
        (str(kroner), AmountUnit.KR),
        (f"{dotted} kr.", AmountUnit.KR),
        (f"kr. {dotted},-", AmountUnit.KR),
        (f"{dotted},00 kr.", AmountUnit.KR),
        (f"DKK {dotted}", AmountUnit.MIO),
        (dotted.replace(".", " ") + " kr.", AmountUnit.KR),
        (dotted, AmountUnit.KR),
    ]
    if kroner >= 1_000_000:
        options.append((dotted.replace(".", ","), AmountUnit.KR))  # English grouping, two or more commas
    if kroner % 10_000 == 0:
        mio = f"{Decimal(kroner) / 1_000_000:f}".replace(".", ",")
        options += [(f"{mio} mio. kr.", AmountUnit.KR), (mio, AmountUnit.MIO), (kroner / 1_000_000, AmountUnit.MIO)]
    if kroner % 1_000 == 0:
        tkr = kroner // 1_000
        options += [(f"{format_number(tkr)} t.kr.", AmountUnit.KR), (tkr, AmountUnit.TKR)]
    return st.sampled_from(options)


@given(st.integers(min_value=0, max_value=10**10).flatmap(lambda k: st.tuples(st.just(k), _spellings(k))))
def test_spellings_parse_to_the_intended_value_or_fail(case):
    kroner, (raw, unit) = case
    try:
        parsed = parse_amount(raw, unit)
    except DanishParseError:
        return  # reported, never a wrong value
    assert parsed == kroner


@given(
    st.integers(min_value=1, max_value=999),
    st.integers(min_value=0, max_value=999),
    st.sampled_from([AmountUnit.KR, AmountUnit.TKR]),
    st.sampled_from(["", " kr.", " t.kr."]),
)
def test_a_comma_before_three_digits_is_always_ambiguous(head, tail, unit, suffix):
    with pytest.raises(AmbiguousAmount) as exc:
        parse_amount(f"{head},{tail:03d}{suffix}", unit)
    low, high = exc.value.readings
    assert high == low * 1000


@given(st.decimals(min_value=Decimal("-999.99"), max_value=Decimal("999.99"), places=2, allow_nan=False))
def test_small_kroner_with_a_fraction_are_never_rounded(number):
    text = f"{number:f}".replace(".", ",")
    if number == number.to_integral_value():
        assert parse_amount(text) == int(number)
        return
    with pytest.raises(AmbiguousAmount):
        parse_amount(text)
    with pytest.raises(AmbiguousAmount):
        parse_amount(float(number))


def test_a_large_subtotal_in_a_thousands_column_is_only_a_warning(workbook):
    header = [*HEADER[:8], "Støttebeløb (t.kr.)"]
    rows = [_row(400, title="A v/X"), _row(350, title="B v/X"), ["I alt", None, None, None, None, None, None, None,
                                                                  60_000]]  # fmt: skip
    result = _validate(workbook, *rows, header=header)
    assert _at(result, IssueCode.UNIT_MISMATCH) == [("I4", Severity.WARNING)]
    assert result.table["has_error"].tolist() == [False, False]
