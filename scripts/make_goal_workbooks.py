"""Build the goal follow-up form and the two pacts' sample goal workbooks (deterministic: same bytes every run).

Run: .venv/bin/python scripts/make_goal_workbooks.py [--form FILE] [--samples DIR]

* pagt_xl/templates/maalopfoelgning.xlsx: the empty form, two sheets — "Målopfølgning"
  (År | Indikator | Antal | Kilde | Note, one row per indicator and year) and
  "Aktiviteter" (Dato | Indsatsområde | Aktivitet | Beskrivelse | Sagsnr.), with
  drop-down lists of the activity kinds.
* workbooks/maalopfoelgning_nordjylland.xlsx and workbooks/maalopfoelgning_midtjylland.xlsx:
  EXAMPLES with made-up figures (marked so in the sheets), for ``pagt-xl maal`` and ``demo``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import sys
from pathlib import Path

import xlsxwriter

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
from _reproducible import fixed_zip  # noqa: E402

sys.path.insert(0, str(ROOT))

from pagt_xl.base.config import load_pact  # noqa: E402

FORM = ROOT / "pagt_xl" / "templates" / "maalopfoelgning.xlsx"
SAMPLES = ROOT / "workbooks"
FIGURE_HEADERS = ["År", "Indikator", "Antal", "Kilde", "Note"]
ACTIVITY_HEADERS = ["Dato", "Indsatsområde", "Aktivitet", "Beskrivelse", "Sagsnr."]
EXAMPLE = "EKSEMPEL: opdigtede tal til afprøvning af pagt-xl — ikke rigtige data."
DST = "Danmarks Statistik, UDDAKT (eksempel)"

#: Nordjylland: fuldførte (made up). Higher education runs ahead of the path, vocational behind.
NORD_FIGURES: list[tuple[int, str, int, str]] = [
    (2019, "Fuldførte videregående STEM-uddannelser", 2140, DST),
    (2020, "Fuldførte videregående STEM-uddannelser", 2205, DST),
    (2021, "Fuldførte videregående STEM-uddannelser", 2262, DST),
    (2022, "Fuldførte videregående STEM-uddannelser", 2310, DST),
    (2023, "Fuldførte videregående STEM-uddannelser", 2371, DST),
    (2019, "Fuldførte STEM-erhvervsuddannelser", 1480, DST),
    (2020, "Fuldførte STEM-erhvervsuddannelser", 1466, DST),
    (2021, "Fuldførte STEM-erhvervsuddannelser", 1502, DST),
    (2022, "Fuldførte STEM-erhvervsuddannelser", 1519, DST),
    (2023, "Fuldførte STEM-erhvervsuddannelser", 1541, DST),
]

_AREA1 = "1. Ambassadørindsatser og virksomhedssamarbejder"
_AREA2 = "2. Tematikker i teknologipagten og prioritering af uddannelsesmidler"
_AREA3 = "3. Internationale samarbejder"
_AREA4 = "4. Søgning af fondsmidler"
_AREA5 = "5. Bredt samarbejde med det kommunale og nationale niveau"
#: Midtjylland: the action plan's activities 2022-2024 (made up).
MIDT_ACTIVITIES: list[tuple[dt.date, str, str, str, str]] = [
    (dt.date(2022, 3, 8), _AREA1, "Netværksmøde", "Netværksmøde med de tre ambassadørvirksomheder", ""),
    (dt.date(2022, 4, 1), _AREA2, "Fokustema", "Bæredygtighed", ""),
    (dt.date(2022, 4, 1), _AREA2, "Fokustema", "Informatik på alle uddannelsesniveauer", ""),
    (dt.date(2022, 6, 20), _AREA1, "Ambassadørprojekt", "Virksomheder i klasselokalet", ""),
    (dt.date(2022, 9, 14), _AREA3, "International ansøgning", "Erasmus+-ansøgning om STEM-lærerudveksling", ""),
    (dt.date(2022, 11, 2), _AREA4, "Fondsansøgning", "Ansøgning til Novo Nordisk Fonden om naturfagsløft", ""),
    (dt.date(2022, 11, 30), _AREA5, "Kommunalt møde", "Møde med KKR Midtjylland om STEM-strategi", ""),
    (dt.date(2023, 2, 15), _AREA1, "Netværksmøde", "Netværksmøde om praktikpladser i STEM-virksomheder", ""),
    (dt.date(2023, 3, 1), _AREA2, "Fokustema", "Piger og STEM", ""),
    (dt.date(2023, 5, 10), _AREA4, "Fondsansøgning", "Ansøgning til Industriens Fond", ""),
    (dt.date(2023, 8, 22), _AREA4, "Fondsansøgning", "Ansøgning til Villum Fonden", ""),
    (dt.date(2023, 10, 5), _AREA5, "Kommunalt møde", "Dialogmøde med Børne- og Undervisningsministeriet", ""),
    (dt.date(2024, 1, 24), _AREA1, "Netværksmøde", "Netværksmøde med virksomheder og erhvervsskoler", ""),
    (dt.date(2024, 3, 4), _AREA2, "Fokustema", "Kompetenceudvikling", ""),
    (dt.date(2024, 3, 4), _AREA2, "Fokustema", "Iværksætteri", ""),
    (dt.date(2024, 3, 4), _AREA2, "Fokustema", "Sprog og dobbeltkompetencer", ""),
    (dt.date(2024, 5, 16), _AREA1, "Ambassadørprojekt", "Ingeniører som rollemodeller i udskolingen", ""),
    (dt.date(2024, 9, 12), _AREA1, "Netværksmøde", "Netværksmøde om grøn omstilling", ""),
]


def _book(title: str, figures: list[tuple[int, str, int, str]], activities: list[tuple], example: bool) -> bytes:
    out = io.BytesIO()
    wb = xlsxwriter.Workbook(out, {"in_memory": True})
    wb.set_properties({"title": title, "author": "pagt-xl", "created": dt.datetime(2024, 1, 1)})
    bold = wb.add_format({"bold": True, "bottom": 1, "bg_color": "#DDEBF7"})
    big = wb.add_format({"bold": True, "font_size": 14})
    warn = wb.add_format({"bold": True, "font_color": "#C00000"})
    note = wb.add_format({"italic": True, "font_color": "#595959"})
    number = wb.add_format({"num_format": "#,##0"})
    date = wb.add_format({"num_format": "dd-mm-yyyy"})
    kinds = [k.name for k in load_pact("nordjylland").goals.kinds]

    ws = wb.add_worksheet("Målopfølgning")
    ws.write(0, 0, f"Målopfølgning — {title}", big)
    ws.write(1, 0, EXAMPLE if example else "Ét tal pr. indikator og år, indsat fra den offentlige statistik; "
             "skriv kilden på hver række.", warn if example else note)  # fmt: skip
    ws.write_row(3, 0, FIGURE_HEADERS, bold)
    for i, (year, indicator, value, source) in enumerate(figures, start=4):
        ws.write_number(i, 0, year)
        ws.write_string(i, 1, indicator)
        ws.write_number(i, 2, value, number)
        ws.write_string(i, 3, source)
    ws.set_column(0, 0, 8)
    ws.set_column(1, 1, 42)
    ws.set_column(2, 2, 10)
    ws.set_column(3, 3, 44)
    ws.set_column(4, 4, 30)
    ws.freeze_panes(4, 0)

    ws = wb.add_worksheet("Aktiviteter")
    ws.write(0, 0, f"Aktiviteter i handlingsplanen — {title}", big)
    ws.write(1, 0, EXAMPLE if example else "Én række pr. aktivitet; Sagsnr. kun når aktiviteten er et bevilget "
             "projekt (samme nummer som i ansøgningsoversigten).", warn if example else note)  # fmt: skip
    ws.write_row(3, 0, ACTIVITY_HEADERS, bold)
    for i, (day, area, kind, text, case) in enumerate(activities, start=4):
        ws.write_datetime(i, 0, dt.datetime.combine(day, dt.time()), date)
        ws.write_string(i, 1, area)
        ws.write_string(i, 2, kind)
        ws.write_string(i, 3, text)
        if case:
            ws.write_string(i, 4, case)
    ws.data_validation(4, 2, 500, 2, {"validate": "list", "source": kinds, "error_type": "warning"})
    ws.set_column(0, 0, 12)
    ws.set_column(1, 1, 52)
    ws.set_column(2, 2, 24)
    ws.set_column(3, 3, 56)
    ws.set_column(4, 4, 10)
    ws.freeze_panes(4, 0)
    wb.close()
    return fixed_zip(out.getvalue())


def main() -> None:
    """Write the form and the two samples."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--form", type=Path, default=FORM)
    ap.add_argument("--samples", type=Path, default=SAMPLES)
    args = ap.parse_args()
    args.form.write_bytes(_book("skabelon", [], [], example=False))
    (args.samples / "maalopfoelgning_nordjylland.xlsx").write_bytes(
        _book("Nordjysk Teknologipagt", NORD_FIGURES, [], example=True)
    )
    (args.samples / "maalopfoelgning_midtjylland.xlsx").write_bytes(
        _book("Midtjysk Teknologipagt", [], MIDT_ACTIVITIES, example=True)
    )
    print(f"skrevet: {args.form}, {args.samples}/maalopfoelgning_*.xlsx")


if __name__ == "__main__":
    main()
