"""The commitment ledger everywhere the user is (issue 25): the breakdown workbook's sheet, the status report's
section "Udbetalt og tilbageført", the memo's remaining framework with returned money, and scheduled runs."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import openpyxl
from conftest import WORKBOOKS, write_workbook
from docx import Document

from pagt_xl import load_pact
from pagt_xl.base.danish import format_amount, format_amount_prose
from pagt_xl.pipeline import JobOutputs, JobSpec, run_job, run_ledger, run_memo

NORD = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
LEDGER = WORKBOOKS / "udbetalinger_nordjylland.xlsx"
ROUND = WORKBOOKS / "nordjylland_runde_2024.xlsx"


def _text(path: Path) -> str:
    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def test_report_and_breakdown_workbook_show_the_ledger(tmp_path):
    spec = JobSpec(pact=load_pact("nordjylland"), inputs=[NORD], payments=[LEDGER], report_date=dt.date(2024, 2, 15),
                   outputs=JobOutputs(report=tmp_path / "r.docx", breakdown_workbook=tmp_path / "f.xlsx",
                                      issues_json=tmp_path / "fejl.json"))  # fmt: skip
    result = run_job(spec)
    ledger = result.ledger.ledger
    text = _text(tmp_path / "r.docx")
    assert "Udbetalt og tilbageført" in text
    assert f"er {format_amount_prose(ledger.paid)} udbetalt" in text
    assert f"Restrammen er {format_amount_prose(ledger.total.remaining)}" in text
    assert "Halvdags STEM-konference v/ Region Nordjylland" in text and format_amount(35_000) in text
    ws = openpyxl.load_workbook(tmp_path / "f.xlsx")["Udbetalinger"]
    values = [v for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert ledger.paid in values and ledger.total.remaining in values
    issues = json.loads((tmp_path / "fejl.json").read_text(encoding="utf-8"))
    assert "ledger_finished_owed" in {i["code"] for i in issues}  # the ledger's issues go to the issue files


def test_report_without_a_ledger_has_no_such_section(tmp_path):
    run_job(JobSpec(pact=load_pact("nordjylland"), inputs=[NORD], report_date=dt.date(2024, 2, 15),
                    outputs=JobOutputs(report=tmp_path / "r.docx")))  # fmt: skip
    assert "Udbetalt og tilbageført" not in _text(tmp_path / "r.docx")


def test_memo_remaining_framework_counts_money_returned_in_the_year(tmp_path):
    """A repayment in 2024 to a 2024 grant: the round's remaining framework grows by it."""
    pact = load_pact("nordjylland")
    plain = run_memo(pact, 2024, inputs=[ROUND])
    granted = next(a for a in plain.validation.table.itertuples() if a.decision == "tilsagn" and a.year == 2024)
    ledger = write_workbook(tmp_path / "udb.xlsx", {"Udbetalinger": [
        ["Sagsnr.", "Dato", "Type", "Beløb"],
        [granted.case_id, dt.datetime(2024, 3, 1), "Rate", 100_000],
        [granted.case_id, dt.datetime(2024, 5, 1), "Tilbagebetaling", 40_000],
    ]})  # fmt: skip
    out = tmp_path / "notat.docx"
    job = run_memo(pact, 2024, inputs=[ROUND], payments=[ledger], out=out, report_date=dt.date(2024, 6, 1))
    assert job.round.returned == 40_000
    assert job.round.remaining == plain.round.remaining + 40_000
    text = _text(out)
    assert f"{format_amount_prose(40_000)} er kommet tilbage til puljen" in text


def test_scheduled_run_with_payments(cli, tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(NORD, tmp_path / "data" / NORD.name)
    shutil.copy(LEDGER, tmp_path / "data" / LEDGER.name)
    config = tmp_path / "koersel.toml"
    config.write_text('pact = "nordjylland"\ninputs = ["data/nordjylland_*.xlsx"]\noutputs = "ud"\n'
                      'payments = ["data/udbetalinger_*.xlsx"]\n', encoding="utf-8")  # fmt: skip
    proc = cli("run", config, "--date", "2024-02-15")
    assert proc.returncode == 0, proc.stderr
    names = {p.name for p in (tmp_path / "ud").iterdir()}
    assert "udbetalinger_nordjylland_2024-02-15.xlsx" in names
    assert "Læser og kontrollerer udbetalingerne" in proc.stderr
    wb = openpyxl.load_workbook(tmp_path / "ud" / "udbetalinger_nordjylland_2024-02-15.xlsx")
    assert wb.sheetnames == ["Udbetalinger", "Posteringer", "Fejl"]
    assert "Udbetalinger" in openpyxl.load_workbook(tmp_path / "ud" / "fordelinger_nordjylland_2024-02-15.xlsx").sheetnames
    expected = run_ledger([LEDGER], load_pact("nordjylland"), overview=[NORD]).ledger
    assert "Udbetalt og tilbageført" in _text(tmp_path / "ud" / "statusrapport_nordjylland_2024-02-15.docx")
    entries = wb["Posteringer"]
    assert entries.max_row - 3 == len([e for a in expected.accounts for e in a.entries])  # title, blank, header
