"""Report charts: each distinct figure is drawn once per process; the same data gives the same PNG."""

from __future__ import annotations

import copy

from conftest import WORKBOOKS

from pagt_xl import load_pact, run_validation
from pagt_xl.pipeline import run_breakdowns
from pagt_xl.report import charts
from pagt_xl.report.render import report_charts

NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"


def test_a_figure_is_drawn_once_for_its_data_and_again_for_other_data():
    breakdowns = run_breakdowns(run_validation([NORD_FILE], load_pact("nordjylland")))
    shown = ("chart_themes", "chart_types", "chart_years")  # without a context: no count charts
    first = {k: v for k, v in report_charts(breakdowns).items() if k in shown}
    assert all(png and png.startswith(b"\x89PNG") for png in first.values())
    assert len(set(first.values())) == 3
    drawn = charts._share_png.cache_info().misses + charts._year_png.cache_info().misses
    again = {k: v for k, v in report_charts(copy.deepcopy(breakdowns)).items() if k in shown}  # the same figures
    assert again == first
    assert charts._share_png.cache_info().misses + charts._year_png.cache_info().misses == drawn
    # one figure changes: only that one is drawn again, and it differs
    theme = copy.deepcopy(breakdowns.breakdowns["theme"])
    theme.rows[0]["granted"] += 1_000_000
    changed = charts.share_chart(theme, "theme", "Støttebeløb fordelt på indsatsområder")
    assert changed != first["chart_themes"]
    assert charts._share_png.cache_info().misses + charts._year_png.cache_info().misses == drawn + 1
