"""Checks made before any reader touches a file.

python-calamine aborts the whole process (not an exception) when a sheet's cells
need more memory than there is, and happily inflates zip bombs; so the zip
container, each sheet's ``<dimension>``, the real extent of its cells and the
text they copy (:mod:`pagt_xl.ingest.extent`) are inspected first, cheaply.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pagt_xl.ingest.extent as extent
from pagt_xl.base.errors import ErrorCode, InputError

#: Formats python-calamine reads. .xlsx/.xlsm are the documented ones.
ZIP_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".ods"}
OTHER_SUFFIXES = {".xls"}
SUPPORTED_SUFFIXES = ZIP_SUFFIXES | OTHER_SUFFIXES

MAX_UNCOMPRESSED = 2_000_000_000  # bytes, whole archive
MAX_RATIO = 200  # uncompressed/compressed for any entry above MAX_SMALL_ENTRY
MAX_SMALL_ENTRY = 20_000_000
MAX_CELLS = 60_000_000  # declared rows × columns of one sheet (the real extent: pagt_xl.ingest.extent.MAX_CELLS)
#: Excel's own limit on the characters in one cell; a longer text was not saved by Excel
MAX_CELL_CHARS = 32_767
#: bytes one cell's text can take in the XML at most: every character escaped (``_x0001_`` is 7 bytes)
MAX_CELL_BYTES = 7 * MAX_CELL_CHARS
#: bytes of the unpacked shared-strings part (all text of a workbook, each distinct text once); 100 MB is
#: about 2 million distinct titles of 40 characters, far above any overview, and keeps a read under 1 GB
MAX_SHARED_STRINGS = 100_000_000
SHARED_STRING_PARTS = ("xl/sharedStrings.xml", "xl/sharedStrings.bin")

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)?(\d+)?(?::([A-Z]+)(\d+))?"')


def column_index(letters: str) -> int:
    """1-based column number of ``"A"``, ``"XFD"``... (the inverse of :func:`pagt_xl.ingest.grid.column_letter`).

    Same result as openpyxl's ``column_index_from_string`` (a test checks every column).
    """
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def check_file(path: Path) -> None:
    """Raise :class:`InputError` unless ``path`` looks like a readable, sane workbook."""
    name = str(path)
    if not path.exists():
        raise InputError(f"{name}: filen findes ikke", file=name, code=ErrorCode.FILE_NOT_FOUND)
    if path.is_dir():
        raise InputError(f"{name}: er en mappe, ikke en projektmappe", file=name, code=ErrorCode.NOT_A_WORKBOOK)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{name}: ikke en Excel-projektmappe (filtypen '{suffix or 'ingen'}' understøttes ikke; "
            "gem filen som .xlsx)",
            file=name,
            code=ErrorCode.NOT_A_WORKBOOK,
        )
    size = path.stat().st_size
    if size == 0:
        raise InputError(f"{name}: filen er tom (0 byte)", file=name, code=ErrorCode.NOT_A_WORKBOOK)
    with path.open("rb") as fh:
        head = fh.read(8)
    if suffix in ZIP_SUFFIXES:
        if head.startswith(_OLE_MAGIC) and not _is_encrypted_package(path):
            raise InputError(
                f"{name}: gammelt .xls-format (Excel 97-2003) med filtypen '{suffix}'; "
                "åbn filen i Excel og gem den som .xlsx (eller giv den filtypen .xls)",
                file=name,
                code=ErrorCode.NOT_A_WORKBOOK,
            )
        if head.startswith(_OLE_MAGIC):
            raise InputError(
                f"{name}: projektmappen er beskyttet med adgangskode (krypteret); "
                "angiv den med --password, eller fjern den i Excel (Filer › Oplysninger › Beskyt projektmappe)",
                file=name,
                code=ErrorCode.PASSWORD_REQUIRED,
            )
        if not head.startswith(b"PK"):
            raise InputError(
                f"{name}: ikke en gyldig Excel-projektmappe (filen er ikke en zip-pakke); "
                "åbn den i Excel og gem den igen som .xlsx",
                file=name,
                code=ErrorCode.NOT_A_WORKBOOK,
            )
        _check_zip(path)
    elif not head.startswith(_OLE_MAGIC):
        raise InputError(
            f"{name}: ikke en gyldig .xls-projektmappe; åbn den i Excel og gem den som .xlsx",
            file=name,
            code=ErrorCode.NOT_A_WORKBOOK,
        )
    else:
        extent.xls_extents(path, name, extent.Budget(name))


_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")  # the stream name in the OLE directory


def _is_encrypted_package(path: Path) -> bool:
    """Whether an OLE container holds an encrypted .xlsx (an ``EncryptedPackage`` stream), not a BIFF .xls."""
    with path.open("rb") as fh:
        tail = b""
        while block := fh.read(_CHUNK):
            if _ENCRYPTED_PACKAGE in tail + block:
                return True
            tail = block[-len(_ENCRYPTED_PACKAGE) :]
    return False


def _check_zip(path: Path) -> None:
    name = str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
            names = {i.filename for i in infos}
            suffix = path.suffix.lower()
            if suffix in (".xlsx", ".xlsm") and "xl/workbook.xml" not in names:
                kind = (
                    "et Word-dokument"
                    if "word/document.xml" in names
                    else "en PowerPoint-præsentation"
                    if "ppt/presentation.xml" in names
                    else "en zip-fil uden en projektmappe"
                )
                raise InputError(
                    f"{name}: ikke en Excel-projektmappe, men {kind}; gem data som .xlsx",
                    file=name,
                    code=ErrorCode.NOT_A_WORKBOOK,
                )
            total = sum(i.file_size for i in infos)
            if total > MAX_UNCOMPRESSED:
                raise InputError(
                    f"{name}: udpakket ville filen fylde {total / 1e9:.1f} GB; afvist som mulig zip-bombe",
                    file=name,
                    code=ErrorCode.FILE_UNSAFE,
                )
            for info in infos:
                if info.file_size > MAX_SMALL_ENTRY and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise InputError(
                        f"{name}: delen '{info.filename}' pakker sig ud {info.file_size // max(info.compress_size, 1)} "
                        "gange; afvist som mulig zip-bombe",
                        file=name,
                        code=ErrorCode.FILE_UNSAFE,
                    )
            for info in infos:
                if info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml"):
                    with zf.open(info) as fh:
                        head = fh.read(4096)
                    _check_dimension(name, info.filename, head)
            for info in infos:
                if info.filename in SHARED_STRING_PARTS or (suffix == ".ods" and info.filename == "content.xml"):
                    _check_text_part(zf, info, name)
            if suffix == ".xlsb":
                extent.xlsb_extents(zf, name, extent.Budget(name))
            elif suffix == ".ods":
                extent.ods_extents(zf, name, extent.Budget(name), _CHUNK)
    except zipfile.BadZipFile:
        raise InputError(
            f"{name}: filen er beskadiget (ufuldstændig zip-pakke); hent eller gem den igen",
            file=name,
            code=ErrorCode.FILE_UNREADABLE,
        ) from None
    except (EOFError, zipfile.LargeZipFile, NotImplementedError, OSError) as exc:
        raise InputError(
            f"{name}: filen er beskadiget ({exc.__class__.__name__})", file=name, code=ErrorCode.FILE_UNREADABLE
        ) from None


def _check_text_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str) -> None:
    """Stream a part holding the workbook's text: refuse it above :data:`MAX_SHARED_STRINGS`, or with a cell
    longer than Excel allows. Counts the bytes really unpacked, not the size the zip header claims."""
    runs = _TextRuns(name, info.filename) if info.filename.endswith(".xml") else None
    total = 0
    with zf.open(info) as fh:
        while block := fh.read(_CHUNK):
            total += len(block)
            if info.filename in SHARED_STRING_PARTS and total > MAX_SHARED_STRINGS:
                raise InputError(
                    f"{name}: projektmappens tekster ({info.filename}) fylder over "
                    f"{MAX_SHARED_STRINGS // 1_000_000} MB udpakket, langt mere end en ansøgningsoversigt; "
                    "afvist for ikke at opbruge hukommelsen — slet overflødige ark eller tekster og gem igen",
                    file=name,
                    code=ErrorCode.FILE_UNSAFE,
                )
            if runs is not None:
                runs.feed(block)


_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3}\d{1,7})"')
_EXCEL_ESCAPE = re.compile(r"_x[0-9A-Fa-f]{4}_")


class _TextRuns:
    """Finds, streamed, a text in an XML part longer than one Excel cell can hold.

    A cell's text lies between two ``<``; the longest such run is measured with numpy
    (fast on hundreds of MB), and only a run above :data:`MAX_CELL_CHARS` bytes is decoded
    to count its characters.
    """

    def __init__(self, name: str, part: str) -> None:
        self.name, self.part = name, part
        self.carry = b""  # the text after the last "<" of the previous block
        #: the last block fed (after the carry), its bytes as an array and the positions of its "<"
        self.data = b""
        self.bytes: Any = None
        self.lts: Any = None
        #: where each complete tag's name starts (0, then one after each "<" but the last)
        self.starts: Any = None

    def feed(self, block: bytes) -> None:
        import numpy as np

        data = self.carry + block
        self.data = data
        self.bytes = np.frombuffer(data, np.uint8)
        self.lts = lts = np.flatnonzero(self.bytes == 60)
        self.starts = starts = np.concatenate(([0], lts[:-1] + 1)) if len(lts) else lts
        if len(lts):
            for i in np.flatnonzero(lts - starts > MAX_CELL_CHARS):
                self._check(data, int(starts[i]), int(lts[i]))
            self.carry = data[int(lts[-1]) + 1 :]
        else:
            self.carry = data
        if len(self.carry) > MAX_CELL_BYTES:
            self._refuse(data, len(data) - len(self.carry), None)

    def _check(self, data: bytes, start: int, end: int) -> None:
        if end - start > MAX_CELL_BYTES:
            self._refuse(data, start, None)
        text = data[start:end]
        text = text[text.find(b">") + 1 :]  # a run starts with the rest of its tag: <t xml:space="preserve">
        import html

        chars = len(_EXCEL_ESCAPE.sub("_", html.unescape(text.decode("utf-8", errors="replace"))))
        if chars > MAX_CELL_CHARS:
            self._refuse(data, start, chars)

    def _refuse(self, data: bytes, start: int, chars: int | None) -> None:
        ref = None
        if self.part.startswith("xl/worksheets/"):
            refs = list(_CELL_REF.finditer(data, max(0, start - 4096), start))
            ref = refs[-1].group(1).decode() if refs else None
        where = f"cellen {ref} i '{self.part}'" if ref else f"en tekst i '{self.part}'"
        size = f"{chars:,} tegn".replace(",", ".") if chars else f"over {MAX_CELL_BYTES:,} byte".replace(",", ".")
        raise InputError(
            f"{self.name}: {where} har {size}; Excel tillader højst 32.767 tegn i en celle, så filen er ikke "
            "gemt af Excel — afkort teksten, åbn filen i Excel og gem den igen",
            file=self.name,
            code=ErrorCode.FILE_UNSAFE,
        )


def _check_dimension(name: str, part: str, head: bytes) -> None:
    m = _DIMENSION.search(head)
    if not m or not m.group(3):
        return
    last_col = column_index(m.group(3).decode())
    last_row = int(m.group(4))
    if last_col * last_row > MAX_CELLS:
        raise InputError(
            f"{name}: arket ({part}) angiver et område til {m.group(3).decode()}{last_row} "
            f"({last_col * last_row:,} celler); slet tomme rækker/kolonner i Excel og gem igen".replace(",", "."),
            file=name,
            code=ErrorCode.FILE_UNSAFE,
        )


# -- cell-level scan of .xlsx/.xlsm sheets -----------------------------------------------------------
_CHUNK = 8 * 1024 * 1024
_OVERLAP = 64 * 1024
_CELL = re.compile(rb'<c r="([A-Z]{1,3})(\d{1,7})"([^>]*)>(.*?)</c>', re.S)
_VALUE = re.compile(rb"<v>([^<]*)</v>")
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.I)

#: what a cell holds instead of a value: ("error", "#REF!") or ("formula", "SUM(A1:A3)")
CellProblems = dict[tuple[int, int], tuple[str, str]]
#: hidden rows or columns as 0-based, inclusive ranges ((first, last), ...)
Lines = list[tuple[int, int]]


@dataclass
class SheetScan:
    """What a sheet's own XML (or BIFF records) says beyond the values python-calamine returns.

    ``problems``: Excel error values and formulas without a saved value; ``hidden_rows`` /
    ``hidden_columns``: 0-based inclusive ranges; ``merged``: merged ranges when the reader does not
    report them itself (.ods), ``None`` otherwise.
    """

    problems: CellProblems = field(default_factory=dict)
    hidden_rows: Lines = field(default_factory=list)
    hidden_columns: Lines = field(default_factory=list)
    merged: list[tuple[tuple[int, int], tuple[int, int]]] | None = None

    def __bool__(self) -> bool:
        return bool(self.problems or self.hidden_rows or self.hidden_columns or self.merged)


def _sheet_parts(zf: zipfile.ZipFile) -> dict[str, str]:
    """Worksheet part name → sheet name, from workbook.xml and its relationships (defusedxml)."""
    from defusedxml import ElementTree

    ns_main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    ns_rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
    try:
        rels = ElementTree.fromstring(zf.read("xl/_rels/workbook.xml.rels"))
        book = ElementTree.fromstring(zf.read("xl/workbook.xml"))
    except KeyError:
        return {}
    targets = {r.get("Id"): r.get("Target", "") for r in rels}
    out = {}
    for sheet in book.iter(f"{ns_main}sheet"):
        target = targets.get(sheet.get(f"{ns_rel}id"), "")
        part = target.lstrip("/") if target.startswith("/") else "xl/" + target
        out[part] = sheet.get("name", "")
    return out


def scan_cells(path: Path) -> dict[str, CellProblems]:
    """Excel error values and formulas without a saved value, per sheet name (0-based row, column).

    The problems of :func:`scan_sheets`.
    """
    return {name: scan.problems for name, scan in scan_sheets(path).items() if scan.problems}


def scan_sheets(path: Path) -> dict[str, SheetScan]:
    """Per sheet name: error values, formulas without a saved value, hidden rows and columns (0-based).

    python-calamine reads both as empty cells; this scan tells them apart so that
    they are reported, never taken as blank or 0. It also refuses XML with a DTD
    (entity expansion, external entities) and sheets whose cells reach an absurd
    size even without a ``<dimension>``. Streams each sheet in chunks.
    """
    name = str(path)
    result: dict[str, SheetScan] = {}
    try:
        with zipfile.ZipFile(path) as zf:
            _refuse_dtd(zf, name)
            from defusedxml.common import DefusedXmlException

            try:
                parts = _sheet_parts(zf)
            except (DefusedXmlException, SyntaxError) as exc:
                raise InputError(
                    f"{name}: workbook.xml kan ikke læses sikkert ({exc.__class__.__name__})",
                    file=name,
                    code=ErrorCode.FILE_UNSAFE,
                ) from None
            budget = extent.Budget(name)
            lengths = extent.shared_string_lengths(zf, _CHUNK)
            for part, sheet in parts.items():
                if part in zf.namelist():
                    try:
                        scan = _scan_sheet(zf, part, name, budget, lengths, exact=False)
                    except extent.NeedsExact:  # a cell the fast scan cannot place: the sheet again, tag by tag
                        scan = _scan_sheet(zf, part, name, budget, lengths, exact=True)
                    if scan:
                        result[sheet] = scan
    except zipfile.BadZipFile:
        raise InputError(
            f"{name}: filen er beskadiget (ufuldstændig zip-pakke); hent eller gem den igen",
            file=name,
            code=ErrorCode.FILE_UNREADABLE,
        ) from None
    return result


def check_no_dtd(path: Path) -> None:
    """Raise :class:`InputError` when an XML part of a zip workbook starts with a DTD or entity declarations."""
    try:
        with zipfile.ZipFile(path) as zf:
            _refuse_dtd(zf, str(path))
    except zipfile.BadZipFile:
        raise InputError(
            f"{path}: filen er beskadiget (ufuldstændig zip-pakke); hent eller gem den igen",
            file=str(path),
            code=ErrorCode.FILE_UNREADABLE,
        ) from None


def _refuse_dtd(zf: zipfile.ZipFile, name: str) -> None:
    for info in zf.infolist():
        if info.filename.endswith((".xml", ".rels")):
            with zf.open(info) as fh:
                if _DTD.search(fh.read(4096)):
                    raise InputError(
                        f"{name}: delen '{info.filename}' indeholder en DTD/XML-entiteter, "
                        "som en projektmappe fra Excel aldrig har; afvist af sikkerhedshensyn",
                        file=name,
                        code=ErrorCode.FILE_UNSAFE,
                    )


def _scan_sheet(
    zf: zipfile.ZipFile, part: str, name: str, budget: extent.Budget, lengths: Any, *, exact: bool
) -> SheetScan:
    """One pass over a sheet's XML per block: the "<" positions that :class:`_TextRuns` finds (numpy) also
    place the cells for the extent (:class:`pagt_xl.ingest.extent.XlsxSheetScan`) and find the formulas."""
    problems: CellProblems = {}
    hidden_rows: set[int] = set()
    hidden_columns: set[tuple[int, int]] = set()
    tail = b""
    runs = _TextRuns(name, part)  # inline strings and formula text results live in the sheet itself
    scan = extent.XlsxSheetScan(part, budget, lengths, exact)
    with zf.open(part) as fh:
        while True:
            block = fh.read(_CHUNK)
            if not block:
                break
            runs.feed(block)
            scan.feed(runs.data, runs.bytes, runs.lts, runs.starts)
            chunk = tail + block
            if b't="e"' in chunk or _has_formula(runs, tail, block):
                for m in _CELL.finditer(chunk):
                    attrs, body = m.group(3), m.group(4)
                    key = (int(m.group(2)) - 1, column_index(m.group(1).decode()) - 1)
                    if b't="e"' in attrs:
                        v = _VALUE.search(body)
                        problems[key] = ("error", v.group(1).decode(errors="replace") if v else "#VALUE!")
                    elif body.startswith(b"<f") and _no_value(attrs, body):
                        formula = re.match(rb"<f[^>]*>([^<]*)</f>", body)
                        problems[key] = ("formula", formula.group(1).decode(errors="replace") if formula else "")
            if b'hidden="' in chunk:
                _hidden_lines(chunk, hidden_rows, hidden_columns)
            tail = chunk[-_OVERLAP:]
    scan.finish()
    return SheetScan(problems, [(r, r) for r in sorted(hidden_rows)], sorted(hidden_columns))


_ROW_TAG = re.compile(rb'<row\s[^>]*?\bhidden="(?:1|true)"[^>]*>')
_COL_TAG = re.compile(rb'<col\s[^>]*?\bhidden="(?:1|true)"[^>]*>')
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_COL_MIN, _COL_MAX = re.compile(rb'\bmin="(\d+)"'), re.compile(rb'\bmax="(\d+)"')


def _hidden_lines(chunk: bytes, rows: set[int], columns: set[tuple[int, int]]) -> None:
    """Add the hidden rows (0-based) and column ranges (0-based, inclusive) of ``chunk`` (sheet XML)."""
    for m in _ROW_TAG.finditer(chunk):
        if r := _ROW_NUMBER.search(m.group(0)):
            rows.add(int(r.group(1)) - 1)
    for m in _COL_TAG.finditer(chunk):
        lo, hi = _COL_MIN.search(m.group(0)), _COL_MAX.search(m.group(0))
        if lo and hi:
            columns.add((int(lo.group(1)) - 1, int(hi.group(1)) - 1))


def _has_formula(runs: _TextRuns, tail: bytes, block: bytes) -> bool:
    """Whether ``tail + block`` holds ``<f``: looked up in the "<" positions of the block ``runs`` was last
    fed (a bytes search for ``<f`` stops at every "<" of the XML), and around the seam with ``tail``."""
    a, lts = runs.bytes, runs.lts
    after = lts[lts + 1 < len(a)] + 1
    return bool((a[after] == _F).any()) or b"<f" in tail + block[:1]


_F = ord("f")


def _no_value(attrs: bytes, body: bytes) -> bool:
    """A formula cell without a saved result: no ``<v>``, or an empty one that is not an empty text result."""
    v = _VALUE.search(body)
    if v is None:
        return True
    return v.group(1) == b"" and b't="str"' not in attrs
