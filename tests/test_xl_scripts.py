"""Button scripts driven through xlwings' Office.js protocol: xw.Book(json=payload) from real .xlsx files.

Assertions are on ``book.json()["actions"]``, the instructions the add-in would
carry out in Excel: which sheets are added or cleared, what is written where,
and that nothing but cell colours ever touches the staff's sheets.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before the first import of xlwings

import datetime as dt
import hashlib
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import openpyxl
import pytest
import xlwings as xw
from conftest import WORKBOOKS, SheetSpec, good_rows, write_workbook
from openpyxl.worksheet.table import Table

from pagt_xl.base.issue_texts import describe
from pagt_xl.base.model import IssueCode
from pagt_xl.xl import scripts
from pagt_xl.xl._data import CellError, pact_named
from pagt_xl.xl.payload import book_payload, iso_date
from pagt_xl.xl.settings import ServerSettings, current_settings, use_settings

NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
ERROR, WARNING = "#ffc7ce", "#ffeb9c"


def run(script: Any, path: Path) -> list[dict[str, Any]]:
    book = xw.Book(json=book_payload(path))
    script(book)
    return book.json()["actions"]


def sheet_actions(acts: list[dict[str, Any]], position: int) -> list[dict[str, Any]]:
    return [a for a in acts if a["sheet_position"] == position]


def table_at(acts: list[dict[str, Any]], position: int, row: int = 4) -> list[list[Any]]:
    """The values written at A<row> of a sheet."""
    return next(
        a["values"]
        for a in acts
        if a["func"] == "setValues"
        and a["sheet_position"] == position
        and (a["start_row"], a["start_column"]) == (row - 1, 0)
    )


def colours(acts: list[dict[str, Any]], position: int) -> dict[tuple[int, int], str | None]:
    """{(row, column), 1-based: colour} set on a sheet; any other action on it fails the test."""
    out = {}
    for a in sheet_actions(acts, position):
        assert a["func"] == "setRangeColors", a  # nothing else may touch a data sheet
        for i, (colour,) in enumerate(a["args"][0]):
            if colour != "keep":
                out[a["start_row"] + 1 + i, a["start_column"] + 1] = colour
    return out


def overview(tmp_path: Path, *, bad_theme_row: int | None = 2, extra: dict[str, Any] | None = None) -> Path:
    rows = good_rows()
    if bad_theme_row is not None:
        rows[bad_theme_row - 1][4] = "Blå økonomi"
    return write_workbook(tmp_path / "oversigt.xlsx", {"Ansøgninger": rows, **(extra or {})})


def test_valider_writes_issues_with_links_and_colours_faulty_cells(tmp_path: Path):
    path = overview(tmp_path)
    wb = openpyxl.load_workbook(path)
    wb["Ansøgninger"]["E3"].value = "=cmd|' /C calc'!A0"  # formula-looking text typed as text
    wb["Ansøgninger"]["E3"].data_type = "s"
    wb.save(path)
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    acts = run(scripts.valider, path)
    assert acts[0]["func"] == "addSheet" and acts[0]["args"][1] == "Valideringsfejl"
    assert table_at(acts, 1, 1)[0][0].startswith(scripts.MARKER)
    table = table_at(acts, 1)
    assert table[0] == scripts.ISSUES_HEADER
    by_cell = {r[1]: r for r in table[1:]}
    e2 = by_cell['=HYPERLINK("#\'Ansøgninger\'!E2","E2")']
    assert e2[2:4] == ["Fejl", "unknown_theme"] and e2[6] == "Blå økonomi" and e2[7] == "E2"
    assert e2[4] == describe(IssueCode.UNKNOWN_THEME)  # the code's Danish description beside it
    e3 = by_cell['=HYPERLINK("#\'Ansøgninger\'!E3","E3")']
    assert e3[6] == "'=cmd|' /C calc'!A0"  # shown as text, never run as a formula
    assert colours(acts, 0) == {(2, 5): ERROR, (3, 5): ERROR}
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before


def test_colouring_can_be_switched_off(tmp_path: Path):
    settings = [["Pagt", "nordjylland"], ["Markér fejl", "nej"]]
    acts = run(scripts.valider, overview(tmp_path, extra={"Indstillinger": settings}))
    assert colours(acts, 0) == {} and sheet_actions(acts, 1) == []  # data and settings untouched
    assert [r[7] for r in table_at(acts, 2)[1:]] == [""]
    assert "slået fra" in table_at(acts, 2, 2)[0][0]


@pytest.mark.parametrize("written_by", ["this version", "a version without descriptions"])
def test_a_new_run_clears_the_colours_of_fixed_cells(tmp_path: Path, written_by: str):
    if written_by == "this version":
        header = scripts.ISSUES_HEADER
        rows = [["Ansøgninger", "E3", "Fejl", "unknown_theme", "Ukendt", "gammel", "x", "E3"],
                ["Ansøgninger", "E2", "Fejl", "unknown_theme", "Ukendt", "gammel", "y", "E2"]]  # fmt: skip
    else:
        header = ["Ark", "Celle", "Alvor", "Kode", "Besked", "Værdi", "Markeret celle"]
        rows = [["Ansøgninger", "E3", "Fejl", "unknown_theme", "gammel", "x", "E3"],
                ["Ansøgninger", "E2", "Fejl", "unknown_theme", "gammel", "y", "E2"]]  # fmt: skip
    old = SheetSpec([[f"{scripts.MARKER} 01.01.2025 kl. 10.00: fejl"], [], [], header, *rows])
    acts = run(scripts.valider, overview(tmp_path, extra={"Valideringsfejl": old}))
    assert next(a["func"] for a in sheet_actions(acts, 1)) == "sheetClear"  # reused, not deleted
    assert not any(a["func"] in ("addSheet", "sheetDelete") for a in acts)
    assert colours(acts, 0) == {(2, 5): ERROR, (3, 5): None}  # E3 was fixed: its colour goes


def test_the_staffs_sheets_are_never_taken_over(tmp_path: Path):
    own_notes = [["Vores egne kontroller"], ["må ikke overskrives"]]
    acts = run(scripts.beregn_fordelinger, overview(tmp_path, bad_theme_row=None, extra={"Kontrol": own_notes}))
    added = [a["args"][1] for a in acts if a["func"] == "addSheet"]
    assert "Kontrol (pagt_xl)" in added and "Kontrol" not in added
    assert sheet_actions(acts, 1) == []


def test_valider_on_the_shipped_sample():
    acts = run(scripts.valider, NORD_FILE)
    table = table_at(acts, 2)
    assert {r[7] for r in table[1:] if r[3] == "theme_not_open"} == {"E34", "E38"}
    # theme 1 not open in 2021; "LabSTEM Nord" (D22) and "LamSTEM Nord+" (D52): one name spelt two ways (issue 24)
    assert colours(acts, 0) == {(34, 5): WARNING, (38, 5): WARNING, (22, 4): WARNING, (52, 4): WARNING}
    assert sheet_actions(acts, 1) == []  # the framework sheet "Ramme"


def test_beregn_fordelinger_writes_sheets_and_leaves_the_data_alone():
    acts = run(scripts.beregn_fordelinger, NORD_FILE)
    added = [a["args"][1] for a in acts if a["func"] == "addSheet"]
    assert added[:7] == [
        "Årstabel",
        "Indsatsområder",
        "Projekttyper",
        "Runder",
        "Institutionstyper",
        "Status",
        "Fremdrift",
    ]
    assert added[-1] == "Kontrol"
    years = table_at(acts, 2)
    assert years[0][:5] == ["År", "Ansøgninger", "Afslag", "Tilsagn", "Afventer"]
    assert [r[:4] for r in years[1:]] == [
        [2019, 10, 6, 4], [2020, 13, 8, 5], [2021, 8, 1, 7], [2022, 4, 1, 3], [2023, 13, 5, 8], ["I alt", 48, 21, 27]
    ]  # fmt: skip
    themes = table_at(acts, 3)
    assert themes[0] == ["Indsatsområde", "Antal projekter", "Støttebeløb", "Andel af samlet støtte"]
    assert themes[-1][:3] == ["I alt", 27, 23_231_178]
    formats = {a["args"][0] for a in acts if a["func"] == "setNumberFormat"}
    assert {'#,##0 "kr."', "0 %"} <= formats
    kontrol = added.index("Kontrol") + 2
    assert {r[1] for r in table_at(acts, kontrol)[1:]} == {"OK"}
    result_colours = {c for a in sheet_actions(acts, kontrol) if a["func"] == "setRangeColors" for (c,) in a["args"][0]}
    assert result_colours == {"#c6efce"}
    assert sheet_actions(acts, 0) == [] and sheet_actions(acts, 1) == []


def test_buttons_explain_a_book_without_an_overview(tmp_path: Path):
    path = write_workbook(tmp_path / "tom.xlsx", {"Ark1": [["Hej"]]})
    for script in (scripts.beregn_fordelinger, scripts.lav_statusrapport):
        acts = run(script, path)
        assert [a["func"] for a in acts] == ["alert"]
        assert acts[0]["args"][0].startswith("Fandt ingen ansøgningsoversigt")


def test_unexpected_errors_become_a_message_box(tmp_path: Path, monkeypatch):
    def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("intern")

    monkeypatch.setattr(scripts, "write_issues", boom)
    acts = run(scripts.valider, overview(tmp_path))
    assert [a["func"] for a in acts] == ["alert"] and "uventet fejl" in acts[0]["args"][0]


@pytest.fixture
def server_settings(tmp_path: Path) -> Iterator[ServerSettings]:
    """Server settings with the report folder in tmp_path, installed as at start-up (and forgotten after)."""
    settings = ServerSettings(report_dir=tmp_path, public_url="https://pagt.example.dk", on_server=True)
    use_settings(settings)
    yield settings
    use_settings(None)


def test_lav_statusrapport_on_the_server_stores_the_draft_and_links_to_it(tmp_path: Path, server_settings):
    pytest.importorskip("pagt_xl.report")
    from docx import Document

    assert current_settings() is server_settings  # what the button gets, as serve() installs it
    acts = run(scripts.lav_statusrapport, NORD_FILE)
    drafts = list(tmp_path.glob("*.docx"))
    assert len(drafts) == 1 and scripts.REPORT_NAME.fullmatch(drafts[0].name)
    text = "\n".join(p.text for p in Document(str(drafts[0])).paragraphs)
    assert "23,23 mio. kr." in text
    sheet = table_at(acts, 2, 3)
    url = f"https://pagt.example.dk/pagt/rapporter/{drafts[0].name}"
    assert sheet[0][0] == f'=HYPERLINK("{url}","Åbn rapportkladden")' and sheet[1][0] == url
    assert sheet_actions(acts, 0) == []


def test_report_goes_next_to_the_workbook_on_the_desktop(tmp_path: Path):
    desktop_settings = ServerSettings()  # no report folder
    pact = pact_named("nordjylland")
    book = SimpleNamespace(fullname=str(tmp_path / "Ansøgninger 2024.xlsm"))
    target, url = scripts.report_target(book, pact, settings=desktop_settings)
    assert url is None and target == tmp_path / "Ansøgninger 2024_statusrapport.docx"
    (tmp_path / "~$Ansøgninger 2024_statusrapport.docx").write_text("lås")
    with pytest.raises(CellError, match="åben i Word"):
        scripts.report_target(book, pact, settings=desktop_settings)
    with pytest.raises(CellError, match="gem projektmappen først"):
        scripts.report_target(SimpleNamespace(fullname="Mappe1"), pact, settings=desktop_settings)


def test_a_server_without_a_report_folder_says_so_instead_of_writing_next_to_the_book(tmp_path: Path):
    book = SimpleNamespace(fullname=str(tmp_path / "Ansøgninger 2024.xlsm"))
    with pytest.raises(CellError, match="PAGT_XL_REPORT_DIR"):
        scripts.report_target(book, pact_named("nordjylland"), settings=ServerSettings(on_server=True))


def test_report_links_use_the_public_url_else_the_host_name_and_the_app_path(tmp_path: Path):
    pact = pact_named("nordjylland")
    for settings, base in (
        (ServerSettings(report_dir=tmp_path), "http://127.0.0.1:8000"),
        (ServerSettings(report_dir=tmp_path, hostname="pagt.region.dk"), "https://pagt.region.dk"),
        (ServerSettings(report_dir=tmp_path, public_url="https://a.dk/", hostname="b.dk"), "https://a.dk"),
        (ServerSettings.from_env({"PAGT_XL_REPORT_DIR": str(tmp_path), "XLWINGS_APP_PATH": "/pagt/"}),
         "http://127.0.0.1:8000/pagt"),
    ):  # fmt: skip
        target, url = scripts.report_target(None, pact, settings=settings)
        assert url == f"{base}/pagt/rapporter/{target.name}" and target.parent == tmp_path


def test_report_names_are_unguessable_and_old_drafts_are_removed(tmp_path: Path):
    settings = ServerSettings(report_dir=tmp_path, report_max_age_days=7)
    pact = pact_named("nordjylland")
    a, _ = scripts.report_target(None, pact, settings=settings, today=dt.date(2024, 5, 1))
    b, _ = scripts.report_target(None, pact, settings=settings, today=dt.date(2024, 5, 1))
    assert a != b and scripts.REPORT_NAME.fullmatch(a.name) and a.name.startswith("statusrapport_nordjylland_20240501_")
    a.write_bytes(b"old")
    b.write_bytes(b"new")
    other = tmp_path / "noter.docx"
    other.write_bytes(b"keep")
    os.utime(a, (0, 0))
    os.utime(other, (0, 0))
    assert scripts.remove_old_reports(tmp_path, settings=settings) == 1
    assert not a.exists() and b.exists() and other.exists()
    # a draft two days old stays for a week, and goes with a one-day limit
    os.utime(b, (b.stat().st_atime, b.stat().st_mtime - 2 * 86400))
    assert scripts.remove_old_reports(tmp_path, settings=settings) == 0 and b.exists()
    assert scripts.remove_old_reports(tmp_path, settings=ServerSettings(report_max_age_days=1)) == 1
    assert not b.exists()


def test_payload_dates_are_sent_as_the_client_sends_them(tmp_path: Path):
    stamp = dt.datetime(2023, 3, 1, 12, 30, 5, 250000)
    path = write_workbook(tmp_path / "d.xlsx", {"Ark1": [["Dato", "Tid"], [stamp, dt.date(2024, 2, 29)]]})
    payload = book_payload(path)
    assert payload["sheets"][0]["values"][1] == ["2023-03-01T12:30:05.250Z", "2024-02-29T00:00:00.000Z"]
    book = xw.Book(json=payload)
    assert book.sheets[0]["A2:B2"].value == [stamp, dt.datetime(2024, 2, 29)]
    assert iso_date(dt.time(6, 0)) == "1899-12-30T06:00:00.000Z"


def test_payload_describes_used_ranges_tables_and_hidden_sheets(tmp_path: Path):
    sheets = {"Data": SheetSpec(good_rows(), start_row=5), "Skjult": SheetSpec([["x"]], hidden=True), "Tom": []}
    path = write_workbook(tmp_path / "t.xlsx", sheets)
    wb = openpyxl.load_workbook(path)
    wb["Data"].add_table(Table(displayName="Tabel1", ref="A5:I9"))
    wb.save(path)
    payload = book_payload(path)
    data, hidden, empty = payload["sheets"]
    assert data["used_range_address"] == "A5:I9" and len(data["values"]) == 9 and data["values"][0] == [""] * 9
    assert data["tables"][0]["name"] == "Tabel1" and data["tables"][0]["data_body_range_address"] == "A6:I9"
    assert hidden["visibility"] == "Hidden" and empty["values"] == [[""]] and empty["used_range_address"] is None
    book = xw.Book(json=payload)
    assert book.sheets["Data"].tables["Tabel1"].data_body_range.address == "$A$6:$I$9"


def test_issues_keep_sheet_addresses_when_the_table_does_not_start_in_a1(tmp_path: Path):
    rows = [[None, None, *r] for r in good_rows()]
    rows[1][6] = "Blå økonomi"
    path = write_workbook(tmp_path / "o.xlsx", {"Ansøgninger": SheetSpec(rows, start_row=3)})
    acts = run(scripts.valider, path)
    assert colours(acts, 0) == {(4, 7): ERROR}  # G4, where "Blå økonomi" really is
    assert [r[7] for r in table_at(acts, 1)[1:] if r[3] == "unknown_theme"] == ["G4"]
