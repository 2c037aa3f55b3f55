"""What python-calamine leaves out of .xls and .ods sheets, read from the files themselves.

python-calamine returns an Excel error value (``#REF!``, ``#DIV/0!``, ``#N/A`` ...) as an empty
cell in every format, and reports no merged cells for .ods; it says nothing about hidden rows
and columns. For .xlsx the guard's scan of the sheet XML finds those
(:func:`pagt_xl.ingest.guard.scan_sheets`); this module does the same for

* **.xls** (BIFF8, and BIFF5): the workbook stream's records — ``BOOLERR`` and ``FORMULA``
  records holding an error, ``ROW`` records with the hidden flag, ``COLINFO`` records with the
  hidden flag (merged cells calamine reports itself);
* **.ods**: ``content.xml`` — cells with ``calcext:value-type="error"`` (or a formula whose shown
  text is an error value), ``table:number-columns-spanned`` / ``number-rows-spanned``, rows and
  columns with ``table:visibility="collapse"`` or ``"filter"``.

Both return :class:`~pagt_xl.ingest.guard.SheetScan` per sheet name, as the .xlsx scan does, so a
sheet reads the same in every format. A file whose structure cannot be followed is refused
(:class:`~pagt_xl.base.errors.InputError`, naming what could not be read) rather than read with
its error values as blanks.
"""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

from pagt_xl.base.errors import ErrorCode, InputError
from pagt_xl.ingest.guard import Lines, SheetScan

#: BIFF error codes (the byte in a BOOLERR or FORMULA record) → the value Excel shows
BIFF_ERRORS = {
    0x00: "#NULL!",
    0x07: "#DIV/0!",
    0x0F: "#VALUE!",
    0x17: "#REF!",
    0x1D: "#NAME?",
    0x24: "#NUM!",
    0x2A: "#N/A",
    0x2B: "#GETTING_DATA",
}
#: the error values a spreadsheet shows, for .ods cells whose type says nothing
ERROR_TEXTS = frozenset({*BIFF_ERRORS.values(), "#ERR502", "Err:502", "#NAME!"})

_BOF, _EOF, _BOUNDSHEET, _ROW, _COLINFO, _BOOLERR, _FORMULA, _CODEPAGE, _FILEPASS = (
    0x0809, 0x000A, 0x0085, 0x0208, 0x007D, 0x0205, 0x0006, 0x0042, 0x002F,
)  # fmt: skip


def _refuse(name: str, what: str) -> InputError:
    return InputError(
        f"{name}: {what}; fejlværdier og skjulte rækker kan derfor ikke kontrolleres — åbn filen i Excel "
        "eller LibreOffice og gem den som .xlsx",
        file=name,
        code=ErrorCode.FILE_UNREADABLE,
    )


# -- .xls ---------------------------------------------------------------------------------------------
def scan_xls(path: Path, name: str | None = None) -> dict[str, SheetScan]:
    """Error values and hidden rows/columns of every worksheet of a .xls file, by sheet name."""
    name = name or str(path)
    import olefile

    try:
        with olefile.OleFileIO(str(path)) as ole:
            stream = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
            if stream is None:
                raise _refuse(name, "filen har ingen projektmappe-strøm (Workbook)")
            data = ole.openstream(stream).read()
    except InputError:
        raise
    except Exception as exc:  # olefile raises assorted errors on damaged containers
        raise _refuse(name, f"filens indre struktur kan ikke læses ({exc.__class__.__name__})") from None
    try:
        return _scan_biff(data)
    except _Encrypted:
        raise InputError(
            f"{name}: .xls-projektmappen er beskyttet med adgangskode (krypteret); fjern adgangskoden i Excel, "
            "eller gem filen som .xlsx og angiv den med --password",
            file=name,
            code=ErrorCode.PASSWORD_REQUIRED,
        ) from None
    except (struct.error, IndexError, ValueError) as exc:
        raise _refuse(name, f"en post i filen er beskadiget ({exc.__class__.__name__})") from None


class _Encrypted(Exception):
    """A FILEPASS record: the rest of the stream is encrypted."""


def _records(data: bytes, start: int = 0):
    """(type, position of its data, its data) for each BIFF record from ``start`` to the stream's end."""
    pos, n = start, len(data)
    while pos + 4 <= n:
        kind, size = struct.unpack_from("<HH", data, pos)
        body = pos + 4
        yield kind, body, data[body : body + size]
        pos = body + size


def _scan_biff(data: bytes) -> dict[str, SheetScan]:
    sheets: list[tuple[int, str]] = []  # (offset of the sheet's BOF, name)
    biff8 = True
    codepage = "cp1252"
    for kind, _, rec in _records(data):
        if kind == _BOF:
            biff8 = struct.unpack_from("<H", rec, 0)[0] >= 0x0600
        elif kind == _CODEPAGE and len(rec) >= 2:
            codepage = _codepage(struct.unpack_from("<H", rec, 0)[0])
        elif kind == _FILEPASS:
            raise _Encrypted
        elif kind == _BOUNDSHEET:
            offset, _state, sheet_type = struct.unpack_from("<IBB", rec, 0)
            if sheet_type == 0:  # a worksheet (not a chart, macro or VBA sheet)
                sheets.append((offset, _sheet_name(rec[6:], biff8, codepage)))
        elif kind == _EOF:
            break
    # every worksheet, also one with nothing to report: read_grids refuses a sheet this scan did not follow
    return {sheet: _scan_biff_sheet(data, offset) for offset, sheet in sheets}


def _codepage(number: int) -> str:
    if number == 1200:
        return "utf-16-le"
    if number == 10000:
        return "mac_roman"
    return f"cp{number}" if number < 10000 else "cp1252"


def _sheet_name(rec: bytes, biff8: bool, codepage: str) -> str:
    cch = rec[0]
    if not biff8:
        return rec[1 : 1 + cch].decode(codepage, errors="replace")
    if rec[1] & 1:
        return rec[2 : 2 + 2 * cch].decode("utf-16-le", errors="replace")
    return rec[2 : 2 + cch].decode("latin-1")


def _scan_biff_sheet(data: bytes, offset: int) -> SheetScan:
    scan = SheetScan()
    rows: list[int] = []
    if offset + 4 > len(data) or struct.unpack_from("<H", data, offset)[0] != _BOF:
        raise ValueError("a sheet's records do not start where the workbook says")
    for kind, _, rec in _records(data, offset):
        if kind == _EOF:
            break
        if kind == _BOOLERR and len(rec) >= 8:
            row, col = struct.unpack_from("<HH", rec, 0)
            if rec[7] == 1:
                scan.problems[(row, col)] = ("error", BIFF_ERRORS.get(rec[6], "#VALUE!"))
        elif kind == _FORMULA and len(rec) >= 14:
            row, col = struct.unpack_from("<HH", rec, 0)
            value = rec[6:14]
            if value[6:8] == b"\xff\xff" and value[0] == 2:
                scan.problems[(row, col)] = ("error", BIFF_ERRORS.get(value[2], "#VALUE!"))
        elif kind == _ROW and len(rec) >= 14:
            row = struct.unpack_from("<H", rec, 0)[0]
            if struct.unpack_from("<H", rec, 12)[0] & 0x0020:  # fDyZero: the row is hidden
                rows.append(row)
        elif kind == _COLINFO and len(rec) >= 10:
            first, last, _width, _xf, flags = struct.unpack_from("<HHHHH", rec, 0)
            if flags & 0x0001:  # fHidden
                scan.hidden_columns.append((first, last))
    scan.hidden_rows = [(r, r) for r in sorted(set(rows))]
    return scan


# -- .ods ---------------------------------------------------------------------------------------------
_NS_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_NS_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_NS_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_NS_CALCEXT = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"
_T = f"{{{_NS_TABLE}}}"
_TABLE, _ROW_TAG, _CELL, _COVERED, _COLUMN = (f"{_T}table", f"{_T}table-row", f"{_T}table-cell",
                                              f"{_T}covered-table-cell", f"{_T}table-column")  # fmt: skip
_REPEAT_ROWS, _REPEAT_COLS = f"{_T}number-rows-repeated", f"{_T}number-columns-repeated"
_SPAN_ROWS, _SPAN_COLS = f"{_T}number-rows-spanned", f"{_T}number-columns-spanned"
_VISIBILITY, _FORMULA_ATTR, _NAME = f"{_T}visibility", f"{_T}formula", f"{_T}name"
_CALC_TYPE = f"{{{_NS_CALCEXT}}}value-type"
_VALUE_TYPE = f"{{{_NS_OFFICE}}}value-type"
_P = f"{{{_NS_TEXT}}}p"
#: markers in content.xml: without any of them there is nothing to find and the XML is not parsed
_MARKERS = (b'value-type="error"', b"number-rows-spanned", b"number-columns-spanned", b"table:visibility=", b">#")
_CHUNK = 4 * 1024 * 1024


def scan_ods(path: Path, name: str | None = None) -> dict[str, SheetScan]:
    """Error values, merged cells and hidden rows/columns of each sheet of an .ods file, by sheet name.

    The guard has checked the package (sizes, DTDs) before; ``content.xml`` is streamed.
    """
    name = name or str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            if "content.xml" not in zf.namelist():
                raise _refuse(name, "filen har ingen content.xml (ikke et OpenDocument-regneark)")
            if not _has_markers(zf):
                return {}
            with zf.open("content.xml") as fh:
                return _scan_content(fh)
    except InputError:
        raise
    except zipfile.BadZipFile:
        raise _refuse(name, "filen er beskadiget (ufuldstændig zip-pakke)") from None
    except Exception as exc:  # defusedxml refuses DTDs and entities; a broken XML is a ParseError
        raise _refuse(name, f"content.xml kan ikke læses sikkert ({exc.__class__.__name__})") from None


def _has_markers(zf: zipfile.ZipFile) -> bool:
    tail = b""
    with zf.open("content.xml") as fh:
        while block := fh.read(_CHUNK):
            chunk = tail + block
            if any(m in chunk for m in _MARKERS):  # ">#": a shown error value ("#REF!") without a type
                return True
            tail = chunk[-64:]
    return False


def _repeat(el, attr: str) -> int:
    try:
        return max(1, int(el.get(attr, "1")))
    except ValueError:
        return 1


def _scan_content(fh) -> dict[str, SheetScan]:
    from defusedxml.ElementTree import iterparse

    out: dict[str, SheetScan] = {}
    scan: SheetScan | None = None
    sheet = ""
    row = col = column_pos = 0
    rows_hidden: Lines = []
    merged: list[tuple[tuple[int, int], tuple[int, int]]] = []
    stack: list = []  # the open elements: a row or cell read is dropped from its parent (memory stays flat)
    for event, el in iterparse(fh, events=("start", "end")):
        tag = el.tag
        if event == "start":
            stack.append(el)
            if tag == _TABLE:
                sheet, scan = el.get(_NAME, ""), SheetScan()
                row = column_pos = 0
                rows_hidden, merged = [], []
            elif tag == _ROW_TAG:
                col = 0
            continue
        stack.pop()
        if scan is None:
            continue
        if tag == _COLUMN:
            n = _repeat(el, _REPEAT_COLS)
            if el.get(_VISIBILITY, "visible") != "visible":
                scan.hidden_columns.append((column_pos, column_pos + n - 1))
            column_pos += n
        elif tag in (_CELL, _COVERED):
            n = _repeat(el, _REPEAT_COLS)
            if tag == _CELL:
                text = _shown_error(el)
                if text is not None:
                    for k in range(n):
                        scan.problems[(row, col + k)] = ("error", text)
                spans = _repeat(el, _SPAN_ROWS), _repeat(el, _SPAN_COLS)
                if spans != (1, 1):
                    merged.append(((row, col), (row + spans[0] - 1, col + spans[1] - 1)))
            col += n
            _drop(stack, el)
        elif tag == _ROW_TAG:
            n = _repeat(el, _REPEAT_ROWS)
            if el.get(_VISIBILITY, "visible") != "visible":
                rows_hidden.append((row, row + n - 1))
            row += n
            _drop(stack, el)
        elif tag == _TABLE:
            scan.hidden_rows = rows_hidden
            scan.merged = merged
            if scan:
                out[sheet] = scan
            scan = None
            _drop(stack, el)
    return out


def _drop(stack: list, el) -> None:
    """Remove ``el`` (just read) from its parent, the last open element."""
    el.clear()
    if stack and len(stack[-1]) and stack[-1][-1] is el:
        del stack[-1][-1]


def _shown_error(el) -> str | None:
    """The error value a cell shows, ``None`` for a cell with a value (or an ordinary text)."""
    if el.get(_CALC_TYPE) == "error":
        return _text(el) or "#VALUE!"
    if el.get(_FORMULA_ATTR) is not None and el.get(_VALUE_TYPE) in (None, "string"):
        text = _text(el)
        if text in ERROR_TEXTS:
            return text
    return None


def _text(el) -> str:
    return "".join("".join(p.itertext()) for p in el.iter(_P)).strip()
