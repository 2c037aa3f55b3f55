"""No input is ever an output (issue 21, item 5): every writer refuses a target that is one of the run's inputs.

Each command is run for real with ``--out`` naming an input in another spelling (``./``, ``..``, a symlink,
a hard link, and another case where the drive ignores case); the command stops with exit 2 and one Danish
line (code ``output_is_input``), writes nothing, and the input keeps its bytes. LibreOffice's lock file
``.~lock.NAME#`` counts as "open" like Office's ``~$NAME``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import ROOT, WORKBOOKS

from pagt_xl.base.errors import ErrorCode
from pagt_xl.base.names import lock_files
from pagt_xl.outputs.files import (
    OutputIsInput,
    OutputLocked,
    atomic_write,
    check_not_input,
    inputs_protected,
    office_lock,
    same_file,
)

NORD = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
ROUND = WORKBOOKS / "nordjylland_runde_2024.xlsx"
GOALS = WORKBOOKS / "maalopfoelgning_nordjylland.xlsx"
BUDGET = next((WORKBOOKS / "budgetter").glob("*.xlsx"))
MEMO_TEMPLATE = ROOT / "pagt_xl" / "templates" / "indstillingsnotat.docx"
REPORT_TEMPLATE = ROOT / "pagt_xl" / "templates" / "statusrapport.docx"


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _spellings(tmp_path: Path, target: Path) -> dict[str, Path]:
    """Other names of ``target``: relative with ``./`` and ``..``, a symlink, a hard link."""
    link = tmp_path / "link" / target.name
    link.parent.mkdir()
    link.symlink_to(target)
    hard = tmp_path / "hard" / target.name
    hard.parent.mkdir()
    os.link(target, hard)
    return {
        "same": target,
        "dot": Path(".") / target.relative_to(tmp_path),
        "dotdot": Path("sub") / ".." / target.relative_to(tmp_path),
        "symlink": link,
        "hardlink": hard,
    }


def _refused(proc, target: Path, before: dict[Path, str], folder: Path) -> None:
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("pagt-xl: fejl: ") and "overskrives aldrig" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and "uventet" not in proc.stderr
    assert {p: _digest(p) for p in before} == before
    assert not [p for p in folder.rglob(".pagt-*")]  # no temporary file either


@pytest.fixture
def inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for src in (NORD, ROUND, GOALS, BUDGET, MEMO_TEMPLATE, REPORT_TEMPLATE):
        shutil.copy(src, tmp_path / src.name)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("form", ["same", "dot", "dotdot", "symlink", "hardlink"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_breakdown_never_writes_over_its_input(cli, inputs, form, fmt):
    target = inputs / NORD.name
    out = _spellings(inputs, target)[form]
    before = {target: _digest(target)}
    _refused(cli("breakdown", str(target), "--by", "theme", "--format", fmt, "--out", str(out)), target, before, inputs)


@pytest.mark.parametrize("form", ["same", "dot", "symlink", "hardlink"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_maal_never_writes_over_a_goal_file_or_the_overview(cli, inputs, form, fmt):
    goals, overview = inputs / GOALS.name, inputs / NORD.name
    before = {goals: _digest(goals), overview: _digest(overview)}
    for target in (goals, overview):
        out = _other_name(inputs, target, form)
        proc = cli("maal", str(goals), "--overview", str(overview), "--format", fmt, "--out", str(out))
        _refused(proc, target, before, inputs)


def _other_name(tmp_path: Path, target: Path, form: str) -> Path:
    if form == "same":
        return target
    if form == "dot":
        return Path(".") / target.relative_to(tmp_path)
    link = tmp_path / f"{form}-{target.stem}{target.suffix}"
    if not link.exists():
        if form == "symlink":
            link.symlink_to(target)
        else:
            os.link(target, link)
    return link


@pytest.mark.parametrize("form", ["same", "dot", "symlink", "hardlink"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json", "table"])
def test_budgets_never_writes_over_a_budget_file_or_the_overview(cli, inputs, form, fmt):
    budget, overview = inputs / BUDGET.name, inputs / NORD.name
    before = {budget: _digest(budget), overview: _digest(overview)}
    for target in (budget, overview):
        proc = cli("budgets", str(budget), "--overview", str(overview), "--format", fmt,
                   "--out", str(_other_name(inputs, target, form)))  # fmt: skip
        _refused(proc, target, before, inputs)


def test_budgets_never_writes_over_a_file_of_a_budget_folder(cli, inputs):
    folder = inputs / "budgetter"
    shutil.copytree(WORKBOOKS / "budgetter", folder)
    target = next(folder.glob("*.xlsx"))
    before = {target: _digest(target)}
    _refused(cli("budgets", str(folder), "--format", "xlsx", "--out", str(target)), target, before, inputs)


@pytest.mark.parametrize("form", ["same", "dot", "symlink", "hardlink"])
def test_report_never_writes_over_its_template(cli, inputs, form):
    template = inputs / REPORT_TEMPLATE.name
    before = {template: _digest(template), inputs / NORD.name: _digest(inputs / NORD.name)}
    out = _other_name(inputs, template, form)
    proc = cli("report", str(inputs / NORD.name), "--template", str(template), "--out", str(out))
    _refused(proc, template, before, inputs)


def test_report_never_writes_over_a_goal_file_renamed_docx(cli, inputs):
    """An input is an input whatever its name: a goal workbook that happens to be called .docx."""
    goals = inputs / "maal.docx"
    shutil.copy(GOALS, goals)
    before = {goals: _digest(goals)}
    proc = cli("report", str(inputs / NORD.name), "--goals", str(goals), "--out", str(goals))
    _refused(proc, goals, before, inputs)


@pytest.mark.parametrize("form", ["same", "symlink", "hardlink"])
def test_indstilling_never_writes_over_its_template(cli, inputs, form):
    template = inputs / MEMO_TEMPLATE.name
    before = {template: _digest(template)}
    out = _other_name(inputs, template, form)
    proc = cli(
        "indstilling", str(inputs / ROUND.name), "--year", "2024", "--template", str(template), "--out", str(out)
    )
    _refused(proc, template, before, inputs)


def test_breve_never_writes_a_letter_over_an_input(inputs, nord):
    """A letter whose file name is an input's (a template in the letters' folder) is refused at the write."""
    from pagt_xl.core.round import decided, letter_name
    from pagt_xl.pipeline import run_letters, run_validation

    decided_book = WORKBOOKS / "nordjylland_runde_2024_afgjort.xlsx"
    first = decided(run_validation([decided_book], nord), 2024, None)[0]
    folder = inputs / "breve"
    folder.mkdir()
    template = folder / letter_name(first)
    shutil.copy(ROOT / "pagt_xl" / "templates" / "brev_tilsagn.docx", template)
    alias = inputs / "skabelon.docx"
    os.link(template, alias)  # the same file under another name, given as the grant template
    before = {template: _digest(template)}
    with inputs_protected([alias]), pytest.raises(OutputIsInput):
        check_not_input(template)
    job = run_letters(nord, 2024, folder, inputs=[decided_book], grant_template=alias)
    assert {p: _digest(p) for p in before} == before
    assert any(o.path == str(template) and o.status == "skipped" for o in job.letters)


def test_run_never_writes_over_an_input_of_its_config(cli, inputs):
    """The run file's inputs include a file with the name a dated output would get: refused before any work."""
    data = inputs / "ud"
    data.mkdir()
    target = data / "fordelinger_nordjylland_2024-02-15.xlsx"
    shutil.copy(NORD, target)
    config = inputs / "koersel.toml"
    config.write_text('pact = "nordjylland"\ninputs = ["ud/*.xlsx"]\noutputs = "ud"\n', encoding="utf-8")
    before = {target: _digest(target), config: _digest(config)}
    proc = cli("run", str(config), "--date", "2024-02-15")
    _refused(proc, target, before, inputs)
    assert sorted(p.name for p in data.iterdir()) == [target.name]  # no issue file, no log: nothing written


def test_run_never_writes_over_its_own_config(cli, inputs):
    out = inputs / "ud"
    out.mkdir()
    config = out / "pagt-xl_2024-02-15.log"  # the run file named as the run's log would be
    shutil.copy(NORD, inputs / "data.xlsx")
    config.write_text('pact = "nordjylland"\ninputs = ["../data.xlsx"]\noutputs = "."\n', encoding="utf-8")
    before = {config: _digest(config)}
    proc = cli("run", str(config), "--date", "2024-02-15")
    _refused(proc, config, before, inputs)


def test_the_python_api_refuses_too(inputs, nord):
    from pagt_xl.pipeline import JobOutputs, JobSpec, run_job

    target = inputs / NORD.name
    spec = JobSpec(pact=nord, inputs=[target], outputs=JobOutputs(issues_csv=inputs / "fejl.csv",
                                                                   breakdown_workbook=Path("sub/..") / NORD.name))  # fmt: skip
    before = _digest(target)
    with pytest.raises(OutputIsInput) as info:
        run_job(spec)
    assert info.value.code is ErrorCode.OUTPUT_IS_INPUT
    assert _digest(target) == before and not (inputs / "fejl.csv").exists()


def test_same_file_and_other_names(tmp_path):
    a = tmp_path / "a.xlsx"
    a.write_bytes(b"x")
    (tmp_path / "l.xlsx").symlink_to(a)
    os.link(a, tmp_path / "h.xlsx")
    assert same_file(a, tmp_path / "l.xlsx") and same_file(a, tmp_path / "h.xlsx")
    assert same_file(a, tmp_path / "." / "a.xlsx")
    assert not same_file(a, tmp_path / "b.xlsx")
    b = tmp_path / "b.xlsx"
    b.write_bytes(b"x")  # equal bytes are not the same file
    assert not same_file(a, b)


def _case_insensitive_folder(tmp_path: Path) -> Path | None:
    """A folder on a drive that ignores case (root only): a tmpfs with casefold, else ext4 with casefold in a
    loop image; ``None`` when the kernel or the machine allows neither."""
    image, mount = tmp_path / "ci.img", tmp_path / "ci"
    mount.mkdir()
    attempts = [
        [["mount", "-t", "tmpfs", "-o", "casefold,size=8m", "tmpfs", str(mount)]],
        [["truncate", "-s", "8M", str(image)], ["mkfs.ext4", "-q", "-F", "-O", "casefold", str(image)],
         ["mount", "-o", "loop", str(image), str(mount)]],
    ]  # fmt: skip
    for commands in attempts:
        try:
            for command in commands:
                subprocess.run(command, check=True, capture_output=True)
            break
        except (OSError, subprocess.CalledProcessError):
            continue
    else:
        return None
    folder = mount / "mappe"
    folder.mkdir()
    try:
        subprocess.run(["chattr", "+F", str(folder)], check=True, capture_output=True)
    except (OSError, subprocess.CalledProcessError):
        subprocess.run(["umount", str(mount)], check=False)
        return None
    return folder


def test_other_case_on_a_case_insensitive_drive(cli, tmp_path):
    folder = _case_insensitive_folder(tmp_path)
    if folder is None:
        pytest.skip(
            "no case-insensitive drive can be mounted here (needs root and a kernel with casefold for tmpfs "
            "or ext4 on a loop device); other case on such a drive is the same inode, as the hard link is"
        )
    try:
        target = folder / "Oversigt.xlsx"
        shutil.copy(NORD, target)
        other = folder / "OVERSIGT.XLSX"
        assert other.exists()  # the drive really ignores case
        before = {target: _digest(target)}
        _refused(cli("breakdown", str(target), "--format", "xlsx", "--out", str(other)), target, before, folder)
    finally:
        subprocess.run(["umount", str(folder.parent)], check=False)


def test_lock_files_name_both_offices(tmp_path):
    path = tmp_path / "statusrapport.docx"
    names = [p.name for p in lock_files(path)]
    assert names == ["~$statusrapport.docx", "~$atusrapport.docx", ".~lock.statusrapport.docx#"]
    assert office_lock(path) is None
    (tmp_path / ".~lock.statusrapport.docx#").write_text(",bruger,host,01.01.2024 10:00,", encoding="utf-8")
    assert office_lock(path) == tmp_path / ".~lock.statusrapport.docx#"


def test_a_file_open_in_libreoffice_is_not_overwritten(cli, tmp_path):
    out = tmp_path / "fordelinger.xlsx"
    out.write_bytes(b"old")
    (tmp_path / ".~lock.fordelinger.xlsx#").write_text(",bruger,host,01.01.2024 10:00,", encoding="utf-8")
    with pytest.raises(OutputLocked):
        atomic_write(out, lambda tmp: tmp.write_bytes(b"new"))
    assert out.read_bytes() == b"old"
    proc = cli("breakdown", str(NORD), "--format", "xlsx", "--out", str(out))
    assert proc.returncode == 2 and ".~lock.fordelinger.xlsx#" in proc.stderr
    assert out.read_bytes() == b"old"


def test_scheduled_run_writes_beside_a_file_open_in_libreoffice(cli, tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(NORD, tmp_path / "data" / NORD.name)
    config = tmp_path / "koersel.toml"
    config.write_text('pact = "nordjylland"\ninputs = ["data/*.xlsx"]\noutputs = "ud"\n', encoding="utf-8")
    (tmp_path / "ud").mkdir()
    (tmp_path / "ud" / ".~lock.statusrapport_nordjylland_2024-02-15.docx#").write_text("x", encoding="utf-8")
    proc = cli("run", str(config), "--date", "2024-02-15")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "ud" / "statusrapport_nordjylland_2024-02-15_2.docx").exists()
    assert not (tmp_path / "ud" / "statusrapport_nordjylland_2024-02-15.docx").exists()


@pytest.mark.parametrize("form", ["same", "symlink", "hardlink"])
def test_udbetalinger_never_writes_over_its_ledger_or_overview(cli, inputs, form):
    ledger = inputs / "udbetalinger_nordjylland.xlsx"
    shutil.copy(WORKBOOKS / ledger.name, ledger)
    overview = inputs / NORD.name
    before = {ledger: _digest(ledger), overview: _digest(overview)}
    for target in (ledger, overview):
        proc = cli("udbetalinger", str(ledger), "--overview", str(overview), "--format", "xlsx",
                   "--out", str(_other_name(inputs, target, form)))  # fmt: skip
        _refused(proc, target, before, inputs)
