"""The workbooks we write read right (issue 26.5): aligned rows, totals outside the Tables, notes where a sum
is not a total, typed values, Danish charts with alt text, goal charts, and a budget overview legible on A4
(checked by rendering in LibreOffice)."""

from __future__ import annotations

import datetime as dt
import math
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import WORKBOOKS, convert_to_pdf
from openpyxl.utils.cell import range_boundaries

from pagt_xl import load_pact, run_validation
from pagt_xl.base.model import Issue, IssueCode, Severity
from pagt_xl.outputs.workbooks import _cell_link, write_budget_workbook, write_goals_workbook
from pagt_xl.pipeline import run_breakdowns

OVERVIEW = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The three kinds of workbook written from the Nordjylland samples."""
    from pagt_xl.ingest.budget import review_budgets
    from pagt_xl.outputs.workbooks import write_breakdown_workbook
    from pagt_xl.pipeline import run_goals

    tmp = tmp_path_factory.mktemp("layout")
    pact = load_pact("nordjylland")
    breakdowns = run_breakdowns(run_validation([OVERVIEW], pact))
    out = {"fordelinger": tmp / "fordelinger.xlsx", "budgetter": tmp / "budgetter.xlsx", "maal": tmp / "maal.xlsx"}
    write_breakdown_workbook(breakdowns, out["fordelinger"])
    review = review_budgets(sorted((WORKBOOKS / "budgetter").glob("*.xlsx")), pact, None, as_of=dt.date(2024, 6, 1))
    write_budget_workbook(review.records, review.issues, out["budgetter"], pact=pact)
    goals = run_goals([WORKBOOKS / "maalopfoelgning_nordjylland.xlsx"], pact, year=2023)
    write_goals_workbook(goals.follow_up, goals.issues, out["maal"])
    return out


def _tables(path: Path):
    wb = openpyxl.load_workbook(path)
    for ws in wb.worksheets:
        for table in ws.tables.values():
            yield ws, table


@pytest.mark.parametrize("name", ["fordelinger", "budgetter", "maal"])
def test_every_cell_of_a_table_is_top_aligned(workbooks, name):
    seen = 0
    for ws, table in _tables(workbooks[name]):
        lo_col, lo_row, hi_col, hi_row = range_boundaries(table.ref)
        for row in ws.iter_rows(min_row=lo_row + 1, max_row=hi_row + 1, min_col=lo_col, max_col=hi_col):
            for cell in row:
                if cell.value is not None:
                    assert cell.alignment.vertical == "top", (ws.title, cell.coordinate)
                    seen += 1
    assert seen > 20


@pytest.mark.parametrize("name", ["fordelinger", "budgetter"])
def test_totals_are_below_each_table_never_inside_it(workbooks, name):
    totals = 0
    for ws, table in _tables(workbooks[name]):
        lo_col, lo_row, _hi_col, hi_row = range_boundaries(table.ref)
        inside = [ws.cell(r, lo_col).value for r in range(lo_row + 1, hi_row + 1)]
        assert "I alt" not in inside, (ws.title, table.ref)
        below = ws.cell(hi_row + 1, lo_col)
        if below.value == "I alt":
            totals += 1
            assert below.font.b, (ws.title, below.coordinate)
    assert totals >= 3


def test_a_sum_that_is_not_the_total_has_a_note(workbooks):
    ws = openpyxl.load_workbook(workbooks["fordelinger"])["Målgrupper"]
    rows = list(ws.iter_rows(min_row=4, values_only=True))
    total_at = next(i for i, r in enumerate(rows) if r[0] == "I alt")
    counted = sum(r[1] for r in rows[:total_at])
    assert counted > rows[total_at][1]  # the sample: projects reach several target groups
    note = rows[total_at + 1][0]
    assert note.startswith("Bemærk") and f"{counted}" in note.replace(".", "")


def test_issue_values_that_are_numbers_are_stored_as_numbers(tmp_path, workbook):
    from conftest import HEADER, good_rows

    from pagt_xl.outputs.workbooks import write_breakdown_workbook

    # an amount far above the pact's bound, typed as a number: the issue's value is that number
    bad = [2020, "2020-09", "Åben runde", "Stort projekt v/ Skole", "1. De potentielle STEM'ere",
           "Kompetenceopbygning", 5_000_000_000, "Tilsagn", 4_000_000_000]  # fmt: skip
    path = workbook({"Ansøgninger": [HEADER, *good_rows()[1:], bad]})
    write_breakdown_workbook(run_breakdowns(run_validation([path], load_pact("nordjylland"))), tmp_path / "f.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")["Fejl"]
    header = [c.value for c in ws[3]]
    values = [r[header.index("Værdi")] for r in ws.iter_rows(min_row=4, values_only=True)]
    assert any(isinstance(v, int | float) for v in values), values
    assert all(not (isinstance(v, str) and re.fullmatch(r"-?\d+", v)) for v in values)


@pytest.mark.parametrize("name", ["fordelinger", "maal"])
def test_charts_are_danish_and_have_alt_text(workbooks, name):
    with zipfile.ZipFile(workbooks[name]) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        drawings = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/drawings/drawing"))
        assert charts
        for n in charts:
            xml = z.read(n)
            assert b"en-US" not in xml and b'<c:lang val="da-DK"/>' in xml, n
    descriptions = re.findall(rb'descr="([^"]+)"', drawings)
    assert len(descriptions) == len(charts)
    assert all(len(d) > 30 for d in descriptions)


def test_goals_workbook_has_a_chart_per_indicator_and_no_yes_without_a_target(workbooks):
    wb = openpyxl.load_workbook(workbooks["maal"])
    ws = wb["Målopfølgning"]
    indicators = {r[0] for r in ws.iter_rows(min_row=4, values_only=True) if r[1] and isinstance(r[2], int)}
    with zipfile.ZipFile(workbooks["maal"]) as z:
        assert len([n for n in z.namelist() if n.startswith("xl/charts/chart")]) == len(ws._charts) >= 1
    assert len(ws._charts) == len([i for i in indicators if i])


def test_an_activity_without_a_target_is_neither_met_nor_missed():
    from pagt_xl.core.goals import ActivityYear

    none = ActivityYear(year=2023, done=0, min_per_year=0, max_per_year=None, met=True, activities=[])
    some = ActivityYear(year=2023, done=0, min_per_year=1, max_per_year=None, met=False, activities=[])
    assert not none.has_target and some.has_target


def test_absolute_links_name_the_source_by_its_full_path(tmp_path):
    src = tmp_path / "kilde" / "over#sigt.xlsx"
    src.parent.mkdir()
    src.write_bytes(b"x")
    issue = Issue(file=str(src), sheet="Ark 1", cell="B7", row=7, column="B", code=IssueCode.MISSING_COLUMN,
                  severity=Severity.ERROR, message="m")  # fmt: skip
    out = tmp_path / "ud" / "f.xlsx"
    relative = _cell_link(issue, out)
    absolute = _cell_link(issue, out, absolute=True)
    assert relative == "external:../kilde/over%23sigt.xlsx#'Ark 1'!B7"
    assert absolute == f"external:{str(src.parent).replace(chr(92), '/')}/over%23sigt.xlsx#'Ark 1'!B7"


def _smallest_font(pdf: Path) -> tuple[float, int]:
    """The smallest effective font size (pt) of any text on the PDF's pages, and the page count."""
    from pypdf import PdfReader

    reader = PdfReader(pdf)
    sizes: list[float] = []

    def visit(text, cm, tm, font, size):
        if text.strip():
            a, b, c, d = (tm[0] * cm[0] + tm[1] * cm[2], tm[0] * cm[1] + tm[1] * cm[3],
                          tm[2] * cm[0] + tm[3] * cm[2], tm[2] * cm[1] + tm[3] * cm[3])  # fmt: skip
            sizes.append(size * math.sqrt(abs(a * d - b * c)))

    for page in reader.pages:
        page.extract_text(visitor_text=visit)
    return min(sizes), len(reader.pages)


def test_the_budget_overview_prints_legibly_on_a4(workbooks, tmp_path):
    pdf = convert_to_pdf([workbooks["budgetter"]], tmp_path)[workbooks["budgetter"].name]
    smallest, pages = _smallest_font(pdf)
    assert smallest >= 7.5, smallest  # measured 7.6-8.2 pt per sheet; 3.3 pt with 17 columns on one sheet
    assert pages >= 4  # Budgetter, Finansiering, Kategorier, Fejl
