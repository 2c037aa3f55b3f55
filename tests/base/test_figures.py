"""One set of figures: every share and million is rounded once, by one rule, and every output shows the same value.

The cross-output test reads the same overview through the report (context and the Word draft), the
breakdown workbook (read back with openpyxl), the command line's JSON and CSV, and the cell function
PAGT.FORDELING, and compares every share and million figure.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal
from typing import Any

import openpyxl
import pytest
from conftest import HEADER, WORKBOOKS
from docx import Document
from hypothesis import given
from hypothesis import strategies as st

from pagt_xl.base.config import load_pact
from pagt_xl.base.danish import format_amount_prose, format_millions, format_share
from pagt_xl.base.figures import millions, share_percents, whole_percent
from pagt_xl.pipeline import run_breakdowns, run_validation
from pagt_xl.report.context import build_context
from pagt_xl.xl import functions as f

# Three themes with the same amount: each is 33,33 %, so rounding each share alone gives 33 + 33 + 33 = 99.
# Theme 1 is two projects; 2.125.000 kr. is 2,13 mio. kr. half up, but 2,12 with a float's round-half-even.
ROWS: list[list[Any]] = [
    HEADER,
    [2020, "2020-01", "Åben runde", "Robotter v/ Aalborg Gymnasium", "1. De potentielle STEM'ere",
     "Kompetenceopbygning", 1_000_000, "Tilsagn", 1_000_000],
    [2020, "2020-02", "Åben runde", "Kodeklub v/ Ørsted Skole", "1. De potentielle STEM'ere",
     "Motiverende", 1_125_000, "Tilsagn", 1_125_000],
    [2020, "2020-03", "Åben runde", "Pigecamp v/ Bjerg Skole", "Flere piger og kvinder i STEM",
     "Motiverende", 2_125_000, "Tilsagn", 2_125_000],
    [2020, "2020-04", "Prioriteret runde", "FremKom v/ Ærø Efterskole", "3. STEM-kompetencer målrettet...",
     "Strategisk vidensopbygning", 2_125_000, "Tilsagn", 2_125_000],
]  # fmt: skip
THEMES = ["1. De potentielle STEM'ere", "2. Flere piger og kvinder i STEM",
          "3. STEM-kompetencer målrettet de nordjyske virksomheders behov"]  # fmt: skip


# -- the rule ---------------------------------------------------------------------------------------
@given(st.lists(st.integers(min_value=0, max_value=10**10), min_size=1, max_size=30))
def test_share_percents_add_up_to_100_and_stay_within_one_point(values):
    pct = share_percents(values)
    total = sum(values)
    assert sum(pct) == (100 if total else 0)
    for v, p in zip(values, pct, strict=True):
        exact = Decimal(v) * 100 / total if total else Decimal(0)
        assert abs(Decimal(p) - exact) < 1


def test_share_percents_by_largest_remainder_with_ties_to_the_first():
    assert share_percents([1, 1, 1]) == [34, 33, 33]
    assert share_percents([0, 0]) == [0, 0]
    # 18,6 / 31,4 / 50,0: the rounded-alone shares would be 19 + 31 + 50 = 100 here too, by the same rule
    assert share_percents([186, 314, 500]) == [19, 31, 50]
    # 19,5 / 19,5 / 61,0: alone, 20 + 20 + 61 = 101; the first of the equal remainders gets the point
    assert share_percents([195, 195, 610]) == [20, 19, 61]
    assert share_percents([1, -1]) == [100, 0]  # a negative amount (reported elsewhere) has no share


def test_millions_are_decimal_half_up_from_whole_kroner():
    assert f"{2_125_000 / 1_000_000:.2f}" == "2.12"  # the float formatting this replaces
    assert millions(2_125_000) == Decimal("2.13")
    assert format_millions(2_125_000, unit=False) == "2,13"
    assert format_millions(2_124_999, unit=False) == "2,12"
    assert format_millions(23_231_178, unit=False) == "23,23"
    assert format_millions(0, unit=False) == "0,00"
    assert format_millions(2_125_000) == "2,13 mio. kr."
    assert format_millions(2_150_000, 1) == "2,2 mio. kr."  # one decimal (chart axes), half up too
    assert format_millions(40_495_800_000, unit=False) == "40.495,80"  # thousands dots in millions too (issue 26.3)
    assert format_millions(1_234_560_000, 1) == "1.234,6 mio. kr."
    assert format_amount_prose(2_125_000) == "2,13 mio. kr."
    assert format_share(7) == "7 %"
    assert whole_percent(0.845) == 85 and whole_percent(1.0) == 100


# -- every output shows the same figures ------------------------------------------------------------
@pytest.fixture
def outputs(cli, workbook, tmp_path) -> dict[str, Any]:
    """The overview in ROWS through every output: the figures each shows, per theme label."""
    src = workbook({"Ansøgninger": ROWS})
    out: dict[str, Any] = {}
    # command line: JSON and CSV
    doc = json.loads(cli("breakdown", src, "--by", "theme", "--format", "json").stdout)
    out["json"] = {r["theme"]: r["percent"] for r in doc["rows"]}
    out["json_total"] = doc["total"]["percent"]
    out["granted"] = {r["theme"]: r["granted"] for r in doc["rows"]}
    machine = cli("breakdown", src, "--by", "theme", "--format", "csv", "--csv-dialect", "maskine").stdout
    out["csv"] = {r["theme"]: int(r["percent"]) for r in csv.DictReader(io.StringIO(machine))}
    danish = cli("breakdown", src, "--by", "theme", "--format", "csv").stdout.lstrip("\ufeff")
    out["csv_dansk"] = {r["Indsatsområde"]: int(r["Andel (%)"]) for r in csv.DictReader(io.StringIO(danish), delimiter=";")}
    table = cli("breakdown", src, "--by", "theme").stdout
    out["table"] = {t: int(m.group(1)) for t in THEMES if (m := re.search(re.escape(t[:30]) + r".* (\d+) %", table))}
    # breakdown workbook, read back
    xlsx = tmp_path / "fordelinger.xlsx"
    assert cli("breakdown", src, "--format", "xlsx", "--out", xlsx).returncode == 0
    ws = openpyxl.load_workbook(xlsx)["Indsatsområder"]
    cells = [r for r in ws.iter_rows(min_row=4, values_only=False) if r[0].value]
    out["xlsx"] = {r[0].value: r[3].value * 100 for r in cells if r[0].value != "I alt"}
    out["xlsx_formats"] = {r[3].number_format for r in cells}
    out["xlsx_total"] = next(r[3].value for r in cells if r[0].value == "I alt") * 100
    # the cell function PAGT.FORDELING, in process, on the range as Excel sends it
    result = f.fordeling([list(r) for r in ROWS], "tema")
    out["fordeling"] = {r[0]: r[3] * 100 for r in result[1:-1]}
    out["fordeling_total"] = result[-1][3] * 100
    # the report: its context and the Word draft
    breakdowns = run_breakdowns(run_validation([src], load_pact("nordjylland")))
    context = build_context(breakdowns, report_date=dt.date(2024, 2, 15))
    out["report"] = {r.label: int(r.share.removesuffix(" %")) for r in context.themes}
    out["report_millions"] = {r.label: r.millions for r in context.themes}
    out["report_total"] = context.themes_total.share
    out["sentence"] = f"{context.facts.largest_theme_amount} af støtten ({context.facts.largest_theme_share})"
    docx = tmp_path / "rapport.docx"
    assert cli("report", src, "--out", docx, "--date", "2024-02-15").returncode == 0
    theme_table = next(t for t in Document(str(docx)).tables if t.rows[0].cells[0].text == "Indsatsområde")
    out["docx"] = {r.cells[0].text: int(r.cells[-1].text.removesuffix(" %")) for r in theme_table.rows[1:]
                   if r.cells[0].text != "I alt"}  # fmt: skip
    out["docx_text"] = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    return out


def test_every_output_shows_the_same_shares(outputs):
    expected = dict(zip(THEMES, share_percents([outputs["granted"][t] for t in THEMES]), strict=True))
    assert expected == {THEMES[0]: 34, THEMES[1]: 33, THEMES[2]: 33}  # not 33 + 33 + 33 = 99
    for name in ("json", "csv", "csv_dansk", "table", "report", "docx"):
        assert {t: v for t, v in outputs[name].items() if t in THEMES} == expected, name
    for name in ("xlsx", "fordeling"):  # fractions with a 0 % format: the same whole number
        assert {t: round(v, 9) for t, v in outputs[name].items() if t in THEMES} == expected, name
    assert outputs["xlsx_formats"] == {"0 %"}
    assert sum(outputs["xlsx"].values()) == pytest.approx(100) == outputs["xlsx_total"]
    assert sum(outputs["fordeling"].values()) == pytest.approx(100) == outputs["fordeling_total"]
    assert outputs["json_total"] == 100 and outputs["report_total"] == "100 %"


def test_every_output_shows_the_same_millions(outputs):
    assert outputs["report_millions"][THEMES[1]] == "2,13"  # 2.125.000 kr.: half up, not the float's 2,12
    for theme, granted in outputs["granted"].items():
        assert outputs["report_millions"][theme] == format_millions(granted, unit=False)
    # the sentence on the largest theme says the same million and share as the tables
    top = THEMES[0]
    assert f"{format_millions(outputs['granted'][top])} af støtten (34 %)" in outputs["sentence"]
    assert "2,13 mio. kr. af støtten (34 %)" in outputs["docx_text"]


def test_the_sample_report_and_workbook_agree_on_every_share(tmp_path):
    """The shipped sample, every breakdown: the workbook's share cell shows the report's percentage."""
    src = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
    breakdowns = run_breakdowns(run_validation([src], load_pact("nordjylland")))
    from pagt_xl.outputs.workbooks import SHEET_NAMES, write_breakdown_workbook

    xlsx = tmp_path / "f.xlsx"
    write_breakdown_workbook(breakdowns, xlsx)
    wb = openpyxl.load_workbook(xlsx)
    context = build_context(breakdowns, report_date=dt.date(2024, 2, 15))
    report = {"theme": context.themes, "type": context.types, "institution_type": context.institution_types}
    for key, share_rows in report.items():
        ws = wb[SHEET_NAMES[key]]
        shown = {r[0]: f"{round(r[3] * 100)} %" for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
        assert all(abs(r[3] * 100 - round(r[3] * 100)) < 1e-9 for r in ws.iter_rows(min_row=4, values_only=True)
                   if r[0])  # fmt: skip
        assert {r.label: r.share for r in share_rows} == {k: v for k, v in shown.items() if k != "I alt"}, key
        assert sum(int(v.removesuffix(" %")) for k, v in shown.items() if k != "I alt") == 100


def test_cli_table_sorts_applicants_in_danish_order(cli, workbook):
    src = workbook({"Ansøgninger": ROWS})
    doc = json.loads(cli("breakdown", src, "--by", "applicant", "--format", "json").stdout)
    assert [r["applicant"] for r in doc["rows"]] == ["Bjerg Skole", "Ærø Efterskole", "Ørsted Skole",
                                                     "Aalborg Gymnasium"]  # fmt: skip
    table = cli("breakdown", src, "--by", "applicant").stdout
    order = [table.index(name) for name in ("Bjerg Skole", "Ærø Efterskole", "Ørsted Skole", "Aalborg Gymnasium")]
    assert order == sorted(order)
