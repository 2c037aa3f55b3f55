"""The same file or application twice is counted once (issue 12, item 3)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from conftest import good_rows

from pagt_xl.base.model import IssueCode, Severity
from pagt_xl.pipeline import run_breakdowns, run_validation


def _figures(result) -> tuple[object, ...]:
    b = run_breakdowns(result)
    return (b.breakdowns["theme"].total, b.breakdowns["theme"].rows, b.years.total)


def _second_spelling(path: Path) -> Path:
    return path.parent / "." / path.name


def _symlink(path: Path) -> Path:
    link = path.parent / "genvej.xlsx"
    os.symlink(path, link)
    return link


def _copy(path: Path) -> Path:
    return Path(shutil.copyfile(path, path.parent / f"{path.stem} - kopi.xlsx"))


@pytest.mark.parametrize(
    "again", [lambda p: p, _second_spelling, _symlink, _copy], ids=["same", "spelling", "symlink", "copy"]
)
def test_a_file_given_twice_is_read_once(workbook, nord, again):
    path = workbook({"Ansøgninger": good_rows()})
    once = run_validation([path], nord)
    second = again(path)
    twice = run_validation([path, second], nord)
    assert len(twice.table) == len(once.table) == 4
    assert twice.overview.files == [str(path)]
    [issue] = [i for i in twice.issues if i.code is IssueCode.DUPLICATE_FILE]
    assert issue.severity is Severity.INFO
    assert issue.file == str(second) and issue.value == str(path)
    assert not twice.has_errors
    assert _figures(twice) == _figures(once)


def test_a_missing_file_among_duplicates_stays_a_fatal_issue(workbook, nord, tmp_path):
    path = workbook({"Ansøgninger": good_rows()})
    result = run_validation([path, tmp_path / "findes-ikke.xlsx", path], nord)
    assert [i.code for i in result.fatal] == [IssueCode.FILE_UNREADABLE]
    assert [i.code for i in result.issues].count(IssueCode.DUPLICATE_FILE) == 1


def test_the_same_application_in_two_files_is_an_error_and_counted_once(workbook, nord):
    rows = good_rows()
    first = workbook({"Ansøgninger": rows}, name="a.xlsx")
    second = workbook(
        {"Ansøgninger": [rows[0], rows[1], [2021, "2021-01", *rows[2][2:]]]}, name="b.xlsx"
    )  # not the same bytes
    result = run_validation([first, second], nord)
    [issue] = [i for i in result.issues if i.code is IssueCode.DUPLICATE_APPLICATION]
    assert (issue.file, issue.cell, issue.severity) == (str(second), "D2", Severity.ERROR)
    assert str(first) in issue.message
    assert result.table["has_error"].tolist() == [False] * 4 + [True, False]
    alone = run_validation([first], nord)
    assert run_breakdowns(result).breakdowns["theme"].total["granted"] == (
        run_breakdowns(alone).breakdowns["theme"].total["granted"] + 500_000  # 2021's row counts, the copy does not
    )


def test_an_exact_duplicate_row_counts_once(workbook, nord):
    rows = good_rows()
    once = run_validation([workbook({"A": rows}, name="a.xlsx")], nord)
    twice = run_validation([workbook({"A": [*rows, rows[1]]}, name="b.xlsx")], nord)
    assert [(i.code, i.cell) for i in twice.issues if i.severity is Severity.ERROR] == [
        (IssueCode.DUPLICATE_APPLICATION, "D6")
    ]
    assert _figures(twice)[0] == _figures(once)[0]
    assert _figures(twice)[1] == _figures(once)[1]


def test_the_same_case_number_twice_is_an_error_naming_the_first(workbook, nord):
    rows = good_rows()
    other = [*rows[1][:3], "Noget andet v/Aalborg Universitet", *rows[1][4:]]
    result = run_validation([workbook({"A": [*rows, other]})], nord)
    [issue] = [i for i in result.issues if i.code is IssueCode.DUPLICATE_CASE_ID]
    assert (issue.cell, issue.severity, issue.value) == ("B6", Severity.ERROR, "2020-01")
    assert "række 2" in issue.message
    assert result.table["has_error"].tolist() == [False] * 4 + [True]


def test_the_same_title_with_another_applicant_is_a_warning(workbook, nord):
    rows = good_rows()
    other = [rows[1][0], "2020-09", *rows[1][2:3], "LabSTEM Nord v/UCN", *rows[1][4:]]
    result = run_validation([workbook({"A": [*rows, other]})], nord)
    assert [(i.code, i.cell, i.severity) for i in result.issues if i.code.value.startswith("duplicate")] == [
        (IssueCode.DUPLICATE_TITLE, "D6", Severity.WARNING)
    ]
    assert not result.has_errors
    assert run_breakdowns(result).breakdowns["theme"].total["projects"] == 3
