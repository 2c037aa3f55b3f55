"""One set of figures: every output shows the same totals over the same rows (issue 22 item 2, issue 23 item 6).

Every output a person or a script reads — ``validate`` (text, JSON, CSV), ``breakdown`` (table, JSON, CSV and
the workbook read back with openpyxl), the report (its context and the rendered draft read back with
python-docx) and the cell functions (called as Excel calls them) — is run over the shipped samples and over
overviews generated here with errors, duplicates and subtotal rows, written by openpyxl. The generator keeps
its own books (which rows count, which do not), so the expected figures are not taken from the code under
test: a granted row with an error, a second copy of an application or a subtotal row is never counted; a
year with a framework but no applications is a row of zeros; the framework check counts the same rows.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from conftest import HEADER, WORKBOOKS, write_workbook
from docx import Document

from pagt_xl.base.config import load_pact
from pagt_xl.base.danish import format_amount, parse_amount
from pagt_xl.cli.commands import main
from pagt_xl.pipeline import run_breakdowns, run_validation
from pagt_xl.report import build_context
from pagt_xl.xl import core as cells

REPORT_DATE = "2024-02-15"
THEMES = ("1. De potentielle STEM'ere", "Flere piger og kvinder i STEM", "3. STEM-kompetencer målrettet...",
          "STEM kompetencer til alle")  # fmt: skip
TYPES = ("Kompetenceopbygning", "Motiverende", "Interessevækkelse", "Strategisk vidensopbygning")
ROUNDS = ("Åben runde", "Prioriteret runde")
#: the years the generated overviews use: every theme open, inside the pact's period
YEARS = (2020, 2022, 2023)
#: a year with a framework and no applications
FRAMEWORK_ONLY = 2024
#: the first rows of each generated overview: every kind once (a granted row with an error among them)
EVERY_KIND = ("granted", "above", "duplicate", "rejected", "rejected_amount", "bad_amount", "pending")


@dataclass
class Year:
    """One year's figures as the generator counts them."""

    applications: int = 0
    rejected: int = 0
    granted_projects: int = 0
    pending: int = 0
    granted: int = 0
    framework: int | None = None


@dataclass
class Expected:
    """What every output must show: the generator's own books."""

    pact: str
    years: dict[int, Year]
    excluded: int
    #: (code, cell) of the checks that fail: framework years over their framework, subtotal rows that disagree
    failing: set[tuple[str, str]] = field(default_factory=set)
    #: rows of the overview sheet (header first), as a range handed to a cell function
    sheet_rows: list[list[Any]] | None = None
    #: per theme label as the breakdown names it: (projects, kroner)
    themes: dict[str, tuple[int, int]] | None = None

    @property
    def total(self) -> Year:
        t = Year()
        for y in self.years.values():
            for name in ("applications", "rejected", "granted_projects", "pending", "granted"):
                setattr(t, name, getattr(t, name) + getattr(y, name))
        return t


def _theme_label(written: str) -> str:
    """The label a breakdown gives a theme written in any of the spellings above."""
    names = {"1": "1. De potentielle STEM'ere", "2": "2. Flere piger og kvinder i STEM",
             "3": "3. STEM-kompetencer målrettet de nordjyske virksomheders behov", "4": "4. STEM-kompetencer til alle"}  # fmt: skip
    return names[str(THEMES.index(written) + 1)]


def generated(seed: int, folder: Path) -> tuple[Path, Expected]:
    """An overview with clean rows, rows with errors, duplicates and subtotal rows, and a framework sheet.

    Kinds of rows: granted, rejected, pending (counted); granted above the amount applied for, rejected with
    an amount, an amount that cannot be read (errors: never counted); an exact second copy of a row of the
    same year (an error on the copy: counted once). Each year ends with a subtotal row "I alt ÅÅÅÅ" (in the year
    column, as many house styles write it) stating
    the sums of the year's rows above it as a SUM would (every number, also of the rows with errors), one of
    them off by 1.000 kr. Frameworks: each year's counted grants plus 100.000 kr., except one year set below
    them; and one year with a framework only.
    """
    rng = random.Random(seed)
    rows: list[list[Any]] = [list(HEADER)]
    years: dict[int, Year] = {}
    themes: dict[str, list[int]] = {}
    failing: set[tuple[str, str]] = set()
    excluded = 0
    off_year = rng.choice(YEARS)
    tight_year = rng.choice([y for y in YEARS if y != off_year])
    serial = 0
    for year in YEARS:
        y = years.setdefault(year, Year())
        written: list[list[Any]] = []
        for k in range(rng.randint(6, 10)):
            serial += 1
            applied = rng.randrange(100_000, 2_000_000, 5_000)
            kind = rng.choices(["granted", "rejected", "pending", "above", "rejected_amount", "bad_amount",
                                "duplicate"], weights=[6, 3, 1, 1, 1, 1, 2])[0]  # fmt: skip
            if year == YEARS[0] and k < len(EVERY_KIND):  # every kind of row at least once in each overview
                kind = EVERY_KIND[k]
            if kind == "duplicate" and not written:
                kind = "granted"
            if kind == "duplicate":
                row = list(rng.choice(written))
                excluded += 1
            else:
                theme = rng.choice(THEMES)
                granted: Any = None
                decision = {"granted": "Tilsagn", "above": "Tilsagn", "bad_amount": "Tilsagn", "pending": "Afventer"}
                if kind == "granted":
                    granted = rng.randrange(60_000, applied + 1, 5_000)
                elif kind == "above":
                    granted = applied + 50_000
                elif kind == "rejected_amount":
                    granted = rng.randrange(60_000, applied + 1, 5_000)
                elif kind == "bad_amount":
                    granted = "ca. 200"
                row = [year, f"{year}-{serial:03d}", rng.choice(ROUNDS), f"Projekt {seed}-{serial} v/ Skole {serial}",
                       theme, rng.choice(TYPES), applied, decision.get(kind, "Afslag"), granted]  # fmt: skip
                if kind in ("above", "rejected_amount", "bad_amount"):
                    excluded += 1
                else:
                    y.applications += 1
                    if kind == "granted":
                        y.granted_projects += 1
                        y.granted += granted
                        slot = themes.setdefault(_theme_label(theme), [0, 0])
                        slot[0] += 1
                        slot[1] += granted
                    elif kind == "rejected":
                        y.rejected += 1
                    else:
                        y.pending += 1
            written.append(row)
            rows.append(row)
        stated_granted = sum(r[8] for r in written if isinstance(r[8], int))
        stated_applied = sum(r[6] for r in written)
        if year == off_year:
            stated_granted += 1_000
            failing.add(("subtotal_mismatch", f"I{len(rows) + 1}"))
        rows.append([f"I alt {year}", None, None, None, None, None, stated_applied, None, stated_granted])
        y.framework = y.granted + 100_000 if year != tight_year else max(y.granted - 50_000, 0)
    years[FRAMEWORK_ONLY] = Year(framework=3_000_000)
    framework_rows = [["År", "Ramme"]] + [[year, y.framework] for year, y in sorted(years.items())]
    for i, (_, y) in enumerate(sorted(years.items()), start=2):
        if y.framework is not None and y.granted > y.framework:
            failing.add(("framework_exceeded", f"B{i}"))
    path = write_workbook(folder / f"genereret_{seed}.xlsx", {"Ansøgninger": rows, "Ramme": framework_rows})
    expected = Expected("nordjylland", years, excluded, failing, rows, {k: (v[0], v[1]) for k, v in themes.items()})
    return path, expected


def sample(name: str) -> tuple[Path, Expected]:
    """A shipped sample with its figures as the seeds give them (seed 004: 27 of 48 funded, 23,23 mio. kr.)."""
    if name == "nordjylland":
        years = {2019: Year(10, 6, 4, 0, 4_949_000, 4_950_000), 2020: Year(13, 8, 5, 0, 5_349_000, 5_350_000),
                 2021: Year(8, 1, 7, 0, 4_538_000, 4_540_000), 2022: Year(4, 1, 3, 0, 2_759_500, 2_760_000),
                 2023: Year(13, 5, 8, 0, 5_635_678, 5_640_000)}  # fmt: skip
        return WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx", Expected("nordjylland", years, 0)
    years = {2018: Year(10, 3, 7, 0, 9_400_000, None)}
    return WORKBOOKS / "midtjylland_projekter_2018.xlsx", Expected("midtjylland", years, 0)


# -- running every output --------------------------------------------------------------------------------
def run_cli(*args: str | Path) -> tuple[int, str, str]:
    """``pagt-xl ARGS`` in this process: exit code, stdout, stderr (an unexpected error fails the test).

    Streams with a byte buffer under them, as a terminal's are (the CSV is written as bytes)."""
    out, err = io.TextIOWrapper(io.BytesIO(), encoding="utf-8"), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    out.flush()
    assert "uventet fejl" not in err.getvalue(), err.getvalue()
    return code, out.buffer.getvalue().decode("utf-8"), err.getvalue()


@dataclass
class Outputs:
    path: Path
    expected: Expected
    validate_text: str
    validate_json: dict[str, Any]
    validate_csv: list[dict[str, str]]
    year_json: dict[str, Any]
    theme_json: dict[str, Any]
    crossed_json: dict[str, Any]
    year_csv: list[dict[str, str]]
    year_text: str
    workbook: Any
    context: Any
    draft: Any


CASES = ["sample:nordjylland", "sample:midtjylland", "generated:1", "generated:2"]


@pytest.fixture(scope="module", params=CASES)
def outputs(request, tmp_path_factory) -> Outputs:
    import datetime as dt

    kind, name = request.param.split(":")
    folder = tmp_path_factory.mktemp(f"totals-{kind}-{name}")
    path, expected = sample(name) if kind == "sample" else generated(int(name), folder)
    pact = ("--pact", expected.pact)
    _, text, _ = run_cli("validate", path, *pact)
    _, doc, _ = run_cli("validate", path, *pact, "--format", "json")
    _, issues_csv, _ = run_cli("validate", path, *pact, "--format", "csv", "--csv-dialect", "maskine")
    _, year_json, _ = run_cli("breakdown", path, *pact, "--by", "year", "--format", "json")
    _, theme_json, _ = run_cli("breakdown", path, *pact, "--by", "theme", "--format", "json")
    _, crossed, _ = run_cli("breakdown", path, *pact, "--by", "round", "--by", "theme", "--format", "json")
    _, year_csv, _ = run_cli("breakdown", path, *pact, "--by", "year", "--format", "csv", "--csv-dialect", "maskine")
    _, year_text, _ = run_cli("breakdown", path, *pact, "--by", "year")
    xlsx = folder / "fordelinger.xlsx"
    run_cli("breakdown", path, *pact, "--format", "xlsx", "--out", xlsx)
    docx = folder / "rapport.docx"
    run_cli("report", path, *pact, "--out", docx, "--date", REPORT_DATE)
    breakdowns = run_breakdowns(run_validation([path], load_pact(expected.pact)))
    context = build_context(breakdowns, report_date=dt.date(2024, 2, 15))
    return Outputs(
        path, expected, text, json.loads(doc), list(csv.DictReader(io.StringIO(issues_csv.lstrip("\ufeff")))),
        json.loads(year_json), json.loads(theme_json), json.loads(crossed),
        list(csv.DictReader(io.StringIO(year_csv))), year_text, openpyxl.load_workbook(xlsx, data_only=True),
        context, Document(str(docx)),
    )  # fmt: skip


def _kroner(text: str) -> int:
    value = parse_amount(text)
    assert value is not None, text
    return value


def _number(text: str) -> int:
    return int(text.replace(".", "")) if text not in ("", "-") else 0


# -- the assertions, one output per test ------------------------------------------------------------------
def test_validate_summary_counts_the_rows_the_figures_count(outputs):
    """The text summary: the granted projects and kroner of the rows without errors, and the rows left out."""
    e = outputs.expected
    found = re.search(r"; (\d+) med tilsagn for i alt ([\d.]+ kr\.)", outputs.validate_text)
    assert found, outputs.validate_text[-400:]
    assert (int(found.group(1)), _kroner(found.group(2))) == (e.total.granted_projects, e.total.granted)
    amounts = set(re.findall(r"\d[\d.]* kr\.", outputs.validate_text.rsplit("\n\n", 1)[-1]))
    assert amounts == {format_amount(e.total.granted)}


def test_validate_json_figures(outputs):
    e, doc = outputs.expected, outputs.validate_json
    assert doc["applications"] == e.total.applications
    assert doc["granted_applications"] == e.total.granted_projects
    assert doc["granted_total"] == e.total.granted
    assert doc["rows_with_errors"] == e.excluded
    assert doc["framework_years"] == {str(y): v.framework for y, v in e.years.items() if v.framework is not None}


def test_validate_reports_exactly_the_failing_checks(outputs):
    """Framework years and subtotal rows: an issue for each check that fails, and no other (JSON and CSV alike)."""
    checked = {"framework_exceeded", "subtotal_mismatch"}
    from_json = {(i["code"], i["cell"]) for i in outputs.validate_json["issues"] if i["code"] in checked}
    from_csv = {(i["code"], i["cell"]) for i in outputs.validate_csv if i["code"] in checked}
    assert from_json == from_csv == outputs.expected.failing
    assert sorted((i["code"], i["cell"] or "") for i in outputs.validate_json["issues"]) == sorted(
        (i["code"], i["cell"]) for i in outputs.validate_csv
    )


def _year_rows(rows: list[dict[str, Any]]) -> dict[int, tuple[int, int, int, int, int, int | None]]:
    out = {}
    for r in rows:
        framework = r.get("framework")
        out[int(r["year"])] = (int(r["applications"]), int(r["rejected"]), int(r["granted_projects"]),
                               int(r["pending"]), int(r["granted"]),
                               int(framework) if framework not in (None, "") else None)  # fmt: skip
    return out


def _expected_years(e: Expected) -> dict[int, tuple[int, int, int, int, int, int | None]]:
    return {y: (v.applications, v.rejected, v.granted_projects, v.pending, v.granted, v.framework)
            for y, v in e.years.items()}  # fmt: skip


def test_breakdown_json_year_rows_include_every_year(outputs):
    """A year with a framework and no applications is a row of zeros; the totals are the generator's."""
    e, doc = outputs.expected, outputs.year_json
    assert _year_rows(doc["rows"]) == _expected_years(e)
    assert sum(r["projects"] for r in doc["rows"]) == doc["total"]["projects"] == e.total.granted_projects
    assert doc["total"]["granted"] == e.total.granted
    assert doc["total"]["applications"] == e.total.applications
    assert doc["excluded_rows"] == e.excluded


def test_breakdown_json_theme_and_crossed_totals(outputs):
    e = outputs.expected
    for doc in (outputs.theme_json, outputs.crossed_json):
        assert (doc["total"]["projects"], doc["total"]["granted"]) == (e.total.granted_projects, e.total.granted)
        assert sum(r["granted"] for r in doc["rows"]) == e.total.granted
    if e.themes is not None:
        got = {r["theme"]: (r["projects"], r["granted"]) for r in outputs.theme_json["rows"]}
        assert got == e.themes


def test_breakdown_checks_carry_codes(outputs):
    """Every check of the JSON has a code; the failing ones are the framework years and subtotal rows expected."""
    checks = outputs.year_json["checks"]
    assert all(c["code"] for c in checks)
    failing = {c["code"] for c in checks if c["result"] != "OK"}
    assert failing == {code for code, _ in outputs.expected.failing}


def test_breakdown_csv_year_rows(outputs):
    assert _year_rows(outputs.year_csv) == _expected_years(outputs.expected)


def test_breakdown_text_year_table(outputs):
    """The year table as the terminal shows it: one line per year and the total line."""
    e = outputs.expected
    lines = [line for line in outputs.year_text.splitlines() if re.match(r"^(\d{4}|I alt) ", line)]
    cells = {line.split()[0]: line.split() for line in lines}
    assert sorted(int(k) for k in cells if k != "I") == sorted(e.years)
    total = cells["I"][2:]  # "I alt" is two words
    assert [_number(v) for v in total[:4]] == [e.total.applications, e.total.rejected, e.total.granted_projects,
                                                e.total.pending]  # fmt: skip


def test_breakdown_workbook_read_back(outputs):
    """The breakdown workbook, read back with openpyxl: the year sheet, the theme sheet and Kontrol's codes."""
    e, wb = outputs.expected, outputs.workbook
    ws = wb["Årstabel"]
    header = [c.value for c in ws[3]]
    body = [dict(zip(header, (c.value for c in row), strict=True)) for row in ws.iter_rows(min_row=4)]
    body = [r for r in body if r["År"] is not None]
    by_year = {r["År"]: r for r in body if r["År"] != "I alt"}
    assert sorted(by_year) == sorted(e.years)
    for year, y in e.years.items():
        r = by_year[year]
        assert (r["Ansøgninger"], r["Tilsagn"], r["Støttebeløb i alt"], r["Økonomisk ramme"]) == (
            y.applications, y.granted_projects, y.granted, y.framework)  # fmt: skip
    total = next(r for r in body if r["År"] == "I alt")
    assert (total["Ansøgninger"], total["Tilsagn"], total["Støttebeløb i alt"]) == (
        e.total.applications, e.total.granted_projects, e.total.granted)  # fmt: skip
    themes = [[c.value for c in row] for row in wb["Indsatsområder"].iter_rows(min_row=4)]
    theme_total = next(r for r in themes if r[0] == "I alt")
    assert theme_total[1:3] == [e.total.granted_projects, e.total.granted]
    kontrol = wb["Kontrol"]
    head = [c.value for c in kontrol[3]]
    checks = [dict(zip(head, (c.value for c in row), strict=True)) for row in kontrol.iter_rows(min_row=4)]
    assert all(c["Kode"] for c in checks)
    assert {c["Kode"] for c in checks if c["Resultat"] != "OK"} == {code for code, _ in e.failing}


def test_report_context_figures(outputs):
    """The report's context: totals and year rows, formatted once, read back as numbers."""
    e, ctx = outputs.expected, outputs.context
    assert _kroner(ctx.granted_total) == e.total.granted
    assert _number(ctx.granted_projects) == e.total.granted_projects
    assert _number(ctx.applications) == e.total.applications
    got = {int(r.year): (_number(r.applications), _number(r.granted_projects), _number(r.granted)) for r in ctx.years}
    assert got == {y: (v.applications, v.granted_projects, v.granted) for y, v in e.years.items()}
    assert _kroner(ctx.themes_total.amount) == e.total.granted


def test_report_draft_read_back(outputs):
    """The rendered draft, read back with python-docx: the funnel table and the theme table."""
    e = outputs.expected
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in outputs.draft.tables]
    funnel = next(t for t in tables if t[0][:2] == ["År", "Ansøgninger"])
    rows = {r[0]: [_number(v) for v in r[1:5]] for r in funnel[1:]}
    assert rows.pop("I alt") == [e.total.applications, e.total.rejected, e.total.granted_projects, e.total.pending]
    assert {int(k): v for k, v in rows.items()} == {
        y: [v.applications, v.rejected, v.granted_projects, v.pending] for y, v in e.years.items()
    }
    word = load_pact(e.pact).report.words.one.casefold()  # "indsatsområde", "tema": the pact's word heads the table
    themes = next(t for t in tables if t[0][0].casefold() == word and t[0][1] == "Antal projekter")
    total = next(r for r in themes if r[0] == "I alt")
    assert (_number(total[1]), _kroner(total[2])) == (e.total.granted_projects, e.total.granted)


def test_cell_functions(outputs):
    """PAGT.BEVILGET, PAGT.ANTAL and PAGT.FORDELING over the overview's range (header row first)."""
    e = outputs.expected
    if e.sheet_rows is None:
        ws = openpyxl.load_workbook(outputs.path, data_only=True).worksheets[0]
        data = [list(r) for r in ws.iter_rows(values_only=True)]
    else:
        data = e.sheet_rows
    pact = e.pact
    assert cells.granted(data, pact=pact) == e.total.granted
    assert cells.count(data, pact=pact) == e.total.granted_projects
    by_theme = cells.distribution(data, "tema", pact)
    assert by_theme[-1][1:3] == [e.total.granted_projects, e.total.granted]
    by_year = cells.distribution(data, "år", pact)
    got = {r[0]: (r[1], r[2]) for r in by_year[1:-1]}
    with_rows = {y: (v.granted_projects, v.granted) for y, v in e.years.items() if v.applications}
    assert got == with_rows
    for year, y in e.years.items():
        assert cells.granted(data, year, pact=pact) == y.granted
