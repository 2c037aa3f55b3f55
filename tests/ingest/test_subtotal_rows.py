"""Which rows are subtotals: a subtotal word alone does not make one (issue 12, item 2)."""

from __future__ import annotations

from typing import Any

import pytest

from pagt_xl.base.model import IssueCode, Severity
from pagt_xl.pipeline import run_breakdowns, run_validation

# Midtjylland's layout: the title is the first column, where a subtotal word is looked for.
MIDT_HEADER = ["Titel", "Tema", "Ansøger", "År", "Ansøgt beløb", "Bevilget (kr.)", "Afgørelse"]
FIRST = ["Robotter", "Piger og STEM", "Aarhus Tech", 2018, 300_000, 200_000, "Tilsagn"]
SECOND = ["Book en ekspert", "Teknologiambassadører", "Aarhus Universitet", 2018, 100_000, 100_000, "Tilsagn"]


def _read(workbook, midt, extra: list[Any]):
    path = workbook({"Projekter": [MIDT_HEADER, FIRST, SECOND, extra]})
    return run_validation([path], midt)


@pytest.mark.parametrize(
    "extra",
    [
        # a decision, an applicant: a project whose title starts with a subtotal word
        ["Samlet indsats for piger i STEM", "Piger og STEM", "Mercantec", 2018, 50_000, 40_000, "Tilsagn"],
        ["Total omstilling v/Mercantec", "Piger og STEM", None, 2018, 50_000, None, None],
        ["Sum-projekt", "Piger og STEM", "Mercantec", 2018, 50_000, None, None],
    ],
    ids=["decision", "applicant-in-title", "applicant-pending"],
)
def test_a_row_with_an_application_field_is_an_application(workbook, midt, extra):
    result = _read(workbook, midt, extra)
    assert len(result.table) == 3
    assert result.overview.subtotals == []
    assert not [i for i in result.issues if i.code in (IssueCode.AMBIGUOUS_SUBTOTAL, IssueCode.SUBTOTAL_MISMATCH)]


@pytest.mark.parametrize(
    "extra",
    [
        # no decision, no applicant, but a theme: a pending project, or a subtotal with a stray theme?
        ["Samlet indsats for piger i STEM", "Piger og STEM", None, 2018, 50_000, None, None],
        # a bare label with an applicant
        ["I alt", None, "Mercantec", None, 400_000, 300_000, None],
        # a longer label whose amount does not match the rows above
        ["Samlet for året", None, None, 2018, 50_000, None, None],
        # a longer label without an amount
        ["Total omstilling", None, None, 2018, None, None, None],
    ],
    ids=["pending-with-theme", "bare-label-with-applicant", "sum-does-not-match", "no-amount"],
)
def test_a_row_in_between_is_read_and_reported(workbook, midt, extra):
    result = _read(workbook, midt, extra)
    assert len(result.table) == 3  # read as an application: its money is never dropped silently
    assert result.overview.subtotals == []
    [issue] = [i for i in result.issues if i.code is IssueCode.AMBIGUOUS_SUBTOTAL]
    assert issue.severity is Severity.WARNING
    assert issue.cell == "A4"  # the title cell


@pytest.mark.parametrize(
    ("extra", "mismatch"),
    [
        (["I alt", None, None, None, 400_000, 300_000, None], False),
        (["I alt 2018", None, None, 2018, 400_000, 300_000, None], False),
        (["Total:", None, None, None, 999, 300_000, None], True),  # a bare label: a wrong sum is visible
        (["Samlet for året", None, None, 2018, 400_000, 300_000, None], False),  # a longer label that adds up
        (["I alt", None, None, None, None, None, None], False),  # a bare label, nothing else
    ],
)
def test_a_row_that_behaves_like_a_subtotal_is_one(workbook, midt, extra, mismatch):
    result = _read(workbook, midt, extra)
    assert len(result.table) == 2
    assert len(result.overview.subtotals) == 1
    assert IssueCode.AMBIGUOUS_SUBTOTAL not in [i.code for i in result.issues]
    assert [i.cell for i in result.issues if i.code is IssueCode.SUBTOTAL_MISMATCH] == (["E4"] if mismatch else [])


def test_a_pending_project_named_like_a_subtotal_counts_in_the_figures(workbook, midt):
    pending = ["Samlet indsats for piger i STEM", "Piger og STEM", None, 2018, 50_000, None, None]
    result = _read(workbook, midt, pending)
    breakdowns = run_breakdowns(result)
    assert breakdowns.years.total["applications"] == 3 and breakdowns.years.total["pending"] == 1
    assert result.table["applied"].sum() == 450_000


def test_a_bare_label_in_the_year_column_with_application_fields_is_reported(workbook, nord):
    from conftest import HEADER

    row = ["I alt", "2020-07", "Åben runde", "Projekt v/EUC Nord", "De potentielle STEM'ere", "Motiverende",
           500_000, "Tilsagn", 400_000]  # fmt: skip
    result = run_validation([workbook({"Ansøgninger": [HEADER, row]})], nord)
    assert len(result.table) == 1
    assert [i.cell for i in result.issues if i.code is IssueCode.AMBIGUOUS_SUBTOTAL] == ["D2"]


def test_an_unreadable_amount_in_a_row_in_between_is_reported_once(workbook, midt):
    result = _read(workbook, midt, ["Samlet for året", None, None, 2018, "ca. 5 mio.", None, None])
    assert len(result.table) == 3
    assert [(i.code, i.cell) for i in result.issues if i.cell == "E4"] == [(IssueCode.BAD_AMOUNT, "E4")]
    assert IssueCode.AMBIGUOUS_SUBTOTAL in [i.code for i in result.issues]
