"""Build the 2024 round samples in ``workbooks/`` (deterministic: same bytes every run).

``nordjylland_runde_2024.xlsx``
    The Nordjylland round of 2024 before the regional council's decision: a
    prioritised project already granted this year (950.000 kr.), an open round
    (7 applications) and small projects (3, at most 100.000 kr. each), with the
    special theme AI (seed ``004_…``: "øge fokus på teknologisk dannelse, herunder
    AI"). Scores per criterion for most applications (one is not yet assessed),
    the staff's "Indstilling" (ja/nej/delvis), "Indstillet beløb" and
    "Begrundelse" for some; the rest are left to the suggestion. The framework
    of 2024 is 5.000.000 kr. (sheet "Ramme").

``nordjylland_runde_2024_afgjort.xlsx``
    The same round after the decision: the council followed the memo (Tilsagn
    with the recommended amounts, Afslag for the rest); one letter per
    application comes out of ``pagt-xl breve``.

``budgetter_runde_2024/``
    The applicants' budget forms (``pagt_xl/templates/budgetskema.xlsx``) of three recommended
    applications. "Grøn teknologi i erhvervsuddannelserne" budgets 80.000 kr. for operations
    ("Drift: leje af værksted"), which the pool never funds: ``pagt-xl indstilling --budgets``
    flags it at the application's "Indstillet beløb" cell.

Applicants, titles and amounts are invented. Usage:
``python scripts/make_round_samples.py [--out DIR]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_samples import KR, save_deterministic

ROOT = Path(__file__).resolve().parent.parent
P, A, S = "Prioriteret runde", "Åben runde", "Småprojekter"
START, END = dt.datetime(2024, 8, 1), dt.datetime(2026, 7, 31)
SMALL_END = dt.datetime(2025, 6, 30)

HEADER = [
    "Sagsnr.", "År", "Runde", "Projekttitel", "Ansøger", "Indsatsområde", "Type", "Kort resumé", "Ansøgt beløb (kr.)",
    "Projektstart", "Projektslut", "Afgørelse", "Støttebeløb (kr.)",
    "Relevans for indsatsområdet", "Forankring", "Økonomi/realisme", "Nye målgrupper",
    "Indstilling", "Indstillet beløb (kr.)", "Begrundelse",
]  # fmt: skip
WIDTHS = [10, 7, 17, 44, 30, 34, 24, 50, 14, 12, 12, 11, 14, 12, 12, 12, 12, 11, 14, 50]

# case, round, title, applicant, theme, type, summary, applied, scores (4 or None), recommendation,
# recommended, reason, decision after the council (granted amount or None)
ROWS: list[tuple] = [
    ("24/0101", P, "LabSTEM Nord+ – AI-spor", "UCN", "4. STEM-kompetencer til alle", "Kompetenceopbyggende",
     "Et nyt spor i LabSTEM Nord+, hvor lærere fra hele uddannelseskæden udvikler forløb om teknologisk dannelse.",
     950_000, None, "", None, "", 950_000),
    ("24/0201", A, "AI i naturfagsundervisningen", "Aalborg Katedralskole", "1. De potentielle STEM'ere",
     "Kompetenceopbyggende", "Gymnasielærere udvikler og afprøver naturfagsforløb, hvor eleverne bruger AI-værktøjer.",
     1_200_000, (5, 4, 4, 4), "Ja", 1_200_000,
     "Stærk relevans for indsatsområde 1 og tydelig forankring i fagene.", 1_200_000),
    ("24/0202", A, "Piger koder AI", "EUC Nord", "2. Flere piger og kvinder i STEM", "Motiverende",
     "Kodecamps for piger i 8.-10. klasse med kvindelige rollemodeller fra nordjyske virksomheder.",
     800_000, (4, 5, 4, 5), "Ja", 800_000, "Når en ny målgruppe og bygger på erfaringer fra STEM-camps.", 800_000),
    ("24/0203", A, "Grøn teknologi i erhvervsuddannelserne", "Tech College Aalborg",
     "3. STEM-kompetencer målrettet de nordjyske virksomheders behov", "Kompetenceopbyggende",
     "Undervisningsforløb om varmepumper og solceller udviklet sammen med lokale virksomheder.",
     1_500_000, (4, 4, 3, 3), "Delvis", 1_000_000,
     "Relevant, men budgettet til udstyr er højt; indstilles med 1,0 mio. kr.", 1_000_000),
    ("24/0204", A, "STEM-rollemodeller i 8. klasse", "Aalborg Universitet", "1. De potentielle STEM'ere", "Motiverende",
     "Studerende besøger 8. klasser og fortæller om deres vej til en STEM-uddannelse.",
     650_000, (3, 3, 4, 2), "", None, "", None),
    ("24/0205", A, "Maskinlæring for HHX", "Hjørring Handelsskole", "4. STEM-kompetencer til alle", "Interessevækkende",
     "HHX-elever arbejder med data og maskinlæring i virksomhedscases.",
     900_000, (4, 3, 3, 4), "", None, "", None),
    ("24/0206", A, "Makerspace på tværs", "Frederikshavn Gymnasium", "4. STEM-kompetencer til alle",
     "Interessevækkende", "Et fælles makerspace for gymnasiets elever.",
     700_000, (2, 2, 3, 2), "Nej", None, "Projektet ligner drift af et eksisterende lokale og er svagt forankret.",
     None),
    ("24/0207", A, "Fremtidens STEM-lærere", "UCN", "3. STEM-kompetencer målrettet de nordjyske virksomheders behov",
     "Strategisk vidensopbygning", "Analyse af behovet for STEM-lærere i Nordjylland frem mod 2030.",
     1_100_000, None, "", None, "", None),
    ("24/0301", S, "AI-værksted for 1.g", "Brønderslev Gymnasium", "1. De potentielle STEM'ere", "Interessevækkende",
     "Et værksted, hvor 1.g-elever bygger deres egen lille sprogmodel.",
     95_000, (4, 4, 5, 3), "Ja", None, "Lille, velafgrænset forsøg med særtemaet AI.", 95_000),
    ("24/0302", S, "Kodeklub for piger", "Thisted Gymnasium", "2. Flere piger og kvinder i STEM", "Motiverende",
     "En ugentlig kodeklub for piger på 1. og 2. årgang.",
     80_000, (3, 4, 4, 4), "", None, "", None),
    ("24/0303", S, "Droner i matematik", "Skagen Skole", "4. STEM-kompetencer til alle", "Interessevækkende",
     "Matematikundervisning i udskolingen med droner.",
     100_000, (3, 3, 3, 3), "Nej", None, "Grundskoleprojekt uden kobling til ungdomsuddannelserne.", None),
]  # fmt: skip

FRAMEWORK_2024 = (2024, 5_000_000, 1_000_000, 4_000_000)


def _row(r: tuple, decided: bool) -> list[object]:
    case, rnd, title, applicant, theme, kind, summary, applied, scores, rec, amount, reason, council = r
    if rnd == P:  # granted earlier in the year, before the open round
        decision, granted = "Tilsagn", council
    elif decided:
        decision, granted = ("Tilsagn", council) if council else ("Afslag", None)
    else:
        decision, granted = "Afventer", None
    end = SMALL_END if rnd == S else END
    return [case, 2024, rnd, title, applicant, theme, kind, summary, applied, START, end, decision, granted,
            *(scores or (None,) * 4), rec or None, amount, reason or None]  # fmt: skip


def write_round(path: Path, *, decided: bool) -> None:
    """One round workbook: "Ansøgninger 2024" and "Ramme"."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Ansøgninger 2024"
    after = " (efter Regionsrådets beslutning)" if decided else ""
    ws["A1"] = "Nordjysk Teknologipagt – ansøgningsrunde 2024" + after
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Vurdering: score 1-5 pr. kriterium. Indstilling: Ja, Nej eller Delvis."
    ws["A2"].font = Font(italic=True)
    for j, h in enumerate(HEADER, start=1):
        c = ws.cell(row=4, column=j, value=h)
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
        ws.column_dimensions[get_column_letter(j)].width = WIDTHS[j - 1]
    for i, r in enumerate(ROWS, start=5):
        for j, value in enumerate(_row(r, decided), start=1):
            if value is None:
                continue
            c = ws.cell(row=i, column=j, value=value)
            if j in (9, 13, 19):
                c.number_format = KR
            elif j in (10, 11):
                c.number_format = "dd.mm.yyyy"
    ws.freeze_panes = "E5"
    fw = wb.create_sheet("Ramme")
    fw["A1"] = "Økonomisk ramme 2024"
    fw["A1"].font = Font(bold=True, size=12)
    for j, h in enumerate(["År", "Økonomisk ramme (kr.)", "Prioriteret runde (kr.)", "Åben runde (kr.)"], start=1):
        fw.cell(row=3, column=j, value=h).font = Font(bold=True)
        fw.column_dimensions[get_column_letter(j)].width = 10 if j == 1 else 24
    for j, v in enumerate(FRAMEWORK_2024, start=1):
        c = fw.cell(row=4, column=j, value=v)
        if j > 1:
            c.number_format = KR
    save_deterministic(wb, path)


#: case → extra cost lines (category, description, amount) of its budget form
BUDGETS: dict[str, list[tuple[str, str, int]]] = {
    "24/0201": [],
    "24/0202": [],
    "24/0203": [("Drift", "Leje af værksted", 80_000)],
}


def write_budgets(folder: Path) -> list[Path]:
    """The budget forms of :data:`BUDGETS`: a quarter own financing, the rest sought from the pool."""
    from make_budget_workbooks import write_form

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for case, extra in BUDGETS.items():
        r = next(x for x in ROWS if x[0] == case)
        applied = r[7]
        own = applied // 4
        total = applied + own
        base = [("Løn og timer", "Lærer- og projektledertimer", round(total * 0.6, -3)),
                ("Materialer og udstyr", "Udstyr til forløb", round(total * 0.25, -3))]  # fmt: skip
        rest = total - sum(x[2] for x in base) - sum(x[2] for x in extra)
        lines = [(c, d, a, {}) for c, d, a in [*base, ("Kommunikation", "Formidling", rest), *extra]]
        path = folder / f"{case.replace('/', '-')}_budget.xlsx"
        write_form(path, {"case_id": case, "title": r[2], "applicant": r[3], "year": 2024, "start": START.date(),
                          "end": (SMALL_END if r[1] == S else END).date(), "lines": lines, "own": own, "partner": 0,
                          "sought": applied, "granted": None})  # fmt: skip
        written.append(path)
    return written


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "workbooks")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    write_round(args.out / "nordjylland_runde_2024.xlsx", decided=False)
    write_round(args.out / "nordjylland_runde_2024_afgjort.xlsx", decided=True)
    write_budgets(args.out / "budgetter_runde_2024")
    print(f"Runde-eksempler skrevet til {args.out}")


if __name__ == "__main__":
    main()
