"""What the cell functions compute, without xlwings: plain values in, plain values out.

:mod:`pagt_xl.xl.functions` is the thin xlwings adapter over these. ``data`` is
a range or Excel Table *including its header row*, as Excel hands it over (a
2-D list; a DataFrame works too), or a :class:`~pagt_xl.xl._data.DataRef` to a
range packed by ``PAGT.DATA``. Problems raise :class:`CellError`, which the
adapter turns into Excel's ``#VALUE!`` with the message. Results are computed
once per range content (see :func:`pagt_xl.xl._data.derived`).
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from pagt_xl.base.danish import SEVERITY_LABELS, DanishParseError, parse_amount, parse_year
from pagt_xl.base.figures import percent_fraction
from pagt_xl.base.issue_texts import describe
from pagt_xl.base.model import Severity, column_letter
from pagt_xl.base.names import KEY_WORDS
from pagt_xl.core.breakdown import KEY_LABELS, breakdown_by
from pagt_xl.core.tables import Validation
from pagt_xl.xl._data import CellError, DataRef, derived, pack_data, pact_named

#: the severity words (the one table, :data:`pagt_xl.base.danish.SEVERITY_LABELS`)
SEVERITY_DA = SEVERITY_LABELS
DISTRIBUTION_HEADER = ["Projekter", "Støttebeløb", "Andel"]
#: Target groups overlap (one project reaches several), so their rows have their own columns: the share is of the
#: participants, and the amounts of the projects reaching a group add up to more than the total granted.
TARGET_GROUP_HEADER = ["Projekter der når gruppen", "Deltagere (mål)", "Andel af deltagere",
                       "Støttebeløb i disse projekter (overlapper)"]  # fmt: skip
#: Excel's error values, as xlwings hands them over with ``err_to_str`` (and as Office.js names them).
ERROR_VALUES = frozenset({"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!",
                          "#CALC!", "#GETTING_DATA", "#BUSY!", "#FIELD!", "#CONNECT!", "#BLOCKED!",
                          "#UNKNOWN!", "#PYTHON!"})  # fmt: skip
ISSUES_HEADER = ["Celle", "Kolonne", "Alvor", "Kode", "Beskrivelse", "Besked", "Værdi"]


def error_value(value: Any) -> str | None:
    """Excel's error text ("#N/A") when ``value`` (a value or a 1×1 matrix) is an error value, else ``None``."""
    while isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, dict) and value.get("type") == "Error":
        return str(value.get("basicValue") or "#VALUE!")
    if isinstance(value, str) and value.strip().upper() in ERROR_VALUES:
        return value.strip().upper()
    return None


def pact_of(data: Any, pact: Any) -> Any:
    """The pact named in the cell; if none: the pact ``PAGT.DATA`` used for ``data``, else the default pact."""
    name = scalar(pact)
    if name in (None, "") and isinstance(data, DataRef):
        name = data.pact_key
    return pact_named(name)


def scalar(value: Any) -> Any:
    """One value from what Excel sends (a value or a 1×1 matrix); ``None`` when the cell is empty."""
    while isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, list | tuple):
        raise CellError("forventede én celle, ikke et område")
    if isinstance(value, dict):  # an Office.js error or formatted value
        value = value.get("basicValue")
    return None if value == "" else value


def amount(text: Any) -> int:
    """Whole kroner from Danish text or a number ("1,3 mio. kr." → 1300000)."""
    value = scalar(text)
    if value is None:
        raise CellError("cellen er tom")
    try:
        result = parse_amount(value)
    except DanishParseError as exc:
        raise CellError(str(exc)) from None
    if result is None:
        raise CellError("cellen er tom")
    return result


def theme_key(text: Any, pact: Any) -> str:
    """The key of the theme a spelling names; unknown or ambiguous spellings raise :class:`CellError`."""
    value = scalar(text)
    if value is None:
        raise CellError("angiv et indsatsområde")
    m = pact.theme_matcher.match(str(value))
    if m.key is not None:
        return m.key
    if m.candidates:
        names = " eller ".join(f"'{pact.theme(k).name}'" for k in m.candidates)
        raise CellError(f"'{value}' er tvetydig: {names}")
    raise CellError(f"ukendt indsatsområde '{value}'")


def theme(text: Any, pact_name: Any = None) -> str:
    """The canonical theme name for a spelling ("3. STEM-kompetencer målrettet..." → the full name)."""
    pact = pact_named(scalar(pact_name))
    return pact.theme(theme_key(text, pact)).name


def _filtered(validation: Validation, year: Any = None, theme_text: Any = None, round_text: Any = None) -> pd.DataFrame:
    """The counted grants (:attr:`Validation.figures <pagt_xl.core.tables.Validation>`), optionally for one year,
    theme and round."""
    p = validation.pact
    t = validation.figures.granted
    year_value = scalar(year)
    if year_value is not None:
        try:
            y = parse_year(year_value)
        except DanishParseError:
            raise CellError(f"ugyldigt år '{year_value}'; forventede fx 2023") from None
        t = t[t["year"] == y]
    if scalar(theme_text) is not None:
        t = t[t["theme"] == theme_key(theme_text, p)]
    round_value = scalar(round_text)
    if round_value is not None:
        if not p.rounds:
            raise CellError(f"{p.name} har ingen runder")
        m = p.round_matcher.match(str(round_value))
        if m.key is None:
            known = ", ".join(r.name for r in p.rounds)
            raise CellError(f"ukendt runde '{round_value}'; kendte runder: {known}")
        t = t[t["round"] == m.key]
    return t


def _granted_and_count(data: Any, year: Any, theme_text: Any, round_text: Any, pact: Any) -> tuple[int, int]:
    filters = (scalar(year), scalar(theme_text), scalar(round_text))

    def compute(v: Validation) -> tuple[int, int]:
        t = _filtered(v, *filters)
        return int(t["granted"].fillna(0).sum()), len(t)

    return derived(data, pact_of(data, pact), ("granted", *filters), compute)


def granted(data: Any, year: Any = None, theme_text: Any = None, round_text: Any = None, pact: Any = None) -> int:
    """Kroner granted (rows without errors), optionally for one year, theme and round."""
    return _granted_and_count(data, year, theme_text, round_text, pact)[0]


def count(data: Any, year: Any = None, theme_text: Any = None, round_text: Any = None, pact: Any = None) -> int:
    """Number of granted projects (rows without errors), with the same filters as :func:`granted`."""
    return _granted_and_count(data, year, theme_text, round_text, pact)[1]


def distribution(data: Any, key: Any, pact: Any = None) -> list[list[Any]]:
    """Header row, one row per label (label, projects, kroner, share) and a total row.

    The share is the one rounded share every output shows (:mod:`pagt_xl.base.figures`): whole percent by
    largest remainder, as a fraction (``0.19`` for 19 %), so the column adds up to exactly 1.

    Target groups (``målgruppe``) overlap, so they get other columns (:data:`TARGET_GROUP_HEADER`): projects
    reaching the group, participants (targets), share of the participants, and kroner of those projects; the
    total row's kroner is the total granted, less than the sum of the rows.
    """
    word = str(scalar(key) or "").strip().lower()
    k = KEY_WORDS.get(word)
    if k is None:
        raise CellError(
            f"ukendt nøgle '{word}'; brug tema, år, runde, type, ansøger, institutionstype, målgruppe, "
            "status eller fremdrift"
        )
    p = pact_of(data, pact)
    if k == "type" and not p.project_types:
        raise CellError(f"{p.name} har ingen projekttyper")
    if k == "round" and not p.rounds:
        raise CellError(f"{p.name} har ingen runder")

    def compute(v: Validation) -> list[list[Any]]:
        b = breakdown_by(v.figures, p, [k])
        if k == "target_group":
            out = [[KEY_LABELS[k], *TARGET_GROUP_HEADER]]
            out += [
                [r[k], r["projects"], r["participants"], percent_fraction(r["percent"]), r["granted"]] for r in b.rows
            ]
            t = b.total
            out.append(["I alt", t["projects"], t["participants"], percent_fraction(t["percent"]), t["granted"]])
            return out
        out: list[list[Any]] = [[KEY_LABELS[k], *DISTRIBUTION_HEADER]]
        out += [[_plain(r[k]), r["projects"], r["granted"], percent_fraction(r["percent"])] for r in b.rows]
        out.append(["I alt", b.total["projects"], b.total["granted"], percent_fraction(b.total["percent"])])
        return out

    return [list(r) for r in derived(data, p, ("distribution", k), compute)]


def issues_table(data: Any, pact: Any = None) -> list[list[Any]]:
    """Header and one row per issue: cell (relative to the range), column header, severity, code, the code's
    Danish description, message, value."""
    return [list(r) for r in derived(data, pact_of(data, pact), ("issues",), _issues_rows)]


def data_handle(data: Any, pact: Any = None) -> tuple[str, dict[str, Any]]:
    """A range validated and packed for an object handle: ``(text to cache, summary for the handle's card)``.

    The summary: pact name, rows read, granted projects and kroner (rows without errors), errors and warnings.
    """
    if isinstance(data, DataRef):  # =PAGT.DATA(A1) where A1 already holds a handle: the same data again
        data = data.rows()
    p = pact_named(scalar(pact))
    text, v = pack_data(data, p)
    summary = {
        "Pagt": p.name,
        "Rækker": len(v.table),
        "Projekter med tilsagn": v.figures.granted_projects,
        "Bevilget (kr.)": v.figures.granted_total,
        "Fejl": sum(i.severity is Severity.ERROR for i in v.issues),
        "Advarsler": sum(i.severity is Severity.WARNING for i in v.issues),
    }
    return text, summary


def _issues_rows(v: Validation) -> list[list[Any]]:
    headers: dict[str, str] = {}
    for s in v.overview.sheets:
        headers.update({column_letter(j): h for j, h in s.columns.headers.items()})
    out: list[list[Any]] = [ISSUES_HEADER]
    for i in v.issues:
        column = headers.get(i.column or "", i.column or "")
        value = "" if i.value is None else str(i.value)
        out.append([i.cell or "", column, SEVERITY_DA[i.severity], i.code.value, describe(i.code), i.message, value])
    if len(out) == 1:
        out.append(["", "", "", "", "", "Ingen fejl eller advarsler", ""])
    return out


def _plain(value: Any) -> Any:
    """A label Excel can show: numbers stay numbers, missing values become ``""``."""
    if value is None or value is pd.NA:
        return ""
    return value


def remaining(data: Any, year: Any, framework: Any, pact: Any = None, ledger: Any = None) -> int:
    """The year's remaining framework (issue 16): the framework minus every grant of that year (rows
    without errors), plus, given the Udbetalinger range ``ledger`` (issue 25), the money returned to the
    pool that year (repaid and reduced grants), in whole kroner.

    ``framework`` is the year's framework as a number or a text amount ("5 mio. kr."), or a range of the
    framework sheet with its header row (År, Ramme, ...), from which the year's row is taken.
    """
    year_value = scalar(year)
    if year_value is None:
        raise CellError("angiv året, fx 2024")
    try:
        y = parse_year(year_value)
    except DanishParseError:
        raise CellError(f"ugyldigt år '{year_value}'; forventede fx 2024") from None
    if y is None:
        raise CellError("angiv året, fx 2024")
    p = pact_of(data, pact)
    amount = _framework_amount(framework, y, p)
    back = 0
    if ledger is not None and scalar_or_range(ledger) is not None:
        back = derived(data, p, ("returned", y, _ledger_key(ledger)), lambda v: returned_in(ledger, y, v))
    return amount - granted(data, y, None, None, p.key) + back


def scalar_or_range(value: Any) -> Any:
    """``None`` for an empty argument (an omitted optional range), else the value."""
    if value in (None, "") or value == [[""]] or value == [[None]]:
        return None
    return value


def _ledger_key(ledger: Any) -> str:
    from pagt_xl.xl._data import _digest

    return _digest(ledger)


def _framework_amount(framework: Any, year: int, pact: Any) -> int:
    """The framework of ``year`` from a number, a text amount or a framework range."""
    from pagt_xl.ingest.framework import find_framework_header, read_framework
    from pagt_xl.xl._data import grid_from_values

    if isinstance(framework, list | tuple) and any(isinstance(r, list | tuple) and len(r) > 1 for r in framework):
        grid = grid_from_values([list(r) for r in framework], book="ramme", sheet="ramme")
        cmap = find_framework_header(grid, pact)
        if cmap is None:
            raise CellError("rammeområdet har ingen overskriftsrække med År og Ramme; tag overskriftsrækken med")
        years, _ = read_framework(grid, cmap)
        for fw in years:
            if fw.year == year:
                return fw.amount
        raise CellError(f"rammeområdet har ingen ramme for {year}")
    value = scalar(framework)
    if value is None:
        raise CellError("angiv rammen: et beløb eller området med rammen (År og Ramme)")
    if isinstance(value, bool):
        raise CellError(f"ugyldig ramme '{value}'")
    if isinstance(value, int | float):
        return round(value)
    try:
        parsed = parse_amount(str(value))
    except DanishParseError as exc:
        raise CellError(f"ugyldig ramme: {exc}") from None
    if parsed is None:
        raise CellError("angiv rammen: et beløb eller området med rammen (År og Ramme)")
    return parsed


# -- goal follow-up (issue 17) --------------------------------------------------------------------
GOAL_STATUS_HEADER = ["År", "Antal", "Indeks", "Sti (indeks)", "Status", "Afvigelse (indekspoint)",
                      "Afvigelse (%)", "Nødvendig stigning pr. år"]  # fmt: skip


def goal_status(data: Any, indicator: Any, year: Any = None, pact: Any = None) -> list[list[Any]]:
    """An indicator's follow-up from a Målopfølgning range (header row included): header and one row per year.

    Each row: year, figure, index (baseline = 100), the path's index, "på sporet"/"bagud", the gap in
    index points and percent, the change needed per remaining year. ``year``: only up to that year.
    A cell that cannot be read, an unknown indicator or a missing baseline raises :class:`CellError`.
    """
    from pagt_xl.core.goals import follow_up
    from pagt_xl.ingest.goals import read_goal_grids
    from pagt_xl.xl._data import grid_from_values

    if isinstance(data, DataRef):
        raise CellError("brug området med målopfølgningen (År, Indikator, Antal), ikke en celle med PAGT.DATA")
    p = pact_named(scalar(pact))
    if not p.goals.measured:
        raise CellError(f"{p.name} har ingen målte mål")
    rows = data.values.tolist() if isinstance(data, pd.DataFrame) else data
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], list):
        raise CellError("data skal være et område med overskrifterne År, Indikator og Antal")
    text = str(scalar(indicator) or "").strip()
    key = p.goals.indicator_matcher.match(text).key if text else None
    if key is None:
        known = "; ".join(g.name for g in p.goals.measured)
        raise CellError(f"ukendt indikator '{text}'; brug en af: {known}")
    until = None
    if scalar(year) not in (None, ""):
        try:
            until = parse_year(scalar(year))
        except DanishParseError as exc:
            raise CellError(f"år: {exc}") from None
    grid = grid_from_values(rows, book="Excel", sheet="område")
    read = read_goal_grids([("Excel", [grid])], p)
    errors = [i for i in read.issues if i.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        raise CellError(f"{first.cell or 'området'}: {first.message}" if first.cell else first.message)
    figures = [f for f in read.figures if f.indicator == key]
    result = follow_up(p, figures, [], None, year=until)
    ind = next(i for i in result.indicators if i.key == key)
    if ind.baseline is None:
        raise CellError(f"basisåret {ind.baseline_year} mangler for '{ind.name}'")
    out: list[list[Any]] = [list(GOAL_STATUS_HEADER)]
    for y in ind.years:
        needed = "" if y.needed_per_year is None else round(y.needed_per_year, 1)
        out.append([y.year, y.value, round(y.index, 2), round(y.path_index, 2), "på sporet" if y.on_track else "bagud",
                    round(y.gap_points, 2), round(y.gap_percent, 2), needed])  # fmt: skip
    return out


# -- the commitment ledger (issue 25) -------------------------------------------------------------------------------
def _ledger_entries(ledger: Any, pact: Any) -> Any:
    """The entries of an Udbetalinger range (header row included); an unreadable cell raises :class:`CellError`."""
    from pagt_xl.ingest.payments import read_ledger_books
    from pagt_xl.xl._data import grid_from_values

    if isinstance(ledger, DataRef):
        raise CellError("brug området med udbetalingerne (Sagsnr., Dato, Type, Beløb), ikke en celle med PAGT.DATA")
    rows = ledger.values.tolist() if isinstance(ledger, pd.DataFrame) else ledger
    if not isinstance(rows, list) or not rows or not isinstance(rows[0], list):
        raise CellError("udbetalingerne skal være et område med overskrifterne Sagsnr., Dato og Beløb")
    read = read_ledger_books([("Excel", [grid_from_values(rows, book="Excel", sheet="udbetalinger")])], pact)
    if read.fatal:
        raise CellError("området har ingen overskriftsrække med Sagsnr., Dato og Beløb; tag overskriftsrækken med")
    errors = [i for i in read.issues if i.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        raise CellError(f"{first.cell}: {first.message}" if first.cell else first.message)
    return read.entries


def paid(ledger: Any, case: Any, pact: Any = None) -> int:
    """Kroner paid to a case (rates and final rates minus repayments) in an Udbetalinger range."""
    from pagt_xl.core.ledger import PAYMENT_KINDS, EntryKind, case_key

    value = scalar(case)
    if value is None:
        raise CellError("angiv sagsnummeret, fx 2023-05")
    key = case_key(value)
    entries = [e for e in _ledger_entries(ledger, pact_named(scalar(pact))) if case_key(e.case_id) == key]
    return sum(e.amount for e in entries if e.kind in PAYMENT_KINDS) - sum(
        e.amount for e in entries if e.kind is EntryKind.REPAYMENT
    )


def returned_in(ledger: Any, year: int, validation: Validation) -> int:
    """Money returned to the pool in ``year`` (repaid and reduced) by the ledger range, counted as the
    commitment ledger counts it: only entries of granted applications without errors."""
    from pagt_xl.core.ledger import build_ledger

    built = build_ledger(validation, _ledger_entries(ledger, validation.pact))
    return next((y.returned for y in built.years if y.year == year), 0)
