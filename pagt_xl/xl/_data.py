"""Excel's values as the core's grids (internal to :mod:`pagt_xl.xl`; no xlwings import).

Cell functions get a range as a 2-D list (or a DataFrame); button scripts get a
book. Both become :class:`pagt_xl.ingest.grid.Grid` objects, so the core's own
header detection and reading (:func:`pagt_xl.pipeline.run_validation_grids`)
does the work, exactly as for files.

A range is validated once per content: results are cached by a hash of the
values, so that recalculating the same range (Excel does that for every formula
that refers to it) costs a hash, not a parse.

``PAGT.DATA`` goes one step further: it packs a range once (:func:`pack_data`)
into a text that xlwings keeps in its object cache (in memory, or Redis with
several workers) behind an object handle; the other functions then get a
:class:`DataRef` instead of the range and find the validation by its hash,
without receiving, hashing or parsing the range again. A worker that has not
seen the range yet unpacks the rows from the handle and validates them once.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import marshal
import pickle
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pandas as pd

from pagt_xl.base import _gc
from pagt_xl.base.config import Pact, available_pacts, load_pact
from pagt_xl.base.errors import ErrorCode, PagtError
from pagt_xl.ingest.grid import Grid
from pagt_xl.pipeline import Validation, run_validation_grids
from pagt_xl.xl.settings import ServerSettings, current_settings

T = TypeVar("T")

#: Most results remembered per range (one per distinct formula, e.g. PAGT.BEVILGET per year and theme).
MAX_DERIVED = 4096
NO_HEADER = (
    "ingen genkendelig overskriftsrække i området (forventede fx År, Projekttitel, Indsatsområde, "
    "Afgørelse, Støttebeløb); tag overskrifterne med, fx A1:N49 eller Tabel1[#Alle]"
)


class CellError(PagtError):
    """A problem to show in a cell or a message box, e.g. ``#PAGT: ukendt indsatsområde 'Blå økonomi'``."""

    default_code = ErrorCode.CELL_ARGUMENT

    def __init__(self, message: str) -> None:
        super().__init__(message if message.startswith("#PAGT") else f"#PAGT: {message}")


#: What a packed range starts with (see :func:`pack_data`); the version changes when the format does.
HANDLE_PREFIX = "pagt-data:1:"


@dataclass(frozen=True)
class DataRef:
    """A range packed by ``PAGT.DATA``: its pact, its content hash and its rows (compressed JSON).

    Only built by :func:`unpack_data` from a text the server itself stored, never from a cell's text.
    """

    pact_key: str
    digest: str
    packed: str = field(repr=False)

    def rows(self) -> list[list[Any]]:
        """The range's rows, as they were sent to ``PAGT.DATA``."""
        raw = zlib.decompress(base64.b64decode(self.packed))
        return json.loads(raw, object_hook=_from_json)


def _to_json(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return {"__date__": value.isoformat(), "__datetime__": isinstance(value, dt.datetime)}
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if value is pd.NA or value is pd.NaT:
        return None
    raise TypeError(f"kan ikke gemme {type(value).__name__} i et PAGT.DATA-objekt")


def _from_json(obj: dict[str, Any]) -> Any:
    if "__date__" in obj:
        cls = dt.datetime if obj.get("__datetime__") else dt.date
        return cls.fromisoformat(obj["__date__"])
    return obj


@dataclass
class _Entry:
    validation: Validation
    derived: dict[Hashable, Any] = field(default_factory=dict)
    #: bytes of the validation (measured once, :func:`deep_size`)
    base: int = 0
    #: bytes of the derived results (each measured as it is added)
    extra: int = 0
    #: the cache key it is kept under
    key: tuple[str, str] = ("", "")

    @property
    def size(self) -> int:
        """Bytes the entry holds."""
        return self.base + self.extra


_cache: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
_cache_lock = threading.Lock()
_cache_bytes = 0


def deep_size(obj: Any) -> int:
    """Bytes held by ``obj`` and everything it refers to (each object counted once).

    DataFrames and Series count their ``memory_usage(deep=True)``; containers,
    dataclasses, pydantic models and plain objects are walked. Pacts, modules,
    types and functions are shared by every entry and not counted. An estimate
    in the way ``sys.getsizeof`` is one (allocator overhead not included), fast
    enough to run once per validated range (a 10,000-row range: a few ms).
    """
    import sys

    seen: set[int] = set()
    total = 0
    stack = [obj]
    while stack:
        item = stack.pop()
        if id(item) in seen or item is None or isinstance(item, _SHARED_TYPES):
            continue
        seen.add(id(item))
        if isinstance(item, pd.DataFrame | pd.Series | pd.Index):
            usage = item.memory_usage(deep=True)
            total += int(usage.sum()) if hasattr(usage, "sum") else int(usage)
            continue
        total += sys.getsizeof(item)
        if isinstance(item, str | bytes | int | float | bool | complex | dt.date | dt.datetime):
            continue
        if isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            # plain values (most of a range's columns) are counted here, each as if it were its own object
            atoms = [x for x in item if type(x) in _ATOMS]
            total += sum(map(sys.getsizeof, atoms))
            if len(atoms) != len(item):
                stack.extend(x for x in item if type(x) not in _ATOMS)
        else:
            fields = getattr(item, "__dict__", None)
            if fields is not None:
                stack.append(fields)
            for name in getattr(type(item), "__slots__", ()):
                stack.append(getattr(item, name, None))
    return total


_SHARED_TYPES: tuple[type, ...] = (Pact, type, type(deep_size), type(threading))
_ATOMS = frozenset({str, int, float, bool, bytes})


def cache_bytes() -> int:
    """Bytes the range cache of this process holds now (see :func:`deep_size`)."""
    return _cache_bytes


def _cache_limit() -> int:
    return int(current_settings().range_cache_mb * 1024 * 1024)


def _keep(key: tuple[str, str], entry: _Entry) -> None:
    """Add ``entry`` to the cache, then drop the least recently used entries beyond the byte limit.

    The newest entry always stays (a range larger than the limit is still
    answered, and forgotten when the next one comes).
    """
    global _cache_bytes
    limit = _cache_limit()
    with _cache_lock:
        old = _cache.pop(key, None)
        if old is not None:
            _cache_bytes -= old.size
        _cache[key] = entry
        _cache_bytes += entry.size
        while len(_cache) > 1 and _cache_bytes > limit:
            _, dropped = _cache.popitem(last=False)
            _cache_bytes -= dropped.size
_pacts: dict[str, Pact] = {}


def pact_named(name: object = None, *, settings: ServerSettings | None = None) -> Pact:
    """A shipped pact by name from a cell or a setting; ``None``/empty: the default pact of ``settings``.

    ``settings``: ``None`` means :func:`~pagt_xl.xl.settings.current_settings`
    (whose ``pact`` is ``PAGT_XL_PACT``, else Nordjylland).

    Only the names of shipped pacts are accepted (never a path: the text comes
    from a workbook, and on the server that workbook is not trusted).
    """
    text = str(name).strip().lower() if name not in (None, "") else ""
    text = text or (settings or current_settings()).pact
    if text not in _pacts:
        if text not in available_pacts():
            raise CellError(f"ukendt pagt '{text}'; brug {' eller '.join(available_pacts())}")
        _pacts[text] = load_pact(text)
    return _pacts[text]


#: Types passed through as they are (most cells); anything else goes through :func:`_cell`.
_PLAIN = frozenset({str, int, float, bool})


def _cell(value: Any) -> Any:
    """One cell as the core reads it: ``""`` when empty, error values as their text ("#N/A")."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, dict):  # Office.js: {"type": "Error", "basicValue": "#N/A"}, formatted numbers
        return _cell(value.get("basicValue"))
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, float) and value != value:  # NaN from a DataFrame
        return ""
    if hasattr(value, "item") and not isinstance(value, str | bytes):  # numpy scalars
        return value.item()
    return value


def rows_of(values: Any) -> list[list[Any]]:
    """A range as a list of rows: accepts a 2-D list/tuple, a single row, a DataFrame (header = columns)."""
    if values is None or isinstance(values, str | bytes | int | float | dt.date):
        raise CellError("data skal være et område med overskriftsrække, fx A1:N49 eller Tabel1[#Alle]")
    columns = getattr(values, "columns", None)
    if columns is not None and hasattr(values, "itertuples"):  # a DataFrame: missing values become empty cells
        body = values.astype(object).where(values.notna(), None)
        return [list(columns), *(list(r) for r in body.itertuples(index=False, name=None))]
    rows = list(values)
    if rows and not isinstance(rows[0], list | tuple):
        rows = [rows]
    return [list(r) if isinstance(r, list | tuple) else [r] for r in rows]


def grid_from_values(
    values: Iterable[Iterable[Any]],
    *,
    book: str,
    sheet: str,
    first_row: int = 1,
    first_column: int = 1,
    visible: bool = True,
) -> Grid:
    """A :class:`Grid` from 2-D values whose top-left cell is at (``first_row``, ``first_column``), 1-based.

    Rows and columns before the range are padded with ``""``, so that every cell
    keeps its sheet address (issues point to E34, not to the 31st row of a range).
    """
    # each row copied once (new lists); only a row holding something other than plain values is converted cell by cell
    body = [
        row if _PLAIN.issuperset(map(type, row)) else [v if type(v) in _PLAIN else _cell(v) for v in row]
        for row in map(list, values)
    ]
    width = max((len(r) for r in body), default=0)
    pad = [""] * (first_column - 1)
    rows = [[""] * (first_column - 1 + width) for _ in range(first_row - 1)]
    # body's rows are new lists: a full-width row without padding is kept as it is
    rows += [r if not pad and len(r) == width else pad + r + [""] * (width - len(r)) for r in body]
    return Grid(file=book, sheet=sheet, rows=rows, visible=visible)


def _digest(values: Any) -> str:
    """A hash of a range's values (what the cache is keyed on)."""
    if hasattr(values, "columns") and hasattr(values, "itertuples"):  # a DataFrame
        values = rows_of(values)
    try:
        # marshal format 2 (no back-references, so the same values give the same bytes whatever objects
        # they share) is three times quicker than pickle on what Excel sends: lists of str, float, bool
        data = b"m" + marshal.dumps(values, 2)
    except ValueError:  # a value marshal does not know (a date, a DataFrame's own types)
        try:
            data = b"p" + pickle.dumps(values, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            data = b"r" + repr(values).encode("utf-8", "surrogatepass")
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _entry(values: Any, pact: Pact, digest: str | None = None) -> _Entry:
    if isinstance(values, DataRef):
        digest = values.digest
    key = (pact.key, digest or _digest(values))
    with _cache_lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit
    with _gc.paused():
        rows = values.rows() if isinstance(values, DataRef) else _as_rows(values)
        grid = grid_from_values(rows, book="Excel", sheet="område")  # the one pass over the cells
        if not any(v != "" for r in grid.rows for v in r):
            raise CellError("området er tomt; markér oversigten inkl. overskriftsrækken")
        result = validate_grids("Excel", [grid], pact)
        del rows, grid
        if result.fatal or (result.table.empty and not result.overview.sheets):
            raise CellError(NO_HEADER)
        entry = _Entry(result, base=deep_size(result), key=key)
        _keep(key, entry)
        _gc.settle()  # the new range's objects are acyclic: never walk them (see pagt_xl.base._gc)
    return entry


def _as_rows(values: Any) -> Any:
    """``values`` itself when it already is a list of rows (what Excel sends), else :func:`rows_of`."""
    if isinstance(values, list | tuple) and values and all(isinstance(r, list | tuple) for r in values):
        return values
    return rows_of(values)


def validate_values(values: Any, pact: Pact) -> Validation:
    """Validate a range (header row included, anywhere in its first 40 rows). Cached by content.

    Cell addresses in the issues are relative to the range: its top-left cell is A1.
    Raises :class:`CellError` when the range is empty or has no recognisable header row.
    """
    return _entry(values, pact).validation


def derived(values: Any, pact: Pact, key: Hashable, compute: Callable[[Validation], T]) -> T:
    """``compute(validation)`` for a range, remembered with the range's validation under ``key``.

    A breakdown of an unchanged range is then computed once, however many cells ask for it.
    """
    global _cache_bytes
    entry = _entry(values, pact)
    if key not in entry.derived:
        value = compute(entry.validation)
        grown = deep_size(value) + deep_size(key)
        with _cache_lock:
            kept = _cache.get(entry.key) is entry
            if len(entry.derived) >= MAX_DERIVED:
                entry.derived.clear()
                if kept:
                    _cache_bytes -= entry.extra
                entry.extra = 0
            entry.derived[key] = value
            entry.extra += grown
            if kept:
                _cache_bytes += grown
    return entry.derived[key]





def pack_data(values: Any, pact: Pact) -> tuple[str, Validation]:
    """Validate a range once and pack it for xlwings' object cache: ``(text, validation)``.

    The text is ``pagt-data:1:<pact>:<hash>:<rows as zlib-compressed JSON, base64>``: one string, so that
    xlwings Server's serializers (and Redis) store it as it is and read it back in a millisecond or two.
    Raises :class:`CellError` as :func:`validate_values` does.
    """
    rows = rows_of(values)
    digest = _digest(rows)
    validation = _entry(rows, pact, digest).validation
    raw = json.dumps(rows, default=_to_json, ensure_ascii=False, separators=(",", ":")).encode()
    packed = base64.b64encode(zlib.compress(raw, 6)).decode("ascii")
    return f"{HANDLE_PREFIX}{pact.key}:{digest}:{packed}", validation


def unpack_data(text: Any) -> DataRef | None:
    """The :class:`DataRef` in a text made by :func:`pack_data`; ``None`` for any other value."""
    if not isinstance(text, str) or not text.startswith(HANDLE_PREFIX):
        return None
    pact_key, digest, packed = text[len(HANDLE_PREFIX) :].split(":", 2)
    return DataRef(pact_key, digest, packed)


def validate_grids(book: str, grids: list[Grid], pact: Pact) -> Validation:
    """Read and validate a book's grids with the core (header detection, rules), as for a file."""
    return run_validation_grids([(book, grids)], pact)


def clear_cache() -> None:
    """Forget every cached range (tests, benchmarks)."""
    global _cache_bytes
    with _cache_lock:
        _cache.clear()
        _cache_bytes = 0
