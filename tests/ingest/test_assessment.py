"""The round's assessment columns are read in ingest (typed, with their cells); the round only judges them."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import write_workbook

from pagt_xl.base.config import load_pact
from pagt_xl.base.danish import DanishParseError, parse_number
from pagt_xl.base.model import IssueCode
from pagt_xl.core.round import assess_round
from pagt_xl.pipeline import run_validation

NORD = load_pact("nordjylland")
# A..O: the overview's columns, then the assessment's (K and L the scores)
HEADER = ["År", "Sagsnr.", "Runde", "Projekttitel", "Ansøger", "Indsatsområde", "Type", "Ansøgt beløb", "Afgørelse",
          "Støttebeløb", "Relevans for indsatsområdet", "Forankring", "Indstilling", "Indstillet beløb", "Begrundelse"]  # fmt: skip


def app(case: str = "24/1", relevans: Any = 4, forankring: Any = 3, indstilling: Any = "Ja",
        indstillet: Any = None) -> list[Any]:  # fmt: skip
    return [2024, case, "Åben runde", f"Projekt {case}", "EUC Nord", "De potentielle STEM'ere", "Motiverende",
            500_000, "Afventer", None, relevans, forankring, indstilling, indstillet, "God"]  # fmt: skip


def round_book(tmp_path, *rows: list[Any]):
    return write_workbook(tmp_path / "runde.xlsx", {"Ansøgninger": [HEADER, *rows], "Ramme": [["År", "Ramme"],
                                                                                             [2024, 1_000_000]]})  # fmt: skip


def test_assessment_cells_are_read_typed_with_their_cells(tmp_path):
    path = round_book(tmp_path, app(relevans="3,5", forankring=4, indstilling="delvis", indstillet="1,3 mio. kr."),
                      app(case="24/2", relevans="høj", indstilling="Måske", indstillet="mange penge"))  # fmt: skip
    validation = run_validation([path], NORD)
    first, second = validation.overview.sheets[0].assessments
    assert (first.scores, first.recommendation, first.recommended, first.reason) == (
        {"relevans": 3.5, "forankring": 4.0}, "partial", 1_300_000, "God")  # fmt: skip
    assert first.cells == {"score:relevans": "K2", "score:forankring": "L2", "recommendation": "M2",
                           "recommended": "N2", "reason": "O2"} and first.issues == []  # fmt: skip
    assert second.scores == {"forankring": 3.0} and second.recommendation is None and second.recommended is None
    assert [(i.code, i.cell) for i in second.issues] == [
        (IssueCode.ASSESSMENT_BAD_SCORE, "K3"), (IssueCode.ASSESSMENT_UNKNOWN_RECOMMENDATION, "M3"),
        (IssueCode.ASSESSMENT_BAD_AMOUNT, "N3")]  # fmt: skip
    # reading them is not validating: validate reports none of them; the round does, with its own judgement
    assert not [i for i in validation.issues if i.code.value.startswith("assessment_")]
    result = assess_round(validation, 2024)
    assert [(i.code, i.cell) for i in result.issues if i.code.value.startswith("assessment_")] == [
        (IssueCode.ASSESSMENT_BAD_SCORE, "K3"), (IssueCode.ASSESSMENT_UNKNOWN_RECOMMENDATION, "M3"),
        (IssueCode.ASSESSMENT_BAD_AMOUNT, "N3")]  # fmt: skip


def test_a_sheet_without_assessment_columns_reads_none(tmp_path):
    assert len(run_validation([round_book(tmp_path, app())], NORD).overview.sheets[0].assessments) == 1
    rows = [r[:10] for r in [HEADER, app()]]  # År .. Støttebeløb: no assessment column
    bare = run_validation([write_workbook(tmp_path / "bare.xlsx", {"Ansøgninger": rows})], NORD)
    assert bare.overview.sheets[0].assessments == []


def test_parse_number_reads_danish_and_refuses_the_rest():
    assert [parse_number(v) for v in (4, 3.5, "3,5", " 4 ", "2.5", None, "")] == [4.0, 3.5, 3.5, 4.0, 2.5, None, None]
    for bad in ("høj", True, "nan", float("inf"), "1,2,3", [1]):
        with pytest.raises(DanishParseError):
            parse_number(bad)
