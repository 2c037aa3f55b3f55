"""The commitment ledger (issue 25): reading the Udbetalinger sheet (our form and staff layouts), every rule as an
issue at its cell, the figures per grant and per year, the invariants (hypothesis), the CLI and the sample."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

import openpyxl
import pytest
from conftest import HEADER, ROOT, WORKBOOKS, good_rows, write_workbook
from hypothesis import given, settings
from hypothesis import strategies as st

from pagt_xl import load_pact, run_validation
from pagt_xl.base.model import IssueCode, Severity
from pagt_xl.core.ledger import (
    EntryKind,
    LedgerEntry,
    build_ledger,
    case_key,
    retention_of,
)
from pagt_xl.ingest.grid import Grid
from pagt_xl.ingest.payments import read_final_reports, read_ledger
from pagt_xl.pipeline import run_ledger, run_validation_grids

sys.path.insert(0, str(ROOT / "scripts"))
from make_payment_workbooks import FORM, REPAYMENT, SAMPLE, sample_entries, write_ledger

NORD = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
LEDGER_HEADER = ["Sagsnr.", "Dato", "Type", "Beløb (kr.)", "Note"]


@pytest.fixture(scope="module")
def pact():
    return load_pact("nordjylland")


def _overview(tmp_path: Path, extra: list[list[object]] | None = None, name: str = "oversigt.xlsx") -> Path:
    """good_rows() with status, period and the final-report column; 2020-01 finished and approved 1 March 2022."""
    rows = good_rows()
    rows[0] = [*HEADER, "Status", "Projektperiode", "Slutrapport godkendt"]
    rows[1] += ["Afsluttet", "2020-2021", dt.datetime(2022, 3, 1)]
    rows[2] += ["Igangværende", "2020-2022", None]
    rows[3] += [None, None, None]
    rows[4] += [None, None, None]
    rows += extra or []
    return write_workbook(tmp_path / name, {"Ansøgninger": rows, "Ramme": [["År", "Ramme"], [2020, 3_000_000]]})


def _ledger(tmp_path: Path, rows: list[list[object]], header: list[str] | None = None, name: str = "udb.xlsx",
            sheet: str = "Udbetalinger") -> Path:  # fmt: skip
    return write_workbook(tmp_path / name, {sheet: [["Udbetalinger 2024"], [], header or LEDGER_HEADER, *rows]})


def _run(tmp_path: Path, rows: list[list[object]], **kw):
    return run_ledger([_ledger(tmp_path, rows, **kw)], load_pact("nordjylland"), overview=[_overview(tmp_path)])


def codes(run) -> dict[IssueCode, list[str | None]]:
    out: dict[IssueCode, list[str | None]] = {}
    for i in run.issues:
        out.setdefault(i.code, []).append(i.cell)
    return out


# -- reading ------------------------------------------------------------------------------------------------------
def test_the_empty_form_is_a_ledger_without_entries(pact):
    read = read_ledger([FORM], pact)
    assert read.entries == [] and read.issues == [] and read.sheets == [(str(FORM), "Udbetalinger")]
    wb = openpyxl.load_workbook(FORM)
    ws = wb["Udbetalinger"]
    assert [c.value for c in ws[4]] == LEDGER_HEADER
    [kinds] = [dv for dv in ws.data_validations.dataValidation if "C5" in str(dv.sqref)]
    assert kinds.formula1 == '"Rate,Slutrate,Tilbagebetaling,Bortfald/nedsættelse"'


def test_scripts_are_reproducible_and_committed_copies_current(tmp_path):
    form, sample = tmp_path / "form.xlsx", tmp_path / "sample.xlsx"
    write_ledger(form)
    write_ledger(sample, sample_entries(), title="Udbetalinger – Nordjysk Teknologipagt (eksempel)")
    assert form.read_bytes() == FORM.read_bytes(), "run scripts/make_payment_workbooks.py"
    assert sample.read_bytes() == SAMPLE.read_bytes(), "run scripts/make_payment_workbooks.py"


def test_our_layout_every_kind_read_exactly(tmp_path, pact):
    path = _ledger(tmp_path, [
        ["2020-01", dt.datetime(2020, 3, 1), "1. rate", 900_000, "første"],
        ["2020-01", "15.01.2021", "Rate", "810.000 kr.", None],
        ["2020-01", "1. april 2022", "Slutrate", "0,1 mio. kr.", None],
        ["2020-01", dt.datetime(2022, 5, 1), "Tilbagebetaling", -90_000, "underforbrug"],
        ["2020-02", dt.datetime(2020, 3, 1), "Nedsættelse", 40_000, None],
        [],
        ["I alt", None, None, 1_940_000],
    ])  # fmt: skip
    read = read_ledger([path], pact)
    assert read.issues == []
    got = [(e.case_id, e.date, e.kind, e.amount, e.cells["amount"]) for e in read.entries]
    assert got == [
        ("2020-01", dt.date(2020, 3, 1), EntryKind.RATE, 900_000, "D4"),
        ("2020-01", dt.date(2021, 1, 15), EntryKind.RATE, 810_000, "D5"),
        ("2020-01", dt.date(2022, 4, 1), EntryKind.FINAL, 100_000, "D6"),
        ("2020-01", dt.date(2022, 5, 1), EntryKind.REPAYMENT, 90_000, "D7"),
        ("2020-02", dt.date(2020, 3, 1), EntryKind.LAPSE, 40_000, "D8"),
    ]


def test_staff_layout_two_amount_columns_in_thousands(tmp_path, pact):
    """Their own sheet: another name, 'Udbetalt (t.kr.)' and 'Tilbagebetalt (t.kr.)', no kind column."""
    path = write_workbook(tmp_path / "egen.xlsx", {"Noter": [["intet her"]], "Økonomi 2024": [
        ["J.nr.", "Udbetalingsdato", "Udbetalt (t.kr.)", "Tilbagebetalt (t.kr.)", "Bemærkning"],
        ["2020-01", dt.datetime(2020, 3, 1), 900, None, None],
        ["2020-01", dt.datetime(2022, 5, 1), None, 90, "retur"],
        ["Total", None, 900, 90],
    ]})  # fmt: skip
    read = read_ledger([path], pact)
    assert read.issues == [] and read.sheets == [(str(path), "Økonomi 2024")]
    assert [(e.kind, e.amount, e.cells["amount"]) for e in read.entries] == [
        (EntryKind.RATE, 900_000, "C2"), (EntryKind.REPAYMENT, 90_000, "D3")]  # fmt: skip


def test_staff_layout_without_kind_a_negative_amount_is_a_repayment(tmp_path, pact):
    path = _ledger(tmp_path, [["2020-01", dt.datetime(2020, 3, 1), 500_000], ["2020-01", dt.datetime(2021, 3, 1), "-25.000"]],
                   header=["Sagsnummer", "Dato", "Beløb"])  # fmt: skip
    read = read_ledger([path], pact)
    assert [(e.kind, e.amount) for e in read.entries] == [(EntryKind.RATE, 500_000), (EntryKind.REPAYMENT, 25_000)]


@pytest.mark.parametrize(("row", "code", "cell"), [
    (["2020-01", dt.datetime(2020, 3, 1), "Rate", "mange penge"], IssueCode.LEDGER_BAD_AMOUNT, "D4"),
    (["2020-01", dt.datetime(2020, 3, 1), "Rate", "-50.000"], IssueCode.LEDGER_BAD_AMOUNT, "D4"),
    (["2020-01", "i går", "Rate", 50_000], IssueCode.LEDGER_BAD_DATE, "B4"),
    (["2020-01", None, "Rate", 50_000], IssueCode.LEDGER_MISSING_VALUE, "B4"),
    ([None, dt.datetime(2020, 3, 1), "Rate", 50_000], IssueCode.LEDGER_MISSING_VALUE, "A4"),
    (["2020-01", dt.datetime(2020, 3, 1), None, 50_000], IssueCode.LEDGER_MISSING_VALUE, "C4"),
    (["2020-01", dt.datetime(2020, 3, 1), "Rente", 50_000], IssueCode.LEDGER_UNKNOWN_KIND, "C4"),
    (["2020-01", dt.datetime(2020, 3, 1), "Rate", None], IssueCode.LEDGER_MISSING_VALUE, "D4"),
])  # fmt: skip
def test_reading_faults_at_their_cells(tmp_path, pact, row, code, cell):
    read = read_ledger([_ledger(tmp_path, [row])], pact)
    assert [(i.code, i.cell, i.severity) for i in read.issues] == [(code, cell, Severity.ERROR)]
    assert read.entries == []


def test_zero_is_a_warning_and_not_counted(tmp_path, pact):
    read = read_ledger([_ledger(tmp_path, [["2020-01", dt.datetime(2020, 3, 1), "Rate", 0]])], pact)
    assert [(i.code, i.cell, i.severity) for i in read.issues] == [(IssueCode.LEDGER_BAD_AMOUNT, "D4", Severity.WARNING)]
    assert read.entries == []


def test_a_file_without_a_ledger_and_an_unreadable_file_are_fatal(tmp_path, pact):
    other = write_workbook(tmp_path / "andet.xlsx", {"Ark1": [["Navn", "Alder"], ["x", 3]]})
    junk = tmp_path / "skrald.xlsx"
    junk.write_bytes(b"ikke en projektmappe")
    read = read_ledger([other, junk], pact)
    assert {(i.file, i.code) for i in read.fatal} == {(str(other), IssueCode.LEDGER_SHEET_NOT_FOUND),
                                                       (str(junk), IssueCode.FILE_UNREADABLE)}  # fmt: skip


# -- the rules ----------------------------------------------------------------------------------------------------
RULES = {
    IssueCode.LEDGER_UNKNOWN_CASE: ([["2099-01", dt.datetime(2020, 3, 1), "Rate", 1_000]], "A4", Severity.ERROR),
    IssueCode.LEDGER_NOT_GRANTED: ([["2020-03", dt.datetime(2020, 3, 1), "Rate", 1_000]], "A4", Severity.ERROR),
    IssueCode.LEDGER_DUPLICATE_ENTRY: ([["2020-02", dt.datetime(2020, 3, 1), "Rate", 1_000],
                                        ["2020-02", dt.datetime(2020, 3, 1), "Rate", 1_000]], "D5", Severity.WARNING),
    IssueCode.LEDGER_PAID_ABOVE_GRANTED: ([["2020-02", dt.datetime(2020, 3, 1), "Rate", 300_000],
                                           ["2020-02", dt.datetime(2021, 3, 1), "Bortfald", 150_000],
                                           ["2020-02", dt.datetime(2021, 6, 1), "Rate", 100_000]], "D6", Severity.ERROR),
    IssueCode.LEDGER_REPAID_ABOVE_PAID: ([["2020-02", dt.datetime(2020, 3, 1), "Rate", 100_000],
                                          ["2020-02", dt.datetime(2021, 3, 1), "Tilbagebetaling", 150_000]], "D5",
                                         Severity.ERROR),
    IssueCode.LEDGER_HELD_BACK_PAID: ([["2020-02", dt.datetime(2020, 3, 1), "Rate", 460_000]], "D4", Severity.ERROR),
    IssueCode.LEDGER_OUTSIDE_PERIOD: ([["2020-02", dt.datetime(2023, 3, 1), "Rate", 100_000]], "B4", Severity.WARNING),
    IssueCode.LEDGER_FINISHED_OWED: ([["2020-01", dt.datetime(2020, 3, 1), "Rate", 1_710_000]], "J2", Severity.WARNING),
}  # fmt: skip


@pytest.mark.parametrize("code", list(RULES), ids=lambda c: c.value)
def test_rule(tmp_path, code):
    rows, cell, severity = RULES[code]
    run = _run(tmp_path, rows)
    found = [i for i in run.issues if i.code is code]
    assert [(i.cell, i.severity) for i in found] == [(cell, severity)], [(i.code.value, i.cell) for i in run.issues]


def test_held_back_part_respected_and_final_rate_after_approval_is_fine(tmp_path):
    """2020-01: 1.900.000 kr., 10 % = 190.000 held back; approved 1 March 2022."""
    run = _run(tmp_path, [
        ["2020-01", dt.datetime(2020, 3, 1), "Rate", 1_000_000],
        ["2020-01", dt.datetime(2021, 3, 1), "Rate", 710_000],
        ["2020-01", dt.datetime(2022, 3, 1), "Slutrate", 190_000],
    ])  # fmt: skip
    assert run.issues == []
    a = run.ledger.account("2020-01")
    assert (a.paid, a.owed, a.held_back, a.final) == (1_900_000, 0, 0, 1_900_000)


def test_final_rate_before_the_approval_date_is_an_error_at_its_kind(tmp_path):
    run = _run(tmp_path, [["2020-01", dt.datetime(2020, 3, 1), "Rate", 1_000_000],
                          ["2020-01", dt.datetime(2022, 2, 1), "Slutrate", 100_000]])  # fmt: skip
    assert [(i.code, i.cell) for i in run.issues if i.severity is Severity.ERROR] == [
        (IssueCode.LEDGER_HELD_BACK_PAID, "C5")]


def test_final_report_cell_that_says_nothing(tmp_path):
    overview = _overview(tmp_path, [[2020, "2020-05", "Åben runde", "Makerspace v/SOSU", "STEM kompetencer til alle",
                                     "Motiverende", 90_000, "Tilsagn", 90_000, "Afsluttet", "2020", "måske"]])  # fmt: skip
    validation = run_validation([overview], load_pact("nordjylland"))
    assert [i for i in validation.issues if i.code is IssueCode.UNMAPPED_COLUMNS] == []  # the column is read
    reports, issues = read_final_reports(validation.overview, validation.pact)
    assert [(i.code, i.cell) for i in issues] == [(IssueCode.LEDGER_BAD_FINAL_REPORT, "L6")]
    assert reports[case_key("2020-01")].date == dt.date(2022, 3, 1) and not reports[case_key("2020-02")].approved


def test_without_a_final_report_column_the_held_back_part_is_not_checked(tmp_path, pact):
    run = run_ledger([_ledger(tmp_path, [["2020-02", dt.datetime(2020, 3, 1), "Rate", 500_000]])], pact,
                     overview=[write_workbook(tmp_path / "o.xlsx", {"A": good_rows()})])  # fmt: skip
    assert [(i.code, i.severity) for i in run.issues] == [(IssueCode.LEDGER_NO_FINAL_REPORT_COLUMN, Severity.INFO)]


def test_repayment_due_from_underspend(tmp_path, pact):
    """2020-01 is finished; its budget reports 1.500.000 kr. spent, but 1.710.000 kr. has been paid."""
    from make_budget_workbooks import write_form

    budget = tmp_path / "budget.xlsx"
    write_form(budget, {"case_id": "2020-01", "title": "LabSTEM Nord", "year": 2020, "start": dt.date(2020, 1, 1),
                        "end": dt.date(2021, 12, 31), "lines": [("Løn og timer", "Timer", 2_000_000,
                                                                 {2024: 1_500_000})],
                        "own": 100_000, "partner": 0, "sought": 2_000_000, "granted": 1_900_000})  # fmt: skip
    run = run_ledger([_ledger(tmp_path, [["2020-01", dt.datetime(2020, 3, 1), "Rate", 1_710_000]])], pact,
                     overview=[_overview(tmp_path)], budgets=[budget], as_of=dt.date(2024, 6, 1))  # fmt: skip
    [due] = [i for i in run.issues if i.code is IssueCode.LEDGER_REPAYMENT_DUE]
    assert (due.file, due.severity, due.value) == (str(budget), Severity.WARNING, "1500000")
    assert due.cell == run.budgets.records[0].cells["granted"]
    assert "210.000 kr." in due.message


def test_every_ledger_code_is_tested():
    tested = set(RULES) | {IssueCode.LEDGER_BAD_AMOUNT, IssueCode.LEDGER_BAD_DATE, IssueCode.LEDGER_MISSING_VALUE,
                           IssueCode.LEDGER_UNKNOWN_KIND, IssueCode.LEDGER_SHEET_NOT_FOUND,
                           IssueCode.LEDGER_BAD_FINAL_REPORT, IssueCode.LEDGER_NO_FINAL_REPORT_COLUMN,
                           IssueCode.LEDGER_REPAYMENT_DUE}  # fmt: skip
    assert {c for c in IssueCode if c.value.startswith("ledger_")} == tested


# -- figures ------------------------------------------------------------------------------------------------------
def test_figures_per_grant_and_year(tmp_path):
    run = _run(tmp_path, [
        ["2020-01", dt.datetime(2020, 3, 1), "Rate", 1_000_000],
        ["2020-01", dt.datetime(2021, 3, 1), "Rate", 674_000],
        ["2020-01", dt.datetime(2022, 3, 15), "Slutrate", 186_000],
        ["2020-01", dt.datetime(2022, 4, 1), "Tilbagebetaling", 60_000],
        ["2020-01", dt.datetime(2022, 4, 1), "Bortfald", 40_000],
        ["2020-02", dt.datetime(2020, 3, 1), "Rate", 250_000],
    ])  # fmt: skip
    assert run.issues == []
    a, b = run.ledger.account("2020-01"), run.ledger.account("2020-02")
    assert (a.granted, a.paid, a.repaid, a.reduced, a.final, a.net_paid, a.owed, a.returned) == (
        1_900_000, 1_860_000, 60_000, 40_000, 1_800_000, 1_800_000, 0, 100_000)
    assert (b.granted, b.paid, b.owed, b.retention, b.held_back) == (500_000, 250_000, 250_000, 50_000, 50_000)
    years = {y.year: y for y in run.ledger.years}
    assert (years[2020].framework, years[2020].commitments, years[2020].payments, years[2020].remaining) == (
        3_000_000, 2_400_000, 1_250_000, 600_000)
    assert (years[2022].returned, years[2022].remaining) == (100_000, None)
    total = run.ledger.total
    assert (total.commitments, total.returned, total.remaining) == (2_400_000, 100_000, 700_000)


def test_retention_is_exact_half_up():
    assert retention_of(303_647, 0.10) == 30_365
    assert retention_of(5, 0.10) == 1 and retention_of(4, 0.10) == 0


def _grid(grants: list[int], years: list[int], framework: dict[int, int]) -> tuple[Grid, Grid]:
    rows: list[list[object]] = [["År", "Sagsnr.", "Projekttitel", "Indsatsområde", "Ansøgt beløb", "Afgørelse",
                                 "Støttebeløb"]]  # fmt: skip
    for k, (g, y) in enumerate(zip(grants, years, strict=True)):
        rows.append([y, f"S-{k}", f"Projekt {k} v/EUC Nord", "STEM-kompetencer til alle", g, "Tilsagn", g])
    return Grid("mem", "Ansøgninger", rows), Grid("mem", "Ramme", [["År", "Ramme"], *[[y, a] for y, a in framework.items()]])


entry_st = st.tuples(
    st.integers(0, 5), st.sampled_from(list(EntryKind)), st.integers(1, 2_000_000),
    st.dates(dt.date(2019, 1, 1), dt.date(2026, 12, 31)),
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    grants=st.lists(st.integers(50_000, 5_000_000), min_size=1, max_size=6),
    entries=st.lists(entry_st, max_size=25),
    fw=st.dictionaries(st.integers(2019, 2026), st.integers(0, 20_000_000), max_size=8),
)
def test_property_payments_never_change_grants_and_remaining_counts_returned_money(grants, entries, fw):
    pact = load_pact("nordjylland")
    years = [2019 + k % 5 for k in range(len(grants))]
    validation = run_validation_grids([("mem", list(_grid(grants, years, fw)))], pact)
    ledger_entries = [LedgerEntry("mem", "Udbetalinger", 5 + n, f"S-{k % len(grants)}", d, kind, amount)
                      for n, (k, kind, amount, d) in enumerate(entries)]  # fmt: skip
    without = build_ledger(validation, [])
    ledger = build_ledger(validation, ledger_entries)
    # the granted figures are the overview's, whatever was paid or returned
    assert [a.granted for a in ledger.accounts] == [a.granted for a in without.accounts] == grants
    assert [(y.year, y.commitments) for y in ledger.years if y.commitments] == \
        [(y.year, y.commitments) for y in without.years if y.commitments]  # fmt: skip
    assert ledger.total.commitments == without.total.commitments == sum(grants)
    returned = sum(e.amount for e in ledger_entries if e.kind in (EntryKind.REPAYMENT, EntryKind.LAPSE))
    assert ledger.returned == ledger.total.returned == returned
    if fw:
        assert ledger.total.remaining == sum(fw.values()) - sum(grants) + returned
    for y in ledger.years:
        if y.framework is not None:
            assert y.remaining == y.framework - y.commitments + y.returned
    for a in ledger.accounts:
        assert a.final == a.granted - a.reduced - a.repaid
        assert a.owed - a.overpaid == a.granted - a.reduced - a.paid
        assert 0 <= a.held_back <= a.owed
    paid = sum(e.amount for e in ledger_entries if e.kind in (EntryKind.RATE, EntryKind.FINAL))
    assert ledger.paid == ledger.total.payments == paid


# -- the command and the sample ---------------------------------------------------------------------------------
def test_cli_formats_and_exit_codes(cli, tmp_path):
    ledger = _ledger(tmp_path, [["2020-02", dt.datetime(2020, 3, 1), "Rate", 100_000]])
    overview = _overview(tmp_path)
    proc = cli("udbetalinger", ledger, "--overview", overview)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Restramme" in proc.stdout and "100.000" in proc.stdout
    doc = json.loads(cli("udbetalinger", ledger, "--overview", overview, "--format", "json").stdout)
    assert doc["total"]["paid"] == 100_000 and doc["total"]["remaining"] == 600_000
    assert {a["case_id"]: a["owed"] for a in doc["accounts"]} == {"2020-01": 1_900_000, "2020-02": 400_000}
    csv_text = cli("udbetalinger", ledger, "--overview", overview, "--format", "csv", "--csv-dialect", "maskine").stdout
    assert csv_text.splitlines()[0].startswith("case_id,title,applicant,year")
    out = tmp_path / "udb_ud.xlsx"
    assert cli("udbetalinger", ledger, "--overview", overview, "--format", "xlsx", "--out", out).returncode == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Udbetalinger", "Posteringer", "Fejl"]
    bad = _ledger(tmp_path, [["2099-01", dt.datetime(2020, 3, 1), "Rate", 1]], name="bad.xlsx")
    assert cli("udbetalinger", bad, "--overview", overview).returncode == 1
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"nej")
    proc = cli("udbetalinger", junk, "--overview", overview)
    assert proc.returncode == 2 and "junk.xlsx" in proc.stderr
    assert cli("udbetalinger", ledger, "--overview", overview, "--format", "xlsx").returncode == 2


def test_one_workbook_with_the_overview_and_the_ledger(cli, tmp_path):
    rows = good_rows()
    path = write_workbook(tmp_path / "alt.xlsx", {"Ansøgninger": rows, "Udbetalinger": [
        LEDGER_HEADER, ["2020-02", dt.datetime(2020, 3, 1), "Rate", 100_000]]})  # fmt: skip
    doc = json.loads(cli("udbetalinger", path, "--format", "json").stdout)
    assert doc["total"]["paid"] == 100_000


def test_the_sample_ledger(pact):
    """The shipped sample: a repayment, a held-back part on a finished project, the rest as its script says."""
    run = run_ledger([SAMPLE], pact, overview=[NORD])
    ledger = run.ledger
    wb = openpyxl.load_workbook(SAMPLE, data_only=True)
    rows = [r for r in wb["Udbetalinger"].iter_rows(min_row=5, values_only=True) if r[0]]
    assert len(run.read.entries) == len(rows)
    assert ledger.paid == sum(r[3] for r in rows if r[2] in ("Rate", "Slutrate"))
    assert ledger.returned == REPAYMENT[1]
    assert [(i.code, i.severity) for i in run.issues] == [(IssueCode.LEDGER_FINISHED_OWED, Severity.WARNING)]
    held = ledger.account("2021-02")
    assert held.status == "finished" and held.held_back == held.owed == retention_of(held.granted, 0.10)
    assert ledger.total.remaining == ledger.total.framework - ledger.total.commitments + REPAYMENT[1]
    validation = run_validation([NORD], pact)
    assert ledger.total.commitments == int(validation.granted()["granted"].sum())
