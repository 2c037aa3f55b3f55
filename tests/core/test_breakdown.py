"""Breakdowns: invariants (hypothesis), the seed's figures, the CLI and the breakdown workbook."""

from __future__ import annotations

import dataclasses
import json

import openpyxl
import pandas as pd
import pytest
from conftest import ROOT, WORKBOOKS, good_rows
from hypothesis import given, settings
from hypothesis import strategies as st

from pagt_xl import load_pact, run_validation
from pagt_xl.base.errors import ErrorCode, RequestError
from pagt_xl.base.model import Decision, IssueCode
from pagt_xl.core.breakdown import KEYS, breakdown_by, cross_checks, largest_remainder
from pagt_xl.core.figures import Figures
from pagt_xl.pipeline import run_breakdowns

NORD_FILE = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
PACT = load_pact("nordjylland")
THEMES = [t.key for t in PACT.themes] + [None]
TYPES = [t.key for t in PACT.project_types] + [None]
ROUNDS = [r.key for r in PACT.rounds] + [None]

row_strategy = st.fixed_dictionaries(
    {
        "year": st.sampled_from([2019, 2020, 2021, None]),
        "theme": st.sampled_from(THEMES),
        "project_type": st.sampled_from(TYPES),
        "round": st.sampled_from(ROUNDS),
        "applicant": st.sampled_from(["EUC Nord", "Aalborg Universitet", "SOSU Nord", None, "=HACK()"]),
        "decision": st.sampled_from([Decision.GRANTED, Decision.GRANTED, Decision.REJECTED]),
        "granted": st.one_of(st.none(), st.integers(0, 10**8)),
        "status": st.sampled_from(["ongoing", "finished", None]),
        "progress": st.sampled_from(["good", "slow", None]),
        "has_error": st.booleans(),
    }
)


def frame(rows: list[dict]) -> pd.DataFrame:
    columns = [
        "year",
        "theme",
        "project_type",
        "round",
        "applicant",
        "decision",
        "granted",
        "status",
        "progress",
        "has_error",
    ]
    df = pd.DataFrame(rows, columns=columns)
    df["institution_type"] = None
    for col in ("target_primary", "target_youth", "target_higher", "target_professionals"):
        df[col] = pd.array([None] * len(df), dtype="Int64")
    df["year"] = pd.array(df["year"].tolist(), dtype="Int64")
    df["granted"] = pd.array(df["granted"].tolist(), dtype="Int64")
    df["has_error"] = df["has_error"].astype(bool)
    return df


@settings(max_examples=60, deadline=None)
@given(st.lists(row_strategy, max_size=40), st.sampled_from([k for k in KEYS if k != "target_group"]))
def test_every_breakdown_preserves_total_and_count(rows, key):
    df = frame(rows)
    clean = df[(df["decision"] == Decision.GRANTED) & ~df["has_error"] & df["year"].notna()]  # the counted grants
    b = breakdown_by(Figures.of(df), PACT, [key])
    assert sum(r["granted"] for r in b.rows) == int(clean["granted"].fillna(0).sum()) == b.total["granted"]
    assert sum(r["projects"] for r in b.rows) == len(clean) == b.total["projects"]
    if b.total["granted"]:
        assert abs(sum(r["share"] for r in b.rows) - 1) < 1e-9
        assert sum(r["percent"] for r in b.rows) == 100


@settings(max_examples=40, deadline=None)
@given(st.lists(row_strategy, max_size=40))
def test_crossing_and_summing_away_gives_one_key(rows):
    figures = Figures.of(frame(rows))
    crossed = breakdown_by(figures, PACT, ["year", "theme"])
    single = breakdown_by(figures, PACT, ["year"])
    summed: dict = {}
    for r in crossed.rows:
        acc = summed.setdefault(r["year"], [0, 0])
        acc[0] += r["projects"]
        acc[1] += r["granted"]
    assert summed == {r["year"]: [r["projects"], r["granted"]] for r in single.rows if r["projects"]}
    # by year alone, every year with a counted row is a row, with or without a grant
    assert [r["year"] for r in single.rows] == figures.years


@given(st.lists(st.integers(0, 10**9), max_size=12))
def test_largest_remainder_sums_to_100(values):
    pct = largest_remainder(values)
    assert sum(pct) == (100 if sum(values) else 0)
    assert all(p >= 0 for p in pct)


def test_seed_year_table_on_the_sample():
    result = run_breakdowns(run_validation([NORD_FILE], PACT))
    rows = result.years.rows
    assert [r["applications"] for r in rows] == [10, 13, 8, 4, 13]
    assert [r["rejected"] for r in rows] == [6, 8, 1, 1, 5]
    assert [r["granted_projects"] for r in rows] == [4, 5, 7, 3, 8]
    assert [r["granted"] for r in rows] == [4_949_000, 5_349_000, 4_538_000, 2_759_500, 5_635_678]
    assert [r["cumulative"] for r in rows][-1] == 23_231_178
    assert [round(r["cumulative"] / 1e6, 2) for r in rows] == [4.95, 10.30, 14.84, 17.60, 23.23]
    assert [r["round_prioriteret"] for r in rows] == [100_000, 1_625_000, 800_000, 1_500_000, 920_000]
    assert result.years.total["applications"] == 48 and result.years.total["granted_projects"] == 27
    theme = result.breakdowns["theme"]
    assert [r["projects"] for r in theme.rows] == [13, 4, 4, 6]  # the report's project list, not its 12/4/6/6
    assert result.extremes["largest"]["granted"] == 4_200_000
    assert all(c.ok for c in result.checks), [c.as_dict() for c in result.checks if not c.ok]


def test_stated_figures_from_the_report_are_checked(cli, tmp_path):
    stated = tmp_path / "rapport2023.toml"
    stated.write_text(
        "[stated]\ngranted_total = 23240000\ngranted_projects = 28\napplications = 48\n"
        "[stated.theme.1]\nprojects = 12\n",
        encoding="utf-8",
    )
    proc = cli("breakdown", str(NORD_FILE), "--by", "theme", "--format", "json", "--stated", str(stated))
    assert proc.returncode == 0, proc.stderr
    checks = {c["subject"]: c for c in json.loads(proc.stdout)["checks"] if c["code"] == "stated_figure_mismatch"}
    assert checks["granted_total"]["result"] == "AFVIGER"
    assert checks["granted_total"]["actual"] == 23_231_178
    assert checks["granted_projects"]["actual"] == 27
    assert checks["applications"]["result"] == "OK"
    assert checks["theme.1.projects"]["actual"] == 13


def test_cli_breakdown_json_contract_and_exit_codes(cli, workbook):
    proc = cli("breakdown", str(NORD_FILE), "--by", "year", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["by"] == ["year"]
    first = doc["rows"][0]
    for k in (
        "year",
        "projects",
        "granted",
        "share",
        "applications",
        "rejected",
        "pending",
        "framework",
        "utilisation",
        "cumulative",
        "round_prioriteret",
        "round_aaben",
        "round_smaa",
    ):
        assert k in first
    assert doc["total"]["granted"] == 23_231_178
    rows = good_rows()
    rows[2][4] = "Blå økonomi"
    proc = cli("breakdown", str(workbook({"A": rows})), "--by", "theme", "--by", "year", "--format", "csv",
               "--csv-dialect", "maskine")
    assert proc.returncode == 1
    assert "udeladt" in proc.stderr
    assert proc.stdout.splitlines()[0].startswith("theme,year,projects,granted,share")
    assert cli("breakdown", str(NORD_FILE)).returncode == 2
    assert cli("breakdown", str(NORD_FILE), "--format", "xlsx").returncode == 2


def test_breakdown_workbook_read_back_and_formula_injection(cli, tmp_path, workbook):
    rows = good_rows()
    rows[1][3] = "@SUM(1+1) v/ +45 EUC"
    src = workbook({"A": rows})
    out = tmp_path / "fordelinger.xlsx"
    proc = cli("breakdown", str(src), "--format", "xlsx", "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    wb = openpyxl.load_workbook(out)
    assert {"Årstabel", "Indsatsområder", "Projekttyper", "Kontrol", "Fejl", "Ansøgere"} <= set(wb.sheetnames)
    ws = wb["Indsatsområder"]
    assert list(ws.tables) == ["Fordeling_theme"]
    assert ws["C4"].number_format == '#,##0 "kr."' and ws["D4"].number_format == "0 %"
    assert ws.freeze_panes == "A4"
    for name in ("Årstabel", "Indsatsområder", "Projekttyper"):
        assert len(wb[name]._charts) == 1, name
    applicants = [c.value for c in wb["Ansøgere"]["A"]]
    assert "+45 EUC" in applicants
    cell = next(c for c in wb["Ansøgere"]["A"] if c.value == "+45 EUC")
    assert cell.data_type == "s"
    kontrol = [r for r in wb["Kontrol"].iter_rows(min_row=4, values_only=True)]
    assert kontrol and all(r[1] in ("OK", "AFVIGER") for r in kontrol)
    assert [c.value for c in wb["Kontrol"][3]][-1] == "Kode" and all(IssueCode(r[-1]) for r in kontrol)


def test_breakdown_workbook_opens_in_libreoffice(libreoffice_pdfs):
    pdf = libreoffice_pdfs["fordelinger"]
    assert pdf.exists() and pdf.stat().st_size > 10_000
    assert pdf.read_bytes().startswith(b"%PDF")


def test_output_is_not_written_over_an_open_file(cli, tmp_path):
    out = tmp_path / "fordelinger.xlsx"
    out.write_bytes(b"old")
    (tmp_path / "~$fordelinger.xlsx").write_bytes(b"lock")
    proc = cli("breakdown", str(NORD_FILE), "--format", "xlsx", "--out", str(out))
    assert proc.returncode == 2 and "åben" in proc.stderr
    assert out.read_bytes() == b"old"


def test_user_guide_documents_breakdown():
    assert "pagt-xl breakdown" in (ROOT / "docs" / "brugervejledning" / "fordelinger.md").read_text(encoding="utf-8")


# -- cross-checks must be able to fail: data that breaks each one -------------------------------------------
def _check(checks, code, subject):
    [check] = [c for c in checks if (c.code, c.subject) == (code, subject)]
    return check


def test_subtotal_row_that_disagrees_is_reported_once_in_every_form(workbook):
    """The subtotal check is one finding: the same code and cell in Kontrol's check and in validate's issues."""
    rows = [*good_rows(), ["I alt", None, None, None, None, None, 3_050_000, None, 2_300_000]]  # true: 2.400.000
    validation = run_validation([workbook({"A": rows})], PACT)
    result = run_breakdowns(validation)
    check = _check(result.checks, IssueCode.SUBTOTAL_MISMATCH, "I6")
    assert (check.ok, check.result, check.expected, check.actual) == (False, "AFVIGER", 2_300_000, 2_400_000)
    assert check.source.endswith("› A › I6")
    assert _check(result.checks, IssueCode.SUBTOTAL_MISMATCH, "G6").ok  # the applied amount it states is right
    assert check.finding in validation.issues
    assert [(i.code, i.cell) for i in validation.issues] == [(IssueCode.SUBTOTAL_MISMATCH, "I6")]
    rows[-1][8] = 2_400_000
    agreeing = _check(run_breakdowns(run_validation([workbook({"A": rows})], PACT)).checks, check.code, "I6")
    assert agreeing.ok and agreeing.result == "OK" and agreeing.finding is None


def test_framework_check_counts_the_rows_the_figures_count(workbook):
    """A framework year is checked against the counted grants: a second copy of a grant is not counted twice."""
    rows = [*good_rows(), list(good_rows()[1])]  # row 2 again: a duplicate_application error on row 6
    frameworks = [["År", "Ramme"], [2020, 2_500_000], [2021, 1_000_000]]
    validation = run_validation([workbook({"A": rows, "Ramme": frameworks})], PACT)
    assert [(i.code, i.cell) for i in validation.issues] == [(IssueCode.DUPLICATE_APPLICATION, "D6")]
    checks = {c.subject: c for c in validation.checks if c.code is IssueCode.FRAMEWORK_EXCEEDED}
    assert {k: (c.expected, c.actual, c.ok) for k, c in checks.items()} == {
        "2020": (2_500_000, 2_400_000, True),
        "2021": (1_000_000, 0, True),
    }
    frameworks[1][1] = 2_399_999
    over = run_validation([workbook({"A": rows, "Ramme": frameworks}, name="b.xlsx")], PACT)
    assert [(i.code, i.cell) for i in over.issues] == [
        (IssueCode.DUPLICATE_APPLICATION, "D6"), (IssueCode.FRAMEWORK_EXCEEDED, "B2")]  # fmt: skip
    assert _check(run_breakdowns(over).checks, IssueCode.FRAMEWORK_EXCEEDED, "2020").finding == over.issues[-1]


def test_stated_figures_that_disagree_are_reported(workbook):
    validation = run_validation([workbook({"A": good_rows()})], PACT)
    stated = {"granted_total": 2_400_001, "granted_projects": 2, "applications": 5}
    checks = run_breakdowns(validation, stated=stated, stated_source="rapport.toml").checks
    results = {c.subject: (c.result, c.expected, c.actual, c.source)
               for c in checks if c.code is IssueCode.STATED_FIGURE_MISMATCH}  # fmt: skip
    assert results == {
        "granted_total": ("AFVIGER", 2_400_001, 2_400_000, "rapport.toml"),
        "granted_projects": ("OK", 2, 2, "rapport.toml"),
        "applications": ("AFVIGER", 5, 4, "rapport.toml"),
    }
    failed = [c.finding for c in checks if not c.ok]
    assert [(i.code, i.value) for i in failed] == [(IssueCode.STATED_FIGURE_MISMATCH, "2400001"),
                                                   (IssueCode.STATED_FIGURE_MISMATCH, "5")]  # fmt: skip


def test_breakdown_and_year_table_that_lose_a_row_are_reported(workbook):
    validation = run_validation([workbook({"A": good_rows()})], PACT)
    good = run_breakdowns(validation)
    assert all(c.ok for c in good.checks)
    theme = good.breakdowns["theme"]
    broken_theme = dataclasses.replace(theme, rows=theme.rows[1:])  # a breakdown that dropped a group
    years = dataclasses.replace(good.years, total={**good.years.total, "granted": 1})
    checks = cross_checks(good.figures, PACT, {"theme": broken_theme}, years)
    failed = [(c.code, c.subject) for c in checks if not c.ok]
    assert failed == [
        (IssueCode.BREAKDOWN_SUM_MISMATCH, "theme"),
        (IssueCode.BREAKDOWN_COUNT_MISMATCH, "theme"),
        (IssueCode.YEAR_TABLE_MISMATCH, ""),
    ]
    assert all(c.result == "AFVIGER" and c.finding is not None and c.finding.code is c.code
               for c in checks if not c.ok)  # fmt: skip


def test_xlsx_with_keys_writes_the_workbook_and_refuses_bad_keys_before_anything(cli, tmp_path, workbook):
    out = tmp_path / "f.xlsx"
    proc = cli("breakdown", str(workbook({"A": good_rows()})), "--by", "theme", "--format", "xlsx", "--out", str(out))
    assert proc.returncode == 0 and proc.stdout == f"Fordelinger skrevet til {out}\n"
    assert "Indsatsområder" in openpyxl.load_workbook(out, read_only=True).sheetnames
    rows = good_rows()
    rows[2][4] = "Blå økonomi"  # a row with an error: its note must not come before the usage error
    proc = cli("breakdown", str(workbook({"A": rows}, name="b.xlsx")), "--by", "target_group", "--by", "theme")
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.startswith("pagt-xl: fejl: ") and proc.stderr.count("\n") == 1, proc.stderr  # that line only


def test_only_the_breakdowns_asked_for_are_computed_and_they_equal_the_full_run():
    validation = run_validation([NORD_FILE], PACT)
    full = run_breakdowns(validation)
    only = run_breakdowns(validation, keys=["theme"])
    assert set(only.breakdowns) == {"theme"}
    assert only.breakdowns["theme"] == full.breakdowns["theme"]
    assert only.years == full.years
    subjects = {c.subject for c in only.checks if c.code is IssueCode.BREAKDOWN_SUM_MISMATCH}
    assert "theme" in subjects and "type" not in subjects
    # stated figures name themes and types: both are computed when they are checked
    stated = run_breakdowns(validation, keys=["year"], stated={"type.kompetence.projects": 1})
    assert {"year", "theme", "type"} <= set(stated.breakdowns)


def test_breakdown_command_computes_only_its_key(cli, tmp_path):
    proc = cli("breakdown", str(NORD_FILE), "--by", "theme", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [r["projects"] for r in doc["rows"]] == [13, 4, 4, 6]
    assert "type" not in {c["subject"] for c in doc["checks"] if c["code"] == "breakdown_sum_mismatch"}
    # the workbook still gets every breakdown
    out = tmp_path / "f.xlsx"
    assert cli("breakdown", str(NORD_FILE), "--by", "theme", "--format", "xlsx", "--out", str(out)).returncode == 0
    assert {"Indsatsområder", "Projekttyper", "Institutionstyper"} <= set(openpyxl.load_workbook(out).sheetnames)


NAMES = ["EUC Nord", "Aalborg Universitet", "SOSU Nord", "Aalborg Katedralskole", "VUC Nordjylland",
         "Region Nordjylland", "Hjørring Kommune", "Tech College Aalborg", "Skolen ved Stranden", "AMU Nordjylland",
         "Business Aalborg", "10. klasse-centret", "Ukendt forening", "UCN", "via university college", "HTX Thisted",
         "Regionshuset", "eucnord"]  # fmt: skip


@settings(max_examples=80, deadline=None)
@given(st.lists(st.sampled_from(NAMES) | st.text(max_size=30), max_size=20))
def test_institution_type_matches_the_pact_rules_one_pattern_at_a_time(names):
    import re

    from pagt_xl.core.breakdown import institution_type

    def by_rules(name: str) -> str:
        for rule in PACT.institution_types:
            if any(re.search(p, name, re.IGNORECASE) for p in rule.patterns):
                return rule.name
        return PACT.institution_types[-1].name

    for name in [*NAMES, *names]:
        expected = by_rules(name) if name else "(ikke angivet)"
        assert institution_type(name, PACT) == expected, name
        assert institution_type(name, PACT) == expected, name  # remembered


def test_a_request_that_cannot_be_made_is_a_request_error_with_its_code(workbook):
    figures = run_validation([workbook({"A": good_rows()})], PACT).figures
    for by in (["target_group", "theme"], ["farve"], [], ["year", "theme", "type"]):
        with pytest.raises(RequestError) as info:
            breakdown_by(figures, PACT, by)
        assert info.value.code is ErrorCode.UNKNOWN_BREAKDOWN_KEY


def test_a_bug_is_not_shown_as_the_users_mistake(monkeypatch, capsys):
    """A ValueError from inside the job (a bug, not the user's input) is "uventet fejl", never a usage error."""
    from pagt_xl import pipeline
    from pagt_xl.cli.commands import main

    def broken(*args, **kwargs):
        raise ValueError("a bug deep inside")

    monkeypatch.setattr(pipeline, "run_job", broken)
    monkeypatch.delenv("PAGT_XL_DEBUG", raising=False)
    assert main(["breakdown", str(NORD_FILE), "--by", "theme"]) == 2
    assert "uventet fejl: ValueError" in capsys.readouterr().err
