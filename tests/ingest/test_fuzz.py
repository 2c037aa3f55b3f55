"""Fuzzing: random cell grids (mixed types, Danish and hostile text, huge and negative numbers) through
ingestion, validation, breakdowns and the report context — never an unhandled exception."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

from conftest import HEADER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pagt_xl import load_pact
from pagt_xl.base.model import CellProblem
from pagt_xl.ingest.grid import Grid
from pagt_xl.pipeline import run_breakdowns, run_validation_grids
from pagt_xl.report import build_context

PACT = load_pact("nordjylland")
HOSTILE = ["=cmd|' /C calc'!A0", "+1+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "<script>", "&amp;", "{{ x }}",
           "{% for %}", "I alt", "I alt 2020", "Total", "v/", " v/ ", "1,3 mio. kr.", "kr. 300.000,-", "Tilsagn",
           "Afslag", "1. De potentielle STEM'ere", "STEM-kompetencer målrettet...", "2019-2023", "31.02.2021",
           "\x00", "\ufeff", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "æøå ÆØÅ", "  ", ""]  # fmt: skip
cell = st.one_of(
    st.sampled_from(HOSTILE),
    st.text(max_size=40),
    st.integers(min_value=-(10**18), max_value=10**18).map(float),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.datetimes(min_value=dt.datetime(1900, 1, 1), max_value=dt.datetime(2100, 1, 1)),
    st.sampled_from([CellProblem("error", "#REF!"), CellProblem("formula", "A1*2")]),
    st.just(""),
)
row = st.lists(cell, min_size=0, max_size=len(HEADER) + 3)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(row, max_size=25), with_header=st.booleans(), offset=st.integers(0, 3))
def test_random_grids_never_crash(rows, with_header, offset):
    grid_rows = [[""] * 3 for _ in range(offset)] + ([HEADER] if with_header else []) + rows
    width = max((len(r) for r in grid_rows), default=0)
    grid_rows = [list(r) + [""] * (width - len(r)) for r in grid_rows]
    result = run_validation_grids([("fuzz.xlsx", [Grid(file="fuzz.xlsx", sheet="Ark", rows=grid_rows)])], PACT)
    for issue in result.issues:
        assert issue.message and issue.file == "fuzz.xlsx"
    if not result.fatal:
        breakdowns = run_breakdowns(result)
        granted = breakdowns.breakdowns["theme"].total["granted"]
        assert isinstance(granted, int) and granted >= 0
        assert sum(r["granted"] for r in breakdowns.breakdowns["theme"].rows) == granted
        assert not any(isinstance(v, float) and math.isnan(v) for v in breakdowns.years.total.values())
        ctx = build_context(breakdowns, report_date=dt.date(2024, 2, 15))
        assert ctx.granted_total.endswith("kr.")


# -- subtotal rows and repeated files never change the figures (issue 12, items 2 and 3) -------------------------
THEMES = ["1. De potentielle STEM'ere", "Flere piger og kvinder i STEM", "STEM kompetencer til alle"]
application = st.tuples(
    st.sampled_from([2020, 2021]),
    st.sampled_from(THEMES),
    st.integers(0, 5_000_000),
    st.sampled_from(["Tilsagn", "Afslag", "Afventer"]),
    st.integers(0, 100),
)


def _application_rows(drawn: list[tuple[int, str, int, str, int]]) -> list[list[object]]:
    """Valid, distinct application rows (HEADER's layout) from drawn (year, theme, applied, decision, share %)."""
    rows = []
    for k, (year, theme, applied, decision, pct) in enumerate(drawn):
        granted = applied * pct // 100 if decision == "Tilsagn" else None
        rows.append([year, f"{year}-{k:03}", "Åben runde", f"Projekt {k} v/Skole {k}", theme, "Motiverende",
                     applied, decision, granted])  # fmt: skip
    return rows


def _figures(result) -> tuple[object, ...]:
    b = run_breakdowns(result)
    return (
        b.breakdowns["theme"].total,
        b.breakdowns["theme"].rows,
        b.breakdowns["year"].rows,
        b.years.total,
        b.years.rows,
    )


def _grid_result(rows: list[list[object]]):
    return run_validation_grids([("f.xlsx", [Grid(file="f.xlsx", sheet="Ark", rows=[HEADER, *rows])])], PACT)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    drawn=st.lists(application, min_size=1, max_size=8),
    data=st.data(),
    label=st.sampled_from(PACT.subtotal_labels),
    by_year=st.booleans(),
)
def test_a_subtotal_row_never_changes_the_figures(drawn, data, label, by_year):
    rows = _application_rows(drawn)
    at = data.draw(st.integers(1, len(rows)), label="after row")
    year = rows[at - 1][0] if by_year else None
    covered = [r for r in rows[:at] if year is None or r[0] == year]
    applied = sum(r[6] for r in covered)
    granted = sum(r[8] or 0 for r in covered)
    subtotal = [f"{label} {year}" if year else label, None, None, None, None, None, applied, None, granted]
    without = _grid_result(rows)
    with_subtotal = _grid_result([*rows[:at], subtotal, *rows[at:]])
    assert len(with_subtotal.overview.subtotals) == 1
    assert not [i for i in with_subtotal.issues if i.code.value.startswith(("subtotal", "ambiguous"))]
    assert _figures(with_subtotal) == _figures(without)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(drawn=st.lists(application, min_size=1, max_size=6), how=st.sampled_from(["same", "spelling", "copy"]))
def test_a_file_given_twice_never_changes_the_figures(tmp_path_factory, drawn, how):
    import shutil

    from conftest import write_workbook

    from pagt_xl.pipeline import run_validation

    folder = tmp_path_factory.mktemp("twice")
    path = write_workbook(folder / "oversigt.xlsx", {"Ansøgninger": [HEADER, *_application_rows(drawn)]})
    second = {
        "same": path,
        "spelling": folder / ".." / folder.name / path.name,
        "copy": Path(shutil.copyfile(path, folder / "oversigt - kopi.xlsx")),
    }[how]
    once = run_validation([path], PACT)
    twice = run_validation([path, second], PACT)
    assert [i.code.value for i in twice.issues if i.code.value.startswith("duplicate")] == ["duplicate_file"]
    assert _figures(twice) == _figures(once)
