"""Ingestion of real workbooks in the layouts staff actually keep."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import HEADER, SheetSpec, good_rows

from pagt_xl.base.model import Decision, IssueCode, Severity
from pagt_xl.ingest import read_workbooks
from pagt_xl.pipeline import run_validation


def codes(issues, severity=None):
    return [i.code for i in issues if severity is None or i.severity is severity]


def test_header_on_row_1(workbook, nord):
    path = workbook({"Ansøgninger": good_rows()})
    ov = read_workbooks([path], nord)
    assert ov.fatal == []
    t = ov.table
    assert len(t) == 4
    assert t["title"].tolist()[0] == "LabSTEM Nord"
    assert t["applicant"].tolist()[0] == "Aalborg Universitet"
    assert t["theme"].tolist() == ["1", "3", "4", "2"]
    assert t["project_type"].tolist() == ["kompetence", "strategisk", "motiverende", "interesse"]
    assert t["round"].tolist() == ["aaben", "prioriteret", "aaben", "aaben"]
    assert t["decision"].tolist() == [Decision.GRANTED, Decision.GRANTED, Decision.REJECTED, Decision.PENDING]
    assert t["granted"].tolist()[:2] == [1_900_000, 500_000]
    assert t["row"].tolist() == [2, 3, 4, 5]
    assert not any(i.severity is Severity.ERROR for i in ov.issues)


def test_header_further_down_with_merged_title_and_notes(workbook, nord):
    rows = [
        ["Nordjysk Teknologipagt – ansøgningsoversigt", None, None, None],
        ["Opdateret 15. februar 2024; tal i kr.", None, None, None],
        [],
        *good_rows(),
    ]
    path = workbook({"Oversigt": SheetSpec(rows, merged=["A1:I1"])})
    ov = read_workbooks([path], nord)
    assert len(ov.table) == 4
    assert ov.table["row"].tolist() == [5, 6, 7, 8]
    assert ov.sheets[0].columns.header_row == 3


def test_blank_rows_and_subtotals_are_not_applications(workbook, nord):
    r = good_rows()
    rows = [r[0], r[1], r[2], ["I alt 2020", None, None, None, None, None, 2_500_000, None, 2_400_000], [], [], r[3]]
    path = workbook({"Ark1": rows})
    result = run_validation([path], nord)
    assert len(result.table) == 3
    assert [s.label for s in result.overview.subtotals] == ["I alt 2020"]
    assert IssueCode.SUBTOTAL_MISMATCH not in codes(result.issues)


def test_subtotal_mismatch_is_a_warning_at_the_subtotal_cell(workbook, nord):
    r = good_rows()
    rows = [r[0], r[1], r[2], ["I alt", None, None, None, None, None, None, None, 2_500_000]]
    path = workbook({"Ark1": rows})
    result = run_validation([path], nord)
    [issue] = [i for i in result.issues if i.code is IssueCode.SUBTOTAL_MISMATCH]
    assert issue.severity is Severity.WARNING
    assert issue.cell == "I4"
    assert issue.value == "2500000"


def test_text_amounts_and_units_in_headers(workbook, nord):
    header = [*HEADER[:6], "Ansøgt beløb (mio. kr.)", "Afgørelse", "Støttebeløb (kr.)"]
    rows = [
        header,
        [
            2023,
            "a",
            "Åben runde",
            "LamSTEM Nord+ v/ Aalborg Universitet",
            "De potentielle STEM'ere",
            "Kompetenceopbygning",
            1.5,
            "Tilsagn",
            "1,3 mio. kr.",
        ],
        [
            2021,
            "b",
            "Åben runde",
            "RPA på EUD/EUX v/EUC Nordvest",
            "3. STEM-kompetencer målrettet...",
            "Kompetenceopbygning",
            "0,45",
            "tilsagn",
            "404.567 kr.",
        ],
        [
            2020,
            "c",
            "Åben runde",
            "Foranalyse v/Aalborg Katedralskole",
            "4. STEM-kompetencer til alle",
            "Strategisk vidensopbygning",
            "0,3 mio. kr.",
            "Tilsagn",
            "kr. 300.000,-",
        ],
        [
            2020,
            "d",
            "Åben runde",
            "Book en ekspert v/Aalborg Gymnasium",
            "De potentielle STEM'ere",
            "Motiverende",
            1,
            "Tilsagn",
            "700 t.kr.",
        ],
    ]
    ov = read_workbooks([workbook({"A": rows})], nord)
    assert ov.table["granted"].tolist() == [1_300_000, 404_567, 300_000, 700_000]
    assert ov.table["applied"].tolist() == [1_500_000, 450_000, 300_000, 1_000_000]
    assert [i for i in ov.issues if i.severity is Severity.ERROR] == []


def test_hidden_and_extra_columns(workbook, nord):
    rows = [[*r, "MD" if i else "Sagsbehandler", "x" if i else "Intern note"] for i, r in enumerate(good_rows())]
    path = workbook({"A": SheetSpec(rows, hidden_columns=["B", "J"])})
    ov = read_workbooks([path], nord)
    assert len(ov.table) == 4
    assert ov.table["case_id"].tolist()[0] == "2020-01"  # hidden column still read
    [info] = [i for i in ov.issues if i.code is IssueCode.UNMAPPED_COLUMNS]
    assert info.severity is Severity.INFO
    assert "Sagsbehandler" in info.message and "Intern note" in info.message


def test_two_files_for_two_years_are_combined(workbook, nord):
    r = good_rows()
    a = workbook({"2020": r}, name="2020.xlsx")
    rows_2021 = [
        HEADER,
        [
            2021,
            "2021-01",
            "Åben runde",
            "STEM for pigerne v/Mariagerfjord Gymnasium",
            "2. Flere piger og kvinder i STEM",
            "Kompetenceopbygning",
            900_000,
            "Tilsagn",
            800_000,
        ],
    ]
    b = workbook({"2021": rows_2021}, name="2021.xlsx")
    ov = read_workbooks([a, b], nord)
    assert len(ov.table) == 5
    assert sorted(set(ov.table["year"].tolist())) == [2020, 2021]
    assert set(ov.table["file"]) == {str(a), str(b)}


def test_framework_sheet_in_same_and_other_file(workbook, nord):
    fw_rows = [
        ["Økonomisk ramme pr. år"],
        [],
        ["År", "Økonomisk ramme (mio. kr.)", "Prioriteret runde (mio. kr.)"],
        [2020, 5.35, 1.63],
        [2021, "4,54", 0.8],
    ]
    same = workbook({"Ansøgninger": good_rows(), "Ramme": fw_rows}, name="samme.xlsx")
    ov = read_workbooks([same], nord)
    assert {f.year: f.amount for f in ov.frameworks} == {2020: 5_350_000, 2021: 4_540_000}
    assert ov.frameworks[0].by_round == {"prioriteret": 1_630_000}
    other = workbook({"Budget": [["År", "Afsat ramme (kr.)"], [2020, 6_000_000]]}, name="ramme.xlsx")
    ov2 = read_workbooks([workbook({"A": good_rows()}, name="a.xlsx"), other], nord)
    assert [(f.year, f.amount) for f in ov2.frameworks] == [(2020, 6_000_000)]


def test_missing_required_column_is_one_issue_for_the_sheet(workbook, nord):
    rows = [[c for c in r[:8]] for r in good_rows()]  # no Støttebeløb column
    ov = read_workbooks([workbook({"A": rows})], nord)
    missing = [i for i in ov.issues if i.code is IssueCode.MISSING_COLUMN]
    assert len(missing) == 1
    assert missing[0].cell is None and missing[0].row == 1
    assert ov.table["has_error"].all()


def test_optional_columns_midtjylland(workbook, midt):
    rows = [
        ["Titel", "Tema", "Ansøger", "År", "Bevilget (kr.)", "Afgørelse"],
        ["Girls Day in Science og Tektanken", "Piger og STEM", "Aarhus Tech", 2018, 450_000, "Tilsagn"],
        ["Digital Myndiggørelse", "Informatik", "VIA University College", 2018, 600_000, "Tilsagn"],
        ["Grøn skole", "Baeredygtighed", "Aarhus Universitet", 2018, None, "Afslag"],
    ]
    result = run_validation([workbook({"Projekter": rows})], midt)
    assert result.table["theme"].tolist() == ["piger", "informatik", "baeredygtighed"]
    assert [i for i in result.issues if i.severity is Severity.ERROR] == []


def test_vertically_merged_year_is_carried_down(workbook, nord):
    rows = good_rows()
    rows[2][0] = None
    rows[3][0] = None
    path = workbook({"A": SheetSpec(rows, merged=["A2:A4"])})
    ov = read_workbooks([path], nord)
    assert ov.table["year"].tolist() == [2020, 2020, 2020, 2020]


def test_note_rows_are_reported_not_counted(workbook, nord):
    rows = [*good_rows(), [], ["Kilde: sekretariatets sagsbehandlingssystem"]]
    ov = read_workbooks([workbook({"A": rows})], nord)
    assert len(ov.table) == 4
    [note] = [i for i in ov.issues if i.code is IssueCode.SKIPPED_ROW]
    assert note.row == 7 and note.severity is Severity.INFO


def test_hidden_sheet_is_reported(workbook, nord):
    path = workbook({"A": good_rows(), "Lister": SheetSpec([["Tema"], ["x"]], hidden=True)})
    ov = read_workbooks([path], nord)
    assert any(i.code is IssueCode.HIDDEN_SHEET and i.sheet == "Lister" for i in ov.issues)


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "tom"),
        (b"this is not a workbook at all", "zip"),
        (b"PK\x03\x04" + b"\x00" * 50, "beskadiget"),
    ],
)
def test_unreadable_files_are_fatal_issues(tmp_path: Path, nord, content, fragment):
    path = tmp_path / "bad.xlsx"
    path.write_bytes(content)
    ov = read_workbooks([path], nord)
    [issue] = ov.fatal
    assert issue.code is IssueCode.FILE_UNREADABLE
    assert fragment in issue.message and str(path) in issue.message


def test_sheet_without_headers_is_fatal(workbook, nord):
    path = workbook({"A": [["hej", "med"], ["dig", 1]]})
    ov = read_workbooks([path], nord)
    [issue] = ov.fatal
    assert issue.code is IssueCode.NO_HEADER_ROW


def test_every_value_keeps_its_cell(workbook, nord):
    rows = good_rows()
    rows[1][8] = "mange penge"
    ov = read_workbooks([workbook({"A": rows})], nord)
    [bad] = [i for i in ov.issues if i.code is IssueCode.BAD_AMOUNT]
    assert (bad.cell, bad.row, bad.column, bad.value) == ("I2", 2, "I", "mange penge")
    assert ov.table["has_error"].tolist() == [True, False, False, False]


def test_column_letters_agree_with_openpyxl_for_every_column():
    from openpyxl.utils.cell import column_index_from_string, get_column_letter

    from pagt_xl.base.model import column_letter
    from pagt_xl.ingest.guard import column_index

    for n in range(1, 16_385):  # A … XFD
        letters = get_column_letter(n)
        assert column_letter(n - 1) == letters
        assert column_index(letters) == column_index_from_string(letters) == n


@pytest.mark.parametrize(
    ("header", "raw", "expected"),
    [("Støttebeløb i mill. kr.", 1.5, 1_500_000), ("Støttebeløb (t. kr.)", 400, 400_000),
     ("Støttebeløb i tusinde kr.", "350", 350_000), ("Støttebeløb (kr.)", "404.567 kr.", 404_567)],
)  # fmt: skip
def test_units_in_headers_scale_amounts(workbook, nord, header, raw, expected):
    rows = [[*HEADER[:8], header], [2020, "x", "Åben runde", "P v/EUC", "1. De potentielle STEM'ere", "Motiverende",
                                    2_000_000, "Tilsagn", raw]]  # fmt: skip
    result = run_validation([workbook({"A": rows})], nord)
    assert result.table["granted"].tolist() == [expected]
    assert not result.has_errors
