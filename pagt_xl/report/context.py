"""The report context: every figure, table and sentence of the status-report draft.

Pure: built from :class:`~pagt_xl.core.results.Breakdowns`, no I/O, one builder per
chapter (front matter, key figures, year table, shares, partners, target
groups, learning, progress, projects per grant year, appendix). Every value is
already formatted the Danish way ("23.231.178 kr.", "23,23 mio. kr.", "18 %",
"15. februar 2024"), so the Word template only places text. The field
descriptions are what ``pagt-xl template-vars`` shows to staff who edit the
template.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import (
    danish_sort_key,
    format_amount,
    format_amount_prose,
    format_date,
    format_millions,
    format_number,
    format_percent,
)
from pagt_xl.base.figures import format_share
from pagt_xl.base.model import Issue, Severity
from pagt_xl.core.breakdown import PROGRESS_LABELS, STATUS_LABELS, Breakdown, Check, YearTable, clean_granted
from pagt_xl.core.goals import FollowUp
from pagt_xl.core.results import Breakdowns
from pagt_xl.core.tables import UnderspendNote
from pagt_xl.report.goals import GoalsChapter, goals_chapter
from pagt_xl.report.ledger import LedgerSection
from pagt_xl.report.text import file_names_only, pact_hint, prompt_text

DRAFT_MARK = "KLADDE"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class YearRow(_Model):
    """One year of the year table (all values formatted)."""

    year: str = Field(description="år, eller 'I alt'")
    applications: str = Field(description="antal ansøgninger")
    rejected: str = Field(description="antal afslag")
    granted_projects: str = Field(description="antal tilsagn")
    pending: str = Field(description="antal ansøgninger uden afgørelse")
    withdrawn: str = Field(description="antal ansøgninger trukket tilbage (frafaldet), hverken tilsagn eller afslag")
    rounds: list[str] = Field(description="bevilget pr. runde (kr., uden 'kr.'), i samme rækkefølge som round_names")
    granted: str = Field(description="bevilget i alt i året (kr., uden 'kr.')")
    framework: str = Field(description="årets økonomiske ramme (kr., uden 'kr.'; '-' når ukendt)")
    utilisation: str = Field(description="bevilget / ramme i procent ('-' når ukendt)")
    cumulative: str = Field(description="kumuleret udmøntning til og med året (kr., uden 'kr.')")


class ShareRow(_Model):
    """A row of a breakdown table: label, number of projects, amount and share."""

    label: str = Field(description="navn (indsatsområde, projekttype, institutionstype ...)")
    projects: str = Field(description="antal projekter")
    amount: str = Field(description="støttebeløb, fx '4.200.000 kr.'")
    millions: str = Field(description="støttebeløb i mio. kr., fx '4,20'")
    share: str = Field(description="andel af samlet støtte, hele procent der summer til 100, fx '18 %'")


class TargetRow(_Model):
    """Activity targets for one education level."""

    label: str = Field(description="uddannelsesniveau (Grundskole, Ungdomsuddannelse, ...)")
    projects: str = Field(description="antal projekter med mål for niveauet")
    participants: str = Field(description="samlet mål for antal deltagere")
    share: str = Field(description="andel af alle deltagere")


class CountRow(_Model):
    """A label with a count (instruments, partner types, statuses)."""

    label: str = Field(description="navn")
    count: str = Field(description="antal projekter")


class NoteItem(_Model):
    """A learning note from the overview's Læring column."""

    title: str = Field(description="projektets titel")
    text: str = Field(description="teksten fra kolonnen Læring")


class FinishedProject(_Model):
    """A finished project and its grant."""

    title: str = Field(description="'titel v/ ansøger'")
    amount: str = Field(description="støttebeløb")
    results: Prompt = Field(description="skriveprompt: læring fra slutrapporten, forudfyldt med kolonnen Læring")


class ThemeLearning(_Model):
    """Learning from one theme's projects."""

    name: str = Field(description="indsatsområdets navn med nummer")
    projects: str = Field(description="antal støttede projekter under indsatsområdet")
    sentence: str = Field(description="sætning om antal projekter og de mest anvendte virkemidler")
    project_titles: str = Field(description="projekternes titler, kommasepareret")
    instruments: list[CountRow] = Field(description="virkemidler og hvor mange projekter der bruger hvert")
    notes: list[NoteItem] = Field(description="læring fra kolonnen Læring")
    finished: list[FinishedProject] = Field(description="afsluttede projekter med støttebeløb")
    context: str = Field(description="indsatsområdets baggrund (fra pagtens konfiguration), eller tom")
    context_prompt: Prompt = Field(description="skriveprompt for baggrunden, når pagten ikke har en tekst")
    results: Prompt = Field(description="skriveprompt: de foreløbige resultater, forudfyldt med kolonnen Læring")


class ProgressProject(_Model):
    """An ongoing project's progress."""

    title: str = Field(description="'titel v/ ansøger'")
    year: str = Field(description="tilsagnsår")
    theme: str = Field(description="indsatsområde")
    progress: str = Field(description="fremdrift (God/Acceptabel/Langsom, '-' når ikke vurderet)")
    targets: str = Field(description="aktivitetsmål, fx '650 grundskoleelever, 300 elever på ungdomsuddannelser'")
    underspend: str = Field(description="risiko for underforbrug ('-' når ukendt)")


class ProjectRow(_Model):
    """A supported project in the list of projects per grant year."""

    year: str = Field(description="tilsagnsår")
    title: str = Field(description="'titel v/ ansøger'")
    theme: str = Field(description="indsatsområde")
    summary: str = Field(description="kort resumé")
    type: str = Field(description="projekttype")
    amount: str = Field(description="støttebeløb")


class GrantYear(_Model):
    """The projects granted in one year."""

    year: str = Field(description="året")
    sentence: str = Field(description="fx '5,64 mio. kr. til 8 projekter'")
    projects: list[ProjectRow] = Field(description="projekterne, sorteret efter titel")


class CheckRow(_Model):
    """One cross-check for the appendix."""

    name: str = Field(description="hvad der kontrolleres")
    expected: str = Field(description="forventet tal (fx kildens subtotal)")
    actual: str = Field(description="beregnet tal")
    result: str = Field(description="OK eller AFVIGER")
    source: str = Field(description="hvor det forventede tal kommer fra")


class SourceRow(_Model):
    """Where a table's figures come from."""

    table: str = Field(description="tabellens navn i rapporten")
    files: str = Field(description="filer")
    sheets: str = Field(description="ark")
    rows: str = Field(description="rækkenumre i arket, fx '5-12, 14'")


class Prompt(_Model):
    """A writing prompt: what only people know. Highlighted in the draft, to be replaced by the secretariat."""

    text: str = Field(description="'[SKRIV: ...]' med en linje om, hvad der skal stå")
    prefill: list[str] = Field(description="tekst fra projektmappernes tekstkolonner at skrive videre på")


class Section(_Model):
    """A titled section of the pact's own text (pact file, [report])."""

    heading: str = Field(description="overskrift")
    paragraphs: list[str] = Field(description="afsnit")


class IssueRow(_Model):
    """An error or warning for the appendix, with the cell it points to."""

    severity: str = Field(description="Fejl eller Advarsel")
    origin: str = Field(description="Projektmappe eller Budget")
    place: str = Field(description="fil › ark › celle")
    message: str = Field(description="hvad der er galt")


class Prompts(_Model):
    """The writing prompts of the chapters (see :func:`prompt`)."""

    preface: Prompt = Field(description="Statusrapporten (når pagten ikke har en tekst)")
    partnership: Prompt = Field(description="Partnerskabet bag pagten (når pagten ikke har en tekst)")
    activities: Prompt = Field(description="Aktiviteter i pagten (når pagten ikke har en tekst)")
    strategic: Prompt = Field(description="Strategiske projekter: særlige satsninger")
    learning_basis: Prompt = Field(description="Læringsgrundlaget (når pagten ikke har en tekst)")
    lessons: Prompt = Field(description="Hvad har vi lært? Virkemidler, der har fungeret")
    progress: Prompt = Field(description="Vurdering af fremdrift: styregruppens vurdering")


class Words(_Model):
    """What the pact calls its themes: Nordjylland's "indsatsområde", Midtjylland's "tema"."""

    one: str = Field(description="fx 'indsatsområde' eller 'tema'")
    many: str = Field(description="fx 'indsatsområder' eller 'temaer'")
    the_one: str = Field(description="fx 'indsatsområdet' eller 'temaet'")
    the_many: str = Field(description="fx 'indsatsområderne' eller 'temaerne'")


class Facts(_Model):
    """The figures the template's key sentences are written from (the sentences are Jinja text in the template,
    so staff can reword them in Word)."""

    since: str = Field(description="'siden 2019', eller 'i 2018' for ét år")
    granted: str = Field(description="bevilget i alt, fx '23,23 mio. kr.'")
    granted_count: int = Field(description="antal tilsagn")
    applications: int = Field(description="antal ansøgninger")
    rejected: int = Field(description="antal afslag")
    pending: int = Field(description="antal uden afgørelse")
    withdrawn: int = Field(description="antal trukket tilbage (frafaldet): hverken tilsagn eller afslag")
    has_applications: bool = Field(description="om data rummer ansøgninger (afslag eller afventende), ikke kun en "
                                   "liste over tilsagn")
    smallest: str = Field(description="mindste bevilling, fx '200.000 kr.' ('' uden tilsagn)")
    largest: str = Field(description="største bevilling, fx '4,2 mio. kr.' ('' uden tilsagn)")
    framework: str = Field(description="periodens samlede ramme ('' uden ramme)")
    utilisation: str = Field(description="udmøntet af rammen, fx '99,96 %' (aldrig '100 %', når det ikke er 100)")
    largest_theme: str = Field(description="temaet/indsatsområdet med flest midler (uden nummer; '' uden)")
    largest_theme_amount: str = Field(description="dets støttebeløb, fx '11,62 mio. kr.'")
    largest_theme_share: str = Field(description="dets andel, fx '50 %'")
    largest_theme_projects: int = Field(description="dets antal projekter")
    ongoing: int = Field(description="igangværende projekter")
    finished: int = Field(description="afsluttede projekter")
    as_of: str = Field(description="datoen underforbrug er vurderet pr., fx '31. december 2023'")


class Sentences(_Model):
    """Sentences that are lists of the data (the key sentences are Jinja text in the template, see ``facts``)."""

    targets: str = Field(description="projektperiode og aktivitetsmål (børn og unge, fagpersoner)")
    target_groups: str = Field(description="antal projekter pr. uddannelsesniveau")
    partners: str = Field(description="de partnertyper, der indgår i flest projekter")
    excluded: str = Field(description="tom, eller hvor mange rækker (og hvor mange kr.) med fejl der ikke indgår")
    rounds: str = Field(description="hvordan projekterne blev udvalgt (runderne), tom uden runder")
    small_projects: str = Field(description="reglen om små projekter (fra året den gælder), ellers tom")
    themes_open: str = Field(description="hvilke temaer/indsatsområder der var åbne hvert år (eller en skriveprompt)")


class ReportContext(_Model):
    """Everything the status-report template may use."""

    pact_name: str = Field(description="pagtens navn, fx 'Nordjysk Teknologipagt'")
    region: str = Field(description="regionens navn")
    period: str = Field(description="rapportens periode, fx '2019-2023'")
    title: str = Field(description="rapportens titel, fx 'Statusrapport 2019-2023'")
    report_date: str = Field(description="dato for kladden, fx '22. november 2026'")
    draft_mark: str = Field(description="kladdemærket 'KLADDE'")
    introduction: list[str] = Field(description="introduktionens afsnit (fra pagtens konfiguration)")
    as_of: str = Field(description="opgørelsesdato for underforbrug, fx '31. december 2023'")
    preface: list[str] = Field(description="afsnittet Statusrapporten (fra pagtens konfiguration); tom: prompt")
    partnership: list[str] = Field(description="Partnerskabet bag pagten (fra pagtens konfiguration); tom: prompt")
    activities: list[Section] = Field(description="Aktiviteter i pagten (fra pagtens konfiguration); tom: prompt")
    prompts: Prompts = Field(description="skriveprompter, fx prompts.lessons.text og prompts.lessons.prefill")
    words: Words = Field(description="pagtens ord for et tema: words.one, words.many, words.the_one, words.the_many")
    theme_names: list[str] = Field(description="pagtens temaer/indsatsområder med nummer (ikke finansieringskanaler)")
    channel_names: list[str] = Field(description="finansieringskanaler, der ikke er temaer (fx 'Nationalt udbud')")
    has_framework: bool = Field(description="om der er en økonomisk ramme i data")
    has_partners: bool = Field(description="om kolonnen Partnere har data")
    has_summaries: bool = Field(description="om kolonnen Kort resumé har data")
    type_descriptions: list[Section] = Field(description="projekttyperne med deres beskrivelse")
    learning_basis: str = Field(description="Læringsgrundlaget (fra pagtens konfiguration); tom: prompt")
    progress_reporting: str = Field(description="hvornår projekterne afrapporterer fremdrift (konfiguration)")
    sentences: Sentences = Field(description="opremsende sætninger, fx sentences.themes_open, sentences.excluded")
    facts: Facts = Field(description="tallene bag nøglesætningerne, fx facts.granted, facts.has_applications")
    granted_total: str = Field(description="bevilget i alt, fx '23.231.178 kr.'")
    granted_millions: str = Field(description="bevilget i alt i mio. kr., fx '23,23 mio. kr.'")
    granted_projects: str = Field(description="antal projekter med tilsagn")
    applications: str = Field(description="antal ansøgninger i perioden")
    round_names: list[str] = Field(description="runderne (kolonner i rammetabellen); tom for pagter uden runder")
    years: list[YearRow] = Field(description="årstabellen, én række pr. år")
    years_total: YearRow = Field(description="årstabellens totalrække")
    themes: list[ShareRow] = Field(description="tilsagn fordelt på temaer/indsatsområder")
    channels: list[ShareRow] = Field(description="tilsagn gennem finansieringskanaler (ikke temaer): Nationalt udbud")
    themes_total: ShareRow = Field(description="totalrække for temaer og kanaler")
    has_types: bool = Field(description="om pagten har projekttyper")
    types: list[ShareRow] = Field(description="tilsagn fordelt på projekttyper")
    types_total: ShareRow = Field(description="totalrække for projekttyper")
    institution_types: list[ShareRow] = Field(description="tilsagn fordelt på tovholderens institutionstype")
    partner_types: list[CountRow] = Field(description="antal projekter hver partnertype indgår i (kolonnen Partnere)")
    has_targets: bool = Field(description="om der er aktivitetsmål i data")
    target_groups: list[TargetRow] = Field(description="aktivitetsmål pr. uddannelsesniveau")
    target_total: TargetRow = Field(description="totalrække for aktivitetsmål")
    instruments_top: list[CountRow] = Field(description="de mest anvendte virkemidler (op til 5)")
    learning: list[ThemeLearning] = Field(description="læring pr. tema/indsatsområde (ikke finansieringskanaler)")
    status_counts: list[CountRow] = Field(description="projekter pr. status (igangværende, afsluttet ...)")
    progress_counts: list[CountRow] = Field(description="igangværende projekter pr. fremdriftsvurdering")
    ongoing: list[ProgressProject] = Field(description="igangværende projekter med fremdrift og aktivitetsmål")
    grant_years: list[GrantYear] = Field(description="støttede projekter pr. tilsagnsår, nyeste først")
    checks: list[CheckRow] = Field(description="krydstjek, der afviger (de der passer, er opsummeret)")
    checks_summary: str = Field(description="fx '28 kontroller: 26 OK, 2 afviger.'")
    checks_passed: str = Field(description="én linje med de kontroller, der passer")
    issues: list[IssueRow] = Field(description="fejl og advarsler fra projektmapper og budgetter, med celle")
    issues_summary: str = Field(description="fx '2 advarsler og 1 fejl i projektmapperne, 3 fejl i budgetterne.'")
    sources: list[SourceRow] = Field(description="kilder: filer, ark og rækker for hver tabel")
    goals: GoalsChapter = Field(description="kapitlet Målopfølgning; goals.available er falsk uden måldata (kapitlet "
                                "siger da, hvad der mangler)")
    ledger: LedgerSection | None = Field(
        default=None, description="afsnittet Udbetalt og tilbageført (issue 25); tom uden udbetalinger"
    )


#: Chart images the renderer adds to the context (not part of the model: they are pictures).
CHART_VARIABLES: dict[str, str] = {
    "chart_themes": "diagram: støttebeløb pr. tema/indsatsområde (billede)",
    "chart_types": "diagram: støttebeløb pr. projekttype (billede; tomt for pagter uden typer)",
    "chart_years": "diagram: bevilget pr. år mod rammen (billede)",
    "chart_partners": "diagram: antal projekter pr. partnertype (billede; tomt uden partnere)",
    "chart_targets": "diagram: forventede deltagere pr. uddannelsesniveau (billede; tomt uden aktivitetsmål)",
    "chart_instruments": "diagram: de mest anvendte virkemidler (billede; tomt uden virkemidler)",
    "chart_theme_instruments": "diagrammer: virkemidler pr. tema/indsatsområde, ét pr. punkt i learning "
    "(brug chart_theme_instruments[loop.index0] i løkken over learning)",
}

_TARGET_WORDS = {
    "target_primary": "grundskoleelever",
    "target_youth": "elever på ungdomsuddannelser",
    "target_higher": "studerende på videregående uddannelser",
    "target_professionals": "fagpersoner",
}


def template_variables() -> dict[str, str]:
    """Every top-level variable a template may use, with a one-line Danish description."""
    out = {name: f.description or "" for name, f in ReportContext.model_fields.items()}
    out.update(CHART_VARIABLES)
    return out


def nested_variables() -> dict[str, dict[str, str]]:
    """The attributes of each list/record variable (``years`` → ``year``, ``applications`` ...)."""
    out: dict[str, dict[str, str]] = {}
    for name, f in ReportContext.model_fields.items():
        model = _item_model(f.annotation)
        if model is not None:
            out[name] = {k: v.description or "" for k, v in model.model_fields.items()}
    return out


def _item_model(annotation: Any) -> type[BaseModel] | None:
    args = getattr(annotation, "__args__", None)
    candidate = args[0] if args else annotation
    return candidate if isinstance(candidate, type) and issubclass(candidate, BaseModel) else None


# -- building -------------------------------------------------------------------------------------
# Money and shares are formatted only by _millions and _share (one rounding rule for the whole draft).
def _n(value: int) -> str:
    return format_number(int(value))


def _millions(kroner: int) -> str:
    """Millions for a table headed "mio. kr.": ``4_200_000`` → ``"4,20"`` (Decimal, half-up)."""
    return format_millions(int(kroner)).removesuffix(" mio. kr.")


def _share(percent: int | float, amount: int | None = None, total: int | None = None) -> str:
    """A share already rounded to whole percent by the breakdown (largest remainder): ``18`` → ``"18 %"``.

    Never "100 %" for a part that is not the whole, nor "0 %" for a part above nothing: then
    "knap 100 %" and "under 1 %" (given the row's ``amount`` and the ``total``).
    """
    if amount is not None and total:
        if int(percent) == 100 and amount != total:
            return "knap 100 %"
        if int(percent) == 0 and amount > 0:
            return "under 1 %"
    return format_share(int(percent))


def prompt(hint: str, prefill: list[str] | None = None) -> Prompt:
    """A writing prompt: ``[SKRIV: hint]`` (highlighted in the draft) and text from the workbook to start from."""
    return Prompt(text=prompt_text(hint), prefill=[p for p in (prefill or []) if p.strip()])


def theme_words(pact: Pact) -> Words:
    """The pact's words for its themes ([report.words])."""
    w = pact.report.words
    return Words(one=w.one, many=w.many, the_one=w.the_one, the_many=w.the_many)


def share_text(value: float) -> str:
    """A share as Danish percent that says 100 % (or 0 %) only when it is exactly that.

    ``0.18`` → ``"18 %"``; ``0.9996`` → ``"99,96 %"``; ``0.99999`` → ``"knap 100 %"``; ``0.00001`` →
    ``"under 0,01 %"``; ``1.0`` → ``"100 %"``.
    """
    for decimals in (0, 1, 2):
        text = format_percent(value, decimals)
        shown = Decimal(text.removesuffix(" %").replace(",", "."))
        if (shown == 100 and value != 1) or (shown == 0 and value != 0):
            continue
        return text
    if value < 0.5:
        return "under 0,01 %"
    return "knap 100 %" if value < 1 else "lidt over 100 %"


def _records(df: pd.DataFrame, *columns: str) -> list[dict[str, Any]]:
    """The rows of ``df`` as dicts of the ``columns`` it has (a missing one is a missing key, as in a row)."""
    return df[[c for c in columns if c in df.columns]].to_dict("records")


def _title_with_applicant(title: Any, applicant: Any) -> str:
    t = str(title) if isinstance(title, str) else ""
    return f"{t} v/ {applicant}" if isinstance(applicant, str) and applicant else t


def _share_rows(b: Breakdown, key: str) -> tuple[list[ShareRow], ShareRow]:
    total_kr = int(b.total["granted"])
    rows = [
        ShareRow(
            label=str(r[key]),
            projects=_n(r["projects"]),
            amount=format_amount(r["granted"]),
            millions=_millions(r["granted"]),
            share=_share(r["percent"], int(r["granted"]), total_kr),
        )
        for r in b.rows
    ]
    t = b.total
    total = ShareRow(
        label="I alt",
        projects=_n(t["projects"]),
        amount=format_amount(t["granted"]),
        millions=_millions(t["granted"]),
        share=_share(t.get("percent", 100)),
    )
    return rows, total


def _year_row(r: dict[str, Any], rounds: list[tuple[str, str]]) -> YearRow:
    return YearRow(
        year=str(r["year"]),
        applications=_n(r["applications"]),
        rejected=_n(r["rejected"]),
        granted_projects=_n(r["granted_projects"]),
        pending=_n(r["pending"]),
        withdrawn=_n(r.get("withdrawn", 0)),
        rounds=[_n(r[f"round_{k}"]) for k, _ in rounds],
        granted=_n(r["granted"]),
        framework=_n(r["framework"]) if r["framework"] is not None else "-",
        utilisation=share_text(r["utilisation"]) if r["utilisation"] is not None else "-",
        cumulative=_n(r["cumulative"]),
    )


def _split_list(value: Any) -> list[str]:
    if not isinstance(value, str):
        return []
    parts = [p.strip() for p in value.replace("\n", ";").split(";")]
    seen: list[str] = []
    for p in parts:
        if p and p not in seen:
            seen.append(p)
    return seen


def _count_items(values: pd.Series) -> list[CountRow]:
    counts: Counter[str] = Counter()
    for v in values:
        counts.update(_split_list(v))
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], danish_sort_key(kv[0])))
    return [CountRow(label=k, count=_n(c)) for k, c in ordered]


def _letters(items: list[str]) -> str:
    """'a) x, b) y samt c) z' as the seed writes lists of instruments."""
    marked = [f"{chr(ord('a') + i)}) {s[0].lower() + s[1:] if s else s}" for i, s in enumerate(items)]
    if len(marked) <= 1:
        return "".join(marked)
    return ", ".join(marked[:-1]) + " samt " + marked[-1]


def _join_and(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " og " + items[-1]


def _row_ranges(rows: list[int]) -> str:
    rows = sorted(set(rows))
    parts: list[str] = []
    i = 0
    while i < len(rows):
        j = i
        while j + 1 < len(rows) and rows[j + 1] == rows[j] + 1:
            j += 1
        parts.append(str(rows[i]) if i == j else f"{rows[i]}-{rows[j]}")
        i = j + 1
    return ", ".join(parts)


def _sources(name: str, df: pd.DataFrame) -> list[SourceRow]:
    out = []
    for (file, sheet), group in df.groupby(["file", "sheet"], sort=True):
        out.append(
            SourceRow(
                table=name,
                files=str(file).replace("\\", "/").rsplit("/", 1)[-1],
                sheets=str(sheet),
                rows=_row_ranges([int(r) for r in group["row"]]),
            )
        )
    if not out:
        out.append(SourceRow(table=name, files="-", sheets="-", rows="ingen rækker"))
    return out


def _targets_text(row: Mapping[str, Any]) -> str:
    parts = []
    for col, word in _TARGET_WORDS.items():
        v = row.get(col)
        if v is not None and not pd.isna(v) and int(v) > 0:
            parts.append(f"{_n(int(v))} {word}")
    return ", ".join(parts) if parts else "-"


# -- one builder per chapter ----------------------------------------------------------------------
# Each returns a _Part: the ReportContext fields of its chapter and the key sentences it writes.
# ReportContext (extra="forbid") validates the composed fields, so a misspelt or missing name fails
# at build time, not in Word.


@dataclass(frozen=True)
class _Part:
    """One chapter's share of the context: top-level fields and ``sentences.*`` entries."""

    fields: dict[str, Any]
    sentences: dict[str, str] = field(default_factory=dict)
    prompts: dict[str, Prompt] = field(default_factory=dict)
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class _Scope:
    """The rows a report covers, its years and the pact's display names."""

    pact: Pact
    #: every row of the report's years, rows with errors included
    table: pd.DataFrame
    #: rows without errors that have a year
    clean: pd.DataFrame
    #: granted projects without errors (:func:`pagt_xl.core.breakdown.clean_granted`)
    granted: pd.DataFrame
    first: int
    last: int
    #: theme key → "number. name" (funding channels too, as they are shown in project lists); project-type key → name
    theme_names: dict[str, str]
    type_names: dict[str, str]
    #: keys of the funding channels (``channel = true``): shown apart from the themes
    channels: frozenset[str] = frozenset()

    @property
    def period(self) -> str:
        """'2019-2023', or '2023' for one year."""
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


def _scope(breakdowns: Breakdowns, report_date: dt.date) -> _Scope:
    """The rows of the breakdowns' period; without a period, the years in the data (none: the report's year)."""
    pact = breakdowns.validation.pact
    table = breakdowns.validation.table
    if breakdowns.period is not None:
        first, last = breakdowns.period
        table = table[(table["year"] >= first) & (table["year"] <= last)]
    clean = table[~table["has_error"].astype(bool) & table["year"].notna()]
    if breakdowns.period is None:
        years = sorted(int(y) for y in clean["year"].unique())
        first, last = (years[0], years[-1]) if years else (report_date.year, report_date.year)
    return _Scope(
        pact=pact,
        table=table,
        clean=clean,
        granted=clean_granted(table).copy(),
        first=first,
        last=last,
        theme_names={t.key: (f"{t.number}. {t.name}" if t.number is not None else t.name) for t in pact.themes},
        type_names={t.key: t.name for t in pact.project_types},
        channels=frozenset(t.key for t in pact.themes if t.channel),
    )


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]


def _front_matter(scope: _Scope, report_date: dt.date, as_of: dt.date) -> _Part:
    """Title page, preface, introduction, partnership and activities (the pact's own text, else prompts).

    Paragraphs dated in the pact file (``[[report.dated]]``) appear only when their years
    overlap the report's period: a 2018 report never says "Fra 2022 udvælges ...".
    """
    pact = scope.pact
    texts = pact.report
    dated = [" ".join(d.text.split()) for d in texts.dated if d.applies(scope.first, scope.last)]
    activities = [Section(heading=a.heading, paragraphs=_paragraphs(a.text)) for a in texts.activities]
    granted = scope.granted
    prioritised = [
        _title_with_applicant(r["title"], r["applicant"])
        for r in _records(granted.sort_values("granted", ascending=False), "title", "applicant", "round", "granted")
        if r.get("round") == "prioriteret"
    ]
    prompts = {
        "preface": prompt(pact_hint(pact, "preface")),
        "partnership": prompt(pact_hint(pact, "partnership")),
        "activities": prompt(pact_hint(pact, "activities")),
        "learning_basis": prompt(pact_hint(pact, "learning_basis")),
        "strategic": prompt(pact_hint(pact, "strategic"), prioritised[:5]),
    }  # fmt: skip
    return _Part(
        {
            "pact_name": pact.name,
            "region": pact.region,
            "period": scope.period,
            "title": f"Statusrapport {scope.period}",
            "report_date": format_date(report_date),
            "as_of": format_date(as_of),
            "draft_mark": DRAFT_MARK,
            "introduction": _paragraphs(pact.introduction) + dated,
            "preface": _paragraphs(texts.preface),
            "partnership": _paragraphs(texts.partnership),
            "activities": activities,
            "theme_names": [name for key, name in scope.theme_names.items() if key not in scope.channels],
            "channel_names": [name for key, name in scope.theme_names.items() if key in scope.channels],
            "words": theme_words(pact),
            "learning_basis": " ".join(texts.learning_basis.split()),
            "progress_reporting": " ".join(texts.progress_reporting.split()),
        },
        prompts=prompts,
    )


def _key_figures(breakdowns: Breakdowns, scope: _Scope) -> _Part:
    """Økonomiske nøgletal: totals, the figures of the key sentences (``facts``) and the excluded rows' sentence."""
    total = breakdowns.years.total
    total_kr = int(total["granted"])
    n_granted = int(total["granted_projects"])
    n_apps = int(total["applications"])
    ext = breakdowns.extremes
    smallest = ext["smallest"]["granted"] if ext["smallest"] is not None else None
    largest = ext["largest"]["granted"] if ext["largest"] is not None else None
    s_rounds, s_small = _rounds(scope)
    facts = {
        "since": f"siden {scope.first}" if scope.first != scope.last else f"i {scope.first}",
        "granted": format_amount_prose(total_kr),
        "granted_count": n_granted,
        "applications": n_apps,
        "rejected": int(total["rejected"]),
        "pending": int(total["pending"]),
        "withdrawn": int(total.get("withdrawn", 0)),
        # a list of grants only (no rejection, nothing pending) says nothing about applications
        "has_applications": bool(total["rejected"] or total["pending"] or total.get("withdrawn")),
        "smallest": format_amount_prose(smallest) if smallest is not None else "",
        "largest": format_amount_prose(largest) if largest is not None else "",
        "framework": format_amount_prose(int(total["framework"])) if total["framework"] else "",
        "utilisation": share_text(total["utilisation"]) if total["framework"] else "",
    }
    sentences = {"excluded": _excluded(scope), "rounds": s_rounds, "small_projects": s_small}
    fields = {
        "has_framework": bool(total["framework"]),
        "granted_total": format_amount(total_kr),
        "granted_millions": format_amount_prose(total_kr),
        "granted_projects": _n(n_granted),
        "applications": _n(n_apps),
    }
    return _Part(fields, sentences, facts=facts)


def _excluded(scope: _Scope) -> str:
    """Rows left out of the figures, named with their count and amount; empty when none.

    "1 bevilling på 2,5 mio. kr. indgår ikke i tallene, fordi rækken har fejl: ... — se bilaget."
    """
    bad = scope.table[scope.table["has_error"].astype(bool)]
    if bad.empty:
        return ""
    amounts = pd.to_numeric(bad["granted"], errors="coerce")
    with_grant = bad[amounts.fillna(0) > 0]
    parts = []
    if len(with_grant):
        kroner = int(pd.to_numeric(with_grant["granted"]).sum())
        word = "bevilling" if len(with_grant) == 1 else "bevillinger"
        total = "i alt " if len(with_grant) > 1 else ""
        parts.append(f"{len(with_grant)} {word} på {total}{format_amount_prose(kroner)}")
    others = len(bad) - len(with_grant)
    if others:
        parts.append(f"{others} {'anden række' if others == 1 else 'andre rækker'} uden støttebeløb")
    titles = [f"”{t}”" for t in with_grant["title"] if isinstance(t, str)][:5]
    named = f" ({_join_and(titles)})" if titles else ""
    rows = "rækken har" if len(bad) == 1 else "rækkerne har"
    return (
        f"{_join_and(parts)}{named} indgår ikke i tallene, fordi {rows} fejl i projektmappen "
        "— se bilaget, der viser fil, ark og celle for hver fejl."
    )


def _rounds(scope: _Scope) -> tuple[str, str]:
    """How projects were selected (the rounds' descriptions), and the small-project rule from its year."""
    pact = scope.pact
    regular = [r for r in pact.rounds if r.cap is None and (r.from_year is None or r.from_year <= scope.last)]
    described = [" ".join(r.description.split()) for r in regular if r.description]
    s_rounds = ""
    if regular:
        names = _join_and([r.name.lower() for r in regular])
        s_rounds = f"Projekterne blev udvalgt via ansøgninger til {names}. " + " ".join(described)
    small = [r for r in pact.rounds if r.cap is not None and (r.from_year is None or r.from_year <= scope.last)]
    s_small = ""
    for r in small:
        since = f"I {r.from_year} blev det desuden besluttet at afprøve" if r.from_year else "Puljen har desuden"
        desc = " ".join(r.description.split()) or "Skolerne kan søge støtte til små projekter."
        s_small = f"{since} en ny udmøntningsform ({r.name.lower()}): {desc[0].lower()}{desc[1:].rstrip('.')}"
        s_small += f" med en samlet projektsum på op til {format_amount(r.cap or 0)}"
    return s_rounds.strip(), s_small


def _themes_open(scope: _Scope) -> str:
    """Which themes were open each year of the period (``open_themes`` in the pact file, in its own words).

    A year from ``themes_rotate_from`` that the pact does not list is not known: the sentence is then a
    writing prompt for those years (Midtjylland's themes rotate from 2022), never "alle ... åbne".
    """
    pact = scope.pact
    many = pact.report.words.many
    years = list(range(scope.first, scope.last + 1))
    unknown = [y for y in years if not pact.open_themes_known(y)]
    if unknown:
        return prompt_text(pact_hint(pact, "open_themes", years=_join_and([str(y) for y in unknown])))
    limited = {y: pact.open_themes[y] for y in years if y in pact.open_themes}
    if not limited:
        return f"I {_join_and([str(y) for y in years])} har alle {many} været åbne for ansøgninger."
    all_open = [str(y) for y in years if y not in limited]
    parts = []
    for year, keys in sorted(limited.items()):
        names = [scope.theme_names[k] for k in keys if k in scope.theme_names]
        parts.append(f"i {year} kun var muligt at søge under {_join_and(names)}")
    text = ""
    if all_open:
        text = f"I {_join_and(all_open)} har alle {many} været åbne for ansøgninger, mens det "
        return text + _join_and(parts) + "."
    return "Ansøgerne kunne " + _join_and([p.replace(" kun var muligt at søge", " kun søge") for p in parts]) + "."


def _year_table(years: YearTable) -> _Part:
    """The year table (applications, decisions, rounds, framework, utilisation) and its total row."""
    return _Part(
        {
            "round_names": [name for _, name in years.rounds],
            "years": [_year_row(r, years.rounds) for r in years.rows],
            "years_total": _year_row(years.total, years.rounds),
        }
    )


def _shares(breakdowns: dict[str, Breakdown], scope: _Scope) -> _Part:
    """Grants by theme (funding channels apart), project type and lead institution type; the largest theme."""
    pact = scope.pact
    rows, themes_total = _share_rows(breakdowns["theme"], "theme")
    channel_labels = {scope.theme_names[k] for k in scope.channels}
    themes = [r for r in rows if r.label not in channel_labels]
    channels = [r.model_copy(update={"label": f"{r.label} (finansieringskanal)"}) for r in rows
                if r.label in channel_labels]  # fmt: skip
    if "type" in breakdowns:
        types, types_total = _share_rows(breakdowns["type"], "type")
    else:
        types = []
        types_total = ShareRow(label="I alt", projects="0", amount=format_amount(0), millions="0,00", share="0 %")
    institution_types, _ = _share_rows(breakdowns["institution_type"], "institution_type")
    theme_rows = [r for r in breakdowns["theme"].rows if r["projects"] and r["theme"] not in channel_labels]
    facts: dict[str, Any] = {"largest_theme": "", "largest_theme_amount": "", "largest_theme_share": "",
                             "largest_theme_projects": 0}  # fmt: skip
    if theme_rows:
        top = max(theme_rows, key=lambda r: (r["granted"], r["projects"]))
        facts = {
            "largest_theme": top["theme"].split(". ", 1)[-1],
            "largest_theme_amount": format_amount_prose(top["granted"]),
            "largest_theme_share": _share(top["percent"], int(top["granted"]),
                                          int(breakdowns["theme"].total["granted"])),
            "largest_theme_projects": int(top["projects"]),
        }
    fields = {
        "themes": themes,
        "channels": channels,
        "themes_total": themes_total,
        "type_descriptions": [
            Section(heading=t.name, paragraphs=[t.description] if t.description else []) for t in pact.project_types
        ],
        "has_types": bool(pact.project_types),
        "types": types,
        "types_total": types_total,
        "institution_types": institution_types,
    }
    return _Part(fields, {"themes_open": _themes_open(scope)}, facts=facts)


def _partners(granted: pd.DataFrame) -> _Part:
    """Projektpartnerne: projects per partner type and the sentence on the most frequent ones."""
    partner_types = _count_items(granted["partners"])
    s_partners = ""
    if partner_types:
        top_count = partner_types[0].count
        tops = [p.label for p in partner_types if p.count == top_count]
        each = " hver" if len(tops) > 1 else ""
        s_partners = (
            f"{_join_and(tops)} er repræsenteret i {top_count} projekter{each} og deltager dermed i flest projekter."
        )
    return _Part({"partner_types": partner_types, "has_partners": bool(partner_types)}, {"partners": s_partners})


def _target_groups(tg: Breakdown | None, granted: pd.DataFrame) -> _Part:
    """Projekternes målgrupper: activity targets per education level, with their two sentences.

    Without targets in the data (no breakdown, or no participants) the table is
    empty, the total row zero and both sentences empty.
    """
    if tg is None or tg.total.get("participants", 0) <= 0:
        empty_total = TargetRow(label="I alt", projects="0", participants="0", share="0 %")
        return _Part(
            {"has_targets": False, "target_groups": [], "target_total": empty_total},
            {"targets": "", "target_groups": ""},
        )
    rows = [
        TargetRow(
            label=r["target_group"],
            projects=_n(r["projects"]),
            participants=_n(r["participants"]),
            share=format_share(r["percent"]),
        )
        for r in tg.rows
    ]
    total = TargetRow(
        label="I alt", projects=_n(tg.total["projects"]), participants=_n(tg.total["participants"]), share="100 %"
    )
    by_level = {r["target_group"]: r["projects"] for r in tg.rows}
    s_groups = (
        f"{by_level.get('Ungdomsuddannelse', 0)} projekter inddrager unge på ungdomsuddannelserne, "
        f"{by_level.get('Grundskole', 0)} projekter inddrager elever fra grundskolen, og "
        f"{by_level.get('Videregående uddannelse', 0)} projekter brobygger til videregående uddannelser."
    )
    return _Part(
        {"has_targets": True, "target_groups": rows, "target_total": total},
        {"targets": _targets_sentence(tg, granted), "target_groups": s_groups},
    )


def _targets_sentence(tg: Breakdown, granted: pd.DataFrame) -> str:
    """The project span and the participant targets (children and young people; professionals)."""
    young = sum(r["participants"] for r in tg.rows if r["target_group"] != "Fagpersoner")
    prof = sum(r["participants"] for r in tg.rows if r["target_group"] == "Fagpersoner")
    starts = granted["period_start"].dropna()
    ends = granted["period_end"].dropna()
    if len(starts) and len(ends):
        span = (
            "De projekter, der er igangsat i regi af teknologipagten, strækker sig fra "
            f"{format_date(min(starts))} til {format_date(max(ends))}. I denne periode har projekterne"
        )
    else:
        span = "Projekterne har"
    text = f"{span} en målsætning om at inddrage {_n(young)} børn og unge i STEM-fremmende aktiviteter."
    if prof:
        text += f" Projekterne arbejder samlet på at styrke {_n(prof)} fagpersoners kompetencer inden for STEM."
    return text


def _learning(scope: _Scope) -> _Part:
    """Læring fra projekterne: the most used instruments, then one section per theme with granted projects.

    Funding channels get no section of their own. The prompt on what worked well is prefilled with
    what the projects' own learning notes say, per instrument they use (not with the mere counts).
    """
    pact = scope.pact
    learning = [
        _theme_learning(scope.theme_names[t.key], tdf, pact, pact.report.theme_context.get(t.key, ""))
        for t in pact.themes
        if not t.channel and not (tdf := scope.granted[scope.granted["theme"] == t.key]).empty
    ]
    top = _count_items(scope.granted["instruments"])[:5]
    evidence = []
    noted = [(set(_split_list(r.get("instruments"))), f"{r['title']}: {str(r['notes']).strip()}")
             for r in _records(scope.granted, "title", "instruments", "notes")
             if isinstance(r.get("notes"), str) and r["notes"].strip()]  # fmt: skip
    for item in _count_items(scope.granted["instruments"])[:8]:
        notes = [text for used, text in noted if item.label in used]
        if notes:
            evidence.append(f"{item.label}: " + " · ".join(notes[:3]))
    lessons = prompt(pact_hint(pact, "lessons"), evidence)
    return _Part({"instruments_top": top, "learning": learning}, prompts={"lessons": lessons})


def _theme_learning(name: str, tdf: pd.DataFrame, pact: Pact, context: str = "") -> ThemeLearning:
    """One theme's section: sentence on instruments, project titles, learning notes, finished projects."""
    instruments = _count_items(tdf["instruments"])
    words = pact.report.words
    sentence = f"Der er igangsat {len(tdf)} {'projekt' if len(tdf) == 1 else 'projekter'} under {words.the_one}"
    if instruments:
        sentence += f", som samlet anvender {len(instruments)} forskellige virkemidler. "
        sentence += f"De mest anvendte virkemidler er {_letters([i.label for i in instruments[:3]])}."
    else:
        sentence += "."
    titles = sorted((str(x) for x in tdf["title"] if isinstance(x, str)), key=danish_sort_key)
    notes = [
        NoteItem(title=str(r["title"]), text=str(r["notes"]).strip())
        for r in _records(tdf, "title", "notes")
        if isinstance(r["notes"], str) and r["notes"].strip()
    ]
    finished = [
        FinishedProject(
            title=_title_with_applicant(r["title"], r["applicant"]),
            amount=format_amount(int(r["granted"])),
            results=prompt(
                pact_hint(pact, "finished_results"),
                [str(r["notes"]).strip()] if isinstance(r["notes"], str) else [],
            ),
        )
        for r in _records(tdf[tdf["status"] == "finished"], "title", "applicant", "granted", "notes")
        if not pd.isna(r["granted"])
    ]
    results = prompt(pact_hint(pact, "theme_results"), [f"{n.title}: {n.text}" for n in notes])
    return ThemeLearning(
        context_prompt=prompt(pact_hint(pact, "theme_context")),
        context=" ".join(context.split()),
        results=results,
        name=name,
        projects=_n(len(tdf)),
        sentence=sentence,
        project_titles=", ".join(titles),
        instruments=instruments,
        notes=sorted(notes, key=lambda n: danish_sort_key(n.title)),
        finished=sorted(finished, key=lambda f: danish_sort_key(f.title)),
    )


def _plain(text: str) -> str:
    """Lower-case letters and digits only, æ/ø/å as ae/oe/aa: file names and titles compared."""
    text = text.casefold().replace("æ", "ae").replace("ø", "oe").replace("å", "aa")
    return "".join(ch for ch in text if ch.isalnum())


def _unreadable_budgets(budget_issues: list[Issue] | None) -> list[str]:
    """The plain names (see :func:`_plain`) of budget files that could not be read at all."""
    return [
        _plain(i.file.replace("\\", "/").rsplit("/", 1)[-1].rsplit(".", 1)[0])
        for i in budget_issues or []
        if i.file and i.sheet is None and i.severity == Severity.ERROR
    ]


def _progress(
    scope: _Scope, underspend: Mapping[str, UnderspendNote], budget_issues: list[Issue] | None = None
) -> _Part:
    """Fremdrift: projects per status, ongoing projects per progress rating, and each ongoing project."""
    granted = scope.granted
    status_counts = [
        CountRow(label=STATUS_LABELS[k], count=_n(int((granted["status"] == k).sum())))
        for k in STATUS_LABELS
        if (granted["status"] == k).any()
    ]
    missing_status = int(granted["status"].isna().sum())
    if missing_status and status_counts:  # no status at all: the chapter is left out
        status_counts.append(CountRow(label="(ikke angivet)", count=_n(missing_status)))
    ongoing_df = granted[granted["status"] == "ongoing"]
    progress_counts = [
        CountRow(label=PROGRESS_LABELS[k], count=_n(int((ongoing_df["progress"] == k).sum())))
        for k in PROGRESS_LABELS
        if (ongoing_df["progress"] == k).any()
    ]
    ongoing_rows = sorted(
        ongoing_df.to_dict("records"),
        key=lambda r: (int(r["year"]), danish_sort_key(str(r["title"]))),
    )
    unreadable = _unreadable_budgets(budget_issues)
    ongoing = [_progress_project(r, scope.theme_names, underspend, unreadable) for r in ongoing_rows]
    n_ongoing = int((granted["status"] == "ongoing").sum())
    n_finished = int((granted["status"] == "finished").sum())
    notes = [
        f"{_title_with_applicant(r['title'], r['applicant'])}: {str(r['notes']).strip()}"
        for r in ongoing_rows
        if isinstance(r["notes"], str) and r["notes"].strip()
    ]
    progress_prompt = prompt(pact_hint(scope.pact, "progress"), notes)
    return _Part(
        {"status_counts": status_counts, "progress_counts": progress_counts, "ongoing": ongoing},
        prompts={"progress": progress_prompt},
        facts={"ongoing": n_ongoing, "finished": n_finished},
    )


def _progress_project(
    row: Mapping[str, Any],
    theme_names: dict[str, str],
    underspend: Mapping[str, UnderspendNote],
    unreadable: list[str] | None = None,
) -> ProgressProject:
    """An ongoing project's row; its underspend note is looked up by case number, else by title.

    A project whose budget file could not be read (its file name starts with the case number, or
    holds the title) says so, instead of "-", which means no budget.
    """
    case_id = row["case_id"]
    key = case_id if isinstance(case_id, str) and case_id in underspend else row["title"]
    note = underspend_text(underspend.get(key))
    if note == "-" and unreadable:
        ids = [_plain(case_id)] if isinstance(case_id, str) and case_id.strip() else []
        title = _plain(str(row["title"])) if isinstance(row["title"], str) else ""
        if any((ids and name.startswith(ids[0])) or (title and title in name) for name in unreadable):
            note = "Budgettet kunne ikke læses – se bilaget"
    return ProgressProject(
        title=_title_with_applicant(row["title"], row["applicant"]),
        year=str(int(row["year"])),
        theme=theme_names.get(row["theme"], "-"),
        progress=PROGRESS_LABELS.get(row["progress"], "-"),
        targets=_targets_text(row),
        underspend=note,
    )


def underspend_text(note: UnderspendNote | None) -> str:
    """The progress table's Danish underspend cell for one project.

    At risk: "Ja – forbrugt 20 % af bevillingen, men 100 % af projektperioden er
    gået" (without the period clause when the budget has no period); not at
    risk: "Nej (forbrugt 97 %)"; ``None`` (no budget, or no spending to date): "-".
    """
    if note is None:
        return "-"
    spent = share_text(note.spent_share)
    if not note.at_risk:
        return f"Nej (forbrugt {spent})"
    if note.elapsed_share is None:
        return f"Ja – forbrugt {spent} af bevillingen"
    return f"Ja – forbrugt {spent} af bevillingen, men {share_text(note.elapsed_share)} af projektperioden er gået"


def _grant_years(scope: _Scope) -> _Part:
    """Støttede projekter: one section per grant year, newest first."""
    granted = scope.granted
    years = sorted({int(y) for y in granted["year"]}, reverse=True)
    has_summaries = bool(granted["summary"].map(lambda v: isinstance(v, str) and bool(v.strip())).any())
    return _Part(
        {
            "grant_years": [_grant_year(y, granted[granted["year"] == y], scope) for y in years],
            "has_summaries": has_summaries,
        }
    )


def _grant_year(year: int, ydf: pd.DataFrame, scope: _Scope) -> GrantYear:
    """One grant year: its sentence ("5,64 mio. kr. til 8 projekter") and its projects sorted by title."""
    rows = [
        ProjectRow(
            year=str(year),
            title=_title_with_applicant(r["title"], r["applicant"]),
            theme=scope.theme_names.get(r["theme"], "-"),
            summary=str(r["summary"]) if isinstance(r["summary"], str) else "",
            type=scope.type_names.get(r["project_type"], "-"),
            amount=format_amount(int(r["granted"])) if not pd.isna(r["granted"]) else "-",
        )
        for r in _records(ydf, "title", "applicant", "theme", "project_type", "granted", "summary")
    ]
    rows.sort(key=lambda p: danish_sort_key(p.title))
    amount = int(ydf["granted"].fillna(0).sum())
    word = "projekt" if len(ydf) == 1 else "projekter"
    return GrantYear(year=str(year), sentence=f"{format_amount_prose(amount)} til {len(ydf)} {word}", projects=rows)


_SEVERITY_WORDS = {Severity.ERROR: "Fejl", Severity.WARNING: "Advarsel"}


def _issue_rows(issues: list[Issue], origin: str) -> list[IssueRow]:
    """Errors, then warnings, in file and cell order (information lines are left out)."""
    shown = [i for i in issues if i.severity in _SEVERITY_WORDS]
    shown.sort(key=lambda i: (i.severity != Severity.ERROR, i.file or "", i.sheet or "", i.row or 0, i.cell or ""))
    return [
        IssueRow(
            severity=_SEVERITY_WORDS[i.severity],
            origin=origin,
            place=_short_source(i.location()),
            message=file_names_only(i.message),
        )
        for i in shown
    ]


def _count_words(n_err: int, n_warn: int) -> str:
    parts = []
    if n_err:
        parts.append(f"{n_err} {'fejl'}")
    if n_warn:
        parts.append(f"{n_warn} {'advarsel' if n_warn == 1 else 'advarsler'}")
    return _join_and(parts)


def _issues_summary(validation: list[IssueRow], budget: list[IssueRow], budgets_read: bool) -> str:
    def count(rows: list[IssueRow]) -> str:
        return _count_words(sum(r.severity == "Fejl" for r in rows), sum(r.severity == "Advarsel" for r in rows))

    text = f"Projektmapperne: {count(validation) or 'ingen fejl eller advarsler'}."
    if budgets_read:
        text += f" Budgetterne: {count(budget) or 'ingen fejl eller advarsler'}."
    else:
        text += " Budgetterne er ikke gennemgået i denne kørsel."
    return text


def _appendix(checks: list[Check], scope: _Scope, issues: list[Issue], budget_issues: list[Issue] | None) -> _Part:
    """Bilag: errors and warnings with their cells, the cross-checks that failed, a line on those that passed."""
    failed = [c for c in checks if not c.ok]
    one = scope.pact.report.words.one

    def named(name: str) -> str:  # the breakdown's own word for the theme breakdown, in the pact's word
        return name.replace("Indsatsområde", one[:1].upper() + one[1:])

    rows = [
        CheckRow(
            name=named(c.name),
            expected=_fmt_check(c.expected),
            actual=_fmt_check(c.actual),
            result=c.result,
            source=_short_source(c.source),
        )
        for c in failed
    ]
    passed = [named(c.name) for c in checks if c.ok]
    bad = len(failed)
    validation_rows = _issue_rows(issues, "Projektmappe")
    budget_rows = _issue_rows(budget_issues or [], "Budget")
    sources = [
        *_sources("Årstabel (ansøgninger, afslag, tilsagn)", scope.clean),
        *_sources(f"Fordelinger ({scope.pact.report.words.many}, typer, institutioner, målgrupper)", scope.granted),
    ]
    return _Part(
        {
            "checks": rows,
            "checks_summary": f"{len(checks)} kontroller: {len(passed)} OK, {bad} afviger.",
            "checks_passed": (f"Disse passer: {'; '.join(passed)}." if passed else "Ingen kontroller passer."),
            "issues": sorted(validation_rows + budget_rows, key=lambda r: r.severity != "Fejl"),  # errors first
            "issues_summary": _issues_summary(validation_rows, budget_rows, budget_issues is not None),
            "sources": sources,
        }
    )


def default_as_of(breakdowns: Breakdowns, today: dt.date) -> dt.date:
    """The as-of date of the underspend rule: the period's last day, or ``today`` if that is earlier."""
    last = breakdowns.period[1] if breakdowns.period is not None else None
    if last is None:
        years = [int(y) for y in breakdowns.validation.table["year"].dropna().unique()]
        last = max(years) if years else today.year
    return min(dt.date(last, 12, 31), today)


def build_context(
    breakdowns: Breakdowns,
    *,
    report_date: dt.date,
    underspend: Mapping[str, UnderspendNote] | None = None,
    as_of: dt.date | None = None,
    budget_issues: list[Issue] | None = None,
    goals: FollowUp | None = None,
) -> ReportContext:
    """The report context for a set of breakdowns (see :func:`pagt_xl.pipeline.run_breakdowns`).

    ``report_date`` is printed on the draft. ``underspend`` maps a project's
    case number (or its title when it has none) to its underspend status, shown
    in the progress table (see :func:`underspend_text`); ``None``: not known.
    ``as_of`` is the date underspend was judged at, printed in the draft (``None``:
    :func:`default_as_of`). ``budget_issues`` are the budget review's issues for
    the appendix (``None``: no budgets were reviewed). The validation's own issues
    always go to the appendix. ``goals`` fills the chapter Målopfølgning (its rows within the report's
    period); ``None``: the chapter says that no goal follow-up was read, and lists the pact's goals.
    """
    scope = _scope(breakdowns, report_date)
    as_of = as_of or default_as_of(breakdowns, report_date)
    parts = (
        _front_matter(scope, report_date, as_of),
        _key_figures(breakdowns, scope),
        _year_table(breakdowns.years),
        _shares(breakdowns.breakdowns, scope),
        _partners(scope.granted),
        _target_groups(breakdowns.breakdowns.get("target_group"), scope.granted),
        _learning(scope),
        _progress(scope, underspend or {}, budget_issues),
        _grant_years(scope),
        _appendix(breakdowns.checks, scope, breakdowns.validation.issues, budget_issues),
    )
    fields = {name: value for part in parts for name, value in part.fields.items()}
    sentences = {name: text for part in parts for name, text in part.sentences.items()}
    prompts = {name: p for part in parts for name, p in part.prompts.items()}
    facts = {name: value for part in parts for name, value in part.facts.items()}
    facts["as_of"] = format_date(as_of)
    chapter = goals_chapter(goals, scope.pact, scope.first, scope.last)
    return ReportContext(**fields, sentences=Sentences(**sentences), prompts=Prompts(**prompts),
                         facts=Facts(**facts), goals=chapter)  # fmt: skip


def _short_source(source: str) -> str:
    """'dir/file.xlsx › Ark › J15' → 'file.xlsx › Ark › J15' (the folder is in the sources table)."""
    first, sep, rest = source.partition(" › ")
    return first.replace("\\", "/").rsplit("/", 1)[-1] + sep + rest


def _sentence_end(text: str) -> str:
    """End a sentence with one full stop, also after an abbreviation such as "kr."."""
    return text if text.endswith(".") else text + "."


def _fmt_check(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return format_percent(value, 1)
    return format_number(int(value))
