"""Charts for the report draft: matplotlib PNGs with Danish labels and number formats.

Deterministic: same data → same bytes (no timestamps in the PNG metadata), so
each distinct figure is drawn once per process and its PNG kept (keyed by the
figure's data, not by the objects that carry it).

Sizes: figures are drawn at the width they get in the draft (:data:`WIDTH_INCHES`, the
text width) at :data:`DPI`, and every text is at least :data:`FONT_SIZE` points, so no
label comes out smaller than 80 % of the body text (10,5 pt) once placed in Word.

Nothing is clipped: before a figure is saved, :func:`fit_inside` measures every text it will
draw (bar labels, ticks, axis titles, legends) with the renderer and widens the axis, or wraps a
title, until all of them lie inside the figure. :func:`texts_outside` is that measurement.
"""

from __future__ import annotations

import functools
import io
import textwrap
from typing import Any

import matplotlib

matplotlib.use("Agg")  # no display; must come before pyplot

import matplotlib.pyplot as plt
from matplotlib.text import Text
from matplotlib.ticker import FuncFormatter, MaxNLocator

from pagt_xl.base.figures import format_millions, format_share
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
    """An axis tick in millions, one decimal: ``6_000_000`` → ``"6,0"``."""
    return f"{value / 1_000_000:.1f}".replace(".", ",")


#: characters of a title or axis label on one line of the chart's width (at FONT_SIZE + 1 in DejaVu Sans)
TITLE_CHARACTERS = 72


def wrap_title(text: str) -> str:
    """A title or axis label broken into lines that fit the chart's width (a long theme name in a title)."""
    return "\n".join(textwrap.wrap(" ".join(text.split()), TITLE_CHARACTERS)) or text


def _height(labels: list[str], per_bar: float, extra: float) -> float:
    """A bar chart's height in inches: room per bar, and per line of a label wrapped over several lines."""
    lines = sum(label.count("\n") + 1 for label in labels)
    return max(per_bar * len(labels), FONT_SIZE * 1.45 / 72 * lines) + extra


def drawn_texts(fig: Any) -> list[Text]:
    """The texts a figure draws: visible, not empty, tick labels only where their tick is inside the view."""
    hidden: set[int] = set()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            lo, hi = sorted(axis.get_view_interval())
            span = (hi - lo) or 1.0
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - span * 1e-9 <= tick.get_loc() <= hi + span * 1e-9:
                    hidden.update({id(tick.label1), id(tick.label2)})
    return [t for t in fig.findobj(Text) if id(t) not in hidden and t.get_visible() and t.get_text().strip()
            and (t.axes is None or t.axes.get_visible())]  # fmt: skip


def texts_outside(fig: Any) -> list[str]:
    """The texts of ``fig`` that would be clipped: any part outside the figure (measured by the renderer)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    out = []
    for t in drawn_texts(fig):
        e = t.get_window_extent(renderer)
        if e.x0 < box.x0 - 0.5 or e.x1 > box.x1 + 0.5 or e.y0 < box.y0 - 0.5 or e.y1 > box.y1 + 0.5:
            out.append(t.get_text())
    return out


def fit_inside(fig: Any, rounds: int = 8) -> None:
    """Widen the value axis of bar charts, or wrap a title, until no text of ``fig`` is clipped.

    A bar's value label (a text in the axes, kept out of the layout so the layout never collapses)
    that runs past the figure's right edge makes the axis longer by just what it needs; a label that
    cannot fit beyond its bar is put inside the bar's end, in white.
    """
    for _ in range(rounds):
        fig.canvas.draw()
        renderer = fig.canvas.get_renderer()
        box = fig.bbox
        moved = False
        for t in drawn_texts(fig):
            e = t.get_window_extent(renderer)
            if e.x1 <= box.x1 + 0.5 and e.x0 >= box.x0 - 0.5:
                continue
            ax = t.axes
            if ax is not None and t in ax.texts:
                lo, hi = ax.get_xlim()
                width = ax.get_window_extent(renderer).width
                at = (t.get_position()[0] - lo) / (hi - lo) * width  # the label's start, in pixels from the axis
                room = at - (e.x1 - box.x1) - 4  # where its start must move to
                if room > width * 0.2 and at > 0:
                    ax.set_xlim(lo, lo + (hi - lo) * at / room)
                else:  # no room beyond the bar: inside its end
                    t.set_text(t.get_text().strip() + "  ")
                    t.set_horizontalalignment("right")
                    t.set_color("white")
                moved = True
            elif max(len(line) for line in t.get_text().split("\n")) > 12:  # a title or axis label: wrap it
                longest = max(len(line) for line in t.get_text().split("\n"))
                t.set_text("\n".join(textwrap.wrap(t.get_text().replace("\n", " "), max(12, int(longest * 0.8)))))
                moved = True
        if not moved:
            return


def _png(fig: plt.Figure) -> bytes:
    fit_inside(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def share_chart(b: Breakdown, key: str, title: str) -> bytes | None:
    """Horizontal bars of the amount granted per label (mio. kr.), with the share printed; ``None`` if empty."""
    rows = [(str(r[key]), int(r["granted"]), format_share(int(r["percent"]))) for r in b.rows if r["granted"] > 0]
    return share_rows_chart(rows, title)


def share_rows_chart(rows: list[tuple[str, int, str]], title: str, grey: frozenset[str] = frozenset()) -> bytes | None:
    """Bars of (label, kroner, share as printed) rows; labels in ``grey`` (funding channels) drawn grey."""
    kept = tuple((label, kroner, share) for label, kroner, share in rows if kroner > 0)
    if not kept:
        return None
    return _share_png(kept, title, tuple(sorted(grey)))


@functools.lru_cache(maxsize=_CACHED_CHARTS)
def _share_png(rows: tuple[tuple[str, int, str], ...], title: str, grey: tuple[str, ...] = ()) -> bytes:
    return _png(share_figure(rows, title, grey))


def share_figure(rows: tuple[tuple[str, int, str], ...], title: str, grey: tuple[str, ...] = ()) -> Any:
    """The figure of :func:`share_rows_chart` (not yet fitted or saved)."""
    names = [r[0] for r in rows]
    labels = ["\n".join(textwrap.wrap(name, 30)) for name in names][::-1]
    values = [r[1] for r in rows][::-1]
    shares = [r[2] for r in rows][::-1]
    colours = ["#a6a6a6" if name in grey else _COLOURS[i % len(_COLOURS)] for i, name in enumerate(names)][::-1]
    fig, ax = plt.subplots(figsize=(WIDTH_INCHES, _height(labels, 0.5, 1.3)), layout="constrained")
    bars = ax.barh(labels, values, color=colours)
    for bar, value, share in zip(bars, values, shares, strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f"  {format_millions(value)} mio. kr. ({share})",
            va="center",
            fontsize=FONT_SIZE,
            in_layout=False,  # measured and fitted by fit_inside: the layout never collapses around it
        )
    ax.xaxis.set_major_formatter(FuncFormatter(_millions))
    ax.set_xlabel("Støttebeløb (mio. kr.)", fontsize=FONT_SIZE)
    ax.set_xlim(0, max(values) * 1.45)
    # a figure title, so a long one starts at the figure's edge instead of running off the right side
    fig.suptitle(wrap_title(title), fontsize=FONT_SIZE + 1, x=0.01, ha="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=FONT_SIZE)
    return fig


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
    return _png(year_figure(labels, parts, frameworks))


def year_figure(
    labels: tuple[str, ...], parts: tuple[tuple[str, tuple[int, ...]], ...], frameworks: tuple[int | None, ...]
) -> Any:
    """The figure of :func:`year_chart` (not yet fitted or saved)."""
    fig, ax = plt.subplots(figsize=(WIDTH_INCHES, 3.4), layout="constrained")
    bottom = [0] * len(labels)
    for i, (name, values) in enumerate(parts):
        ax.bar(labels, values, bottom=bottom, label=name, color=_COLOURS[i % len(_COLOURS)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    fw = [(label, v) for label, v in zip(labels, frameworks, strict=True) if v is not None]
    if fw:
        ax.scatter([x for x, _ in fw], [v for _, v in fw], marker="_", s=900, color="#c00000", label="Ramme", zorder=3)
    ax.yaxis.set_major_formatter(FuncFormatter(_millions))
    ax.set_ylabel("mio. kr.", fontsize=FONT_SIZE)
    ax.set_title("Bevilget pr. år og økonomisk ramme" if fw else "Bevilget pr. år", fontsize=FONT_SIZE + 1, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=FONT_SIZE)
    ax.legend(
        fontsize=FONT_SIZE, frameon=False, ncol=min(4, len(parts) + 1), loc="upper center", bbox_to_anchor=(0.5, -0.12)
    )
    return fig


def count_chart(rows: list[tuple[str, int]], title: str, xlabel: str = "Antal projekter") -> bytes | None:
    """Horizontal bars of a count per label (partner types, target groups, instruments); ``None`` if empty."""
    kept = tuple((str(label), int(n)) for label, n in rows if n > 0)
    if not kept:
        return None
    return _count_png(kept, title, xlabel)


@functools.lru_cache(maxsize=_CACHED_CHARTS)
def _count_png(rows: tuple[tuple[str, int], ...], title: str, xlabel: str) -> bytes:
    return _png(count_figure(rows, title, xlabel))


def count_figure(rows: tuple[tuple[str, int], ...], title: str, xlabel: str) -> Any:
    """The figure of :func:`count_chart` (not yet fitted or saved)."""
    labels = ["\n".join(textwrap.wrap(label, 34)) for label, _ in rows][::-1]
    values = [n for _, n in rows][::-1]
    fig, ax = plt.subplots(figsize=(WIDTH_INCHES, _height(labels, 0.42, 1.2)), layout="constrained")
    bars = ax.barh(labels, values, color=_COLOURS[0])
    for bar, value in zip(bars, values, strict=True):
        ax.text(bar.get_width(), bar.get_y() + bar.get_height() / 2, f"  {value:,}".replace(",", "."),
                va="center", fontsize=FONT_SIZE, in_layout=False)  # fmt: skip
    ax.set_xlabel(wrap_title(xlabel), fontsize=FONT_SIZE)
    ax.set_xlim(0, max(values) * 1.2)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # counts: whole ticks only
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _p: f"{v:,.0f}".replace(",", ".")))
    # a figure title, so a long one starts at the figure's edge instead of running off the right side
    fig.suptitle(wrap_title(title), fontsize=FONT_SIZE + 1, x=0.01, ha="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=FONT_SIZE)
    return fig
