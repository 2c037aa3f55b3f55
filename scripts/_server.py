"""The add-in server in its own process for the benchmarks (``python -m pagt_xl.xl.serve`` on a free port)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


@contextmanager
def running_server(*args: str, **env: str) -> Iterator[str]:
    """Start the server with ``args`` and ``env`` added to this environment; yield its base URL; stop it afterwards.

    The server refuses to start without authentication: without ``XLWINGS_AUTH_PROVIDERS``
    in ``env`` (see :func:`token_env`) it is started with ``--insecure-local`` (127.0.0.1 only). Raises
    ``RuntimeError`` with the server's log when it does not answer ``/manifest.xml`` within 60 s.
    """
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    tmp = Path(tempfile.mkdtemp(prefix="pagt_xl_bench_"))
    full_env = {
        **os.environ,
        "XLWINGS_LICENSE_KEY": os.environ.get("XLWINGS_LICENSE_KEY", "noncommercial"),
        "PAGT_XL_REPORT_DIR": str(tmp / "rapporter"),
        **env,
    }
    log_path = tmp / "server.log"
    with log_path.open("w") as log:
        if "XLWINGS_AUTH_PROVIDERS" not in env and "--insecure-local" not in args:
            args = (*args, "--insecure-local")
        cmd = [sys.executable, "-m", "pagt_xl.xl.serve", "--port", str(port), *args]
        proc = subprocess.Popen(cmd, cwd=tmp, env=full_env, stdout=log, stderr=log)
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
                    raise RuntimeError("serveren startede ikke:\n" + log_path.read_text())
                time.sleep(0.1)
            yield base
        finally:
            proc.terminate()
            proc.wait(timeout=30)


#: The benchmark user's personal key (see :func:`token_env`).
BENCH_KEY = "benchmark-noegle-0123456789abcdefghijklmnop"


def token_env(folder: Path) -> dict[str, str]:
    """Settings for the token provider with one person (``bench``, key :data:`BENCH_KEY`), the file in ``folder``."""
    path = folder / "tokens.toml"
    path.write_text(f'[tokens]\n"bench" = "{BENCH_KEY}"\n', encoding="utf-8")
    return {"XLWINGS_AUTH_PROVIDERS": '["custom"]', "PAGT_XL_TOKENS_FILE": str(path)}
