"""PAGT.DATA handles with several server workers: xlwings' object cache in a real Redis.

A real ``redis-server`` on a free port on 127.0.0.1 and the stock start of our app,
``uvicorn pagt_xl.xl.asgi:app --workers 2`` with ``XLWINGS_OBJECT_CACHE_URL``. A
handle made by one worker is used by many requests, until both workers have
answered (uvicorn's access log, with each line's process id, says who answered).
Without Redis each worker would keep its own in-memory cache, and the other
worker would answer "#VALUE!: dataene fra PAGT.DATA findes ikke længere".
"""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before the first import of xlwings

import json
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from test_xl_security import ANNE, BO, tokens_file
from test_xl_server import _free_port, _start, call_body, kr, sample_sheet

pytestmark = pytest.mark.skipif(
    shutil.which("redis-server") is None,
    reason="redis-server is not installed (Debian package redis-server; scripts/install-system-deps installs it)",
)

APP = "pagt_xl.xl.asgi:app"
#: uvicorn's access log with the process id of the worker that answered each request
LOG_CONFIG = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"pid": {"format": "pid=%(process)d %(name)s %(message)s"}},
    "handlers": {"err": {"class": "logging.StreamHandler", "formatter": "pid", "stream": "ext://sys.stderr"}},
    "loggers": {
        "uvicorn.access": {"handlers": ["err"], "level": "INFO", "propagate": False},
        "uvicorn.error": {"handlers": ["err"], "level": "INFO", "propagate": False},
    },
}
CALLS = re.compile(r"^pid=(\d+) uvicorn\.access .*\"POST /xlwings/custom-functions-call HTTP/1\.1\" (\d+)", re.M)


def start_redis(folder: Path, port: int) -> subprocess.Popen[bytes]:
    """A real ``redis-server`` on 127.0.0.1:``port``, answering PING; fails the test if it does not start."""
    import redis

    cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
           "--dir", str(folder)]  # fmt: skip
    with (folder / "redis.log").open("a") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    url = f"redis://127.0.0.1:{port}/0"
    deadline = time.monotonic() + 30
    while True:
        try:
            if redis.Redis.from_url(url).ping():
                return proc
        except redis.ConnectionError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail("redis-server did not start: " + (folder / "redis.log").read_text())
        time.sleep(0.05)


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("redis")
    port = _free_port()
    proc = start_redis(tmp, port)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


@pytest.fixture(scope="module")
def two_workers(tmp_path_factory: pytest.TempPathFactory, redis_url: str) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("workers")
    config = tmp / "log.json"
    config.write_text(json.dumps(LOG_CONFIG), encoding="utf-8")

    def command(port: int) -> list[str]:
        return [sys.executable, "-m", "uvicorn", APP, "--workers", "2", "--host", "127.0.0.1", "--port", str(port),
                "--log-config", str(config)]  # fmt: skip

    env = {"XLWINGS_OBJECT_CACHE_URL": redis_url, "XLWINGS_AUTH_PROVIDERS": '["custom"]',
           "PAGT_XL_TOKENS_FILE": str(tokens_file(tmp)), "PAGT_XL_HANDLE_LIFETIME_HOURS": "2"}  # fmt: skip
    for base in _start(tmp, command, **env):
        yield base, tmp / "server.log"


def test_a_handle_made_by_one_worker_is_used_by_both(two_workers, redis_url):
    import redis

    base, log = two_workers
    url = f"{base}/xlwings/custom-functions-call"
    data = sample_sheet()
    made = httpx.post(url, json=call_body("data", data), headers=ANNE, timeout=60)
    assert made.status_code == 200, made.text
    key = made.json()["result"][0][0]["properties"]["object_handle_cache_key"]["basicValue"]
    stored = f"object:token:anne.hansen:{key}"  # kept in Redis under its user
    client = redis.Redis.from_url(redis_url)
    assert client.keys(f"*{key}*") == [stored.encode()]
    assert 7000 < client.ttl(stored) <= 7200  # PAGT_XL_HANDLE_LIFETIME_HOURS=2, not upstream's next Saturday
    expected = {
        ("bevilget", 2023): {"result": [[kr(5_635_678)]]},
        ("antal", 2023): {"result": [[8]]},
    }

    def call(fn_year: tuple[str, int]) -> tuple[int, object]:
        # a new connection per request, so that the kernel hands requests to whichever worker is free
        r = httpx.post(url, json=call_body(fn_year[0], key, fn_year[1]), headers=ANNE, timeout=60)
        return r.status_code, r.json() if r.status_code == 200 else r.text

    answers: list[tuple[tuple[str, int], tuple[int, object]]] = []
    pids: set[str] = set()
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(25):  # rounds of 16 concurrent requests, until both workers have answered one
            batch = [fn for fn in expected for _ in range(8)]
            answers += zip(batch, pool.map(call, batch), strict=True)
            time.sleep(0.2)  # the access log is written after the answer
            served = CALLS.findall(log.read_text())
            pids = {pid for pid, status in served[1:] if status == "200"}  # [0]: PAGT.DATA
            if len(pids) >= 2:
                break
    wrong = [(fn, answer) for fn, answer in answers if answer != (200, expected[fn])]
    assert wrong == [], wrong[:3]
    assert len(pids) == 2, f"only worker(s) {pids} answered in {len(answers)} requests"
    assert len(answers) >= 16
    # whichever worker answers Bo, Anne's handle is not his
    for _ in range(8):
        r = httpx.post(url, json=call_body("bevilget", key, 2023), headers=BO, timeout=60)
        assert r.status_code == 400 and "findes ikke (længere) på serveren for dig" in r.text, r.text


def test_redis_stopped_mid_run_is_503_with_retry_after_and_the_server_recovers(tmp_path: Path):
    """A real redis-server stopped between calls, then started again on the same port."""
    port = _free_port()
    (tmp_path / "redis").mkdir()
    redis_proc = start_redis(tmp_path / "redis", port)
    try:
        for base in _start(tmp_path, XLWINGS_OBJECT_CACHE_URL=f"redis://127.0.0.1:{port}/0"):
            url = f"{base}/xlwings/custom-functions-call"
            data = sample_sheet()
            made = httpx.post(url, json=call_body("data", data), timeout=60)
            key = made.json()["result"][0][0]["properties"]["object_handle_cache_key"]["basicValue"]
            assert httpx.post(url, json=call_body("antal", key, 2023)).json() == {"result": [[8]]}
            redis_proc.terminate()
            redis_proc.wait(timeout=20)
            for body in (call_body("antal", key, 2023), call_body("data", data)):  # reading and making a handle
                start = time.monotonic()
                r = httpx.post(url, json=body, timeout=30)
                assert r.status_code == 503, (r.status_code, r.text)
                assert r.headers["retry-after"] == "5"  # Excel's client retries 5xx (custom_functions_retry_codes)
                assert "Redis" in r.text and "prøv igen" in r.text and "ConnectionError" not in r.text
                assert time.monotonic() - start < 10
            # a function that needs no handle is answered all the while
            assert httpx.post(url, json=call_body("beloeb", "2 mio.")).json() == {"result": [[kr(2_000_000)]]}
            redis_proc = start_redis(tmp_path / "redis", port)  # back: new handles work; the old one is gone
            new = httpx.post(url, json=call_body("data", data), timeout=60)
            assert new.status_code == 200, new.text
            new_key = new.json()["result"][0][0]["properties"]["object_handle_cache_key"]["basicValue"]
            assert httpx.post(url, json=call_body("antal", new_key, 2023)).json() == {"result": [[8]]}
            gone = httpx.post(url, json=call_body("antal", key, 2023))
            assert gone.status_code == 400 and "genberegn projektmappen" in gone.text
    finally:
        redis_proc.terminate()
        redis_proc.wait(timeout=20)
