"""How much memory reading a workbook will take, found before the reader allocates it (internal to the guard).

python-calamine makes each sheet one dense block of cells from its first to its last value, 32 bytes a
cell, and the grid handed to Python is a list slot more per cell from A1 (``to_python``). Where the cells
*claim* to be decides the size, not how many there are: one value at ``ZZ999999`` beside ``A1`` is
700 million cells (22 GB, and the process aborts), whatever the declared ``<dimension>`` says. Every
reference to a shared string is a copy of its text, in Rust and again in Python: 30,000 cells pointing
at one 32 KB text are 2 GB from a file of a few hundred KB.

So the guard measures, per sheet, the real extent of the cells that hold a value (the ``r`` attribute
of every ``<c>``, or the position calamine gives a cell without one) and the bytes of shared text the
cells copy, and refuses a workbook whose estimate is above :data:`MAX_READ_BYTES` — before calamine
opens it. The scan of an .xlsx sheet reuses the ``"<"`` positions the guard's text scan has found
(numpy): for an ordinary sheet (every cell's ``r`` first) no regular expression runs over the XML.
Other sheets (no ``r``, other attribute order, a namespace prefix) are scanned exactly, tag by tag.
.xlsb sheets are walked record by record, .ods tables with their repeat counts.
"""

from __future__ import annotations

import re
import struct
import zipfile
from dataclasses import dataclass
from typing import Any

from pagt_xl.base.errors import ErrorCode, InputError
from pagt_xl.base.model import column_letter

#: cells of one sheet from A1 to its farthest value (rows × columns); 16 million cells are about 640 MB
#: in calamine and Python together, and 15 times the largest overview a secretariat keeps
MAX_CELLS = 16_000_000
#: bytes a read may take by the estimate below, all sheets together; with Python and pandas (about 150 MB)
#: a read stays under 1 GB
MAX_READ_BYTES = 700_000_000
#: the estimate's bytes per cell from A1 to the farthest value (a calamine cell of 32 bytes, a list slot of 8)
CELL_BYTES = 40
#: each shared text a cell refers to is copied twice (a Rust String, a Python str)
COPIES = 2


def _mb(n: int) -> str:
    return f"{n / 1_000_000:,.0f}".replace(",", ".")


def _count(n: int) -> str:
    return f"{n:,}".replace(",", ".")


@dataclass
class SheetExtent:
    """What reading one sheet holds: the farthest value's row and column (1-based), the values, shared text."""

    part: str
    rows: int = 0
    cols: int = 0
    values: int = 0
    shared_bytes: int = 0

    @property
    def cells(self) -> int:
        """Cells from A1 to the farthest row and column (what the grid holds)."""
        return self.rows * self.cols

    def cost(self) -> int:
        """The estimate in bytes: :data:`CELL_BYTES` per cell, :data:`COPIES` of every shared text referred to."""
        return CELL_BYTES * self.cells + COPIES * self.shared_bytes


class Budget:
    """The estimate of a whole workbook, sheet by sheet; refuses as soon as a bound is passed."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.done: list[SheetExtent] = []

    def check(self, sheet: SheetExtent) -> None:
        """Raise :class:`InputError` when ``sheet`` alone is too far, or all sheets so far are too much."""
        if sheet.cells > MAX_CELLS:
            raise InputError(
                f"{self.name}: arket ({sheet.part}) har celler ud til kolonne {sheet.cols} "
                f"({column_letter(sheet.cols - 1)}) og række {sheet.rows}: {_count(sheet.cells)} celler fra A1, "
                f"over grænsen på {_count(MAX_CELLS)}; slet tomme rækker/kolonner i Excel og gem igen",
                file=self.name,
                code=ErrorCode.FILE_UNSAFE,
            )
        sheets = [*self.done, sheet]
        total = sum(s.cost() for s in sheets)
        if total > MAX_READ_BYTES:
            cells = sum(s.cells for s in sheets)
            text = sum(s.shared_bytes for s in sheets)
            raise InputError(
                f"{self.name}: at læse filen ville kræve omkring {_mb(total)} MB hukommelse "
                f"({_count(cells)} celler fra A1 i {len(sheets)} ark, {_mb(text)} MB delt tekst kopieret ind i "
                f"cellerne); grænsen er {_mb(MAX_READ_BYTES)} MB — slet tomme rækker/kolonner og overflødige ark, "
                "eller del filen op",
                file=self.name,
                code=ErrorCode.FILE_UNSAFE,
            )

    def add(self, sheet: SheetExtent) -> None:
        """Count a finished sheet (after a last :meth:`check`)."""
        self.check(sheet)
        self.done.append(sheet)


# -- .xlsx / .xlsm ----------------------------------------------------------------------------------
_LT, _GT, _SLASH, _QUOTE, _SPACE = (ord(c) for c in '<>/" ')
_C, _R, _V, _F, _I, _EQ, _S, _T = (ord(c) for c in "crvfi=st")
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:worksheet[\s>]")


class _Clipped:
    """``a[index]`` for an array of indices, those past the end reading the last byte (``take(mode="clip")``)."""

    __slots__ = ("a",)

    def __init__(self, a: Any) -> None:
        self.a = a

    def __getitem__(self, index: Any) -> Any:
        return self.a.take(index, mode="clip")


class NeedsExact(Exception):
    """A block the fast scan cannot read (a cell without ``r`` first): the sheet is scanned again exactly."""


def shared_string_lengths(zf: zipfile.ZipFile, chunk: int) -> Any:
    """The size in bytes of each shared string's XML (``<si>`` to the next), an int64 numpy array.

    The XML size is at least the text's UTF-8 size (escapes and run formatting only add), so the
    estimate never counts less than calamine copies.
    """
    import numpy as np

    names = set(zf.namelist())
    if "xl/sharedStrings.xml" not in names:
        return np.zeros(0, np.int64)
    starts: list[Any] = []
    offset = 0
    end = 0
    carry = b""
    with zf.open("xl/sharedStrings.xml") as fh:
        while block := fh.read(chunk):
            data = carry + block
            a = np.frombuffer(data, np.uint8)
            lts = np.flatnonzero(a == _LT)
            lts = lts[lts + 3 < len(a)]  # a "<si" whose next bytes are in the next block is found there
            hit = lts[(a[lts + 1] == _S) & (a[lts + 2] == _I) & ((a[lts + 3] == _GT) | (a[lts + 3] == _SPACE))]
            starts.append(hit + offset)
            keep = len(data) - (int(lts[-1]) + 1 if len(lts) else 0)
            keep = min(keep, 3)
            carry = data[len(data) - keep :]
            offset += len(data) - keep
        end = offset + len(carry)
    found = np.concatenate(starts) if starts else np.zeros(0, np.int64)
    found = np.unique(found)
    if not len(found):
        return np.zeros(0, np.int64)
    return np.diff(np.concatenate((found, [end]))).astype(np.int64)


class XlsxSheetScan:
    """The extent of one .xlsx sheet, fed block by block with the guard's ``"<"`` positions.

    ``feed(data, a, lts, starts)``: ``data`` starts right after the previous block's last ``"<"`` (its
    tag's rest); ``a`` is ``data`` as a uint8 array, ``lts`` the positions of ``"<"`` in it, ``starts``
    where each complete tag's name starts (0, then one after each ``"<"`` but the last). The tag after
    the last ``"<"`` is carried into the next block and read there.
    """

    def __init__(self, part: str, budget: Budget, lengths: Any, exact: bool) -> None:
        self.extent = SheetExtent(part)
        self.budget = budget
        self.lengths = lengths
        self.exact = exact
        self.first = True
        self.first_exact = True
        # the exact scan's state: calamine's position for a cell without r (0-based), inside a cell
        self.row = 0
        self.col = 0
        self.cell: tuple[int, int] | None = None
        self.cell_shared = False
        self.cell_value = False

    def feed(self, data: bytes, a: Any, lts: Any, starts: Any) -> None:
        if self.first:
            self.first = False
            if _PREFIXED.search(data, 0, 4096):
                self.exact = True
        if len(lts) == 0:
            return
        if self.exact:
            self._feed_exact(data, int(lts[-1]))
        else:
            self._feed_fast(data, a, lts, starts)
        self.budget.check(self.extent)

    # the ordinary sheet: every <c r="A1" ...> with r first --------------------------------------------
    def _feed_fast(self, data: bytes, a: Any, lts: Any, starts: Any) -> None:
        import numpy as np

        ap = _Clipped(a)  # a read past the end gives the last byte: only ever past a complete tag's quote
        ends = lts  # each tag ends where the next "<" is
        is_cell = ap[starts] == _C
        cand = starts[is_cell]
        second = ap[cand + 1]
        keep = (second == _SPACE) | (second == _GT)
        is_cell[is_cell] = keep
        cell_ends = ends[is_cell]
        if not len(cell_ends):
            return
        nxt = ap[cell_ends + 1]  # the tag after the cell: <v>, <f>, <is> when it holds something
        valued = (nxt == _V) | (nxt == _F) | (nxt == _I)
        valued |= cell_ends + 1 >= len(a)  # the next tag is in the next block: counted (never too few)
        if self.lengths is not None and len(self.lengths):
            self._shared_fast(data, ap, cell_ends, nxt, int(lts[-1]))
        cells = starts[is_cell][valued]  # an empty cell holds nothing and (with every valued cell's r) moves none
        if not len(cells):
            return
        r_first = (ap[cells + 1] == _SPACE) & (ap[cells + 2] == _R) & (ap[cells + 3] == _EQ) & (ap[cells + 4] == _QUOTE)
        if not r_first.all():
            raise NeedsExact
        q = cells + 5
        letter = [(ap[q + k] >= 65) & (ap[q + k] <= 90) for k in range(3)]
        n1 = letter[0]
        n2 = n1 & letter[1]
        n3 = n2 & letter[2]
        n = n1.astype(np.int64) + n2 + n3
        c0, c1, c2 = (ap[q + k].astype(np.int64) - 64 for k in range(3))
        col = np.where(n3, c0 * 676 + c1 * 26 + c2, np.where(n2, c0 * 26 + c1, c0))
        d = q + n
        row = np.zeros(len(cells), np.int64)
        going = np.ones(len(cells), bool)
        digits = np.zeros(len(cells), np.int64)
        for k in range(8):
            x = ap[d + k]
            is_digit = going & (x >= 48) & (x <= 57)
            if not is_digit.any():
                break
            row = np.where(is_digit, row * 10 + (x.astype(np.int64) - 48), row)
            digits += is_digit
            going = is_digit
        if not (n1.all() and (digits > 0).all() and (digits < 8).all() and (ap[d + digits] == _QUOTE).all()):
            raise NeedsExact  # a column past XFD or a row past 9,999,999: read exactly
        ext = self.extent
        ext.rows = max(ext.rows, int(row.max()))
        ext.cols = max(ext.cols, int(col.max()))
        ext.values += len(cells)

    def _shared_fast(self, data: bytes, ap: Any, cell_ends: Any, nxt: Any, last: int) -> None:
        """The shared strings the block's cells refer to: ``<c ... t="s"><v>N</v>`` (t last, as every writer
        puts it); any other ``t="s"`` in the block (t elsewhere) sends it to the exact scan."""
        import numpy as np

        total = data.count(b't="s"', 0, last)
        if not total:
            return
        gt = cell_ends - 1  # the cell tag's ">"
        tail = (ap[gt] == _GT) & (ap[gt - 1] == _QUOTE) & (ap[gt - 2] == _S) & (ap[gt - 3] == _QUOTE)
        tail &= (ap[gt - 4] == _EQ) & (ap[gt - 5] == _T) & (ap[gt - 6] == _SPACE)
        if int(tail.sum()) != total:
            raise NeedsExact
        v = cell_ends[tail & (nxt == _V)] + 1  # the "v" of <v>
        v = v[ap[v + 1] == _GT]
        index = np.zeros(len(v), np.int64)
        going = np.ones(len(v), bool)
        for k in range(10):
            x = ap[v + 2 + k]
            is_digit = going & (x >= 48) & (x <= 57)
            index = np.where(is_digit, index * 10 + (x.astype(np.int64) - 48), index)
            going = is_digit
        index = index[(index >= 0) & (index < len(self.lengths))]
        self.extent.shared_bytes += int(self.lengths[index].sum())

    # anything else: tag by tag, as calamine reads it ---------------------------------------------------
    _TAG = re.compile(rb"<(/?)(?:[A-Za-z_][\w.-]*:)?(row|c|v|f|is)(?=[\s/>])([^>]*)>")
    _ATTR_R = re.compile(rb'(?:^|\s)r\s*=\s*"([^"]*)"')
    _ATTR_T = re.compile(rb'(?:^|\s)t\s*=\s*"([^"]*)"')
    _REF = re.compile(rb"([A-Za-z]+)?(\d+)?")
    _NUMBER = re.compile(rb"\s*(\d+)")

    def _feed_exact(self, data: bytes, last: int) -> None:
        # after the first block, ``data`` starts with the rest of a tag whose "<" was in the block before
        buf = data[:last] if self.first_exact else b"<" + data[:last]
        self.first_exact = False
        for m in self._TAG.finditer(buf):
            closing, name, attrs = m.group(1), m.group(2), m.group(3)
            empty = attrs.endswith(b"/")  # calamine expands <c/> to <c></c> (and <row/> likewise)
            if name == b"row":
                if not closing and (r := self._ATTR_R.search(attrs)) and r.group(1).isdigit():
                    self.row = max(int(r.group(1)) - 1, 0)
                if closing or empty:
                    self.row += 1
                    self.col = 0
            elif name == b"c":
                if not closing:
                    self.cell = self._position(attrs)
                    t = self._ATTR_T.search(attrs)
                    self.cell_shared = bool(t and t.group(1) == b"s")
                    self.cell_value = False
                if closing or empty:
                    self._end_cell()
            elif not closing and self.cell is not None:
                self.cell_value = True
                if name == b"v" and self.cell_shared and not empty:
                    number = self._NUMBER.match(buf, m.end())
                    if number is not None:
                        i = int(number.group(1))
                        if 0 <= i < len(self.lengths):
                            self.extent.shared_bytes += int(self.lengths[i])

    def _end_cell(self) -> None:
        ext = self.extent
        if self.cell is not None and self.cell_value:
            ext.rows = max(ext.rows, self.cell[0] + 1)
            ext.cols = max(ext.cols, self.cell[1] + 1)
            ext.values += 1
        self.cell = None
        self.col += 1

    def _position(self, attrs: bytes) -> tuple[int, int]:
        r = self._ATTR_R.search(attrs)
        if r is None:
            return self.row, self.col
        ref = self._REF.fullmatch(r.group(1).upper())
        if ref is None or not ref.group(1) or not ref.group(2):
            return self.row, self.col
        col = 0
        for ch in ref.group(1):
            col = col * 26 + (ch - 64)
        self.col = col - 1
        return int(ref.group(2)) - 1, col - 1

    def finish(self) -> SheetExtent:
        """The sheet's extent, counted in the workbook's budget."""
        self.budget.add(self.extent)
        return self.extent


# -- .xlsb ----------------------------------------------------------------------------------------
_XLSB_CELLS = {2, 3, 4, 5, 6, 7, 8, 9, 10, 11}  # BrtCellRk ... BrtFmlaError (BrtCellBlank 1 holds nothing)
_XLSB_ROW, _XLSB_END = 0x0000, 0x0092


def xlsb_extents(zf: zipfile.ZipFile, name: str, budget: Budget) -> None:
    """Walk each .xlsb sheet's records (BrtRowHdr, the cell records) as calamine does; refuse when too far."""
    import numpy as np

    names = zf.namelist()
    lengths = _xlsb_shared_lengths(zf) if "xl/sharedStrings.bin" in names else np.zeros(0, np.int64)
    for part in names:
        if part.startswith("xl/worksheets/") and part.endswith(".bin"):
            budget.add(_xlsb_sheet(zf.read(part), part, budget, lengths))


def _records(data: bytes) -> Any:
    """(type, payload start, payload end) of each BIFF12 record."""
    i, n = 0, len(data)
    while i < n:
        typ = data[i]
        i += 1
        if typ & 0x80:
            if i >= n:
                return
            typ = (typ & 0x7F) | ((data[i] & 0x7F) << 7)
            i += 1
        size = shift = 0
        for _ in range(4):
            if i >= n:
                return
            b = data[i]
            i += 1
            size |= (b & 0x7F) << shift
            shift += 7
            if not b & 0x80:
                break
        yield typ, i, min(i + size, n)
        i += size


def _xlsb_sheet(data: bytes, part: str, budget: Budget, lengths: Any) -> SheetExtent:
    ext = SheetExtent(part)
    row = 0
    u32 = struct.Struct("<I")
    for typ, start, end in _records(data):
        if typ == _XLSB_ROW and end - start >= 4:
            row = u32.unpack_from(data, start)[0]
            if row > 0x0010_0000:
                break
        elif typ in _XLSB_CELLS and end - start >= 8:
            col = u32.unpack_from(data, start)[0]
            ext.rows = max(ext.rows, row + 1)
            ext.cols = max(ext.cols, col + 1)
            ext.values += 1
            if typ == 7 and end - start >= 12:
                i = u32.unpack_from(data, start + 8)[0]
                if i < len(lengths):
                    ext.shared_bytes += int(lengths[i])
            if ext.values % 65536 == 0:
                budget.check(ext)
        elif typ == _XLSB_END:
            break
    return ext


def _xlsb_shared_lengths(zf: zipfile.ZipFile) -> Any:
    """The payload size of each BrtSSTItem (19) of sharedStrings.bin: at least its text's UTF-16 bytes."""
    import numpy as np

    data = zf.read("xl/sharedStrings.bin")
    return np.array([end - start for typ, start, end in _records(data) if typ == 19], np.int64)


# -- .xls (BIFF8) -------------------------------------------------------------------------------------
#: cell records (row and column first): NUMBER, LABEL, BOOLERR, RK, LABELSST, RSTRING, FORMULA; MULRK/MULBLANK
_BIFF_CELLS = {0x0203, 0x0204, 0x0205, 0x027E, 0x00FD, 0x00D6, 0x0006}
_BIFF_MULRK, _BIFF_DIMENSIONS, _BIFF_BOF, _BIFF_EOF = 0x00BD, 0x0200, 0x0809, 0x000A


def xls_extents(path: Any, name: str, budget: Budget) -> None:
    """The DIMENSIONS record of each sheet (calamine reserves rows × columns cells from it) and the cells'
    rows and columns, walked record by record in the Workbook stream. Without olefile: nothing checked."""
    try:
        import olefile
    except ImportError:  # pragma: no cover - olefile is a dependency
        return
    try:
        with olefile.OleFileIO(str(path)) as ole:
            stream = next((s for s in ("Workbook", "Book", "WORKBOOK", "BOOK") if ole.exists(s)), None)
            if stream is None:
                return
            data = ole.openstream(stream).read()
    except (OSError, ValueError, IndexError, struct.error, EOFError) as exc:
        raise InputError(
            f"{name}: .xls-filen er beskadiget ({exc.__class__.__name__}); åbn den i Excel og gem den som .xlsx",
            file=name,
            code=ErrorCode.FILE_UNREADABLE,
        ) from None
    sheet: SheetExtent | None = None
    n = 0
    i, size_of = 0, len(data)
    while i + 4 <= size_of:
        typ, size = struct.unpack_from("<HH", data, i)
        start, i = i + 4, i + 4 + size
        if typ == _BIFF_BOF:
            if sheet is not None:
                budget.add(sheet)
            n += 1  # the first substream is the workbook's globals, then one per sheet
            sheet = SheetExtent(f"nr. {n - 1} i Workbook-strømmen")
        elif sheet is None:
            continue
        elif typ == _BIFF_DIMENSIONS and size >= 14:
            first_row, last_row, first_col, last_col = struct.unpack_from("<IIHH", data, start)
            rows = max(last_row - first_row, 0)
            cols = max(last_col - first_col, 0)
            sheet.rows, sheet.cols = max(sheet.rows, rows), max(sheet.cols, cols)
            budget.check(sheet)
        elif typ in _BIFF_CELLS and size >= 4:
            row, col = struct.unpack_from("<HH", data, start)
            sheet.rows, sheet.cols = max(sheet.rows, row + 1), max(sheet.cols, col + 1)
        elif typ == _BIFF_MULRK and size >= 6:
            row, _first = struct.unpack_from("<HH", data, start)
            (last,) = struct.unpack_from("<H", data, start + size - 2)
            sheet.rows, sheet.cols = max(sheet.rows, row + 1), max(sheet.cols, last + 1)
        elif typ == _BIFF_EOF:
            budget.add(sheet)
            sheet = None
    if sheet is not None:
        budget.add(sheet)


# -- .ods -----------------------------------------------------------------------------------------
_ODS_TAG = re.compile(rb"<(/?)table:(table-row|table-cell|covered-table-cell|table)(?=[\s/>])([^>]*)>")
_ODS_ROWS = re.compile(rb'table:number-rows-repeated\s*=\s*"(\d+)"')
_ODS_COLS = re.compile(rb'table:number-columns-repeated\s*=\s*"(\d+)"')
_ODS_VALUE = re.compile(rb"office:value-type\s*=")
#: calamine's own caps on the repeats (rows, columns)
_ODS_MAX_ROWS, _ODS_MAX_COLS = 1_048_576, 16_384


def ods_extents(zf: zipfile.ZipFile, name: str, budget: Budget, chunk: int) -> None:
    """Each table of content.xml with its repeated rows and columns expanded, as calamine expands them."""
    if "content.xml" not in zf.namelist():
        return
    scan = _OdsScan(budget)
    carry = b""
    with zf.open("content.xml") as fh:
        while block := fh.read(chunk):
            data = carry + block
            cut = data.rfind(b"<")
            cut = len(data) if cut < 0 else cut
            scan.feed(data[:cut])
            carry = data[cut:]
    scan.feed(carry)
    scan.close_table()


class _OdsScan:
    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.table = 0
        self.ext: SheetExtent | None = None
        self.rows = 0  # rows so far in this table (repeats expanded)
        self.row_repeat = 1
        self.row_cols = 0  # columns so far in this row
        self.row_last = 0  # columns to the row's last value
        self.cell_repeat = 1
        self.cell_value = False

    def feed(self, data: bytes) -> None:
        for m in _ODS_TAG.finditer(data):
            closing, tag, attrs = m.group(1), m.group(2), m.group(3)
            empty = attrs.endswith(b"/")
            if tag == b"table":
                if closing:
                    self.close_table()
                else:
                    self.table += 1
                    self.ext = SheetExtent(f"content.xml, tabel {self.table}")
                    self.rows = 0
            elif tag == b"table-row" and self.ext is not None:
                if not closing:
                    rep = _ODS_ROWS.search(attrs)
                    self.row_repeat = min(int(rep.group(1)), _ODS_MAX_ROWS) if rep else 1
                    self.row_cols = self.row_last = 0
                if closing or empty:
                    self._end_row()
            elif self.ext is not None:  # a cell
                if closing:
                    self._end_cell()
                    continue
                rep = _ODS_COLS.search(attrs)
                self.cell_repeat = min(int(rep.group(1)), _ODS_MAX_COLS) if rep else 1
                self.cell_value = bool(_ODS_VALUE.search(attrs))
                if empty:
                    self._end_cell()
                else:
                    self.cell_value = True  # text inside: calamine reads it as a value

    def _end_cell(self) -> None:
        self.row_cols = min(self.row_cols + self.cell_repeat, _ODS_MAX_COLS)
        if self.cell_value:
            self.row_last = self.row_cols
            assert self.ext is not None
            self.ext.values += self.cell_repeat
        self.cell_repeat, self.cell_value = 1, False

    def _end_row(self) -> None:
        ext = self.ext
        assert ext is not None
        self.rows = min(self.rows + self.row_repeat, _ODS_MAX_ROWS)
        if self.row_last:
            ext.rows = self.rows
            ext.cols = max(ext.cols, self.row_last)
            ext.values += self.row_last * (self.row_repeat - 1)  # the repeated copies of the row
            self.budget.check(ext)
        self.row_repeat, self.row_cols, self.row_last = 1, 0, 0

    def close_table(self) -> None:
        if self.ext is not None:
            self.budget.add(self.ext)
        self.ext = None
