"""What the Excel functions and buttons do, without xlwings: plain values in, plain values out.

Cell functions (``functions.py``) and button scripts (``scripts.py``) are thin
xlwings adapters over these. ``data`` is always a 2-D list as Excel hands it
over: a range or Excel Table *including its header row*; empty cells are
``None`` or ``""``. Errors never escape as exceptions to Excel: :class:`CellError`
carries a short Danish text starting with ``#PAGT:``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from collections import OrderedDict
from typing import Any

from pagt_xl.breakdown import KEY_LABELS, breakdown_by
from pagt_xl.config import Pact, load_pact
from pagt_xl.danish import DanishParseError, parse_amount
from pagt_xl.errors import PagtError
from pagt_xl.ingest.grid import Grid
from pagt_xl.model import Decision, Severity
from pagt_xl.pipeline import Validation, run_validation_grids

#: Danish (and English) words accepted for ``nøgle`` in PAGT.FORDELING.
KEY_WORDS: dict[str, str] = {
    "år": "year",
    "aar": "year",
    "year": "year",
    "runde": "round",
    "round": "round",
    "tema": "theme",
    "indsatsområde": "theme",
    "indsatsomraade": "theme",
    "theme": "theme",
    "type": "type",
    "projekttype": "type",
    "ansøger": "applicant",
    "tovholder": "applicant",
    "applicant": "applicant",
    "institutionstype": "institution_type",
    "institution_type": "institution_type",
    "målgruppe": "target_group",
    "target_group": "target_group",
    "status": "status",
    "fremdrift": "progress",
    "progress": "progress",
}
SEVERITY_DA = {Severity.ERROR: "Fejl", Severity.WARNING: "Advarsel", Severity.INFO: "Info"}
_CACHE: OrderedDict[tuple[str, str], Validation] = OrderedDict()
_CACHE_SIZE = 16


class CellError(PagtError):
    """A problem to show in the cell, e.g. ``#PAGT: ukendt indsatsområde 'Blå økonomi'``."""

    def __init__(self, message: str) -> None:
        super().__init__(message if message.startswith("#PAGT") else f"#PAGT: {message}")


def pact_for(name: Any = None) -> Pact:
    """The pact named in a cell (or ``$PAGT_XL_PACT``, else Nordjylland)."""
    text = str(name).strip() if name not in (None, "") else os.environ.get("PAGT_XL_PACT", "nordjylland")
    try:
        return load_pact(text.lower())
    except PagtError:
        raise CellError(f"ukendt pagt '{text}'; brug nordjylland eller midtjylland") from None


def _scalar(value: Any) -> Any:
    """A single value from what Excel sends (a value or a 1×1 matrix)."""
    while isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    if isinstance(value, list | tuple):
        raise CellError("forventede én celle, ikke et område")
    return value


def amount(text: Any) -> int:
    """PAGT.BELOEB: whole kroner from Danish text ("1,3 mio. kr." → 1300000)."""
    value = _scalar(text)
    try:
        result = parse_amount(value)
    except DanishParseError as exc:
        raise CellError(str(exc)) from None
    if result is None:
        raise CellError("cellen er tom")
    return result


def theme(text: Any, pact_name: Any = None) -> str:
    """PAGT.TEMA: the canonical theme name for a spelling ("3. STEM-kompetencer målrettet..." → full name)."""
    pact = pact_for(_scalar(pact_name) if pact_name is not None else None)
    value = _scalar(text)
    if value in (None, ""):
        raise CellError("cellen er tom")
    m = pact.theme_matcher.match(str(value))
    names = {t.key: t.name for t in pact.themes}
    if m.key is not None:
        return names[m.key]
    if m.candidates:
        raise CellError(f"'{value}' er tvetydig: {' eller '.join(names[k] for k in m.candidates)}")
    raise CellError(f"ukendt indsatsområde '{value}'")


def _normalise(values: Any) -> list[list[Any]]:
    if values is None:
        raise CellError("ingen data; markér oversigten inkl. overskriftsrækken")
    if not isinstance(values, list | tuple):
        raise CellError("data skal være et område med overskriftsrække")
    rows = [list(r) if isinstance(r, list | tuple) else [r] for r in values]
    return [["" if v is None else v for v in r] for r in rows]


def validation_for(values: Any, pact: Pact, *, name: str = "Excel", sheet: str = "data") -> Validation:
    """Validate a range (header row included). Cached by content, so recalculation is cheap."""
    rows = _normalise(values)
    digest = hashlib.blake2b(pickle.dumps(rows, protocol=5), digest_size=16).hexdigest()
    key = (pact.key + "|" + name + "|" + sheet, digest)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    result = run_validation_grids([(name, [Grid(file=name, sheet=sheet, rows=rows)])], pact)
    if result.fatal:
        raise CellError(
            "ingen genkendelige kolonneoverskrifter i første række "
            "(forventede fx År, Projekttitel, Indsatsområde, Afgørelse, Støttebeløb)"
        )
    _CACHE[key] = result
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return result


def _filtered(validation: Validation, year: Any, theme_text: Any, round_text: Any) -> Any:
    pact = validation.pact
    t = validation.table
    t = t[(t["decision"] == Decision.GRANTED) & ~t["has_error"].astype(bool)]
    year = _scalar(year) if year is not None else None
    if year not in (None, ""):
        try:
            y = int(float(year))
        except (TypeError, ValueError):
            raise CellError(f"ugyldigt år '{year}'") from None
        t = t[t["year"] == y]
    theme_text = _scalar(theme_text) if theme_text is not None else None
    if theme_text not in (None, ""):
        m = pact.theme_matcher.match(str(theme_text))
        if m.key is None:
            raise CellError(f"ukendt indsatsområde '{theme_text}'")
        t = t[t["theme"] == m.key]
    round_text = _scalar(round_text) if round_text is not None else None
    if round_text not in (None, ""):
        m = pact.round_matcher.match(str(round_text))
        if m.key is None:
            raise CellError(f"ukendt runde '{round_text}'")
        t = t[t["round"] == m.key]
    return t


def granted(data: Any, year: Any = None, theme_text: Any = None, round_text: Any = None, pact: Any = None) -> int:
    """PAGT.BEVILGET: kroner granted (rows without errors), optionally for a year, theme and round."""
    t = _filtered(validation_for(data, pact_for(pact)), year, theme_text, round_text)
    return int(t["granted"].fillna(0).sum())


def count(data: Any, year: Any = None, theme_text: Any = None, round_text: Any = None, pact: Any = None) -> int:
    """PAGT.ANTAL: number of granted projects (rows without errors), with the same filters."""
    return len(_filtered(validation_for(data, pact_for(pact)), year, theme_text, round_text))


def distribution(data: Any, key: Any, pact: Any = None) -> list[list[Any]]:
    """PAGT.FORDELING: a table (header + rows + total) of projects, amount and share by a key."""
    word = str(_scalar(key) or "").strip().lower()
    k = KEY_WORDS.get(word)
    if k is None:
        raise CellError(f"ukendt nøgle '{word}'; brug fx tema, år, runde, type, ansøger, institutionstype, status")
    p = pact_for(pact)
    if k == "type" and not p.project_types:
        raise CellError(f"{p.name} har ingen projekttyper")
    if k == "round" and not p.rounds:
        raise CellError(f"{p.name} har ingen runder")
    b = breakdown_by(validation_for(data, p).table, p, [k])
    out: list[list[Any]] = [[KEY_LABELS[k], "Projekter", "Støttebeløb", "Andel"]]
    for r in b.rows:
        out.append([r[k], r["projects"], r["granted"], r["share"]])
    out.append(["I alt", b.total["projects"], b.total["granted"], b.total["share"]])
    return out


def issues_table(data: Any, pact: Any = None) -> list[list[Any]]:
    """PAGT.VALIDER: the issues of a range as a table (cell, severity, code, message)."""
    v = validation_for(data, pact_for(pact))
    out: list[list[Any]] = [["Celle", "Alvor", "Kode", "Besked"]]
    for i in v.issues:
        out.append([i.cell or "", SEVERITY_DA[i.severity], i.code.value, i.message])
    if len(out) == 1:
        out.append(["", "", "", "Ingen fejl eller advarsler"])
    return out


def today() -> dt.date:
    """Today's date (one place, so scripts and tests agree)."""
    return dt.date.today()
