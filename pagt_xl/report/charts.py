"""Charts for the report draft: matplotlib PNGs with Danish labels and number formats.

Deterministic: same data → same bytes (no timestamps in the PNG metadata), so
each distinct figure is drawn once per process and its PNG kept (keyed by the
figure's data, not by the objects that carry it).
"""

from __future__ import annotations

import functools
import io
import textwrap

import matplotlib

matplotlib.use("Agg")  # no display; must come before pyplot

import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from pagt_xl.breakdown import Breakdown, YearTable
from pagt_xl.figures import format_millions, format_share

_COLOURS = ("#1f4e79", "#2e75b6", "#9dc3e6", "#c55a11", "#548235", "#7f6000", "#7030a0", "#bf9000", "#595959")
_DPI = 150


def _millions(value: float, _pos: object = None) -> str:
    return f"{value / 1_000_000:.1f}".replace(".", ",")


def _png(fig: plt.Figure) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=_DPI, bbox_inches="tight", metadata={"Software": None})
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
        tuple(r["percent"] for r in rows),
        title,
    )


#: Charts drawn per process and kept (PNG bytes, keyed by the figure's data): a report drawn again from the same
#: figures (the button pressed twice, a scheduled run, the theme chart of each year's report) costs no drawing.
_CACHED_CHARTS = 64


@functools.lru_cache(maxsize=_CACHED_CHARTS)
def _share_png(names: tuple[str, ...], granted: tuple[int, ...], percents: tuple[int, ...], title: str) -> bytes:
    labels = ["\n".join(textwrap.wrap(name, 38)) for name in names][::-1]
    values = list(granted)[::-1]
    shares = list(percents)[::-1]
    fig, ax = plt.subplots(figsize=(7.5, 0.55 * len(names) + 1.3))
    bars = ax.barh(labels, values, color=[_COLOURS[i % len(_COLOURS)] for i in range(len(names))][::-1])
    for bar, value, share in zip(bars, values, shares, strict=True):
        ax.text(
            bar.get_width(),
            bar.get_y() + bar.get_height() / 2,
            f"  {format_millions(value)} mio. kr. ({format_share(share)})",
            va="center",
            fontsize=8,
        )
    ax.xaxis.set_major_formatter(FuncFormatter(_millions))
    ax.set_xlabel("Støttebeløb (mio. kr.)")
    ax.set_xlim(0, max(values) * 1.45)
    ax.set_title(title, fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(axis="y", labelsize=8)
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
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    bottom = [0] * len(labels)
    for i, (name, values) in enumerate(parts):
        ax.bar(labels, values, bottom=bottom, label=name, color=_COLOURS[i % len(_COLOURS)])
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    fw = [(label, v) for label, v in zip(labels, frameworks, strict=True) if v is not None]
    if fw:
        ax.scatter([x for x, _ in fw], [v for _, v in fw], marker="_", s=900, color="#c00000", label="Ramme", zorder=3)
    ax.yaxis.set_major_formatter(FuncFormatter(_millions))
    ax.set_ylabel("mio. kr.")
    ax.set_title("Bevilget pr. år og økonomisk ramme", fontsize=10, loc="left")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(fontsize=8, frameon=False, ncol=min(4, len(parts) + 1), loc="upper center", bbox_to_anchor=(0.5, -0.12))
    return _png(fig)
