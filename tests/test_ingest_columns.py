"""The column-wise reader (issue 15): the same rows, values and issues as reading row by row.

``read_overview`` converts each column once per distinct value and sends only the
rows that need a closer look through the row-by-row path. The reference here is
that row-by-row path applied to every row (what the reader did before), built
from the same helpers, on real workbooks written with openpyxl.
"""

from __future__ import annotations

import gc
import random
from pathlib import Path
from typing import Any

import pytest

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import split_title_applicant
from pagt_xl.base.errors import InputError
from pagt_xl.base.model import IssueCode
from pagt_xl.core.tables import Overview, SheetRead
from pagt_xl.ingest import guard as guard_module
from pagt_xl.ingest import read_workbooks
from pagt_xl.ingest.grid import Grid, read_grids
from pagt_xl.ingest.headers import find_header, pact_header_index
from pagt_xl.ingest.overview import (
    _KEY_FIELDS,
    TABLE_COLUMNS,
    _check_required,
    _collapsed_text,
    _complete,
    _convert_one,
    _convert_row,
    _fill_sheet_columns,
    _fold_unit_mismatches,
    _is_application_row,
    _is_blank,
    _layout,
    _row_issue,
    _split_collapsed,
    _year_given_by_sheet,
    build_converters,
    read_overview,
)

HEADER = ["År", "Sagsnr.", "Runde", "Projekttitel", "Indsatsområde", "Type", "Kort resumé", "Ansøgt beløb (kr.)",
          "Afgørelse", "Støttebeløb (kr.)", "Projektperiode", "Status", "Fremdrift"]  # fmt: skip
THEMES = ["1. De potentielle STEM'ere", "Flere piger og kvinder i STEM", "3. De potentielle STEM'ere", "Ukendt",
          "STEM", "  Flere  piger og kvinder i STEM ", "STEM kompetencer til alle"]  # fmt: skip


def _messy_rows(n: int, seed: int) -> list[list[Any]]:
    """Rows with repeated and odd values in every column: whitespace, numbers as text, booleans,
    bad amounts, subtotal words, notes, blank rows."""
    rnd = random.Random(seed)
    rows: list[list[Any]] = []
    for i in range(n):
        rows.append([
            rnd.choice([2019, 2020, 2021, 2023, 2030, "2021", "tyve", None, True]),
            rnd.choice([f"S-{i}", f"S-{i % 7}", None, " "]),
            rnd.choice(["Åben runde", "Prioriteret runde", "Lille runde", None]),
            rnd.choice([f"Projekt {i} v/ Skole {i % 5}", f"Projekt {i % 9}", None, "I alt", "Samlet for året",
                        "Sum v/ X", "  ", "Titel  med   mellemrum v/Skole,", 1.0]),
            rnd.choice(THEMES),
            rnd.choice(["Motiverende", "Interessevækkelse", "Andet", None]),
            rnd.choice(["Kort", None, "Note om projektet", 1.0, True]),
            rnd.choice([rnd.randint(1, 2_000_000), "1,3 mio. kr.", "kr. 300.000,-", -5, "abc", None, 250000.5,
                        True, 1.0, 0, 1e13]),
            rnd.choice(["Tilsagn", "Afslag", None, "Afventer", "Måske", " tilsagn "]),
            rnd.choice([rnd.randint(0, 2_000_000), None, "4,2 mio. kr.", "x", 100000.0, False]),
            rnd.choice(["2020-2022", "2023-2021", None, "xx"]),
            rnd.choice(["Igangværende", "Afsluttet", None, "Hmm"]),
            rnd.choice(["god", "langsom", None, "super"]),
        ])  # fmt: skip
        if rnd.random() < 0.05:
            rows.append([None] * 6 + [rnd.choice(["En løs note her", "x"])] + [None] * 6)
        if rnd.random() < 0.05:
            rows.append([rnd.choice(["I alt", "I alt 2021", "Total:", "Samlet for året", "Samlet 2021 for tema"]),
                         None, None, None, rnd.choice([None, None, THEMES[1]]), None, None,
                         rnd.choice([rnd.randint(0, 10**6), None]), None, rnd.randint(0, 10**6), None, None, None])  # fmt: skip
        if rnd.random() < 0.02:  # a longer label whose amounts are the sums of the rows above: a subtotal
            rows.append(["Samlet for blokken", None, None, None, None, None, None, None, None, None, None, None, None])
        if rnd.random() < 0.03:
            rows.append([None] * 13)
    return rows


def _read_row_by_row(grid: Grid, columns: Any, pact: Pact) -> SheetRead:
    """Every row through the row-by-row path (the reader before issue 15)."""
    layout = _layout(grid, columns, pact)
    records: dict[str, list[Any]] = {c: [] for c in TABLE_COLUMNS}
    result = SheetRead(grid.file, grid.sheet, columns, records)
    out_columns = [(c, records[c]) for c in TABLE_COLUMNS[3:] if c in layout.produced]
    for i in range(columns.header_row + 1, len(grid.rows)):
        cells = list(grid.rows[i]) + [""] * max(0, layout.width - len(grid.rows[i]))
        row_no = i + 1
        position = len(records["row"])
        if not _is_application_row(grid, layout, cells, row_no, result, position, lambda f: records[f]):
            continue
        values, row_error = _convert_row(grid, layout, cells, row_no, result.issues)
        own = values.keys() - ({"year"} if _year_given_by_sheet(layout, cells, row_no) else set())  # a merged year
        if own.isdisjoint(_KEY_FIELDS) and not row_error:
            text = " | ".join(_collapsed_text(c) for c in cells if not _is_blank(c))[:200]
            result.issues.append(
                _row_issue(
                    grid,
                    row_no,
                    "rækken ligner en note (ingen år, titel, tema, afgørelse eller beløb) og er sprunget over",
                    text,
                )
            )
            continue
        _complete(values)
        row_error = _check_required(grid, values, row_no, columns, result.issues, layout.letters) or row_error
        records["row"].append(row_no)
        for c, column in out_columns:
            column.append(values.get(c))
        result.row_errors.append(row_error)
    _fold_unit_mismatches(grid, result)
    _fill_sheet_columns(grid, records, layout.produced)
    return result


def _write(path: Path, rows: list[list[Any]], merge_years: bool = False) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ansøgninger"
    ws.append(["Oversigt over ansøgninger"])
    ws.append([])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    if merge_years:  # a year written once for a block of rows
        for top in range(4, min(len(rows), 60) + 3, 6):
            ws.cell(top, 1).value = 2022
            for r in range(top + 1, top + 4):
                ws.cell(r, 1).value = None
            ws.merge_cells(start_row=top, start_column=1, end_row=top + 3, end_column=1)
    wb.save(path)
    return path


def _both(path: Path, pact: Pact) -> tuple[SheetRead, SheetRead]:
    [grid] = read_grids(path)
    columns = find_header(grid.rows, pact_header_index(pact), {"title", "theme", "decision", "granted"})
    assert columns is not None
    return read_overview(grid, columns, pact), _read_row_by_row(grid, columns, pact)


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_column_wise_reading_equals_row_by_row(tmp_path, nord, seed):
    path = _write(tmp_path / "rod.xlsx", _messy_rows(400, seed), merge_years=seed % 2 == 0)
    fast, slow = _both(path, nord)
    assert fast.records == slow.records
    assert fast.row_errors == slow.row_errors
    assert fast.issues == slow.issues
    assert fast.subtotals == slow.subtotals
    assert len(fast.records["row"]) > 300
    assert any(i.code is IssueCode.THEME_NUMBER_MISMATCH for i in fast.issues)  # the corpus has warnings
    assert any(i.code is IssueCode.AMBIGUOUS_SUBTOTAL for i in fast.issues) and fast.subtotals


def test_memoised_conversion_equals_per_cell_conversion(tmp_path, nord):
    path = _write(tmp_path / "rod.xlsx", _messy_rows(300, 7))
    [grid] = read_grids(path)
    columns = find_header(grid.rows, pact_header_index(nord), {"title", "theme", "decision", "granted"})
    layout = _layout(grid, columns, nord)
    from pagt_xl.ingest.overview import _convert_column

    body = grid.rows[columns.header_row + 1 :]
    converters = build_converters(nord, columns)
    checked = 0
    for f, j, convert, _cache in layout.field_cols:
        raw = [r[j] for r in body]
        values, codes = _convert_column(raw, f, convert, {}, layout)
        # cell by cell, top to bottom, with one cache per column as the row-by-row path keeps it
        cache: dict[object, object] = {}
        plain, text = f in layout.plain_amounts, converters[f] is _collapsed_text
        for k, v in enumerate(raw):
            assert (values[k], codes[k]) == _convert_one(v, convert, cache, plain, text), (f, v)
            checked += 1
    assert checked == len(body) * len(layout.field_cols)


def test_a_column_mixing_booleans_and_numbers_is_not_memoised_across_types(tmp_path, nord):
    # True == 1.0 and hash(True) == hash(1.0): one memo entry would give both the same value
    rows = [[2020, f"S-{i}", None, f"P {i}", THEMES[1], None, None, v, "Tilsagn", 300_000, None, None, None]
            for i, v in enumerate([1.0, True, 1.0, True, 0, False] * 5)]  # fmt: skip
    fast, slow = _both(_write(tmp_path / "bool.xlsx", rows), nord)
    assert fast.records == slow.records
    assert fast.issues == slow.issues


@pytest.mark.parametrize(
    "title",
    ["Robotter v/ Aalborg Tech", "Robotter v/Aalborg", "Robotter, v/ X.", "av/b", "v/ kun", "Robotter V/ X",
     "A v/ B xv/C", "Titel v/", "Æbler og ørreder v/ Skolen i Århus", "İstanbul v/ X", "Uden ansøger"],
)  # fmt: skip
def test_split_of_a_collapsed_title_equals_split_title_applicant(title):
    assert _split_collapsed(title) == split_title_applicant(title)


def test_the_collector_is_on_again_after_reading_and_stays_off_when_it_was_off(tmp_path, nord):
    path = _write(tmp_path / "lille.xlsx", _messy_rows(20, 1))
    assert gc.isenabled()
    assert isinstance(read_workbooks([path], nord), Overview)
    assert gc.isenabled()
    gc.disable()
    try:
        read_workbooks([path], nord)
        assert not gc.isenabled()
    finally:
        gc.enable()


# -- the cell scan finds far cells and formulas wherever a block boundary falls ------------------------
@pytest.mark.parametrize("chunk", [1_000, 1_001, 1_003, 4_096])
def test_cell_scan_finds_a_far_cell_across_block_boundaries(tmp_path, monkeypatch, chunk):
    import xlsxwriter

    path = tmp_path / "langt_ude.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Ark1")
    for r in range(200):
        ws.write_row(r, 0, ["tekst", r, "mere tekst"])
    ws.write(200, 730, "langt ude")  # column ABC
    ws.write(1_048_000, 0, "langt nede")  # row 1,048,001
    wb.close()
    monkeypatch.setattr(guard_module, "_CHUNK", chunk)
    with pytest.raises(InputError) as exc:
        guard_module.scan_cells(path)
    assert "kolonne 731" in str(exc.value) and "række 1048001" in str(exc.value)


@pytest.mark.parametrize("chunk", [500, 777, 4_096])
def test_cell_scan_finds_formulas_and_errors_whatever_the_block_size(tmp_path, monkeypatch, chunk):
    bad = Path(__file__).parent / "data" / "bad"
    expected = {
        name: guard_module.scan_cells(bad / name) for name in ("formler_uden_vaerdier.xlsx", "excel_fejlvaerdier.xlsx")
    }
    assert all(expected.values())
    monkeypatch.setattr(guard_module, "_CHUNK", chunk)
    monkeypatch.setattr(guard_module, "_OVERLAP", 400)
    for name, problems in expected.items():
        assert guard_module.scan_cells(bad / name) == problems
