"""A full drive on every writer (issue 21, item 8): one Danish line, exit 2, the old output intact, no half file.

The drive is real: a 64 KB tmpfs mounted for the test (root only), filled up to the last byte around an
old output file. Skipped with the reason where no tmpfs can be mounted.
"""

from __future__ import annotations

import errno
import hashlib
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, WORKBOOKS

from pagt_xl.outputs.files import OutputUnwritable, atomic_write, os_error_reason

NORD = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
GOALS = WORKBOOKS / "maalopfoelgning_nordjylland.xlsx"
OLD = b"PK-the old output, a whole file" * 40


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def full_drive(tmp_path: Path) -> Iterator[Path]:
    """A mounted 64 KB tmpfs with ``old.*`` outputs on it, filled so that not one more block fits."""
    mount = tmp_path / "fuld"
    mount.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)], capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs root): {proc.stderr.decode(errors='replace').strip()}")
    try:
        for suffix in (".xlsx", ".csv", ".json", ".docx", ".txt"):
            (mount / f"old{suffix}").write_bytes(OLD)
        _fill(mount / "fyld")
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def _fill(path: Path) -> None:
    with path.open("wb", buffering=0) as fh:
        for size in (4096, 512, 1):
            try:
                while fh.write(b"\0" * size):
                    pass
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    with pytest.raises(OSError):
        (path.parent / "probe").write_bytes(b"\0" * 4096)
    (path.parent / "probe").unlink(missing_ok=True)


def _assert_refused(proc, drive: Path, target: Path) -> None:
    assert proc.returncode == 2, proc.stderr + proc.stdout
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("pagt-xl: fejl: ") and "disken er fuld" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr and "uventet" not in proc.stderr
    assert target.read_bytes() == OLD  # the old output is whole
    assert not list(drive.glob(".pagt-*"))  # and no half file beside it


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_breakdown(cli, full_drive, fmt):
    target = full_drive / f"old.{fmt}"
    proc = cli("breakdown", str(NORD), "--by", "theme", "--format", fmt, "--out", str(target))
    _assert_refused(proc, full_drive, target)


def test_report(cli, full_drive):
    target = full_drive / "old.docx"
    _assert_refused(cli("report", str(NORD), "--out", str(target), "--date", "2024-02-15"), full_drive, target)


@pytest.mark.parametrize("fmt", ["xlsx", "json"])
def test_budgets(cli, full_drive, fmt):
    target = full_drive / f"old.{fmt}"
    proc = cli(
        "budgets", str(next((WORKBOOKS / "budgetter").glob("2023-0*.xlsx"))), "--format", fmt, "--out", str(target)
    )
    _assert_refused(proc, full_drive, target)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_maal(cli, full_drive, fmt):
    target = full_drive / f"old.{fmt}"
    _assert_refused(cli("maal", str(GOALS), "--format", fmt, "--out", str(target)), full_drive, target)


def test_indstilling(cli, full_drive):
    target = full_drive / "old.docx"
    proc = cli("indstilling", str(WORKBOOKS / "nordjylland_runde_2024.xlsx"), "--year", "2024", "--out", str(target))
    assert proc.returncode == 2 and "disken er fuld" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert target.read_bytes() == OLD and not list(full_drive.glob(".pagt-*"))


def test_breve(cli, full_drive):
    proc = cli("breve", str(WORKBOOKS / "nordjylland_runde_2024_afgjort.xlsx"), "--year", "2024",
               "--out", str(full_drive / "breve"))  # fmt: skip
    assert proc.returncode == 2 and "disken er fuld" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert not list(full_drive.rglob(".pagt-*")) and not list((full_drive / "breve").rglob("*.docx"))


def test_scheduled_run(cli, full_drive, tmp_path):
    """``run`` with its output folder on the full drive: the log cannot be written either; one line per problem."""
    (tmp_path / "data").mkdir()
    shutil.copy(NORD, tmp_path / "data" / NORD.name)
    config = tmp_path / "koersel.toml"
    config.write_text(f'pact = "nordjylland"\ninputs = ["data/*.xlsx"]\noutputs = "{full_drive}"\n', encoding="utf-8")
    old = full_drive / "fejl_nordjylland_2024-02-15.csv"
    (full_drive / "old.txt").unlink()  # room for the old issue file: the drive is full again after it
    old.write_bytes(OLD)
    proc = cli("run", str(config), "--date", "2024-02-15")
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "uventet" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("pagt-xl: fejl: ")]
    assert len(errors) == 1 and "disken er fuld" in errors[0], proc.stderr
    assert old.read_bytes() == OLD and not list(full_drive.glob(".pagt-*"))


def test_atomic_write_on_a_full_drive_keeps_the_old_file(full_drive):
    target = full_drive / "old.xlsx"
    with pytest.raises(OutputUnwritable) as info:
        atomic_write(target, lambda tmp: tmp.write_bytes(b"x" * 200_000))
    assert "disken er fuld" in str(info.value) and "den tidligere fil er uændret" in str(info.value)
    assert target.read_bytes() == OLD and not list(full_drive.glob(".pagt-*"))


def test_os_error_reasons_name_the_cause():
    assert os_error_reason(OSError(errno.ENOSPC, "No space left on device")) == "disken er fuld"
    assert os_error_reason(OSError(errno.EROFS, "Read-only file system")) == "drevet er skrivebeskyttet"
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("wrapped") from inner  # as xlsxwriter's FileCreateError wraps it
    except RuntimeError as exc:
        assert os_error_reason(exc) == "disken er fuld"
    assert os_error_reason(ValueError("not an OS error")) is None


def test_the_template_folder_is_untouched_by_a_full_drive(full_drive):
    """The shipped templates are read, never written: a report to a full drive leaves them as they were."""
    template = ROOT / "pagt_xl" / "templates" / "statusrapport.docx"
    before = _digest(template)
    from pagt_xl.cli.commands import main

    assert main(["report", str(NORD), "--out", str(full_drive / "old.docx")]) == 2
    assert _digest(template) == before


def test_udbetalinger(cli, full_drive):
    target = full_drive / "old.xlsx"
    proc = cli("udbetalinger", str(WORKBOOKS / "udbetalinger_nordjylland.xlsx"), "--overview", str(NORD),
               "--format", "xlsx", "--out", str(target))  # fmt: skip
    _assert_refused(proc, full_drive, target)
