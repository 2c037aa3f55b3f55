"""Scheduled runs (`pagt-xl run`) and the report commands, as a user or a scheduler runs them."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from conftest import WORKBOOKS
from docx import Document

from pagt_xl.base.danish import parse_year_range
from pagt_xl.cli.scheduled import expand_inputs, free_name

NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"


def _setup(tmp_path: Path, extra: str = "") -> Path:
    (tmp_path / "data").mkdir()
    shutil.copy(NORD_FILE, tmp_path / "data" / NORD_FILE.name)
    config = tmp_path / "koersel.toml"
    config.write_text(f'pact = "nordjylland"\ninputs = ["data/*.xlsx"]\noutputs = "ud"\n{extra}', encoding="utf-8")
    return config


def _hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_writes_dated_outputs_and_log_and_leaves_inputs_alone(cli, tmp_path):
    config = _setup(tmp_path, 'period = "2019-2023"\n')
    before = _hash(tmp_path / "data" / NORD_FILE.name)
    proc = cli("run", str(config), "--date", "2024-02-15")
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in (tmp_path / "ud").iterdir())
    assert names == [
        "fejl_nordjylland_2024-02-15.csv",
        "fejl_nordjylland_2024-02-15.json",
        "fordelinger_nordjylland_2024-02-15.xlsx",
        "pagt-xl_2024-02-15.log",
        "statusrapport_nordjylland_2024-02-15.docx",
    ]
    assert _hash(tmp_path / "data" / NORD_FILE.name) == before
    issues = json.loads((tmp_path / "ud" / "fejl_nordjylland_2024-02-15.json").read_text(encoding="utf-8"))
    assert {i["code"] for i in issues} >= {"theme_not_open"}
    log = (tmp_path / "ud" / "pagt-xl_2024-02-15.log").read_text(encoding="utf-8")
    assert "Skriver rapportkladden" in log and "exit-kode 0" in log
    # not a terminal: plain log lines on stderr, no progress bar
    assert "Læser og validerer 1 projektmappe(r)" in proc.stderr and "\r" not in proc.stderr
    doc = Document(str(tmp_path / "ud" / "statusrapport_nordjylland_2024-02-15.docx"))
    assert any("23,23 mio. kr." in p.text for p in doc.paragraphs)


def test_run_never_overwrites_a_file_open_in_word(cli, tmp_path):
    config = _setup(tmp_path)
    assert cli("run", str(config), "--date", "2024-02-15").returncode == 0
    report = tmp_path / "ud" / "statusrapport_nordjylland_2024-02-15.docx"
    before = _hash(report)
    (tmp_path / "ud" / "~$atusrapport_nordjylland_2024-02-15.docx").write_bytes(b"lock")  # Word's lock name
    proc = cli("run", str(config), "--date", "2024-02-15")
    assert proc.returncode == 0, proc.stderr
    assert _hash(report) == before
    assert (tmp_path / "ud" / "statusrapport_nordjylland_2024-02-15_2.docx").exists()
    assert "åben i Office" in proc.stderr and "statusrapport_nordjylland_2024-02-15_2.docx" in proc.stderr


def test_run_exit_codes(cli, tmp_path):
    config = _setup(tmp_path)
    (tmp_path / "data" / "skrald.xlsx").write_bytes(b"not a workbook")
    proc = cli("run", str(config), "--date", "2024-02-15")
    assert proc.returncode == 2
    assert "skrald.xlsx" in proc.stderr
    bad = tmp_path / "forkert.toml"
    bad.write_text('pact = "nordjylland"\ninput = ["x"]\n', encoding="utf-8")
    proc = cli("run", str(bad))
    assert proc.returncode == 2 and "forkert.toml" in proc.stderr and "Traceback" not in proc.stderr
    nothing = tmp_path / "tom.toml"
    nothing.write_text('pact = "nordjylland"\ninputs = ["ingen/*.xlsx"]\n', encoding="utf-8")
    proc = cli("run", str(nothing))
    assert proc.returncode == 2 and "ingen projektmapper" in proc.stderr


def test_report_command(cli, tmp_path):
    out = tmp_path / "kladde.docx"
    proc = cli("report", str(NORD_FILE), "--period", "2019-2023", "--date", "2024-02-15", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert out.exists()
    proc = cli("report", str(NORD_FILE), "--year", "2023", "--date", "2024-02-15", "--out", str(tmp_path / "y.docx"))
    assert proc.returncode == 0, proc.stderr
    text = "\n".join(p.text for p in Document(str(tmp_path / "y.docx")).paragraphs)
    assert "Statusrapport 2023" in text and "5,64 mio. kr. i 2023" in text
    proc = cli("report", str(NORD_FILE), "--out", str(tmp_path / "x.pdf"))
    assert proc.returncode == 2 and ".docx" in proc.stderr
    proc = cli("report", str(NORD_FILE), "--period", "2023-2019", "--out", str(tmp_path / "x.docx"))
    assert proc.returncode == 2 and "periode" in proc.stderr


def test_template_vars_command(cli, tmp_path):
    proc = cli("template-vars", "--format", "json")
    assert proc.returncode == 0
    doc = json.loads(proc.stdout)
    names = {v["name"] for v in doc["variables"]}
    assert {"pact_name", "years", "sentences", "chart_themes"} <= names
    years = next(v for v in doc["variables"] if v["name"] == "years")
    assert "applications" in years["fields"]
    template = tmp_path / "t.docx"
    d = Document()
    d.add_paragraph("{{ pact_name }} {{ ukendt_felt }}")
    d.save(str(template))
    proc = cli("template-vars", "--template", str(template))
    assert proc.returncode == 2 and "ukendt_felt" in proc.stderr  # a template fault stops, in Danish (issue 24)


def test_helpers():
    assert parse_year_range("2019-2023") == (2019, 2023) and parse_year_range("2023") == (2023, 2023)
    assert parse_year_range("2019–2023") == (2019, 2023)


def test_expand_inputs_and_free_name(tmp_path):
    (tmp_path / "a.xlsx").write_bytes(b"x")
    (tmp_path / "~$a.xlsx").write_bytes(b"lock")
    assert expand_inputs(["*.xlsx", "a.xlsx"], tmp_path) == [tmp_path / "a.xlsx"]
    target = tmp_path / "r.docx"
    assert free_name(target) == (target, False)
    (tmp_path / "~$r.docx").write_bytes(b"lock")
    assert free_name(target) == (tmp_path / "r_2.docx", True)


def test_run_with_budgets(cli, tmp_path):
    config = _setup(tmp_path, f'budgets = ["{(WORKBOOKS / "budgetter").as_posix()}"]\n')
    proc = cli("run", str(config), "--date", "2026-11-22")
    assert proc.returncode == 1, proc.stderr  # the sample budgets contain errors (an operations line)
    assert (tmp_path / "ud" / "budgetter_nordjylland_2026-11-22.xlsx").exists()
    doc = Document(str(tmp_path / "ud" / "statusrapport_nordjylland_2026-11-22.docx"))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert any(c.startswith("Ja – forbrugt 20 %") for c in cells)
