"""Charts for the report draft: matplotlib PNGs with Danish labels and number formats.

Deterministic: same data → same bytes (no timestamps in the PNG metadata), so
each distinct figure is drawn once per process and its PNG kept (keyed by the
figure's data, not by the objects that carry it).

Sizes: figures are drawn at the width they get in the draft (:data:`WIDTH_INCHES`, the
text width) at :data:`DPI`, and every text is at least :data:`FONT_SIZE` points, so no
label comes out smaller than 80 % of the body text (10,5 pt) once placed in Word.
"""

from __future__ import annotations

import functools
import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display; must come before pyplot

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pagt_xl.base.danish import format_millions, format_number, format_share
from pagt_xl.core.breakdown import Breakdown, YearTable

_COLOURS = ("#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#548235", "#7f6000", "#7030a0", "#bf9000", "#595959")
DPI = 200
#: the drawing width in inches: 155 mm, the text width of the template
WIDTH_INCHES = 155 / 25.4
#: the smallest font in a chart (points); the body text is 10,5 pt
FONT_SIZE = 9
_DPI = DPI

#: Charts drawn per process and kept (PNG bytes, keyed by the figure's data): a report drawn again from the same
#: figures (the button pressed twice, a scheduled run, the theme chart of each year's report) costs no drawing.
_CACHED_CHARTS = 64


def _millions(value: float, _pos: object = None) -> str:
    """An axis tick in millions, one decimal: ``6_000_000`` → ``"6,0"``.

    matplotlib places a tick at a float; it is whole kroner (the axis is in kroner) and is formatted as a
    million the one Danish way (:func:`pagt_xl.base.danish.format_millions`), never by float formatting.
    """
    return format_millions(round(value), 1, unit=False)


def _kroner_ticks() -> MaxNLocator:
    """Ticks of an axis in kroner where matplotlib's default puts them, but on whole kroner."""
    return MaxNLocator(nbins="auto", steps=[1, 2, 2.5, 5, 10], integer=True)


def _count(value: float, _pos: object = None) -> str:
    """An axis tick of a count: a whole number with a thousands dot (the locator puts ticks on whole numbers)."""
    return format_number(round(value))


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def share_chart(b: Breakdown, key: str, title: str) -> bytes | None:
    """Horizontal bars of the amount granted per label (mio. kr.), with the share printed; ``None`` if empty."""
    rows = [r for r in b.rows if r["granted"] > 0]
    if not rows:
        return None
    return _share_png(
        tuple(str(r[key]) for r in rows),
        tuple(int(r["granted"]) for r in rows),
        tuple(int(r["percent"]) for r in rows),
        title,
    )


@functools.lru_cache(maxsize=_CACHED_CHARTS)
def _share_png(names: tuple[str, ...], granted: tuple[int, ...], percents: tuple[int, ...], title: str) -> bytes:
    labels = ["\n".join(textwrap.wrap(name, 30)) for name in names][::-1]
    values = list(granted)[::-1]
    shares = list(percents)[::-1]
    fig, ax = plt.subplots(figsize=(WIDTH_INCHES, 0.5 * len(names) + 1.3), layout="constrained")
    bars = ax.barh(labels, values, color=[_COLOURS[i % len(_COLOURS)] for i in range(len(names))][::-1])
    for bar, value, share in zip(bars, values, shares, strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f"  {format_millions(value)} ({format_share(share)})",
            va="center",
            fontsize=FONT_SIZE,
        )
    ax.xaxis.set_major_locator(_kroner_ticks())
    ax.xaxis.set_major_formatter(FuncFormatter(_millions))
    ax.set_xlabel("Støttebeløb (mio. kr.)", fontsize=FONT_SIZE)
    ax.set_xlim(0, max(values) * 1.45)
    ax.set_title(title, fontsize=FONT_SIZE + 1, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=FONT_SIZE)
    return _png(fig)


def year_chart(years: YearTable) -> bytes | None:
    """Bars of the amount granted per year, with the year's framework as a marker; ``None`` if empty."""
    rows = years.rows
    if not rows:
        return None
    parts = [(f"round_{k}", name) for k, name in years.rounds]
    if any(r.get("round_none") for r in rows):
        parts.append(("round_none", "Uden runde"))
    if not parts:
        parts = [("granted", "Bevilget")]
    return _year_png(
        tuple(str(r["year"]) for r in rows),
        tuple((name, tuple(int(r.get(col) or 0) for r in rows)) for col, name in parts),
        tuple(r["framework"] for r in rows),
    )


@functools.lru_cache(maxsize=_CACHED_CHARTS)
def _year_png(
    labels: tuple[str, ...], parts: tuple[tuple[str, tuple[int, ...]], ...], frameworks: tuple[int | None, ...]
) -> bytes:
    fig, ax = plt.subplots(figsize=(WIDTH_INCHES, 3.4), layout="constrained")
    bottom = [0] * len(labels)
    for i, (name, values) in enumerate(parts):
        ax.bar(labels, values, bottom=bottom, label=name, color=_COLOURS[i % len(_COLOURS)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    fw = [(label, v) for label, v in zip(labels, frameworks, strict=True) if v is not None]
    if fw:
        ax.scatter([x for x, _ in fw], [v for _, v in fw], marker="_", s=900, color="#c00000", label="Ramme", zorder=3)
    ax.yaxis.set_major_locator(_kroner_ticks())
    ax.yaxis.set_major_formatter(FuncFormatter(_millions))
    ax.set_ylabel("mio. kr.", fontsize=FONT_SIZE)
    ax.set_title("Bevilget pr. år og økonomisk ramme" if fw else "Bevilget pr. år", fontsize=FONT_SIZE + 1, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=FONT_SIZE)
    ax.legend(
        fontsize=FONT_SIZE, frameon=False, ncol=min(4, len(parts) + 1), loc="upper center", bbox_to_anchor=(0.5, -0.12)
    )
    return _png(fig)


def count_chart(rows: list[tuple[str, int]], title: str, xlabel: str = "Antal projekter") -> bytes | None:
    """Horizontal bars of a count per label (partner types, target groups, instruments); ``None`` if empty."""
    kept = tuple((str(label), int(n)) for label, n in rows if n > 0)
    if not kept:
        return None
    return _count_png(kept, title, xlabel)


@functools.lru_cache(maxsize=_CACHED_CHARTS)
def _count_png(rows: tuple[tuple[str, int], ...], title: str, xlabel: str) -> bytes:
    labels = ["\n".join(textwrap.wrap(label, 34)) for label, _ in rows][::-1]
    values = [n for _, n in rows][::-1]
    fig, ax = plt.subplots(figsize=(WIDTH_INCHES, 0.42 * len(rows) + 1.2), layout="constrained")
    bars = ax.barh(labels, values, color=_COLOURS[0])
    for bar, value in zip(bars, values, strict=True):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f"  {format_number(value)}",
                va="center", fontsize=FONT_SIZE)  # fmt: skip
    ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    ax.set_xlim(0, max(values) * 1.2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: whole ticks only
    ax.xaxis.set_major_formatter(FuncFormatter(_count))
    # a figure title, so a long one starts at the figure's edge instead of running off the right side
    fig.suptitle(title, fontsize=FONT_SIZE + 1, x=0.01, ha="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=FONT_SIZE)
    return _png(fig)
