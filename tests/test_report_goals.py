"""The status report's chapter "Målopfølgning" (issue 17), read back from the written .docx."""

from __future__ import annotations

import json

import docx
import pytest
from conftest import WORKBOOKS
from docx.oxml.ns import qn

OVERVIEWS = {
    "nordjylland": WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx",
    "midtjylland": WORKBOOKS / "midtjylland_projekter_2018.xlsx",
}


def _chapter(path) -> tuple[list[str], list[list[list[str]]], list[str]]:
    """The chapter's paragraphs, its tables (rows of cell texts) and its pictures' alt texts."""
    d = docx.Document(str(path))
    body = d.element.body
    paragraphs, tables, alts, inside = [], [], [], False
    for child in body.iterchildren():
        if child.tag == qn("w:p"):
            p = docx.text.paragraph.Paragraph(child, d)
            if p.style.name == "Heading 1":
                inside = p.text == "Målopfølgning"
            if inside:
                paragraphs.append(p.text)
                alts += [dp.get("descr") for dp in child.iter(qn("wp:docPr"))]
        elif child.tag == qn("w:tbl") and inside:
            t = docx.table.Table(child, d)
            tables.append([[c.text for c in row.cells] for row in t.rows])
    return paragraphs, tables, alts


@pytest.mark.parametrize("pact", ["nordjylland", "midtjylland"])
def test_chapter_read_back_for_both_pacts(cli, tmp_path, pact):
    goals = WORKBOOKS / f"maalopfoelgning_{pact}.xlsx"
    out = tmp_path / "rapport.docx"
    # Midtjylland's action plan runs 2022-2025: its report must reach into those years to show the plan
    period = ["--period", "2018-2024"] if pact == "midtjylland" else []
    proc = cli("report", OVERVIEWS[pact], "--pact", pact, "--goals", goals, *period, "--out", out,
               "--date", "2024-06-01")  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr  # Midtjylland's sample overview has a known data error
    paragraphs, tables, alts = _chapter(out)
    assert paragraphs and paragraphs[0] == "Målopfølgning"
    follow = json.loads(cli("maal", goals, "--pact", pact, "--format", "json").stdout)["follow_up"]
    if pact == "nordjylland":
        year_tables = [t for t in tables if t[0] == ["År", "Antal", "Indeks", "Sti", "Status"]]
        assert len(year_tables) == 2
        for table, ind in zip(year_tables, follow["indicators"], strict=True):
            assert [r[0] for r in table[1:]] == [str(y["year"]) for y in ind["years"]]
            last = table[-1][4]
            assert last.startswith("på sporet" if ind["years"][-1]["on_track"] else "bagud")
        assert len(alts) == 2 and all(a.startswith("Linjediagram: Fuldførte") for a in alts)
        assert "20 pct. flere fuldfører en STEM-erhvervsuddannelse i 2028" in paragraphs
    else:
        [plan] = [t for t in tables if t[0][0] == "Handlingsplanens område"]  # Midtjylland's "tema" is not this
        met = {(r[1], r[2]): r[5] for r in plan[1:]}
        for act in follow["activities"]:
            for y in act["years"]:
                numbered = y["min_per_year"] > 0 or y["max_per_year"] is not None
                expected = ("nået" if y["met"] else "ikke nået") if numbered else "-"
                assert met[act["kind"], str(y["year"])] == expected
        assert met["Ambassadørprojekt", "2023"] == "ikke nået"
        assert alts == []


@pytest.mark.parametrize("pact", ["nordjylland", "midtjylland"])
def test_report_without_goal_data_says_what_is_missing(cli, tmp_path, pact):
    """Every pact's report has the chapter; without a goal file it lists the pact's goals and a marked prompt."""
    from pagt_xl.base.config import load_pact

    out = tmp_path / "rapport.docx"
    assert cli("report", OVERVIEWS[pact], "--pact", pact, "--out", out, "--date", "2024-06-01").returncode in (0, 1)
    paragraphs, tables, alts = _chapter(out)
    assert paragraphs[0] == "Målopfølgning" and tables == [] and alts == []
    prompt = next(p for p in paragraphs if p.startswith("[SKRIV: "))
    assert "målopfølgning" in prompt
    stated = load_pact(pact).goals
    for goal in [*stated.measured, *stated.activities]:
        assert any(p.startswith(goal.text) for p in paragraphs), goal.text
    runs = [r for p in docx.Document(str(out)).paragraphs if p.text == prompt for r in p.runs]
    assert runs and all(r.font.highlight_color is not None for r in runs if r.text.strip())  # marked yellow


def test_goal_chapter_stays_within_the_report_period(cli, tmp_path):
    """Midtjylland's 2018 report: the action plan (2022-2025) is outside its period and says so, no table of it."""
    out = tmp_path / "rapport.docx"
    goals = WORKBOOKS / "maalopfoelgning_midtjylland.xlsx"
    proc = cli("report", OVERVIEWS["midtjylland"], "--pact", "midtjylland", "--goals", goals, "--out", out,
               "--date", "2024-06-01")  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    paragraphs, tables, _ = _chapter(out)
    assert tables == []
    assert "Handlingsplanens aktiviteter gælder 2022-2025 og ligger uden for rapportens periode (2018)." in paragraphs
    assert not any(str(y) in " ".join(paragraphs) for y in (2019, 2020, 2021, 2023, 2024))


def test_report_period_ends_the_follow_up(cli, tmp_path):
    out = tmp_path / "rapport.docx"
    goals = WORKBOOKS / "maalopfoelgning_nordjylland.xlsx"
    proc = cli("report", OVERVIEWS["nordjylland"], "--period", "2019-2021", "--goals", goals, "--out", out)
    assert proc.returncode == 0, proc.stderr
    paragraphs, tables, _ = _chapter(out)
    assert "Pagtens mål følges op til og med 2021." in paragraphs
    year_tables = [t for t in tables if t[0][0] == "År"]
    assert all([r[0] for r in t[1:]] == ["2019", "2020", "2021"] for t in year_tables)
