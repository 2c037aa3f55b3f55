"""The report context: every figure, table and sentence of the status-report draft.

Pure: built from :class:`~pagt_xl.pipeline.Breakdowns`, no I/O. Every value is
already formatted the Danish way ("23.231.178 kr.", "23,23 mio. kr.", "18 %",
"15. februar 2024"), so the Word template only places text. The field
descriptions are what ``pagt-xl template-vars`` shows to staff who edit the
template.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from pagt_xl.breakdown import PROGRESS_LABELS, STATUS_LABELS, Breakdown, clean_granted
from pagt_xl.danish import (
    danish_sort_key,
    format_amount,
    format_amount_prose,
    format_date,
    format_number,
    format_percent,
)

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


class ThemeLearning(_Model):
    """Learning from one theme's projects."""

    name: str = Field(description="indsatsområdets navn med nummer")
    projects: str = Field(description="antal støttede projekter under indsatsområdet")
    sentence: str = Field(description="sætning om antal projekter og de mest anvendte virkemidler")
    project_titles: str = Field(description="projekternes titler, kommasepareret")
    instruments: list[CountRow] = Field(description="virkemidler og hvor mange projekter der bruger hvert")
    notes: list[NoteItem] = Field(description="læring fra kolonnen Læring")
    finished: list[FinishedProject] = Field(description="afsluttede projekter med støttebeløb")


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


class Sentences(_Model):
    """Key sentences in the report's own style; every number computed."""

    total: str = Field(description="fx 'Nordjysk Teknologipagt har udmøntet 23,23 mio. kr. siden 2019. I alt har ...'")
    extremes: str = Field(description="mindste og største bevilling")
    largest_theme: str = Field(description="indsatsområdet med flest midler og dets andel")
    funnel: str = Field(description="ansøgninger, afslag og tilsagn i perioden")
    framework: str = Field(description="udmøntning mod den samlede ramme")
    targets: str = Field(description="projektperiode og aktivitetsmål (børn og unge, fagpersoner)")
    target_groups: str = Field(description="antal projekter pr. uddannelsesniveau")
    partners: str = Field(description="de partnertyper, der indgår i flest projekter")
    excluded: str = Field(description="tom, eller en note om rækker med fejl, der ikke indgår")


class ReportContext(_Model):
    """Everything the status-report template may use."""

    pact_name: str = Field(description="pagtens navn, fx 'Nordjysk Teknologipagt'")
    region: str = Field(description="regionens navn")
    period: str = Field(description="rapportens periode, fx '2019-2023'")
    title: str = Field(description="rapportens titel, fx 'Statusrapport 2019-2023'")
    report_date: str = Field(description="dato for kladden, fx '22. november 2026'")
    draft_mark: str = Field(description="kladdemærket 'KLADDE'")
    introduction: list[str] = Field(description="introduktionens afsnit (fra pagtens konfiguration)")
    sentences: Sentences = Field(description="nøglesætninger, fx sentences.total, sentences.extremes")
    granted_total: str = Field(description="bevilget i alt, fx '23.231.178 kr.'")
    granted_millions: str = Field(description="bevilget i alt i mio. kr., fx '23,23 mio. kr.'")
    granted_projects: str = Field(description="antal projekter med tilsagn")
    applications: str = Field(description="antal ansøgninger i perioden")
    round_names: list[str] = Field(description="runderne (kolonner i rammetabellen); tom for pagter uden runder")
    years: list[YearRow] = Field(description="årstabellen, én række pr. år")
    years_total: YearRow = Field(description="årstabellens totalrække")
    themes: list[ShareRow] = Field(description="tilsagn fordelt på indsatsområder")
    themes_total: ShareRow = Field(description="totalrække for indsatsområder")
    has_types: bool = Field(description="om pagten har projekttyper")
    types: list[ShareRow] = Field(description="tilsagn fordelt på projekttyper")
    types_total: ShareRow = Field(description="totalrække for projekttyper")
    institution_types: list[ShareRow] = Field(description="tilsagn fordelt på tovholderens institutionstype")
    partner_types: list[CountRow] = Field(description="antal projekter hver partnertype indgår i (kolonnen Partnere)")
    has_targets: bool = Field(description="om der er aktivitetsmål i data")
    target_groups: list[TargetRow] = Field(description="aktivitetsmål pr. uddannelsesniveau")
    target_total: TargetRow = Field(description="totalrække for aktivitetsmål")
    instruments_top: list[CountRow] = Field(description="de mest anvendte virkemidler (op til 5)")
    learning: list[ThemeLearning] = Field(description="læring pr. indsatsområde")
    status_counts: list[CountRow] = Field(description="projekter pr. status (igangværende, afsluttet ...)")
    progress_counts: list[CountRow] = Field(description="igangværende projekter pr. fremdriftsvurdering")
    ongoing: list[ProgressProject] = Field(description="igangværende projekter med fremdrift og aktivitetsmål")
    grant_years: list[GrantYear] = Field(description="støttede projekter pr. tilsagnsår, nyeste først")
    checks: list[CheckRow] = Field(description="krydstjek (kontrol) med resultat")
    checks_summary: str = Field(description="fx '28 kontroller: 28 OK, 0 afviger.'")
    sources: list[SourceRow] = Field(description="kilder: filer, ark og rækker for hver tabel")


#: Chart images the renderer adds to the context (not part of the model: they are pictures).
CHART_VARIABLES: dict[str, str] = {
    "chart_themes": "diagram: støttebeløb pr. indsatsområde (billede)",
    "chart_types": "diagram: støttebeløb pr. projekttype (billede; tomt for pagter uden typer)",
    "chart_years": "diagram: bevilget pr. år mod rammen (billede)",
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
def _n(value: int) -> str:
    return format_number(int(value))


def _title_with_applicant(title: Any, applicant: Any) -> str:
    t = str(title) if isinstance(title, str) else ""
    return f"{t} v/ {applicant}" if isinstance(applicant, str) and applicant else t


def _share_rows(b: Breakdown, key: str) -> tuple[list[ShareRow], ShareRow]:
    rows = [
        ShareRow(
            label=str(r[key]),
            projects=_n(r["projects"]),
            amount=format_amount(r["granted"]),
            millions=f"{r['granted'] / 1_000_000:.2f}".replace(".", ","),
            share=f"{r['percent']} %",
        )
        for r in b.rows
    ]
    t = b.total
    total = ShareRow(
        label="I alt",
        projects=_n(t["projects"]),
        amount=format_amount(t["granted"]),
        millions=f"{t['granted'] / 1_000_000:.2f}".replace(".", ","),
        share=f"{t.get('percent', 100)} %",
    )
    return rows, total


def _year_row(r: dict[str, Any], rounds: list[tuple[str, str]]) -> YearRow:
    return YearRow(
        year=str(r["year"]),
        applications=_n(r["applications"]),
        rejected=_n(r["rejected"]),
        granted_projects=_n(r["granted_projects"]),
        pending=_n(r["pending"]),
        rounds=[_n(r[f"round_{k}"]) for k, _ in rounds],
        granted=_n(r["granted"]),
        framework=_n(r["framework"]) if r["framework"] is not None else "-",
        utilisation=format_percent(r["utilisation"]) if r["utilisation"] is not None else "-",
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


def _targets_text(row: pd.Series) -> str:
    parts = []
    for col, word in _TARGET_WORDS.items():
        v = row.get(col)
        if v is not None and not pd.isna(v) and int(v) > 0:
            parts.append(f"{_n(int(v))} {word}")
    return ", ".join(parts) if parts else "-"


def build_context(
    breakdowns: Any,
    *,
    report_date: dt.date,
    underspend: dict[str, str] | None = None,
) -> ReportContext:
    """The report context for a set of breakdowns (see :func:`pagt_xl.pipeline.run_breakdowns`).

    ``report_date`` is printed on the draft. ``underspend`` maps a case number
    (or title) to a Danish note on underspend risk; ``None``: not known.
    """
    validation = breakdowns.validation
    pact = validation.pact
    table = validation.table
    if breakdowns.period is not None:
        first, last = breakdowns.period
        table = table[(table["year"] >= first) & (table["year"] <= last)]
    clean = table[~table["has_error"].astype(bool) & table["year"].notna()]
    granted = clean_granted(table).copy()
    years_present = sorted(int(y) for y in clean["year"].dropna().unique())
    if breakdowns.period is not None:
        first, last = breakdowns.period
    elif years_present:
        first, last = years_present[0], years_present[-1]
    else:
        first = last = report_date.year
    period = str(first) if first == last else f"{first}-{last}"

    yt = breakdowns.years
    year_rows = [_year_row(r, yt.rounds) for r in yt.rows]
    years_total = _year_row(yt.total, yt.rounds)
    b = breakdowns.breakdowns
    themes, themes_total = _share_rows(b["theme"], "theme")
    if "type" in b:
        types, types_total = _share_rows(b["type"], "type")
    else:
        types, types_total = (
            [],
            ShareRow(label="I alt", projects="0", amount=format_amount(0), millions="0,00", share="0 %"),
        )
    institution_types, _ = _share_rows(b["institution_type"], "institution_type")

    total_kr = int(yt.total["granted"])
    n_granted = int(yt.total["granted_projects"])
    n_apps = int(yt.total["applications"])
    since = f"siden {first}" if first != last else f"i {first}"
    s_total = (
        f"{pact.name} har udmøntet {format_amount_prose(total_kr)} {since}. "
        f"I alt har {n_granted} ansøgninger ud af samlet {n_apps} modtaget støtte."
    )
    ext = breakdowns.extremes
    if ext["smallest"] is not None:
        s_ext = (
            f"Det mindste projekt har et budget på {format_amount_prose(ext['smallest']['granted'])}, "
            f"mens det største har et budget på {format_amount_prose(ext['largest']['granted'])}"
        )
        s_ext = _sentence_end(s_ext)
    else:
        s_ext = "Der er endnu ikke givet tilsagn i perioden."
    theme_rows = [r for r in b["theme"].rows if r["projects"]]
    if theme_rows:
        top = max(theme_rows, key=lambda r: (r["granted"], r["projects"]))
        s_theme = (
            f"”{top['theme'].split('. ', 1)[-1]}” er det indsatsområde, der har fået flest midler: "
            f"{format_amount_prose(top['granted'])} af støtten ({top['percent']} %) er gået til "
            f"indsatsområdet fordelt på {top['projects']} projekter."
        )
    else:
        s_theme = ""
    s_funnel = (
        f"I perioden {period} er der modtaget {n_apps} ansøgninger. {yt.total['rejected']} har fået afslag, "
        f"og {n_granted} har fået tilsagn"
        + (f", mens {yt.total['pending']} afventer afgørelse." if yt.total["pending"] else ".")
    )
    if yt.total["framework"]:
        s_framework = (
            f"Den samlede økonomiske ramme for perioden er {format_amount_prose(int(yt.total['framework']))}, "
            f"hvoraf {format_percent(yt.total['utilisation'])} er udmøntet."
        )
    else:
        s_framework = "Der er ikke angivet en økonomisk ramme for perioden."

    # target groups and activity targets
    tg = b.get("target_group")
    has_targets = tg is not None and tg.total.get("participants", 0) > 0
    target_rows = []
    target_total = TargetRow(label="I alt", projects="0", participants="0", share="0 %")
    s_targets = s_groups = ""
    if has_targets and tg is not None:
        target_rows = [
            TargetRow(
                label=r["target_group"],
                projects=_n(r["projects"]),
                participants=_n(r["participants"]),
                share=f"{r['percent']} %",
            )
            for r in tg.rows
        ]
        target_total = TargetRow(
            label="I alt", projects=_n(tg.total["projects"]), participants=_n(tg.total["participants"]), share="100 %"
        )
        young = sum(r["participants"] for r in tg.rows if r["target_group"] != "Fagpersoner")
        prof = sum(r["participants"] for r in tg.rows if r["target_group"] == "Fagpersoner")
        starts = granted["period_start"].dropna()
        ends = granted["period_end"].dropna()
        span = ""
        if len(starts) and len(ends):
            span = (
                "De projekter, der er igangsat i regi af teknologipagten, strækker sig fra "
                f"{format_date(min(starts))} til {format_date(max(ends))}. I denne periode har projekterne"
            )
        else:
            span = "Projekterne har"
        s_targets = f"{span} en målsætning om at inddrage {_n(young)} børn og unge i STEM-fremmende aktiviteter."
        if prof:
            s_targets += (
                f" Projekterne arbejder samlet på at styrke {_n(prof)} fagpersoners kompetencer inden for STEM."
            )
        by_level = {r["target_group"]: r["projects"] for r in tg.rows}
        s_groups = (
            f"{by_level.get('Ungdomsuddannelse', 0)} projekter inddrager unge på ungdomsuddannelserne, "
            f"{by_level.get('Grundskole', 0)} projekter inddrager elever fra grundskolen, og "
            f"{by_level.get('Videregående uddannelse', 0)} projekter brobygger til videregående uddannelser."
        )

    partner_types = _count_items(granted["partners"])
    if partner_types:
        top_count = partner_types[0].count
        tops = [p.label for p in partner_types if p.count == top_count]
        each = " hver" if len(tops) > 1 else ""
        s_partners = (
            f"{_join_and(tops)} er repræsenteret i {top_count} projekter{each} og deltager dermed i flest projekter."
        )
    else:
        s_partners = ""

    excluded = int(table["has_error"].astype(bool).sum())
    s_excluded = (
        f"Bemærk: {excluded} række(r) i projektmapperne har fejl og indgår ikke i tallene. "
        "Se bilaget 'Kontrol og kilder' og kør 'pagt-xl validate'."
        if excluded
        else ""
    )

    # learning per theme
    theme_names = {t.key: (f"{t.number}. {t.name}" if t.number is not None else t.name) for t in pact.themes}
    type_names = {t.key: t.name for t in pact.project_types}
    learning = []
    for t in pact.themes:
        tdf = granted[granted["theme"] == t.key]
        if tdf.empty:
            continue
        instruments = _count_items(tdf["instruments"])
        most = [i.label for i in instruments[:3]]
        sentence = f"Der er igangsat {len(tdf)} projekter på indsatsområdet"
        if instruments:
            sentence += f", som samlet anvender {len(instruments)} forskellige virkemidler. "
            sentence += f"De mest anvendte virkemidler er {_letters(most)}."
        else:
            sentence += "."
        titles = sorted((str(x) for x in tdf["title"] if isinstance(x, str)), key=danish_sort_key)
        notes = [
            NoteItem(title=str(r["title"]), text=str(r["notes"]).strip())
            for _, r in tdf.iterrows()
            if isinstance(r["notes"], str) and r["notes"].strip()
        ]
        finished = [
            FinishedProject(
                title=_title_with_applicant(r["title"], r["applicant"]), amount=format_amount(int(r["granted"]))
            )
            for _, r in tdf[tdf["status"] == "finished"].iterrows()
            if not pd.isna(r["granted"])
        ]
        learning.append(
            ThemeLearning(
                name=theme_names[t.key],
                projects=_n(len(tdf)),
                sentence=sentence,
                project_titles=", ".join(titles),
                instruments=instruments,
                notes=sorted(notes, key=lambda n: danish_sort_key(n.title)),
                finished=sorted(finished, key=lambda f: danish_sort_key(f.title)),
            )
        )

    # progress
    status_counts = [
        CountRow(label=STATUS_LABELS[k], count=_n(int((granted["status"] == k).sum())))
        for k in STATUS_LABELS
        if (granted["status"] == k).any()
    ]
    missing_status = int(granted["status"].isna().sum())
    if missing_status:
        status_counts.append(CountRow(label="(ikke angivet)", count=_n(missing_status)))
    ongoing_df = granted[granted["status"] == "ongoing"]
    progress_counts = [
        CountRow(label=PROGRESS_LABELS[k], count=_n(int((ongoing_df["progress"] == k).sum())))
        for k in PROGRESS_LABELS
        if (ongoing_df["progress"] == k).any()
    ]
    underspend = underspend or {}
    ongoing = []
    ongoing_rows = sorted(
        (r for _, r in ongoing_df.iterrows()), key=lambda r: (int(r["year"]), danish_sort_key(str(r["title"])))
    )
    for r in ongoing_rows:
        key = r["case_id"] if isinstance(r["case_id"], str) and r["case_id"] in underspend else r["title"]
        ongoing.append(
            ProgressProject(
                title=_title_with_applicant(r["title"], r["applicant"]),
                year=str(int(r["year"])),
                theme=theme_names.get(r["theme"], "-"),
                progress=PROGRESS_LABELS.get(r["progress"], "-"),
                targets=_targets_text(r),
                underspend=underspend.get(key, "-"),
            )
        )

    # projects per grant year, newest first
    grant_years = []
    for year in sorted({int(y) for y in granted["year"]}, reverse=True):
        ydf = granted[granted["year"] == year]
        amount = int(ydf["granted"].fillna(0).sum())
        rows = [
            ProjectRow(
                year=str(year),
                title=_title_with_applicant(r["title"], r["applicant"]),
                theme=theme_names.get(r["theme"], "-"),
                summary=str(r["summary"]) if isinstance(r["summary"], str) else "",
                type=type_names.get(r["project_type"], "-"),
                amount=format_amount(int(r["granted"])) if not pd.isna(r["granted"]) else "-",
            )
            for _, r in ydf.iterrows()
        ]
        rows.sort(key=lambda p: danish_sort_key(p.title))
        word = "projekt" if len(ydf) == 1 else "projekter"
        grant_years.append(
            GrantYear(year=str(year), sentence=f"{format_amount_prose(amount)} til {len(ydf)} {word}", projects=rows)
        )

    checks = [
        CheckRow(
            name=c.name,
            expected=_fmt_check(c.expected),
            actual=_fmt_check(c.actual),
            result=c.result,
            source=_short_source(c.source),
        )
        for c in breakdowns.checks
    ]
    bad = sum(1 for c in breakdowns.checks if not c.ok)
    checks_summary = f"{len(checks)} kontroller: {len(checks) - bad} OK, {bad} afviger."
    sources = [
        *_sources("Årstabel (ansøgninger, afslag, tilsagn)", clean),
        *_sources("Fordelinger (indsatsområder, typer, institutioner, målgrupper)", granted),
    ]

    return ReportContext(
        pact_name=pact.name,
        region=pact.region,
        period=period,
        title=f"Statusrapport {period}",
        report_date=format_date(report_date),
        draft_mark=DRAFT_MARK,
        introduction=[p.strip() for p in pact.introduction.split("\n\n") if p.strip()],
        sentences=Sentences(
            total=s_total,
            extremes=s_ext,
            largest_theme=s_theme,
            funnel=s_funnel,
            framework=s_framework,
            targets=s_targets,
            target_groups=s_groups,
            partners=s_partners,
            excluded=s_excluded,
        ),
        granted_total=format_amount(total_kr),
        granted_millions=format_amount_prose(total_kr),
        granted_projects=_n(n_granted),
        applications=_n(n_apps),
        round_names=[name for _, name in yt.rounds],
        years=year_rows,
        years_total=years_total,
        themes=themes,
        themes_total=themes_total,
        has_types=bool(pact.project_types),
        types=types,
        types_total=types_total,
        institution_types=institution_types,
        partner_types=partner_types,
        has_targets=has_targets,
        target_groups=target_rows,
        target_total=target_total,
        instruments_top=_count_items(granted["instruments"])[:5],
        learning=learning,
        status_counts=status_counts,
        progress_counts=progress_counts,
        ongoing=ongoing,
        grant_years=grant_years,
        checks=checks,
        checks_summary=checks_summary,
        sources=sources,
    )


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
