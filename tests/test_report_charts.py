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


# -- no label clipped (issue 24): every text of every chart measured inside its figure ------------------------
MIDT_FILE = WORKBOOKS / "midtjylland_projekter_2018.xlsx"


def _clear_caches() -> None:
    for cached in (charts._share_png, charts._year_png, charts._count_png):
        cached.cache_clear()


def _outside_per_chart(monkeypatch, draw) -> dict[str, list[str]]:
    """Draw through the production path (fitted, then saved) and record, per figure, the texts outside it."""
    import matplotlib.pyplot as plt

    found: dict[str, list[str]] = {}
    save = plt.Figure.savefig

    def measured(fig, *args, **kwargs):
        title = next((t.get_text() for ax in fig.axes for t in (ax.title, ax._left_title) if t.get_text()), "")
        title = title or (fig._suptitle.get_text() if fig._suptitle else "?")
        found[f"{len(found)}: {title}"] = charts.texts_outside(fig)
        return save(fig, *args, **kwargs)

    monkeypatch.setattr(plt.Figure, "savefig", measured)
    _clear_caches()
    draw()
    _clear_caches()
    return found


def test_no_chart_label_of_either_pact_is_clipped(monkeypatch):
    import datetime as dt

    from pagt_xl.pipeline import run_goals
    from pagt_xl.report.context import build_context
    from pagt_xl.report.goals import goal_chart, goals_chapter

    def draw():
        for path, name in ((NORD_FILE, "nordjylland"), (MIDT_FILE, "midtjylland")):
            breakdowns = run_breakdowns(run_validation([path], load_pact(name)))
            report_charts(breakdowns, build_context(breakdowns, report_date=dt.date(2024, 2, 15)))
        pact = load_pact("nordjylland")
        follow = run_goals([WORKBOOKS / "maalopfoelgning_nordjylland.xlsx"], pact).follow_up
        for section in goals_chapter(follow, pact, 2019, 2023).indicators:
            goal_chart(section)

    found = _outside_per_chart(monkeypatch, draw)
    assert len(found) >= 12  # themes, types, years, partners, targets, instruments, per theme, Midt, 2 goal charts
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_hostile_labels_and_amounts_stay_inside(monkeypatch):
    long = "Et meget langt navn på et tema, der bliver ved og ved og ved, så det skal brydes " * 2
    rows = [(f"{long} {n}", 10**9 // (n + 1), "99,96 %") for n in range(6)]

    def draw():
        charts.share_rows_chart(rows, "Støttebeløb fordelt på " + long, frozenset({rows[-1][0]}))
        charts.count_chart([(f"{long} {n}", 10**7 + n) for n in range(8)], long, "Antal projekter " + long)
        charts.count_chart([("x", 1)], "Kort")

    found = _outside_per_chart(monkeypatch, draw)
    assert len(found) == 3
    assert {name: texts for name, texts in found.items() if texts} == {}


def test_the_measurement_sees_a_clipped_label():
    """The check itself: a label drawn past the figure's edge is reported (so the tests above can fail)."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4, 2))
    fig.subplots_adjust(left=0.1, bottom=0.25)  # room for the ticks: only the value label is past the edge
    ax.barh(["a"], [10])
    ax.set_xlim(0, 10)
    ax.text(10, 0, "  14,83 mio. kr. (64 %)")
    assert charts.texts_outside(fig) == ["  14,83 mio. kr. (64 %)"]
    charts.fit_inside(fig)
    assert charts.texts_outside(fig) == []
    plt.close(fig)
