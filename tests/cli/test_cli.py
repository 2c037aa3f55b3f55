"""The command line as a user sees it: output, JSON, exit codes.

Most tests call ``pagt_xl.cli.commands.main(argv)`` in this process (the ``cli`` fixture in conftest.py);
a handful of smoke tests at the end run the installed console script and ``python -m pagt_xl``
as real subprocesses, so the entry points and process exit codes stay covered too.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, WORKBOOKS, good_rows

from pagt_xl import __version__
from pagt_xl.cli.commands import build_parser

EXE = shutil.which("pagt-xl", path=str(Path(sys.executable).parent)) or "pagt-xl"


def _env() -> dict[str, str]:
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("PAGT_XL_DEBUG", None)
    return env


def test_validate_clean_json_exit_0(cli, workbook):
    path = workbook({"A": good_rows()})
    proc = cli("validate", str(path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["applications"] == 4
    assert doc["granted_applications"] == 2
    assert doc["granted_total"] == 2_400_000
    assert all(
        set(i) >= {"file", "sheet", "cell", "row", "column", "code", "severity", "message", "value"}
        for i in doc["issues"]
    )


def test_validate_data_errors_exit_1_with_cells(cli, workbook):
    rows = good_rows()
    rows[2][4] = "Blå økonomi"
    proc = cli("validate", str(workbook({"A": rows})), "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    [issue] = [i for i in doc["issues"] if i["severity"] == "error"]
    assert (issue["code"], issue["cell"], issue["value"]) == ("unknown_theme", "E3", "Blå økonomi")


def test_validate_text_and_csv(cli, workbook):
    rows = good_rows()
    rows[2][4] = "Blå økonomi"
    path = workbook({"A": rows})
    text = cli("validate", str(path))
    assert text.returncode == 1
    assert "FEJL" in text.stdout and "E3" in text.stdout and "ukendt indsatsområde" in text.stdout
    csv_out = cli("validate", str(path), "--format", "csv", "--csv-dialect", "maskine")
    lines = csv_out.stdout.splitlines()
    assert lines[0] == "file,sheet,cell,row,column,code,severity,message,value,description"
    assert any(",E3,3,E,unknown_theme,error," in line for line in lines)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tom.xlsx", b""),
        ("tekst.xlsx", b"hello, this is not a workbook"),
        ("beskadiget.xlsx", None),
        ("noter.txt", b"a;b;c"),
    ],
)
def test_unreadable_inputs_exit_2_one_line(cli, tmp_path, workbook, name, content):
    path = tmp_path / name
    if content is None:
        good = workbook({"A": good_rows()}, name="good.xlsx").read_bytes()
        path.write_bytes(good[: len(good) // 2])
    else:
        path.write_bytes(content)
    proc = cli("validate", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0]
    assert "Traceback" not in proc.stderr


def test_no_headers_exit_2(cli, workbook):
    proc = cli("validate", str(workbook({"A": [["a", "b"], [1, 2]]})))
    assert proc.returncode == 2
    assert "overskrifter" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_missing_file_and_misuse_exit_2(cli, tmp_path):
    proc = cli("validate", str(tmp_path / "findes-ikke.xlsx"))
    assert proc.returncode == 2 and "findes ikke" in proc.stderr
    proc = cli("validate")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = cli("validate", "x.xlsx", "--pact", "sydjylland")
    assert proc.returncode == 2 and "ukendt pagt" in proc.stderr


def test_bad_pact_file_exit_2(cli, tmp_path, workbook):
    bad = tmp_path / "min.toml"
    bad.write_text('key = "x"\nname = "X"\nregion = "R"\nfirst_year = 2024\nlast_year = 2020\n', encoding="utf-8")
    proc = cli("validate", str(workbook({"A": good_rows()})), "--pact", str(bad))
    assert proc.returncode == 2
    assert "min.toml" in proc.stderr and "themes" in proc.stderr


def test_pacts_lists_both(cli):
    proc = cli("pacts", "--format", "json")
    assert proc.returncode == 0
    keys = [p["key"] for p in json.loads(proc.stdout)]
    assert keys == ["midtjylland", "nordjylland"]


@pytest.mark.skipif(not (WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx").exists(), reason="samples not built")
def test_demo_runs_on_shipped_samples(cli, tmp_path):
    proc = cli("demo", "--out-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "Nordjysk Teknologipagt" in proc.stdout and "Midtjysk Teknologipagt" in proc.stdout
    lines = proc.stdout.splitlines()
    header = next(line for line in lines if line.startswith("År "))
    for column in (
        "Ansøgn.",
        "Afslag",
        "Tilsagn",
        "Prioriteret runde",
        "Åben runde",
        "Småprojekter",
        "Ramme",
        "Udnyttet",
        "Akkumuleret",
    ):
        assert column in header
    # the seed's funnel per year, then the total row with the sample's sum and framework
    assert [line.split()[:4] for line in lines if line[:4] in {"2019", "2020", "2021", "2022", "2023"}][:5] == [
        ["2019", "10", "6", "4"],
        ["2020", "13", "8", "5"],
        ["2021", "8", "1", "7"],
        ["2022", "4", "1", "3"],
        ["2023", "13", "5", "8"],
    ]
    total = next(line for line in lines if line.startswith("I alt"))
    assert total.split()[2:5] == ["48", "21", "27"] and "23.231.178" in total and "23.240.000" in total
    assert {p.name for p in tmp_path.iterdir()} == {
        "fordelinger_nordjylland.xlsx",
        "fordelinger_midtjylland.xlsx",
        "statusrapport_nordjylland.docx",
        "statusrapport_midtjylland.docx",
        "budgetter_nordjylland.xlsx",
        "indstillingsnotat_nordjylland_2024.docx",  # the 2024 round (issue 16): memo and letters
        "breve_nordjylland_2024",
        "udbetalinger_nordjylland.xlsx",  # the commitment ledger (issue 25)
    }
    assert "Udbetalinger — udbetalinger_nordjylland.xlsx" in proc.stdout and "Restramme" in proc.stdout
    assert "Indstillingsnotat skrevet" in proc.stdout and "stregen falder efter" in proc.stdout
    letters = sorted(p.name for p in (tmp_path / "breve_nordjylland_2024").iterdir())
    assert len(letters) == 7 and "24-0201_tilsagn.docx" in letters and "24-0206_afslag.docx" in letters
    assert "24-0204_afslag.docx" not in letters and "letter_no_reason" in proc.stdout  # an afslag without reasons


def test_every_command_has_help_and_a_docs_entry():
    parser = build_parser()
    # the hand-written reference (docs/reference/commands.md; serve: docs/operations/server.md); the
    # generated CLI page is not counted, it would document every command by construction
    docs = "".join(
        (ROOT / "docs" / page).read_text(encoding="utf-8") for page in ("reference/commands.md", "operations/server.md")
    )
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        assert p.description, name
        assert f"`pagt-xl {name}" in docs, f"the docs do not document 'pagt-xl {name}'"
        for action in p._actions:
            assert action.help, f"{name} {action.dest} has no help"


# -- subprocess smoke tests: the real entry points and process exit codes -------------------------------
def test_console_script_version():
    proc = subprocess.run([EXE, "--version"], capture_output=True, text=True, env=_env(), timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"pagt-xl {__version__}"


def test_console_script_exit_codes_0_1_2(tmp_path, workbook):
    """``pagt-xl validate`` on a good, an erroneous and an unreadable file, as three concurrent processes."""
    rows = good_rows()
    rows[2][4] = "Blå økonomi"
    unreadable = tmp_path / "tekst.xlsx"
    unreadable.write_bytes(b"hello, this is not a workbook")
    cases = {
        0: workbook({"A": good_rows()}, name="god.xlsx"),
        1: workbook({"A": rows}, name="fejl.xlsx"),
        2: unreadable,
    }
    procs = {
        code: subprocess.Popen(
            [EXE, "validate", str(path), "--format", "json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
            cwd=tmp_path,
        )
        for code, path in cases.items()
    }
    results = {code: (proc, *proc.communicate(timeout=120)) for code, proc in procs.items()}
    for code, (proc, _out, err) in results.items():
        assert proc.returncode == code, (code, err)
        assert "Traceback" not in err
    assert json.loads(results[0][1])["applications"] == 4
    assert [i["cell"] for i in json.loads(results[1][1])["issues"] if i["severity"] == "error"] == ["E3"]
    assert results[2][1] == "" and results[2][2].startswith("pagt-xl: fejl: ") and "tekst.xlsx" in results[2][2]


def test_python_dash_m_help():
    proc = subprocess.run(
        [sys.executable, "-m", "pagt_xl", "--help"], capture_output=True, text=True, env=_env(), timeout=120
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("brug: pagt-xl")
    commands = next(a for a in build_parser()._actions if a.dest == "command")
    for name in commands.choices:
        assert name in proc.stdout
