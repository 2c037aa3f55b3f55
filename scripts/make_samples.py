"""Build the sample workbooks in ``workbooks/`` (deterministic: same bytes every run).

Nordjylland (``nordjylland_ansoegninger_2019-2023.xlsx``)
    The 27 funded projects are those in the status report 2019-2023
    (shared seed ``004_…``, "STØTTEDE PROJEKTER"). Titles, themes, summaries
    and types keep the report's own spellings, including its faults:
    "LamSTEM Nord+", cut-off themes ("3. STEM-kompetencer målrettet..."), and
    two 2021 projects under theme 1, although only themes 2 and 3 were open
    in 2021. Amounts stated in the report are used as they are: RPA 404.567,
    Book en ekspert 700.000, Videnskabsmødet 100.000, Foranalyse 300.000,
    FremKom 4 500.000, Halvdags konference 200.000, De potentielle STEM'er
    345.353, Strømby 1.125.000, rekrutteringsunivers 1.157.307, LabSTEM
    Nord+ 1,3 mio. and the largest grant 4,2 mio. (Computational Thinking).
    The others are chosen so that each year's total rounds to the report's
    key figures (4,95/5,35/4,54/2,76/5,64 mio.), the cumulative figures
    (4,95/10,30/14,84/17,60/23,23) hold, and the grand total is the report's
    23.231.178 kr. The prioritised round matches 0,10/1,63/0,80/1,50/0,92 mio.
    The report's own open-round figures for 2020 and 2023 cannot both hold
    (its 2020 rounds add up to 5,36, not 5,35), so the open round is the
    remainder. Applications, rejections and grants per year are the report's
    10/6/4, 13/8/5, 8/1/7, 4/1/3 and 13/5/8. The 21 rejected applications are
    invented. Status, progress and activity targets follow the report where
    it gives them. The column "Slutrapport godkendt" (issue 25, the commitment
    ledger) dates the final reports of finished projects: 31 March after the
    project's last year, when that is before the overview's date; a project
    that ended in 2023 still waits for its approval (its held-back part is
    not paid, see ``make_payment_workbooks.py``).

Midtjylland (``midtjylland_projekter_2018.xlsx``)
    The first projects from the 2019 slides (seed ``000_…``), including
    "Nationalt udbud", which is not one of the pact's 9 themes. The tool must
    flag it. Applicants and amounts are invented.

Usage: ``python scripts/make_samples.py [--out DIR]``
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parent.parent
FIXED = dt.datetime(2024, 2, 15, 9, 0, 0)

T1 = "1. De potentielle STEM'ere"
T1b = "De potentielle STEM'ere"
T2 = "2. Flere piger og kvinder i STEM"
T3c = "3. STEM-kompetencer målrettet..."
T4 = "4. STEM-kompetencer til alle"
T4b = "STEM kompetencer til alle"
P, A, S = "Prioriteret runde", "Åben runde", "Småprojekter"
GYM, EUD, VID, GRU, KOM = "Gymnasium", "Erhvervsskole", "Videregående", "Grundskole", "Kommune/region"

V = [
    "Opkvalificering af lærere, rollemodeller mv.",
    "Værdibaserede STEM-læringsforløb",
    "Tværfaglige/PBL/anvendelsesorienterede forløb",
    "Vejledning og informationstiltag for elever",
    "Møder med rollemodeller",
    "Virksomhedsbesøg",
    "Programmering og eksperimenter",
    "Strategisk vidensopsamling",
]

# (year, round, title, theme, summary, type, granted, applied, period, status, progress,
#  partners, instruments, targets (grundskole, ungdom, videregående, fagpersoner), learning)
# A granted value given as text is written as typed text, as staff do.
FUNDED: list[tuple] = [
    # 2019: 4.949.000 kr.
    (2019, P, "Videnskabsmødet v/Aalborg Universitet", T1, "Etablering og afholdelse af et 3-dages event som et åbent og gratis folkemøde for alle med interesse for videnskab og teknologi.", "Interessevækkelse", 100_000, 150_000, "10.10.2019-31.12.2020", "Afsluttet", "", [VID, GYM], [V[3], V[4]], (None, 500, 200, None), "Eksponering og aktiv deltagelse kan vække børn og unges interesse for videnskab."),
    (2019, A, "De potentielle STEM'er sidder måske i samfundsmæssige studieretninger v/Vesthimmerlands Gymnasium", T1, "Udvikling af 6 tværfaglige, problembaserede undervisningsforløb, der kan inkludere virksomhedsbesøg/Besøg på videregående uddannelser", "Kompetenceopbygning", "345.353 kr.", 400_000, "2020-2022", "Afsluttet", "", [GYM, VID], [V[2], V[5]], (None, 450, None, 12), "Der sidder mange naturvidenskabeligt interesserede elever i samfundsmæssige studieretninger."),
    (2019, A, "KRAM - Kvindelige rollemødder og ambassadører v/AMU Nordjylland", T2, "Udvikling af og rekruttering til et kvindeligt, nordjysk korps af ambassadører og rollemødder, der skal vise de unge kvinder den røde tråd fra uddannelse til et STEM job.", "Motiverende", 303_647, 350_000, "2019-2024", "Igangværende", "God", [EUD, GYM, GRU], [V[4], V[3]], (320, 448, None, 20), ""),
    (2019, A, "Computational Thinking v/EUC Nord", T1, "Udvikling af små højtintensive digitale og teknologiske workshops særligt målrettet folkeskoleelever og erhvervsskoleelever.", "Kompetenceopbygning", 4_200_000, 4_500_000, "2019-2024", "Igangværende", "God", [EUD, GYM, GRU], [V[6], V[0], V[2]], (1400, 2000, None, 30), ""),
    # 2020: 5.349.000 kr.
    (2020, P, "Universitarium Strømby v/Aalborg Universitet", "4. STEM-kompetencer til alle", "Udvikling af interaktiv modelby og app-spil, der formidler hvordan man forsyner samfundet med strøm. Modelbyerne vil være tilgængelige via udvalgte nordjyske biblioteker.", "Interessevækkelse", "1.125.000", 1_200_000, "2021-2022", "Afsluttet", "", [VID, KOM], [V[6], V[3]], (1500, 500, None, None), "Spillet nåede ud til 2000+ brugere og engagerede børn og voksne gennem det interaktive format."),
    (2020, P, "FremKom 4 v/Region Nordjylland", T3c, "Analyse om fremtidens kompetencebehov i Nordjylland 5 år frem, med særligt fokus på STEM", "Strategisk vidensopbygning", 500_000, 500_000, "2021-2022", "Afsluttet", "", [KOM, VID], [V[7]], (None, None, None, 40), "Fremkom 4 bekræftede, at manglen på STEM-kompetencer er et vedvarende problem."),
    (2020, A, "Foranalyse Bæredygtighedsakademiet v/Aalborg Katedralskole", T4, "Analyse der skal danne videngrundlag for det kommende Bæredygtighedsakademi, med særlig fokus på STEM-fag. Akademiet vil have til formål at styrke inddragelsen af bæredygtigheds i undervisningen.", "Strategisk vidensopbygning", "kr. 300.000,-", 300_000, "2021-2022", "Afsluttet", "", [GYM], [V[7], V[0]], (None, None, None, 25), "Analysen kortlagde undervisernes behov for kompetenceopbygning i bæredygtighed."),
    (2020, A, "Book en ekspert til gymnasiet i RN v/Aalborg Gymnasium", T1, "Udvikling en ordning med digitale rollemodel-møder, og rekruttering af nordjyske eksperter til ordningen.", "Motiverende", "700 t.kr.", 750_000, "2020-2022", "Afsluttet", "", [GYM, VID], [V[4], V[3]], (None, 1000, None, None), "Korpset på 71 rollemodeller nåede 540 elever; corona gjorde besøgene vanskelige."),
    (2020, A, "LabSTEM Nord v/Aalborg Universitet", T1, "Udarbejder en sammenhængende, problem-baseret STEM-didaktik via STEM-læringsforløb der udvikles i digitale laboratorier med nordjyske lærere fra alle niveauer i uddannelsessystemet.", "Kompetenceopbygning", 2_724_000, 3_000_000, "2020-2023", "Igangværende", "God", [VID, GYM, EUD, GRU], [V[0], V[2], V[1]], (1800, 5750, 1300, 74), ""),
    # 2021: 4.538.000 kr.
    (2021, A, "Et fælles naturvidenskabeligt rekrutteringsunivers på sporet v/SOSU Nord", T2, "Udarbejdelse og afholdelse af STEM-camps for elever i grundskolen, med særlig fokus på at rekruttere piger.", "Interessevækkelser", 1_157_307, 1_200_000, "2021-2023", "Afsluttet", "", [EUD, GYM, GRU], [V[4], V[1], V[3]], (115, None, None, None), "STEM-camps har fået de unge til at få øjnene op for EUX og naturvidenskabelige retninger på STX."),
    (2021, A, "STEM for pigerne v/Mariagerfjord Gymnasium", T2, 'Projektets vil styrke pigernes interesse for videnskab allerede på mellemtrinnet i grundskolen, gennem undervisningsforløb, temadage og "book et STEM besøg"', "Kompetenceopbygning", 412_693, 450_000, "2021-2024", "Igangværende", "God", [GYM, GRU], [V[4], V[1]], (92, 51, None, None), ""),
    (2021, A, "RPA på EUD/EUX v/EUC Nordvest", T3c, "Projektet vil uddanne unge EUD/EUX Business-elever indenfor brugen af kontorrobotter (robotic process automation – RPA).", "Kompetenceopbygning", "404.567 kr.", 450_000, "2021-2022", "Afsluttet", "", [EUD], [V[6], V[5]], (None, 215, None, None), "215 elever gennemførte forløbene på de tre skoler med positiv feedback."),
    (2021, A, "Piger i STEM v/UCN", T2, "Udvikling og afprøvning af STEM-forløb efter strukturen i en Engineering Design Proces (EDP) på unge i aldersgruppen 11-18 år, med særligt fokus på pigerne.", "Strategisk vidensopbygning", 563_433, 600_000, "2021-2024", "Igangværende", "Acceptabel", [VID, EUD, GRU], [V[1], V[0]], (400, 400, None, 30), ""),
    (2021, P, "Coding Pirates v/EUC Nordvest", T3c, "Coding Pirates er et landsdækkende fritidstilbud for unge i alderen 7-17 år. I projektet udbredes tilbuddet til yderligere 4 lokationer i Nordjylland, forankret på de tekniske gymnasier.", "Kompetenceopbygning", 600_000, 600_000, "2021-2024", "Igangværende", "Acceptabel", [EUD, GYM], [V[6]], (160, None, None, None), ""),
    (2021, A, "STEM Caféer v/EUC Nordvest", T1, "Projektet vil vække interesse og inspirere flere unge i Nordjylland til at gå STEM-vejen. Dette gøres ved at udvikle og gennemføre 60 STEM-caféer for ca. 1500 unge på ungdomsuddannelser i Nordjylland, hvor mødet med en STEM-rollemodel er centralt.", "Interessevækkelser", 1_200_000, 1_300_000, "2021-2024", "Igangværende", "God", [EUD, GYM], [V[4], V[3]], (None, 1265, None, None), ""),
    (2021, P, "Halvdags STEM-konference v/Region Nordjylland", T1, "Indsatsen har til formål at styrke vidensniveauet i Nordjylland om best practice på STEM-området, og sikre stærkere koordinering og samarbejde blandt aktørerne.", "Strategisk vidensopbygning", 200_000, 200_000, "2021-2022", "Afsluttet", "", [KOM], [V[7]], (None, None, None, 60), "Konferencen styrkede koordinationen og samarbejdet mellem STEM-aktører i regionen."),
    # 2022: 2.759.500 kr.
    (2022, A, "STEM Brobygning – for lærere v/Hasseris Gymnasium", T4, "Projektet behandler den faglige kløft, der er mellem lærernes forståelse af hinanden. Lærere fra grundskole og fra STX mødes og behandler den didaktiske og faglige tilgang til STEM fagene.", "Kompetenceopbygning", 459_500, 500_000, "2022-2024", "Igangværende", "Langsom", [GYM, GRU], [V[0]], (200, 200, None, 50), ""),
    (2022, P, "Samarbejdsmodel om kompetenceudvikling indenfor digital transformation v/UCN", T3c, "En række uddannelsesinstitutioner går sammen om at afsøge en model for opkvalificering af STEM til digital transformation i det nordjyske erhvervs liv.", "Strategisk vidensopbygning", 1_500_000, 1_500_000, "2022-2024", "Igangværende", "God", [VID, EUD], [V[5], V[7]], (None, None, None, 30), ""),
    (2022, A, "Talstærk - du kan mere med matematik v/Vesthimmerlands Gymnasium", T1, "Gymnasier udvikler og gennemfører undervisningsforløb i matematik med 8. klasser fra grundskoler, som afsluttes med en fælles matematikkonference. Tilsvarende forløb udvikles af EUX.", "Kompetenceopbygning", 800_000, 850_000, "2022-2024", "Igangværende", "God", [GYM, EUD, GRU], [V[2], V[4]], (650, 650, None, None), ""),
    # 2023: 5.635.678 kr.
    (2023, A, "Prøv kræfter med STEM på HTX v/ HEG", T1b, "Projektet vil øget indsigten i STEM-fagene og STEM-uddannelsesveje blandt grundskoleelever. Dette skal medføre øget optag på HTX fra de grundskoler, som indgår i projektet.", "Motiverende", 650_000, 700_000, "2023-2025", "Igangværende", "God", [GYM, GRU], [V[4], V[3]], (300, 60, None, None), ""),
    (2023, S, "Makerspace v/ SOSU STV", T4b, "Gennem projektet skal eleverne opnå styrkede kompetencer indenfor kreativitet, kollaboration, kritisk tænkning og kommunikation. Dette skal opnås gennem et makerspace, som er et læringsredskab til at opnå disse kompetencer.", "Kompetenceopbygning", 95_000, 95_000, "2023-2024", "Igangværende", "God", [EUD], [V[6]], (None, 120, None, None), ""),
    (2023, A, "Sammenhæng, bæredygtighed og virksomhedstilknytning skal styrke STEM og EUX-identiteten v/ EUC Nordvest", T4b, "Projektet vil kompetenceudvikle undervisere og videndele på tværs af uddannelsesinstitutioner samt øget sammenhængen i EUX-uddannelserne med STEM-kompetencer og bæredygtighed som omdrejningspunkt", "Kompetenceopbygning", 875_678, 900_000, "2023-2025", "Igangværende", "God", [EUD, GYM], [V[0], V[1]], (None, 300, None, 40), ""),
    (2023, S, "Synergier på EUX v/ TECHCOLLEGE", T4b, "Projektet vil høste erfaringer med at koble en gymnasielærer sammen med en faglærer ind i gymnasiefaget. Dermed vil lærerne opnå en faglig relation mellem hinanden og hinandens fag.", "Kompetenceopbygning", 100_000, 100_000, "2023-2024", "Igangværende", "God", [EUD], [V[0]], (None, 80, None, 8), ""),
    (2023, A, "Talstærk 2,0 v/ Vesthimmerlands Gymnasier og HF", T1b, "Gennem projektet udvikles og afholdes workshops om matematikdidaktik mellem grundskole og gymnasium/EUX. Gennem workshops får grundskoleeleverne gode oplevelser med anvendelsesorienteret matematik, og ser hvor vigtig matematik er for samfundet.", "Kompetenceopbygning", 750_000, 800_000, "2023-2025", "Igangværende", "God", [GYM, EUD, GRU], [V[2], V[4]], (650, 500, None, None), ""),
    (2023, A, "Klar – Parat – Gymnasiestart v/EUC Nord", T1b, "I projektet udvikles faglige forløb, som gennemføres ude på grundskolerne samt i HTX-miljøet. Dermed får grundskoleeleverne bedre kendskab til hvad det vil sige at gå på HTX.", "Motiverende", 945_000, 1_000_000, "2023-2025", "Igangværende", "God", [GYM, GRU], [V[3], V[4]], (400, 100, None, None), ""),
    (2023, A, "LamSTEM Nord+ v/ Aalborg Universitet", T1b, "Udvidelse af læringsmodeller for problem-baseret-læring i ungdomsuddannelser og grundskoler. Derudover vil projektet udbrede den udviklede STEM-didaktik til nye skoler", "Kompetenceopbygning", "1,3 mio. kr.", 1_400_000, "2023-2025", "Igangværende", "God", [VID, GYM, EUD, GRU], [V[0], V[2], V[1]], (1500, 3000, 500, None), ""),
    (2023, P, "Nordjysk Science Dyst v/ Region Nordjylland", T1b, "Nordjysk Science Dyst er en dyst, hvori Brønderslev Forsyning præsenterer et reelt behov relateret til fjernvarme og el. Gymnasieelever dystet om at løse problemstillinger i mindre grupper. Når dagen er slut, kåres en vinder.", "Interessevækkelse", 920_000, 920_000, "2023-2025", "Igangværende", "God", [GYM, KOM], [V[5], V[1]], (None, 600, None, None), ""),
]

# (year, round, title, theme, type, applied) — invented rejected applications
REJECTED: list[tuple] = [
    (2019, A, "Robotter i indskolingen v/Hjørring Gymnasium", T1, "Interessevækkelse", 450_000),
    (2019, A, "STEM-sommerskole v/Frederikshavn Gymnasium", T1, "Motiverende", 600_000),
    (2019, A, "Droner i faget v/Tech College Aalborg", T3c, "Kompetenceopbygning", 750_000),
    (2019, A, "Naturfagsambassadører v/Thisted Gymnasium", T2, "Motiverende", 300_000),
    (2019, A, "Energi i lokalsamfundet v/Morsø Gymnasium", T4, "Interessevækkelse", 250_000),
    (2019, A, "Digital dannelse på EUD v/EUC Nord", T4, "Kompetenceopbygning", 500_000),
    (2020, A, "Matematikvejledere v/Brønderslev Gymnasium", T1, "Kompetenceopbygning", 400_000),
    (2020, A, "Piger koder v/Aalborg Handelsskole", T2, "Interessevækkende", 350_000),
    (2020, A, "Fremtidens landbrug v/Jordbrugets Uddannelsescenter", T3c, "Kompetenceopbygning", 800_000),
    (2020, A, "STEM-rollemodeller på tværs v/UCN", T1, "Motiverende", 650_000),
    (2020, A, "Science-klub v/Fjerritslev Gymnasium", T4, "Interessevækkelse", 200_000),
    (2020, A, "Virtuelle laboratorier v/Aalborg Katedralskole", T4, "Kompetenceopbygning", 900_000),
    (2020, A, "Teknologiforståelse i 10. klasse v/10. klasseskolen Aalborg", T1, "Kompetenceopbygning", 300_000),
    (2020, A, "Grønne elektrikere v/Tech College Aalborg", T3c, "Kompetenceopbygning", 700_000),
    (2021, A, "Kvinder i tech-fællesskab v/Aalborg Universitet", T2, "Motiverende", 550_000),
    (2022, A, "Biotek-camp v/Hjørring Gymnasium", T4, "Interessevækkelse", 400_000),
    (2023, A, "AI i undervisningen v/Aalborg Tekniske Gymnasium", T4b, "Kompetenceopbygning", 600_000),
    (2023, A, "STEM-karrieredag v/Frederikshavn Handelsskole", T1b, "Motiverende", 250_000),
    (2023, S, "3D-print i værkstedet v/EUC Nordvest", T4b, "Kompetenceopbygning", 98_000),
    (2023, A, "Havets teknologi v/Skagen Skole", T1b, "Interessevækkelse", 350_000),
    (2023, P, "Regional STEM-analyse v/Business Aalborg", T3c, "Strategisk vidensopbygning", 1_000_000),
]

FRAMEWORK = [  # year, total, prioritised, open (mio. kr., the report's key figures)
    (2019, 4.95, 0.10, 4.85),
    (2020, 5.35, 1.63, 3.73),
    (2021, 4.54, 0.80, 3.74),
    (2022, 2.76, 1.50, 1.26),
    (2023, 5.64, 0.92, 4.71),
]

HEADER = [
    "År", "Sagsnr.", "Runde", "Projektitel", "Indsatsområde", "Type", "Kort resumé", "Ansøgt beløb (kr.)",
    "Afgørelse", "Støttebeløb (kr.)", "Projektperiode", "Status", "Fremdrift", "Partnere", "Virkemidler",
    "Mål grundskole", "Mål ungdomsuddannelse", "Mål videregående", "Mål fagpersoner", "Læring",
    "Slutrapport godkendt", "Sagsbehandler",
]
WIDTHS = [7, 10, 17, 50, 36, 24, 60, 16, 10, 16, 22, 14, 11, 40, 50, 10, 10, 10, 10, 50, 14, 8]
#: the date on the overview ("Opdateret 15. februar 2024"): final reports approved up to it are dated
UPDATED = dt.date(2024, 2, 15)
KR = '#,##0 "kr."'


def _as_int(value: object) -> int:
    if isinstance(value, int):
        return value
    text = str(value).lower().replace("kr.", "").replace(",-", "").strip()
    if "mio" in text:
        return round(float(text.replace("mio.", "").replace(",", ".").strip()) * 1_000_000)
    if "t.kr" in str(value).lower() or text.endswith(" t."):
        return int(text.split()[0]) * 1000
    return int(text.replace(".", "").replace("t", "").strip())


def final_report_approved(period: str, status: str) -> dt.datetime | None:
    """The made-up approval date of a finished project's final report: 31 March after the period's last year,
    when that is before the overview's date (issue 25; a project that ended in 2023 still waits)."""
    if status != "Afsluttet":
        return None
    approved = dt.date(int(period[-4:]) + 1, 3, 31)
    return dt.datetime(approved.year, approved.month, approved.day) if approved <= UPDATED else None


def nordjylland_rows() -> list[list[object]]:
    """Data rows (with subtotal and blank rows) of the Nordjylland overview."""
    rows: list[list[object]] = []
    totals_applied = totals_granted = 0
    for year in range(2019, 2024):
        funded = [f for f in FUNDED if f[0] == year]
        rejected = [r for r in REJECTED if r[0] == year]
        entries: list[list[object]] = []
        for f in funded:
            (_, rnd, title, theme, summary, typ, granted, applied, period, status, progress, partners,
             instruments, targets, learning) = f
            entries.append([
                year, None, rnd, title, theme, typ, summary, applied, "Tilsagn", granted, period, status,
                progress, "; ".join(partners), "; ".join(instruments), *targets, learning or None,
                final_report_approved(period, status), "MD",
            ])
        for r in rejected:
            _, rnd, title, theme, typ, applied = r
            entries.append([
                year, None, rnd, title, theme, typ, None, applied, "Afslag", None, None, None, None,
                None, None, None, None, None, None, None, None, "LK",
            ])
        # interleave: order by case number as they came in (stable, deterministic)
        entries.sort(key=lambda e: str(e[3]))
        for k, e in enumerate(entries, start=1):
            e[1] = f"{year}-{k:02d}"
        # spelling variants staff type
        if year == 2020:
            entries[0][8] = "tilsagn" if entries[0][8] == "Tilsagn" else entries[0][8]
        if year == 2022:
            for e in entries:
                if e[2] == A:
                    e[2] = "Åben"
                    break
        if year == 2021:
            for e in entries:
                if e[2] == P:
                    e[2] = "prioriteret"
                    break
        applied_sum = sum(_as_int(e[7]) for e in entries)
        granted_sum = sum(_as_int(e[9]) for e in entries if e[9] is not None)
        rows.extend(entries)
        rows.append([f"I alt {year}", None, None, None, None, None, None, applied_sum, None, granted_sum])
        rows.append([])
        totals_applied += applied_sum
        totals_granted += granted_sum
    rows.append(["I alt", None, None, None, None, None, None, totals_applied, None, totals_granted])
    return rows


def write_nordjylland(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Ansøgninger"
    ws["A1"] = "Nordjysk Teknologipagt – ansøgningsoversigt 2019-2023"
    ws["A1"].font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws["A2"] = "Opdateret 15. februar 2024 af sekretariatet"
    ws["A2"].font = Font(italic=True)
    for j, h in enumerate(HEADER, start=1):
        c = ws.cell(row=4, column=j, value=h)
        c.font = Font(bold=True)
        c.alignment = Alignment(wrap_text=True, vertical="top")
    for i, row in enumerate(nordjylland_rows(), start=5):
        for j, value in enumerate(row, start=1):
            if value is None:
                continue
            c = ws.cell(row=i, column=j, value=value)
            if j in (8, 10) and isinstance(value, int):
                c.number_format = KR
            if isinstance(value, dt.datetime):
                c.number_format = "dd-mm-yyyy"
        if row and isinstance(row[0], str) and row[0].startswith("I alt"):
            for j in (1, 8, 10):
                ws.cell(row=i, column=j).font = Font(bold=True)
    for j, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(j)].width = w
    ws.column_dimensions[get_column_letter(len(HEADER))].hidden = True
    ws.freeze_panes = "A5"

    fw = wb.create_sheet("Ramme")
    fw["A1"] = "Økonomisk ramme pr. år"
    fw["A1"].font = Font(bold=True, size=12)
    for j, h in enumerate(
        ["År", "Økonomisk ramme (mio. kr.)", "Prioriteret runde (mio. kr.)", "Åben runde (mio. kr.)"], start=1
    ):
        fw.cell(row=3, column=j, value=h).font = Font(bold=True)
        fw.column_dimensions[get_column_letter(j)].width = 14 if j == 1 else 28
    for i, values in enumerate(FRAMEWORK, start=4):
        for j, v in enumerate(values, start=1):
            c = fw.cell(row=i, column=j, value=v)
            if j > 1:
                c.number_format = "0.00"
    save_deterministic(wb, path)


MIDT_HEADER = ["Titel", "Tema", "Ansøger", "År", "Ansøgt beløb", "Bevilget (kr.)", "Afgørelse"]
MIDT_ROWS = [
    ["Girls Day in Science og Tektanken", "Piger og STEM", "Aarhus Tech", 2018, 650_000, 600_000, "Tilsagn"],
    ["Flere piger og kvinder på erhvervsuddannelserne", "Piger og STEM", "Mercantec", 2018, 900_000, 850_000, "Tilsagn"],
    ["Book en ekspert", "Teknologiambassadører", "Aarhus Universitet", 2018, 1_200_000, 1_200_000, "Tilsagn"],
    ["Engineering i Gymnasiet", "Teknologiambassadører", "Viborg Katedralskole", 2018, 1_500_000, 1_350_000, "Tilsagn"],
    ["Modellering og Computational Thinking i Gymnasiefag", "Informatik", "Aarhus Universitet", 2018, 2_000_000, 1_900_000, "Tilsagn"],
    ["Digital Myndiggørelse", "Informatik", "VIA University College", 2018, 1_100_000, 1_000_000, "Tilsagn"],
    ["STEM vejen til erhvervsuddannelse og beskæftigelse", "Nationalt udbud", "Herningsholm Erhvervsskole", 2018, 2_500_000, 2_500_000, "Tilsagn"],
    ["Grøn omstilling i praksis", "Baeredygtighed", "Learnmark Horsens", 2018, 800_000, None, "Afslag"],
    ["Kreative makerspaces", "Kreativitet", "Randers HF & VUC", 2018, 400_000, None, "Afslag"],
    ["Iværksætterlab for STEM", "Iværksætteri", "Erhvervsakademi Aarhus", 2018, 700_000, None, "Afslag"],
]


def write_midtjylland(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Projekter"
    for j, h in enumerate(MIDT_HEADER, start=1):
        ws.cell(row=1, column=j, value=h).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(j)].width = [52, 24, 28, 7, 14, 14, 11][j - 1]
    for i, row in enumerate(MIDT_ROWS, start=2):
        for j, v in enumerate(row, start=1):
            if v is not None:
                c = ws.cell(row=i, column=j, value=v)
                if j in (5, 6):
                    c.number_format = KR
    save_deterministic(wb, path)


def save_deterministic(wb: Workbook, path: Path) -> None:
    """Save with fixed document times and zip entry times, so the bytes never change."""
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.creator = "pagt_xl make_samples.py"
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    out = io.BytesIO()
    stamp = re.compile(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)")
    with zipfile.ZipFile(buf) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = stamp.sub(rb"\g<1>2024-02-15T09:00:00Z\g<2>", data)
            zi = zipfile.ZipInfo(info.filename, date_time=(2024, 2, 15, 9, 0, 0))
            zi.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(zi, data)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(out.getvalue())
    tmp.replace(path)


def check(folder: Path) -> None:
    """Read the Nordjylland sample back and assert the figures the docstring promises."""
    from python_calamine import CalamineWorkbook

    rows = CalamineWorkbook.from_path(str(folder / "nordjylland_ansoegninger_2019-2023.xlsx")).get_sheet_by_name(
        "Ansøgninger"
    ).to_python(skip_empty_area=False)
    apps = [r for r in rows[4:] if isinstance(r[0], float)]
    per_year = {y: [r for r in apps if int(r[0]) == y] for y in range(2019, 2024)}
    assert [len(v) for v in per_year.values()] == [10, 13, 8, 4, 13]
    assert [sum(1 for r in v if r[8] == "Afslag") for v in per_year.values()] == [6, 8, 1, 1, 5]
    totals = {y: sum(_as_int(r[9] if isinstance(r[9], str) else int(r[9])) for r in v if r[9] != "")
              for y, v in per_year.items()}
    assert totals == {2019: 4_949_000, 2020: 5_349_000, 2021: 4_538_000, 2022: 2_759_500, 2023: 5_635_678}, totals
    assert sum(totals.values()) == 23_231_178


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "workbooks")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    write_nordjylland(args.out / "nordjylland_ansoegninger_2019-2023.xlsx")
    write_midtjylland(args.out / "midtjylland_projekter_2018.xlsx")
    check(args.out)
    print(f"Eksempler skrevet til {args.out}")


if __name__ == "__main__":
    main()
