"""The commitment ledger in Excel (issue 25): the Udbetalinger button through xlwings' Office.js protocol on the
shipped samples, PAGT.UDBETALT and PAGT.RESTRAMME with the ledger, called as Excel calls them."""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before the first import of xlwings

import datetime as dt
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from conftest import WORKBOOKS, good_rows, write_workbook
from xlwings import XlwingsError

from pagt_xl import load_pact
from pagt_xl.pipeline import run_ledger
from pagt_xl.xl import core, scripts
from pagt_xl.xl import functions as f
from pagt_xl.xl.payload import book_payload

NORD = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
LEDGER = WORKBOOKS / "udbetalinger_nordjylland.xlsx"


def _serial(value: Any) -> Any:
    """A date as Excel's serial number, as Office.js sends it to a cell function."""
    if isinstance(value, dt.datetime):
        return (value.date() - dt.date(1899, 12, 30)).days
    return value


def _range(path: Path, sheet: str, first_row: int = 1) -> list[list[Any]]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return [[_serial(v) if v is not None else "" for v in r] for r in ws.iter_rows(min_row=first_row, values_only=True)]


@pytest.fixture(scope="module")
def ledger():
    return run_ledger([LEDGER], load_pact("nordjylland"), overview=[NORD]).ledger


def test_udbetalt_is_what_the_ledger_says_for_each_case(ledger):
    values = _range(LEDGER, "Udbetalinger", first_row=4)
    for account in [*ledger.accounts[:5], ledger.account("2021-03")]:
        assert f.udbetalt(values, account.case_id) == account.net_paid
    assert f.udbetalt(values, "2021-03") == 165_000  # 200.000 paid, 35.000 paid back
    assert f.udbetalt(values, "findes-ikke") == 0
    with pytest.raises(XlwingsError, match=r"PAGT\.UDBETALT: angiv sagsnummeret"):
        f.udbetalt(values, "")
    with pytest.raises(XlwingsError, match=r"Sagsnr\., Dato og Beløb"):
        f.udbetalt([["Navn", "Alder"], ["x", 1]], "2021-03")


def test_udbetalt_refuses_a_cell_that_cannot_be_read():
    values = [["Sagsnr.", "Dato", "Type", "Beløb"], ["2021-03", 45000, "Rate", "mange"]]
    with pytest.raises(XlwingsError, match="D2"):
        f.udbetalt(values, "2021-03")


def test_restramme_counts_returned_money_when_given_the_ledger(ledger):
    data = _range(NORD, "Ansøgninger", first_row=4)
    ledger_values = _range(LEDGER, "Udbetalinger", first_row=4)
    years = {y.year: y for y in ledger.years}
    for year in (2022, 2023):
        y = years[year]
        without = f.restramme(data, year, y.framework)
        assert without == y.framework - y.commitments
        assert f.restramme(data, year, y.framework, None, ledger_values) == without + y.returned == y.remaining
    assert years[2023].returned == 35_000
    assert core.remaining(data, 2023, years[2023].framework, None, [[""]]) == years[2023].framework - years[2023].commitments


def test_the_udbetalinger_button_on_a_book_with_the_overview_and_the_ledger(tmp_path):
    rows = good_rows()
    path = write_workbook(tmp_path / "bog.xlsx", {
        "Ansøgninger": rows,
        "Udbetalinger": [["Sagsnr.", "Dato", "Type", "Beløb (kr.)"],
                         ["2020-01", dt.datetime(2020, 3, 1), "Rate", 1_000_000],
                         ["2020-02", dt.datetime(2020, 3, 1), "Rate", 500_000],
                         ["2020-02", dt.datetime(2021, 3, 1), "Tilbagebetaling", 50_000],
                         ["2099-01", dt.datetime(2020, 3, 1), "Rate", 1]],
    })  # fmt: skip
    book = xw.Book(json=book_payload(path))
    scripts.udbetalinger(book)
    acts = book.json()["actions"]
    assert [a["args"][1] for a in acts if a["func"] == "addSheet"] == [scripts.LEDGER_SHEET]
    written = [v for a in acts if a["func"] == "setValues" for row in a["values"] for v in row]
    assert scripts.LEDGER_HEADER[0] in written and "Restramme" in written
    assert "ledger_unknown_case" in written  # the unknown case number, with its cell
    assert any(isinstance(v, str) and v.startswith('=HYPERLINK("#\'Udbetalinger\'!A5"') for v in written)
    assert 1_900_000 - 1_000_000 in written  # 2020-01 still owed
    staff = {a["sheet_position"] for a in acts if a["func"] == "setValues"}
    assert 0 not in staff and 1 not in staff  # the overview and the ledger are never written


def test_the_button_says_when_the_book_has_no_ledger(tmp_path):
    path = write_workbook(tmp_path / "uden.xlsx", {"Ansøgninger": good_rows()})
    book = xw.Book(json=book_payload(path))
    scripts.udbetalinger(book)
    alerts = [a for a in book.json()["actions"] if a["func"] == "alert"]
    assert alerts and "ingen udbetalinger" in alerts[0]["args"][0]
