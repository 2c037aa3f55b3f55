"""Danish parsing and formatting: examples from the seeds, and properties (hypothesis)."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pagt_xl.base.danish import (
    AmountUnit,
    DanishParseError,
    NameMatcher,
    Period,
    amount_unit_from_header,
    format_amount,
    format_date,
    format_millions,
    format_number,
    format_percent,
    normalize_name,
    parse_amount,
    parse_date,
    parse_period,
    parse_year,
    split_title_applicant,
)
from pagt_xl.base.errors import ConfigError, ErrorCode

NORD_THEMES = {
    "1": ["De potentielle STEM'ere", "De potentielle STEM'er"],
    "2": ["Flere piger og kvinder i STEM"],
    "3": ["STEM-kompetencer målrettet de nordjyske virksomheders behov"],
    "4": ["STEM-kompetencer til alle"],
}


@pytest.mark.parametrize(
    ("text", "unit", "expected"),
    [
        ("404.567 kr.", AmountUnit.KR, 404_567),
        ("1,3 mio. kr.", AmountUnit.KR, 1_300_000),
        ("23,23 mio. kr.", AmountUnit.KR, 23_230_000),
        ("kr. 300.000,-", AmountUnit.KR, 300_000),
        ("300.000,-", AmountUnit.KR, 300_000),
        ("300.000,00 kr.", AmountUnit.KR, 300_000),
        ("300 t.kr.", AmountUnit.KR, 300_000),
        ("300 tkr.", AmountUnit.KR, 300_000),
        ("4,95", AmountUnit.MIO, 4_950_000),
        ("1.125.000", AmountUnit.KR, 1_125_000),
        ("DKK 1.000", AmountUnit.KR, 1_000),
        ("1 125 000 kr.", AmountUnit.KR, 1_125_000),
        ("1\u00a0125\u00a0000 kr.", AmountUnit.KR, 1_125_000),
        ("-5.000 kr.", AmountUnit.KR, -5_000),
        ("1.3 mio", AmountUnit.KR, 1_300_000),
        ("1.234,56", AmountUnit.KR, 1_235),
        ("1,5", AmountUnit.TKR, 1_500),
        ("  ", AmountUnit.KR, None),
        ("-", AmountUnit.KR, None),
        (404567, AmountUnit.KR, 404_567),
        (404567.0, AmountUnit.KR, 404_567),
        (4.95, AmountUnit.MIO, 4_950_000),
        (5.35, AmountUnit.MIO, 5_350_000),
        (0.1, AmountUnit.MIO, 100_000),
        (None, AmountUnit.KR, None),
    ],
)
def test_parse_amount(text, unit, expected):
    assert parse_amount(text, unit) == expected


@pytest.mark.parametrize(
    "text", ["ca. 300.000", "300.000 euro", "abc", "1,2,3", "1.23.4", True, float("nan"), "12 mia."]
)
def test_parse_amount_rejects(text):
    with pytest.raises(DanishParseError) as exc:
        parse_amount(text)
    assert "forventede" in str(exc.value)


@pytest.mark.parametrize(
    ("header", "unit"),
    [
        ("Støttebeløb (mio. kr.)", AmountUnit.MIO),
        ("Økonomisk ramme (mio. kr.)", AmountUnit.MIO),
        ("Beløb (t.kr.)", AmountUnit.TKR),
        ("Beløb i 1.000 kr.", AmountUnit.TKR),
        ("Støttebeløb i mill. kr.", AmountUnit.MIO),
        ("Støttebeløb (t. kr.)", AmountUnit.TKR),
        ("Beløb i tusinde kr.", AmountUnit.TKR),
        ("Milepæl", AmountUnit.KR),
        ("Ansøgt beløb (kr.)", AmountUnit.KR),
        (None, AmountUnit.KR),
    ],
)
def test_amount_unit_from_header(header, unit):
    assert amount_unit_from_header(header) is unit


def test_formatting():
    assert format_amount(23_231_178) == "23.231.178 kr."
    assert format_number(-5_000) == "-5.000"
    assert format_millions(23_231_178) == "23,23 mio. kr."
    assert format_millions(4_949_000) == "4,95 mio. kr."
    assert format_percent(0.18) == "18 %"
    assert format_percent(0.1824, 1) == "18,2 %"
    assert format_date(dt.date(2024, 2, 15)) == "15. februar 2024"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("10. oktober 2019", dt.date(2019, 10, 10)),
        ("10 okt. 2019", dt.date(2019, 10, 10)),
        ("10.10.2019", dt.date(2019, 10, 10)),
        ("10-10-2019", dt.date(2019, 10, 10)),
        ("10/10/2019", dt.date(2019, 10, 10)),
        ("2019-10-10", dt.date(2019, 10, 10)),
        ("2019-10-10 00:00:00", dt.date(2019, 10, 10)),
        (43748, dt.date(2019, 10, 10)),
        (dt.datetime(2019, 10, 10, 12, 0), dt.date(2019, 10, 10)),
        ("", None),
    ],
)
def test_parse_date(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value", ["31.02.2019", "hej", "10. brumaire 2019", 0, True])
def test_parse_date_rejects(value):
    with pytest.raises(DanishParseError):
        parse_date(value)


def test_parse_year():
    assert parse_year(2019) == parse_year(2019.0) == parse_year(" 2019 ") == parse_year(dt.date(2019, 1, 1)) == 2019
    assert parse_year("") is None
    for bad in ("19", "2019a", 1850, 2019.5):
        with pytest.raises(DanishParseError):
            parse_year(bad)


@pytest.mark.parametrize(
    ("value", "start", "end"),
    [
        ("2021-2023", dt.date(2021, 1, 1), dt.date(2023, 12, 31)),
        ("2021–2022", dt.date(2021, 1, 1), dt.date(2022, 12, 31)),
        ("2021 - 2022", dt.date(2021, 1, 1), dt.date(2022, 12, 31)),
        ("2023", dt.date(2023, 1, 1), dt.date(2023, 12, 31)),
        ("10.10.2019-31.12.2026", dt.date(2019, 10, 10), dt.date(2026, 12, 31)),
        ("10. oktober 2019 - 31. december 2026", dt.date(2019, 10, 10), dt.date(2026, 12, 31)),
        ("01.2021-06.2022", dt.date(2021, 1, 1), dt.date(2022, 6, 30)),
        (2022, dt.date(2022, 1, 1), dt.date(2022, 12, 31)),
    ],
)
def test_parse_period(value, start, end):
    assert parse_period(value) == Period(start, end)


@pytest.mark.parametrize("value", ["2023-2021", "engang", "2021-2022-2023"])
def test_parse_period_rejects(value):
    with pytest.raises(DanishParseError):
        parse_period(value)


@pytest.mark.parametrize(
    ("text", "title", "applicant"),
    [
        ("Makerspace v/ SOSU STV", "Makerspace", "SOSU STV"),
        ("Klar – Parat – Gymnasiestart v/EUC Nord", "Klar – Parat – Gymnasiestart", "EUC Nord"),
        (
            "STEM Brobygning – for lærere <i>v/Hasseris Gymnasium</i>",
            "STEM Brobygning – for lærere",
            "Hasseris Gymnasium",
        ),
        ("Foo V/ Bar", "Foo", "Bar"),
        ("A v/ B v/ C", "A v/ B", "C"),
        ("Uden ansøger", "Uden ansøger", None),
        ("Elektriker lev/ing", "Elektriker lev/ing", None),
    ],
)
def test_split_title_applicant(text, title, applicant):
    assert split_title_applicant(text) == (title, applicant)


def test_normalize_name_spellings():
    same = [
        "STEM-kompetencer til alle",
        "STEM kompetencer til alle",
        "4. STEM-kompetencer til alle",
        "stem  KOMPETENCER til alle",
    ]
    assert len({normalize_name(s) for s in same}) == 1
    assert normalize_name("De potentielle STEM’ere") == normalize_name("De potentielle STEM'ere")
    assert normalize_name("Baeredygtighed") == normalize_name("Bæredygtighed")
    assert normalize_name("Teknologiambassadoerer") == normalize_name("Teknologiambassadører")
    assert normalize_name("Aaben runde") == normalize_name("Åben runde")


def test_name_matcher_cut_off_and_ambiguous():
    m = NameMatcher(NORD_THEMES)
    assert m.match("3. STEM-kompetencer målrettet...").key == "3"
    assert m.match("STEM-kompetencer målrettet…").key == "3"
    amb = m.match("STEM-kompetencer...")
    assert amb.key is None and amb.candidates == ("3", "4") and amb.ambiguous
    assert m.match("Blå økonomi") == (None, ())
    assert m.match("STEM...").key is None  # too short to cut off safely, not a guess
    assert m.match("STEM-kompetencer").key is None  # no cut-off marker: no prefix matching


def test_name_matcher_rejects_clashing_config():
    with pytest.raises(ConfigError) as info:
        NameMatcher({"a": ["Alfa"], "b": ["alfa"]})
    assert info.value.code is ErrorCode.CONFIG_CONFLICT


# -- properties ----------------------------------------------------------------
@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_amount_format_roundtrip(n):
    assert parse_amount(format_amount(n)) == n
    assert parse_amount(format_number(n)) == n


@given(st.integers(min_value=0, max_value=10**11))
def test_millions_format_is_within_half_a_unit(n):
    parsed = parse_amount(format_millions(n))
    assert abs(parsed - n) <= 5_000


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)))
def test_date_roundtrips(d):
    assert parse_date(format_date(d)) == d
    assert parse_date(d.strftime("%d.%m.%Y")) == d
    assert parse_date(d.isoformat()) == d
    serial = (d - dt.date(1899, 12, 30)).days
    assert parse_date(serial) == d


@given(st.text(max_size=40))
def test_normalize_name_idempotent(text):
    assert normalize_name(normalize_name(text)) == normalize_name(text)


@given(st.text(max_size=30))
def test_parse_amount_never_crashes(text):
    with contextlib.suppress(DanishParseError):
        parse_amount(text)


names_strategy = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=3),
    st.lists(st.text("abcdefghijklmnæøå -'", min_size=5, max_size=25), min_size=1, max_size=3),
    min_size=1,
    max_size=5,
)


@given(names_strategy)
def test_matcher_finds_every_alias(names):
    norms = {}
    for key, spellings in names.items():
        for s in spellings:
            if normalize_name(s):
                norms.setdefault(normalize_name(s), set()).add(key)
    try:
        m = NameMatcher(names)
    except ConfigError as exc:
        assert exc.code is ErrorCode.CONFIG_CONFLICT
        assert any(len(keys) > 1 for keys in norms.values())
        return
    for key, spellings in names.items():
        for s in spellings:
            if normalize_name(s):
                assert m.match(s).key == key
                assert m.match(s.upper()).key == key


def test_amount_prose():
    from pagt_xl.base.danish import format_amount_prose

    assert format_amount_prose(23_231_178) == "23,23 mio. kr."
    assert format_amount_prose(4_200_000) == "4,2 mio. kr."
    assert format_amount_prose(5_000_000) == "5 mio. kr."
    assert format_amount_prose(200_000) == "200.000 kr."
    assert format_amount_prose(999_999) == "999.999 kr."


def test_danish_sort_order():
    from pagt_xl.base.danish import danish_sort_key

    names = ["Åbenrå", "Aalborg", "Ærø", "Øster", "Zealand", "bo", "Bo"]
    assert sorted(names, key=danish_sort_key) == ["Bo", "bo", "Zealand", "Ærø", "Øster", "Åbenrå", "Aalborg"]


def test_title_split_keeps_literal_angle_brackets():
    assert split_title_applicant("Piger i STEM <i>v/UCN</i>") == ("Piger i STEM", "UCN")
    assert split_title_applicant("R&D <robotter> x < y v/ Tech & Co") == ("R&D <robotter> x < y", "Tech & Co")
