"""What is read, and how (issue 23): every house style read right, nothing hidden counted, nothing visible lost.

The workbooks are built here, in a house style unlike the samples (docs/reference/pact-settings-reading.md's
example region: one sheet per year, the year only in the sheet's name, a title above the header, a notes
row under it, totals above the data, "Sum 2022" in the round column, withdrawn rows, a drop-down list
sheet, a hidden sheet), and the same content is saved as .xls and .ods by LibreOffice.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import unicodedata
import zipfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest
from conftest import HEADER, ROOT, SheetSpec, good_rows, write_workbook
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pagt_xl.base.config import Pact, load_pact
from pagt_xl.base.danish import case_key, comparison_key, mixed_script, normalize_name
from pagt_xl.base.model import IssueCode, Severity
from pagt_xl.base.names import is_lock_file
from pagt_xl.pipeline import choose_pact, run_breakdowns, run_validation

DOC = ROOT / "docs" / "reference" / "pact-settings-reading.md"


@pytest.fixture(scope="module")
def region(tmp_path_factory: pytest.TempPathFactory) -> Pact:
    """The example region of the pact reference, loaded from the documentation's own TOML block."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split("<!-- example-pact -->", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path_factory.mktemp("pact") / "sjaelland.toml"
    path.write_text(block, encoding="utf-8")
    return load_pact(path)


REGION_HEADER = ["Spor", "Projektets navn", "Skole/institution", "Runde", "Søgt (kr.)", "Udfald", "Tildelt (kr.)",
                 "Noter"]  # fmt: skip
NOTES = ["vælg fra listen", "udfyldes af sekretariatet", "skolens fulde navn", "Forårsrunden/Efterårsrunden", "kr.",
         "Bevilget/Afslag/Trukket tilbage", "kr.", "frivilligt"]  # fmt: skip
APPS_2022 = [
    ["Grøn omstilling", "Solceller på skolen", "Køge Gymnasium", "Forårsrunden", 400_000, "Bevilget", 400_000],
    ["Piger i teknologi", "Pigecamp", "Roskilde Tekniske Skole", "Forårsrunden", 300_000, "Afslag", None],
    ["Teknologi i grundskolen", "Robotter i 4. klasse", "Næstved Skole", "Efterårsrunden", 250_000, "Bevilget",
     200_000],
    ["Grøn omstilling", "Vindmøllelab", "Slagelse HTX", "Efterårsrunden", 200_000, "Frafaldet", None],
    ["Piger i teknologi", "Kodepiger", "Holbæk Gymnasium", "Efterårsrunden", 300_000, "Bevilget", 300_000],
]  # fmt: skip
APPS_2023 = [
    ["Grundskolen", "Byg en bro", "Ringsted Skole", "Forårsrunden", 150_000, "Bevilget", 150_000],
    ["Grøn teknologi", "Grønne data", "Sorø Akademi", "Forårsrunden", 500_000, "Opgivet", None],
    ["Piger i teknologi", "Pigecamp 2", "Roskilde Tekniske Skole", "Efterårsrunden", 350_000, "Afventer", None],
    ["Teknologi i grundskolen", "Lego-liga", "Kalundborg Skole", "Efterårsrunden", 100_000, "Trukket tilbage", None],
]  # fmt: skip
OLD_2021 = [["Grøn omstilling", "Gammelt projekt", "Køge Gymnasium", "Forårsrunden", 900_000, "Bevilget", 900_000]]
LISTS = [["Udfald", "Spor", "Runde"], ["Bevilget", "Grøn omstilling", "Forårsrunden"],
         ["Afslag", "Piger i teknologi", "Efterårsrunden"], ["Trukket tilbage", "Teknologi i grundskolen", None]]  # fmt: skip


def _sums(rows: list[list[Any]]) -> tuple[int, int]:
    return sum(r[4] or 0 for r in rows), sum(r[6] or 0 for r in rows)


def house_style(path: Path, *, hidden: bool = True, notes: bool = True, lists: bool = True) -> Path:
    """The example region's overview: sheets "2022" and "2023", a guide, a list sheet, a hidden old sheet."""
    applied22, granted22 = _sums(APPS_2022)
    applied23, granted23 = _sums(APPS_2023)
    sheet22 = [["Ansøgninger 2022 — Sjællandsk Teknologipagt"], [], REGION_HEADER]
    if notes:
        sheet22.append(NOTES)
    sheet22.append([None, None, None, "Sum 2022", applied22, None, granted22])  # a total above, in the round column
    sheet22 += [[*r, "aftalt med skolen" if i == 2 else None] for i, r in enumerate(APPS_2022)]
    sheet23 = [REGION_HEADER[:7], [None, "I alt", None, None, applied23, None, granted23], *APPS_2023]
    sheets: dict[str, SheetSpec | list[list[Any]]] = {
        "Vejledning": [["Sådan udfyldes oversigten"], ["Ét ark pr. år; arkets navn er året."]],
        "2022": SheetSpec(sheet22, hidden_columns=["H"]),
        "2023": sheet23,
    }
    if lists:
        sheets["Lister"] = LISTS
    if hidden:
        sheets["Gammel 2021"] = SheetSpec([REGION_HEADER[:7], *OLD_2021], hidden=True)
    return write_workbook(path, sheets)


def figures(result) -> dict[str, Any]:
    """Every figure a run shows: the year table, the theme and round breakdowns, the checks that fail."""
    b = run_breakdowns(result)
    return {
        "years": [{k: v for k, v in r.items() if k not in ("utilisation",)} for r in b.years.rows],
        "total": dict(b.years.total),
        "themes": {r["theme"]: (r["projects"], r["granted"]) for r in b.breakdowns["theme"].rows},
        "rounds": {r["round"]: (r["projects"], r["granted"]) for r in b.breakdowns["round"].rows},
        "failing": [c.name for c in b.checks if not c.ok],
    }


def codes(result, code: IssueCode) -> list[Any]:
    return [i for i in result.issues if i.code is code]


# -- the house style as a whole -----------------------------------------------------------------------
def test_the_example_region_reads_its_house_style(tmp_path, region):
    result = run_validation([house_style(tmp_path / "sjaelland.xlsx")], region)
    f = figures(result)
    assert not result.has_errors, [i for i in result.issues if i.severity is Severity.ERROR]
    assert [(r["year"], r["applications"], r["granted_projects"], r["rejected"], r["withdrawn"], r["pending"],
             r["granted"]) for r in f["years"]] == [(2022, 5, 3, 1, 1, 0, 900_000), (2023, 4, 1, 0, 2, 1, 150_000)]  # fmt: skip
    assert f["total"]["granted"] == 1_050_000 and f["failing"] == []
    assert f["themes"] == {"Grøn omstilling": (1, 400_000), "Piger i teknologi": (1, 300_000),
                           "Teknologi i grundskolen": (2, 350_000)}  # fmt: skip
    # the subtotals above the data and "Sum 2022" in the round column are subtotals that add up
    assert [(s.sheet, s.label, s.row) for s in result.overview.subtotals] == [("2022", "Sum 2022", 5),
                                                                             ("2023", "I alt", 2)]  # fmt: skip
    assert codes(result, IssueCode.SUBTOTAL_MISMATCH) == []
    # what was skipped or flagged, and where
    assert [(i.sheet, i.row) for i in codes(result, IssueCode.SKIPPED_ROW)] == [("2022", 4)]
    assert [i.sheet for i in codes(result, IssueCode.HIDDEN_SHEET)] == ["Gammel 2021"]
    assert [i.sheet for i in codes(result, IssueCode.LIST_SHEET)] == ["Lister"]
    assert [i.sheet for i in codes(result, IssueCode.SHEET_IGNORED)] == ["Vejledning"]
    [hidden] = codes(result, IssueCode.HIDDEN_ROWS_COLUMNS)
    assert hidden.sheet == "2022" and "H 'Noter'" in hidden.message
    assert result.table["notes"].dropna().tolist() == ["aftalt med skolen"]  # a hidden column is read


def test_before_the_notes_row_and_total_above_were_applications_and_mismatches(tmp_path, region):
    """The same rows without the house-style rows: the same figures (the rows above are not counted)."""
    plain = tmp_path / "plain.xlsx"
    write_workbook(plain, {"2022": [REGION_HEADER[:7], *APPS_2022], "2023": [REGION_HEADER[:7], *APPS_2023]})
    styled = run_validation([house_style(tmp_path / "styled.xlsx")], region)
    assert figures(run_validation([plain], region)) == figures(styled)


# -- 1. hidden content ---------------------------------------------------------------------------------
def test_hidden_and_very_hidden_sheets_are_named_and_not_read(tmp_path, nord):
    path = tmp_path / "skjult.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Ansøgninger"
    for r in good_rows():
        ws.append(r)
    for n, (name, state) in enumerate((("Gammel liste", "hidden"), ("Makro", "veryHidden"))):
        old = wb.create_sheet(name)
        old.append(HEADER)
        old.append([2020, f"2020-9{n}", "Åben runde", f"{name} v/ EUC Nord", "STEM-kompetencer til alle", "Motiverende",
                    900_000, "Tilsagn", 900_000])  # fmt: skip
        old.sheet_state = state
    wb.save(path)
    result = run_validation([path], nord)
    assert int(result.granted()["granted"].sum()) == 2_400_000  # not 4.200.000: the hidden rows are not counted
    hidden = codes(result, IssueCode.HIDDEN_SHEET)
    assert [(i.sheet, i.severity) for i in hidden] == [("Gammel liste", Severity.INFO), ("Makro", Severity.INFO)]
    assert "meget skjult" in hidden[1].message
    read = run_validation([path], nord.with_hidden_sheets())  # --skjulte-ark, or [overview] read_hidden_sheets
    assert int(read.granted()["granted"].sum()) == 4_200_000
    assert [i.sheet for i in codes(read, IssueCode.HIDDEN_SHEET)] == ["Gammel liste", "Makro"]


def test_hidden_rows_and_columns_are_read_and_flagged_once_per_sheet(tmp_path, nord):
    path = write_workbook(tmp_path / "r.xlsx", {"A": SheetSpec(good_rows(), hidden_columns=["B", "F"])})
    wb = openpyxl.load_workbook(path)
    wb["A"].row_dimensions[3].hidden = True
    wb["A"].row_dimensions[5].hidden = True
    wb.save(path)
    result = run_validation([path], nord)
    assert len(result.table) == 4 and int(result.granted()["granted"].sum()) == 2_400_000
    [issue] = codes(result, IssueCode.HIDDEN_ROWS_COLUMNS)
    assert issue.severity is Severity.INFO and issue.cell is None
    assert "3, 5 (2 ansøgninger)" in issue.message and "B 'Sagsnr.'" in issue.message and "F 'Type'" in issue.message


def test_the_flag_reads_hidden_sheets_from_the_command_line(cli, tmp_path):
    old = [2019, "2019-77", "Åben runde", "Gammelt projekt v/ UCN", "STEM-kompetencer til alle", "Motiverende",
           300_000, "Tilsagn", 300_000]  # fmt: skip
    path = write_workbook(tmp_path / "o.xlsx", {"A": good_rows(), "Gammel": SheetSpec([HEADER, old], hidden=True)})
    plain = json.loads(cli("validate", path, "--pact", "nordjylland", "--format", "json").stdout)
    flagged = json.loads(cli("validate", path, "--pact", "nordjylland", "--skjulte-ark", "--format", "json").stdout)
    assert (plain["applications"], flagged["applications"]) == (4, 5)
    assert [i["sheet"] for i in plain["issues"] if i["code"] == "hidden_sheet"] == ["Gammel"]


# -- 2. what a row is --------------------------------------------------------------------------------
def test_a_notes_row_under_the_header_is_skipped_with_an_info(tmp_path, nord):
    rows = [HEADER, ["skriv årstal", "tildeles", "Åben/Prioriteret", "fulde titel v/ ansøger", "se listen", "vælg",
                     "kr.", "Tilsagn/Afslag", "kr."], *good_rows()[1:]]  # fmt: skip
    result = run_validation([write_workbook(tmp_path / "n.xlsx", {"A": rows})], nord)
    assert not result.has_errors and len(result.table) == 4
    [note] = codes(result, IssueCode.SKIPPED_ROW)
    assert note.row == 2 and note.severity is Severity.INFO and "fulde titel" in note.value


def test_a_row_with_a_value_under_the_header_is_an_application(tmp_path, nord):
    rows = [HEADER, [None, None, None, "Ny idé v/ EUC Nord", "STEM-kompetencer til alle"], *good_rows()[1:]]
    result = run_validation([write_workbook(tmp_path / "n.xlsx", {"A": rows})], nord)
    assert len(result.table) == 5  # a known theme: an application (with its missing year and decision reported)
    assert [i.cell for i in codes(result, IssueCode.MISSING_VALUE)] == ["A2"]


@pytest.mark.parametrize("stated", [2_400_000, 2_399_999])
def test_a_total_above_its_block_is_checked_against_the_rows_below(tmp_path, nord, stated):
    blocks = [HEADER, ["I alt 2020", None, None, None, None, None, None, None, stated], *good_rows()[1:],
              ["Total", None, None, None, None, None, None, None, 2_400_000]]  # fmt: skip
    result = run_validation([write_workbook(tmp_path / "t.xlsx", {"A": blocks})], nord)
    mismatches = [i.cell for i in codes(result, IssueCode.SUBTOTAL_MISMATCH)]
    assert mismatches == ([] if stated == 2_400_000 else ["I2"])
    assert len(result.overview.subtotals) == 2 and len(result.table) == 4


def test_totals_above_each_block_match_the_block_below(tmp_path, nord):
    a, b = good_rows()[1:3], good_rows()[3:]
    a21 = [[2021, *r[1:]] for r in b]
    rows = [HEADER, ["I alt", None, None, None, None, None, None, None, 2_400_000], *a,
            ["I alt", None, None, None, None, None, None, None, 0], *a21]  # fmt: skip
    result = run_validation([write_workbook(tmp_path / "b.xlsx", {"A": rows})], nord)
    assert codes(result, IssueCode.SUBTOTAL_MISMATCH) == []


def test_a_subtotal_word_in_the_round_column_is_a_subtotal(tmp_path, nord):
    rows = [*good_rows(), [None, None, "Sum 2020", None, None, None, 3_050_000, None, 2_400_000]]
    result = run_validation([write_workbook(tmp_path / "s.xlsx", {"A": rows})], nord)
    assert len(result.table) == 4 and not result.has_errors
    assert [(s.label, s.year) for s in result.overview.subtotals] == [("Sum 2020", 2020)]


def test_a_list_sheet_is_named_and_not_counted(tmp_path, nord):
    lists = [["Afgørelse", "Indsatsområde", "Runde", "Type"], ["Tilsagn", "De potentielle STEM'ere", "Åben runde",
             "Motiverende"], ["Afslag", "Flere piger og kvinder i STEM", "Prioriteret runde", None], ["Bevilget"]]  # fmt: skip
    result = run_validation([write_workbook(tmp_path / "l.xlsx", {"A": good_rows(), "Lister": lists})], nord)
    [issue] = codes(result, IssueCode.LIST_SHEET)
    assert issue.sheet == "Lister" and "Tilsagn" in issue.message
    assert len(result.table) == 4 and not result.has_errors


def test_a_sheet_missing_a_column_but_with_titles_is_still_an_overview_with_an_error(tmp_path, nord):
    result = run_validation([write_workbook(tmp_path / "m.xlsx", {"A": [r[:8] for r in good_rows()]})], nord)
    assert codes(result, IssueCode.MISSING_COLUMN) and not codes(result, IssueCode.LIST_SHEET)


# -- 3. year from context ------------------------------------------------------------------------------
def test_the_year_comes_from_the_sheet_name(tmp_path, region):
    path = write_workbook(tmp_path / "y.xlsx", {"Ansøgninger 2022": [REGION_HEADER[:7], *APPS_2022],
                                                "2023": [REGION_HEADER[:7], *APPS_2023]})  # fmt: skip
    result = run_validation([path], region)
    assert sorted(set(result.table["year"])) == [2022, 2023] and not result.has_errors


def test_before_the_pact_setting_every_row_of_a_sheet_year_was_rejected(tmp_path, region):
    column = region.model_copy(update={"overview": region.overview.model_copy(update={"year_from": "column"})})
    path = write_workbook(tmp_path / "y.xlsx", {"2022": [REGION_HEADER[:7], *APPS_2022]})
    result = run_validation([path], column)
    assert [i.code for i in result.issues if i.severity is Severity.ERROR] == [IssueCode.MISSING_COLUMN]
    assert result.table["has_error"].all()


def test_a_year_column_that_disagrees_with_the_sheet_name_is_reported(tmp_path, region):
    rows = [["År", *REGION_HEADER[:7]], [2022, *APPS_2022[0]], [None, *APPS_2022[2]], [2021, *APPS_2022[4]]]
    result = run_validation([write_workbook(tmp_path / "y.xlsx", {"2022": rows})], region)
    assert result.table["year"].tolist() == [2022, 2022, 2021]  # an empty cell is the sheet's year; a cell counts
    [issue] = codes(result, IssueCode.YEAR_MISMATCH)
    assert (issue.cell, issue.severity, issue.value) == ("A4", Severity.WARNING, "2021")


def test_a_sheet_without_a_year_in_its_name_is_an_error_naming_it(tmp_path, region):
    result = run_validation([write_workbook(tmp_path / "y.xlsx", {"Ark1": [REGION_HEADER[:7], *APPS_2022]})], region)
    [issue] = codes(result, IssueCode.MISSING_COLUMN)
    assert "Ark1" in issue.message and "year_from" in issue.message


def test_the_year_comes_from_a_title_cell(tmp_path, region):
    title = region.model_copy(update={"overview": region.overview.model_copy(update={"year_from": "title"})})
    path = write_workbook(tmp_path / "t.xlsx", {"Oversigt": [["Ansøgninger 2023"], [], REGION_HEADER[:7],
                                                             *APPS_2023]})  # fmt: skip
    result = run_validation([path], title)
    assert set(result.table["year"]) == {2023} and not result.has_errors


# -- 4. withdrawn ------------------------------------------------------------------------------------
def test_withdrawn_is_its_own_column_and_the_year_table_adds_up(tmp_path, nord):
    rows = [*good_rows(), [2020, "2020-05", "Åben runde", "Droner v/ EUC Nord", "STEM-kompetencer til alle",
                           "Motiverende", 200_000, "Frafaldet", None],
            [2020, "2020-06", "Åben runde", "Kodeklub v/ UCN", "STEM-kompetencer til alle", "Motiverende", 200_000,
             "Trukket tilbage", 150_000]]  # fmt: skip
    result = run_validation([write_workbook(tmp_path / "w.xlsx", {"A": rows})], nord)
    b = run_breakdowns(result)
    [year] = b.years.rows
    assert (year["applications"], year["granted_projects"], year["rejected"], year["pending"], year["withdrawn"]) == (
        6, 2, 1, 1, 2)
    assert year["granted"] == 2_400_000  # the withdrawn grant of 150.000 kr. is not counted
    check = next(c for c in b.checks if "trukket tilbage" in c.name)
    assert check.ok and (check.expected, check.actual) == (6, 6)


def test_applications_without_a_decision_do_not_add_up_and_say_so(tmp_path, nord):
    pact = nord.model_copy(update={"columns": nord.columns.model_copy(update={"required": ["year", "title", "theme"]})})
    rows = [[r[0], r[3], r[4], r[6]] for r in good_rows()]
    result = run_validation([write_workbook(tmp_path / "d.xlsx", {"A": rows})], pact)
    [issue] = codes(result, IssueCode.DECISIONS_DO_NOT_ADD_UP)
    assert issue.severity is Severity.WARNING and "2020" in issue.message
    check = next(c for c in run_breakdowns(result).checks if "trukket tilbage" in c.name)
    assert not check.ok and (check.expected, check.actual) == (4, 0)


def test_a_pact_replaces_the_withdrawn_words(region):
    assert region.decision_matcher.match("Opgivet").key == "withdrawn"
    assert region.decision_matcher.match("Tilbagetrukket").key is None  # the common word was replaced
    assert load_pact("nordjylland").decision_matcher.match("Frafaldet").key == "withdrawn"


# -- 5. same text, same key --------------------------------------------------------------------------
def _twice(variant: dict[str, Any]) -> list[list[Any]]:
    """good_rows() and the first application again, changed in the invisible ways of ``variant``."""
    rows = good_rows()
    again = list(rows[1])
    again[1] = variant.get("case", again[1])
    again[3] = variant.get("title", again[3])
    return [*rows, again]


@pytest.mark.parametrize(
    ("variant", "code"),
    [
        ({"title": "LabSTEM\u200b Nord v/Aalborg Universitet"}, IssueCode.DUPLICATE_APPLICATION),  # zero-width space
        ({"title": "Lab\u00adSTEM Nord v/Aal\u00adborg Universitet"}, IssueCode.DUPLICATE_APPLICATION),  # soft hyphens
        ({"title": "\ufeffLabSTEM Nord v/Aalborg Universitet\u200d"}, IssueCode.DUPLICATE_APPLICATION),  # BOM, ZWJ
        ({"title": "LabSTEM Nord v/Aalborg Universitet", "case": "2020\u201101"}, IssueCode.DUPLICATE_APPLICATION),
        ({"title": "LabSTEM Nørd v/Aalborg Universitet", "case": "x"}, None),  # a real letter: another title
        ({"title": "Helt andet projekt v/AAU", "case": "2020\u201001"}, IssueCode.DUPLICATE_CASE_ID),  # U+2010
        ({"title": "Helt andet projekt v/AAU", "case": "2020-01\u200b"}, IssueCode.DUPLICATE_CASE_ID),
    ],
    ids=["zwsp", "soft-hyphen", "bom-zwj", "nb-hyphen-case", "another-letter", "hyphen-case", "zwsp-case"],
)
def test_invisible_differences_do_not_defeat_the_duplicate_check(tmp_path, nord, variant, code):
    result = run_validation([write_workbook(tmp_path / "d.xlsx", {"A": _twice(variant)})], nord)
    found = [i.code for i in result.issues if i.code in (IssueCode.DUPLICATE_APPLICATION, IssueCode.DUPLICATE_CASE_ID,
                                                         IssueCode.DUPLICATE_TITLE)]  # fmt: skip
    assert found == ([code] if code else [])
    if code is not None:
        assert int(result.granted()["granted"].sum()) == 2_400_000  # counted once


def test_the_same_application_in_decomposed_and_cyrillic_letters_counts_once(tmp_path, nord):
    """The issue's example: three applications (1.350.000 kr.), the first again twice — 1.350.000, not 1.750.000."""
    theme = "1. De potentielle STEM'ere"
    apps = [[2021, "21-01", "Prioriteret runde", "Søfart og STEM v/ Aalborg Universitet", "Flere piger og kvinder i "
             "STEM", "Motiverende", 400_000, "Tilsagn", 400_000],
            [2021, "21-02", "Prioriteret runde", "Åben værksted v/ EUC Nord", "STEM-kompetencer målrettet nordjyske "
             "virksomheders behov", "Motiverende", 450_000, "Tilsagn", 450_000],
            [2021, "21-03", "Prioriteret runde", "Robotter v/ Hjørring Gymnasium", "Flere piger og kvinder i STEM",
             "Motiverende", 500_000, "Tilsagn", 500_000]]  # fmt: skip
    nfd = [*apps[0]]
    nfd[3] = unicodedata.normalize("NFD", "Søfart og STEM v/ Aalborg Universitet").replace("ø", "o\u0338")
    cyrillic = [*apps[1]]
    cyrillic[1] = "21\u201102"  # a non-breaking hyphen
    cyrillic[3] = unicodedata.normalize("NFD", "Åben værksted v/ EUC Nord").replace("E", "\u0415")  # Cyrillic Е
    assert theme and nfd[3] != apps[0][3] and cyrillic[3] != apps[1][3]
    result = run_validation([write_workbook(tmp_path / "c.xlsx", {"A": [HEADER, *apps, nfd, cyrillic]})], nord)
    assert int(result.granted()["granted"].sum()) == 1_350_000
    assert [i.row for i in codes(result, IssueCode.DUPLICATE_APPLICATION)] == [5, 6]
    [mixed] = codes(result, IssueCode.MIXED_SCRIPT)
    assert (mixed.cell, mixed.severity) == ("D6", Severity.WARNING) and "kyrillisk 'Е'" in mixed.message


def test_a_grant_of_zero_kroner_is_an_error_and_no_project(tmp_path, nord):
    rows = good_rows()
    rows[4][7], rows[4][8] = "Tilsagn", 0
    result = run_validation([write_workbook(tmp_path / "z.xlsx", {"A": rows})], nord)
    [issue] = codes(result, IssueCode.GRANTED_ZERO)
    assert (issue.cell, issue.severity) == ("I5", Severity.ERROR)
    b = run_breakdowns(result)
    assert b.years.total["granted_projects"] == 2 and b.breakdowns["theme"].total["projects"] == 2  # not 3


def test_comparison_keys():
    assert comparison_key("Lab\u00adSTEM\u200b  Nord") == comparison_key("labstem nord") == "labstem nord"
    assert comparison_key(unicodedata.normalize("NFD", "Åben Sø")) == comparison_key("åben sø")
    assert comparison_key("Bo\u0338rn") == "børn"
    assert case_key("2020 \u2013 01") == case_key("2020-01") == case_key("2020\u221201")
    assert case_key("\u0410-1") == case_key("A-1")
    assert normalize_name("1. De potentielle STEM\u2019ere\u200b") == normalize_name("De potentielle STEM'ere")
    assert mixed_script("N\u043erd") == ["kyrillisk 'о'"] and mixed_script("Москва") == []
    assert mixed_script("Αθήνα 2020") == [] and mixed_script("Ærø") == []


# -- 7. formats alike --------------------------------------------------------------------------------
def _formats_overview(path: Path) -> Path:
    """One overview with what formats lose: error values, a merged year, hidden rows and columns, a hidden
    sheet, a notes row, a total above, withdrawn rows."""
    rows = [HEADER, ["skriv årstal", None, None, "titel v/ ansøger", "se listen", None, "kr.", "Tilsagn/Afslag",
                     "kr."], ["I alt 2020", None, None, None, None, None, None, None, 1_900_000]]  # fmt: skip
    body = good_rows()[1:]
    body[1][8] = "#REF!"  # an error value where an amount should be
    body[2][6] = "#DIV/0!"
    body += [[2020, "2020-05", "Åben runde", "Droner v/ EUC Nord", "STEM-kompetencer til alle", "Motiverende", 200_000,
              "Frafaldet", "#N/A"],
             [2021, "2021-01", "Åben runde", "Pigecamp v/ UCN", "Flere piger og kvinder i STEM", "Motiverende",
              200_000, "Tilsagn", 200_000],
             [None, "2021-02", "Åben runde", "Kodeklub v/ EUC Nord", "STEM-kompetencer målrettet nordjyske "
              "virksomheders behov", "Motiverende", 300_000, "Tilsagn", 300_000]]  # fmt: skip
    for r in body[:4]:
        r[0] = None
    body[0][0] = 2020
    sheets = {"Ansøgninger": SheetSpec([*rows, *body], merged=["A4:A7", "A9:A10"], hidden_columns=["F"]),
              "Gammel": SheetSpec([HEADER, *good_rows()[1:2]], hidden=True)}  # fmt: skip
    write_workbook(path, sheets)
    wb = openpyxl.load_workbook(path)
    wb["Ansøgninger"].row_dimensions[5].hidden = True
    wb.save(path)
    return path


@pytest.fixture(scope="module")
def three_formats(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The overview written by openpyxl, saved by LibreOffice (headless) as .xlsx, .xls and .ods."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice is not installed (scripts/install-system-deps installs it with apt-get)")
    folder = tmp_path_factory.mktemp("formats")
    (folder / "kilde").mkdir()
    source = _formats_overview(folder / "kilde" / "oversigt.xlsx")
    profile = (folder / "lo-profile").as_uri()
    out: dict[str, Path] = {}
    for fmt in ("xlsx", "xls", "ods"):
        proc = subprocess.run([soffice, "--headless", f"-env:UserInstallation={profile}", "--convert-to", fmt,
                               "--outdir", str(folder), str(source)], capture_output=True, text=True, timeout=300)  # fmt: skip
        assert proc.returncode == 0, proc.stderr
        out[fmt] = folder / f"oversigt.{fmt}"
        assert out[fmt].exists(), proc.stdout + proc.stderr
    return out


def _seen(result) -> tuple[list[tuple[str, str | None, str | None]], dict[str, Any]]:
    issues = sorted((i.code.value, i.sheet, i.cell) for i in result.issues)
    return issues, figures(result)


def test_xlsx_xls_and_ods_give_the_same_issues_and_figures(three_formats, nord):
    seen = {fmt: _seen(run_validation([path], nord)) for fmt, path in three_formats.items()}
    issues, figs = seen["xlsx"]
    assert ("excel_error", "Ansøgninger", "I5") in issues and ("excel_error", "Ansøgninger", "G6") in issues
    assert ("excel_error", "Ansøgninger", "I8") in issues  # #N/A
    assert ("hidden_sheet", "Gammel", None) in issues and ("hidden_rows_columns", "Ansøgninger", None) in issues
    assert [cell for code, _, cell in issues if code == "skipped_row"] == ["A2"]  # the notes row
    assert not [c for c, _, _ in issues if c == "subtotal_mismatch"]  # the total above its year's rows
    assert [r["year"] for r in figs["years"]] == [2020, 2021]  # the merged year cells keep their year
    assert figs["years"][1]["granted"] == 500_000 and figs["years"][0]["withdrawn"] == 0  # the #N/A row has an error
    for fmt in ("xls", "ods"):
        assert seen[fmt] == seen["xlsx"], fmt


def test_an_xls_whose_records_cannot_be_followed_is_refused_in_danish(tmp_path, nord, three_formats):
    import olefile

    data = bytearray(three_formats["xls"].read_bytes())
    with olefile.OleFileIO(str(three_formats["xls"])) as ole:
        stream = ole.openstream("Workbook").read()
    at = bytes(data).find(stream[:64])
    assert at > 0
    bad = tmp_path / "beskadiget.xls"
    data[at + 64 : at + 4096] = b"\xff" * (4096 - 64)  # records past the first ones overwritten
    bad.write_bytes(bytes(data))
    result = run_validation([bad], nord)
    assert result.fatal and all("Traceback" not in i.message for i in result.fatal)


# -- 8. inputs as people give them ---------------------------------------------------------------------
def test_lock_file_names():
    assert is_lock_file("~$oversigt.xlsx") and is_lock_file(r"C:\data\~$oversigt.xlsx")
    assert is_lock_file(".~lock.oversigt.xlsx#") and is_lock_file("data/.~lock.oversigt.ods#")
    assert not is_lock_file("oversigt.xlsx") and not is_lock_file("~oversigt.xlsx")


def test_a_lock_file_among_the_inputs_is_skipped_with_an_info(cli, workbook, tmp_path):
    good = workbook({"A": good_rows()}, name="oversigt.xlsx")
    for lock in ("~$oversigt.xlsx", ".~lock.oversigt.xlsx#"):
        (tmp_path / lock).write_bytes(b"\x00" * 165)
    proc = cli("validate", good, tmp_path / "~$oversigt.xlsx", tmp_path / ".~lock.oversigt.xlsx#", "--pact",
               "nordjylland", "--format", "json")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["applications"] == 4
    assert sorted(Path(i["file"]).name for i in doc["issues"] if i["code"] == "skipped_file") == [
        ".~lock.oversigt.xlsx#", "~$oversigt.xlsx"]
    only = cli("validate", tmp_path / "~$oversigt.xlsx", "--pact", "nordjylland")
    assert only.returncode == 2 and "låsefil" in only.stderr


@pytest.mark.parametrize("command", ["validate", "breakdown", "report", "indstilling", "breve"])
def test_folders_and_patterns_are_accepted_by_every_command(cli, tmp_path, command):
    data = tmp_path / "data"
    data.mkdir()
    write_workbook(data / "a.xlsx", {"A": good_rows()})
    later = good_rows()
    for r in later[1:]:
        r[0], r[1] = 2021, r[1].replace("2020", "2021")
        r[3] = r[3].replace(" v/", " 2 v/")
    write_workbook(data / "b.xlsx", {"A": later})
    (data / "~$a.xlsx").write_bytes(b"lock")
    (data / "noter.txt").write_text("ikke en projektmappe", encoding="utf-8")
    extra: dict[str, list[str | Path]] = {
        "validate": ["--format", "json"],
        "breakdown": ["--by", "year", "--format", "json"],
        "report": ["--out", tmp_path / "r.docx"],
        "indstilling": ["--year", "2020", "--out", tmp_path / "m.docx"],
        "breve": ["--year", "2020", "--out", tmp_path / "breve"],
    }
    for arg in (data, str(data / "*.xlsx")):
        proc = cli(command, arg, "--pact", "nordjylland", *extra[command])
        assert proc.returncode in (0, 1), proc.stderr
        if command == "validate":
            assert json.loads(proc.stdout)["applications"] == 8
        if command == "breakdown":
            assert [r["year"] for r in json.loads(proc.stdout)["rows"]] == [2020, 2021]
    missing = cli(command, str(tmp_path / "ingen" / "*.xlsx"), "--pact", "nordjylland", *extra[command])
    assert missing.returncode == 2 and "matcher" in missing.stderr and "uventet" not in missing.stderr


def test_the_pact_is_told_from_the_file(cli, workbook, tmp_path):
    midt = workbook({"Projekter": [["Titel", "Tema", "Ansøger", "År", "Ansøgt beløb", "Bevilget (kr.)", "Afgørelse"],
                                   ["Robotter", "Piger og STEM", "Aarhus Tech", 2018, 300_000, 200_000, "Tilsagn"],
                                   ["Bæredygtig byg", "Bæredygtighed", "VIA", 2018, 500_000, 400_000, "Tilsagn"]]},
                    name="midt.xlsx")  # fmt: skip
    assert choose_pact(None, [midt]).pact.key == "midtjylland"
    proc = cli("validate", midt, "--format", "json")
    assert proc.returncode == 0, proc.stdout  # read as Midtjylland: no false errors
    assert json.loads(proc.stdout)["pact"] == "midtjylland"
    assert "midtjylland" in proc.stderr and "--pact" in proc.stderr
    nord = cli("validate", workbook({"A": good_rows()}, name="nord.xlsx"), "--format", "json")
    assert json.loads(nord.stdout)["pact"] == "nordjylland" and "valgt ud fra" in nord.stderr
    vague = workbook({"A": [["År", "Titel", "Tema", "Afgørelse", "Støttebeløb"], [2020, "X", "Y", "Tilsagn", 1]]},
                     name="vag.xlsx")  # fmt: skip
    choice = choose_pact(None, [vague])
    assert choice.pact.key == "nordjylland" and choice.note and "standardpagten" in choice.note
    assert choose_pact("midtjylland", [vague]).note is None  # a named pact needs no line


@pytest.mark.parametrize("args", [["breakdown", "--by", "theme", "--year", "2031"],
                                  ["report", "--year", "2031", "--out", "{tmp}/r.docx"],
                                  ["breve", "--year", "2031", "--out", "{tmp}/breve", "--udkast"]])  # fmt: skip
def test_a_year_without_applications_is_a_warning_and_exit_1(cli, workbook, tmp_path, args):
    path = workbook({"A": good_rows()})
    argv = [a.replace("{tmp}", str(tmp_path)) for a in args]
    proc = cli(argv[0], path, "--pact", "nordjylland", *argv[1:])
    assert proc.returncode == 1
    assert "ingen ansøgninger i 2031" in proc.stderr and "2020" in proc.stderr
    ok = cli(argv[0], path, "--pact", "nordjylland", *[a.replace("2031", "2020") for a in argv[1:]])
    assert ok.returncode == 0, ok.stderr


def test_every_command_refuses_a_zero_filled_member_in_danish(cli, tmp_path):
    bad = ROOT / "tests" / "data" / "bad" / "nulfyldt_del.xlsx"
    for argv in (["validate", bad], ["breakdown", bad, "--by", "theme"], ["report", bad, "--out", tmp_path / "r.docx"],
                 ["budgets", bad], ["maal", bad], ["indstilling", bad, "--year", "2024", "--out", tmp_path / "m.docx"],
                 ["breve", bad, "--year", "2024", "--out", tmp_path / "b"]):  # fmt: skip
        proc = cli(*argv)  # the fixture fails on "uventet fejl"
        assert proc.returncode == 2 and "beskadiget" in proc.stderr, argv


def test_budgets_prints_no_empty_table_before_the_error(cli, tmp_path):
    proc = cli("budgets", tmp_path / "findes-ikke.xlsx")
    assert proc.returncode == 2
    assert "Udgifter i alt" not in proc.stdout and "Kan ikke læses" not in proc.stdout
    assert "findes ikke" in proc.stderr


def test_catch_all_paths_are_danish_lines(cli, workbook, tmp_path):
    path = workbook({"A": good_rows()})
    for argv in (["validate", path, "--pact", tmp_path], ["run", tmp_path],
                 ["breve", path, "--pact", "nordjylland", "--year", "2020", "--out", "/proc/ikke-her"]):  # fmt: skip
        proc = cli(*argv)
        assert proc.returncode == 2 and proc.stderr.startswith("pagt-xl: fejl:"), proc.stderr


def test_the_error_link_of_a_file_named_with_a_hash_targets_that_file(cli, tmp_path):
    rows = good_rows()
    rows[2][4] = "Blå økonomi"
    (tmp_path / "data").mkdir()
    src = write_workbook(tmp_path / "data" / "oversigt #2 100%.xlsx", {"A": rows})
    out = tmp_path / "ud" / "fordelinger.xlsx"
    assert cli("breakdown", src, "--pact", "nordjylland", "--format", "xlsx", "--out", out).returncode == 1
    with zipfile.ZipFile(out) as zf:
        rels = "".join(zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/worksheets/_rels/"))
    targets = set(re.findall(r'Target="([^"]+)"[^>]*TargetMode="External"', rels))
    assert targets and {(out.parent / unquote(t)).resolve() for t in targets} == {src.resolve()}


# -- the property: what is not an application never changes a figure ---------------------------------
THEMES = ["1. De potentielle STEM'ere", "Flere piger og kvinder i STEM", "STEM-kompetencer til alle"]
application = st.tuples(
    st.sampled_from([2019, 2020, 2021]),
    st.sampled_from(THEMES),
    st.sampled_from(["Tilsagn", "Afslag", "Afventer", "Trukket tilbage"]),
    st.integers(min_value=2, max_value=40).map(lambda n: n * 25_000),
)
words = st.text(alphabet="abcdefghijklmnopqrstuvwxyzæøå", min_size=3, max_size=9)
note_cell = st.one_of(st.none(), st.lists(words, min_size=2, max_size=4).map(" ".join),
                      st.sampled_from(["udfyldes af sekretariatet", "kr.", "Tilsagn/Afslag", "fx 2023", "se fanen Lister"]))  # fmt: skip


def _overview_rows(apps: list[tuple[int, str, str, int]]) -> list[list[Any]]:
    return [HEADER, *[[y, f"S-{k}", "Åben runde", f"Projekt {k} v/ EUC Nord", t, "Motiverende", a, d,
                       a if d in ("Tilsagn", "Trukket tilbage") else None] for k, (y, t, d, a) in enumerate(apps)]]  # fmt: skip


def _is_vocabulary(text: str, pact: Pact) -> bool:
    """A text the notes row must not hold: a name of the pact, or a subtotal word in front."""
    if re.match(r"\s*(?:" + "|".join(map(re.escape, pact.subtotal_labels)) + r")\b", text, re.IGNORECASE):
        return True
    return any(m.match(text).key is not None for m in (pact.theme_matcher, pact.decision_matcher, pact.round_matcher,
                                                       pact.type_matcher))  # fmt: skip


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    apps=st.lists(application, min_size=1, max_size=8),
    hidden=st.lists(application, min_size=1, max_size=4),
    notes=st.lists(note_cell, min_size=9, max_size=9),
    listed=st.lists(st.sampled_from(["Tilsagn", "Afslag", "Bevilget", "Åben runde", *THEMES]), min_size=1, max_size=6),
    what=st.sampled_from(["hidden", "notes", "lists", "all"]),
)
def test_a_hidden_sheet_a_notes_row_or_a_list_sheet_never_changes_a_figure(tmp_path, nord, apps, hidden, notes,
                                                                           listed, what):  # fmt: skip
    assume(any(n for n in notes) and all(n is None or not _is_vocabulary(n, nord) for n in notes))
    base = _overview_rows(apps)
    plain = write_workbook(tmp_path / "plain.xlsx", {"Ansøgninger": base})
    sheets: dict[str, Any] = {"Ansøgninger": base}
    if what in ("notes", "all"):
        sheets["Ansøgninger"] = [base[0], notes, *base[1:]]
    if what in ("lists", "all"):
        sheets["Lister"] = [["Afgørelse", "Indsatsområde", "Runde"], *[[w, None, None] for w in listed]]
    if what in ("hidden", "all"):
        sheets["Skjult"] = SheetSpec(_overview_rows(hidden), hidden=True)
    changed = write_workbook(tmp_path / "changed.xlsx", sheets)
    before, after = run_validation([plain], nord), run_validation([changed], nord)
    assert figures(after) == figures(before)
    assert len(after.table) == len(before.table)
    def seen(result):  # a notes row moves the cells one row down: the codes and values stay
        return sorted((i.code.value, i.value or "") for i in result.issues if i.severity is not Severity.INFO)

    assert seen(after) == seen(before)


def test_every_output_shows_the_same_funnel_with_withdrawn(cli, tmp_path, region):
    """The example region through the command line (JSON, CSV, table), the workbook, the report's context and draft."""
    import csv
    import datetime as dt
    import io

    from docx import Document

    from pagt_xl.report.context import build_context

    src = house_style(tmp_path / "sjaelland.xlsx")
    pact_file = tmp_path / "sjaelland.toml"
    pact_file.write_text(DOC.read_text(encoding="utf-8").split("<!-- example-pact -->", 1)[1].split("```toml\n", 1)[1]
                         .split("```", 1)[0], encoding="utf-8")  # fmt: skip
    want = {2022: (5, 3, 1, 1, 0), 2023: (4, 1, 0, 2, 1)}  # applications, granted, rejected, withdrawn, pending
    doc = json.loads(cli("breakdown", src, "--pact", pact_file, "--by", "year", "--format", "json").stdout)
    keys = ("applications", "granted_projects", "rejected", "withdrawn", "pending")
    assert {r["year"]: tuple(r[k] for k in keys) for r in doc["rows"]} == want
    rows = list(csv.DictReader(io.StringIO(cli("breakdown", src, "--pact", pact_file, "--by", "year", "--format",
                                               "csv", "--csv-dialect", "maskine").stdout)))  # fmt: skip
    assert {int(r["year"]): tuple(int(r[k]) for k in keys) for r in rows} == want
    table = cli("breakdown", src, "--pact", pact_file, "--by", "year").stdout
    assert "Trukket" in table.splitlines()[0]
    xlsx = tmp_path / "f.xlsx"
    assert cli("breakdown", src, "--pact", pact_file, "--format", "xlsx", "--out", xlsx).returncode == 0
    ws = openpyxl.load_workbook(xlsx)["Årstabel"]
    values = [r for r in ws.iter_rows(values_only=True) if r and r[0] is not None]
    header = next(r for r in values if r[0] == "År")
    col = {h: j for j, h in enumerate(header)}
    names = ("Ansøgninger", "Tilsagn", "Afslag", "Trukket tilbage", "Afventer")
    shown = {r[0]: tuple(r[col[n]] for n in names) for r in values if isinstance(r[0], int)}
    assert shown == want
    context = build_context(run_breakdowns(run_validation([src], region)), report_date=dt.date(2024, 2, 15))
    assert {int(r.year): (r.applications, r.granted_projects, r.rejected, r.withdrawn, r.pending)
            for r in context.years} == {y: tuple(map(str, v)) for y, v in want.items()}  # fmt: skip
    assert context.facts.withdrawn == 3
    docx = tmp_path / "r.docx"
    assert cli("report", src, "--pact", pact_file, "--out", docx, "--date", "2024-02-15").returncode == 0
    # the funnel sentence is Jinja text in the template, written from facts
    assert any("3 er trukket tilbage" in p.text for p in Document(str(docx)).paragraphs)
    funnel = next(t for t in Document(str(docx)).tables if [c.text for c in t.rows[0].cells][-1] == "Trukket tilbage")
    assert [[c.text for c in r.cells][-1] for r in funnel.rows[1:]] == ["1", "2", "3"]
