"""The goal workbooks the secretariat keeps: a Målopfølgning sheet and an Aktiviteter sheet.

Both are found by their header rows, wherever they sit and whatever the sheet
is called, so they may be two sheets of one workbook (the shipped form) or two
workbooks. Målopfølgning: År | Indikator | Antal | Kilde | Note, one row per
indicator and year. Aktiviteter: Dato | Indsatsområde | Aktivitet |
Beskrivelse | Sagsnr. Header spellings come from ``[goals.headers]`` in the pact.
Every fault is an issue at its cell; blank rows are skipped.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TypeVar

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import DanishParseError, parse_date, parse_year
from pagt_xl.base.model import CellProblem, Issue, IssueCode, Severity, SourceRef, column_letter
from pagt_xl.core.goals import Activity, IndicatorFigure
from pagt_xl.core.tables import ColumnMap
from pagt_xl.ingest.grid import Grid
from pagt_xl.ingest.headers import alias_index, find_header

T = TypeVar("T")

FIGURE_FIELDS = ("year", "indicator", "value", "source", "note")
ACTIVITY_FIELDS = ("date", "area", "kind", "description", "case_id")
_COUNT = re.compile(r"^-?\d{1,3}(?:\.\d{3})+(?:,0+)?$|^-?\d+(?:,0+)?$")


@dataclass
class GoalData:
    """What the goal workbooks hold: indicator figures, activities, every issue, the sheets read."""

    figures: list[IndicatorFigure] = field(default_factory=list)
    activities: list[Activity] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    sheets: list[tuple[str, str, str]] = field(default_factory=list)  # file, sheet, "figures"/"activities"


def _index(pact: Pact, fields: tuple[str, ...]) -> dict[str, str]:
    return alias_index({f: pact.goals.headers.get(f, []) for f in fields})


def read_goal_grids(books: list[tuple[str, list[Grid]]], pact: Pact) -> GoalData:
    """Figures and activities from every sheet of every book that has a Målopfølgning or Aktiviteter header.

    A book with neither is reported (``goal_sheet_not_found``) for the whole file.
    """
    data = GoalData()
    fig_index, act_index = _index(pact, FIGURE_FIELDS), _index(pact, ACTIVITY_FIELDS)
    for name, grids in books:
        found = False
        for grid in grids:
            cmap = find_header(grid.rows, fig_index, {"value"})
            if cmap is not None and {"year", "indicator", "value"} <= set(cmap.fields):
                found = True
                data.sheets.append((name, grid.sheet, "figures"))
                _read_figures(grid, cmap, pact, data)
                continue
            cmap = find_header(grid.rows, act_index, {"kind"})
            if cmap is not None and {"date", "kind"} <= set(cmap.fields):
                found = True
                data.sheets.append((name, grid.sheet, "activities"))
                _read_activities(grid, cmap, pact, data)
        if not found:
            data.issues.append(
                Issue.at(
                    IssueCode.GOAL_SHEET_NOT_FOUND,
                    Severity.ERROR,
                    f"{name}: ingen ark med overskrifterne År, Indikator, Antal (Målopfølgning) eller "
                    "Dato, Aktivitet (Aktiviteter); brug skabelonen i pagt_xl/templates/maalopfoelgning.xlsx",
                    file=name,
                )
            )
    return data


def _cell(cells: list[object], j: int | None) -> object:
    if j is None:
        return ""
    return cells[j] if j < len(cells) else ""


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, CellProblem) else str(value).strip()


def _blank(cells: list[object], cmap: ColumnMap) -> bool:
    return all(_cell(cells, j) in ("", None) for j in cmap.fields.values())


def parse_count(value: object) -> int | None:
    """A whole, non-negative count from a number or Danish text ("1.234", "1234", "1.234,0"); ``None`` if empty.

    Raises :class:`DanishParseError` for anything else (decimals, words, negative numbers).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool | CellProblem):
        raise DanishParseError(f"'{value}' er ikke et antal; forventede et helt tal, fx 1.234")
    number: Decimal
    if isinstance(value, int | float):
        if isinstance(value, float) and (value != value or value in (float("inf"), float("-inf"))):
            raise DanishParseError(f"'{value}' er ikke et antal; forventede et helt tal, fx 1.234")
        number = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    else:
        text = str(value).strip().replace("\u00a0", "").replace(" ", "")
        if not _COUNT.match(text):
            raise DanishParseError(f"'{value}' er ikke et antal; forventede et helt tal, fx 1.234")
        try:
            number = Decimal(text.replace(".", "").replace(",", "."))
        except InvalidOperation:
            raise DanishParseError(f"'{value}' er ikke et antal; forventede et helt tal, fx 1.234") from None
    if number != number.to_integral_value():
        raise DanishParseError(f"'{value}' er ikke et helt antal")
    if number < 0:
        raise DanishParseError(f"'{value}' er negativt; et antal kan ikke være negativt")
    return int(number)


def _read_figures(grid: Grid, cmap: ColumnMap, pact: Pact, data: GoalData) -> None:
    f = cmap.fields
    seen: dict[tuple[str, int], int] = {}
    for i in range(cmap.header_row + 1, len(grid.rows)):
        cells, row_no = grid.rows[i], i + 1
        if _blank(cells, cmap):
            continue
        bad = len(data.issues)
        raw_year, raw_ind, raw_value = _cell(cells, f["year"]), _cell(cells, f["indicator"]), _cell(cells, f["value"])
        year = _required(parse_year, raw_year, "året", grid, f["year"], row_no, data)
        key = pact.goals.indicator_matcher.match(_text(raw_ind)).key if _text(raw_ind) else None
        if key is None:
            known = ", ".join(g.name for g in pact.goals.measured) or "ingen (pagten har ingen målte mål)"
            data.issues.append(
                _issue(
                    grid,
                    IssueCode.GOAL_UNKNOWN_INDICATOR,
                    f"ukendt indikator '{_text(raw_ind)}'; kendte: {known}",
                    f["indicator"],
                    row_no,
                    raw_ind,
                )
            )
        value = _required(parse_count, raw_value, "tallet", grid, f["value"], row_no, data)
        if len(data.issues) > bad or year is None or key is None or value is None:
            continue
        if (key, year) in seen:
            data.issues.append(
                _issue(
                    grid,
                    IssueCode.GOAL_DUPLICATE_FIGURE,
                    f"indikatoren har allerede et tal for {year} (række {seen[key, year]}); det første bruges",
                    f["year"],
                    row_no,
                    raw_year,
                )
            )
            continue
        seen[key, year] = row_no
        data.figures.append(
            IndicatorFigure(
                source=SourceRef(file=grid.file, sheet=grid.sheet, row=row_no),
                indicator=key,
                year=year,
                value=value,
                data_source=_text(_cell(cells, f.get("source"))),
                note=_text(_cell(cells, f.get("note"))),
                cell=f"{column_letter(f['value'])}{row_no}",
            )
        )


def _read_activities(grid: Grid, cmap: ColumnMap, pact: Pact, data: GoalData) -> None:
    f = cmap.fields
    goals = pact.goals
    for i in range(cmap.header_row + 1, len(grid.rows)):
        cells, row_no = grid.rows[i], i + 1
        if _blank(cells, cmap):
            continue
        bad = len(data.issues)
        raw_date = _cell(cells, f["date"])
        date = _required(parse_date, raw_date, "datoen", grid, f["date"], row_no, data)
        raw_kind = _cell(cells, f["kind"])
        kind = goals.kind_matcher.match(_text(raw_kind)).key if _text(raw_kind) else None
        if kind is None:
            known = ", ".join(k.name for k in goals.kinds)
            data.issues.append(
                _issue(
                    grid,
                    IssueCode.GOAL_UNKNOWN_KIND,
                    f"ukendt aktivitet '{_text(raw_kind)}'; kendte: {known}",
                    f["kind"],
                    row_no,
                    raw_kind,
                )
            )
        area = None
        raw_area = _cell(cells, f.get("area"))
        if _text(raw_area):
            area = goals.area_matcher.match(_text(raw_area)).key
            if area is None:
                known = "; ".join(a.name for a in goals.areas) or "ingen (pagten har ingen handlingsplan)"
                data.issues.append(
                    _issue(
                        grid,
                        IssueCode.GOAL_UNKNOWN_AREA,
                        f"ukendt indsatsområde '{_text(raw_area)}'; kendte: {known}",
                        f["area"],
                        row_no,
                        raw_area,
                        Severity.WARNING,
                    )
                )
        if date is None or kind is None or any(x.severity is Severity.ERROR for x in data.issues[bad:]):
            continue
        case = _case_text(_cell(cells, f.get("case_id")))
        case_col = f.get("case_id")
        data.activities.append(
            Activity(
                source=SourceRef(file=grid.file, sheet=grid.sheet, row=row_no),
                date=date,
                year=date.year,
                area=area,
                kind=kind,
                description=_text(_cell(cells, f.get("description"))),
                case_id=case,
                case_cell=f"{column_letter(case_col)}{row_no}" if case and case_col is not None else None,
            )
        )


def _case_text(value: object) -> str | None:
    """A case number as text; an integral number read as a float loses its ".0"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _text(value)
    return text or None


def _required(
    parse: Callable[[object], T | None], raw: object, what: str, grid: Grid, col: int, row_no: int, data: GoalData
) -> T | None:
    """``parse(raw)``; an empty or unreadable cell is a ``goal_bad_value`` issue at its cell, and ``None``."""
    try:
        value = parse(raw)
        if value is None:
            raise DanishParseError(f"{what} mangler")
    except DanishParseError as exc:
        data.issues.append(_issue(grid, IssueCode.GOAL_BAD_VALUE, f"{what} kan ikke læses: {exc}", col, row_no, raw))
        return None
    return value


def _issue(
    grid: Grid, code: IssueCode, message: str, col: int, row_no: int, value: object,
    severity: Severity = Severity.ERROR,
) -> Issue:  # fmt: skip
    return grid.issue(code, severity, message, row=row_no, column=column_letter(col), value=value)
