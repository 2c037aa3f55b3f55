"""Budget workbooks: the form, reading (also drifted layouts), checks with cells, folders, underspend rule, CLI."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
from importlib.resources import files
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import ROOT, WORKBOOKS

from pagt_xl import load_pact, run_validation
from pagt_xl.base.model import Decision, IssueCode, Severity
from pagt_xl.core.budget import (
    budget_table,
    check_against_overview,
    elapsed_share,
    spending_by_category,
    underspend_risk,
)
from pagt_xl.ingest.budget import read_budget_workbook
from pagt_xl.pipeline import review_budgets
from pagt_xl.report.context import underspend_text

FORM = Path(str(files("pagt_xl") / "templates" / "budgetskema.xlsx"))  # package data, shipped in the wheel
SAMPLES = WORKBOOKS / "budgetter"
OVERVIEW = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
AS_OF = dt.date(2026, 11, 22)

sys.path.insert(0, str(ROOT / "scripts"))
from make_budget_workbooks import main as make_budget_workbooks  # noqa: E402
from make_budget_workbooks import write_form  # noqa: E402


@pytest.fixture(scope="module")
def pact():
    return load_pact("nordjylland")


def _data(**over):
    data = {
        "case_id": "2024-01", "title": "Robotter i indskolingen", "applicant": "Hjørring Gymnasium", "year": 2024,
        "start": dt.date(2024, 1, 1), "end": dt.date(2025, 12, 31),
        "lines": [("Løn og timer", "Timer", 300_000, {2024: 250_000}), ("Materialer og udstyr", "Robotter", 100_000, {})],
        "own": 100_000, "partner": 0, "sought": 300_000, "granted": 300_000,
    }  # fmt: skip
    data.update(over)
    return data


def codes(issues):
    return {i.code for i in issues}


def read_and_check(path, pact, *, as_of=None):
    """One budget workbook read and judged, as ``budgets`` does it: (record or ``None``, every issue)."""
    review = review_budgets([path], pact, None, as_of=as_of)
    return (review.records[0] if review.records else None), review.issues


def test_the_reader_reads_and_the_rules_judge(tmp_path, pact):
    """Readers read, rules judge: the reader reports the cells it cannot read, never a rule's finding."""
    path = tmp_path / "b.xlsx"
    write_form(path, _data(lines=[("Drift", "Husleje", 50_000, {2024: 1_000})], own="ca. en halv mio."))
    rec, issues = read_budget_workbook(path, pact)
    assert rec is not None and [(i.code, i.cell) for i in issues] == [(IssueCode.BUDGET_BAD_AMOUNT, "B27")]
    _, judged = read_and_check(path, pact, as_of=AS_OF)
    assert judged[:1] == issues
    assert [(i.code, i.cell) for i in judged[1:]] == [(IssueCode.BUDGET_OPERATIONS, "A12"),
                                                      (IssueCode.BUDGET_UNDERSPEND_RISK, "B33")]  # fmt: skip


def test_form_has_dropdown_protection_and_formulas():
    wb = openpyxl.load_workbook(FORM)
    ws = wb["Budget"]
    assert ws.protection.sheet
    dv = ws.data_validations.dataValidation
    assert any(v.type == "list" and "Drift" in v.formula1 and "Løn og timer" in v.formula1 for v in dv)
    labels = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"Sagsnr.", "Projekttitel", "Kategori", "Budget (kr.)", "Udgifter i alt", "Ansøgt fra puljen (kr.)"} <= labels
    total = next(c for row in ws.iter_rows() for c in row if c.value == "Udgifter i alt")
    formula_cell = ws.cell(total.row, 3)
    assert str(formula_cell.value).startswith("=SUM(") and formula_cell.protection.locked
    first_input = ws.cell(total.row - 12, 1)
    assert first_input.protection.locked is False


def test_scripts_are_reproducible_and_committed_copies_current(tmp_path):
    for d in ("a", "b"):
        assert make_budget_workbooks(["--form", str(tmp_path / d / "f.xlsx"), "--samples", str(tmp_path / d / "s")]) == 0
    assert (tmp_path / "a" / "f.xlsx").read_bytes() == (tmp_path / "b" / "f.xlsx").read_bytes() == FORM.read_bytes()
    for f in (tmp_path / "a" / "s").iterdir():
        assert f.read_bytes() == (tmp_path / "b" / "s" / f.name).read_bytes() == (SAMPLES / f.name).read_bytes()


def test_clean_budget_read_back(tmp_path, pact):
    path = tmp_path / "b.xlsx"
    write_form(path, _data())
    rec, issues = read_and_check(path, pact)
    assert rec is not None and issues == []
    assert (rec.case_id, rec.title, rec.year, rec.start, rec.end) == (
        "2024-01", "Robotter i indskolingen", 2024, dt.date(2024, 1, 1), dt.date(2025, 12, 31))  # fmt: skip
    assert rec.total_cost == rec.stated_total == 400_000 and rec.sought == 300_000 and rec.spent == 250_000
    assert [line.category for line in rec.lines] == ["Løn og timer", "Materialer og udstyr"]


def test_drifted_layout_is_read(tmp_path, pact):
    path = tmp_path / "d.xlsx"
    data = _data(lines=[("Lønudgifter", "Timer", 300_000, {}), ("Udstyr", "Robotter", 100_000, {})])
    write_form(path, data, drift=True)
    rec, issues = read_and_check(path, pact)
    assert rec is not None and issues == []
    assert [line.category for line in rec.lines] == ["Løn og timer", "Materialer og udstyr"]
    assert rec.stated_total == 400_000 and rec.sought == 300_000 and rec.own == 100_000


@pytest.mark.parametrize(
    ("data", "code", "cell", "severity"),
    [
        (_data(stated_total=410_000), IssueCode.BUDGET_TOTAL_MISMATCH, "C24", Severity.ERROR),
        (_data(lines=[("Drift", "Husleje", 50_000, {})]), IssueCode.BUDGET_OPERATIONS, "A12", Severity.ERROR),
        (_data(lines=[("Kaffe", "", 5_000, {})]), IssueCode.BUDGET_UNKNOWN_CATEGORY, "A12", Severity.ERROR),
        (_data(sought=None), IssueCode.BUDGET_MISSING_VALUE, "B29", Severity.ERROR),
        (_data(lines=[("Andet", "", 400_000, {2024: 350_000})]), IssueCode.BUDGET_OVERSPENT, "B33", Severity.ERROR),
        (_data(lines=[("Andet", "", 400_000, {2024: 10_000})]), IssueCode.BUDGET_UNDERSPEND_RISK, "B33",
         Severity.WARNING),
    ],
    ids=lambda v: v.value if isinstance(v, IssueCode) else None,
)
def test_check_codes_with_cells(tmp_path, pact, data, code, cell, severity):
    path = tmp_path / "c.xlsx"
    write_form(path, data)
    result = review_budgets([path], pact, None, as_of=AS_OF)
    assert [(i.code, i.cell) for i in result.issues] == [(code, cell)]  # the whole list: nothing else
    assert result.issues[0].severity is severity and result.issues[0].file == str(path)


def test_cofinancing_minimum_from_pact(tmp_path, pact):
    strict = pact.model_copy(update={"budgets": pact.budgets.model_copy(update={"min_cofinancing_share": 0.3})})
    path = tmp_path / "c.xlsx"
    write_form(path, _data())  # 100.000 of 400.000 = 25 %
    _, issues = read_and_check(path, strict)
    assert IssueCode.BUDGET_COFINANCING_LOW in codes(issues)
    _, issues = read_and_check(path, pact)  # no minimum configured
    assert IssueCode.BUDGET_COFINANCING_LOW not in codes(issues)


def test_every_budget_code_is_tested():
    tested = {IssueCode.BUDGET_TOTAL_MISMATCH, IssueCode.BUDGET_OPERATIONS, IssueCode.BUDGET_UNKNOWN_CATEGORY,
              IssueCode.BUDGET_MISSING_VALUE, IssueCode.BUDGET_OVERSPENT, IssueCode.BUDGET_UNDERSPEND_RISK,
              IssueCode.BUDGET_COFINANCING_LOW, IssueCode.BUDGET_APPLIED_MISMATCH, IssueCode.BUDGET_NOT_IN_OVERVIEW,
              IssueCode.BUDGET_FORM_NOT_FOUND, IssueCode.BUDGET_BAD_AMOUNT, IssueCode.BUDGET_PERIOD_MISSING,
              IssueCode.BUDGET_NO_FILES,
              IssueCode.BUDGET_COST_OUTSIDE_PERIOD}  # fmt: skip  (the last: tests/test_budget_layouts.py)
    assert tested == {c for c in IssueCode if c.value.startswith("budget_")}


def test_bad_amount_and_form_not_found(tmp_path, pact, workbook):
    path = tmp_path / "b.xlsx"
    write_form(path, _data(own="ca. en halv mio."))
    _, issues = read_and_check(path, pact)
    assert IssueCode.BUDGET_BAD_AMOUNT in codes(issues)
    other = workbook({"Ark": [["Hej"], ["ingen budget her"]]}, name="andet.xlsx")
    rec, issues = read_and_check(other, pact)
    assert rec is None and codes(issues) == {IssueCode.BUDGET_FORM_NOT_FOUND}


def test_folder_good_drifted_corrupt_and_non_workbook(cli, tmp_path, pact):
    folder = tmp_path / "budgetter"
    folder.mkdir()
    write_form(folder / "god.xlsx", _data())
    write_form(folder / "forskudt.xlsx", _data(case_id="2024-02"), drift=True)
    good = (folder / "god.xlsx").read_bytes()
    (folder / "beskadiget.xlsx").write_bytes(good[: len(good) // 2])
    (folder / "notat.xlsx").write_bytes(b"Budget kommer senere")
    calls = []
    result = review_budgets([folder], pact, None, progress=lambda d, t, p: calls.append((d, t, p.name)), as_of=AS_OF)
    assert sorted(r.case_id for r in result.records) == ["2024-01", "2024-02"]
    bad = {Path(i.file).name for i in result.fatal}
    assert bad == {"beskadiget.xlsx", "notat.xlsx"}
    assert [c[:2] for c in calls] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert len(budget_table(result.records)) == 2
    proc = cli("budgets", str(folder), "--format", "json", "--as-of", "2026-11-22")
    assert proc.returncode == 2, proc.stderr
    doc = json.loads(proc.stdout)
    assert len(doc["budgets"]) == 2 and "beskadiget.xlsx" in proc.stderr and "notat.xlsx" in proc.stderr
    shutil.rmtree(folder / "beskadiget.xlsx", ignore_errors=True)
    (folder / "beskadiget.xlsx").unlink()
    (folder / "notat.xlsx").unlink()
    assert cli("budgets", str(folder), "--as-of", "2026-11-22").returncode == 0
    write_form(folder / "drift.xlsx", _data(case_id="2024-03", lines=[("Drift", "", 1, {})]))
    assert cli("budgets", str(folder), "--as-of", "2026-11-22").returncode == 1


@pytest.mark.parametrize(
    ("spent", "as_of", "risk"),
    [
        (250_000, dt.date(2025, 1, 1), False),  # elapsed 50 %, threshold 25 %: spent 25 % is exactly at it
        (249_999, dt.date(2025, 1, 1), True),  # just below
        (250_001, dt.date(2025, 1, 1), False),  # just above
        (0, dt.date(2024, 4, 1), False),  # elapsed ≈ 25 %: threshold 0
        (0, dt.date(2023, 6, 1), False),  # before the start
        (749_999, dt.date(2027, 1, 1), False),  # after the end: elapsed clamped to 100 %, threshold 75 %
        (749_998, dt.date(2027, 1, 1), True),
    ],
)
def test_underspend_rule_at_its_boundary(spent, as_of, risk):
    start, end = dt.date(2024, 1, 1), dt.date(2026, 1, 1)  # 731 days
    granted = 1_000_000
    if as_of == dt.date(2025, 1, 1):
        assert elapsed_share(start, end, as_of) == pytest.approx(366 / 731)
        spent = round(granted * (366 / 731 - 0.25)) + (spent - 250_000)
    if as_of == dt.date(2027, 1, 1):
        spent = spent + 1 if spent == 749_999 else spent
    assert underspend_risk(spent, granted, start, end, as_of, 0.25) is risk


def test_exact_threshold_is_not_a_risk():
    start, end = dt.date(2024, 1, 1), dt.date(2024, 1, 5)  # 4 days: elapsed 0.5 on Jan 3
    assert elapsed_share(start, end, dt.date(2024, 1, 3)) == 0.5
    assert underspend_risk(250, 1000, start, end, dt.date(2024, 1, 3), 0.25) is False
    assert underspend_risk(249, 1000, start, end, dt.date(2024, 1, 3), 0.25) is True
    assert elapsed_share(start, start, start) == 1.0


def test_shipped_samples_against_overview(pact):
    validation = run_validation([OVERVIEW], pact)
    review = review_budgets([SAMPLES], pact, validation.table, as_of=AS_OF)
    alone = review_budgets([SAMPLES], pact, None, as_of=AS_OF)
    assert review.issues[: len(alone.issues)] == alone.issues  # the files' issues, then the overview checks
    extra, _ = check_against_overview(alone.records, validation.table, pact, as_of=AS_OF)
    assert review.issues[len(alone.issues) :] == extra
    by_file = {(Path(i.file).name, i.code) for i in review.issues}
    assert ("2023-07_Nordjysk_Science_Dyst.xlsx", IssueCode.BUDGET_OPERATIONS) in by_file
    assert ("2023-12_Synergier_paa_EUX.xlsx", IssueCode.BUDGET_TOTAL_MISMATCH) in by_file
    assert ("2022-03_Samarbejdsmodel.xlsx", IssueCode.BUDGET_UNDERSPEND_RISK) in by_file
    assert ("2023-08_Proev_kraefter.xlsx", IssueCode.BUDGET_APPLIED_MISMATCH) in by_file
    assert ("2023-13_Talstaerk_2.0.xlsx", IssueCode.FILE_UNREADABLE) in by_file
    assert len(review.records) == 8
    drifted = next(r for r in review.records if r.case_id == "2023-11")
    assert drifted.lines[0].category == "Løn og timer"
    notes = review.underspend
    assert sorted(notes) == ["2022-03", "2022-04", "2023-04", "2023-05", "2023-07", "2023-08", "2023-11", "2023-12"]
    risky = notes["2022-03"]
    assert risky.at_risk and risky.spent_share == pytest.approx(0.2, abs=0.005) and risky.elapsed_share == 1.0
    assert not notes["2023-05"].at_risk and notes["2023-05"].spent_share == pytest.approx(0.95, abs=0.005)
    texts = {key: underspend_text(note) for key, note in notes.items()}
    assert texts["2022-03"].startswith("Ja – forbrugt 20 %") and texts["2023-05"] == "Nej (forbrugt 95 %)"


def test_underspend_note_and_issue_come_from_one_status(tmp_path, pact):
    """The risk issue and the note agree; a grant taken from the overview notes only projects at risk."""
    folder = tmp_path / "b"
    folder.mkdir()
    lines = [("Andet", "", 400_000, {2024: 10_000})]
    write_form(folder / "risk.xlsx", _data(lines=lines))  # 10.000 of 300.000 granted, period over on AS_OF
    write_form(folder / "ok.xlsx", _data(case_id="2024-02", lines=[("Andet", "", 400_000, {2024: 290_000})]))
    write_form(folder / "nothing.xlsx", _data(case_id="2024-03", lines=[("Andet", "", 400_000, {})]))
    write_form(folder / "no_grant.xlsx", _data(case_id="2024-04", granted=None, lines=lines))
    review = review_budgets([folder], pact, None, as_of=AS_OF)
    notes = review.underspend
    assert set(notes) == {"2024-01", "2024-02"}  # no spending lines / no grant: nothing to judge
    assert notes["2024-01"].at_risk and notes["2024-01"].elapsed_share == 1.0
    assert notes["2024-01"].spent_share == pytest.approx(10_000 / 300_000)
    assert not notes["2024-02"].at_risk
    risks = [i for i in review.issues if i.code is IssueCode.BUDGET_UNDERSPEND_RISK]
    assert [Path(i.file).name for i in risks] == ["risk.xlsx"]
    overview = pd.DataFrame(
        {"case_id": ["2024-04"], "year": [2024], "title": ["Robotter i indskolingen"], "applied": [300_000],
         "decision": [Decision.GRANTED], "granted": [300_000], "file": ["o.xlsx"], "sheet": ["Ark"], "row": [2]}
    )  # fmt: skip
    with_overview = review_budgets([folder], pact, overview, as_of=AS_OF)
    assert with_overview.underspend["2024-04"].at_risk


def test_spending_by_category_follows_the_pact_order(tmp_path, pact):
    path = tmp_path / "c.xlsx"
    write_form(path, _data(lines=[("Andet", "", 5, {}), ("Løn og timer", "", 7, {2024: 3})]))
    rec, _ = read_and_check(path, pact)
    assert rec is not None
    assert spending_by_category([rec], pact) == {"Løn og timer": {"budget": 7, "spent": 3},
                                                 "Andet": {"budget": 5, "spent": 0}}  # fmt: skip
    assert list(spending_by_category([rec])) == ["Løn og timer", "Andet"]  # no pact: _common.toml's order


def test_report_shows_underspend(cli, tmp_path):
    out = tmp_path / "r.docx"
    proc = cli("report", str(OVERVIEW), "--budgets", str(SAMPLES), "--date", "2026-11-22", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    from docx import Document

    rows = [[c.text for c in r.cells] for t in Document(str(out)).tables for r in t.rows]
    samarbejde = next(r for r in rows if r[0].startswith("Samarbejdsmodel"))
    assert samarbejde[-1].startswith("Ja – forbrugt 20 % af bevillingen")


def test_budget_workbook_output(cli, tmp_path):
    out = tmp_path / "b.xlsx"
    proc = cli("budgets", str(SAMPLES), "--overview", str(OVERVIEW), "--format", "xlsx", "--out", str(out))
    assert proc.returncode == 2  # the sample folder holds one file that is not a workbook
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Budgetter", "Finansiering", "Kategorier", "Linjer", "Fejl"]  # Linjer: issue 25
    assert "Budgetter" in wb["Budgetter"].tables
    assert wb["Budgetter"]["E4"].number_format == '#,##0 "kr."'  # Udgifter i alt, after Fil, Status, Sagsnr., Projekttitel


def test_blank_grant_with_note_is_not_an_error_and_missing_values_have_cells(tmp_path, pact):
    path = tmp_path / "b.xlsx"
    write_form(path, _data(granted=None, sought=None))  # before a decision: the grant is blank
    rec, issues = read_and_check(path, pact)
    assert rec is not None and rec.granted is None
    assert IssueCode.BUDGET_BAD_AMOUNT not in codes(issues)
    missing = [i for i in issues if i.code is IssueCode.BUDGET_MISSING_VALUE]
    assert [i.cell for i in missing] == ["B29"]


def test_label_variants_from_other_forms(tmp_path, pact, workbook):
    path = workbook(
        {
            "Budget": [
                ["Sagsnr.", "2024-09"],
                ["Projekttitel", "Kodeklub"],
                ["Tovholder/ansøger", "EUC Nord"],
                ["Projektperiode start", "01.01.2024"],
                ["Projektperiode slut", "31.12.2025"],
                [],
                ["Kategori", "Beskrivelse", "Budget (kr.)"],
                ["Løn/timer", "Timer", 100_000],
                ["Udgifter i alt", None, 100_000],
                ["Ansøgt fra puljen (kr.)", 80_000],
            ]
        },
        name="andet_skema.xlsx",
    )
    rec, issues = read_and_check(path, pact)
    assert rec is not None and issues == []
    assert (rec.applicant, rec.start, rec.end) == ("EUC Nord", dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    assert rec.lines[0].category == "Løn og timer"


def test_budget_words_come_from_the_pact(tmp_path, pact, workbook):
    """A pact file adds a category spelling and a label variant; the common words still apply."""
    toml = tmp_path / "egen.toml"
    toml.write_text(
        'key = "egen"\nname = "Egen"\nregion = "Region Test"\nfirst_year = 2020\nlast_year = 2025\n'
        '[[themes]]\nkey = "a"\nname = "Alfa"\n'
        '[budgets.categories]\n"Andet" = ["Forplejning"]\n'
        '[budgets.labels]\nsought = ["Ansøgt tilskud"]\n',
        encoding="utf-8",
    )
    own = load_pact(toml)
    path = workbook(
        {"Budget": [["Sagsnr.", "2024-09"], [], ["Kategori", "Budget"], ["Forplejning", 5_000], ["Løn", 1_000],
                    ["Udgifter i alt", 6_000], ["Ansøgt tilskud", 4_000]]},
        name="egen.xlsx",
    )  # fmt: skip
    rec, issues = read_and_check(path, own)
    assert rec is not None and issues == []
    assert [line.category for line in rec.lines] == ["Andet", "Løn og timer"] and rec.sought == 4_000
    rec, issues = read_and_check(path, pact)  # the shipped pact knows neither word
    assert rec is not None and rec.sought is None
    assert [i.cell for i in issues if i.code is IssueCode.BUDGET_UNKNOWN_CATEGORY] == ["A4"]


# -- applicants' own layouts (issue 12 item 5) -------------------------------------------------------------------

def _own_layout(*, spending_header="Forbrug 2024", period=None, financing=None, total="Udgifter i alt",
                lines=None, ident=None):  # fmt: skip
    """A hand-made budget sheet as applicants build it (header in row 6, lines from row 7)."""
    rows = ident or [["Sagsnr.", "2024-09"], ["Projekttitel", "Kodeklub"], ["Bevilget fra puljen", 300_000]]
    rows = [*rows, period or ["Projektstart", "01.01.2024"], ["Projektslut", "31.12.2025"] if period is None else []]
    rows = rows[:5] + [[]] * (5 - len(rows[:5]))
    lines = lines or [["Løn og timer", "Timer", 300_000, 320_000], ["Materialer og udstyr", "Robotter", 100_000, 0]]
    body = [["Kategori", "Beskrivelse", "Budget (kr.)", spending_header], *lines]
    tail = [[total, None, sum(line[2] for line in lines)]] if total else []
    fin = financing if financing is not None else [["Egenfinansiering", 100_000], ["Ansøgt fra puljen", 300_000]]
    return {"Budget": rows + body + tail + fin}


SPENDING_HEADERS = ["Forbrug 2024", "Afholdt 2024", "2024 forbrug", "Afholdt i 2024", "Regnskab 2024",
                    "Faktisk forbrug 2024 (kr.)", "Realiseret 2024"]  # fmt: skip


@pytest.mark.parametrize("header", SPENDING_HEADERS)
def test_spending_found_by_year_and_a_spending_word(workbook, pact, header):
    rec, issues = read_and_check(workbook(_own_layout(spending_header=header)), pact, as_of=AS_OF)
    assert rec is not None and rec.spent == 320_000 and rec.lines[0].spent == {2024: 320_000}
    assert [i.cell for i in issues if i.code is IssueCode.BUDGET_OVERSPENT] == ["B3"]  # overspend no longer missed


def test_a_budget_column_with_a_year_is_not_spending(workbook, pact):
    rec, _ = read_and_check(workbook(_own_layout(spending_header="Budget 2025")), pact, as_of=AS_OF)
    assert rec is not None and rec.spent == 0


@pytest.mark.parametrize(
    ("label", "field"),
    [
        ("Medfinansiering fra partner (firma)", "partner"),
        ("Medfinansiering fra partnere: Vestas A/S", "partner"),
        ("Egenfinansiering (kr.)", "own"),
        ("Egenfinansiering: EUC Nord", "own"),
        ("Egenfinansieringsandel", None),  # whole words only
        ("Tilsagn om medfinansiering fra partner", None),  # names two fields: neither
    ],
)
def test_financing_labels_match_by_prefix_without_swallowing(workbook, pact, label, field):
    fin = [[label, 100_000], ["Ansøgt fra puljen", 300_000]]
    rec, _ = read_and_check(workbook(_own_layout(financing=fin)), pact, as_of=AS_OF)
    assert rec is not None and len(rec.lines) == 2
    read = {k: getattr(rec, k) for k in ("own", "partner", "granted")}
    expected = {"own": None, "partner": None, "granted": 300_000}
    if field:
        expected[field] = 100_000
    assert read == expected


def test_partner_with_a_name_counts_as_cofinancing(workbook, pact):
    strict = pact.model_copy(update={"budgets": pact.budgets.model_copy(update={"min_cofinancing_share": 0.2})})
    fin = [["Medfinansiering fra partner (Grundfos A/S)", 100_000], ["Ansøgt fra puljen", 300_000]]
    rec, issues = read_and_check(workbook(_own_layout(financing=fin)), strict, as_of=AS_OF)
    assert rec is not None and rec.cofinancing == 100_000
    assert IssueCode.BUDGET_COFINANCING_LOW not in codes(issues)


def test_own_label_variants_on_one_form_first_wins(workbook, pact):
    fin = [["Egenfinansiering", 100_000], ["Egenfinansiering (kr.)", 7], ["Ansøgt fra puljen", 300_000]]
    rec, _ = read_and_check(workbook(_own_layout(financing=fin)), pact, as_of=AS_OF)
    assert rec is not None and rec.own == 100_000 and rec.cells["own"] == "B10"


@pytest.mark.parametrize(
    "period",
    [
        ["Projektperiode", "01.03.2023–28.02.2025"],
        ["Projektperiode", "1/3 2023 - 28/2 2025"],
        ["Periode", "1.3.2023 til 28.2.2025"],
        ["Projektperiode", dt.datetime(2023, 3, 1), "til", dt.datetime(2025, 2, 28)],
        ["Projektperiode", "01.03.2023", "28.02.2025"],
    ],
)
def test_period_from_one_or_two_cells(workbook, pact, period):
    rec, issues = read_and_check(workbook(_own_layout(period=period)), pact, as_of=AS_OF)
    assert rec is not None and (rec.start, rec.end) == (dt.date(2023, 3, 1), dt.date(2025, 2, 28))
    assert IssueCode.BUDGET_PERIOD_MISSING not in codes(issues)


@pytest.mark.parametrize(
    ("period", "cell"),
    [
        (["Projektperiode", "snart"], "B4"),  # unreadable: named at its cell, next to the bad-value issue
        (["Projektperiode", "01.03.2023"], "B4"),  # the end is missing
        (["Noter", "ingen periode"], "B3"),  # no period at all: at the grant
    ],
)
def test_underspend_check_skipped_says_so(workbook, pact, period, cell):
    lines = [["Løn og timer", "Timer", 400_000, 10_000]]
    rec, issues = read_and_check(workbook(_own_layout(period=period, lines=lines)), pact, as_of=AS_OF)
    assert rec is not None and (rec.start is None or rec.end is None)
    missing = [i for i in issues if i.code is IssueCode.BUDGET_PERIOD_MISSING]
    assert [(i.cell, i.severity) for i in missing] == [(cell, Severity.WARNING)]


def test_no_period_warning_without_spending(workbook, pact):
    lines = [["Løn og timer", "Timer", 400_000, None]]
    _, issues = read_and_check(workbook(_own_layout(period=["Noter", "-"], lines=lines)), pact, as_of=AS_OF)
    assert IssueCode.BUDGET_PERIOD_MISSING not in codes(issues)


def test_budget_sheet_chosen_by_content_not_position(workbook, pact):
    notes = [["Vejledning"], ["Kategori", "Budget"], ["Skriv kategorien her", "og beløbet her"], ["Husk bilag"]]
    sheets = {"Noter": notes, **_own_layout()}
    rec, issues = read_and_check(workbook(sheets), pact, as_of=AS_OF)
    assert rec is not None and rec.sheet == "Budget" and rec.total_cost == 400_000
    assert IssueCode.BUDGET_UNKNOWN_CATEGORY not in codes(issues)


@pytest.mark.parametrize("total", ["Samlet budget", "Sum", "Budget i alt", "I alt", "Total", None])
def test_totals_by_label_and_financing_never_costs(workbook, pact, total):
    fin = [["Egenfinansiering", 100_000], ["Partnerfinansiering", 0], ["Ansøgt fra puljen", 300_000]]
    rec, issues = read_and_check(workbook(_own_layout(total=total, financing=fin)), pact, as_of=AS_OF)
    assert rec is not None and [line.category for line in rec.lines] == ["Løn og timer", "Materialer og udstyr"]
    assert rec.total_cost == 400_000 and rec.own == 100_000 and rec.sought == 300_000
    assert rec.stated_total == (400_000 if total else None)
    assert {IssueCode.BUDGET_TOTAL_MISMATCH, IssueCode.BUDGET_UNKNOWN_CATEGORY}.isdisjoint(codes(issues))


@pytest.mark.parametrize(
    ("line", "severity"),
    [
        (["Andet: el, varme og rengøring", "", 20_000, None], Severity.ERROR),
        (["Løbende driftsudgifter", "", 20_000, None], Severity.ERROR),
        (["Andet (husleje)", "", 20_000, None], Severity.ERROR),
        (["Andet", "Løbende driftsudgifter", 20_000, None], Severity.WARNING),
        (["Andet", "El og varme i værkstedet", 20_000, None], Severity.WARNING),
        (["Løn og timer", "Undervisning af elever og elevråd", 20_000, None], None),  # "elever" is not "el"
        (["Materialer og udstyr", "Varmepistol og elektronik", 20_000, None], None),
    ],
)
def test_operations_found_by_keywords(workbook, pact, line, severity):
    lines = [["Løn og timer", "Timer", 380_000, None], line]
    rec, issues = read_and_check(workbook(_own_layout(lines=lines)), pact, as_of=AS_OF)
    assert rec is not None and len(rec.lines) == 2
    found = [(i.cell, i.severity) for i in issues if i.code is IssueCode.BUDGET_OPERATIONS]
    assert found == ([("A8", severity)] if severity else [])


def test_category_with_a_note_is_read_as_the_category(workbook, pact):
    lines = [["Løn og timer", "Timer", 380_000, None], ["Andet: el, varme og rengøring", "", 20_000, None]]
    rec, issues = read_and_check(workbook(_own_layout(lines=lines)), pact, as_of=AS_OF)
    assert rec is not None and rec.lines[1].category == "Andet"
    assert IssueCode.BUDGET_UNKNOWN_CATEGORY not in codes(issues)


def test_empty_budget_folder_is_a_clear_refusal(cli, tmp_path, pact):
    empty = tmp_path / "budgetter"
    empty.mkdir()
    (empty / "~$laas.xlsx").write_bytes(b"")  # Office's lock file is not a budget
    review = review_budgets([empty], pact, None, as_of=AS_OF)
    assert [(i.code, i.file) for i in review.fatal] == [(IssueCode.BUDGET_NO_FILES, str(empty))]
    pattern = review_budgets([tmp_path / "budgetter" / "*.xlsx"], pact, None, as_of=AS_OF)
    assert codes(pattern.fatal) == {IssueCode.BUDGET_NO_FILES}
    proc = cli("budgets", str(empty), "--as-of", "2026-11-22")
    assert proc.returncode == 2
    assert len(proc.stderr.strip().splitlines()) == 1 and str(empty) in proc.stderr and "Traceback" not in proc.stderr


def test_run_with_budgets_matching_nothing_says_so(tmp_path, pact):
    from pagt_xl.cli.scheduled import expand_budget_inputs

    paths = expand_budget_inputs(["budgetter/*.xlsx"], tmp_path)
    review = review_budgets(paths, pact, None, as_of=AS_OF)
    assert codes(review.fatal) == {IssueCode.BUDGET_NO_FILES}


def test_money_columns_stay_integers_when_a_form_field_is_blank(cli, tmp_path, pact):
    """budget_table: nullable integers (Int64), never float64, also when one form leaves an amount blank."""
    folder = tmp_path / "budgetter"
    folder.mkdir()
    write_form(folder / "a.xlsx", _data())
    write_form(folder / "b.xlsx", _data(case_id="2024-02", sought=None, own=None, granted=None))
    table = budget_table(review_budgets([folder], pact, None, as_of=AS_OF).records)
    money = ("year", "total_cost", "stated_total", "sought", "own", "partner", "granted", "spent")
    assert {c: str(table[c].dtype) for c in money} == dict.fromkeys(money, "Int64")
    assert table["sought"].isna().tolist() == [False, True]
    doc = json.loads(cli("budgets", str(folder), "--format", "json", "--as-of", "2026-11-22").stdout)
    sought = [b["sought"] for b in doc["budgets"]]
    assert sought == [300_000, None] and all(type(v) is int for v in sought[:1])
    rows = cli("budgets", str(folder), "--format", "csv", "--as-of", "2026-11-22", "--csv-dialect", "maskine"
               ).stdout.splitlines()  # fmt: skip
    header = rows[0].split(",")
    assert [r.split(",")[header.index("sought")] for r in rows[1:3]] == ["300000", ""]
    text = cli("budgets", str(folder), "--as-of", "2026-11-22").stdout
    assert "300.000 kr." in text and "nan" not in text.lower() and "<NA>" not in text
