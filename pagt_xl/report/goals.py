"""The status report's chapter "Målopfølgning" (issue 17): context fields, one chart per indicator, alt texts.

:func:`goals_chapter` turns a :class:`~pagt_xl.core.goals.FollowUp` into the chapter's
context (formatted Danish text and, for the charts, the plain series);
:func:`add_goal_charts` puts a chart per indicator into the rendering values and returns
their alt texts, which ``render_context`` sets with the other charts'.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from pagt_xl.core.goals import FollowUp, IndicatorFollowUp, activity_target_text, format_decimal, status_text

if TYPE_CHECKING:
    from pagt_xl.base.config import Pact


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class GoalYearRow(_Model):
    """One year of an indicator (all formatted)."""

    year: str = Field(description="året")
    value: str = Field(description="antal, fx '2.371'")
    index: str = Field(description="indeks (basisår = 100), fx '110,8'")
    path: str = Field(description="stiens indeks i året, fx '108,9'")
    status: str = Field(description="fx 'på sporet, +1,9 point (+1,7 %)'")


class IndicatorSection(_Model):
    """One measured goal in the chapter."""

    name: str = Field(description="indikatorens navn")
    text: str = Field(description="målet som formuleret, fx '20 pct. flere fuldfører ... i 2028'")
    summary: str = Field(description="en sætning om status i seneste år")
    needed: str = Field(description="nødvendig stigning pr. år frem til målåret ('' når ukendt)")
    source: str = Field(description="kilde til tallene")
    rows: list[GoalYearRow] = Field(description="årene med tal")
    chart: str = Field(default="", description="diagram: faktisk mod sti (indsættes ved fletning)")
    chart_alt: str = Field(description="alternativ tekst til diagrammet")
    series_years: list[int] = Field(description="år med tal (til diagrammet)")
    series_index: list[float] = Field(description="indeks pr. år (til diagrammet)")
    baseline_year: int = Field(description="basisår")
    target_year: int = Field(description="målår")
    target_index: float = Field(description="målets indeks i målåret")


class ActivityRow(_Model):
    """One activity goal in one year."""

    area: str = Field(description="handlingsplanens indsatsområde")
    kind: str = Field(description="aktivitetstype")
    year: str = Field(description="året")
    done: str = Field(description="antal udført")
    target: str = Field(description="mål pr. år, fx 'mindst 1' eller '1-2'")
    met: str = Field(description="'nået', 'ikke nået' eller '-' (opfølgning uden antal)")


class GoalsChapter(_Model):
    """The chapter "Målopfølgning": measured goals with charts, then the action-plan table.

    Every report has the chapter: without a goal follow-up (``available`` false) it lists the pact's
    goals and says, as a writing prompt, that their status is missing. Only years within the
    report's period are shown.
    """

    available: bool = Field(description="om der er indlæst en målopfølgning (ellers siger kapitlet, hvad der mangler)")
    missing: str = Field(description="skriveprompt, når der ikke er en målopfølgning ('' ellers)")
    goals: list[str] = Field(description="pagtens mål og handlingsplanens aktivitetsmål, som de er formuleret")
    until: str = Field(description="opfølgningens sidste år inden for rapportens periode, fx '2023'")
    indicators: list[IndicatorSection] = Field(description="de målte mål")
    activities: list[ActivityRow] = Field(description="handlingsplanens aktivitetsmål pr. år i rapportens periode")
    activities_summary: str = Field(description="fx '9 af 12 årsmål er nået.'")
    activities_note: str = Field(description="når handlingsplanen ligger uden for rapportens periode: hvornår den "
                                 "gælder ('' ellers)")


def pact_goals(pact: Pact) -> list[str]:
    """The pact's goals as it states them: measured goals, then the action plan's activity goals."""
    out = [g.text or g.name for g in pact.goals.measured]
    out += [f"{g.text} ({g.first_year}-{g.last_year})" for g in pact.goals.activities if g.text]
    return out


def goals_chapter(result: FollowUp | None, pact: Pact, first: int, last: int) -> GoalsChapter:
    """The chapter's context from a follow-up (``None``: none was read), kept to the years ``first``-``last``."""
    goals = pact_goals(pact)
    if result is None:
        from pagt_xl.report.text import pact_hint, prompt_text

        return GoalsChapter(
            available=False, missing=prompt_text(pact_hint(pact, "goals_missing")), goals=goals, until="",
            indicators=[], activities=[], activities_summary="", activities_note="",
        )  # fmt: skip
    sections = [_section(ind, last) for ind in result.indicators]
    rows: list[ActivityRow] = []
    counted = met = 0
    outside: list[tuple[int, int]] = []
    plan = {g.key: (g.first_year, g.last_year) for g in pact.goals.activities}
    for act in result.activities:
        in_period = [y for y in act.years if first <= y.year <= last]
        if act.years and not in_period:
            outside.append(plan.get(act.key, (act.years[0].year, act.years[-1].year)))
        for y in in_period:
            numbered = y.min_per_year > 0 or y.max_per_year is not None
            counted += numbered
            met += numbered and y.met
            rows.append(
                ActivityRow(
                    area=act.area,
                    kind=act.kind,
                    year=str(y.year),
                    done=str(y.done),
                    target=activity_target_text(y),
                    met=("nået" if y.met else "ikke nået") if numbered else "-",
                )
            )
    summary = f"{met} af {counted} årsmål med et antal er nået." if counted else ""
    until = str(min(result.year, last)) if result.year is not None else ""
    note = ""
    if outside and not rows:
        span = f"{min(a for a, _ in outside)}-{max(b for _, b in outside)}"
        period = str(first) if first == last else f"{first}-{last}"
        note = f"Handlingsplanens aktiviteter gælder {span} og ligger uden for rapportens periode ({period})."
    return GoalsChapter(available=True, missing="", goals=goals, until=until, indicators=sections, activities=rows,
                        activities_summary=summary, activities_note=note)  # fmt: skip


def _section(ind: IndicatorFollowUp, last: int) -> IndicatorSection:
    ind = ind.model_copy(update={"years": [y for y in ind.years if y.year <= last]})
    latest = ind.latest
    if ind.baseline is None or latest is None:
        summary = f"Basisårets tal ({ind.baseline_year}) mangler, så målet kan endnu ikke følges."
        needed = ""
    else:
        summary = (
            f"I {latest.year} var der {format_decimal(latest.value, 0)} {ind.unit}, indeks "
            f"{format_decimal(latest.index)} mod stiens {format_decimal(latest.path_index)}: {status_text(latest)}."
        )
        needed = (
            f"For at nå målet i {ind.target_year} skal tallet stige med {format_decimal(latest.needed_per_year, 0)} "
            f"om året ({format_decimal(latest.needed_points_per_year or 0.0)} indekspoint)."
            if latest.needed_per_year is not None
            else ""
        )
    target_index = 100 * (1 + ind.target_change)
    alt = (
        f"Linjediagram: {ind.name}, indeks (basisår {ind.baseline_year} = 100) pr. år "
        + ", ".join(f"{y.year}: {format_decimal(y.index)}" for y in ind.years)
        + f"; stiplet linje: stien til {format_decimal(target_index)} i {ind.target_year}."
    )
    return IndicatorSection(
        name=ind.name, text=ind.text or ind.name, summary=summary, needed=needed,
        source="; ".join(sorted({y.data_source for y in ind.years if y.data_source})) or ind.baseline_source,
        rows=[
            GoalYearRow(year=str(y.year), value=format_decimal(y.value, 0), index=format_decimal(y.index),
                        path=format_decimal(y.path_index), status=status_text(y))
            for y in ind.years
        ],
        chart_alt=alt, series_years=[y.year for y in ind.years], series_index=[y.index for y in ind.years],
        baseline_year=ind.baseline_year, target_year=ind.target_year, target_index=target_index,
    )  # fmt: skip


def goal_chart(section: IndicatorSection) -> bytes | None:
    """A line chart: the indicator's index per year against the straight path to the target; ``None`` without data."""
    if not section.series_years:
        return None
    from pagt_xl.report.charts import _png

    return _png(goal_figure(section))


def goal_figure(section: IndicatorSection) -> Any:
    """The figure of :func:`goal_chart` (not yet fitted or saved): laid out so the axis titles are inside."""
    from pagt_xl.report.charts import FONT_SIZE, WIDTH_INCHES, plt, wrap_title

    fig, ax = plt.subplots(figsize=(WIDTH_INCHES, 3.2), layout="constrained")
    ax.plot(section.series_years, section.series_index, marker="o", color="#1f4e79", label="Faktisk (indeks)")
    ax.plot(
        [section.baseline_year, section.target_year], [100, section.target_index],
        linestyle="--", color="#c55a11", label="Sti til målet",
    )  # fmt: skip
    ax.set_xlim(section.baseline_year - 0.5, section.target_year + 0.5)
    ax.set_xticks(range(section.baseline_year, section.target_year + 1))
    ax.yaxis.set_major_formatter(lambda v, _pos: format_decimal(v, 0))
    ax.set_ylabel(f"Indeks ({section.baseline_year} = 100)", fontsize=FONT_SIZE)
    ax.set_xlabel("År", fontsize=FONT_SIZE)
    ax.set_title(wrap_title(section.name), fontsize=FONT_SIZE + 1, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=FONT_SIZE, frameon=False, loc="upper left")
    ax.tick_params(labelsize=FONT_SIZE)
    return fig


def add_goal_charts(tpl: Any, values: dict[str, Any], chapter: GoalsChapter) -> dict[bytes, str]:
    """Put each indicator's chart into ``values["goals"]``; returns chart bytes → alt text (for render_context)."""
    from docx.shared import Mm
    from docxtpl import InlineImage

    alts: dict[bytes, str] = {}
    for item, section in zip(values["goals"]["indicators"], chapter.indicators, strict=True):
        png = goal_chart(section)
        item["chart"] = InlineImage(tpl, io.BytesIO(png), width=Mm(155)) if png else ""
        if png:
            alts[png] = section.chart_alt
    return alts
