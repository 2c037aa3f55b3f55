"""Goal tracking and action-plan follow-up (issue 17): pure computation, no I/O.

Measured goals (``[[goals.measured]]`` in the pact) are followed by an index
against the baseline year (baseline = 100) and the straight line from 100 in
the baseline year to ``100 × (1 + target_change)`` in the target year. A year
is *on track* when its index is at or above that line (exactly on it counts as
on track); comparisons use exact fractions, never floats.

Activity goals (``[[goals.activities]]``) are counted per year: the rows of the
Aktiviteter sheet of the goal's kind, plus granted applications in the
overview that the goal marks (``derive_themes`` / ``derive_project_types``),
one per case number.
"""

from __future__ import annotations

import datetime as dt
from fractions import Fraction
from typing import Any

from pydantic import BaseModel, ConfigDict

from pagt_xl.base.config import ActivityGoal, MeasuredGoal, Pact
from pagt_xl.base.danish import case_key, format_decimal
from pagt_xl.base.model import Issue, IssueCode, Severity, SourceRef


class IndicatorFigure(BaseModel):
    """One yearly figure of an indicator from the Målopfølgning sheet (``cell``: the value's cell)."""

    model_config = ConfigDict(frozen=True)

    source: SourceRef
    indicator: str
    year: int
    value: int
    data_source: str = ""
    note: str = ""
    cell: str | None = None


class Activity(BaseModel):
    """One action-plan activity: a row of the Aktiviteter sheet or a granted application marked by the pact.

    ``source`` is ``None`` for an activity derived from the overview; ``case_id``
    ``None`` when the activity is not linked to a funded project.
    """

    model_config = ConfigDict(frozen=True)

    source: SourceRef | None
    date: dt.date | None
    year: int
    area: str | None
    kind: str
    description: str = ""
    case_id: str | None = None
    case_cell: str | None = None
    derived: bool = False


class IndicatorYear(BaseModel):
    """An indicator's figure in one year against the path to the target.

    ``index`` and ``path_index``: baseline = 100. ``gap_points`` = index − path
    (negative: behind); ``gap_percent`` = how far the figure lies from the path's
    value, in percent of the path's value. ``needed_per_year``: the change in the
    figure needed each remaining year to reach the target from this year's
    figure (``None`` in or after the target year).
    """

    model_config = ConfigDict(frozen=True)

    year: int
    value: int
    index: float
    path_index: float
    path_value: float
    on_track: bool
    gap_points: float
    gap_percent: float
    needed_per_year: float | None
    needed_points_per_year: float | None
    data_source: str = ""


class IndicatorFollowUp(BaseModel):
    """One measured goal's follow-up: baseline, target, each year with a figure, the latest year.

    ``baseline`` is ``None`` when the baseline year has no figure (then no year
    can be indexed and ``years`` is empty); ``latest`` is the last year with a figure.
    """

    key: str
    name: str
    text: str
    unit: str
    baseline_year: int
    baseline_source: str
    baseline: int | None
    target_year: int
    target_change: float
    target_value: float | None
    years: list[IndicatorYear]
    missing_years: list[int]

    @property
    def latest(self) -> IndicatorYear | None:
        """The last year with a figure, ``None`` when none can be indexed."""
        return self.years[-1] if self.years else None


class ActivityYear(BaseModel):
    """An activity goal in one year: activities done against the goal (``met``)."""

    year: int
    done: int
    min_per_year: int
    max_per_year: int | None
    met: bool
    activities: list[str]

    @property
    def has_target(self) -> bool:
        """Whether the year has a target to meet (a goal of "opfølgning" only, 0 and no maximum, has none)."""
        return self.min_per_year > 0 or self.max_per_year is not None


class ActivityFollowUp(BaseModel):
    """One activity goal's follow-up, one entry per year of its period up to the follow-up year."""

    key: str
    area: str
    kind: str
    text: str
    years: list[ActivityYear]


class FollowUp(BaseModel):
    """The whole follow-up of a pact's goals for ``year`` (the last year looked at)."""

    pact: str
    year: int | None
    indicators: list[IndicatorFollowUp]
    activities: list[ActivityFollowUp]
    issues: list[Issue]


def follow_up(
    pact: Pact,
    figures: list[IndicatorFigure],
    activities: list[Activity],
    overview: Any = None,
    *,
    year: int | None = None,
) -> FollowUp:
    """The follow-up of every goal of ``pact`` up to ``year``.

    ``overview`` is the validated applications table (a DataFrame) or ``None``
    when none was given: then nothing is derived from it and case numbers are
    not checked. ``year`` ``None``: the last year any figure or activity has.
    Returns the follow-up and its issues (missing baseline, missing years,
    case numbers the overview does not know).
    """
    issues: list[Issue] = []
    known_cases, derived = _from_overview(pact, overview)
    if overview is not None:
        for a in activities:
            if a.case_id is not None and case_key(a.case_id) not in known_cases and a.source is not None:
                issues.append(
                    Issue.at(
                        IssueCode.GOAL_UNKNOWN_CASE,
                        Severity.ERROR,
                        f"sagsnummeret {a.case_id} findes ikke i oversigten; ret nummeret eller tilføj projektet",
                        file=a.source.file,
                        sheet=a.source.sheet,
                        cell=a.case_cell,
                        value=a.case_id,
                    )
                )
    all_activities = _dedupe([*activities, *derived])
    if year is None:
        years = [f.year for f in figures] + [a.year for a in all_activities]
        year = max(years) if years else None
    indicators = []
    for goal in pact.goals.measured:
        own = [f for f in figures if f.indicator == goal.key and (year is None or f.year <= year)]
        indicator, found = _indicator(goal, own, figures)
        indicators.append(indicator)
        issues.extend(found)
    activity_goals = [_activity_goal(pact, g, all_activities, year) for g in pact.goals.activities]
    return FollowUp(pact=pact.key, year=year, indicators=indicators, activities=activity_goals, issues=issues)


def _from_overview(pact: Pact, overview: Any) -> tuple[set[str], list[Activity]]:
    """Case numbers in the overview, and the activities its granted applications count as."""
    if overview is None or len(overview) == 0:
        return set(), []
    import pandas as pd

    from pagt_xl.base.model import Decision
    from pagt_xl.core.figures import counted_rows

    cases = {case_key(c) for c in overview["case_id"].dropna() if str(c)} if "case_id" in overview else set()
    derived: list[Activity] = []
    counted = overview[counted_rows(overview)]  # the rows every figure counts (pagt_xl.core.figures)
    for goal in pact.goals.activities:
        if not goal.derive_themes and not goal.derive_project_types:
            continue
        for r in counted.to_dict(orient="records"):
            if r.get("decision") != Decision.GRANTED:
                continue
            if r.get("theme") not in goal.derive_themes and r.get("project_type") not in goal.derive_project_types:
                continue
            case = None if pd.isna(r.get("case_id")) else r.get("case_id")
            derived.append(
                Activity(
                    source=None,
                    date=None,
                    year=int(r["year"]),
                    area=goal.area,
                    kind=goal.kind,
                    description=str(r.get("title") or ""),
                    case_id=str(case) if case else None,
                    derived=True,
                )
            )
    return cases, derived


def _dedupe(activities: list[Activity]) -> list[Activity]:
    """One activity per kind and case number; sheet rows first, so a typed row wins over a derived one."""
    seen: set[tuple[str, str]] = set()
    out: list[Activity] = []
    for a in sorted(activities, key=lambda a: a.derived):
        if a.case_id is not None:
            if (a.kind, case_key(a.case_id)) in seen:
                continue
            seen.add((a.kind, case_key(a.case_id)))
        out.append(a)
    return out


def path_index(goal: MeasuredGoal, year: int) -> Fraction:
    """The straight-line path's index in ``year``: 100 in the baseline year, 100 × (1 + change) in the target year."""
    change = Fraction(str(goal.target_change))
    return 100 + 100 * change * Fraction(year - goal.baseline_year, goal.target_year - goal.baseline_year)


def _indicator(
    goal: MeasuredGoal, own: list[IndicatorFigure], every: list[IndicatorFigure]
) -> tuple[IndicatorFollowUp, list[Issue]]:
    issues: list[Issue] = []
    by_year = {f.year: f for f in own}
    base = by_year.get(goal.baseline_year)
    files = sorted({(f.source.file, f.source.sheet) for f in every}) or [(None, None)]
    if base is None or base.value == 0:
        file, sheet = files[0]
        why = "mangler" if base is None else "er 0"
        if every:  # no figures at all (an empty form, activities only): nothing to follow yet, no fault
            issues.append(
                Issue.at(
                    IssueCode.GOAL_BASELINE_MISSING,
                    Severity.ERROR,
                    f"basisåret {goal.baseline_year} {why} for indikatoren '{goal.name}'; "
                    "tilføj en række med basisårets tal, ellers kan målet ikke følges",
                    file=file,
                    sheet=sheet,
                )
            )
        return _indicator_result(goal, baseline=None, target_value=None, years=[], missing_years=[]), issues
    baseline = Fraction(base.value)
    change = Fraction(str(goal.target_change))
    target_value = baseline * (1 + change)
    latest = max(by_year)
    missing = [y for y in range(goal.baseline_year, latest + 1) if y not in by_year]
    for y in missing:
        issues.append(
            Issue.at(
                IssueCode.GOAL_YEAR_MISSING,
                Severity.WARNING,
                f"indikatoren '{goal.name}' mangler tal for {y} (der er tal før og efter)",
                file=base.source.file,
                sheet=base.source.sheet,
            )
        )
    years = []
    for y in sorted(by_year):
        if y < goal.baseline_year:
            continue
        fig = by_year[y]
        index = 100 * Fraction(fig.value) / baseline
        path = path_index(goal, y)
        path_value = baseline * path / 100
        left = goal.target_year - y
        needed = (target_value - fig.value) / left if left > 0 else None
        years.append(
            IndicatorYear(
                year=y,
                value=fig.value,
                index=float(index),
                path_index=float(path),
                path_value=float(path_value),
                on_track=index >= path,
                gap_points=float(index - path),
                gap_percent=float(100 * (fig.value - path_value) / path_value),
                needed_per_year=None if needed is None else float(needed),
                needed_points_per_year=None if needed is None else float(100 * needed / baseline),
                data_source=fig.data_source,
            )
        )
    result = _indicator_result(
        goal, baseline=base.value, target_value=float(target_value), years=years, missing_years=missing
    )
    return result, issues


def _indicator_result(goal: MeasuredGoal, **followed: Any) -> IndicatorFollowUp:
    """An indicator's follow-up: the goal as the pact states it, and what was ``followed`` (baseline, years ...)."""
    return IndicatorFollowUp(
        key=goal.key,
        name=goal.name,
        text=goal.text,
        unit=goal.unit,
        baseline_year=goal.baseline_year,
        baseline_source=goal.baseline_source,
        target_year=goal.target_year,
        target_change=goal.target_change,
        **followed,
    )


def _activity_goal(pact: Pact, goal: ActivityGoal, activities: list[Activity], year: int | None) -> ActivityFollowUp:
    area = next(a.name for a in pact.goals.areas if a.key == goal.area)
    kind = next(k.name for k in pact.goals.kinds if k.key == goal.kind)
    last = goal.last_year if year is None else min(goal.last_year, year)
    years = []
    for y in range(goal.first_year, last + 1):
        done = [a for a in activities if a.kind == goal.kind and a.year == y]
        n = len(done)
        met = n >= goal.min_per_year and (goal.max_per_year is None or n <= goal.max_per_year)
        labels = [a.description + (f" ({a.case_id})" if a.case_id else "") for a in done]
        years.append(
            ActivityYear(
                year=y,
                done=n,
                min_per_year=goal.min_per_year,
                max_per_year=goal.max_per_year,
                met=met,
                activities=labels,
            )
        )
    return ActivityFollowUp(key=goal.key, area=area, kind=kind, text=goal.text, years=years)


# -- presentation helpers (plain text and flat rows; the adapters print or write them) --
def status_text(y: IndicatorYear) -> str:
    """ "på sporet" or "bagud", with the gap in index points and percent (Danish)."""
    gap = f"{format_decimal(y.gap_points, sign=True)} point ({format_decimal(y.gap_percent, sign=True)} %)"
    return f"på sporet, {gap}" if y.on_track else f"bagud, {gap}"


def activity_target_text(y: ActivityYear) -> str:
    """ "mindst 1", "1-2" or "frivillig" (no lower bound) for an activity goal's yearly target."""
    if y.max_per_year is not None:
        return f"{y.min_per_year}-{y.max_per_year}"
    return f"mindst {y.min_per_year}" if y.min_per_year else "opfølgning"


def follow_up_rows(result: FollowUp) -> list[dict[str, object]]:
    """One flat row per indicator year and per activity goal year (for CSV, JSON and sheets)."""
    rows: list[dict[str, object]] = []
    for ind in result.indicators:
        for y in ind.years:
            rows.append({
                "type": "indikator", "goal": ind.key, "name": ind.name, "year": y.year, "value": y.value,
                "index": round(y.index, 2), "path_index": round(y.path_index, 2), "path_value": round(y.path_value, 1),
                "on_track": y.on_track, "gap_points": round(y.gap_points, 2), "gap_percent": round(y.gap_percent, 2),
                "needed_per_year": None if y.needed_per_year is None else round(y.needed_per_year, 1),
                "target": None, "met": None, "source": y.data_source,
            })  # fmt: skip
    for act in result.activities:
        for a in act.years:
            rows.append({
                "type": "aktivitet", "goal": act.key, "name": f"{act.area}: {act.kind}", "year": a.year,
                "value": a.done, "index": None, "path_index": None, "path_value": None, "on_track": None,
                "gap_points": None, "gap_percent": None, "needed_per_year": None,
                "target": activity_target_text(a), "met": a.met if a.has_target else None,
                "source": "; ".join(a.activities),
            })  # fmt: skip
    return rows
