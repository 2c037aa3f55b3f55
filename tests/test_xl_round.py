"""The round in Excel (issue 16): Lav indstilling, Lav breve and PAGT.RESTRAMME.

In-process through xlwings' Office.js protocol (xw.Book(json=payload) from the real sample workbooks),
and through a real server on 127.0.0.1 (uvicorn in a subprocess) with the bodies Excel's JavaScript sends.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before the first import of xlwings

import datetime as dt
import io
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
import xlwings as xw
from conftest import ROOT, WORKBOOKS, write_workbook
from docx import Document
from test_xl_server import _start, call_body, kr

from pagt_xl.xl import core, scripts
from pagt_xl.xl._data import CellError, pact_named
from pagt_xl.xl.payload import book_payload
from pagt_xl.xl.settings import ServerSettings, use_settings

sys.path.insert(0, str(ROOT / "scripts"))
from make_round_samples import FRAMEWORK_2024, ROWS

SAMPLE = WORKBOOKS / "nordjylland_runde_2024.xlsx"
DECIDED = WORKBOOKS / "nordjylland_runde_2024_afgjort.xlsx"
GRANTED = sum(r[12] for r in ROWS if r[12])  # every grant of 2024 after the decision
BEFORE = sum(r[12] for r in ROWS if r[1] == "Prioriteret runde")  # granted before the open round


def _values(payload: dict[str, Any], sheet: str) -> list[list[Any]]:
    """A sheet's values as a cell function gets them: dates as Excel's serial numbers, as Office.js sends them
    (the script payload sends them as ISO texts)."""
    rows = next(s["values"] for s in payload["sheets"] if s["name"] == sheet)
    return [[_serial(v) for v in row] for row in rows]


def _serial(value: Any) -> Any:
    if isinstance(value, str) and len(value) == 24 and value.endswith("T00:00:00.000Z"):
        return (dt.date.fromisoformat(value[:10]) - dt.date(1899, 12, 30)).days
    return value


@pytest.fixture
def on_server(tmp_path: Path) -> Iterator[Path]:
    use_settings(ServerSettings(report_dir=tmp_path, public_url="https://pagt.example.dk", on_server=True))
    yield tmp_path
    use_settings(None)


def _written(acts: list[dict[str, Any]]) -> list[Any]:
    return [v for a in acts if a["func"] == "setValues" for row in a["values"] for v in row]


def test_lav_indstilling_stores_the_memo_and_links_to_it(on_server: Path):
    book = xw.Book(json=book_payload(SAMPLE))
    scripts.lav_indstilling(book)
    acts = book.json()["actions"]
    memos = list(on_server.glob("indstillingsnotat_nordjylland_*.docx"))
    assert len(memos) == 1 and scripts.REPORT_NAME.fullmatch(memos[0].name)
    text = "\n".join(p.text for p in Document(str(memos[0])).paragraphs)
    assert "ansøgningsrunden 2024" in text  # the latest year of the book, as no year is set
    url = f"https://pagt.example.dk/pagt/rapporter/{memos[0].name}"
    written = _written(acts)
    assert f'=HYPERLINK("{url}","Åbn indstillingsnotatet")' in written and url in written
    assert any(isinstance(v, str) and "Kontrol: alle kontroller bestået." in v for v in written)
    added = [a["args"][1] for a in acts if a["func"] == "addSheet"]
    assert added == [scripts.MEMO_SHEET]
    staff = {a["sheet_position"] for a in acts if a["func"] == "setValues"}
    assert 0 not in staff and 1 not in staff  # the overview and the framework are never written


def test_lav_breve_zips_one_letter_per_decision(on_server: Path):
    book = xw.Book(json=book_payload(DECIDED))
    scripts.lav_breve(book)
    zips = list(on_server.glob("breve_nordjylland_*.zip"))
    assert len(zips) == 1 and scripts.REPORT_NAME.fullmatch(zips[0].name)
    with zipfile.ZipFile(zips[0]) as z:
        names = sorted(z.namelist())
        grant = Document(io.BytesIO(z.read("24-0201_tilsagn.docx")))
    assert len(names) == len(WITH_LETTER)  # an afslag without reasons gets no letter (issue 24)
    assert "1.200.000 kr. (en million to hundrede tusind kroner)" in "\n".join(p.text for p in grant.paragraphs)
    assert not [p for p in on_server.iterdir() if p.name.startswith(".breve-")]  # the temporary folder is gone
    written = _written(book.json()["actions"])
    refused = len(ROWS) - len(WITH_LETTER)
    assert f"{len(WITH_LETTER)} skrevet, 0 fandtes allerede (ikke overskrevet), {refused} ikke dannet." in written


#: the sample's decided rows that get a letter: the grants, and the rejections with a reason
WITH_LETTER = [r for r in ROWS if r[12] or r[11]]


def test_the_round_year_and_round_come_from_the_settings_sheet(tmp_path: Path, on_server: Path):
    payload = book_payload(SAMPLE)
    payload["sheets"].append({"name": "Indstillinger", "values": [["År", 2024], ["Runde", "Småprojekter"]],
                              "pictures": [], "tables": []})  # fmt: skip
    book = xw.Book(json=payload)
    scripts.lav_indstilling(book)
    written = _written(book.json()["actions"])
    assert any(isinstance(v, str) and v.startswith("3 ansøgninger") for v in written)
    payload = book_payload(SAMPLE)  # a fresh one: the book above changed its payload in place
    payload["sheets"].append({"name": "Indstillinger", "values": [["År", "sidste år"]], "pictures": [], "tables": []})
    book = xw.Book(json=payload)
    scripts.lav_indstilling(book)
    alerts = [a for a in book.json()["actions"] if a["func"] == "alert"]  # the message box the user sees
    assert alerts and "er ikke et år" in alerts[0]["args"][0]


def test_desktop_targets_are_next_to_the_workbook(tmp_path: Path):
    desktop = ServerSettings()
    book = SimpleNamespace(fullname=str(tmp_path / "Runde 2024.xlsm"))
    pact = pact_named("nordjylland")
    memo, url = scripts.download_target(book, pact, "indstillingsnotat", settings=desktop)
    assert url is None and memo == tmp_path / "Runde 2024_indstillingsnotat.docx"
    folder, url = scripts.download_target(book, pact, "breve", "", settings=desktop)
    assert url is None and folder == tmp_path / "Runde 2024_breve"


def test_restramme_from_a_range_a_number_and_a_framework_range():
    payload = book_payload(DECIDED)
    data, framework = _values(payload, "Ansøgninger 2024"), _values(payload, "Ramme")
    assert core.remaining(data, 2024, framework) == FRAMEWORK_2024[1] - GRANTED
    assert core.remaining(data, 2024, 6_000_000) == 6_000_000 - GRANTED
    assert core.remaining(data, "2024", "5 mio. kr.") == 5_000_000 - GRANTED
    before = _values(book_payload(SAMPLE), "Ansøgninger 2024")
    assert core.remaining(before, 2024, framework) == FRAMEWORK_2024[1] - BEFORE  # only the prioritised grant
    with pytest.raises(CellError, match="ingen ramme for 2023"):
        core.remaining(data, 2023, framework)
    with pytest.raises(CellError, match="angiv rammen"):
        core.remaining(data, 2024, None)
    with pytest.raises(CellError, match="ugyldigt år"):
        core.remaining(data, "næste år", framework)


def test_restramme_takes_a_pagt_data_handle(tmp_path: Path):
    data = _values(book_payload(DECIDED), "Ansøgninger 2024")
    text, _ = core.data_handle(data, None)
    from pagt_xl.xl import _data

    ref = _data.unpack_data(text)
    assert ref is not None
    assert core.remaining(ref, 2024, 5_000_000) == core.remaining(data, 2024, 5_000_000) == 5_000_000 - GRANTED


# -- through the real server ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("round-srv")
    for base in _start(tmp):
        yield base, tmp / "rapporter"


def test_restramme_through_the_server(server):
    base, _ = server
    payload = book_payload(DECIDED)
    data, framework = _values(payload, "Ansøgninger 2024"), _values(payload, "Ramme")
    url = f"{base}/xlwings/custom-functions-call"
    r = httpx.post(url, json=call_body("restramme", data, 2024, framework), timeout=30)
    assert r.json() == {"result": [[kr(FRAMEWORK_2024[1] - GRANTED)]]}
    handle = httpx.post(url, json=call_body("data", data), timeout=30).json()["result"][0][0]
    key = handle["properties"]["object_handle_cache_key"]["basicValue"]
    assert httpx.post(url, json=call_body("restramme", key, 2024, framework)).json() == r.json()
    refused = httpx.post(url, json=call_body("restramme", data, 2024, ""))
    assert refused.status_code == 400 and refused.text.startswith("PAGT.RESTRAMME: angiv rammen")


def test_round_buttons_through_the_server(server):
    base, folder = server
    r = httpx.post(f"{base}/xlwings/custom-scripts-call/lav_indstilling", json=book_payload(SAMPLE), timeout=60)
    assert r.status_code == 200
    memo = next(folder.glob("indstillingsnotat_nordjylland_*.docx"))
    link = f"{base}/pagt/rapporter/{memo.name}"
    assert link in _written(r.json()["actions"])
    download = httpx.get(link)
    assert download.status_code == 200 and download.content == memo.read_bytes()
    r = httpx.post(f"{base}/xlwings/custom-scripts-call/lav_breve", json=book_payload(DECIDED), timeout=60)
    assert r.status_code == 200
    letters = next(folder.glob("breve_nordjylland_*.zip"))
    download = httpx.get(f"{base}/pagt/rapporter/{letters.name}")
    assert download.status_code == 200 and download.headers["content-type"] == "application/zip"
    assert len(zipfile.ZipFile(io.BytesIO(download.content)).namelist()) == len(WITH_LETTER)
    assert httpx.get(f"{base}/pagt/rapporter/breve_nordjylland_20240101_{'A' * 24}.zip").status_code == 404


def test_a_round_without_decisions_gets_no_letters_but_a_clear_sheet(tmp_path: Path, on_server: Path):
    path = write_workbook(tmp_path / "tom.xlsx", {"A": [["År", "Projekttitel", "Indsatsområde", "Afgørelse",
                                                          "Støttebeløb"], [2024, "P", "De potentielle STEM'ere",
                                                                           "Afventer", None]]})  # fmt: skip
    book = xw.Book(json=book_payload(path))
    scripts.lav_breve(book)
    assert "Ingen afgørelser" in _written(book.json()["actions"])


def test_old_memos_and_letter_zips_are_removed_like_old_reports(tmp_path: Path):
    settings = ServerSettings(report_dir=tmp_path, report_max_age_days=7)
    pact = pact_named("nordjylland")
    memo, _ = scripts.download_target(None, pact, "indstillingsnotat", settings=settings)
    letters, _ = scripts.download_target(None, pact, "breve", ".zip", settings=settings)
    fresh, _ = scripts.download_target(None, pact, "indstillingsnotat", settings=settings)
    mine = tmp_path / "breve_egne.zip"
    for path in (memo, letters, fresh, mine):
        path.write_bytes(b"x")
    for path in (memo, letters, mine):
        os.utime(path, (0, 0))
    assert scripts.remove_old_reports(tmp_path, settings=settings) == 2
    assert not memo.exists() and not letters.exists() and fresh.exists() and mine.exists()
