"""A real client: headless Chromium loads our task pane from a real server, with Office.js stubbed.

Excel is the one thing missing on Linux, so ``tests/js/office-stub.js`` stands in for
office.js (as xlwings-server's own ``tests/js/harness.js`` does): ``Office.onReady``,
``Excel.run`` over a fake workbook that holds the sheets of a real sample overview, and
``CustomFunctions.associate`` capturing the registrations. Everything else is real and
unchanged: our ``taskpane.html``, the server's ``xlwings.js`` (``custom-scripts/index.js``)
building the request from the workbook and applying the returned actions to it, the generated
custom-functions code, HTTP to ``pagt_xl.xl.serve`` (uvicorn) on 127.0.0.1, and our scripts and
functions on the server. The test depends on the buttons' ``xw-click`` script names only, not on
the task pane's layout.

Debian's ``chromium`` (installed by ``scripts/install-system-deps``) is driven by Playwright's
Python package with ``executable_path``: no browser download.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import openpyxl
import pytest
from conftest import ROOT, WORKBOOKS
from test_xl_server import _start, kr

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():  # pragma: no cover - scripts/install-system-deps installs it
    pytest.skip(
        "Debian's chromium is missing (/usr/bin/chromium): run scripts/install-system-deps", allow_module_level=True
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright is part of the dev extra: pip install -e '.[dev]'"
)

STUB = ROOT / "tests" / "js" / "office-stub.js"
NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
OVERVIEW = "Ansøgninger"
#: Chromium's flags on this machine (as root, closed network): see .library/env/machines/python.md
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The cell functions Excel must know (id: the name users type after ``PAGT.``).
FUNCTIONS = {"BELOEB": "BELØB", "TEMA": "TEMA", "BEVILGET": "BEVILGET", "ANTAL": "ANTAL",
             "FORDELING": "FORDELING", "VALIDER": "VALIDER", "RESTRAMME": "RESTRAMME"}  # fmt: skip
BUTTONS = ("valider", "beregn_fordelinger", "lav_statusrapport", "lav_indstilling", "lav_breve", "udbetalinger")
TIMEOUT_MS = 30_000
_EPOCH = dt.datetime(1899, 12, 30)


# -- the workbook the stub holds ---------------------------------------------------------------------
def _excel_value(value: Any) -> Any:
    """A cell as Office.js' ``Range.values`` reports it: "" when empty, dates as serial numbers."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime(value.year, value.month, value.day)
        return (moment - _EPOCH).total_seconds() / 86_400
    return value


def stub_book(path: Path) -> dict[str, Any]:
    """The workbook at ``path`` as the stub's input: per sheet the values and number formats from A1."""
    wb = openpyxl.load_workbook(path)
    sheets = []
    for ws in wb.worksheets:
        rows = list(ws.iter_rows(min_row=1, min_col=1, max_row=ws.max_row, max_col=ws.max_column))
        sheets.append({
            "name": ws.title,
            "values": [[_excel_value(c.value) for c in row] for row in rows],
            "numberFormats": [[c.number_format for c in row] for row in rows],
        })  # fmt: skip
    return {"name": path.name, "sheets": sheets}


# -- the server and the browser ----------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The add-in server (``python -m pagt_xl.xl.serve``) on 127.0.0.1 in its own process; (base URL, report folder)."""
    tmp = tmp_path_factory.mktemp("browser-srv")
    for base in _start(tmp):
        yield base, tmp / "rapporter"


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Debian's Chromium, headless, with a new empty profile."""
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        context.set_default_timeout(TIMEOUT_MS)
        try:
            yield context
        finally:
            context.close()
    shutil.rmtree(profile, ignore_errors=True)


class TaskPane:
    """Our task pane in the browser, on the stubbed Excel holding the Nordjylland sample."""

    def __init__(self, page: Any, base: str) -> None:
        self.page = page
        self.base = base
        self.console_errors: list[str] = []
        self.function_calls: list[dict[str, Any]] = []
        page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.console_errors.append(f"page error: {e}"))
        page.on("request", self._record)

    def _record(self, request: Any) -> None:
        if request.url.endswith("/xlwings/custom-functions-call"):
            self.function_calls.append(request.post_data_json)

    def js(self, expression: str, arg: Any = None) -> Any:
        return self.page.evaluate(expression, arg)

    def call(self, function_id: str, *args: Any) -> dict[str, Any]:
        """Call a registered cell function as Excel would; ``{"result": ...}`` or ``{"error": ...}``."""
        return self.js("([id, args]) => __pagt.callFunction(id, args)", [function_id, list(args)])

    def click(self, script: str) -> Any:
        """Click the button that runs ``script`` and wait until xlwings.js has applied the answer."""
        button = self.page.locator(f'[xw-click="{script}"]')
        url = f"{self.base}/xlwings/custom-scripts-call/{script}"
        with self.page.expect_response(lambda r: r.url == url and r.request.method == "POST") as answer:
            button.click()
        # xlwings.js disables the button while a call runs and enables it when the actions are applied
        self.page.wait_for_function("(b) => !b.hasAttribute('disabled')", arg=button.element_handle())
        return answer.value

    def snapshot(self) -> dict[str, dict[str, Any]]:
        """The stub workbook: sheet name -> {"position", "cells": {address: cell}, "autofit"}."""
        sheets = self.js("() => __pagt.snapshot()")
        return {s["name"]: {"position": i, **s} for i, s in enumerate(sheets)}


@pytest.fixture
def open_pane(server: tuple[str, Path], browser: Any) -> Iterator[Any]:
    """Open our task pane on a stub Excel holding ``book`` (see :func:`stub_book`); closed afterwards."""
    base, _ = server
    pages: list[Any] = []

    def open_(book: dict[str, Any]) -> TaskPane:
        page = browser.new_page()
        pages.append(page)
        page.add_init_script(f"globalThis.__pagtStubBook = {json.dumps(book, ensure_ascii=False)};")
        page.route("**/office.js", lambda route: route.fulfill(path=str(STUB), content_type="text/javascript"))
        # a closed network: anything not served by our server is refused, so nothing waits on it
        page.route(lambda url: not url.startswith(base), lambda route: route.abort())
        pane = TaskPane(page, base)
        page.goto(f"{base}/taskpane.html", wait_until="load")
        # deferred scripts (the custom-functions code) ran before "load"; xlwings.js' init() then
        # fetches the scripts' metadata before it hooks up the buttons
        page.wait_for_function(
            "() => document.querySelectorAll('[xw-click]').length > 0 && "
            "document.querySelectorAll('[xw-click]:not([xw-click-initialized])').length === 0"
        )
        return pane

    try:
        yield open_
    finally:
        for page in pages:
            page.close()


@pytest.fixture
def pane(open_pane: Any) -> TaskPane:
    """The task pane on the Nordjylland sample."""
    return open_pane(stub_book(NORD_FILE))


def _cells(sheet: dict[str, Any]) -> dict[str, Any]:
    return sheet["cells"]


def _rows(sheet: dict[str, Any]) -> list[list[Any]]:
    """A sheet's values as rows (the stub's used cells; "" in between)."""
    cells = _cells(sheet)
    coords = [openpyxl.utils.cell.coordinate_from_string(a) for a in cells]
    last_row = max(r for _, r in coords)
    last_col = max(openpyxl.utils.column_index_from_string(c) for c, _ in coords)
    return [
        [cells.get(f"{openpyxl.utils.get_column_letter(c)}{r}", {}).get("value", "") for c in range(1, last_col + 1)]
        for r in range(1, last_row + 1)
    ]


def _link_label(value: Any) -> Any:
    """The text an ``=HYPERLINK(target,"text")`` formula shows; any other value as it is."""
    match = re.fullmatch(r'=HYPERLINK\(".*","(.*)"\)', str(value))
    return match.group(1) if match else value


# -- the tests ---------------------------------------------------------------------------------------
def test_the_six_cell_functions_register_and_answer_from_the_server(pane: TaskPane):
    meta = httpx.get(f"{pane.base}/xlwings/custom-functions-meta").json()["functions"]
    registered = pane.js("() => __pagt.registeredIds()")
    assert registered == sorted(f["id"] for f in meta)  # every function in the metadata, and nothing else
    assert {f["id"]: f["name"] for f in meta if f["id"] in FUNCTIONS} == FUNCTIONS

    data = pane.js("([s, a]) => __pagt.rangeValues(s, a)", [OVERVIEW, "A1:U63"])  # the whole sheet, title rows too
    assert pane.call("BELOEB", [["1,3 mio. kr."]]) == {"result": [[kr(1_300_000)]]}
    assert pane.call("TEMA", [["de potentielle stem'er"]]) == {"result": [["De potentielle STEM'ere"]]}
    assert pane.call("BEVILGET", data, None, None, None, None) == {"result": [[kr(23_231_178)]]}
    assert pane.call("BEVILGET", data, [[2023]], None, None, None) == {"result": [[kr(5_635_678)]]}
    assert pane.call("ANTAL", data, None, [["Flere piger og kvinder i STEM"]], None, None) == {"result": [[4]]}
    fordeling = pane.call("FORDELING", data, [["tema"]], None)["result"]
    assert fordeling[0] == ["Indsatsområde", "Projekter", "Støttebeløb", "Andel"]
    # amounts, shares and counts arrive as Office.js formatted numbers (runtime 1.4)
    assert [c["basicValue"] if isinstance(c, dict) else c for c in fordeling[-1]] == ["I alt", 27, 23_231_178, 1.0]
    assert fordeling[-1][2]["numberFormat"] == '#,##0 "kr."' and fordeling[-1][3]["numberFormat"] == "0 %"
    issues = pane.call("VALIDER", data, None)["result"]
    assert ["E34", "Indsatsområde", "Advarsel", "theme_not_open"] in [row[:4] for row in issues]
    # a user error is a real Excel error (#VALUE!) whose message names the unknown theme, not a text result
    unknown = pane.call("TEMA", [["Blå økonomi"]], None)
    assert "result" not in unknown and "Blå økonomi" in unknown["error"], unknown

    # the bodies reached the server as Excel's custom-functions runtime sends them
    body = next(b for b in pane.function_calls if b["func_name"] == "bevilget")
    assert body["client"] == "Office.js" and body["runtime"] == "1.4"
    assert body["caller_address"] == f"[{NORD_FILE.name}]Ark1!B2"
    assert body["culture_info_name"] == "da-DK" and body["date_format"] == "dd-MM-yyyy"
    assert body["args"][0] == data and body["args"][1] is None
    assert pane.js("() => __pagt.state.unsupported") == []


def test_each_button_runs_end_to_end_and_its_actions_change_the_workbook(pane: TaskPane, server):
    _, report_dir = server
    for script in BUTTONS:
        if script == "udbetalinger":  # the sample overview holds no ledger: its message box is checked below
            continue
        answer = pane.click(script)
        assert answer.status == 200, (script, answer.text())
        # no error in the task pane, no message box from the script
        assert pane.page.locator("#global-error-alert").get_attribute("class").split().count("d-none") == 1, script
        assert pane.js("() => __pagt.state.dialogs") == [], script
    assert pane.js("() => __pagt.state.unsupported") == []
    assert pane.console_errors == []
    book = pane.snapshot()
    # Udbetalinger (issue 25) on a book without an Udbetalinger sheet: one Danish message box, no sheet
    answer = pane.click("udbetalinger")
    assert answer.status == 200, answer.text()
    assert len(pane.js("() => __pagt.state.dialogs")) == 1
    assert "Udbetalt og tilbageført" not in pane.snapshot()

    # Valider: a new sheet of issues, with links to the cells, and the faulty cells coloured
    issues = book["Valideringsfejl"]
    assert book[OVERVIEW]["position"] == 0 and issues["position"] == 2  # after the two sample sheets
    rows = _rows(issues)
    assert str(rows[0][0]).startswith("Lavet af pagt_xl")
    header_at = next(i for i, row in enumerate(rows) if row[:6] == ["Ark", "Celle", "Alvor", "Kode", "Beskrivelse", "Besked"])
    assert _cells(issues)[f"A{header_at + 1}"]["font"].get("bold") is True
    # the column "Celle" holds links (formulas; the stub does not calculate, so a value is its formula)
    found = {(_link_label(row[1]), row[2], row[3]) for row in rows[header_at + 1 :] if row[0] == OVERVIEW}
    assert ("E34", "Advarsel", "theme_not_open") in found
    assert '=HYPERLINK("#\'Ansøgninger\'!E34","E34")' in [row[1] for row in rows]
    overview = _cells(book[OVERVIEW])
    colour = {"Fejl": "#FFC7CE", "Advarsel": "#FFEB9C"}
    expected: dict[str, str] = {}
    for cell, severity, _ in sorted(found, key=lambda f: f[1] != "Fejl"):  # an error's colour wins
        if severity in colour and cell:  # notes ("Info") and sheet-wide issues colour nothing
            expected.setdefault(cell, colour[severity])
    coloured = {address: c["fill"] for address, c in overview.items() if c["fill"]}
    assert coloured == expected and expected["E34"] == "#FFEB9C"
    assert overview["E34"]["value"]  # the staff's own values are untouched
    assert overview["A4"]["value"] == "År"

    # Beregn fordelinger: the tables in new sheets, with kroner formats
    for name in ("Årstabel", "Indsatsområder", "Projekttyper", "Runder", "Status", "Kontrol"):
        assert name in book, name
        assert str(_cells(book[name])["A1"]["value"]).startswith("Lavet af pagt_xl"), name
    themes = _rows(book["Indsatsområder"])
    total = next(row for row in themes if row[0] == "I alt")
    assert total[1:3] == [27, 23_231_178]
    kroner_formats = {c["numberFormat"] for c in _cells(book["Indsatsområder"]).values() if c["value"] == 23_231_178}
    assert kroner_formats == {'#,##0 "kr."'}
    assert any(c.get("fill") == "#1F4E79" for c in _cells(book["Indsatsområder"]).values())  # the header row
    assert book["Indsatsområder"]["autofit"]

    # Lav statusrapport: a Word draft on the server, linked from the new sheet "Statusrapport"
    drafts = list(report_dir.glob("statusrapport_nordjylland_*.docx"))
    assert len(drafts) == 1
    report = _cells(book["Statusrapport"])
    url = f"{pane.base}/pagt/rapporter/{drafts[0].name}"
    opener = next(c for c in report.values() if c["formula"] and url in c["formula"])
    assert opener["formula"] == f'=HYPERLINK("{url}","Åbn rapportkladden")'
    download = httpx.get(url)
    assert download.status_code == 200 and download.content[:2] == b"PK"


def test_on_a_book_without_an_overview_valider_lists_it_and_the_others_show_a_message_box(open_pane: Any):
    pane = open_pane({"name": "tom.xlsx", "sheets": [{"name": "Ark1", "values": [["Hej"]]}]})
    assert pane.click("valider").status == 200
    book = pane.snapshot()
    assert [row[3] for row in _rows(book["Valideringsfejl"])[4:]] == ["no_header_row", "sheet_ignored"]
    assert pane.js("() => __pagt.state.dialogs") == []

    assert pane.click("beregn_fordelinger").status == 200
    dialogs = pane.js("() => __pagt.state.dialogs")
    assert len(dialogs) == 1  # xlwings' alert box, opened through Office's dialog API
    assert urlsplit(dialogs[0]).path == "/xlwings/alert"
    query = parse_qs(urlsplit(dialogs[0]).query)
    assert query["title"] == ["Teknologipagt"] and query["mode"] == ["critical"]
    assert "Traceback" not in query["prompt"][0] and query["prompt"][0][:1].isupper()
    assert list(pane.snapshot()) == ["Ark1", "Valideringsfejl"]  # nothing else written


def test_the_ribbon_buttons_run_their_scripts(pane: TaskPane):
    """Our ribbon.js (loaded by the task pane, the manifest's FunctionFile) wires each ribbon button to its script."""
    assert pane.js("() => __pagt.ribbonIds()") == sorted(BUTTONS)
    url = f"{pane.base}/xlwings/custom-scripts-call/valider"
    with pane.page.expect_response(lambda r: r.url == url and r.request.method == "POST") as answer:
        completed = pane.js(
            "async () => { let done = false; await __pagt.state.ribbonActions['valider']({completed() { done = true; }});"
            " return done; }"
        )
    assert answer.value.status == 200 and completed is True
    assert "Valideringsfejl" in pane.snapshot()
    assert pane.console_errors == []
