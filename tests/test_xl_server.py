"""The real add-in server on 127.0.0.1: manifest, task pane, metadata, function and script calls, auth."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import WORKBOOKS
from test_cli import run

from pagt_xl.xl.payload import book_payload

NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(tmp_path: Path, **env: str) -> Iterator[str]:
    port = _free_port()
    full_env = {**os.environ, "XLWINGS_LICENSE_KEY": "noncommercial", "PAGT_XL_REPORT_DIR": str(tmp_path), **env}
    full_env.pop("XLWINGS_ON_SERVER", None)
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "pagt_xl.xl.serve", "--port", str(port)], env=full_env, stdout=log, stderr=log
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/manifest.xml", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("server did not start: " + (tmp_path / "server.log").read_text())
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("srv")
    for base in _start(tmp):
        yield base, tmp


@pytest.fixture(scope="module")
def auth_server(tmp_path_factory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("auth")
    yield from _start(tmp, XLWINGS_AUTH_PROVIDERS='["custom"]', PAGT_XL_API_TOKEN="hemmelig-noegle-123")


def call_body(func_name: str, *args: object) -> dict[str, object]:
    """The body the xlwings JavaScript client posts for a custom function (every argument a 2-D matrix)."""
    return {
        "client": "Office.js",
        "func_name": func_name,
        "args": [a if isinstance(a, list) else [[a]] for a in args],
        "caller_address": "Ark1!B2",
        "session_id": "test-session",
        "culture_info_name": "da-DK",
        "date_format": "dd-mm-yyyy",
        "version": "0.37.8",
        "runtime": "1.4",
    }


def test_manifest_taskpane_and_metadata(server):
    base, _ = server
    manifest = httpx.get(f"{base}/manifest.xml")
    assert manifest.status_code == 200 and "<OfficeApp" in manifest.text and "Teknologipagt" in manifest.text
    pane = httpx.get(f"{base}/taskpane.html").text
    for script, label in (("valider", "Valider"), ("beregn_fordelinger", "Beregn fordelinger"),
                          ("lav_statusrapport", "Lav statusrapport")):  # fmt: skip
        assert f'xw-click="{script}"' in pane and f">{label}</button>" in pane
    meta = httpx.get(f"{base}/xlwings/custom-functions-meta").json()
    assert {f["name"] for f in meta["functions"]} == {"BELOEB", "TEMA", "BEVILGET", "ANTAL", "FORDELING", "VALIDER"}
    fordeling = next(f for f in meta["functions"] if f["name"] == "FORDELING")
    assert "Fordeling af tilsagn" in fordeling["description"]
    code = httpx.get(f"{base}/xlwings/custom-functions-code").text
    assert 'CustomFunctions.associate("FORDELING"' in code
    scripts = {s["function_name"] for s in httpx.get(f"{base}/xlwings/custom-scripts-meta").json()}
    assert scripts == {"valider", "beregn_fordelinger", "lav_statusrapport"}


def test_custom_function_calls(server):
    base, _ = server
    url = f"{base}/xlwings/custom-functions-call"
    assert httpx.post(url, json=call_body("beloeb", "1,3 mio. kr.")).json() == {"result": [[1_300_000]]}
    assert httpx.post(url, json=call_body("tema", "Blå økonomi")).json() == {
        "result": [["#PAGT: ukendt indsatsområde 'Blå økonomi'"]]
    }
    data = book_payload(NORD_FILE)["sheets"][0]["values"][3:]
    result = httpx.post(url, json=call_body("fordeling", data, "tema"), timeout=30).json()["result"]
    assert result[0] == ["Indsatsområde", "Projekter", "Støttebeløb", "Andel"]
    assert result[-1][:3] == ["I alt", 27, 23_231_178]
    assert httpx.post(url, json=call_body("bevilget", data, 2023)).json() == {"result": [[5_635_678]]}


def test_script_calls_and_report_download(server):
    base, folder = server
    payload = book_payload(NORD_FILE)
    r = httpx.post(f"{base}/xlwings/custom-scripts-call/valider", json=payload, timeout=60)
    assert r.status_code == 200
    acts = r.json()["actions"]
    assert acts[0]["func"] == "addSheet" and acts[0]["args"][1] == "Valideringsfejl"
    r = httpx.post(f"{base}/xlwings/custom-scripts-call/lav_statusrapport", json=payload, timeout=60)
    assert r.status_code == 200
    drafts = list(folder.glob("statusrapport_nordjylland_*.docx"))
    assert len(drafts) == 1
    download = httpx.get(f"{base}/pagt/rapporter/{drafts[0].name}")
    assert download.status_code == 200 and download.content == drafts[0].read_bytes()
    assert httpx.get(f"{base}/pagt/rapporter/..%2Fserver.log").status_code == 404
    assert httpx.get(f"{base}/pagt/rapporter/findes_ikke.docx").status_code == 404


def test_bad_requests_are_4xx_not_500(server):
    base, _ = server
    url = f"{base}/xlwings/custom-functions-call"
    r = httpx.post(url, content=b"{ikke json", headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500
    r = httpx.post(f"{base}/xlwings/custom-scripts-call/findes_ikke", json=book_payload(NORD_FILE))
    assert 400 <= r.status_code < 500 and "Traceback" not in r.text
    big = b'{"x": "' + b"a" * (51 * 1024 * 1024) + b'"}'
    r = httpx.post(url, content=big, headers={"content-type": "application/json"}, timeout=60)
    assert r.status_code == 413


def test_auth_rejects_anonymous_calls(auth_server):
    base = auth_server
    assert httpx.get(f"{base}/manifest.xml").status_code == 200  # the manifest stays public
    url = f"{base}/xlwings/custom-functions-call"
    body = call_body("beloeb", "1,3 mio. kr.")
    assert httpx.post(url, json=body).status_code == 401
    assert httpx.post(url, json=body, headers={"Authorization": "forkert"}).status_code == 401
    ok = httpx.post(url, json=body, headers={"Authorization": "hemmelig-noegle-123"})
    assert ok.status_code == 200 and ok.json() == {"result": [[1_300_000]]}
    script = httpx.post(f"{base}/xlwings/custom-scripts-call/valider", json=book_payload(NORD_FILE))
    assert script.status_code == 401


def test_serve_without_license_key_explains_and_exits_2():
    env = {k: v for k, v in os.environ.items() if k != "XLWINGS_LICENSE_KEY"}
    proc = subprocess.run([sys.executable, "-m", "pagt_xl", "serve"], env=env, capture_output=True, text=True)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "XLWINGS_LICENSE_KEY=noncommercial" in lines[0]
    assert run("serve", "--help").returncode == 0
