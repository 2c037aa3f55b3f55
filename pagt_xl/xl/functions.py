"""Cell functions for Excel (xlwings). Names and help texts are Danish; Excel shows them as PAGT.NAVN.

Each function is a thin adapter over :mod:`pagt_xl.xl.core`; a problem comes back
as a short text (``#PAGT: ...``) in the cell, never as a traceback. Office.js
only allows A-Z, 0-9, ``_`` and ``.`` in function names, so BELØB is
``PAGT.BELOEB`` (the same in Danish and English Excel).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from xlwings import arg, func

from pagt_xl.errors import PagtError
from pagt_xl.xl import core


def _cell_safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every failure into a readable ``#PAGT:`` text for the cell."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except core.CellError as exc:
            return str(exc)
        except PagtError as exc:
            return f"#PAGT: {exc}"
        except Exception as exc:  # a cell must never show a traceback
            return f"#PAGT: uventet fejl ({exc.__class__.__name__})"

    return wrapper


@func(name="BELOEB")
@arg("tekst", doc="Et beløb som tekst, fx '1,3 mio. kr.', '404.567 kr.' eller 'kr. 300.000,-'")
@_cell_safe
def beloeb(tekst: Any) -> Any:
    """Beløb i hele kroner fra dansk tekst (PAGT.BELOEB)."""
    return core.amount(tekst)


@func(name="TEMA")
@arg("tekst", doc="Indsatsområdet som det er stavet i arket")
@arg("pagt", doc="Valgfri: nordjylland eller midtjylland (standard: nordjylland)")
@_cell_safe
def tema(tekst: Any, pagt: Any = None) -> Any:
    """Det officielle navn på et indsatsområde ud fra en stavemåde (PAGT.TEMA)."""
    return core.theme(tekst, pagt)


@func(name="BEVILGET")
@arg("data", ndim=2, doc="Oversigten inkl. overskriftsrækken (område eller Excel-tabel)")
@arg("aar", doc="Valgfri: kun dette år")
@arg("tema", doc="Valgfri: kun dette indsatsområde")
@arg("runde", doc="Valgfri: kun denne runde")
@_cell_safe
def bevilget(data: Any, aar: Any = None, tema: Any = None, runde: Any = None) -> Any:
    """Bevilget beløb i kroner (rækker uden fejl) (PAGT.BEVILGET)."""
    return core.granted(data, aar, tema, runde)


@func(name="ANTAL")
@arg("data", ndim=2, doc="Oversigten inkl. overskriftsrækken (område eller Excel-tabel)")
@arg("aar", doc="Valgfri: kun dette år")
@arg("tema", doc="Valgfri: kun dette indsatsområde")
@arg("runde", doc="Valgfri: kun denne runde")
@_cell_safe
def antal(data: Any, aar: Any = None, tema: Any = None, runde: Any = None) -> Any:
    """Antal projekter med tilsagn (rækker uden fejl) (PAGT.ANTAL)."""
    return core.count(data, aar, tema, runde)


@func(name="FORDELING")
@arg("data", ndim=2, doc="Oversigten inkl. overskriftsrækken (område eller Excel-tabel)")
@arg("noegle", doc="tema, år, runde, type, ansøger, institutionstype, målgruppe, status eller fremdrift")
@_cell_safe
def fordeling(data: Any, noegle: Any) -> Any:
    """Fordeling af tilsagn: navn, projekter, støttebeløb, andel, med totalrække (PAGT.FORDELING)."""
    return core.distribution(data, noegle)


@func(name="VALIDER")
@arg("data", ndim=2, doc="Oversigten inkl. overskriftsrækken (område eller Excel-tabel)")
@_cell_safe
def valider(data: Any) -> Any:
    """Fejl og advarsler i oversigten: celle (i området), alvor, kode, besked (PAGT.VALIDER)."""
    return core.issues_table(data)


__all__ = ["antal", "beloeb", "bevilget", "fordeling", "tema", "valider"]
