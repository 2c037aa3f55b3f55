"""Every issue code, produced from a real workbook, with its cell."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import HEADER, SheetSpec, good_rows, write_workbook

from pagt_xl.base.config import load_pact
from pagt_xl.base.model import IssueCode, Severity
from pagt_xl.pipeline import run_validation


def row(**kw: Any) -> list[Any]:
    base = {
        "year": 2020,
        "case": "x",
        "round": "Åben runde",
        "title": "Projekt v/EUC Nord",
        "theme": "De potentielle STEM'ere",
        "type": "Motiverende",
        "applied": 500_000,
        "decision": "Tilsagn",
        "granted": 400_000,
    }
    base.update(kw)
    return list(base.values())


def overview(*rows: list[Any], header: list[str] = HEADER) -> dict[str, Any]:
    return {"Ansøgninger": [header, *rows]}


# code -> (sheets, expected cell or None, severity)
SCENARIOS: dict[IssueCode, tuple[Callable[[], dict[str, Any]], str | None, Severity]] = {
    IssueCode.MISSING_COLUMN: (lambda: {"A": [r[:8] for r in good_rows()]}, None, Severity.ERROR),
    IssueCode.UNMAPPED_COLUMNS: (lambda: {"A": [[*r, "z"] for r in good_rows()]}, None, Severity.INFO),
    IssueCode.SKIPPED_ROW: (lambda: {"A": [*good_rows(), ["Note: tal fra 2024"]]}, "A6", Severity.INFO),
    IssueCode.SHEET_IGNORED: (
        lambda: {"A": good_rows(), "Diverse": [["noget"], ["andet"]]},
        None,
        Severity.INFO,
    ),
    IssueCode.DUPLICATE_COLUMN: (
        lambda: {"A": [[*r, r[8]] for r in good_rows()]},
        "J1",
        Severity.WARNING,
    ),
    IssueCode.NO_APPLICATIONS: (lambda: {"A": [HEADER]}, None, Severity.WARNING),
    IssueCode.BAD_AMOUNT: (lambda: overview(row(granted="ca. 300.000")), "I2", Severity.ERROR),
    IssueCode.NEGATIVE_AMOUNT: (lambda: overview(row(granted=-5)), "I2", Severity.ERROR),
    # openpyxl stores "#REF!" as an error cell and "=..." as a formula without a cached value
    IssueCode.EXCEL_ERROR: (lambda: overview(row(granted="#REF!")), "I2", Severity.ERROR),
    IssueCode.FORMULA_WITHOUT_VALUE: (lambda: overview(row(granted="=G2*0.8")), "I2", Severity.ERROR),
    IssueCode.BAD_YEAR: (lambda: overview(row(year="tyve tyve")), "A2", Severity.ERROR),
    IssueCode.BAD_DATE: (
        lambda: overview([*row(), "32.13.2020"], header=[*HEADER, "Start"]),
        "J2",
        Severity.ERROR,
    ),
    IssueCode.BAD_PERIOD: (
        lambda: overview([*row(), "engang"], header=[*HEADER, "Projektperiode"]),
        "J2",
        Severity.ERROR,
    ),
    IssueCode.PERIOD_REVERSED: (
        lambda: overview([*row(), "01.01.2022", "01.01.2021"], header=[*HEADER, "Start", "Slut"]),
        "K2",
        Severity.ERROR,
    ),
    IssueCode.MISSING_VALUE: (lambda: overview(row(title=None)), "D2", Severity.ERROR),
    IssueCode.UNKNOWN_THEME: (lambda: overview(row(theme="Blå økonomi")), "E2", Severity.ERROR),
    IssueCode.AMBIGUOUS_NAME: (lambda: overview(row(theme="STEM-kompetencer...")), "E2", Severity.ERROR),
    IssueCode.UNKNOWN_TYPE: (lambda: overview(row(type="Drift")), "F2", Severity.ERROR),
    IssueCode.UNKNOWN_ROUND: (lambda: overview(row(round="Ekstra runde")), "C2", Severity.ERROR),
    IssueCode.UNKNOWN_DECISION: (lambda: overview(row(decision="Måske")), "H2", Severity.ERROR),
    IssueCode.UNKNOWN_STATUS: (
        lambda: overview([*row(), "Tilsagn", "Halvvejs"], header=[*HEADER, "Afgørelse 2", "Status"]),
        "K2",
        Severity.ERROR,
    ),
    IssueCode.UNKNOWN_PROGRESS: (
        lambda: overview([*row(), "Fremragende"], header=[*HEADER, "Fremdrift"]),
        "J2",
        Severity.ERROR,
    ),
    IssueCode.GRANTED_ABOVE_APPLIED: (lambda: overview(row(applied=100, granted=200)), "I2", Severity.ERROR),
    IssueCode.REJECTED_WITH_AMOUNT: (lambda: overview(row(decision="Afslag", granted=5)), "I2", Severity.ERROR),
    IssueCode.GRANTED_WITHOUT_AMOUNT: (lambda: overview(row(granted=None)), "I2", Severity.ERROR),
    IssueCode.ROUND_CAP_EXCEEDED: (
        lambda: overview(row(year=2023, round="Små projekter", applied=150_000, granted=120_000)),
        "I2",
        Severity.ERROR,
    ),
    IssueCode.FRAMEWORK_EXCEEDED: (
        lambda: {**overview(row(granted=400_000)), "Ramme": [["År", "Ramme"], [2020, 300_000]]},
        "B2",
        Severity.ERROR,
    ),
    IssueCode.THEME_NOT_OPEN: (lambda: overview(row(year=2021)), "E2", Severity.WARNING),
    IssueCode.YEAR_OUTSIDE_PACT: (lambda: overview(row(year=2030)), "A2", Severity.WARNING),
    IssueCode.DUPLICATE_TITLE: (
        lambda: overview(row(), row(case="y", title="Projekt v/Hjørring Gymnasium")),
        "D3",
        Severity.WARNING,
    ),
    IssueCode.DUPLICATE_APPLICATION: (lambda: overview(row(), row(case="y")), "D3", Severity.ERROR),
    IssueCode.SIMILAR_NAME: (
        lambda: overview(row(year=2020, title="LabSTEM Nord+ v/AAU"), row(year=2023, case="y", title="LamSTEM Nord+ v/AAU")),
        "D2",
        Severity.WARNING,
    ),
    IssueCode.DUPLICATE_CASE_ID: (lambda: overview(row(), row(title="Andet projekt v/EUC Nord")), "B3", Severity.ERROR),
    IssueCode.AMBIGUOUS_SUBTOTAL: (
        lambda: overview(row(), row(year="I alt", case="y", title="Andet projekt v/EUC Nord")),
        "D3",
        Severity.WARNING,
    ),
    IssueCode.SUBTOTAL_MISMATCH: (
        lambda: overview(row(), ["I alt 2020", None, None, None, None, None, 500_000, None, 1]),
        "I3",
        Severity.WARNING,
    ),
    # amounts and theme numbers (issue 12, items 1 and 8)
    IssueCode.AMBIGUOUS_AMOUNT: (lambda: overview(row(granted="100,000")), "I2", Severity.ERROR),
    IssueCode.IMPLAUSIBLE_AMOUNT: (lambda: overview(row(granted=20_000)), "I2", Severity.ERROR),
    IssueCode.UNIT_MISMATCH: (
        lambda: overview(row(granted=250_000), header=[*HEADER[:8], "Støttebeløb (mio. kr.)"]),
        "I1",
        Severity.ERROR,
    ),
    IssueCode.THEME_NUMBER_MISMATCH: (lambda: overview(row(theme="3. De potentielle STEM'ere")), "E2", Severity.WARNING),
    IssueCode.BAD_FRAMEWORK_ROW: (
        lambda: {**overview(row()), "Ramme": [["År", "Ramme"], [2020, "rigeligt"]]},
        "B2",
        Severity.ERROR,
    ),
    IssueCode.DUPLICATE_FRAMEWORK_YEAR: (
        lambda: {**overview(row()), "Ramme": [["År", "Ramme"], [2020, 1_000_000], [2020, 2_000_000]]},
        "A3",
        Severity.ERROR,
    ),
    # what is read, and how (issue 23)
    IssueCode.HIDDEN_SHEET: (
        lambda: {"A": good_rows(), "Gammel": SheetSpec(good_rows(), hidden=True)},
        None,
        Severity.INFO,
    ),
    IssueCode.HIDDEN_ROWS_COLUMNS: (lambda: {"A": SheetSpec(good_rows(), hidden_columns=["B"])}, None, Severity.INFO),
    IssueCode.LIST_SHEET: (
        lambda: {
            "A": good_rows(),
            "Lister": [["Afgørelse", "Indsatsområde", "Runde"], ["Tilsagn", "Piger og kvinder i STEM", "Åben runde"]],
        },
        None,
        Severity.INFO,
    ),
    IssueCode.GRANTED_ZERO: (lambda: overview(row(granted=0)), "I2", Severity.ERROR),
    IssueCode.MIXED_SCRIPT: (lambda: overview(row(title="LabSTEM N\u043erd v/EUC Nord")), "D2", Severity.WARNING),
}

#: a scenario's whole list of (code, cell) when its workbook gives more than its own code's issue, in the order
#: validate lists them (the others give exactly one issue, their own, at their cell)
FULL: dict[IssueCode, list[tuple[IssueCode, str | None]]] = {
    # no Støttebeløb column: the sheet's rows are errors, and the two granted ones have no amount
    IssueCode.MISSING_COLUMN: [(IssueCode.MISSING_COLUMN, None), (IssueCode.GRANTED_WITHOUT_AMOUNT, None),
                               (IssueCode.GRANTED_WITHOUT_AMOUNT, None)],
    IssueCode.UNKNOWN_STATUS: [(IssueCode.UNMAPPED_COLUMNS, None), (IssueCode.UNKNOWN_STATUS, "K2")],
    # 100 and 200 kr. are also below the pact's smallest plausible amount
    IssueCode.GRANTED_ABOVE_APPLIED: [(IssueCode.IMPLAUSIBLE_AMOUNT, "G2"), (IssueCode.GRANTED_ABOVE_APPLIED, "I2"),
                                      (IssueCode.IMPLAUSIBLE_AMOUNT, "I2")],
    IssueCode.REJECTED_WITH_AMOUNT: [(IssueCode.REJECTED_WITH_AMOUNT, "I2"), (IssueCode.IMPLAUSIBLE_AMOUNT, "I2")],
    IssueCode.AMBIGUOUS_SUBTOTAL: [(IssueCode.BAD_YEAR, "A3"), (IssueCode.AMBIGUOUS_SUBTOTAL, "D3")],
    # the amount in kroner under a mio. kr. header is not read: the grant has no amount
    IssueCode.UNIT_MISMATCH: [(IssueCode.UNIT_MISMATCH, "I1"), (IssueCode.GRANTED_WITHOUT_AMOUNT, "I2")],
    # two spellings of one title: a warning at both cells, each naming the other
    IssueCode.SIMILAR_NAME: [(IssueCode.SIMILAR_NAME, "D2"), (IssueCode.SIMILAR_NAME, "D3")],
}

FATAL = {IssueCode.FILE_UNREADABLE, IssueCode.NO_HEADER_ROW}  # covered in test_ingest / test_cli
#: a pact setting, an input list or a period makes these: covered in test_reading
READING = {IssueCode.YEAR_MISMATCH, IssueCode.DECISIONS_DO_NOT_ADD_UP, IssueCode.SKIPPED_FILE, IssueCode.EMPTY_PERIOD}
MULTI_FILE = {IssueCode.DUPLICATE_FILE}  # covered in test_duplicates
ROUND_PREFIXES = ("assessment_", "recommended_", "round_no_", "letter_")  # covered in test_round
#: the cross-checks of the figures (pagt_xl.core.checks): covered in test_breakdown
CHECK_CODES = {IssueCode.BREAKDOWN_SUM_MISMATCH, IssueCode.BREAKDOWN_COUNT_MISMATCH, IssueCode.YEAR_TABLE_MISMATCH,
               IssueCode.STATED_FIGURE_MISMATCH}  # fmt: skip
LEDGER_PREFIX = ("ledger_", "opendata_")  # the commitment ledger and open data (issue 25): test_ledger, test_opendata
#: what is taken out of a user's Word template (issue 21): tests/report/test_template_hardening.py
TEMPLATE_PREFIX = ("template_",)


def test_every_issue_code_has_a_scenario():
    # budget codes: test_budget.py; the round's codes (issue 16): test_round.py; goal codes: test_goals.py
    overview_codes = {c for c in IssueCode if not c.value.startswith(("budget_", "goal_", *ROUND_PREFIXES,
                                                                                  *LEDGER_PREFIX, *TEMPLATE_PREFIX))}
    assert set(SCENARIOS) | FATAL | MULTI_FILE | READING | CHECK_CODES == overview_codes


@pytest.mark.parametrize("code", list(SCENARIOS), ids=lambda c: c.value)
def test_issue_code(code: IssueCode, tmp_path: Path):
    make, cell, severity = SCENARIOS[code]
    path = write_workbook(tmp_path / "t.xlsx", make())
    result = run_validation([path], load_pact("nordjylland"))
    # the whole list: an issue more (or one fewer) than expected fails
    assert [(i.code, i.cell) for i in result.issues] == FULL.get(code, [(code, cell)])
    for issue in (i for i in result.issues if i.code is code):
        assert issue.severity is severity
        assert issue.file == str(path)
        assert issue.message and "Traceback" not in issue.message
        if issue.cell is not None:
            assert issue.row == int(issue.cell.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ"))
            assert issue.column == issue.cell.rstrip("0123456789")


def test_clean_sheet_has_no_errors(workbook, nord):
    result = run_validation([workbook({"A": good_rows()})], nord)
    assert not result.has_errors


def test_row_errors_exclude_rows_from_clean_table(workbook, nord):
    path = workbook(overview(row(), row(title="Andet projekt", applied=100, granted=200)))
    result = run_validation([path], nord)
    assert result.table["has_error"].tolist() == [False, True]
    assert len(result.granted()) == 1


def test_merged_title_with_subtotals_per_year_and_grand_total(workbook, nord):
    rows = [
        ["Oversigt"],
        HEADER,
        row(year=2019, title="A v/X", applied=100, granted=100),
        row(year=2019, title="B v/X", applied=50, granted=50),
        ["I alt 2019", None, None, None, None, None, 150, None, 150],
        [],
        row(year=2020, title="C v/X", applied=70, granted=60),
        ["I alt 2020", None, None, None, None, None, 70, None, 60],
        [],
        ["I alt", None, None, None, None, None, 220, None, 210],
    ]
    result = run_validation([workbook({"A": SheetSpec(rows, merged=["A1:I1"])})], nord)
    assert len(result.table) == 3
    assert [i for i in result.issues if i.code is IssueCode.SUBTOTAL_MISMATCH] == []
