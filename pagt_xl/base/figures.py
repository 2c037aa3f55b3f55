"""The one rounding rule for every figure shown: shares in whole percent, amounts in millions.

Every output (the report, the breakdown workbook, the command line's table/JSON/CSV,
the cell function PAGT.FORDELING) rounds a share or a million through this module,
so the same figure has the same value everywhere (the text of it is
:func:`pagt_xl.base.danish.format_share` and :func:`~pagt_xl.base.danish.format_millions`):

* **Shares** are whole percentages by the largest-remainder method, so a column adds
  up to exactly 100: each share is rounded down, and the points left over go to the
  largest remainders; equal remainders go to the row listed first. Computed once, in
  :func:`pagt_xl.core.breakdown.breakdown_by` (the rows' ``percent``), never recomputed by a writer.
* **Millions** are whole kroner divided by 1.000.000 and rounded to two decimals,
  half up (:data:`~decimal.ROUND_HALF_UP`), in exact decimal arithmetic: 2.125.000 kr.
  is 2,13 mio. kr., never 2,12 (as a float ``:.2f`` would give).

Pure and light: only the standard library, so every layer may import it.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

_CENT = Decimal("0.01")


def share_percents(values: Sequence[int], total: int = 100) -> list[int]:
    """Whole percentages proportional to ``values`` that add up to exactly ``total`` (all 0 if the sum is 0).

    Largest remainder, in integer arithmetic (no float error decides a tie): every value gets
    ``floor(value * total / sum)``, then the points left over go one each to the largest
    remainders; equal remainders go to the value listed first. A negative value (an amount the
    validation already reports as an error) counts as 0: it has no share, and never stops a run.
    """
    ints = [max(int(v), 0) for v in values]
    s = sum(ints)
    if s == 0:
        return [0] * len(ints)
    floors = [v * total // s for v in ints]
    remainders = [v * total % s for v in ints]
    left = total - sum(floors)
    for i in sorted(range(len(ints)), key=lambda i: (-remainders[i], i))[:left]:
        floors[i] += 1
    return floors


def percent_fraction(percent: int) -> float:
    """A whole percentage as the fraction a spreadsheet cell holds under a ``0 %`` format: ``19`` → ``0.19``."""
    return percent / 100


def millions(kroner: int, decimals: int = 2) -> Decimal:
    """Whole kroner in millions, rounded half up: ``2125000`` → ``Decimal("2.13")``; ``decimals=1``: ``"2.1"``."""
    step = _CENT if decimals == 2 else Decimal(1).scaleb(-decimals)
    return (Decimal(int(kroner)) / 1_000_000).quantize(step, rounding=ROUND_HALF_UP)


def whole_percent(fraction: float) -> int:
    """One ratio (not a share of a column) in whole percent, half up: ``0.845`` → ``85``; ``1.2`` → ``120``.

    For a single figure such as a year's utilisation of its framework; a column of shares uses
    :func:`share_percents` so that it adds up to 100.
    """
    return int((Decimal(repr(float(fraction))) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
