"""Pact rules over the typed applications table → issues (errors as data).

:func:`validate` never raises on bad data; it returns every issue it finds and
marks the rows that carry an error (``has_error``) so that breakdowns can be
computed from the clean rows only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from pagt_xl.config import Pact
from pagt_xl.danish import format_amount
from pagt_xl.ingest import Overview, Subtotal
from pagt_xl.ingest.grid import column_letter
from pagt_xl.model import Decision, Issue, IssueCode, Severity


class _Cells:
    """Column letters per (file, sheet, field)."""

    def __init__(self, overview: Overview) -> None:
        self._map = {(s.file, s.sheet): s.columns.fields for s in overview.sheets}

    def cell(self, file: str, sheet: str, field_name: str, row: int) -> tuple[str | None, str | None]:
        j = self._map.get((file, sheet), {}).get(field_name)
        if j is None:
            return None, None
        letter = column_letter(j)
        return f"{letter}{row}", letter


def validate(overview: Overview, pact: Pact) -> list[Issue]:
    """Apply the pact's rules; returns the new issues and updates ``overview.table['has_error']``.

    The returned list does not repeat the reading issues in ``overview.issues``.
    """
    df = overview.table
    cells = _Cells(overview)
    issues: list[Issue] = []
    error_rows: set[int] = set()

    def add(i: int, field_name: str, code: IssueCode, severity: Severity, message: str, value: object = None) -> None:
        file, sheet, row = df_file[i], df_sheet[i], int(df_row[i])
        cell, letter = cells.cell(file, sheet, field_name, row)
        issues.append(
            Issue(
                file=file,
                sheet=sheet,
                cell=cell,
                row=row,
                column=letter,
                code=code,
                severity=severity,
                message=message,
                value=None if value is None else str(value),
            )
        )
        if severity is Severity.ERROR:
            error_rows.add(i)

    reported = {(i.file, i.sheet, i.cell) for i in overview.issues if i.cell}

    def _reported(i: int, field_name: str) -> bool:
        cell, _ = cells.cell(df_file[i], df_sheet[i], field_name, int(df_row[i]))
        return (df_file[i], df_sheet[i], cell) in reported

    def col(name: str) -> list[Any]:
        out: list[Any] = []
        for sheet in overview.sheets:
            out.extend(sheet.records[name])
        return out

    df_file = col("file")
    df_sheet = col("sheet")
    df_row = col("row")
    years = col("year")
    applied = col("applied")
    granted = col("granted")
    decisions = col("decision")
    themes = col("theme")
    rounds = col("round")
    titles = col("title")
    starts = col("period_start")
    ends = col("period_end")
    caps = {r.key: r for r in pact.rounds if r.cap is not None}
    round_start = {r.key: r.from_year for r in pact.rounds if r.from_year is not None}
    seen_titles: dict[tuple[int | None, str], int] = {}

    for i in range(len(df)):
        year, a, g, dec = years[i], applied[i], granted[i], decisions[i]
        if g is not None and a is not None and g > a:
            add(
                i,
                "granted",
                IssueCode.GRANTED_ABOVE_APPLIED,
                Severity.ERROR,
                f"støttebeløbet {format_amount(g)} er større end det ansøgte beløb {format_amount(a)}",
                g,
            )
        if dec == Decision.REJECTED and g:
            add(
                i,
                "granted",
                IssueCode.REJECTED_WITH_AMOUNT,
                Severity.ERROR,
                f"ansøgningen har fået afslag, men der står et støttebeløb på {format_amount(g)}; "
                "slet beløbet eller ret afgørelsen til 'Tilsagn'",
                g,
            )
        if dec == Decision.GRANTED and g is None and not _reported(i, "granted"):
            add(
                i,
                "granted",
                IssueCode.GRANTED_WITHOUT_AMOUNT,
                Severity.ERROR,
                "ansøgningen har fået tilsagn, men støttebeløbet mangler; skriv beløbet i kroner",
            )
        rnd = rounds[i]
        if rnd in caps:
            cap = caps[rnd].cap or 0
            for field_name, amount in (("granted", g), ("applied", a)):
                if amount is not None and amount > cap:
                    label = "støttebeløbet" if field_name == "granted" else "det ansøgte beløb"
                    add(
                        i,
                        field_name,
                        IssueCode.ROUND_CAP_EXCEEDED,
                        Severity.ERROR,
                        f"{label} {format_amount(amount)} overstiger loftet for {caps[rnd].name} "
                        f"({format_amount(cap)})",
                        amount,
                    )
                    break
        if rnd in round_start and year is not None and year < (round_start[rnd] or 0):
            add(
                i,
                "round",
                IssueCode.UNKNOWN_ROUND,
                Severity.WARNING,
                f"runden '{pact.round(rnd).name}' fandtes først fra {round_start[rnd]}, men året er {year}",
                rnd,
            )
        theme = themes[i]
        if theme is not None and year is not None and not pact.is_theme_open(theme, year):
            open_names = ", ".join(pact.open_themes[year])
            add(
                i,
                "theme",
                IssueCode.THEME_NOT_OPEN,
                Severity.WARNING,
                f"indsatsområde {pact.theme(theme).number or ''} '{pact.theme(theme).name}' var ikke åbent "
                f"for ansøgninger i {year} (åbne: {open_names})".replace("  ", " "),
                pact.theme(theme).name,
            )
        if year is not None and not pact.first_year <= year <= pact.last_year:
            add(
                i,
                "year",
                IssueCode.YEAR_OUTSIDE_PACT,
                Severity.WARNING,
                f"året {year} ligger uden for pagtens periode {pact.first_year}-{pact.last_year}",
                year,
            )
        title = titles[i]
        if title:
            key = (year, " ".join(title.casefold().split()))
            first = seen_titles.get(key)
            if first is None:
                seen_titles[key] = i
            else:
                add(
                    i,
                    "title",
                    IssueCode.DUPLICATE_TITLE,
                    Severity.WARNING,
                    f"titlen står allerede i {df_sheet[first]} række {df_row[first]} for samme år; "
                    "er det den samme ansøgning to gange?",
                    title,
                )
        s, e = starts[i], ends[i]
        if _present(s) and _present(e) and s > e:
            add(
                i,
                "period_end",
                IssueCode.PERIOD_REVERSED,
                Severity.ERROR,
                f"projektet slutter ({e}) før det starter ({s})",
                e,
            )

    issues.extend(_check_framework(overview, pact, years, granted, decisions))
    issues.extend(_check_subtotals(overview))
    if error_rows:
        flags = df["has_error"].to_numpy(copy=True)
        flags[list(error_rows)] = True
        df["has_error"] = flags
    return issues


def _present(value: object) -> bool:
    return value is not None


def _check_framework(
    overview: Overview, pact: Pact, years: list[int | None], granted: list[int | None], decisions: list[object]
) -> list[Issue]:
    totals: dict[int, int] = defaultdict(int)
    for y, g, d in zip(years, granted, decisions, strict=True):
        if y is not None and g is not None and d == Decision.GRANTED:
            totals[y] += g
    out: list[Issue] = []
    for fw in overview.frameworks:
        total = totals.get(fw.year, 0)
        if total > fw.amount:
            letter = "".join(ch for ch in (fw.cell or "") if ch.isalpha()) or None
            out.append(
                Issue(
                    file=fw.source.file,
                    sheet=fw.source.sheet,
                    cell=fw.cell,
                    row=fw.source.row,
                    column=letter,
                    code=IssueCode.FRAMEWORK_EXCEEDED,
                    severity=Severity.ERROR,
                    message=f"der er givet tilsagn for {format_amount(total)} i {fw.year}, "
                    f"mere end årets ramme på {format_amount(fw.amount)} "
                    f"(overskredet med {format_amount(total - fw.amount)})",
                    value=str(fw.amount),
                )
            )
    return out


@dataclass(frozen=True)
class SubtotalSum:
    """A subtotal row with the sums of the application rows it covers."""

    subtotal: Subtotal
    rows: int
    granted: int
    applied: int


def subtotal_sums(overview: Overview) -> list[SubtotalSum]:
    """What each subtotal row should say: the sums of the rows it covers.

    A label with a year covers that year's rows above it; otherwise the rows
    since the previous subtotal; a total right after another subtotal covers
    the whole sheet.
    """
    out: list[SubtotalSum] = []
    for sheet in overview.sheets:
        years = sheet.records["year"]
        previous = 0
        for sub in sheet.subtotals:
            if sub.year is not None:
                idx = [k for k, y in enumerate(years[: sub.position]) if y == sub.year]
            elif sub.position > previous:
                idx = list(range(previous, sub.position))
            else:  # right after another subtotal: a grand total of the sheet
                idx = list(range(len(years)))
            previous = sub.position
            sums = {f: sum(v for k in idx if (v := sheet.records[f][k]) is not None) for f in ("granted", "applied")}
            out.append(SubtotalSum(sub, len(idx), sums["granted"], sums["applied"]))
    return out


def _check_subtotals(overview: Overview) -> list[Issue]:
    out: list[Issue] = []
    for s in subtotal_sums(overview):
        sub = s.subtotal
        for field_name, stated, computed in (("granted", sub.granted, s.granted), ("applied", sub.applied, s.applied)):
            if stated is None or computed == stated:
                continue
            cell = sub.cells[field_name]
            letter = "".join(ch for ch in cell if ch.isalpha())
            what = "støttebeløb" if field_name == "granted" else "ansøgte beløb"
            out.append(
                Issue(
                    file=sub.file,
                    sheet=sub.sheet,
                    cell=cell,
                    row=sub.row,
                    column=letter,
                    code=IssueCode.SUBTOTAL_MISMATCH,
                    severity=Severity.WARNING,
                    message=f"sumrækken '{sub.label}' angiver {format_amount(stated)}, men de "
                    f"{s.rows} rækker den dækker giver {what} i alt {format_amount(computed)} "
                    f"(forskel {format_amount(stated - computed)})",
                    value=str(stated),
                )
            )
    return out
