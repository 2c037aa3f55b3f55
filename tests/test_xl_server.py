"""The real add-in server (uvicorn in a subprocess on 127.0.0.1): manifest, task pane, metadata, calls, auth.

Requests use the exact bodies xlwings' JavaScript client sends. The server runs
in its own process because xlwings Server sets ``XLWINGS_ON_SERVER`` when it is
imported, which would change the decorators for every other test.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before the first import of xlwings

import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from conftest import HEADER, WORKBOOKS

from pagt_xl.xl.payload import book_payload

NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
TOKEN = "hemmelig-noegle-til-test-1234"
MAX_BODY = 4 * 1024 * 1024
PROD_ID = "5b29499a-50f6-4328-88e1-bd6914c996d2"  # pagt_xl/xl/project/pyproject.toml


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(
    tmp_path: Path,
    command: Callable[[int], list[str]] | None = None,
    scheme: str = "http",
    verify: ssl.SSLContext | bool = True,
    **env: str,
) -> Iterator[str]:
    """Start a server in a subprocess on a free port; yield its base URL, stop it afterwards.

    ``command``: the command line for a port (default: ``python -m pagt_xl.xl.serve --port P``).
    """
    port = _free_port()
    full_env = {
        **os.environ,
        "XLWINGS_LICENSE_KEY": "noncommercial",
        "PAGT_XL_REPORT_DIR": str(tmp_path / "rapporter"),
        "PAGT_XL_MAX_BODY": str(MAX_BODY),
        **env,
    }
    for name in (
        "XLWINGS_ON_SERVER",
        "XLWINGS_PROJECT_DIR",
        "XLWINGS_AUTH_PROVIDERS",
        "XLWINGS_CORS_ALLOW_ORIGINS",
        "XLWINGS_ENVIRONMENT",
        "PAGT_XL_PUBLIC_URL",
        "PAGT_XL_INSECURE_LOCAL",
        "PAGT_XL_TOKENS_FILE",
        "PAGT_XL_API_TOKEN",
    ):
        if name not in env:
            full_env.pop(name, None)
    if "XLWINGS_AUTH_PROVIDERS" not in env:  # the server refuses to start open; a test without auth says so
        full_env.setdefault("PAGT_XL_INSECURE_LOCAL", "true")
    log = (tmp_path / "server.log").open("w")
    cmd = command(port) if command else [sys.executable, "-m", "pagt_xl.xl.serve", "--port", str(port)]
    proc = subprocess.Popen(cmd, env=full_env, cwd=tmp_path, stdout=log, stderr=log)
    base = f"{scheme}://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if httpx.get(f"{base}/manifest.xml", timeout=2, verify=verify).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("the server did not start: " + (tmp_path / "server.log").read_text())
            time.sleep(0.1)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("srv")
    for base in _start(tmp):
        yield base, tmp / "rapporter"


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("auth")
    yield from _start(tmp, XLWINGS_AUTH_PROVIDERS='["custom"]', PAGT_XL_API_TOKEN=TOKEN)


def kr(value: int) -> dict[str, Any]:
    """A whole-kroner result as the server answers custom-functions runtime 1.4: a number with Excel's kr. format."""
    return {"type": "FormattedNumber", "basicValue": value, "numberFormat": '#,##0 "kr."'}


def count(value: int) -> dict[str, Any]:
    """A count in PAGT.FORDELING (runtime 1.4): a whole number with a thousands separator."""
    return {"type": "FormattedNumber", "basicValue": value, "numberFormat": "#,##0"}


def percent(value: float) -> dict[str, Any]:
    """A share (0..1) in PAGT.FORDELING (runtime 1.4), shown as a whole percentage."""
    return {"type": "FormattedNumber", "basicValue": value, "numberFormat": "0 %"}


def call_body(func_name: str, *args: Any) -> dict[str, Any]:
    """The body the xlwings JavaScript client posts for a custom function (every argument a 2-D matrix)."""
    return {
        "client": "Office.js",
        "func_name": func_name,
        "args": [a if isinstance(a, list) else [[a]] for a in args],
        "caller_address": "[oversigt.xlsx]Ark1!B2",
        "session_id": "test-session",
        "culture_info_name": "da-DK",
        "date_format": "dd-mm-yyyy",
        "version": "0.37.8",
        "runtime": "1.4",
    }


def sample_sheet() -> list[list[Any]]:
    """The sample's overview sheet as the client sends it (from A1, title rows included)."""
    return book_payload(NORD_FILE)["sheets"][0]["values"]


def test_manifest_taskpane_and_static_files(server):
    base, _ = server
    manifest = httpx.get(f"{base}/manifest.xml").text
    assert "<OfficeApp" in manifest and '<DisplayName DefaultValue="Teknologipagt" />' in manifest
    assert '<bt:String id="Functions.Namespace" DefaultValue="PAGT" />' in manifest
    assert f"<Id>{PROD_ID}</Id>" in manifest  # our own add-in id (project/pyproject.toml), not xlwings' default
    pane = httpx.get(f"{base}/taskpane.html").text
    for script, label in (("valider", "Valider"), ("beregn_fordelinger", "Beregn fordelinger"),
                          ("lav_statusrapport", "Lav statusrapport"), ("lav_indstilling", "Lav indstilling"),
                          ("lav_breve", "Lav breve"), ("udbetalinger", "Udbetalinger")):  # fmt: skip
        assert f'xw-click="{script}"' in pane and f">{label}</button>" in pane
    assert "pagt-xl-token" in httpx.get(f"{base}/static/js/auth.js").text  # the project's auth.js wins
    assert httpx.get(f"{base}/static/js/pagt-token.js").status_code == 200


def test_function_and_script_metadata(server):
    base, _ = server
    meta = httpx.get(f"{base}/xlwings/custom-functions-meta").json()
    functions = {f["id"]: f for f in meta["functions"]}
    assert {i: f["name"] for i, f in functions.items()} == {
        "BELOEB": "BELØB", "TEMA": "TEMA", "BEVILGET": "BEVILGET", "ANTAL": "ANTAL",
        "FORDELING": "FORDELING", "VALIDER": "VALIDER", "DATA": "DATA", "RESTRAMME": "RESTRAMME",
        "MAALSTATUS": "MÅLSTATUS", "UDBETALT": "UDBETALT",
    }  # fmt: skip
    assert [p["name"] for p in functions["BEVILGET"]["parameters"]] == ["data", "år", "tema", "runde", "pagt"]
    assert [p.get("optional", False) for p in functions["FORDELING"]["parameters"]] == [False, False, True]
    assert functions["FORDELING"]["description"].startswith("Fordeling af tilsagn")
    code = httpx.get(f"{base}/xlwings/custom-functions-code").text
    assert 'CustomFunctions.associate("BELOEB", beloeb)' in code
    scripts = {s["function_name"] for s in httpx.get(f"{base}/xlwings/custom-scripts-meta").json()}
    assert scripts == {"valider", "beregn_fordelinger", "lav_statusrapport", "lav_indstilling", "lav_breve",
                       "udbetalinger"}
    assert [p["name"] for p in functions["RESTRAMME"]["parameters"]] == ["data", "år", "ramme", "pagt", "udbetalinger"]
    assert [p["name"] for p in functions["UDBETALT"]["parameters"]] == ["data", "sag", "pagt"]


def test_custom_function_calls(server):
    base, _ = server
    url = f"{base}/xlwings/custom-functions-call"
    assert httpx.post(url, json=call_body("beloeb", "1,3 mio. kr.")).json() == {"result": [[kr(1_300_000)]]}
    old_excel = {**call_body("beloeb", "1,3 mio. kr."), "runtime": "1.3"}  # no formatted numbers before 1.4
    assert httpx.post(url, json=old_excel).json() == {"result": [[1_300_000]]}
    refused = httpx.post(url, json=call_body("tema", "Blå økonomi"))  # Excel: #VALUE! with the message
    assert (refused.status_code, refused.text) == (400, "PAGT.TEMA: ukendt indsatsområde 'Blå økonomi'")
    data = sample_sheet()
    result = httpx.post(url, json=call_body("fordeling", data, "tema"), timeout=30).json()["result"]
    assert result[0] == ["Indsatsområde", "Projekter", "Støttebeløb", "Andel"]
    assert result[-1] == ["I alt", count(27), kr(23_231_178), percent(1.0)]
    assert [r[0] for r in result[1:3]] == ["1. De potentielle STEM'ere", "2. Flere piger og kvinder i STEM"]
    assert all(isinstance(r[0], str) for r in result)  # labels stay plain text
    groups = httpx.post(url, json=call_body("fordeling", data, "målgruppe"), timeout=30).json()["result"]
    assert groups[0][1:] == ["Projekter der når gruppen", "Deltagere (mål)", "Andel af deltagere",
                             "Støttebeløb i disse projekter (overlapper)"]  # fmt: skip
    assert [cell["numberFormat"] for cell in groups[-1][1:]] == ["#,##0", "#,##0", "0 %", '#,##0 "kr."']
    years = httpx.post(url, json=call_body("fordeling", data, "år"), timeout=30).json()["result"]
    assert [r[0] for r in years[1:]] == [2019, 2020, 2021, 2022, 2023, "I alt"]  # a year is not "2.019"
    plain = {**call_body("fordeling", data, "tema"), "runtime": "1.3"}
    assert httpx.post(url, json=plain, timeout=30).json()["result"][-1] == ["I alt", 27, 23_231_178, 1.0]
    assert httpx.post(url, json=call_body("bevilget", data, 2023)).json() == {"result": [[kr(5_635_678)]]}
    assert httpx.post(url, json=call_body("antal", data, None, "Flere piger og kvinder i STEM")).json() == {
        "result": [[4]]
    }
    issues = httpx.post(url, json=call_body("valider", data)).json()["result"]
    assert ["E34", "Indsatsområde", "Advarsel", "theme_not_open"] in [r[:4] for r in issues]


def test_error_cells_are_issues_and_empty_ranges_are_refused(server):
    base, _ = server
    url = f"{base}/xlwings/custom-functions-call"
    na = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}
    data = [
        HEADER,
        [2020, "A", "Åben runde", "X v/Y", "Flere piger og kvinder i STEM", "Motiverende", 100, "Tilsagn", na],
    ]
    issues = httpx.post(url, json=call_body("valider", data)).json()["result"]
    assert ["I2", "Støttebeløb", "Fejl", "bad_amount"] in [r[:4] for r in issues]
    empty = httpx.post(url, json=call_body("antal", [["", ""], ["", ""]]))
    assert empty.status_code == 400 and empty.text.startswith("PAGT.ANTAL: området er tomt")


def test_a_10000_row_range_is_answered_and_recalculated(server):
    base, _ = server
    themes = ["1. De potentielle STEM'ere", "Flere piger og kvinder i STEM", "STEM kompetencer til alle"]
    data = [HEADER] + [
        [
            2019 + i % 5,
            str(i),
            "Åben runde",
            f"P{i} v/ S{i % 30}",
            themes[i % 3],
            "Motiverende",
            500_000,
            "Tilsagn",
            400_000,
        ]
        for i in range(10_000)
    ]
    body = call_body("fordeling", data, "år")
    url = f"{base}/xlwings/custom-functions-call"
    total = ["I alt", count(10_000), kr(4_000_000_000), percent(1.0)]
    assert httpx.post(url, json=body, timeout=60).json()["result"][-1] == total
    # a recalculation of the same range gives the same answer; its speed (HTTP and JSON for 1.2 MB included;
    # xlwings' default argument conversion alone would take seconds) is measured by scripts/bench_server_load.py
    assert httpx.post(url, json=body, timeout=60).json()["result"][-1] == total


def test_script_calls_and_report_download(server):
    base, folder = server
    payload = book_payload(NORD_FILE)
    r = httpx.post(f"{base}/xlwings/custom-scripts-call/valider", json=payload, timeout=60)
    assert r.status_code == 200
    acts = r.json()["actions"]
    assert acts[0]["func"] == "addSheet" and acts[0]["args"][1] == "Valideringsfejl"
    r = httpx.post(f"{base}/xlwings/custom-scripts-call/beregn_fordelinger", json=payload, timeout=60)
    assert next(a["args"][1] for a in r.json()["actions"] if a["func"] == "addSheet") == "Årstabel"
    r = httpx.post(f"{base}/xlwings/custom-scripts-call/lav_statusrapport", json=payload, timeout=60)
    assert r.status_code == 200
    drafts = list(folder.glob("statusrapport_nordjylland_*.docx"))
    assert len(drafts) == 1
    links = [v for a in r.json()["actions"] if a["func"] == "setValues" for row in a["values"] for v in row]
    url = f"{base}/pagt/rapporter/{drafts[0].name}"
    assert url in links  # the link written into the sheet "Statusrapport"
    download = httpx.get(url)
    assert download.status_code == 200 and download.content == drafts[0].read_bytes()
    assert "attachment" in download.headers["content-disposition"]


def test_downloads_serve_nothing_but_drafts(server):
    base, folder = server
    secret = folder.parent / "server.log"
    outside = folder.parent / "statusrapport_nordjylland_20240101_AAAAAAAAAAAAAAAAAAAAAAAA.docx"
    outside.write_bytes(b"not in the report folder")
    link = folder / "statusrapport_nordjylland_20240101_BBBBBBBBBBBBBBBBBBBBBBBB.docx"
    link.symlink_to(outside)
    for name in (
        "..%2Fserver.log",
        "%2E%2E%2Fserver.log",
        f"..%2F{outside.name}",
        "statusrapport_nordjylland_20240101_CCCCCCCCCCCCCCCCCCCCCCCC.docx",  # well-formed, absent
        link.name,  # a symlink out of the folder
        "findes_ikke.docx",
        str(secret).replace("/", "%2F"),
    ):
        assert httpx.get(f"{base}/pagt/rapporter/{name}").status_code == 404, name
    assert httpx.get(f"{base}/pagt/rapporter/../server.log").status_code == 404


def test_bad_requests_get_4xx_without_a_traceback(server):
    base, _ = server
    url = f"{base}/xlwings/custom-functions-call"
    r = httpx.post(url, content=b"{ikke json", headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500
    r = httpx.post(f"{base}/xlwings/custom-scripts-call/findes_ikke", json=book_payload(NORD_FILE))
    assert r.status_code == 404 and "Traceback" not in r.text
    big = b'{"x": "' + b"a" * (MAX_BODY + 10) + b'"}'
    assert httpx.post(url, content=big, headers={"content-type": "application/json"}).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield b'{"x": "'
        for _ in range(MAX_BODY // 65536 + 2):
            yield b"a" * 65536
        yield b'"}'

    r = httpx.post(url, content=chunks(), headers={"content-type": "application/json"})
    assert r.status_code == 413


def test_auth_refuses_calls_without_the_token(auth_server):
    base = auth_server
    assert httpx.get(f"{base}/manifest.xml").status_code == 200  # the manifest and static files stay public
    url = f"{base}/xlwings/custom-functions-call"
    body = call_body("beloeb", "1,3 mio. kr.")
    assert httpx.post(url, json=body).status_code == 401
    for wrong in ("forkert", "test-token", TOKEN[:-1], TOKEN + "x"):  # test-token: xlwings' example hook
        assert httpx.post(url, json=body, headers={"Authorization": wrong}).status_code == 401, wrong
    for good in (TOKEN, f"Bearer {TOKEN}"):
        ok = httpx.post(url, json=body, headers={"Authorization": good})
        assert ok.status_code == 200 and ok.json() == {"result": [[kr(1_300_000)]]}
    script = f"{base}/xlwings/custom-scripts-call/valider"
    payload = book_payload(NORD_FILE)
    assert httpx.post(script, json=payload).status_code == 401
    assert httpx.post(script, json=payload, headers={"Authorization": TOKEN}).status_code == 200


def test_serve_without_a_license_key_explains_in_one_line_and_exits_2():
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
    code = "from pagt_xl.xl.serve import serve; raise SystemExit(serve())"
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "XLWINGS_LICENSE_KEY=noncommercial" in lines[0]


def test_serve_with_a_bad_setting_names_the_variable_in_one_line_and_exits_2(tmp_path: Path):
    env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", "PAGT_XL_MAX_BODY": "50MB"}
    code = "from pagt_xl.xl.serve import serve; raise SystemExit(serve())"
    proc = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "PAGT_XL_MAX_BODY='50MB'" in lines[0]
    assert not (tmp_path / "rapporter").exists()  # nothing is created before the settings are checked
