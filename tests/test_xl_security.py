"""The add-in server attacked as issue 21 did: real servers on 127.0.0.1, raw HTTP, two authenticated users.

Both start-ups are attacked: the stock ``uvicorn pagt_xl.xl.asgi:app --workers 2``
(plain HTTP) and ``pagt-xl serve`` over HTTPS with a self-signed certificate made
here. Requests that a client library would normalise (``..``, ``%2e%2e``) go out
over a raw socket, byte for byte as written. Everything else a real client
does: httpx, the bodies xlwings' JavaScript sends.
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before the first import of xlwings

import hashlib
import socket
import ssl
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_xl_deploy import EXCEL_WEB, NS, _self_signed
from test_xl_server import MAX_BODY, NORD_FILE, _start, call_body, kr, sample_sheet

from pagt_xl import __version__
from pagt_xl.xl.asgi import PROJECT_DIR, manifest_version
from pagt_xl.xl.payload import book_payload

APP = "pagt_xl.xl.asgi:app"
ANNE_KEY = "anne-hansens-egen-noegle-0123456789abcdef"
BO_KEY = "bo-jensens-egen-noegle-0123456789abcdef-xyz"
ANNE = {"Authorization": f"Bearer {ANNE_KEY}"}
BO = {"Authorization": BO_KEY}


def tokens_file(folder: Path) -> Path:
    """Two people: Anne's key in the file as it is, Bo's only as its SHA-256."""
    path = folder / "tokens.toml"
    bo_hash = hashlib.sha256(BO_KEY.encode()).hexdigest()
    path.write_text(f'[tokens]\n"anne.hansen" = "{ANNE_KEY}"\n"bo.jensen" = "sha256:{bo_hash}"\n', encoding="utf-8")
    return path


def auth_env(folder: Path) -> dict[str, str]:
    return {"XLWINGS_AUTH_PROVIDERS": '["custom"]', "PAGT_XL_TOKENS_FILE": str(tokens_file(folder))}


# -- raw HTTP ---------------------------------------------------------------------------------------
def raw_request(base: str, request: bytes, tls: ssl.SSLContext | None = None, timeout: float = 20) -> bytes:
    """Send ``request`` exactly as given; return the whole answer (the server closes: ``Connection: close``)."""
    host, port = base.split("://", 1)[1].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=timeout)
    if tls is not None:
        sock = tls.wrap_socket(sock, server_hostname=host)
    with sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def raw_get(base: str, target: str, tls: ssl.SSLContext | None = None, headers: str = "") -> tuple[int, bytes]:
    """``GET target`` with the target not normalised (as ``curl --path-as-is``); ``(status, body)``."""
    answer = raw_request(base, f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n{headers}Connection: close\r\n\r\n"
                         .encode("latin-1"), tls)  # fmt: skip
    head, _, body = answer.partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


def traversals(secret: Path) -> list[str]:
    """Request targets that try to leave ``/static`` (or another route) for ``/etc/passwd`` or ``secret``."""
    up = "../" * (len(PROJECT_DIR.parts) + 3)
    enc = "%2e%2e/" * (len(PROJECT_DIR.parts) + 3)
    key = str(secret).lstrip("/")
    return [
        f"/static/{up}etc/passwd",
        f"/static/{up}{key}",  # the server's own TLS key
        f"/static/{enc}etc/passwd",
        f"/static/{enc}{key}",
        "/static/" + "%2E%2E%2F" * 12 + "etc%2Fpasswd",
        "/static/" + "..%2f" * 12 + "etc/passwd",
        "/static/" + "%252e%252e/" * 12 + "etc/passwd",  # double-encoded
        "/static/" + "..%252f" * 12 + "etc/passwd",
        f"/static/js/{up}etc/passwd",
        "/static//etc/passwd",  # absolute
        "/static/%2Fetc%2Fpasswd",
        f"/static/{secret}",
        "/static/" + "..\\" * 12 + "etc\\passwd",  # backslashes
        "/static/" + "..%5c" * 12 + "etc%5cpasswd",
        f"http://127.0.0.1/static/{up}etc/passwd",  # absolute-form request target
        f"/static/{up}etc/passwd%00.js",
        f"/pagt/rapporter/{up}etc/passwd",
        "/pagt/rapporter/..%2F..%2F..%2Fetc%2Fpasswd",
        f"/pagt/hjaelp/{up}etc/passwd",
        f"/xlwings/{up}etc/passwd",
        f"/favicon.ico/{up}etc/passwd",
        f"/{up}etc/passwd",
    ]


def assert_confined(base: str, secret: Path, tls: ssl.SSLContext | None = None) -> None:
    for target in traversals(secret):
        status, body = raw_get(base, target, tls)
        assert status in (400, 404), (target, status)
        assert b"root:" not in body and b"PRIVATE KEY" not in body, target
    # what the add-in needs is still served: our file, the package's (vendor) file
    assert raw_get(base, "/static/js/auth.js", tls)[0] == 200
    assert raw_get(base, "/static/vendor/office-js/16.0.20308.15050/dist/office.js", tls)[0] == 200


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The stock start: ``uvicorn pagt_xl.xl.asgi:app --workers 2``, two users with their own keys."""
    tmp = tmp_path_factory.mktemp("stock")

    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "uvicorn", APP, "--workers", "2", "--host", "127.0.0.1", "--port", str(port)]

    for base in _start(tmp, command, **auth_env(tmp)):
        yield base, tmp / "server.log"


@pytest.fixture(scope="module")
def https(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ssl.SSLContext, Path]]:
    """``pagt-xl serve --certfile --keyfile``, two users, short timeouts for slow clients."""
    tmp = tmp_path_factory.mktemp("https")
    certfile, keyfile = _self_signed(tmp)
    trust = ssl.create_default_context(cafile=str(certfile))

    def command(port: int) -> list[str]:
        return [str(Path(sys.executable).parent / "pagt-xl"), "serve", "--port", str(port),
                "--certfile", str(certfile), "--keyfile", str(keyfile)]  # fmt: skip

    env = {**auth_env(tmp), "PAGT_XL_HEADER_TIMEOUT": "2", "PAGT_XL_BODY_TIMEOUT": "2", "PAGT_XL_BODY_MIN_RATE": "2000"}
    for base in _start(tmp, command, scheme="https", verify=trust, **env):
        yield base, trust, keyfile


# -- 1. files confined ------------------------------------------------------------------------------
def test_stock_uvicorn_serves_no_file_outside_its_folders(stock, tmp_path: Path):
    base, _ = stock
    secret = tmp_path / "hemmelig.pem"
    secret.write_text("-----BEGIN PRIVATE KEY-----\nnot really\n", encoding="utf-8")
    assert_confined(base, secret)


def test_https_serve_never_hands_out_its_own_tls_key(https):
    base, trust, keyfile = https
    assert_confined(base, keyfile, tls=trust)


def test_a_symlink_in_the_static_folder_pointing_out_is_not_followed(stock, https):
    """A link in the real project folder (named so that no package glob ever ships it), removed afterwards."""
    name = f"pagt-test-link-{uuid.uuid4().hex}"
    static = PROJECT_DIR / "static"
    file_link, dir_link = static / name, static / f"{name}-dir"
    file_link.symlink_to("/etc/passwd")
    dir_link.symlink_to("/etc", target_is_directory=True)
    try:
        for base, tls in ((stock[0], None), (https[0], https[1])):
            for target in (f"/static/{name}", f"/static/{name}-dir/passwd"):
                status, body = raw_get(base, target, tls)
                assert status == 404 and b"root:" not in body, (base, target)
    finally:
        file_link.unlink()
        dir_link.unlink()


# -- 2. secure by default ---------------------------------------------------------------------------
def _serve(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("XLWINGS_", "PAGT_XL_"))}
    full |= {"XLWINGS_LICENSE_KEY": "noncommercial", **env}
    cmd = [sys.executable, "-m", "pagt_xl.xl.serve", "--port", "9", *args]  # port 9: never reached
    return subprocess.run(cmd, env=full, capture_output=True, text=True, timeout=60, cwd=cwd)


@pytest.mark.parametrize(
    ("args", "env", "named"),
    [
        ((), {}, "XLWINGS_AUTH_PROVIDERS"),
        (("--insecure-local", "--host", "0.0.0.0"), {}, "--host 0.0.0.0"),
        ((), {"PAGT_XL_INSECURE_LOCAL": "true"}, None),  # checked below: the host default is 127.0.0.1
        ((), {"XLWINGS_AUTH_PROVIDERS": '["custom"]'}, "PAGT_XL_TOKENS_FILE"),
        ((), {"XLWINGS_AUTH_PROVIDERS": '["custom"]', "PAGT_XL_API_TOKEN": "kort"}, "PAGT_XL_TOKENS_FILE"),
        ((), {"XLWINGS_AUTH_PROVIDERS": '["entraid"]'}, "XLWINGS_AUTH_ENTRAID_CLIENT_ID"),
        ((), {"XLWINGS_AUTH_PROVIDERS": '["ldap"]'}, "'ldap'"),
    ],
)
def test_serve_refuses_an_open_or_half_configured_start_in_one_line(args, env, named, tmp_path: Path):
    if named is None:
        env = {**env, "PAGT_XL_INSECURE_LOCAL": "true"}
        args = ("--host", "192.0.2.1")  # a documentation address: refused before anything binds
        named = "--host 192.0.2.1"
    proc = _serve(*args, cwd=tmp_path, **env)
    assert proc.returncode == 2 and proc.stdout == "", proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], proc.stderr
    assert not (tmp_path / "rapporter").exists()


@pytest.mark.parametrize(
    ("content", "named"),
    [
        ('[tokens]\n"anne" = "kort"\n', "'anne'"),
        ('[tokens]\n"anne" = "sha256:abc"\n', "'anne'"),
        (f'[tokens]\n"anne" = "{ANNE_KEY}"\n"bo" = "{ANNE_KEY}"\n', "samme nøgle"),
        ('[brugere]\n"anne" = "x"\n', "[tokens]"),
        ("[tokens\n", "TOML"),
    ],
)
def test_a_bad_tokens_file_stops_the_start_and_never_shows_a_key(content, named, tmp_path: Path):
    path = tmp_path / "tokens.toml"
    path.write_text(content, encoding="utf-8")
    proc = _serve(cwd=tmp_path, XLWINGS_AUTH_PROVIDERS='["custom"]', PAGT_XL_TOKENS_FILE=str(path))
    assert proc.returncode == 2 and named in proc.stderr and str(path) in proc.stderr, proc.stderr
    assert ANNE_KEY not in proc.stderr


def test_stock_uvicorn_without_authentication_does_not_start(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("XLWINGS_", "PAGT_XL_"))}
    env |= {"XLWINGS_LICENSE_KEY": "noncommercial", "PAGT_XL_REPORT_DIR": str(tmp_path / "r")}
    proc = subprocess.run([sys.executable, "-m", "uvicorn", APP, "--port", "9"], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode != 0 and "ingen godkendelse" in proc.stderr and "--insecure-local" in proc.stderr


def test_insecure_local_says_so_loudly_and_answers_this_machine_only(tmp_path: Path):
    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "pagt_xl.xl.serve", "--port", str(port), "--insecure-local"]

    for base in _start(tmp_path, command, PAGT_XL_INSECURE_LOCAL=""):
        log = (tmp_path / "server.log").read_text()
        assert "UDEN godkendelse" in log and "WITHOUT authentication" in log and "127.0.0.1" in log
        url = f"{base}/xlwings/custom-functions-call"
        assert httpx.post(url, json=call_body("beloeb", "2 mio.")).json() == {"result": [[kr(2_000_000)]]}
        # a client uvicorn sees as another machine (a proxy's X-Forwarded-For from 127.0.0.1, which it trusts)
        r = httpx.post(url, json=call_body("beloeb", "2 mio."), headers={"X-Forwarded-For": "203.0.113.9"})
        assert r.status_code == 403 and "kun på denne maskine" in r.json()["detail"]
        assert httpx.get(f"{base}/manifest.xml", headers={"X-Forwarded-For": "203.0.113.9"}).status_code == 403


def test_each_person_has_their_own_key_and_the_log_names_them(stock):
    base, log = stock
    url = f"{base}/xlwings/custom-functions-call"
    body = call_body("beloeb", "1,3 mio. kr.")
    for headers in ({}, {"Authorization": "forkert"}, {"Authorization": ANNE_KEY[:-1]},
                    {"Authorization": f"sha256:{hashlib.sha256(BO_KEY.encode()).hexdigest()}"}):  # fmt: skip
        assert httpx.post(url, json=body, headers=headers).status_code == 401, headers
    for headers in (ANNE, BO):
        assert httpx.post(url, json=body, headers=headers).json() == {"result": [[kr(1_300_000)]]}
    time.sleep(0.3)
    text = log.read_text()
    assert 'Function "beloeb" called by anne.hansen' in text and 'Function "beloeb" called by bo.jensen' in text


def test_the_body_is_not_parsed_before_the_caller_is_authenticated(stock):
    base, _ = stock
    calls = (f"{base}/xlwings/custom-functions-call", f"{base}/xlwings/custom-scripts-call/valider")
    for url in calls:
        for content in (b"{ikke json", b"[]", b'{"func_name": 1}', b'{"book": 1}', b"\xff\xfe"):
            r = httpx.post(url, content=content, headers={"content-type": "application/json"})
            assert r.status_code == 401, (url, content, r.status_code)
            r = httpx.post(url, content=content, headers={"content-type": "application/json", **ANNE})
            assert r.status_code == 400 and "Traceback" not in r.text, (url, content, r.text)
    assert httpx.post(calls[1], json=book_payload(NORD_FILE), headers=ANNE, timeout=60).status_code == 200


# -- 3. handles per user ----------------------------------------------------------------------------
def test_a_handle_of_one_user_gives_another_user_a_danish_refusal(https):
    """One worker (pagt-xl serve): the handle is surely in the process that answers; Redis: tests/test_xl_redis.py."""
    base, trust, _ = https
    url = f"{base}/xlwings/custom-functions-call"
    data = sample_sheet()
    made = httpx.post(url, json=call_body("data", data), headers=ANNE, timeout=60, verify=trust)
    key = made.json()["result"][0][0]["properties"]["object_handle_cache_key"]["basicValue"]
    assert uuid.UUID(key).version == 4  # 122 random bits
    other_cell = {**call_body("data", data), "caller_address": "[oversigt.xlsx]Ark1!C2"}  # same cell: superseded
    again = httpx.post(url, json=other_cell, headers=ANNE, timeout=60, verify=trust)
    assert again.json()["result"][0][0]["properties"]["object_handle_cache_key"]["basicValue"] != key
    mine = httpx.post(url, json=call_body("bevilget", key, 2023), headers=ANNE, verify=trust)
    assert mine.status_code == 200 and mine.json() == {"result": [[kr(5_635_678)]]}, mine.text
    for fn, args in (("bevilget", (2023,)), ("fordeling", ("ansøger",)), ("valider", ())):
        r = httpx.post(url, json=call_body(fn, key, *args), headers=BO, verify=trust)
        assert r.status_code == 400 and "findes ikke (længere) på serveren for dig" in r.text, r.text
        assert "5635678" not in r.text and "v/" not in r.text  # nothing of Anne's overview
    assert httpx.post(url, json=call_body("bevilget", key, 2023), verify=trust).status_code == 401
    # Bo's own handle of the same range is his, and Anne cannot use it either
    his = httpx.post(url, json={**call_body("data", data), "caller_address": "[bo.xlsx]Ark1!B2"}, headers=BO,
                     timeout=60, verify=trust)  # fmt: skip
    his_key = his.json()["result"][0][0]["properties"]["object_handle_cache_key"]["basicValue"]
    assert httpx.post(url, json=call_body("antal", his_key, 2023), headers=BO, verify=trust).json() == {"result": [[8]]}
    assert httpx.post(url, json=call_body("antal", his_key, 2023), headers=ANNE, verify=trust).status_code == 400


def test_several_workers_without_redis_warn_at_start(stock):
    _, log = stock
    # the server answers as soon as one worker is up: the other may still be starting on a busy machine
    deadline = time.monotonic() + 60
    while log.read_text().count("flere serverprocesser uden XLWINGS_OBJECT_CACHE_URL") < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert log.read_text().count("flere serverprocesser uden XLWINGS_OBJECT_CACHE_URL") == 2  # one per worker


@pytest.fixture(scope="module")
def short_handles(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One worker; handles live 5.4 s."""
    tmp = tmp_path_factory.mktemp("short")
    for base in _start(tmp, PAGT_XL_HANDLE_LIFETIME_HOURS="0.0015"):
        yield f"{base}/xlwings/custom-functions-call"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One worker; at most 40 KB of handles (they live the default 8 hours)."""
    tmp = tmp_path_factory.mktemp("small")
    for base in _start(tmp, PAGT_XL_HANDLE_CACHE_MB=str(40 / 1024)):
        yield f"{base}/xlwings/custom-functions-call"


def _handle(url: str, data: list[list[object]], cell: str = "B2") -> str:
    """PAGT.DATA in ``cell`` (each cell its own handle: a recalculated cell supersedes its previous one)."""
    r = httpx.post(url, json={**call_body("data", data), "caller_address": f"[oversigt.xlsx]Ark1!{cell}"}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()["result"][0][0]["properties"]["object_handle_cache_key"]["basicValue"]


def test_handles_expire_after_their_lifetime(short_handles):
    url = short_handles
    key = _handle(url, sample_sheet())
    assert httpx.post(url, json=call_body("antal", key, 2023)).json() == {"result": [[8]]}
    time.sleep(6)
    gone = httpx.post(url, json=call_body("antal", key, 2023))
    assert gone.status_code == 400 and "genberegn projektmappen" in gone.text


def test_the_handle_store_is_bounded_by_bytes(small_store):
    url = small_store
    data = sample_sheet()
    keys = []
    for i in range(12):  # distinct ranges (a title cell differs): each packed handle is a few KB
        rows = [list(r) for r in data]
        rows[0] = [f"Oversigt {i}", *rows[0][1:]]
        keys.append(_handle(url, rows, cell=f"C{i + 1}"))
    answers = [httpx.post(url, json=call_body("antal", k, 2023)).status_code for k in keys]
    assert answers[-1] == 200  # the newest is kept
    assert 400 in answers[:6], answers  # the oldest went: 12 handles do not fit in 40 KB
    assert answers == sorted(answers, reverse=True), answers  # least recently used first


# -- 4. deployment details --------------------------------------------------------------------------
def test_our_own_errors_carry_cors_and_security_headers(stock):
    base, _ = stock
    origin = {"Origin": EXCEL_WEB}
    answers = {
        "404": httpx.get(f"{base}/static/%2e%2e/x", headers=origin),
        "413": httpx.post(
            f"{base}/xlwings/custom-functions-call",
            content=b"x" * (MAX_BODY + 1),
            headers={**origin, **ANNE, "content-type": "application/json"},
        ),
        "401": httpx.post(f"{base}/xlwings/custom-functions-call", json=call_body("beloeb", "1"), headers=origin),
        "400": httpx.post(f"{base}/xlwings/custom-functions-call", content=b"{", headers={**origin, **ANNE}),
        "script 404": httpx.post(f"{base}/xlwings/custom-scripts-call/findes_ikke", json={}, headers=origin),
    }
    for name, r in answers.items():
        assert str(r.status_code) == name.split()[-1], (name, r.status_code)
        assert r.headers["access-control-allow-origin"] == EXCEL_WEB, name
        assert "default-src 'self'" in r.headers["content-security-policy"], name
        assert r.headers["x-content-type-options"] == "nosniff", name
    evil = httpx.get(f"{base}/static/%2e%2e/x", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in evil.headers


def test_the_task_pane_has_a_content_security_policy_that_office_may_frame(stock):
    base, _ = stock
    csp = httpx.get(f"{base}/taskpane.html").headers["content-security-policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'" and directives["object-src"] == "'none'"
    assert "https://*.officeapps.live.com" in directives["frame-ancestors"]


def test_every_function_has_a_help_page_the_server_serves(stock):
    base, _ = stock
    functions = httpx.get(f"{base}/xlwings/custom-functions-meta").json()["functions"]
    assert len(functions) >= 9
    for f in functions:
        assert f["helpUrl"] == f"{base}/pagt/hjaelp/{f['id'].lower()}", f["id"]
        page = httpx.get(f["helpUrl"])
        assert page.status_code == 200 and f"PAGT.{f['name']}" in page.text and f["description"] in page.text
    assert httpx.get(f"{base}/pagt/hjaelp/findes_ikke").status_code == 404
    index = httpx.get(f"{base}/pagt/hjaelp").text
    assert all(f"PAGT.{f['name']}" in index for f in functions)


def test_manifest_version_and_address_come_from_the_package_and_the_request(stock):
    import xml.etree.ElementTree as ET

    base, _ = stock
    root = ET.fromstring(httpx.get(f"{base}/manifest.xml").content)
    assert root.findtext("o:Version", namespaces=NS) == manifest_version(__version__) != "1.0.0.0"
    assert root.find("o:DefaultSettings/o:SourceLocation", NS).get("DefaultValue") == f"{base}/taskpane.html"
    proxied = {"Host": "pagt.region.dk", "X-Forwarded-Proto": "https"}  # a TLS proxy on this machine
    root = ET.fromstring(httpx.get(f"{base}/manifest.xml", headers=proxied).content)
    assert root.find("o:DefaultSettings/o:SourceLocation", NS).get("DefaultValue") == (
        "https://pagt.region.dk/taskpane.html"
    )
    assert root.find("o:IconUrl", NS).get("DefaultValue").startswith("https://pagt.region.dk/static/")
    # the report link from the same request is the same address
    r = httpx.post(f"{base}/xlwings/custom-scripts-call/lav_statusrapport", json=book_payload(NORD_FILE),
                   headers={**proxied, **ANNE}, timeout=60)  # fmt: skip
    links = [v for a in r.json()["actions"] if a["func"] == "setValues" for row in a["values"] for v in row
             if isinstance(v, str) and "/pagt/rapporter/" in v]  # fmt: skip
    assert links and all("https://pagt.region.dk/pagt/rapporter/" in v and "127.0.0.1" not in v for v in links), links


def test_manifest_version_has_four_numbers():
    assert manifest_version("0.1.0") == "0.1.0.0"
    assert manifest_version("2.3.4.5.6") == "2.3.4.5"
    assert manifest_version("1.2rc1") == "1.2.0.0"


def test_one_setting_fixes_the_address_for_the_manifest_and_the_links(tmp_path: Path):
    import xml.etree.ElementTree as ET

    for base in _start(tmp_path, PAGT_XL_PUBLIC_URL="https://pagt.region.dk"):
        headers = {"Host": "angriber.example"}
        root = ET.fromstring(httpx.get(f"{base}/manifest.xml", headers=headers).content)
        assert root.find("o:DefaultSettings/o:SourceLocation", NS).get("DefaultValue") == (
            "https://pagt.region.dk/taskpane.html"
        )
        meta = httpx.get(f"{base}/xlwings/custom-functions-meta", headers=headers).json()
        assert meta["functions"][0]["helpUrl"].startswith("https://pagt.region.dk/pagt/hjaelp/")


def test_serve_over_plain_http_says_so_at_start(tmp_path: Path):
    for _ in _start(tmp_path):
        assert "almindelig HTTP" in (tmp_path / "server.log").read_text()


# -- slow clients -----------------------------------------------------------------------------------
def _half_open(base: str, tls: ssl.SSLContext | None, partial: bytes) -> socket.socket:
    host, port = base.split("://", 1)[1].rsplit(":", 1)
    sock = socket.create_connection((host, int(port)), timeout=30)
    if tls is not None:
        sock = tls.wrap_socket(sock, server_hostname=host)
    sock.sendall(partial)
    return sock


def test_half_sent_headers_are_dropped_while_others_are_answered(https):
    base, trust, _ = https
    socks = [_half_open(base, trust, b"GET /manifest.xml HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Langsom: ") for _ in range(200)]
    try:
        start = time.monotonic()
        r = httpx.get(f"{base}/manifest.xml", verify=trust, timeout=10)  # others are answered meanwhile
        assert r.status_code == 200 and time.monotonic() - start < 2
        closed = 0
        deadline = time.monotonic() + 15
        for sock in socks:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                closed += sock.recv(1) == b""  # the server closed it (header deadline 2 s)
            except (ConnectionResetError, ssl.SSLError):
                closed += 1
            except TimeoutError:
                pass
        assert closed == 200
        assert time.monotonic() - start < 15
    finally:
        for sock in socks:
            sock.close()
    assert httpx.get(f"{base}/manifest.xml", verify=trust).status_code == 200


def test_a_body_sent_at_one_byte_a_second_is_dropped_while_others_are_answered(https):
    base, trust, _ = https
    body = b'{"client": "Office.js", "func_name": "beloeb", "args": [[["1"]]]}'
    head = (f"POST /xlwings/custom-functions-call HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {ANNE_KEY}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n").encode()  # fmt: skip
    sock = _half_open(base, trust, head)
    answer: list[bytes] = []
    stop = threading.Event()

    def drip() -> None:
        for byte in body:
            if stop.is_set():
                return
            try:
                sock.sendall(bytes([byte]))
            except OSError:
                return
            time.sleep(1)

    sender = threading.Thread(target=drip, daemon=True)
    start = time.monotonic()
    sender.start()
    try:
        ok = httpx.post(f"{base}/xlwings/custom-functions-call", json=call_body("beloeb", "2 mio."), headers=BO,
                        verify=trust)  # fmt: skip
        assert ok.json() == {"result": [[kr(2_000_000)]]} and time.monotonic() - start < 2
        sock.settimeout(20)
        while chunk := sock.recv(65536):
            answer.append(chunk)
        elapsed = time.monotonic() - start
    finally:
        stop.set()
        sock.close()
    text = b"".join(answer)
    assert text.startswith(b"HTTP/1.1 408"), text[:200]
    assert elapsed < 6  # grace 2 s + what was sent at the minimum rate
    assert b"for langsomt" in text
