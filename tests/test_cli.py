"""The console script as a user runs it: subprocess, JSON, exit codes."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, WORKBOOKS, good_rows

from pagt_xl.cli import build_parser

EXE = shutil.which("pagt-xl", path=str(Path(sys.executable).parent)) or "pagt-xl"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "120"}
    env.pop("PAGT_XL_DEBUG", None)
    return subprocess.run([EXE, *args], capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=120)


def test_validate_clean_json_exit_0(workbook):
    path = workbook({"A": good_rows()})
    proc = run("validate", str(path), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["applications"] == 4
    assert doc["granted_applications"] == 2
    assert doc["granted_total"] == 2_400_000
    assert all(
        set(i) >= {"file", "sheet", "cell", "row", "column", "code", "severity", "message", "value"}
        for i in doc["issues"]
    )


def test_validate_data_errors_exit_1_with_cells(workbook):
    rows = good_rows()
    rows[2][4] = "Blå økonomi"
    proc = run("validate", str(workbook({"A": rows})), "--format", "json")
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    [issue] = [i for i in doc["issues"] if i["severity"] == "error"]
    assert (issue["code"], issue["cell"], issue["value"]) == ("unknown_theme", "E3", "Blå økonomi")


def test_validate_text_and_csv(workbook):
    rows = good_rows()
    rows[2][4] = "Blå økonomi"
    path = workbook({"A": rows})
    text = run("validate", str(path))
    assert text.returncode == 1
    assert "FEJL" in text.stdout and "E3" in text.stdout and "ukendt indsatsområde" in text.stdout
    csv_out = run("validate", str(path), "--format", "csv")
    lines = csv_out.stdout.splitlines()
    assert lines[0] == "file,sheet,cell,row,column,code,severity,message,value"
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
def test_unreadable_inputs_exit_2_one_line(tmp_path, workbook, name, content):
    path = tmp_path / name
    if content is None:
        good = workbook({"A": good_rows()}, name="good.xlsx").read_bytes()
        path.write_bytes(good[: len(good) // 2])
    else:
        path.write_bytes(content)
    proc = run("validate", str(path))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and name in lines[0]
    assert "Traceback" not in proc.stderr


def test_no_headers_exit_2(workbook):
    proc = run("validate", str(workbook({"A": [["a", "b"], [1, 2]]})))
    assert proc.returncode == 2
    assert "overskrifter" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


def test_missing_file_and_misuse_exit_2(tmp_path):
    proc = run("validate", str(tmp_path / "findes-ikke.xlsx"))
    assert proc.returncode == 2 and "findes ikke" in proc.stderr
    proc = run("validate")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    proc = run("validate", "x.xlsx", "--pact", "sydjylland")
    assert proc.returncode == 2 and "ukendt pagt" in proc.stderr


def test_bad_pact_file_exit_2(tmp_path, workbook):
    bad = tmp_path / "min.toml"
    bad.write_text('key = "x"\nname = "X"\nregion = "R"\nfirst_year = 2024\nlast_year = 2020\n', encoding="utf-8")
    proc = run("validate", str(workbook({"A": good_rows()})), "--pact", str(bad))
    assert proc.returncode == 2
    assert "min.toml" in proc.stderr and "themes" in proc.stderr


def test_pacts_lists_both():
    proc = run("pacts", "--format", "json")
    assert proc.returncode == 0
    keys = [p["key"] for p in json.loads(proc.stdout)]
    assert keys == ["midtjylland", "nordjylland"]


def test_python_dash_m_works(workbook):
    proc = subprocess.run(
        [sys.executable, "-m", "pagt_xl", "validate", str(workbook({"A": good_rows()})), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0 and json.loads(proc.stdout)["applications"] == 4


@pytest.mark.skipif(not (WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx").exists(), reason="samples not built")
def test_demo_runs_on_shipped_samples(tmp_path):
    proc = run("demo", "--out-dir", str(tmp_path))
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
    }


def test_every_command_has_help_and_readme_entry():
    parser = build_parser()
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    sub = next(a for a in parser._actions if a.dest == "command")
    for name, p in sub.choices.items():
        assert p.description, name
        assert f"pagt-xl {name}" in readme, f"README does not document 'pagt-xl {name}'"
        for action in p._actions:
            assert action.help, f"{name} {action.dest} has no help"
