"""Applicants' budget layouts not seen before (issue 25), one class per test, each a workbook written with openpyxl:
years as columns, units in headers, merged categories, a cover sheet, dated spending headers, other header words,
a project on its plan, .xls, the co-financing minimum and costs outside the project period."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import SheetSpec, write_workbook

from pagt_xl import load_pact
from pagt_xl.base.model import IssueCode, Severity
from pagt_xl.core.budget import budget_lines, planned_share
from pagt_xl.ingest.budget import read_budget_workbook

IDENT = [["Sagsnr.", "2023-05"], ["Projekttitel", "LamSTEM Nord+"], ["Projektstart", dt.datetime(2023, 1, 1)],
         ["Projektslut", dt.datetime(2025, 12, 31)], []]  # fmt: skip
AS_OF = dt.date(2025, 6, 30)


@pytest.fixture(scope="module")
def pact():
    return load_pact("nordjylland")


def _read(tmp_path: Path, pact, sheets, name: str = "budget.xlsx", as_of: dt.date = AS_OF):
    path = write_workbook(tmp_path / name, sheets)
    rec, issues = read_budget_workbook(path, pact, as_of=as_of)
    assert rec is not None, [i.message for i in issues]
    return rec, issues


def codes(issues):
    return [(i.code, i.cell) for i in issues]


@pytest.mark.parametrize("with_total", [True, False], ids=["i-alt", "summed"])
def test_years_as_columns_under_a_merged_budget_header(tmp_path, pact, with_total):
    header2 = [None, None, 2023, 2024, 2025, "I alt" if with_total else None]
    rows = [
        ["Løn og timer", "Timer", 100_000, 100_000, 100_000, 300_000 if with_total else None],
        ["Materialer og udstyr", "Udstyr", 50_000, 25_000, 25_000, 100_000 if with_total else None],
        ["Udgifter i alt", None, 150_000, 125_000, 125_000, 400_000 if with_total else None],
    ]
    sheet = SheetSpec([*IDENT, ["Kategori", "Beskrivelse", "Budget (kr.)"], header2, *rows, [],
                       ["Ansøgt fra puljen", 300_000], ["Egenfinansiering", 100_000]], merged=["C6:F6"])  # fmt: skip
    rec, issues = _read(tmp_path, pact, {"Budget": sheet})
    assert [(line.category, line.amount, line.budget_years) for line in rec.lines] == [
        ("Løn og timer", 300_000, {2023: 100_000, 2024: 100_000, 2025: 100_000}),
        ("Materialer og udstyr", 100_000, {2023: 50_000, 2024: 25_000, 2025: 25_000}),
    ]  # the row of years is no cost line
    assert rec.total_cost == rec.stated_total == 400_000
    assert issues == []


def test_a_years_i_alt_that_is_not_their_sum_is_reported(tmp_path, pact):
    sheet = SheetSpec([*IDENT, ["Kategori", "Beskrivelse", "Budget (kr.)"], [None, None, 2023, 2024, "I alt"],
                       ["Løn og timer", "Timer", 100_000, 100_000, 250_000], ["I alt", None, 100_000, 100_000, 250_000],
                       [], ["Ansøgt fra puljen", 250_000]], merged=["C6:E6"])  # fmt: skip
    rec, issues = _read(tmp_path, pact, {"Budget": sheet})
    assert rec.lines[0].amount == 250_000
    assert codes(issues) == [(IssueCode.BUDGET_TOTAL_MISMATCH, "E8")]


def test_units_in_the_headers_are_applied(tmp_path, pact):
    rec, issues = _read(tmp_path, pact, {"Budget": [*IDENT, ["Kategori", "Beskrivelse", "Beløb (t.kr.)", "Forbrug 2024 (t.kr.)"],
                                                  ["Løn og timer", "Timer", 300, 120], ["Materialer og udstyr", "Udstyr", 100, None],
                                                  ["I alt", None, 400], [], ["Ansøgt fra puljen (t.kr.)", 300]]})  # fmt: skip
    assert [line.amount for line in rec.lines] == [300_000, 100_000]
    assert rec.stated_total == 400_000 and rec.sought == 300_000 and rec.spent == 120_000
    assert issues == []


def test_a_category_merged_down_covers_each_line_and_operations_in_it_are_found(tmp_path, pact):
    sheet = SheetSpec([*IDENT, ["Kategori", "Beskrivelse", "Budget"], ["Drift", "Husleje", 40_000], [None, "El", 10_000],
                       [None, "Rengøring", 10_000], ["Løn og timer", "Timer", 240_000], ["I alt", None, 300_000], [],
                       ["Ansøgt fra puljen", 300_000]], merged=["A7:A9"])  # fmt: skip
    rec, issues = _read(tmp_path, pact, {"Budget": sheet})
    assert [line.category for line in rec.lines] == ["Drift", "Drift", "Drift", "Løn og timer"]
    ops = [(i.cell, i.severity) for i in issues if i.code is IssueCode.BUDGET_OPERATIONS]
    assert ops == [("A7", Severity.ERROR), ("A8", Severity.ERROR), ("A9", Severity.ERROR)]
    assert IssueCode.BUDGET_UNKNOWN_CATEGORY not in {i.code for i in issues}


def test_identification_on_a_cover_sheet_in_front_of_the_budget(tmp_path, pact):
    cover = [["Ansøgning til Teknologipagten"], [], ["Sagsnr.", "2023-05"], ["Projekttitel", "LamSTEM Nord+"],
             ["Tovholder", "Aalborg Universitet"], ["Projektperiode", "01.01.2023-31.12.2025"]]  # fmt: skip
    budget = [["Kategori", "Beskrivelse", "Budget"], ["Løn og timer", "Timer", 300_000], ["I alt", None, 300_000], [],
              ["Ansøgt fra puljen", 300_000]]  # fmt: skip
    rec, issues = _read(tmp_path, pact, {"Forside": cover, "Budget": budget})
    assert (rec.sheet, rec.case_id, rec.title, rec.applicant) == ("Budget", "2023-05", "LamSTEM Nord+", "Aalborg Universitet")
    assert (rec.start, rec.end) == (dt.date(2023, 1, 1), dt.date(2025, 12, 31))
    assert IssueCode.BUDGET_MISSING_VALUE not in {i.code for i in issues}


def test_afholdt_beside_a_dated_forbrug_column_catches_the_overspend(tmp_path, pact):
    rec, issues = _read(tmp_path, pact, {"Budget": [*IDENT, ["Kategori", "Beskrivelse", "Budget", "Afholdt 2024",
                                                             "Forbrug pr. 31.12.2025"],
                                                  ["Løn og timer", "Timer", 300_000, 200_000, 150_000],
                                                  ["I alt", None, 300_000], [], ["Ansøgt fra puljen", 300_000],
                                                  ["Bevilget fra puljen", 300_000]]})  # fmt: skip
    assert rec.lines[0].spent == {2024: 200_000, 2025: 150_000} and rec.spent_as_of == dt.date(2025, 12, 31)
    assert [(i.code, i.severity) for i in issues] == [(IssueCode.BUDGET_OVERSPENT, Severity.ERROR)]


def test_udgiftstype_and_beloeb_i_kr_are_a_budget(tmp_path, pact):
    rec, issues = _read(tmp_path, pact, {"Ark1": [*IDENT, ["Udgiftstype", "Specifikation", "Beløb i kr."],
                                                ["Løn og timer", "Timer", 300_000], ["I alt", None, 300_000], [],
                                                ["Ansøgt fra puljen", 300_000]]})  # fmt: skip
    assert (rec.total_cost, rec.lines[0].category) == (300_000, "Løn og timer") and issues == []


def _planned(tmp_path, pact, spent_2024: int, name: str):
    """A budget back-loaded by year (2023: 30.000, 2024: 90.000, 2025: 180.000), spending 2024 as given."""
    sheet = SheetSpec([*IDENT, ["Kategori", "Beskrivelse", "Budget (kr.)", None, None, None, "Forbrug 2023", "Forbrug 2024"],
                       [None, None, 2023, 2024, 2025, "I alt"],
                       ["Løn og timer", "Timer", 30_000, 90_000, 180_000, 300_000, 30_000, spent_2024],
                       ["I alt", None, 30_000, 90_000, 180_000, 300_000], [], ["Ansøgt fra puljen", 300_000],
                       ["Bevilget fra puljen", 300_000]], merged=["C6:F6"])  # fmt: skip
    return _read(tmp_path, pact, {"Budget": sheet}, name=name, as_of=dt.date(2025, 1, 1))


def test_a_project_on_its_own_plan_gets_no_underspend_warning(tmp_path, pact):
    rec, issues = _planned(tmp_path, pact, 90_000, "plan.xlsx")
    # by time alone 67 % of the period has passed and 40 % is spent: the old rule warned
    assert planned_share(rec, dt.date(2025, 1, 1)) == pytest.approx((120_000 + 180_000 / 365) / 300_000)
    assert IssueCode.BUDGET_UNDERSPEND_RISK not in {i.code for i in issues}
    _, behind = _planned(tmp_path, pact, 0, "bagud.xlsx")  # 10 % spent against a plan of 40 %
    [risk] = [i for i in behind if i.code is IssueCode.BUDGET_UNDERSPEND_RISK]
    assert "budgettet planlagde 40 %" in risk.message


def test_the_spending_headers_date_is_the_date_it_is_judged_at(tmp_path, pact):
    """Spending made up to 31.12.2023 on track then (33 % of time, 30 % spent); judged later it would be a risk."""
    rows = [*IDENT, ["Kategori", "Beskrivelse", "Budget", "Forbrug pr. 31.12.2023"], ["Løn og timer", "Timer", 300_000, 90_000],
            ["I alt", None, 300_000], [], ["Ansøgt fra puljen", 300_000], ["Bevilget fra puljen", 300_000]]  # fmt: skip
    _, issues = _read(tmp_path, pact, {"Budget": rows}, as_of=dt.date(2025, 6, 30))
    assert IssueCode.BUDGET_UNDERSPEND_RISK not in {i.code for i in issues}


def test_costs_outside_the_project_period(tmp_path, pact):
    rows = [*IDENT, ["Kategori", "Beskrivelse", "Budget", "Forbrug 2025", "Forbrug 2026"],
            ["Løn og timer", "Timer", 300_000, 200_000, 50_000], ["I alt", None, 300_000], [],
            ["Ansøgt fra puljen", 300_000]]  # fmt: skip
    _, issues = _read(tmp_path, pact, {"Budget": rows})
    assert [(i.code, i.cell, i.severity) for i in issues] == [
        (IssueCode.BUDGET_COST_OUTSIDE_PERIOD, "E7", Severity.WARNING)]


def test_cofinancing_share_against_a_pact_minimum_of_25_percent(tmp_path, pact):
    strict = pact.model_copy(update={"budgets": pact.budgets.model_copy(update={"min_cofinancing_share": 0.25})})
    rows = [*IDENT, ["Kategori", "Beskrivelse", "Beløb (t.kr.)"], ["Løn og timer", "Timer", 400], ["I alt", None, 400], [],
            ["Ansøgt fra puljen (t.kr.)", 320], ["Egenfinansiering (t.kr.)", 80]]  # fmt: skip
    path = write_workbook(tmp_path / "m.xlsx", {"Budget": rows})
    _, issues = read_budget_workbook(path, strict)
    [low] = [i for i in issues if i.code is IssueCode.BUDGET_COFINANCING_LOW]
    assert (low.cell, low.value) == ("B11", "80000") and "20 %" in low.message
    rows[-1] = ["Egenfinansiering (t.kr.)", 100]
    _, issues = read_budget_workbook(write_workbook(tmp_path / "ok.xlsx", {"Budget": rows}), strict)
    assert IssueCode.BUDGET_COFINANCING_LOW not in {i.code for i in issues}


def test_budget_against_actuals_per_line(tmp_path, pact):
    rec, _ = _read(tmp_path, pact, {"Budget": [*IDENT, ["Kategori", "Beskrivelse", "Budget", "Forbrug 2024"],
                                              ["Løn og timer", "Timer", 300_000, 120_000],
                                              ["Materialer og udstyr", "Udstyr", 100_000, 110_000], ["I alt", None, 400_000]]})  # fmt: skip
    table = budget_lines([rec])
    assert table[["category", "budget", "spent", "remaining"]].values.tolist() == [
        ["Løn og timer", 300_000, 120_000, 180_000], ["Materialer og udstyr", 100_000, 110_000, -10_000]]


def test_an_old_xls_workbook_is_read(tmp_path, pact):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (scripts/install-system-deps installs it)")
    src = write_workbook(tmp_path / "gammel.xlsx", {"Budget": [*IDENT, ["Kategori", "Beskrivelse", "Beløb (t.kr.)"],
                                                             ["Løn og timer", "Timer", 300], ["I alt", None, 300], [],
                                                             ["Ansøgt fra puljen (t.kr.)", 300]]})  # fmt: skip
    profile = (tmp_path / "lo").as_uri()
    proc = subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", "xls",
                           "--outdir", str(tmp_path / "xls"), str(src)], capture_output=True, text=True, timeout=180)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    xls = tmp_path / "xls" / "gammel.xls"
    assert xls.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a real BIFF (OLE) file
    rec, issues = read_budget_workbook(xls, pact)
    assert (rec.case_id, rec.total_cost, rec.sought, rec.start) == ("2023-05", 300_000, 300_000, dt.date(2023, 1, 1))
    assert issues == []
