"""Fuzzing: random cell grids (mixed types, Danish and hostile text, huge and negative numbers) through
ingestion, validation, breakdowns and the report context — never an unhandled exception."""

from __future__ import annotations

import datetime as dt
import math

from conftest import HEADER
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pagt_xl import load_pact
from pagt_xl.ingest.grid import CellProblem, Grid
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
