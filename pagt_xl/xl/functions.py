"""Cell functions for Excel, written once with xlwings' decorators (``func``, ``arg``).

Served by xlwings Server (Excel on the web and desktop, ``pagt-xl serve``), where
the manifest's namespace makes them ``PAGT.BELØB``, ``PAGT.TEMA``, ... Each is a
thin adapter over :mod:`pagt_xl.xl.core`; a problem comes back as a short text
in the cell (``#PAGT: ukendt indsatsområde 'Blå økonomi'``), never a traceback.

Names: Office.js function *ids* allow only A-Z, 0-9, ``_`` and ``.``; the
*names* users type may use any Unicode letter. xlwings takes the id from the
Python name and the name from ``func(name=...)``, so ``beloeb`` is shown as
``PAGT.BELØB`` (id ``BELOEB``). Excel does not translate add-in function
names, so they are the same in Danish and English Excel; only the argument
separator differs (``;`` or ``,``).

``data`` is read with the ``raw`` converter: xlwings' default cleaning of
custom-function arguments costs about 75 µs per cell on a server without
Pyodide (``xlwings.utils.is_jsnull`` retries ``import pyodide.ffi`` for every
value), i.e. seconds for a 10,000-row range; :mod:`pagt_xl.xl._data` does the
little cleaning needed (empty cells, error values).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from xlwings import arg, func

from pagt_xl.errors import PagtError
from pagt_xl.xl import core

DATA_DOC = "Oversigten inkl. overskriftsrækken: et område (fx A1:N49) eller en tabel (Tabel1[#Alle])"
PAGT_DOC = "Valgfri: nordjylland eller midtjylland (standard: nordjylland)"


def _cell_safe(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Turn every failure into a short ``#PAGT:`` text for the cell."""

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except PagtError as exc:
            text = str(exc)
            return text if text.startswith("#PAGT") else f"#PAGT: {text}"
        except Exception as exc:  # a cell must never show a traceback
            return f"#PAGT: uventet fejl ({exc.__class__.__name__}); kontakt sekretariatet"

    return wrapper


@func(name="BELØB")
@arg("tekst", doc="Et beløb som tekst, fx '1,3 mio. kr.', '404.567 kr.' eller 'kr. 300.000,-'")
@_cell_safe
def beloeb(tekst: Any) -> Any:
    """Beløb i hele kroner ud fra dansk tekst."""
    return core.amount(tekst)


@func(name="TEMA")
@arg("tekst", doc="Indsatsområdet, som det er stavet i arket")
@arg("pagt", doc=PAGT_DOC)
@_cell_safe
def tema(tekst: Any, pagt: Any = None) -> Any:
    """Det officielle navn på et indsatsområde ud fra en stavemåde."""
    return core.theme(tekst, pagt)


@func(name="BEVILGET")
@arg("data", "raw", doc=DATA_DOC)
@arg("år", doc="Valgfri: kun dette år, fx 2023")
@arg("tema", doc="Valgfri: kun dette indsatsområde")
@arg("runde", doc="Valgfri: kun denne runde, fx åben runde")
@arg("pagt", doc=PAGT_DOC)
@_cell_safe
def bevilget(data: Any, år: Any = None, tema: Any = None, runde: Any = None, pagt: Any = None) -> Any:
    """Bevilget beløb i kroner (tilsagn i rækker uden fejl)."""
    return core.granted(data, år, tema, runde, pagt)


@func(name="ANTAL")
@arg("data", "raw", doc=DATA_DOC)
@arg("år", doc="Valgfri: kun dette år, fx 2023")
@arg("tema", doc="Valgfri: kun dette indsatsområde")
@arg("runde", doc="Valgfri: kun denne runde, fx åben runde")
@arg("pagt", doc=PAGT_DOC)
@_cell_safe
def antal(data: Any, år: Any = None, tema: Any = None, runde: Any = None, pagt: Any = None) -> Any:
    """Antal projekter med tilsagn (rækker uden fejl)."""
    return core.count(data, år, tema, runde, pagt)


@func(name="FORDELING")
@arg("data", "raw", doc=DATA_DOC)
@arg("nøgle", doc="tema, år, runde, type, ansøger, institutionstype, målgruppe, status eller fremdrift")
@arg("pagt", doc=PAGT_DOC)
@_cell_safe
def fordeling(data: Any, nøgle: Any, pagt: Any = None) -> Any:
    """Fordeling af tilsagn: navn, projekter, støttebeløb og andel, med overskrift og totalrække."""
    return core.distribution(data, nøgle, pagt)


@func(name="VALIDER")
@arg("data", "raw", doc=DATA_DOC)
@arg("pagt", doc=PAGT_DOC)
@_cell_safe
def valider(data: Any, pagt: Any = None) -> Any:
    """Fejl og advarsler i oversigten: celle (fra områdets hjørne), kolonne, alvor, kode, besked, værdi."""
    return core.issues_table(data, pagt)


#: Python name (the Office.js id, upper-cased) → the name Excel shows after the namespace (PAGT.…).
EXCEL_NAMES = {
    "beloeb": "BELØB",
    "tema": "TEMA",
    "bevilget": "BEVILGET",
    "antal": "ANTAL",
    "fordeling": "FORDELING",
    "valider": "VALIDER",
}

__all__ = ["antal", "beloeb", "bevilget", "fordeling", "tema", "valider"]
