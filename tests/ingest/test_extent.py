"""The guard's estimate of a read (pagt_xl.ingest.extent, issue 21 item 6) agrees with what calamine really reads.

The extent found before reading (the farthest value's row and column) is compared with the grid python-calamine
returns for the same file, for sheets written by openpyxl and xlsxwriter, with shared and inline strings, at every
block size, through the fast scan and the exact one (cells without ``r``, other attribute orders, a prefix).
"""

from __future__ import annotations

import io
import random
import re
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from pagt_xl.base.errors import ErrorCode, InputError
from pagt_xl.ingest import extent
from pagt_xl.ingest import guard as guard_module

BAD = Path(__file__).resolve().parent.parent / "data" / "bad"


def _calamine_extent(path: Path) -> list[tuple[int, int]]:
    """(rows, columns) of each sheet's grid from A1 to its farthest value, as the reader returns it."""
    wb = CalamineWorkbook.from_path(str(path))
    out = []
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        rows = [r for r in rows]
        while rows and all(v == "" for v in rows[-1]):
            rows.pop()
        cols = max((max((j + 1 for j, v in enumerate(r) if v != ""), default=0) for r in rows), default=0)
        out.append((len(rows) if cols else 0, cols))
    return out


def _guard_extent(path: Path, monkeypatch: pytest.MonkeyPatch, exact: bool = False) -> list[tuple[int, int]]:
    seen: list[tuple[int, int]] = []
    real = extent.Budget.add

    def record(self: extent.Budget, sheet: extent.SheetExtent) -> None:
        seen.append((sheet.rows, sheet.cols))
        real(self, sheet)

    monkeypatch.setattr(extent.Budget, "add", record)
    if exact:
        monkeypatch.setattr(extent.XlsxSheetScan, "__init__", _exact_init)
    guard_module.scan_cells(path)
    return seen


_plain_init = extent.XlsxSheetScan.__init__


def _exact_init(self: extent.XlsxSheetScan, part: str, budget: extent.Budget, lengths: object, exact: bool) -> None:
    _plain_init(self, part, budget, lengths, True)


def _openpyxl_book(path: Path, cells: list[tuple[int, int, object]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for r, c, v in cells:
        ws.cell(row=r, column=c, value=v)
    ws.cell(row=300, column=5).style = "Note"  # a styled empty cell far out: no value, no extent
    wb.save(path)
    return path


def _xlsxwriter_book(path: Path, cells: list[tuple[int, int, object]]) -> Path:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Ark1")
    ws2 = wb.add_worksheet("Ark2")
    for r, c, v in cells:
        ws.write(r - 1, c - 1, v)
        ws2.write(c - 1, r - 1, v)  # the same cells turned: a second sheet in the same budget
    wb.close()
    return path


cell_lists = st.lists(
    st.tuples(
        st.integers(1, 400), st.integers(1, 60), st.one_of(st.integers(0, 10**6), st.text("abcæøå ", max_size=30))
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=cell_lists, writer=st.sampled_from(["openpyxl", "xlsxwriter"]), chunk=st.sampled_from([97, 1000, 8192]))
def test_the_extent_found_before_reading_is_the_extent_read(tmp_path, monkeypatch, cells, writer, chunk):
    cells = [(r, c, v) for r, c, v in cells if v != ""]
    if not cells:
        return
    path = tmp_path / f"{writer}.xlsx"
    (_openpyxl_book if writer == "openpyxl" else _xlsxwriter_book)(path, cells)
    with monkeypatch.context() as m:
        m.setattr(guard_module, "_CHUNK", chunk)
        fast = _guard_extent(path, m)
    with monkeypatch.context() as m:
        m.setattr(guard_module, "_CHUNK", chunk)
        exact = _guard_extent(path, m, exact=True)
    assert fast == exact == _calamine_extent(path)


def _rewrite_sheet(src: Path, dst: Path, change) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"/>', b"", change(data))
            zout.writestr(info.filename, data)
    return dst


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda x: re.sub(rb' r="[A-Z]+\d+"', b"", x), id="no-r-on-cells"),
        pytest.param(lambda x: re.sub(rb'<c r="([A-Z]+\d+)"( t="\w+")?', rb'<c\2 r="\1"', x), id="t-before-r"),
        pytest.param(lambda x: x.replace(b'<row r="', b'<row spans="1:9" r="'), id="row-attributes"),
    ],
)
@pytest.mark.parametrize("chunk", [64, 333, 8192])
def test_the_exact_scan_places_cells_as_calamine_does(tmp_path, monkeypatch, change, chunk):
    rng = random.Random(7)
    cells = [(rng.randint(1, 200), rng.randint(1, 30), rng.randint(0, 9)) for _ in range(150)]
    book = _xlsxwriter_book(tmp_path / "a.xlsx", cells)
    path = _rewrite_sheet(book, tmp_path / "b.xlsx", change)
    monkeypatch.setattr(guard_module, "_CHUNK", chunk)
    assert _guard_extent(path, monkeypatch)[:1] == _calamine_extent(path)[:1]


def test_shared_strings_each_reference_counts(tmp_path):
    import xlsxwriter

    path = tmp_path / "delt.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    for r in range(2_000):
        ws.write_string(r, 0, "x" * 1_000)  # one shared string, 2,000 references
    wb.close()
    budget = extent.Budget(str(path))
    with zipfile.ZipFile(path) as zf:
        lengths = extent.shared_string_lengths(zf, 4096)
    assert len(lengths) == 1 and 1_000 <= lengths[0] < 1_050
    seen: list[extent.SheetExtent] = []
    budget.add = seen.append  # type: ignore[method-assign]
    with zipfile.ZipFile(path) as zf:
        guard_module._scan_sheet(zf, "xl/worksheets/sheet1.xml", str(path), budget, lengths, exact=False)
        guard_module._scan_sheet(zf, "xl/worksheets/sheet1.xml", str(path), budget, lengths, exact=True)
    assert [s.shared_bytes for s in seen] == [2_000 * int(lengths[0])] * 2
    assert [(s.rows, s.cols, s.values) for s in seen] == [(2_000, 1, 2_000)] * 2


def test_the_budget_adds_the_sheets_of_a_workbook(monkeypatch):
    monkeypatch.setattr(extent, "MAX_READ_BYTES", 1_000_000)
    budget = extent.Budget("bog.xlsx")
    budget.add(extent.SheetExtent("ark1", rows=100, cols=100))  # 400 KB
    budget.add(extent.SheetExtent("ark2", rows=100, cols=100))  # 800 KB together
    with pytest.raises(InputError) as info:
        budget.add(extent.SheetExtent("ark3", rows=100, cols=100))
    assert info.value.code is ErrorCode.FILE_UNSAFE and "3 ark" in str(info.value)


def _record(typ: int, payload: bytes) -> bytes:
    head = bytes([typ]) if typ < 0x80 else bytes([(typ & 0x7F) | 0x80, typ >> 7])
    size, out = len(payload), b""
    while True:
        b = size & 0x7F
        size >>= 7
        out += bytes([b | (0x80 if size else 0)])
        if not size:
            break
    return head + out + payload


def test_the_xlsb_walk_finds_a_far_column():
    """BIFF12 records as Excel writes them: BrtRowHdr (0) then cell records with a 32-bit column."""
    u32 = struct.Struct("<I")
    sheet = (
        _record(0x0181 & 0x7F, b"")  # a record the walk skips
        + _record(0, u32.pack(0) + b"\0" * 8)
        + _record(5, u32.pack(0) + b"\0" * 4 + struct.pack("<d", 1.0))  # BrtCellReal at A1
        + _record(0, u32.pack(99) + b"\0" * 8)
        + _record(7, u32.pack(5_000_000) + b"\0" * 4 + u32.pack(0))  # BrtCellIsst far right, row 100
        + _record(0x0092, b"")
    )
    budget = extent.Budget("bog.xlsb")
    ext = extent._xlsb_sheet(sheet, "xl/worksheets/sheet1.bin", budget, np.zeros(0, np.int64))
    assert (ext.rows, ext.cols, ext.values) == (100, 5_000_001, 2)
    with pytest.raises(InputError) as info:
        budget.add(ext)
    assert "kolonne 5000001" in str(info.value)


def test_the_ods_scan_expands_repeats_as_calamine_does(tmp_path, monkeypatch):
    """The corpus's LibreOffice file (with LibreOffice's own 16384-column and million-row empty repeats)."""
    seen: list[tuple[int, int]] = []
    real = extent.Budget.add

    def record(self: extent.Budget, sheet: extent.SheetExtent) -> None:
        seen.append((sheet.rows, sheet.cols))
        real(self, sheet)

    monkeypatch.setattr(extent.Budget, "add", record)
    guard_module.check_file(BAD / "libreoffice.ods")
    assert seen == _calamine_extent(BAD / "libreoffice.ods")
    data = (BAD / "libreoffice.ods").read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert b'number-rows-repeated="1048512"' in zf.read("content.xml")  # the empty rows are really there
