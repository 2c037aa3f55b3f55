"""Goal tracking and action-plan follow-up (issue 17): pact data, the two sheets, the follow-up, ``pagt-xl maal``."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT, WORKBOOKS, SheetSpec, good_rows, write_workbook
from hypothesis import given
from hypothesis import strategies as st

from pagt_xl.base.config import load_pact
from pagt_xl.base.model import IssueCode, Severity
from pagt_xl.core.goals import path_index
from pagt_xl.pipeline import run_goals

HIGHER = "Fuldførte videregående STEM-uddannelser"
VOC = "Fuldførte STEM-erhvervsuddannelser"
FIG_HEADER = ["År", "Indikator", "Antal", "Kilde"]
ACT_HEADER = ["Dato", "Indsatsområde", "Aktivitet", "Beskrivelse", "Sagsnr."]


def goal_book(tmp_path: Path, figures: list[list[object]], activities: list[list[object]] | None = None) -> Path:
    """A goal workbook as staff make it: a title and a blank row above each header (header in row 3)."""
    sheets: dict[str, SheetSpec | list[list[object]]] = {
        "Tal": [["Målopfølgning"], [], FIG_HEADER, *figures],
    }
    if activities is not None:
        sheets["Aktiviteter"] = [["Aktiviteter"], [], ACT_HEADER, *activities]
    return write_workbook(tmp_path / "maal.xlsx", sheets)


def _fig(year: int, value: object, indicator: str = HIGHER) -> list[object]:
    return [year, indicator, value, "DST"]


# -- the follow-up ---------------------------------------------------------------------------------
@pytest.mark.parametrize("delta,on_track", [(0, True), (-1, False), (1, True)])
def test_exactly_on_the_path_counts_as_on_track(tmp_path, delta, on_track):
    nord = load_pact("nordjylland")
    goal = nord.goals.measured[0]
    baseline = 900  # 900 × path(2022)/100 is a whole number, so a figure can sit exactly on the path
    on_path = baseline * path_index(goal, 2022) / 100
    assert on_path.denominator == 1
    value = int(on_path) + delta
    path = goal_book(tmp_path, [_fig(2019, baseline), _fig(2020, 920), _fig(2021, 940), _fig(2022, value)])
    run = run_goals([path], nord)
    ind = next(i for i in run.follow_up.indicators if i.key == goal.key)
    latest = ind.latest
    assert latest is not None and latest.year == 2022
    assert latest.on_track is on_track
    assert latest.gap_points == pytest.approx(float(Fraction(100 * value, baseline) - path_index(goal, 2022)))
    assert latest.gap_percent == pytest.approx(100 * (value - float(on_path)) / float(on_path))
    target = baseline * (1 + Fraction(str(goal.target_change)))
    assert latest.needed_per_year == pytest.approx(float((target - value) / (goal.target_year - 2022)))
    assert latest.path_index == pytest.approx(100 + 100 * goal.target_change * 3 / 9)


def test_a_missing_year_is_a_warning_and_the_other_years_are_followed(tmp_path):
    path = goal_book(tmp_path, [_fig(2019, 1000), _fig(2020, 1010), _fig(2022, 1080), _fig(2019, 1480, VOC)])
    run = run_goals([path], load_pact("nordjylland"))
    ind = next(i for i in run.follow_up.indicators if i.name == HIGHER)
    assert [y.year for y in ind.years] == [2019, 2020, 2022]
    assert ind.missing_years == [2021]
    [missing] = [i for i in run.issues if i.code is IssueCode.GOAL_YEAR_MISSING]
    assert missing.severity is Severity.WARNING and "2021" in missing.message and missing.sheet == "Tal"
    assert not run.has_errors


def test_a_missing_baseline_is_an_error_and_the_indicator_is_not_indexed(tmp_path, cli):
    path = goal_book(tmp_path, [_fig(2020, 1010), _fig(2021, 1030), _fig(2019, 1480, VOC)])
    run = run_goals([path], load_pact("nordjylland"))
    higher = next(i for i in run.follow_up.indicators if i.name == HIGHER)
    voc = next(i for i in run.follow_up.indicators if i.name == VOC)
    assert higher.baseline is None and higher.years == []
    assert voc.baseline == 1480
    [issue] = [i for i in run.issues if i.code is IssueCode.GOAL_BASELINE_MISSING]
    assert issue.severity is Severity.ERROR and "2019" in issue.message
    proc = cli("maal", path)
    assert proc.returncode == 1
    assert "basisåret 2019 mangler" in proc.stdout


@pytest.mark.parametrize(
    "raw,cell_ok", [("mange", False), ("12,5", False), ("-3", False), ("2.140", True), (2140.0, True)]
)
def test_numbers_danish_and_bad_with_their_cell(tmp_path, raw, cell_ok):
    path = goal_book(tmp_path, [_fig(2019, 2000), _fig(2020, raw)])
    run = run_goals([path], load_pact("nordjylland"))
    bad = [i for i in run.issues if i.code is IssueCode.GOAL_BAD_VALUE]
    if cell_ok:
        assert bad == []
        ind = next(i for i in run.follow_up.indicators if i.name == HIGHER)
        assert ind.years[-1].value == 2140
    else:
        [issue] = bad
        assert (issue.cell, issue.sheet, issue.severity) == ("C5", "Tal", Severity.ERROR)
        assert issue.value == str(raw)


def _pact_with_derived_activities(tmp_path: Path) -> Path:
    """Nordjylland plus an action plan whose ambassador goal counts granted "Kompetence"/"Strategisk" projects."""
    text = (ROOT / "pagt_xl" / "base" / "pacts" / "nordjylland.toml").read_text(encoding="utf-8")
    text += """
[[goals.areas]]
key = "virk"
number = 1
name = "Virksomhedssamarbejder"

[[goals.activities]]
key = "amb"
area = "virk"
kind = "ambassadoerprojekt"
min_per_year = 1
max_per_year = 2
first_year = 2020
last_year = 2021
derive_project_types = ["kompetence", "strategisk"]
"""
    out = tmp_path / "pagt.toml"
    out.write_text(text, encoding="utf-8")
    return out


def test_activities_derived_from_the_overview_are_counted_once_and_unknown_cases_reported(tmp_path, workbook):
    overview = workbook({"A": good_rows()})  # 2020-01 (kompetence) and 2020-02 (strategisk) granted
    pact = load_pact(_pact_with_derived_activities(tmp_path))
    acts = [
        [dt.datetime(2020, 5, 1), "1. Virksomhedssamarbejder", "Ambassadørprojekt", "LabSTEM", "2020-01"],
        [dt.datetime(2021, 3, 1), "Virksomhedssamarbejder", "Ambassadørprojekt", "Ukendt", "2099-99"],
        [dt.datetime(2021, 4, 1), "Virksomhedssamarbejder", "Netværksmøde", "Møde", None],
    ]
    path = goal_book(tmp_path, [_fig(2019, 1000)], acts)
    run = run_goals([path], pact, overview=[overview])
    [goal] = run.follow_up.activities
    by_year = {y.year: y for y in goal.years}
    assert by_year[2020].done == 2  # 2020-01 typed and derived: once; 2020-02 derived
    assert by_year[2020].met
    assert by_year[2021].done == 1 and by_year[2021].met
    [unknown] = [i for i in run.issues if i.code is IssueCode.GOAL_UNKNOWN_CASE]
    assert (unknown.sheet, unknown.cell, unknown.value) == ("Aktiviteter", "E5", "2099-99")
    assert run.has_errors
    without = run_goals([path], pact)  # no overview: nothing derived, nothing to check against
    assert {y.year: y.done for y in without.follow_up.activities[0].years} == {2020: 1, 2021: 1}
    assert not any(i.code is IssueCode.GOAL_UNKNOWN_CASE for i in without.issues)


@pytest.mark.parametrize("themes,met", [(1, True), (2, True), (3, False), (0, False)])
def test_focus_themes_one_to_two_a_year(tmp_path, themes, met):
    acts = [[dt.datetime(2023, 3, 1), "Tematikker", "Fokustema", f"Tema {n}", None] for n in range(themes)]
    acts.append([dt.datetime(2023, 9, 1), "Internationale samarbejder", "International ansøgning", "EU", None])
    run = run_goals([goal_book(tmp_path, [], acts)], load_pact("midtjylland"))
    focus = next(a for a in run.follow_up.activities if a.key == "fokustemaer")
    assert [(y.year, y.done, y.met) for y in focus.years] == [(2022, 0, False), (2023, themes, met)]


# every goal code has a scenario: (figures, activities, cell or None, severity)
SCENARIOS = {
    IssueCode.GOAL_BAD_VALUE: ([_fig(2019, "ca. 2000")], None, "C4", Severity.ERROR),
    IssueCode.GOAL_UNKNOWN_INDICATOR: ([_fig(2019, 1), _fig(2019, 1, "Fuldførte ph.d.")], None, "B5", Severity.ERROR),
    IssueCode.GOAL_DUPLICATE_FIGURE: ([_fig(2019, 1), _fig(2019, 2)], None, "A5", Severity.ERROR),
    IssueCode.GOAL_BASELINE_MISSING: ([_fig(2020, 1)], None, None, Severity.ERROR),
    IssueCode.GOAL_YEAR_MISSING: ([_fig(2019, 1), _fig(2021, 1)], None, None, Severity.WARNING),
    IssueCode.GOAL_UNKNOWN_KIND: ([], [[dt.datetime(2022, 1, 5), "", "Frokost", "x", None]], "C4", Severity.ERROR),
    IssueCode.GOAL_UNKNOWN_AREA: (
        [],
        [[dt.datetime(2022, 1, 5), "Rumfart", "Netværksmøde", "x", None]],
        "B4",
        Severity.WARNING,
    ),
    IssueCode.GOAL_UNKNOWN_CASE: (
        [],
        [[dt.datetime(2022, 1, 5), "", "Fondsansøgning", "x", "9"]],
        "E4",
        Severity.ERROR,
    ),
}


#: a scenario's whole list of (code, cell) when it gives more than its own code's issue: the pact's other
#: measured indicator has no figures at all, so its baseline is missing
FULL = {
    IssueCode.GOAL_UNKNOWN_INDICATOR: [(IssueCode.GOAL_BASELINE_MISSING, None), (IssueCode.GOAL_UNKNOWN_INDICATOR, "B5")],
    IssueCode.GOAL_DUPLICATE_FIGURE: [(IssueCode.GOAL_BASELINE_MISSING, None), (IssueCode.GOAL_DUPLICATE_FIGURE, "A5")],
    IssueCode.GOAL_BASELINE_MISSING: [(IssueCode.GOAL_BASELINE_MISSING, None)] * 2,
    IssueCode.GOAL_YEAR_MISSING: [(IssueCode.GOAL_BASELINE_MISSING, None), (IssueCode.GOAL_YEAR_MISSING, None)],
}


def test_every_goal_code_has_a_scenario():
    assert set(SCENARIOS) | {IssueCode.GOAL_SHEET_NOT_FOUND} == {c for c in IssueCode if c.value.startswith("goal_")}


@pytest.mark.parametrize("code", list(SCENARIOS), ids=lambda c: c.value)
def test_goal_issue_code(code, tmp_path, workbook):
    figures, activities, cell, severity = SCENARIOS[code]
    path = goal_book(tmp_path, figures, activities)
    run = run_goals([path], load_pact("nordjylland"), overview=[workbook({"A": good_rows()})])
    assert [(i.code, i.cell) for i in run.issues] == FULL.get(code, [(code, cell)])  # the whole list
    assert all(i.severity is severity and i.file == str(path) for i in run.issues if i.code is code)


def test_a_workbook_without_goal_sheets_is_reported(tmp_path, workbook):
    run = run_goals([workbook({"A": good_rows()})], load_pact("nordjylland"))
    [issue] = run.issues  # and no baseline issue: without any figures there is nothing to follow yet
    assert issue.code is IssueCode.GOAL_SHEET_NOT_FOUND and issue.sheet is None
    assert [i.baseline for i in run.follow_up.indicators] == [None, None]


def test_config_rejects_an_activity_goal_of_an_unknown_kind(tmp_path):
    from pagt_xl.base.errors import ConfigError

    text = (
        _pact_with_derived_activities(tmp_path)
        .read_text(encoding="utf-8")
        .replace('kind = "ambassadoerprojekt"', 'kind = "frokost"')
    )
    bad = tmp_path / "bad.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match="frokost"):
        load_pact(bad)


# -- the command and the samples -------------------------------------------------------------------------
def test_maal_formats_on_the_samples(cli, tmp_path):
    nord = WORKBOOKS / "maalopfoelgning_nordjylland.xlsx"
    table = cli("maal", nord)
    assert table.returncode == 0, table.stderr
    assert "på sporet" in table.stdout and "bagud" in table.stdout
    doc = json.loads(cli("maal", nord, "--format", "json").stdout)
    status = {i["key"]: i["years"][-1]["on_track"] for i in doc["follow_up"]["indicators"]}
    assert status == {"videregaaende": True, "erhverv": False}
    csv_text = cli("maal", nord, "--format", "csv", "--year", "2021", "--csv-dialect", "maskine").stdout
    header, *rows = csv_text.strip().splitlines()
    assert header.startswith("type,goal,name,year,value,index")
    assert {r.split(",")[3] for r in rows} == {"2019", "2020", "2021"}
    out = tmp_path / "maal.xlsx"
    assert cli("maal", nord, "--format", "xlsx", "--out", out).returncode == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Målopfølgning", "Fejl"]
    values = [[c for c in r] for r in wb["Målopfølgning"].iter_rows(values_only=True)]
    years = [r for r in values if r[0] == HIGHER]
    assert [r[1] for r in years] == [2019, 2020, 2021, 2022, 2023]
    assert years[-1][6] == "på sporet"
    midt = cli("maal", WORKBOOKS / "maalopfoelgning_midtjylland.xlsx", "--pact", "midtjylland", "--format", "json")
    acts = {
        a["key"]: {y["year"]: y["met"] for y in a["years"]} for a in json.loads(midt.stdout)["follow_up"]["activities"]
    }
    assert acts["ambassadoerprojekter"] == {2022: True, 2023: False, 2024: True}
    assert acts["fokustemaer"][2024] is False


def test_maal_exit_codes(cli, tmp_path):
    bad = goal_book(tmp_path, [_fig(2019, 2000), _fig(2020, "mange"), _fig(2019, 1480, VOC)])
    proc = cli("maal", bad, "--format", "json")
    assert proc.returncode == 1
    assert [(i["code"], i["cell"]) for i in json.loads(proc.stdout)["issues"]] == [("goal_bad_value", "C5")]
    junk = tmp_path / "ikke.xlsx"
    junk.write_text("ikke en projektmappe", encoding="utf-8")
    proc = cli("maal", junk)
    assert proc.returncode == 2 and proc.stderr.startswith("pagt-xl: fejl:")
    assert proc.stdout == ""  # no follow-up of no data ("basisåret mangler") after the file could not be read
    proc = cli("maal", bad, "--format", "xlsx")
    assert proc.returncode == 2 and "--out" in proc.stderr


def test_breakdown_workbook_gets_a_goal_sheet_only_with_goal_data(tmp_path):
    from pagt_xl.pipeline import JobOutputs, JobSpec, run_job

    nord = load_pact("nordjylland")
    overview = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
    with_goals, without = tmp_path / "med.xlsx", tmp_path / "uden.xlsx"
    goals = [WORKBOOKS / "maalopfoelgning_nordjylland.xlsx"]
    run_job(JobSpec(pact=nord, inputs=[overview], goals=goals, outputs=JobOutputs(breakdown_workbook=with_goals)))
    run_job(JobSpec(pact=nord, inputs=[overview], outputs=JobOutputs(breakdown_workbook=without)))
    ws = openpyxl.load_workbook(with_goals)["Målopfølgning"]
    rows = [r for r in ws.iter_rows(values_only=True) if r[0] in (HIGHER, VOC)]
    expected = run_goals(goals, nord, overview=[overview]).follow_up
    assert [(r[0], r[1], r[2], r[6]) for r in rows] == [
        (i.name, y.year, y.value, "på sporet" if y.on_track else "bagud") for i in expected.indicators for y in i.years
    ]
    assert "Målopfølgning" not in openpyxl.load_workbook(without).sheetnames


def test_goal_workbooks_generator_is_deterministic_and_samples_are_current(tmp_path):
    form = tmp_path / "form.xlsx"
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "make_goal_workbooks.py"), "--form", str(form), "--samples", str(tmp_path)],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    assert form.read_bytes() == (ROOT / "pagt_xl" / "templates" / "maalopfoelgning.xlsx").read_bytes()
    for pact in ("nordjylland", "midtjylland"):
        name = f"maalopfoelgning_{pact}.xlsx"
        assert (tmp_path / name).read_bytes() == (WORKBOOKS / name).read_bytes()
        wb = openpyxl.load_workbook(WORKBOOKS / name)
        assert all("EKSEMPEL" in str(ws["A2"].value) for ws in wb.worksheets)
    empty = run_goals([form], load_pact("nordjylland"))
    assert [s[2] for s in empty.sheets] == ["figures", "activities"]


def test_the_two_sheets_may_be_two_workbooks(tmp_path):
    figures = write_workbook(tmp_path / "tal.xlsx", {"Ark1": [FIG_HEADER, _fig(2019, 1000), _fig(2019, 1480, VOC)]})
    acts = [[dt.datetime(2023, 2, 1), "Tematikker", "Fokustema", "Piger og STEM", None]]
    activities = write_workbook(tmp_path / "aktiviteter.xlsx", {"Ark1": [["Noter"], ACT_HEADER, *acts]})
    run = run_goals([figures, activities], load_pact("midtjylland"))
    assert [(Path(f).name, kind) for f, _, kind in run.sheets] == [
        ("tal.xlsx", "figures"),
        ("aktiviteter.xlsx", "activities"),
    ]
    focus = next(a for a in run.follow_up.activities if a.key == "fokustemaer")
    assert {y.year: y.done for y in focus.years} == {2022: 0, 2023: 1}


@given(st.integers(min_value=0, max_value=10**9))
def test_counts_read_back_in_every_danish_spelling(n):
    from pagt_xl.base.danish import format_number
    from pagt_xl.ingest.goals import parse_count

    for spelling in (n, float(n), str(n), format_number(n), f"{format_number(n)},0"):
        assert parse_count(spelling) == n


def test_a_scheduled_run_takes_goal_workbooks_and_lists_their_issues(cli, tmp_path):
    (tmp_path / "data").mkdir()
    overview = tmp_path / "data" / "oversigt.xlsx"
    overview.write_bytes((WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx").read_bytes())
    goals = goal_book(tmp_path, [_fig(2019, 2000), _fig(2020, "mange"), _fig(2019, 1480, VOC), _fig(2020, 1500, VOC)])
    config = tmp_path / "koersel.toml"
    config.write_text(
        f'pact = "nordjylland"\ninputs = ["data/*.xlsx"]\noutputs = "ud"\ngoals = ["{goals.name}"]\n', encoding="utf-8"
    )
    proc = cli("run", config, "--date", "2024-02-15")
    assert proc.returncode == 1, proc.stderr  # the goal workbook has an error
    issues = json.loads((tmp_path / "ud" / "fejl_nordjylland_2024-02-15.json").read_text(encoding="utf-8"))
    assert [(i["code"], i["cell"]) for i in issues if i["code"].startswith("goal_")] == [("goal_bad_value", "C5")]
    assert "Læser målopfølgningen" in proc.stderr
    sheet = openpyxl.load_workbook(tmp_path / "ud" / "fordelinger_nordjylland_2024-02-15.xlsx")["Målopfølgning"]
    assert [r[1] for r in sheet.iter_rows(values_only=True) if r[0] == VOC] == [2019, 2020]
