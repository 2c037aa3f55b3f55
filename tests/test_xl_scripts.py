"""Button scripts driven through xlwings' Office.js protocol: xw.Book(json=payload) from real .xlsx files."""

from __future__ import annotations

import hashlib
from pathlib import Path

import openpyxl
import xlwings as xw
from conftest import HEADER, WORKBOOKS, good_rows, write_workbook
from docx import Document

from pagt_xl.xl import desktop, scripts
from pagt_xl.xl.payload import book_payload

NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"


def actions(book: xw.Book) -> list[dict]:
    return book.json()["actions"]


def values_written(acts: list[dict], sheet_position: int) -> list[list]:
    return next(a["values"] for a in acts if a["func"] == "setValues" and a["sheet_position"] == sheet_position)


def data_sheet_untouched(acts: list[dict], data_positions: set[int], *, marking: bool) -> None:
    for a in acts:
        if a.get("sheet_position") in data_positions:
            assert marking and a["func"] == "setRangeColor", a


def test_valider_writes_issues_sheet_with_links_and_marks(tmp_path: Path):
    rows = good_rows()
    rows[1][4] = "Blå økonomi"  # E2: unknown theme
    path = write_workbook(tmp_path / "oversigt.xlsx", {"Ansøgninger": rows})
    wb = openpyxl.load_workbook(path)
    wb.active["E3"].value = "=cmd|' /C calc'!A0"  # E3: formula-looking text typed as text
    wb.active["E3"].data_type = "s"
    wb.save(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    book = xw.Book(json=book_payload(path))
    scripts.valider(book)
    acts = actions(book)
    assert acts[0]["func"] == "addSheet" and acts[0]["args"][1] == "Valideringsfejl"
    table = values_written(acts, 1)
    assert table[0] == ["Ark", "Celle", "Alvor", "Kode", "Besked", "Værdi"]
    by_cell = {r[1]: r for r in table[1:]}
    e2 = by_cell['=HYPERLINK("#\'Ansøgninger\'!E2","E2")']
    assert e2[2:4] == ["Fejl", "unknown_theme"] and e2[5] == "Blå økonomi"
    e3 = by_cell['=HYPERLINK("#\'Ansøgninger\'!E3","E3")']
    assert e3[5] == "'=cmd|' /C calc'!A0"  # shown as text, never run as a formula
    assert e3[4].startswith("ukendt indsatsområde '=cmd")
    marks = [a for a in acts if a["sheet_position"] == 0]
    assert {(m["start_row"], m["start_column"]) for m in marks} == {(1, 4), (2, 4)}
    assert all(m["func"] == "setRangeColor" for m in marks)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_marking_can_be_switched_off(tmp_path: Path):
    rows = good_rows()
    rows[1][4] = "Blå økonomi"
    path = write_workbook(
        tmp_path / "o.xlsx", {"Ansøgninger": rows, "Indstillinger": [["Pagt", "nordjylland"], ["Markér fejl", "nej"]]}
    )
    book = xw.Book(json=book_payload(path))
    scripts.valider(book)
    data_sheet_untouched(actions(book), {0, 1}, marking=False)


def test_valider_on_shipped_sample_reads_from_header_row():
    book = xw.Book(json=book_payload(NORD_FILE))
    scripts.valider(book)
    table = values_written(actions(book), 2)
    cells = {r[1] for r in table[1:] if r[3] == "theme_not_open"}
    assert cells == {'=HYPERLINK("#\'Ansøgninger\'!E34","E34")', '=HYPERLINK("#\'Ansøgninger\'!E38","E38")'}


def test_beregn_fordelinger_writes_sheets_and_leaves_data_alone():
    book = xw.Book(json=book_payload(NORD_FILE))
    scripts.beregn_fordelinger(book)
    acts = actions(book)
    added = [a["args"][1] for a in acts if a["func"] == "addSheet"]
    assert added == ["Årstabel", "Indsatsområder", "Projekttyper", "Runder", "Institutionstyper", "Status",
                     "Fremdrift", "Kontrol"]  # fmt: skip
    years = values_written(acts, 2)
    assert years[0][:5] == ["År", "Ansøgninger", "Afslag", "Tilsagn", "Afventer"]
    assert [r[:4] for r in years[1:]] == [
        [2019, 10, 6, 4], [2020, 13, 8, 5], [2021, 8, 1, 7], [2022, 4, 1, 3], [2023, 13, 5, 8], ["I alt", 48, 21, 27]
    ]  # fmt: skip
    themes = values_written(acts, 3)
    assert themes[-1][:3] == ["I alt", 27, 23_231_178]
    formats = [a["args"][0] for a in acts if a["func"] == "setNumberFormat"]
    assert '#,##0 "kr."' in formats and "0 %" in formats
    checks = values_written(acts, 9)
    assert {r[3] for r in checks[1:]} == {"OK"}
    data_sheet_untouched(acts, {0, 1}, marking=False)


def test_scripts_replace_their_own_sheets(tmp_path: Path):
    path = write_workbook(tmp_path / "o.xlsx", {"Ansøgninger": good_rows(), "Valideringsfejl": [["gammel"]]})
    book = xw.Book(json=book_payload(path))
    scripts.valider(book)
    funcs = [a["func"] for a in actions(book)]
    assert funcs[:2] == ["sheetDelete", "addSheet"]


def test_lav_statusrapport_on_server_stores_draft_and_links(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PAGT_XL_REPORT_DIR", str(tmp_path))
    monkeypatch.setenv("PAGT_XL_PUBLIC_URL", "https://pagt.example.dk")
    book = xw.Book(json=book_payload(NORD_FILE))
    scripts.lav_statusrapport(book)
    drafts = list(tmp_path.glob("statusrapport_nordjylland_*.docx"))
    assert len(drafts) == 1
    doc = Document(str(drafts[0]))
    assert any("23,23 mio. kr." in p.text for p in doc.paragraphs)
    sheet = values_written(actions(book), 2)
    assert sheet[1][0] == f'=HYPERLINK("https://pagt.example.dk/pagt/rapporter/{drafts[0].name}","Åbn rapportkladden")'


def test_lav_statusrapport_on_desktop_saves_next_to_workbook(tmp_path: Path, monkeypatch):
    monkeypatch.delenv("PAGT_XL_REPORT_DIR", raising=False)
    rows = [HEADER, *good_rows()[1:]]
    path = write_workbook(tmp_path / "oversigt.xlsx", {"Ansøgninger": rows})
    book = xw.Book(json=book_payload(path))
    target, url = scripts.report_target(book, scripts.pact_for(None))
    assert url is None and target.name == "oversigt_statusrapport.docx"


def test_desktop_buttons_map_to_scripts():
    assert desktop.script_for("Valider") is scripts.valider
    assert desktop.script_for("Button 2") is scripts.beregn_fordelinger
    assert desktop.script_for("Knap 3") is scripts.lav_statusrapport
    assert desktop.script_for("Knap 9") is None
