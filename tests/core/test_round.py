"""The application round (issue 16): assessment cells, checks as issues, suggestion, memo and letters."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from itertools import pairwise
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, WORKBOOKS, convert_to_pdf, write_workbook
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from pagt_xl.base.config import load_pact
from pagt_xl.base.danish import amount_in_words, format_amount, number_in_words
from pagt_xl.base.errors import ErrorCode, RequestError
from pagt_xl.base.model import IssueCode, Severity
from pagt_xl.core.round import Assessed, assess_round, suggest
from pagt_xl.pipeline import run_letters, run_memo, run_validation

sys.path.insert(0, str(ROOT / "scripts"))
from make_round_samples import FRAMEWORK_2024, ROWS

SAMPLE = WORKBOOKS / "nordjylland_runde_2024.xlsx"
DECIDED = WORKBOOKS / "nordjylland_runde_2024_afgjort.xlsx"
NORD = load_pact("nordjylland")

# A..O
HEADER = ["År", "Sagsnr.", "Runde", "Projekttitel", "Ansøger", "Indsatsområde", "Type", "Ansøgt beløb", "Afgørelse",
          "Støttebeløb", "Relevans for indsatsområdet", "Forankring", "Indstilling", "Indstillet beløb", "Begrundelse"]  # fmt: skip


def app(**kw: Any) -> list[Any]:
    base = {"year": 2024, "case": "24/1", "round": "Åben runde", "title": "Projekt", "applicant": "EUC Nord",
            "theme": "De potentielle STEM'ere", "type": "Motiverende", "applied": 500_000, "decision": "Afventer",
            "granted": None, "relevans": 4, "forankring": 3, "indstilling": "Ja", "indstillet": None,
            "begrundelse": "God"}  # fmt: skip
    assert set(kw) <= set(base), kw
    base.update(kw)
    return list(base.values())


def round_book(tmp_path: Path, *rows: list[Any], framework: int | None = 1_000_000, name: str = "runde.xlsx") -> Path:
    sheets: dict[str, Any] = {"Ansøgninger": [HEADER, *rows]}
    if framework is not None:
        sheets["Ramme"] = [["År", "Ramme"], [2024, framework]]
    return write_workbook(tmp_path / name, sheets)


def assessed(path: Path, year: int = 2024, **kw: Any):
    return assess_round(run_validation([path], NORD), year, **kw)


# -- every round issue code from a real workbook, with its cell --------------------------------------
SCENARIOS: dict[IssueCode, tuple[list[list[Any]], dict[str, Any], str | None]] = {
    IssueCode.ASSESSMENT_BAD_SCORE: ([app(relevans="høj")], {}, "K2"),
    IssueCode.ASSESSMENT_BAD_AMOUNT: ([app(indstillet="mange penge")], {}, "N2"),
    IssueCode.ASSESSMENT_UNKNOWN_RECOMMENDATION: ([app(indstilling="Måske")], {}, "M2"),
    IssueCode.ASSESSMENT_AMOUNT_WITHOUT_RECOMMENDATION: ([app(indstilling="Nej", indstillet=100_000)], {}, "N2"),
    IssueCode.ASSESSMENT_PARTIAL_WITHOUT_AMOUNT: ([app(indstilling="Delvis")], {}, "M2"),
    IssueCode.ROUND_NO_FRAMEWORK: ([app()], {"framework": None}, None),
    IssueCode.ROUND_NO_APPLICATIONS: ([app(year=2023)], {}, None),
    IssueCode.RECOMMENDED_OVER_FRAMEWORK: (
        [
            app(indstillet=600_000, applied=700_000),
            app(case="24/2", title="Andet", indstillet=600_000, applied=700_000),
        ],
        {},
        "N3",
    ),
    IssueCode.RECOMMENDED_ABOVE_APPLIED: ([app(indstillet=600_000)], {}, "N2"),
    IssueCode.RECOMMENDED_ABOVE_CAP: ([app(round="Småprojekter", applied=150_000, indstillet=120_000)], {}, "N2"),
    IssueCode.RECOMMENDED_THEME_NOT_OPEN: ([app(year=2021)], {"year": 2021}, "F2"),
    IssueCode.RECOMMENDED_TWICE: ([app(), app(case="24/2", applied=400_000)], {}, "D3"),
}
#: a scenario's whole list of (code, cell) when it gives more than its own code's issue (2021 has no framework)
FULL = {IssueCode.RECOMMENDED_THEME_NOT_OPEN: [(IssueCode.ROUND_NO_FRAMEWORK, None),
                                               (IssueCode.RECOMMENDED_THEME_NOT_OPEN, "F2")]}  # fmt: skip
BUDGET_CODES = {IssueCode.RECOMMENDED_BUDGET_OPERATIONS, IssueCode.RECOMMENDED_BUDGET_MISMATCH}
LETTER_CODES = {IssueCode.LETTER_NO_AMOUNT, IssueCode.LETTER_ROW_HAS_ERRORS, IssueCode.LETTER_NO_REASON,
                IssueCode.LETTER_INTERNAL_WORDING, IssueCode.LETTER_MISSING_DATA, IssueCode.LETTER_TEXT_MISSING}  # fmt: skip
ROUND_PREFIXES = ("assessment_", "recommended_", "round_no_", "letter_")


def test_every_round_code_has_a_scenario():
    codes = {c for c in IssueCode if c.value.startswith(ROUND_PREFIXES)}
    assert set(SCENARIOS) | BUDGET_CODES | LETTER_CODES == codes


@pytest.mark.parametrize("code", list(SCENARIOS), ids=lambda c: c.value)
def test_round_issue_code(code: IssueCode, tmp_path: Path):
    rows, options, cell = SCENARIOS[code]
    framework = options.get("framework", 1_000_000)
    result = assessed(round_book(tmp_path, *rows, framework=framework), options.get("year", 2024))
    assert [(i.code, i.cell) for i in result.issues] == FULL.get(code, [(code, cell)])  # the whole list
    for issue in (i for i in result.issues if i.code is code):
        if issue.cell is not None:
            assert (issue.file, issue.sheet) == (str(tmp_path / "runde.xlsx"), "Ansøgninger")
        assert issue.message  # Danish text for the appendix


def test_a_clean_round_has_no_round_issues(tmp_path: Path):
    result = assessed(round_book(tmp_path, app(), app(case="24/2", title="Andet", applicant="UCN")))
    assert result.issues == []
    assert result.recommended_total == 1_000_000 and result.remaining == 1_000_000


def test_one_sheet_per_round(tmp_path: Path):
    path = write_workbook(tmp_path / "runder.xlsx", {
        "Åben runde 2024": [HEADER, app(), app(case="24/2", title="Andet", indstilling="Nej")],
        "Småprojekter 2024": [HEADER, app(case="24/3", round="Småprojekter", title="Lille", applied=90_000,
                                          indstilling="Nej", indstillet=95_000)],
        "Ramme": [["År", "Ramme"], [2024, 1_000_000]],
    })  # fmt: skip
    result = assessed(path)
    assert [(a.sheet, a.row) for a in result.applications] == [
        ("Åben runde 2024", 2), ("Åben runde 2024", 3), ("Småprojekter 2024", 2)]  # fmt: skip
    assert [(i.code, i.sheet, i.cell) for i in result.issues] == [
        (IssueCode.ASSESSMENT_AMOUNT_WITHOUT_RECOMMENDATION, "Småprojekter 2024", "N2")]  # fmt: skip
    only_small = assessed(path, round_key="smaa")
    assert [a.title for a in only_small.applications] == ["Lille"]
    assert only_small.remaining == 1_000_000 and only_small.recommended_total == 0


def test_assessment_columns_are_not_reported_as_unknown(tmp_path: Path):
    validation = run_validation([round_book(tmp_path, app())], NORD)
    assert [i for i in validation.issues if i.code is IssueCode.UNMAPPED_COLUMNS] == []
    # and "Indstilling" is no longer read as the decision
    assert validation.table["decision"].tolist() == ["afventer"]


def _budget(tmp_path: Path, *, case: str, title: str, sought: int, drift: int = 0) -> Path:
    from make_budget_workbooks import write_form

    lines = [("Løn og timer", "Timer", 400_000, {}), ("Materialer og udstyr", "Udstyr", 100_000, {})]
    if drift:
        lines.append(("Drift", "Husleje til lokaler", drift, {}))
    folder = tmp_path / "budgetter"
    folder.mkdir(exist_ok=True)
    path = folder / f"{case.replace('/', '-')}.xlsx"
    write_form(path, {"case_id": case, "title": title, "applicant": "EUC Nord", "year": 2024,
                      "start": dt.date(2024, 8, 1), "end": dt.date(2026, 7, 31), "lines": lines, "own": 0,
                      "partner": 0, "sought": sought, "granted": None})  # fmt: skip
    return folder


def test_budget_checks_point_at_the_overview_cells(tmp_path: Path):
    path = round_book(tmp_path, app(), app(case="24/2", title="Andet", applicant="UCN", indstillet=300_000))
    _budget(tmp_path, case="24/1", title="Projekt", sought=500_000, drift=60_000)
    folder = _budget(tmp_path, case="24/2", title="Andet", sought=450_000)
    job = run_memo(NORD, 2024, inputs=[path], budgets=[folder], report_date=dt.date(2024, 9, 1))
    assert job.round is not None
    found = {(i.code, i.cell) for i in job.round.issues}
    # "Ja" without an amount: the applied cell; the staff's amount: its own cell
    assert (IssueCode.RECOMMENDED_BUDGET_OPERATIONS, "H2") in found
    assert (IssueCode.RECOMMENDED_BUDGET_MISMATCH, "H3") in found
    assert len(found) == 2
    operations = next(i for i in job.round.issues if i.code is IssueCode.RECOMMENDED_BUDGET_OPERATIONS)
    assert operations.value == "60000" and "24-1.xlsx" in operations.message


# -- the sample round --------------------------------------------------------------------------------
def _expected() -> dict[str, Any]:
    """The sample's figures, computed from the generator's own rows (not from our output)."""
    granted_before = sum(r[12] for r in ROWS if r[1] == "Prioriteret runde")
    members = [r for r in ROWS if r[1] != "Prioriteret runde"]

    def final(r: tuple) -> int | None:
        if r[9] == "Nej":
            return None
        return r[10] if r[10] is not None else (r[7] if r[9] == "Ja" else None)

    recommended = [r for r in members if final(r)]
    return {
        "count": len(members),
        "applied": sum(r[7] for r in members),
        "remaining": FRAMEWORK_2024[1] - granted_before,
        "recommended": sorted(r[2] for r in recommended),
        "recommended_total": sum(final(r) or 0 for r in recommended),
        "not_recommended": sorted(r[2] for r in members if not final(r)),
    }


def test_sample_round_figures():
    exp = _expected()
    result = assess_round(run_validation([SAMPLE], NORD), 2024)
    assert len(result.applications) == exp["count"]
    assert result.applied_total == exp["applied"]
    assert result.remaining == exp["remaining"]
    assert sorted(a.title for a in result.recommended) == exp["recommended"]
    assert result.recommended_total == exp["recommended_total"]
    assert result.special_theme == "Kunstig intelligens (AI)"
    ai = {a.title for a in result.applications if a.special}
    assert ai == {r[2] for r in ROWS[1:] if " AI" in f" {r[2]}" or "Maskinlæring" in r[2] or "sprogmodel" in r[6]}
    assert result.issues == []
    s = result.suggestion
    assert s is not None and s.total <= exp["remaining"]
    assert s.partial is not None and s.partial.amount == exp["remaining"] - sum(
        ln.amount for ln in s.lines if ln.kind in ("staff", "full")
    )


def _docx_text(path: Path) -> tuple[str, list[list[list[str]]]]:
    doc = Document(str(path))
    text = "\n".join(p.text for p in doc.paragraphs)
    header = "\n".join(p.text for s in doc.sections for p in s.header.paragraphs)
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in doc.tables]
    return header + "\n" + text, tables


def test_sample_memo_read_back(tmp_path: Path):
    exp = _expected()
    out = tmp_path / "indstilling.docx"
    job = run_memo(NORD, 2024, inputs=[SAMPLE], out=out, report_date=dt.date(2024, 9, 1))
    assert job.outputs["memo"] == out and not job.has_errors
    text, tables = _docx_text(out)
    assert "KLADDE" in text and "1. september 2024" in text
    assert "STEM i Nord og styregruppen" in text and "Regionsrådet" in text
    assert f"så der resterer {format_amount(exp['remaining'])}" in text
    assert f"Indstillet i alt: {format_amount(exp['recommended_total'])}" in text
    assert "Kunstig intelligens (AI)" in text and "kun et forslag" in text
    framework = next(t for t in tables if t[0] == ["", "Beløb"])
    values = {row[0]: row[1] for row in framework[1:]}
    assert values["Restramme før indstillingen"] == format_amount(exp["remaining"])
    assert values["Indstillet i denne runde"] == format_amount(exp["recommended_total"])
    assert values["Restramme efter indstillingen"] == format_amount(exp["remaining"] - exp["recommended_total"])
    lists = [t for t in tables if t[0][:2] == ["Sagsnr.", "Projekt (titel v/ ansøger)"]]
    assert len(lists) == 2
    rec_titles = sorted(row[1].split(" v/ ")[0] for row in lists[0][1:])
    not_titles = sorted(row[1].split(" v/ ")[0] for row in lists[1][1:])
    assert rec_titles == exp["recommended"] and not_titles == exp["not_recommended"]
    scores = [float(row[5].replace(",", ".")) for row in lists[0][1:]]
    assert scores == sorted(scores, reverse=True)  # best weighted score first
    received = next(t for t in tables if t[0][0] == "Indsatsområde")
    assert received[-1][1:] == [str(exp["count"]), format_amount(exp["applied"])]
    assert sum(int(r[1]) for r in received[1:-1]) == exp["count"]
    checks = next(t for t in tables if t[0][0] == "Kontrol")
    assert {r[1] for r in checks[1:]} <= {"OK", "ikke kontrolleret (ingen budgetskemaer)"}


def test_memo_lists_failing_checks_in_the_appendix(tmp_path: Path):
    path = round_book(tmp_path, app(indstillet=600_000), framework=400_000)
    out = tmp_path / "notat.docx"
    job = run_memo(NORD, 2024, inputs=[path], out=out, report_date=dt.date(2024, 9, 1))
    assert job.has_errors
    text, tables = _docx_text(out)
    checks = {r[0]: r[1] for r in next(t for t in tables if t[0][0] == "Kontrol")[1:]}
    assert checks["Indstillet i alt inden for restrammen"] == "AFVIGER"
    assert checks["Indstillet højst det ansøgte beløb"] == "AFVIGER"
    issues = next(t for t in tables if t[0][0].startswith("Sted"))
    assert any(r[0].endswith("› N2") for r in issues[1:])
    assert "overstiger restrammen" in text


def test_memo_renders_in_libreoffice(tmp_path: Path):
    if not __import__("shutil").which("pdftotext"):
        pytest.skip("pdftotext is not installed")
    out = tmp_path / "indstilling.docx"
    run_memo(NORD, 2024, inputs=[SAMPLE], out=out, report_date=dt.date(2024, 9, 1))
    pdf = convert_to_pdf([out], tmp_path)[out.name]
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    exp = _expected()
    for key in ("KLADDE", "Indstillingsnotat", "Restramme før indstillingen", format_amount(exp["remaining"]),
                format_amount(exp["recommended_total"]), "Kontrol før underskrift", "Piger koder AI"):  # fmt: skip
        assert key in text, key


# -- the suggestion: properties --------------------------------------------------------------------------
def _app(i: int, applied: int, score: float | None, rec: str | None = None, amount: int | None = None) -> Assessed:
    return Assessed(index=i, file="f", sheet="s", row=i + 2, year=2024, round="aaben", case_id=f"{i}", title=f"P{i}",
                    applicant=None, theme="1", project_type=None, institution_type="Andet", summary="",
                    applied=applied, decision="afventer", granted=None, weighted=score, recommendation=rec,
                    recommended=amount)  # fmt: skip


candidates = st.lists(
    st.tuples(st.integers(0, 3_000_000), st.one_of(st.none(), st.floats(1, 5)),
              st.sampled_from([None, None, "yes", "no"]), st.one_of(st.none(), st.integers(0, 1_000_000))),
    max_size=12,
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(candidates, st.integers(0, 8_000_000))
def test_suggestion_stays_within_the_remaining_framework_and_follows_the_ranking(rows, remaining):
    apps = [_app(i, applied, score, rec, amount if rec != "no" else None)
            for i, (applied, score, rec, amount) in enumerate(rows)]  # fmt: skip
    s = suggest(apps, remaining, NORD)
    staff = [ln for ln in s.lines if ln.kind == "staff"]
    ranked = [ln for ln in s.lines if ln.kind != "staff"]
    staff_total = sum(ln.amount for ln in staff)
    # the staff's own amounts always win, untouched
    assert {ln.application.index: ln.amount for ln in staff} == {a.index: a.final for a in apps if a.is_recommended}
    if staff_total <= remaining:
        assert s.total <= remaining
    else:
        assert s.total == staff_total  # nothing beyond what the staff recommended
    # ranked lines come best score first; full ones precede the partial one, nothing after the line
    scores = [ln.application.weighted for ln in ranked]
    assert scores == sorted(scores, reverse=True)
    kinds = [ln.kind for ln in ranked if ln.application.applied]
    assert kinds == sorted(kinds, key=["full", "partial", "below"].index)
    assert sum(1 for k in kinds if k == "partial") <= 1
    for ln in ranked:
        assert 0 <= ln.amount <= (ln.application.applied or 0)
        assert ln.application.recommendation != "no" and ln.application.weighted is not None


# -- Danish number words ---------------------------------------------------------------------------------
@pytest.mark.parametrize("n,words", [
    (1, "en"), (21, "enogtyve"), (45, "femogfyrre"), (99, "nioghalvfems"), (100, "et hundrede"),
    (250, "to hundrede og halvtreds"), (1_000, "et tusind"), (1_005, "et tusind og fem"),
    (100_000, "et hundrede tusind"), (345_353, "tre hundrede og femogfyrre tusind tre hundrede og treoghalvtreds"),
    (1_000_000, "en million"), (1_250_000, "en million to hundrede og halvtreds tusind"),
    (2_000_000, "to millioner"), (4_200_000, "fire millioner to hundrede tusind"),
    (101_000, "et hundrede og et tusind"), (201_001, "to hundrede og et tusind og en"), (21_000, "enogtyve tusind"),
])  # fmt: skip
def test_number_in_words(n: int, words: str):
    assert number_in_words(n) == words


_WORD_VALUES = {w: i for i, w in enumerate(("nul", "en", "to", "tre", "fire", "fem", "seks", "syv", "otte", "ni", "ti",
                "elleve", "tolv", "tretten", "fjorten", "femten", "seksten", "sytten", "atten", "nitten"))}
_WORD_VALUES |= {"et": 1, "tyve": 20, "tredive": 30, "fyrre": 40, "halvtreds": 50, "tres": 60, "halvfjerds": 70,
                 "firs": 80, "halvfems": 90}  # fmt: skip
_SCALES = {"hundrede": 100, "tusind": 1_000, "million": 10**6, "millioner": 10**6, "milliard": 10**9,
           "milliarder": 10**9}  # fmt: skip


def _read_words(text: str) -> int:
    """An independent reader of Danish number words (not the writer's tables): 'to hundrede og et tusind' → 201000."""
    total = group = current = 0
    for word in text.split():
        if word == "og":
            continue
        if word in _SCALES:
            scale = _SCALES[word]
            if scale == 100:
                current = (current or 1) * 100
            else:
                total += ((group + current) or 1) * scale
                group = current = 0
            continue
        if word not in _WORD_VALUES:  # a compound such as "enogtyve"
            unit, tens = word.split("og")
            value = _WORD_VALUES[unit] + _WORD_VALUES[tens]
        else:
            value = _WORD_VALUES[word]
        if current >= 100:
            group, current = group + current, value
        else:
            current += value
    return total + group + current


@settings(max_examples=400, deadline=None)
@given(st.integers(0, 99_999_999))
def test_number_in_words_follows_the_rules(n: int):
    """Over a range: the words read back to the number, and Danish grammar holds (not a table of cases)."""
    words = number_in_words(n)
    assert _read_words(words) == n, words
    tokens = words.split()
    for before, word in pairwise(tokens):
        if word in ("tusind", "hundrede"):
            assert before != "en", words  # neuter: "et tusind", "et hundrede og et tusind", never "en tusind"
        if word == "million":
            assert before == "en", words
        if before == "og":
            assert word not in _SCALES and word != "og", words  # "og" only before the number that ends a group
    assert tokens[0] != "og" and tokens[-1] != "og"
    assert ("million" in tokens) == (n // 10**6 == 1)


def test_amount_in_words_as_in_a_letter():
    assert amount_in_words(1_250_000) == "1.250.000 kr. (en million to hundrede og halvtreds tusind kroner)"


# -- letters ---------------------------------------------------------------------------------------------
def test_letters_refuse_a_rejection_without_reasons(tmp_path: Path):
    """The sample's four afslag without a Begrundelse get no letter: letter_no_reason at the Begrundelse cell."""
    folder = tmp_path / "breve"
    job = run_letters(NORD, 2024, folder, inputs=[DECIDED], letter_date=dt.date(2024, 10, 1))
    bare = [r for r in ROWS if not r[12] and not r[11]]  # rejected, and no reason in the sheet
    assert len(bare) == 4
    refused = [i for i in job.letter_issues if i.code is IssueCode.LETTER_NO_REASON]
    assert [(i.severity, i.cell) for i in refused] == [(Severity.ERROR, _cell(DECIDED, r[0], "Begrundelse"))
                                                       for r in bare]  # fmt: skip
    assert job.has_errors
    status = {o.case_id: o.status for o in job.letters}
    assert {c for c, st in status.items() if st == "failed"} == {r[0] for r in bare}
    assert not any((folder / f"{r[0].replace('/', '-')}_afslag.docx").exists() for r in bare)


def _cell(path: Path, case: str, header: str) -> str:
    """The A1 cell of ``header`` in the row of ``case`` (read with openpyxl: the expectation is not our reader)."""
    import openpyxl
    from openpyxl.utils import get_column_letter

    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        rows = list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()  # read-only keeps the file open until closed (a ResourceWarning in a later test otherwise)
    head = next(i for i, r in enumerate(rows) if "Sagsnr." in r)
    column = rows[head].index(header)
    row = next(i for i, r in enumerate(rows) if r[rows[head].index("Sagsnr.")] == case)
    return f"{get_column_letter(column + 1)}{row + 1}"


def test_letters_as_drafts_and_what_a_letter_contains(tmp_path: Path):
    folder = tmp_path / "breve"
    job = run_letters(NORD, 2024, folder, inputs=[DECIDED], letter_date=dt.date(2024, 10, 1), draft=True)
    assert len(job.letters) == len(ROWS) and {o.status for o in job.letters} == {"written"}
    assert not [i for i in job.letter_issues if i.severity is Severity.ERROR]  # refusals are warnings as drafts
    names = sorted(p.name for p in folder.iterdir())
    assert names == sorted(f"{r[0].replace('/', '-')}_{'tilsagn' if r[12] else 'afslag'}.docx" for r in ROWS)
    grant = next(r for r in ROWS if r[0] == "24/0201")
    text, tables = _docx_text(folder / "24-0201_tilsagn.docx")
    assert grant[2] in text and grant[3] in text and "24/0201" in text
    assert amount_in_words(grant[12]) in text
    assert "Tilskuddet gælder for projektperioden 1. august 2024 – 31. juli 2026." in text
    assert NORD.letters.eligible_costs in text and NORD.letters.operations in text
    for condition in NORD.letters.conditions:
        assert condition in text
    reports = next(t for t in tables if t[0] == ["Rapport", "Frist"])
    assert reports[1:] == [["Statusrapport for 2024", "28. februar 2025"], ["Statusrapport for 2025", "28. februar 2026"],
                           ["Slutrapport med regnskab", "31. oktober 2026"]]  # fmt: skip
    assert "Begrundelse" not in text and "Klagevejledning" not in text  # a full grant needs neither
    partial = next(r for r in ROWS if r[0] == "24/0203")
    text, tables = _docx_text(folder / "24-0203_tilsagn.docx")
    assert "Delvist tilsagn" in text and "delvist afslag" in text and "500.000 kr. mindre" in text
    assert "Relevant, men budgettet til udstyr er højt." in text and "indstilles" not in text  # no internal wording
    scores = next(t for t in tables if t[0] == ["Kriterium", "Vægt", "Jeres score"])
    assert [r[2] for r in scores[1:]] == [str(x) for x in partial[8]]
    assert "Klagevejledning" in text
    rejection = next(r for r in ROWS if r[0] == "24/0206")
    text, _ = _docx_text(folder / "24-0206_afslag.docx")
    assert rejection[2] in text and rejection[11] in text and "ikke at give tilskud" in text
    assert "Tilsagnet" not in text and "Klagevejledning" in text and "Lovgrundlag" in text
    draft = next(r for r in ROWS if not r[12] and not r[11])
    text, _ = _docx_text(folder / f"{draft[0].replace('/', '-')}_afslag.docx")
    assert "KLADDE" in text and "[SKRIV: begrundelsen" in text
    assert "uddybning af begrundelsen" not in text  # no invitation to ask about a reason that is not there
    # the shipped pact states no appeal guidance and no contact: prompts, never invented law
    assert {i.value for i in job.letter_issues if i.code is IssueCode.LETTER_TEXT_MISSING} == {None}
    missing = " ".join(i.message for i in job.letter_issues if i.code is IssueCode.LETTER_TEXT_MISSING)
    for key in ("appeal", "contact", "legal_basis", "payment", "acceptance_days"):
        assert f"[letters] {key}" in missing, key


def test_a_configured_pact_gives_a_letter_without_prompts(tmp_path: Path):
    """Every text stated in the pact file: no prompt, no KLADDE, the payments and the deadline computed."""
    pact_file = tmp_path / "testpagt.toml"
    pact_file.write_text(TEST_PACT, encoding="utf-8")
    pact = load_pact(pact_file)
    path = write_workbook(tmp_path / "o.xlsx", {"A": [[*HEADER, "Projektstart", "Projektslut"], [
        *app(case="T/1", title="Robotter i fysik", decision="Tilsagn", granted=500_000, applied=600_000,
             begrundelse="Budgettet til udstyr er højt."), dt.datetime(2025, 1, 1), dt.datetime(2026, 12, 31)]]})  # fmt: skip
    job = run_letters(pact, 2024, tmp_path / "b", inputs=[path], letter_date=dt.date(2024, 10, 1))
    assert [o.status for o in job.letters] == ["written"] and job.letter_issues == []
    text, tables = _docx_text(tmp_path / "b" / "T-1_tilsagn.docx")
    assert "[SKRIV" not in text and "KLADDE" not in text
    assert "Tilsagnet skal accepteres skriftligt over for sekretariatet senest 15. oktober 2024." in text
    payments = next(t for t in tables if t[0] == ["Rate", "Udbetales", "Beløb"])
    assert [r[2] for r in payments[1:]] == ["225.000 kr.", "225.000 kr.", "50.000 kr."]  # 10 % held back
    assert payments[-1][0] == "Tilbageholdt del (10 %)"
    assert "Projektet skal medfinansieres med mindst 25 % af det samlede budget." in text
    assert "Testlov § 1" in text and "Ankestyrelsen (test)" in text and "Testperson" in text
    reports = next(t for t in tables if t[0] == ["Rapport", "Frist"])
    assert reports[1:] == [["Statusrapport for 2025", "28. februar 2026"],
                           ["Slutrapport med regnskab", "31. marts 2027"]]  # 3 months after the end  # fmt: skip


TEST_PACT = """
key = "testpagt"
name = "Testpagten"
region = "Region Test"
first_year = 2020
last_year = 2030
[[themes]]
key = "1"
name = "De potentielle STEM'ere"
[[rounds]]
key = "aaben"
name = "Åben runde"
[[project_types]]
key = "motiverende"
name = "Motiverende"
[budgets]
min_cofinancing_share = 0.25
[[assessment.criteria]]
key = "relevans"
name = "Relevans for indsatsområdet"
weight = 3
[letters]
sender = "Sekretariatet for Testpagten"
signatory = ["Testperson", "Sekretariatschef"]
contact = "Testperson, test@example.org, 12 34 56 78"
legal_basis = "Tilskuddet gives efter Testlov § 1."
appeal = "Afgørelsen kan ikke påklages til anden administrativ myndighed. Klager over sagsbehandlingen: Ankestyrelsen (test)."
acceptance_days = 14
[letters.reporting]
progress_month = 2
final_months = 3
[letters.payment]
instalments = ["ved accept af tilsagnet", "efter godkendt statusrapport"]
held_back_share = 0.10
"""


def test_existing_letters_are_never_overwritten(tmp_path: Path):
    folder = tmp_path / "breve"
    folder.mkdir()
    mine = folder / "24-0201_tilsagn.docx"
    mine.write_bytes(b"rettet i haanden")
    job = run_letters(NORD, 2024, folder, inputs=[DECIDED], letter_date=dt.date(2024, 10, 1), draft=True)
    assert mine.read_bytes() == b"rettet i haanden"
    status = {Path(o.path).name: o.status for o in job.letters}
    assert status["24-0201_tilsagn.docx"] == "skipped"
    assert sum(1 for s in status.values() if s == "written") == len(ROWS) - 1
    again = run_letters(NORD, 2024, folder, inputs=[DECIDED], letter_date=dt.date(2024, 10, 2), draft=True)
    assert {o.status for o in again.letters} == {"skipped"}


def test_overwrite_keeps_the_old_letter_as_a_dated_copy(tmp_path: Path):
    import os

    folder = tmp_path / "breve"
    folder.mkdir()
    old = folder / "24-0201_tilsagn.docx"
    old.write_bytes(b"det gamle brev")
    (folder / "24-0201_tilsagn.pdf").write_bytes(b"%PDF- det gamle")
    stamp = dt.datetime(2024, 10, 1, 10, 15, 0).timestamp()
    os.utime(old, (stamp, stamp))
    job = run_letters(NORD, 2024, folder, inputs=[DECIDED], letter_date=dt.date(2024, 10, 2), draft=True,
                      overwrite=True)  # fmt: skip
    outcome = next(o for o in job.letters if o.case_id == "24/0201")
    assert outcome.status == "replaced" and outcome.kept == "24-0201_tilsagn.2024-10-01_101500.docx"
    assert (folder / outcome.kept).read_bytes() == b"det gamle brev"
    assert (folder / "24-0201_tilsagn.2024-10-01_101500.pdf").read_bytes() == b"%PDF- det gamle"
    assert old.read_bytes()[:2] == b"PK" and "2. oktober 2024" in _docx_text(old)[0]
    again = run_letters(NORD, 2024, folder, inputs=[DECIDED], letter_date=dt.date(2024, 10, 3), draft=True,
                        overwrite=True)  # fmt: skip
    kept = {o.kept for o in again.letters}
    # the letter, its two dated copies, and the old PDF moved to the first copy's name (none left beside the new one)
    assert len([p for p in folder.iterdir() if p.name.startswith("24-0201_tilsagn.")]) == 4
    assert not (folder / "24-0201_tilsagn.pdf").exists()
    assert "" not in kept


def test_letter_issues(tmp_path: Path):
    path = round_book(
        tmp_path,
        app(decision="Tilsagn", granted=None),
        app(case="24/2", title="Andet", decision="Afslag", theme="Ukendt tema"),
        app(case="24/3", title="Tredje", decision="Tilsagn", granted=400_000),
        app(case="24/4", title="Fjerde", decision="Afslag", begrundelse=None),
        app(case="24/5", title="Femte", decision="Tilsagn", granted=300_000, begrundelse="Fin; indstilles delvist"),
        app(case=None, title="Sjette", decision="Tilsagn", granted=500_000),
    )
    job = run_letters(NORD, 2024, tmp_path / "breve", inputs=[path], letter_date=dt.date(2024, 10, 1))
    found = {(i.code, i.cell) for i in job.letter_issues if i.code is not IssueCode.LETTER_TEXT_MISSING}
    assert found == {(IssueCode.LETTER_NO_AMOUNT, "J2"), (IssueCode.LETTER_ROW_HAS_ERRORS, "D3"),
                     (IssueCode.LETTER_NO_REASON, "O5"), (IssueCode.LETTER_INTERNAL_WORDING, "O6"),
                     (IssueCode.LETTER_MISSING_DATA, "B7"), (IssueCode.LETTER_MISSING_DATA, "D4"),
                     (IssueCode.LETTER_MISSING_DATA, "D6"), (IssueCode.LETTER_MISSING_DATA, "D7")}  # fmt: skip
    assert [o.status for o in job.letters] == ["failed", "failed", "written", "failed", "written", "written"]
    severity = {i.code: i.severity for i in job.letter_issues}
    assert severity[IssueCode.LETTER_NO_REASON] is Severity.ERROR
    assert severity[IssueCode.LETTER_INTERNAL_WORDING] is Severity.WARNING
    assert severity[IssueCode.LETTER_TEXT_MISSING] is Severity.WARNING


# -- the command line --------------------------------------------------------------------------------------
def test_cli_memo_and_letters(cli, tmp_path: Path):
    wrong = cli("indstilling", SAMPLE, "--year", "2024", "--out", tmp_path / "notat.txt")
    assert wrong.returncode == 2 and "--out" in wrong.stderr and not (tmp_path / "notat.txt").exists()
    out = tmp_path / "notat.docx"
    r = cli("indstilling", SAMPLE, "--year", "2024", "--out", out, "--date", "2024-09-01")
    assert r.returncode == 0, r.stderr
    assert out.exists() and "restramme 4.050.000 kr." in r.stdout and "stregen falder" in r.stdout
    r = cli("indstilling", SAMPLE, "--year", "2024", "--round", "Småprojekter", "--out", tmp_path / "s.docx")
    assert r.returncode == 0 and "Ansøgninger: 3" in r.stdout
    r = cli("indstilling", SAMPLE, "--year", "2024", "--round", "ingen", "--out", tmp_path / "x.docx")
    assert r.returncode == 2 and r.stderr.startswith("pagt-xl: fejl: ") and not (tmp_path / "x.docx").exists()
    with pytest.raises(RequestError) as info:
        run_memo(NORD, 2024, inputs=[SAMPLE], round_name="ingen")
    assert info.value.code is ErrorCode.UNKNOWN_ROUND
    folder = tmp_path / "breve"
    r = cli("breve", DECIDED, "--year", "2024", "--out", folder, "--date", "2024-10-01")
    assert r.returncode == 1 and "4 ikke dannet" in r.stdout and "letter_no_reason" in r.stdout  # refused
    r = cli("breve", DECIDED, "--year", "2024", "--out", folder, "--udkast")
    assert r.returncode == 0 and "4 skrevet" in r.stdout and f"{len(ROWS) - 4} sprunget over" in r.stdout
    assert "KLADDE" in r.stdout
    r = cli("breve", DECIDED, "--year", "2024", "--out", folder, "--udkast", "--overwrite")
    assert r.returncode == 0 and f"{len(ROWS)} erstattet" in r.stdout


def test_cli_memo_exit_1_on_failing_checks(cli, tmp_path: Path):
    path = round_book(tmp_path, app(indstillet=600_000))
    r = cli("indstilling", path, "--year", "2024", "--out", tmp_path / "n.docx")
    assert r.returncode == 1 and "recommended_above_applied" in r.stdout


def test_template_vars_kinds(cli):
    r = cli("template-vars", "--kind", "indstilling")
    assert r.returncode == 0 and "remaining" in r.stdout and ".recommended" in r.stdout
    r = cli("template-vars", "--kind", "brev", "--template", ROOT / "pagt_xl/templates/brev_tilsagn.docx")
    assert r.returncode == 0 and "Skabelonen bruger kun kendte variabler." in r.stdout


def test_round_templates_are_reproducible_and_current(tmp_path: Path):
    from make_round_templates import main

    main(["--out-dir", str(tmp_path)])
    for name in ("indstillingsnotat.docx", "brev_tilsagn.docx", "brev_afslag.docx"):
        assert (tmp_path / name).read_bytes() == (ROOT / "pagt_xl/templates" / name).read_bytes(), name


def test_round_samples_are_reproducible_and_current(tmp_path: Path):
    from make_round_samples import write_budgets, write_round

    for name, decided in ((SAMPLE.name, False), (DECIDED.name, True)):
        write_round(tmp_path / name, decided=decided)
        assert (tmp_path / name).read_bytes() == (WORKBOOKS / name).read_bytes(), name
    for path in write_budgets(tmp_path / "budgetter"):
        assert path.read_bytes() == (WORKBOOKS / "budgetter_runde_2024" / path.name).read_bytes(), path.name


def test_sample_budgets_flag_the_operations_costs_of_a_recommended_application():
    from make_round_samples import BUDGETS

    job = run_memo(NORD, 2024, inputs=[SAMPLE], budgets=[WORKBOOKS / "budgetter_runde_2024"])
    assert job.budgets is not None and len(job.budgets.records) == len(BUDGETS)
    assert job.round is not None
    found = [(i.code, i.value) for i in job.round.issues]
    with_operations = {case: sum(a for _, _, a in extra) for case, extra in BUDGETS.items() if extra}
    assert found == [(IssueCode.RECOMMENDED_BUDGET_OPERATIONS, str(v)) for v in with_operations.values()]
    issue = job.round.issues[0]
    row = next(a for a in job.round.applications if a.case_id in with_operations)
    assert (issue.sheet, issue.cell) == (row.sheet, row.cell("recommended"))


def test_a_memo_template_with_unknown_variables_stops_before_anything_is_written(cli, tmp_path: Path):
    wrong = ROOT / "pagt_xl/templates/brev_afslag.docx"  # a letter template uses the letters' variables
    out = tmp_path / "notat.docx"
    r = cli("indstilling", SAMPLE, "--year", "2024", "--out", out, "--template", wrong)
    assert r.returncode == 2 and "ukendte variabler" in r.stderr and "applicant" in r.stderr
    assert not out.exists()
    r = cli(
        "breve",
        DECIDED,
        "--year",
        "2024",
        "--out",
        tmp_path / "b",
        "--grant-template",
        ROOT / "pagt_xl/templates/indstillingsnotat.docx",
    )
    assert r.returncode == 2 and not (tmp_path / "b").exists()


def test_special_theme_by_keyword_or_by_its_column(tmp_path: Path):
    rows = [app(title="AI i fysik"), app(case="24/2", title="Kemi for alle"), app(case="24/3", title="Maskinlæring")]
    result = assessed(round_book(tmp_path, *rows))
    assert [a.special for a in result.applications] == [True, False, True]  # keywords of 2024 (AI, maskinlæring)
    marked = [[*r, flag] for r, flag in zip(rows, ["Nej", "Ja", ""], strict=True)]
    path = write_workbook(tmp_path / "s.xlsx", {"A": [[*HEADER, "Særligt tema"], *marked],
                                                 "Ramme": [["År", "Ramme"], [2024, 1_000_000]]})  # fmt: skip
    result = assessed(path)
    assert [a.special for a in result.applications] == [False, True, True]  # the column wins; empty: keywords
    assert result.special_count == 2
    assert assessed(round_book(tmp_path, *[app(year=2023, title="AI")]), 2023).special_theme is None
