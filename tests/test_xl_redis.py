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


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import redis

    tmp = tmp_path_factory.mktemp("redis")
    port = _free_port()
    cmd = ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
           "--dir", str(tmp)]  # fmt: skip
    with (tmp / "redis.log").open("w") as log:
        proc = subprocess.Popen(cmd, stdout=log, stderr=log)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if redis.Redis.from_url(url).ping():
                    break
            except redis.ConnectionError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("redis-server did not start: " + (tmp / "redis.log").read_text())
            time.sleep(0.05)
        yield url
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

    for base in _start(tmp, command, XLWINGS_OBJECT_CACHE_URL=redis_url):
        yield base, tmp / "server.log"


def test_a_handle_made_by_one_worker_is_used_by_both(two_workers, redis_url):
    import redis

    base, log = two_workers
    url = f"{base}/xlwings/custom-functions-call"
    data = sample_sheet()
    made = httpx.post(url, json=call_body("data", data), timeout=60)
    assert made.status_code == 200, made.text
    key = made.json()["result"][0][0]["properties"]["object_handle_cache_key"]["basicValue"]
    assert redis.Redis.from_url(redis_url).keys(f"object:{key}") == [f"object:{key}".encode()]  # kept in Redis
    expected = {
        ("bevilget", 2023): {"result": [[kr(5_635_678)]]},
        ("antal", 2023): {"result": [[8]]},
    }

    def call(fn_year: tuple[str, int]) -> tuple[int, object]:
        # a new connection per request, so that the kernel hands requests to whichever worker is free
        r = httpx.post(url, json=call_body(fn_year[0], key, fn_year[1]), timeout=60)
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
