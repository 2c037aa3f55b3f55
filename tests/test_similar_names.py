"""Near-identical titles and applicant names (issue 24): one name spelt two ways is a warning at both cells."""

from __future__ import annotations

from pathlib import Path

from conftest import HEADER, WORKBOOKS, write_workbook
from hypothesis import given, settings
from hypothesis import strategies as st

from pagt_xl.base.config import load_pact
from pagt_xl.base.model import IssueCode, Severity
from pagt_xl.core.similar_names import name_key, near_identical, one_edit_apart
from pagt_xl.pipeline import run_validation

NORD = load_pact("nordjylland")


def _row(year: int, case: str, title: str) -> list[object]:
    return [year, case, "Åben runde", title, "De potentielle STEM'ere", "Motiverende", 500_000, "Tilsagn", 400_000]


def _similar(path: Path) -> set[tuple[str | None, str | None]]:
    return {(i.cell, i.value) for i in run_validation([path], NORD).issues if i.code is IssueCode.SIMILAR_NAME}


def test_the_sample_overview_flags_lamstem_at_both_cells():
    issues = [i for i in run_validation([WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"], NORD).issues
              if i.code is IssueCode.SIMILAR_NAME]  # fmt: skip
    assert {(i.cell, i.value) for i in issues} == {("D22", "LabSTEM Nord"), ("D52", "LamSTEM Nord+")}
    assert {i.severity for i in issues} == {Severity.WARNING}
    by_cell = {i.cell: i for i in issues}
    assert "D52" in by_cell["D22"].message and "D22" in by_cell["D52"].message  # each names the other cell


def test_titles_and_applicants_across_years(tmp_path: Path):
    rows = [
        HEADER,
        _row(2020, "a", "LabSTEM Nord+ v/Aalborg Universitet"),
        _row(2023, "b", "LamSTEM Nord+ v/Aalborg Univeristet"),  # a letter changed; two letters swapped
        _row(2021, "c", "Talstærk v/Vesthimmerlands Gymnasium"),
        _row(2022, "d", "Talstræk v/Vesthimmerlands Gymnasium"),
    ]
    found = _similar(write_workbook(tmp_path / "o.xlsx", {"Ark": rows}))
    assert found == {("D2", "LabSTEM Nord+"), ("D3", "LamSTEM Nord+"), ("D4", "Talstærk"), ("D5", "Talstræk"),
                     ("D2", "Aalborg Universitet"), ("D3", "Aalborg Univeristet")}  # in the title: "… v/ applicant"
    # the applicant column: a sheet with its own Ansøger column
    header = [*HEADER, "Ansøger"]
    rows = [header, [*_row(2020, "a", "Robotter"), "Aalborg Universitet"],
            [*_row(2023, "b", "Droner"), "Aalborg Univeristet"]]  # fmt: skip
    found = _similar(write_workbook(tmp_path / "a.xlsx", {"Ark": rows}))
    assert found == {("J2", "Aalborg Universitet"), ("J3", "Aalborg Univeristet")}


def test_names_that_are_not_misspellings(tmp_path: Path):
    titles = [
        "FremKom 3", "FremKom 4",  # other numbers: other projects
        "LabSTEM Nord", "LabSTEM Nord+",  # a project and its successor
        "Robotter i Ålborg", "Robotter i Aalborg",  # the same name in the old and new spelling
        "Klasse A i fysik", "Klasse B i fysik", "Klasse C i fysik", "Klasse D i fysik",  # a series
        "Kodeklub", "Kodeklubber",  # two letters more
        "Dans", "Gans",  # too short to tell
    ]
    rows = [HEADER, *(_row(2020 + n % 4, str(n), t) for n, t in enumerate(titles))]
    assert _similar(write_workbook(tmp_path / "o.xlsx", {"Ark": rows})) == set()


def test_danish_folding():
    assert name_key("Ålborg") == name_key("AALBORG") == ("ålborg", ())
    assert name_key("Talstærk 2,0") == name_key("Talstaerk 2.0") == ("talstærk", ("2", "0"))
    assert name_key("Café-STEM") == name_key("cafe stem")


def _osa(a: str, b: str) -> int:
    """Optimal string alignment distance, the textbook table (the reference for one_edit_apart)."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


words = st.text(alphabet="abcæ", min_size=0, max_size=7)


@settings(max_examples=500, deadline=None)
@given(words, words)
def test_one_edit_apart_is_distance_one(a: str, b: str):
    assert one_edit_apart(a, b) == (_osa(a, b) == 1)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(alphabet="abcdefgh", min_size=6, max_size=9), min_size=0, max_size=12, unique=True))
def test_near_identical_finds_what_comparing_every_pair_finds(names: list[str]):
    found = set(near_identical(names))
    every = {(i, j) for i in range(len(names)) for j in range(i + 1, len(names)) if _osa(names[i], names[j]) == 1}
    assert found <= every
    # only a series (more than three spellings sharing one deletion) is left out
    assert all(sum(1 for n in names if _osa(n, names[i]) <= 1) > 2 or sum(1 for n in names if _osa(n, names[j]) <= 1)
               > 2 for i, j in every - found)  # fmt: skip
