"""Cell functions for Excel, written once with xlwings' decorators (``func``, ``arg``, ``ret``).

Served by xlwings Server (Excel on the web and desktop, ``pagt-xl serve``), where
the manifest's namespace makes them ``PAGT.BELØB``, ``PAGT.TEMA``, ... Each is a
thin adapter over :mod:`pagt_xl.xl.core`.

Errors are Excel's own: a problem raises :class:`xlwings.XlwingsError`, which
xlwings Server answers with 400 and the message, and Excel shows as ``#VALUE!``
with the message on the cell's error flag (``PAGT.TEMA: ukendt indsatsområde
'Blå økonomi'``). So ``SUM`` does not skip it and ``IFERROR`` catches it. An
argument that is itself an error value (``#N/A``, read with ``err_to_str``) is
answered with an error naming the argument, never read as an empty cell.

Big ranges once: ``=PAGT.DATA(A1:U10000)`` validates a range and returns an
object handle (xlwings' object cache: in memory, or Redis when
``XLWINGS_OBJECT_CACHE_URL`` is set); ``PAGT.BEVILGET``/``ANTAL``/``FORDELING``/
``VALIDER`` take that cell instead of the range. Excel then sends a short key
instead of the range's values, and the server finds the validation by it.

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

import inspect
import logging
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from xlwings import ObjectHandle, ObjectHandleIcons, XlwingsError, arg, func, ret
from xlwings.conversion import Converter

from pagt_xl.base.errors import PagtError
from pagt_xl.xl import _data, core
from pagt_xl.xl._data import CellError

logger = logging.getLogger(__name__)

DATA_DOC = (
    "Oversigten inkl. overskriftsrækken: et område (fx A1:N49), en tabel (Tabel1[#Alle]) eller en celle med PAGT.DATA"
)
KEY_DOC = "tema, år, runde, type, ansøger, institutionstype, målgruppe, status eller fremdrift"
PAGT_DOC = "Valgfri: nordjylland eller midtjylland (standard: nordjylland)"

#: Python name (the Office.js id, upper-cased) → the name Excel shows after the namespace (PAGT.…).
EXCEL_NAMES = {
    "beloeb": "BELØB",
    "tema": "TEMA",
    "data": "DATA",
    "bevilget": "BEVILGET",
    "antal": "ANTAL",
    "fordeling": "FORDELING",
    "valider": "VALIDER",
    "restramme": "RESTRAMME",
    "maalstatus": "MÅLSTATUS",
    "udbetalt": "UDBETALT",
}
#: The text xlwings' JavaScript sends for an entity argument that is not an xlwings object handle
#: (``xlwings.pro.object_handles.NOT_A_HANDLE_MARKER``; repeated here, as importing it needs a license key).
NOT_A_HANDLE = "__xlwings_not_an_object_handle__"
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def _cached_object(key: str) -> Any:
    """The object xlwings' object cache holds under ``key`` (in memory or Redis, as the server set it up)."""
    from xlwings.pro import object_handles  # needs the license key, which a server has

    return object_handles.cache.get(key)


def data_argument(value: Any) -> Any:
    """``data`` as the core takes it: a :class:`~pagt_xl.xl._data.DataRef` for a PAGT.DATA cell, else as is.

    Excel's JavaScript sends an object handle's cache key (a UUID) instead of the cell, so a text that is
    a UUID is looked up in xlwings' object cache; only what the server stored there is unpacked.
    """
    while isinstance(value, list | tuple) and len(value) == 1:
        inner = value[0]
        if isinstance(inner, list | tuple) and len(inner) != 1:
            break
        value = inner
    if not isinstance(value, str):
        return value
    if value == NOT_A_HANDLE:
        raise CellError("cellen indeholder et objekt, men ikke et fra PAGT.DATA; brug et område eller PAGT.DATA")
    if not _UUID.fullmatch(value):
        return value  # a text: the core explains that data must be a range
    obj = _cached_object(value)
    if obj is None:
        raise CellError(
            "dataene fra PAGT.DATA findes ikke (længere) på serveren for dig: de udløber efter nogle timer og ved "
            "genstart, og de tilhører den, der lavede dem; genberegn projektmappen (Ctrl+Alt+F9)"
        )
    ref = _data.unpack_data(obj)
    if ref is None:
        raise CellError("objektet er ikke fra PAGT.DATA; brug et område eller en celle med PAGT.DATA")
    return ref


#: Excel's number format for whole kroner ("23.231.178 kr." in Danish Excel).
KR_NUMBER_FORMAT = '#,##0 "kr."'
#: Shares (0..1) as whole percentages ("57 %"), as the breakdown sheets show them.
PERCENT_FORMAT = "0 %"
#: Counts: whole numbers with a thousands separator ("10.000").
COUNT_FORMAT = "#,##0"


class Kroner(Converter):
    """A result in whole kroner, shown with :data:`KR_NUMBER_FORMAT`.

    Office.js custom functions take a formatted number (``FormattedNumber``) from
    custom-functions runtime 1.4 on, as xlwings does for dates; an older runtime
    gets the plain number. The cell's value is the number either way, so ``SUM``
    and comparisons work on it.
    """

    @staticmethod
    def write_value(value: Any, options: dict[str, Any]) -> Any:
        runtime = options.get("runtime")
        if isinstance(value, bool) or not isinstance(value, int | float) or not runtime or float(runtime) < 1.4:
            return value
        return {"type": "FormattedNumber", "basicValue": value, "numberFormat": KR_NUMBER_FORMAT}


#: Excel's number formats of PAGT.FORDELING's columns, by header (counts, kroner, shares); other columns stay plain.
COLUMN_FORMATS: dict[str, str] = {
    **dict(zip(core.DISTRIBUTION_HEADER, (COUNT_FORMAT, KR_NUMBER_FORMAT, PERCENT_FORMAT), strict=True)),
    **dict(zip(core.TARGET_GROUP_HEADER, (COUNT_FORMAT, COUNT_FORMAT, PERCENT_FORMAT, KR_NUMBER_FORMAT), strict=True)),
}


class FormattedTable(Converter):
    """A table with a header row whose number columns get Excel number formats (:data:`COLUMN_FORMATS`).

    Office.js takes a formatted number for every cell of a dynamic array, as for
    one cell (custom-functions runtime 1.4 on; xlwings does the same for dates in
    arrays): the kroner show as "23.231.178 kr.", the share as "57 %", the counts
    with a thousands separator, and each cell is still a number for ``SUM``. The
    header, the labels and an older runtime's answer stay plain values.
    """

    @staticmethod
    def write_value(value: Any, options: dict[str, Any]) -> Any:
        runtime = options.get("runtime")
        if not runtime or float(runtime) < 1.4 or not isinstance(value, list) or not value:
            return value
        formats = [COLUMN_FORMATS.get(h) if isinstance(h, str) else None for h in value[0]]
        return [value[0], *([_formatted(v, f) for v, f in zip(row, formats, strict=False)] for row in value[1:])]


def _formatted(value: Any, number_format: str | None) -> Any:
    if number_format is None or isinstance(value, bool) or not isinstance(value, int | float):
        return value
    return {"type": "FormattedNumber", "basicValue": value, "numberFormat": number_format}


def _excel_errors(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Raise every failure as :class:`xlwings.XlwingsError` (Excel: ``#VALUE!``) with a Danish message.

    Arguments that are Excel error values are refused first, naming the argument; ``data`` is
    resolved with :func:`data_argument`. A user never sees a traceback; unexpected ones are logged.
    """
    label = f"PAGT.{EXCEL_NAMES[fn.__name__]}"
    params = list(inspect.signature(fn).parameters)

    @wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            bound = {**dict(zip(params, args, strict=False)), **kwargs}
            for name, value in bound.items():
                error = core.error_value(value)
                if error is not None:
                    raise CellError(f"argumentet '{name}' er fejlværdien {error}; ret den celle, det henviser til")
            if "data" in bound:
                bound["data"] = data_argument(bound["data"])
            return fn(**bound)
        except XlwingsError:
            raise
        except PagtError as exc:
            raise XlwingsError(f"{label}: {str(exc).removeprefix('#PAGT: ')}") from None
        except Exception as exc:  # a cell must never show a traceback; the server log gets it
            logger.exception("%s failed", label)
            raise XlwingsError(f"{label}: uventet fejl ({exc.__class__.__name__}); kontakt sekretariatet") from None

    return wrapper


@func(name="BELØB")
@arg("tekst", err_to_str=True, doc="Et beløb som tekst, fx '1,3 mio. kr.', '404.567 kr.' eller 'kr. 300.000,-'")
@ret(Kroner)
@_excel_errors
def beloeb(tekst: Any) -> Any:
    """Beløb i hele kroner ud fra dansk tekst."""
    return core.amount(tekst)


@func(name="TEMA")
@arg("tekst", err_to_str=True, doc="Indsatsområdet, som det er stavet i arket")
@arg("pagt", err_to_str=True, doc=PAGT_DOC)
@_excel_errors
def tema(tekst: Any, pagt: Any = None) -> Any:
    """Det officielle navn på et indsatsområde ud fra en stavemåde."""
    return core.theme(tekst, pagt)


@func(name="DATA")
@arg("data", "raw", doc="Oversigten inkl. overskriftsrækken, fx A1:U10000 eller Tabel1[#Alle]")
@arg("pagt", err_to_str=True, doc=PAGT_DOC)
@ret(object)
@_excel_errors
def data(data: Any, pagt: Any = None) -> Any:
    """Læser og validerer oversigten én gang; brug cellen som data i PAGT.BEVILGET, ANTAL, FORDELING og VALIDER."""
    text, summary = core.data_handle(data, pagt)
    properties = {
        name: {"type": "String", "basicValue": value}
        if isinstance(value, str)
        else {"type": "Double", "basicValue": value}
        for name, value in summary.items()
    }
    rows = f"{summary['Rækker']:,}".replace(",", ".")
    return ObjectHandle(
        text,
        text=f"PAGT-data: {rows} rækker, {summary['Fejl']} fejl",
        icon=ObjectHandleIcons.table,
        properties=properties,
    )


@func(name="BEVILGET")
@arg("data", "raw", doc=DATA_DOC)
@arg("år", err_to_str=True, doc="Valgfri: kun dette år, fx 2023")
@arg("tema", err_to_str=True, doc="Valgfri: kun dette indsatsområde")
@arg("runde", err_to_str=True, doc="Valgfri: kun denne runde, fx åben runde")
@arg("pagt", err_to_str=True, doc=PAGT_DOC)
@ret(Kroner)
@_excel_errors
def bevilget(data: Any, år: Any = None, tema: Any = None, runde: Any = None, pagt: Any = None) -> Any:
    """Bevilget beløb i kroner (tilsagn i rækker uden fejl)."""
    return core.granted(data, år, tema, runde, pagt)


@func(name="ANTAL")
@arg("data", "raw", doc=DATA_DOC)
@arg("år", err_to_str=True, doc="Valgfri: kun dette år, fx 2023")
@arg("tema", err_to_str=True, doc="Valgfri: kun dette indsatsområde")
@arg("runde", err_to_str=True, doc="Valgfri: kun denne runde, fx åben runde")
@arg("pagt", err_to_str=True, doc=PAGT_DOC)
@_excel_errors
def antal(data: Any, år: Any = None, tema: Any = None, runde: Any = None, pagt: Any = None) -> Any:
    """Antal projekter med tilsagn (rækker uden fejl)."""
    return core.count(data, år, tema, runde, pagt)


@func(name="FORDELING")
@arg("data", "raw", doc=DATA_DOC)
@arg("nøgle", err_to_str=True, doc=KEY_DOC)
@arg("pagt", err_to_str=True, doc=PAGT_DOC)
@ret(FormattedTable)
@_excel_errors
def fordeling(data: Any, nøgle: Any, pagt: Any = None) -> Any:
    """Fordeling af tilsagn: navn, projekter, støttebeløb og andel, med overskrift og totalrække."""
    return core.distribution(data, nøgle, pagt)


@func(name="VALIDER")
@arg("data", "raw", doc=DATA_DOC)
@arg("pagt", err_to_str=True, doc=PAGT_DOC)
@_excel_errors
def valider(data: Any, pagt: Any = None) -> Any:
    """Fejl og advarsler i oversigten: celle (fra områdets hjørne), kolonne, alvor, kode, besked, værdi."""
    return core.issues_table(data, pagt)


@func(name="RESTRAMME")
@arg("data", "raw", doc=DATA_DOC)
@arg("år", err_to_str=True, doc="Året, fx 2024")
@arg("ramme", "raw", doc="Årets ramme: et beløb (fx 5000000) eller rammeområdet med overskrifter (År, Ramme)")
@arg("pagt", err_to_str=True, doc=PAGT_DOC)
@arg("udbetalinger", "raw", doc="Valgfri: udbetalingerne inkl. overskrifterne (Sagsnr., Dato, Type, Beløb): "
     "årets tilbageførte midler lægges til")  # fmt: skip
@ret(Kroner)
@_excel_errors
def restramme(data: Any, år: Any, ramme: Any, pagt: Any = None, udbetalinger: Any = None) -> Any:
    """Restrammen for et år i kroner: årets ramme minus årets tilsagn (uden fejl) plus årets tilbageførte midler."""
    ledger = _data_cells(udbetalinger) if udbetalinger is not None else None
    return core.remaining(data, år, _data_cells(ramme), pagt, ledger)


def _data_cells(value: Any) -> Any:
    """A raw range argument with Excel's error values and empty cells cleaned (``None`` for empty)."""
    if isinstance(value, list | tuple):
        return [_data_cells(v) for v in value]
    return None if value == "" else value



@func(name="MÅLSTATUS")
@arg("data", "raw", doc="Målopfølgningens område inkl. overskrifterne År, Indikator og Antal, fx A4:E40")
@arg("indikator", err_to_str=True, doc="Indikatorens navn, fx Fuldførte STEM-erhvervsuddannelser")
@arg("år", err_to_str=True, doc="Valgfri: kun til og med dette år, fx 2023")
@arg("pagt", err_to_str=True, doc=PAGT_DOC)
@_excel_errors
def maalstatus(data: Any, indikator: Any, år: Any = None, pagt: Any = None) -> Any:
    """Målopfølgning for en indikator: år, antal, indeks, sti, på sporet/bagud, afvigelse og nødvendig stigning."""
    return core.goal_status(data, indikator, år, pagt)


# -- the commitment ledger (issue 25) ---------------------------------------------------------------------------
@func(name="UDBETALT")
@arg("data", "raw", doc="Udbetalingerne inkl. overskriftsrækken (Sagsnr., Dato, Type, Beløb), fx Udbetalinger!A4:E500")
@arg("sag", err_to_str=True, doc="Sagsnummeret, fx 2023-05")
@arg("pagt", err_to_str=True, doc=PAGT_DOC)
@ret(Kroner)
@_excel_errors
def udbetalt(data: Any, sag: Any, pagt: Any = None) -> Any:
    """Udbetalt til en sag i kroner: rater og slutrater minus tilbagebetalinger."""
    return core.paid(_data_cells(data), sag, pagt)


__all__ = ["antal", "beloeb", "bevilget", "data", "fordeling", "maalstatus", "restramme", "tema", "udbetalt", "valider"]
