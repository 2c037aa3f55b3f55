"""The one orchestrator: run_job's steps, outputs, progress and what it does with unreadable inputs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import docx
import openpyxl
import pytest
from conftest import good_rows

from pagt_xl.base.errors import ErrorCode, PagtError, RequestError
from pagt_xl.base.model import IssueCode, Severity
from pagt_xl.pipeline import JobOutputs, JobSpec, run_job, run_validation

ERROR_ROW = [2020, "2020-05", "Åben runde", "Fejlprojekt v/EUC Nord", "Blå økonomi", "Motiverende", 100_000, "Tilsagn",
             90_000]  # fmt: skip


def _outputs(folder: Path) -> JobOutputs:
    return JobOutputs(
        issues_csv=folder / "fejl.csv",
        issues_json=folder / "fejl.json",
        breakdown_workbook=folder / "fordelinger.xlsx",
        report=folder / "rapport.docx",
    )


def test_the_whole_job_writes_every_output_and_reports_each_step(workbook, nord, tmp_path):
    path = workbook({"Oversigt": [*good_rows(), ERROR_ROW]})
    spec = JobSpec(pact=nord, inputs=[path], report_date=dt.date(2024, 2, 15), outputs=_outputs(tmp_path / "ud"))
    seen: list[str] = []
    result = run_job(spec, seen.append)

    assert seen == spec.steps() and len(seen) == 5
    assert seen[0] == "Læser og validerer 1 projektmappe(r)"
    assert list(result.outputs) == ["issues_csv", "issues_json", "breakdown_workbook", "report"]
    # the unknown theme is an error at its cell; the row is left out of every figure
    bad = [i for i in result.issues if i.code is IssueCode.UNKNOWN_THEME]
    assert [(i.cell, i.severity) for i in bad] == [("E6", Severity.ERROR)]
    assert result.validation.excluded_rows == 1 and result.has_errors
    assert result.breakdowns is not None
    assert result.breakdowns.years.total["granted"] == 1_900_000 + 500_000
    # every file is really there and readable
    issues = json.loads(result.outputs["issues_json"].read_text(encoding="utf-8"))
    assert [i["code"] for i in issues] == [i.code.value for i in result.issues]
    assert "unknown_theme" in result.outputs["issues_csv"].read_text(encoding="utf-8-sig")
    wb = openpyxl.load_workbook(result.outputs["breakdown_workbook"], read_only=True)
    assert "Kontrol" in wb.sheetnames
    wb.close()
    draft = docx.Document(str(result.outputs["report"]))
    text = "\n".join(p.text for p in draft.paragraphs)
    cells = {c.text for t in draft.tables for row in t.rows for c in row.cells}
    assert "KLADDE" in text and "2.400.000 kr." in cells


def test_only_the_outputs_asked_for_are_written(workbook, nord, tmp_path):
    path = workbook({"Oversigt": good_rows()})
    spec = JobSpec(pact=nord, inputs=[path], outputs=JobOutputs(breakdown_workbook=tmp_path / "f.xlsx"))
    assert spec.steps() == ["Læser og validerer 1 projektmappe(r)", "Beregner fordelinger og kontrol",
                            "Skriver fordelingsprojektmappen"]  # fmt: skip
    result = run_job(spec)
    assert list(result.outputs) == ["breakdown_workbook"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.xlsx", "oversigt.xlsx"]
    assert not result.has_errors and result.budgets is None


def test_an_unreadable_input_stops_the_job_unless_asked_to_go_on(workbook, nord, tmp_path):
    good = workbook({"Oversigt": good_rows()})
    broken = tmp_path / "beskadiget.xlsx"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    out = tmp_path / "ud"

    stopped = run_job(JobSpec(pact=nord, inputs=[good, broken], outputs=_outputs(out)))
    assert [i.file for i in stopped.fatal] == [str(broken)]
    assert stopped.breakdowns is None
    # the issue files are written (they say what was wrong), the figures are not
    assert sorted(stopped.outputs) == ["issues_csv", "issues_json"]
    assert not (out / "rapport.docx").exists()

    went_on = run_job(JobSpec(pact=nord, inputs=[good, broken], skip_unreadable=True, outputs=_outputs(out)))
    assert went_on.breakdowns is not None and (out / "rapport.docx").exists()
    assert went_on.breakdowns.years.total["granted"] == 2_400_000


def test_a_bad_template_stops_before_anything_is_read(nord, tmp_path):
    template = tmp_path / "skabelon.docx"
    template.write_text("ikke et Word-dokument", encoding="utf-8")
    seen: list[str] = []
    spec = JobSpec(pact=nord, inputs=[tmp_path / "findes-ikke.xlsx"], template=template,
                   outputs=JobOutputs(report=tmp_path / "r.docx"))  # fmt: skip
    with pytest.raises(PagtError) as info:
        run_job(spec, seen.append)
    assert info.value.code is ErrorCode.TEMPLATE_INVALID
    assert seen == []


def test_a_validation_read_once_is_reused(workbook, nord, tmp_path):
    validation = run_validation([workbook({"Oversigt": good_rows()})], nord)
    result = run_job(JobSpec(pact=nord, validation=validation, outputs=JobOutputs(report=tmp_path / "r.docx")))
    assert result.validation is validation and (tmp_path / "r.docx").exists()


def test_a_period_that_ends_before_it_begins_is_refused(workbook, nord):
    with pytest.raises(RequestError) as info:
        run_job(JobSpec(pact=nord, inputs=[workbook({"Oversigt": good_rows()})], period=(2023, 2019)))
    assert info.value.code is ErrorCode.BAD_PERIOD


def test_validation_reads_with_the_collector_paused_and_turns_it_on_again(workbook, nord, monkeypatch):
    import gc

    from pagt_xl import pipeline

    seen: list[bool] = []
    real = pipeline.read_workbooks

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "read_workbooks", spy)
    result = run_validation([workbook({"Ansøgninger": good_rows()})], nord)
    assert seen == [False] and gc.isenabled()
    assert len(result.table) == 4
