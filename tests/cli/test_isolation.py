"""A run survives its worst file (issue 21, item 9): each input read in a child process of its own.

The crashing file is real: a 30 KB .xls whose DIMENSIONS record makes python-calamine reserve room for 22
billion cells; the process aborts (SIGABRT, exit 134). The guard knows this file now, so these tests switch
the guard's .xls check off, as for a file whose trap the guard does not know yet: the reader then really
aborts, in its child, and the run goes on.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys

import pytest
from conftest import ROOT, WORKBOOKS

from pagt_xl.base import _child
from pagt_xl.base.errors import ErrorCode, InputError
from pagt_xl.ingest import extent
from pagt_xl.ingest.grid import isolated_reads, read_grids

NORD = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
CRASH = ROOT / "tests" / "data" / "bad" / "xls_dimensionsbombe.xls"

pytestmark = pytest.mark.skipif(_child.start_method() != "fork", reason="the guard is switched off in a forked child")


@pytest.fixture
def guard_off_for_xls(monkeypatch):
    monkeypatch.setattr(extent, "xls_extents", lambda *args: None)


def test_the_crash_file_really_aborts_a_reader_without_the_guard():
    """python-calamine on its own, in a fresh interpreter: exit 134 (SIGABRT), a Rust backtrace on stderr."""
    code = (
        "import sys; from python_calamine import CalamineWorkbook as W; W.from_path(sys.argv[1]).get_sheet_by_index(0)"
    )
    proc = subprocess.run([sys.executable, "-c", code, str(CRASH)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGABRT, (proc.returncode, proc.stderr[-500:])
    assert "memory allocation" in proc.stderr


def test_an_aborting_read_is_an_input_error_for_that_file(guard_off_for_xls):
    with isolated_reads(), pytest.raises(InputError) as info:
        read_grids(CRASH)
    assert info.value.code is ErrorCode.FILE_UNSAFE and info.value.file == str(CRASH)
    assert "SIGABRT" in str(info.value)
    assert read_grids(NORD)  # and this process is still here


def test_validate_of_several_files_reports_the_crash_and_reads_the_rest(cli, guard_off_for_xls, tmp_path):
    proc = cli("validate", str(CRASH), str(NORD), "--format", "json")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and str(CRASH) in lines[0] and "SIGABRT" in lines[0]


def test_a_scheduled_run_with_a_crashing_file_finishes_and_writes_its_issue_file(cli, guard_off_for_xls, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    shutil.copy(NORD, data / NORD.name)
    shutil.copy(CRASH, data / "ødelagt.xls")
    config = tmp_path / "koersel.toml"
    config.write_text('pact = "nordjylland"\ninputs = ["data/*.xls*"]\noutputs = "ud"\n', encoding="utf-8")
    proc = cli("run", str(config), "--date", "2024-02-15")
    assert proc.returncode == 2, proc.stderr  # an input could not be read
    assert "Traceback" not in proc.stderr
    out = tmp_path / "ud"
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "fejl_nordjylland_2024-02-15.csv",
        "fejl_nordjylland_2024-02-15.json",
        "fordelinger_nordjylland_2024-02-15.xlsx",
        "pagt-xl_2024-02-15.log",
        "statusrapport_nordjylland_2024-02-15.docx",
    ]
    issues = json.loads((out / "fejl_nordjylland_2024-02-15.json").read_text(encoding="utf-8"))
    crash = [i for i in issues if i["file"] == str(data / "ødelagt.xls")]
    assert [i["code"] for i in crash] == ["file_unreadable"] and "SIGABRT" in crash[0]["message"]
    assert any(i["file"] == str(data / NORD.name) for i in issues)  # the good file was read and judged
    log = (out / "pagt-xl_2024-02-15.log").read_text(encoding="utf-8")
    assert "Færdig:" in log and "exit-kode 2" in log


def test_memory_and_cpu_limits_end_the_child_not_this_process():
    with pytest.raises(MemoryError):
        _child.run(_allocate, 2_000_000_000, limits=_child.Limits(memory=300_000_000, wall_seconds=60))
    with pytest.raises(_child.CpuTimeExceeded):
        _child.run(_spin, limits=_child.Limits(cpu_seconds=1, wall_seconds=60))
    with pytest.raises(_child.ChildFailed) as info:
        _child.run(_spin, limits=_child.Limits(wall_seconds=1))
    assert "sekunder" in str(info.value)
    with pytest.raises(_child.ChildFailed) as info:
        _child.run(os.abort)
    assert info.value.signal == signal.SIGABRT and "SIGABRT" in str(info.value)
    assert _child.run(sum, [1, 2, 3]) == 6


def _allocate(n: int) -> int:
    return len(bytearray(n))


def _spin() -> None:
    while True:
        pass


def test_errors_from_the_child_arrive_whole(tmp_path):
    with isolated_reads(), pytest.raises(InputError) as info:
        read_grids(tmp_path / "findes_ikke.xlsx")
    assert info.value.code is ErrorCode.FILE_NOT_FOUND and info.value.file == str(tmp_path / "findes_ikke.xlsx")


def test_grids_read_in_a_child_are_the_grids_read_here():
    here = read_grids(NORD)
    with isolated_reads():
        there = read_grids(NORD)
    assert [(g.sheet, g.rows, g.merged, g.visible) for g in there] == [
        (g.sheet, g.rows, g.merged, g.visible) for g in here
    ]
