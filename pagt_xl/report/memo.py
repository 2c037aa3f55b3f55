"""The recommendation memo (indstillingsnotat, issue 16; a formal memo in issue 24): context → Word.

The context is a pydantic model built from a :class:`~pagt_xl.core.round.RoundResult` (pure: only
formatting); the template (``pagt_xl/templates/indstillingsnotat.docx``, built by
``scripts/make_round_templates.py``) lays it out and holds the memo's formal sentences ("Det
indstilles, at …") as Jinja text staff can reword. A formal memo: the case number, the decision
points for the council, a signature block, each failed check stated at the application it concerns
(and listed in the appendix), file names only (never a folder). Rendering reuses the status
report's sandbox and template checks (:mod:`pagt_xl.report.render`). The decision letters are in
:mod:`pagt_xl.report.letters`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from importlib.resources import files
from pathlib import Path

from pydantic import BaseModel, Field

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import danish_sort_key, format_amount, format_date
from pagt_xl.base.model import IssueCode, Severity
from pagt_xl.core.round import RECOMMENDATION_LABELS, Assessed, RoundResult
from pagt_xl.outputs.files import atomic_write
from pagt_xl.report.context import Words, theme_words
from pagt_xl.report.render import check_template, render_document
from pagt_xl.report.text import file_names_only, prompt_text

_TEMPLATES = Path(str(files("pagt_xl") / "templates"))
MEMO_TEMPLATE = _TEMPLATES / "indstillingsnotat.docx"
DRAFT_MARK = "KLADDE"


# -- the memo's context -----------------------------------------------------------------------------
class CountRow(BaseModel):
    """One line of a "received" table."""

    label: str = Field(description="temaet, institutionstypen, typen eller runden")
    count: int = Field(description="antal ansøgninger")
    applied: str = Field(description="ansøgt beløb i alt, fx '1.200.000 kr.'")


class MemoApplication(BaseModel):
    """One application in the memo's lists."""

    case_id: str = Field(description="sagsnummer ('' uden)")
    title: str = Field(description="'titel v/ ansøger'")
    theme: str = Field(description="indsatsområdet")
    round: str = Field(description="runden")
    applied: str = Field(description="ansøgt beløb")
    recommended: str = Field(description="indstillet beløb ('–' når ikke indstillet)")
    score: str = Field(description="vægtet score med én decimal ('–' uden score)")
    recommendation: str = Field(description="Ja, Nej, Delvis eller ''")
    reason: str = Field(description="begrundelsen")
    special: str = Field(description="'Ja' når ansøgningen adresserer årets særlige tema, ellers ''")
    flags: str = Field(description="de kontroller, ansøgningen ikke består, fx 'budgettet har 80.000 kr. til "
                       "driftsopgaver' ('' når alle er bestået)")
    partial: bool = Field(description="indstillet med mindre end ansøgt (et delvist tilsagn)")


class SuggestionRow(BaseModel):
    """One line of the suggestion."""

    rank: str = Field(description="placering efter vægtet score ('–' uden score)")
    title: str = Field(description="'titel v/ ansøger'")
    score: str = Field(description="vægtet score")
    applied: str = Field(description="ansøgt beløb")
    amount: str = Field(description="foreslået beløb")
    note: str = Field(description="'indstillet', 'over stregen', 'delvis bevilling' eller 'under stregen'")


class CheckRow(BaseModel):
    """One check before the memo is signed."""

    name: str = Field(description="kontrollen")
    result: str = Field(description="OK, AFVIGER eller 'ikke kontrolleret'")
    count: int = Field(description="antal afvigelser")


class IssueRow(BaseModel):
    """One failing check or bad cell, with its place."""

    place: str = Field(description="fil › ark › celle (filnavnet, ingen mappe)")
    severity: str = Field(description="fejl, advarsel eller info")
    message: str = Field(description="hvad der er galt")


class CriterionRow(BaseModel):
    """An assessment criterion."""

    name: str = Field(description="kriteriet")
    weight: str = Field(description="vægten")


class MemoSentences(BaseModel):
    """The memo's sentences, in the seed report's voice."""

    intro: str = Field(description="hvem der indstiller til hvem, og hvor mange")
    framework: str = Field(description="ramme, allerede bevilget, restramme, indstillet")
    received: str = Field(description="modtagne ansøgninger og ansøgt beløb")
    recommended: str = Field(description="de indstillede ansøgninger")
    not_recommended: str = Field(description="de ikke indstillede")
    special: str = Field(description="årets særlige tema ('' uden)")
    suggestion: str = Field(description="hvor stregen falder i forslaget ('' uden ramme)")
    checks: str = Field(description="resultatet af kontrollerne")
    excluded: str = Field(description="rækker med fejl i oversigten ('' uden)")


class MemoContext(BaseModel):
    """Everything the memo template can use (``pagt-xl template-vars --kind indstilling``)."""

    pact_name: str = Field(description="pagtens navn")
    region: str = Field(description="regionen")
    title: str = Field(description="notatets titel")
    case_number: str = Field(description="notatets sagsnummer (--sagsnr; ellers en skriveprompt)")
    words: Words = Field(description="pagtens ord for et tema: words.one ('indsatsområde'/'tema'), words.many ...")
    signatory: list[str] = Field(description="underskriver: navn og titel (pagtens [assessment] signatory, ellers "
                                 "en skriveprompt)")
    not_recommended_count: int = Field(description="antal ikke indstillede")
    partial: list[MemoApplication] = Field(description="de indstillede med mindre end ansøgt (delvise tilsagn)")
    flagged: list[MemoApplication] = Field(description="de indstillede ansøgninger, der ikke består en kontrol")
    failing: int = Field(description="antal afvigelser i alt")
    year: int = Field(description="ansøgningsrundens år")
    round_name: str = Field(description="rundens navn, eller 'alle runder'")
    report_date: str = Field(description="notatets dato, fx '15. februar 2024'")
    draft_mark: str = Field(description="'KLADDE'")
    council: str = Field(description="hvem der træffer beslutningen (Regionsrådet)")
    recommended_by: str = Field(description="hvem der indstiller")
    framework: str = Field(description="årets økonomiske ramme ('ikke oplyst' uden)")
    already_granted: str = Field(description="allerede bevilget i året uden for runden")
    remaining: str = Field(description="restrammen før indstillingen (med tilbageførte midler)")
    returned: str = Field(default="0 kr.", description="midler tilbageført til puljen i året (tilbagebetalt, "
                          "nedsat eller bortfaldet; kræver udbetalingerne)")
    recommended_total: str = Field(description="indstillet i alt")
    remaining_after: str = Field(description="restramme efter indstillingen")
    applied_total: str = Field(description="ansøgt i alt")
    applications_count: int = Field(description="antal ansøgninger i runden")
    recommended_count: int = Field(description="antal indstillede")
    by_theme: list[CountRow] = Field(description="modtagne ansøgninger pr. indsatsområde")
    by_institution: list[CountRow] = Field(description="modtagne ansøgninger pr. institutionstype")
    by_type: list[CountRow] = Field(description="modtagne ansøgninger pr. projekttype")
    by_round: list[CountRow] = Field(description="modtagne ansøgninger pr. runde")
    received_total: CountRow = Field(description="modtagne ansøgninger i alt")
    criteria: list[CriterionRow] = Field(description="vurderingskriterier og vægte")
    recommended: list[MemoApplication] = Field(description="de indstillede ansøgninger, bedste score først")
    not_recommended: list[MemoApplication] = Field(description="de ikke indstillede ansøgninger")
    has_special: bool = Field(description="om året har et særligt tema")
    special_theme: str = Field(description="årets særlige tema ('' uden)")
    special_count: int = Field(description="ansøgninger, der adresserer det særlige tema")
    has_suggestion: bool = Field(description="om der er et forslag (kræver en ramme)")
    suggestion: list[SuggestionRow] = Field(description="forslaget efter vægtet score")
    checks: list[CheckRow] = Field(description="kontrollerne før underskrift")
    issues: list[IssueRow] = Field(description="hver afvigelse med sin celle")
    sentences: MemoSentences = Field(description="notatets sætninger")


def memo_variables() -> dict[str, str]:
    """Every top-level variable of the memo template, with a one-line Danish description."""
    return {name: f.description or "" for name, f in MemoContext.model_fields.items()}


def _title(a: Assessed) -> str:
    return f"{a.title} v/ {a.applicant}" if a.applicant else a.title


def _score(a: Assessed) -> str:
    return "–" if a.weighted is None else f"{a.weighted:.1f}".replace(".", ",")


def _amount(v: int | None) -> str:
    return "–" if v is None else format_amount(v)


def _counts(result: RoundResult, label: Callable[[Assessed], str]) -> list[CountRow]:
    groups: dict[str, list[Assessed]] = {}
    for a in result.applications:
        groups.setdefault(label(a), []).append(a)
    rows = sorted(groups.items(), key=lambda kv: (-len(kv[1]), danish_sort_key(kv[0])))
    return [CountRow(label=k, count=len(v), applied=format_amount(sum(a.applied or 0 for a in v))) for k, v in rows]


_CHECKS: list[tuple[str, tuple[IssueCode, ...]]] = [
    ("Indstillet i alt inden for restrammen", (IssueCode.RECOMMENDED_OVER_FRAMEWORK, IssueCode.ROUND_NO_FRAMEWORK)),
    ("Indstillet højst det ansøgte beløb", (IssueCode.RECOMMENDED_ABOVE_APPLIED,)),
    ("Rundens loft (småprojekter)", (IssueCode.RECOMMENDED_ABOVE_CAP,)),
    ("Indsatsområdet var åbent i året", (IssueCode.RECOMMENDED_THEME_NOT_OPEN,)),
    ("Budgettet uden driftsudgifter", (IssueCode.RECOMMENDED_BUDGET_OPERATIONS,)),
    ("Budgettet svarer til det ansøgte beløb", (IssueCode.RECOMMENDED_BUDGET_MISMATCH,)),
    ("Intet projekt indstillet to gange", (IssueCode.RECOMMENDED_TWICE,)),
    ("Vurderingscellerne kan læses", (IssueCode.ASSESSMENT_BAD_SCORE, IssueCode.ASSESSMENT_BAD_AMOUNT,
                                       IssueCode.ASSESSMENT_UNKNOWN_RECOMMENDATION,
                                       IssueCode.ASSESSMENT_AMOUNT_WITHOUT_RECOMMENDATION,
                                       IssueCode.ASSESSMENT_PARTIAL_WITHOUT_AMOUNT)),
]  # fmt: skip
_BUDGET_CODES = (IssueCode.RECOMMENDED_BUDGET_OPERATIONS, IssueCode.RECOMMENDED_BUDGET_MISMATCH)
_SEVERITY = {Severity.ERROR: "fejl", Severity.WARNING: "advarsel", Severity.INFO: "info"}


def _kr(kroner: int | None) -> str:
    """An exact amount in a sentence: the memo is signed, so no rounding to millions."""
    return format_amount(kroner or 0)


def _sentence(text: str) -> str:
    """No double full stop after an abbreviation ("kr..")."""
    return text.replace("..", ".")


def _n(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count == 1 else plural}"


def build_memo_context(
    result: RoundResult,
    *,
    report_date: dt.date,
    budgets_checked: bool = False,
    excluded_rows: int = 0,
    case_number: str | None = None,
) -> MemoContext:
    """The memo's context from a round (:func:`pagt_xl.core.round.assess_round`).

    ``budgets_checked``: whether applicants' budgets were read (else those two checks say
    "ikke kontrolleret"); ``excluded_rows``: rows of the round with errors in the overview;
    ``case_number``: the memo's own case number (``None``: a writing prompt). The memo is marked
    KLADDE while a prompt is left or a check fails.
    """
    pact = result.pact
    rules = pact.assessment
    words = theme_words(pact)
    round_name = pact.round(result.round).name if result.round else "alle runder"
    remaining = result.remaining
    total = result.recommended_total
    n = len(result.applications)
    suggestion_rows, suggestion_sentence = _suggestion(result)
    checks, issue_rows = _checks(result, budgets_checked)
    failing = sum(c.count for c in checks)
    flags = _flags(result)
    recommended = [_application(pact, a, flags) for a in result.recommended]
    signatory = list(rules.signatory) or [prompt_text("navn og titel på den, der underskriver notatet")]
    context = MemoContext(
        pact_name=pact.name, region=pact.region, title=f"Indstillingsnotat – ansøgningsrunden {result.year}",
        case_number=" ".join((case_number or "").split()) or prompt_text("notatets sagsnummer (--sagsnr)"),
        words=words, signatory=signatory,
        year=result.year, round_name=round_name, report_date=format_date(report_date), draft_mark="",
        council=rules.council, recommended_by=rules.recommended_by,
        framework="ikke oplyst" if result.framework is None else format_amount(result.framework),
        already_granted=format_amount(result.already_granted),
        remaining="ikke oplyst" if remaining is None else format_amount(remaining),
        returned=format_amount(result.returned),
        recommended_total=format_amount(total),
        remaining_after="ikke oplyst" if remaining is None else format_amount(remaining - total),
        applied_total=format_amount(result.applied_total), applications_count=n,
        recommended_count=len(result.recommended), not_recommended_count=len(result.not_recommended),
        by_theme=_counts(result, lambda a: _theme_label(pact, a.theme)),
        by_institution=_counts(result, lambda a: a.institution_type),
        by_type=_counts(result, lambda a: pact.project_type(a.project_type).name if a.project_type else "Ikke angivet"),
        by_round=_counts(result, lambda a: pact.round(a.round).name if a.round else "Ikke angivet"),
        received_total=CountRow(label="I alt", count=n, applied=format_amount(result.applied_total)),
        criteria=[CriterionRow(name=c.name, weight=f"{c.weight:g}".replace(".", ",")) for c in rules.criteria],
        recommended=recommended,
        not_recommended=[_application(pact, a, flags) for a in result.not_recommended],
        partial=[r for r in recommended if r.partial], flagged=[r for r in recommended if r.flags],
        failing=failing,
        has_special=bool(result.special_theme), special_theme=result.special_theme or "",
        special_count=result.special_count, has_suggestion=result.suggestion is not None,
        suggestion=suggestion_rows, checks=checks, issues=issue_rows,
        sentences=_sentences(result, suggestion_sentence, failing, excluded_rows),
    )  # fmt: skip
    if failing or "[SKRIV:" in context.case_number or any("[SKRIV:" in line for line in signatory):
        context = context.model_copy(update={"draft_mark": DRAFT_MARK})
    return context


def _theme_label(pact: Pact, key: str | None) -> str:
    if not key:
        return "Ikke angivet"
    theme = pact.theme(key)
    return f"{theme.name} (finansieringskanal)" if theme.channel else theme.name


def _flags(result: RoundResult) -> dict[tuple[str, str, int], list[str]]:
    """(file, sheet, row) → the failed checks of the application in that row, paths shortened to file names."""
    out: dict[tuple[str, str, int], list[str]] = {}
    for i in result.issues:
        if i.severity is Severity.INFO or i.row is None or i.file is None or i.sheet is None:
            continue
        out.setdefault((i.file, i.sheet, i.row), []).append(file_names_only(i.message))
    return out


def _application(pact: Pact, a: Assessed, flags: dict[tuple[str, str, int], list[str]] | None = None
                 ) -> MemoApplication:
    """One application's row in the recommended or not-recommended list."""
    return MemoApplication(
        case_id=a.case_id or "", title=_title(a), theme=_theme_label(pact, a.theme) if a.theme else "",
        round=pact.round(a.round).name if a.round else "", applied=_amount(a.applied),
        recommended=_amount(a.final) if a.is_recommended else "–", score=_score(a),
        recommendation=RECOMMENDATION_LABELS.get(a.recommendation or "", ""), reason=a.reason,
        special="Ja" if a.special else "",
        flags="; ".join((flags or {}).get((a.file, a.sheet, a.row), [])),
        partial=bool(a.is_recommended and a.applied is not None and (a.final or 0) < a.applied),
    )  # fmt: skip


def _sentences(result: RoundResult, suggestion: str, failing: int, excluded_rows: int) -> MemoSentences:
    """The memo's prose in the seed's voice: the round, the framework, what was received and recommended."""
    pact = result.pact
    rules = pact.assessment
    recommended, not_recommended = result.recommended, result.not_recommended
    total = result.recommended_total
    n, r = len(result.applications), len(recommended)
    where = f"ansøgningsrunden {result.year}"
    if result.round:
        where = f"{pact.round(result.round).name.lower()} {result.year}"
    intro = (
        f"I forbindelse med den årlige ansøgningsrunde til {pact.name}s pulje udvælger og indstiller "
        f"{rules.recommended_by} ansøgninger til {rules.council} til endelig beslutning. I {where} er der "
        f"modtaget {_n(n, 'ansøgning', 'ansøgninger')}, og {r} af dem indstilles til støtte med i alt "
        f"{_kr(total)}."
    )
    received = (
        f"Der er modtaget {_n(n, 'ansøgning', 'ansøgninger')} med et samlet ansøgt beløb på "
        f"{_kr(result.applied_total)}."
    )
    rec_sentence = (
        f"{rules.recommended_by[:1].upper()}{rules.recommended_by[1:]} indstiller {_n(r, 'ansøgning', 'ansøgninger')} "
        f"til støtte med i alt {_kr(total)} af ansøgte "
        f"{_kr(sum(a.applied or 0 for a in recommended))}."
    )
    not_rec = f"{_n(len(not_recommended), 'ansøgning', 'ansøgninger')} indstilles ikke" + (
        f", heraf {_n(u, 'ansøgning', 'ansøgninger')} uden vurdering endnu."
        if (u := sum(1 for a in not_recommended if a.recommendation is None and a.weighted is None))
        else "."
    )
    special = ""
    if result.special_theme:
        special_rec = sum(1 for a in recommended if a.special)
        special = (
            f"Årets særlige tema er {result.special_theme}. {result.special_count} af de {n} ansøgninger "
            f"adresserer temaet, og {special_rec} af dem indstilles."
        )
    checks = (
        "Alle kontroller er bestået."
        if not failing
        else f"{_n(failing, 'afvigelse', 'afvigelser')} skal rettes eller begrundes, før notatet underskrives "
        "(se ved de pågældende ansøgninger og i bilaget)."
    )
    excluded = (
        f"{_n(excluded_rows, 'ansøgning', 'ansøgninger')} i runden har fejl i oversigten; ret dem i projektmappen "
        "(pagt-xl validate viser cellerne)."
        if excluded_rows
        else ""
    )
    return MemoSentences(
        intro=_sentence(intro), framework=_sentence(_framework_sentence(result)), received=_sentence(received),
        recommended=_sentence(rec_sentence), not_recommended=not_rec, special=special,
        suggestion=_sentence(suggestion), checks=checks, excluded=excluded,
    )  # fmt: skip


def _framework_sentence(result: RoundResult) -> str:
    """The year's framework, what is already granted, what remains, and what remains after the recommendation."""
    total, remaining = result.recommended_total, result.remaining
    if result.framework is None or remaining is None:
        return (
            f"Der er ikke angivet en økonomisk ramme for {result.year}, så restrammen kan ikke beregnes. "
            f"Indstillingen udgør {_kr(total)}."
        )
    after = remaining - total
    returned = (
        f", og {_kr(result.returned)} er kommet tilbage til puljen (tilbagebetalt eller nedsat)"
        if result.returned
        else ""
    )
    return (
        f"Den økonomiske ramme for {result.year} er {_kr(result.framework)}. Heraf er "
        f"{_kr(result.already_granted)} allerede bevilget til "
        f"{_n(result.already_granted_count, 'projekt', 'projekter')}{returned}, så der resterer "
        f"{_kr(remaining)}. Indstillingen udgør {_kr(total)}, og der vil herefter "
        + (
            f"være {_kr(after)} tilbage af rammen."
            if after >= 0
            else f"mangle {_kr(-after)}: indstillingen overstiger restrammen."
        )
    )


_NOTES = {"staff": "indstillet", "full": "over stregen", "partial": "delvis bevilling",
          "below": "under stregen"}  # fmt: skip


def _suggestion(result: RoundResult) -> tuple[list[SuggestionRow], str]:
    s = result.suggestion
    if s is None:
        return [], ""
    rows = [
        SuggestionRow(rank=str(ln.rank) if ln.rank else "–", title=_title(ln.application), score=_score(ln.application),
                      applied=_amount(ln.application.applied), amount=format_amount(ln.amount), note=_NOTES[ln.kind])
        for ln in s.lines
    ]  # fmt: skip
    staff_total = sum(ln.amount for ln in s.lines if ln.kind == "staff")
    text = (
        f"Forslaget er kun et forslag: de beløb, der allerede er indstillet i oversigten ({_kr(staff_total)}), "
        "går altid forud. Resten af restrammen fyldes op efter vægtet score."
    )
    last, partial = s.line_after, s.partial
    if last is not None:
        text += f" Stregen falder efter nr. {last.rank}, {_title(last.application)}."
    elif staff_total >= s.remaining:
        text += " Indstillingen bruger hele restrammen, så der er intet at foreslå ud over den."
    if partial is not None:
        text += (
            f" {_title(partial.application)} (nr. {partial.rank}) kunne få en delvis bevilling på "
            f"{_kr(partial.amount)} af ansøgte {_kr(partial.application.applied or 0)}."
        )
    text += f" Forslaget udgør i alt {_kr(s.total)} af restrammen på {_kr(s.remaining)}."
    return rows, text


def _checks(result: RoundResult, budgets_checked: bool) -> tuple[list[CheckRow], list[IssueRow]]:
    rows = []
    the_one = result.pact.report.words.the_one
    for name, codes in _CHECKS:
        name = name.replace("Indsatsområdet", the_one[:1].upper() + the_one[1:])
        count = sum(1 for i in result.issues if i.code in codes and i.severity is not Severity.INFO)
        if not budgets_checked and codes[0] in _BUDGET_CODES:
            rows.append(CheckRow(name=name, result="ikke kontrolleret (ingen budgetskemaer)", count=0))
        else:
            rows.append(CheckRow(name=name, result="OK" if not count else "AFVIGER", count=count))
    issues = [IssueRow(place=file_names_only(i.location()), severity=_SEVERITY[i.severity],
                       message=file_names_only(i.message)) for i in result.issues]  # fmt: skip
    return rows, issues


# -- rendering ---------------------------------------------------------------------------------------
def render_memo(
    result: RoundResult,
    out: Path,
    *,
    template: Path | None = None,
    report_date: dt.date | None = None,
    budgets_checked: bool = False,
    excluded_rows: int = 0,
    case_number: str | None = None,
) -> Path:
    """Write the memo draft for ``result`` to ``out`` (atomically). Returns ``out``.

    ``template`` defaults to the shipped ``indstillingsnotat.docx``; ``report_date`` to today;
    ``case_number`` is the memo's own case number (``None``: a writing prompt).
    """
    template = Path(template) if template is not None else MEMO_TEMPLATE
    context = build_memo_context(
        result, report_date=report_date or dt.date.today(), budgets_checked=budgets_checked,
        excluded_rows=excluded_rows, case_number=case_number,
    )  # fmt: skip
    tpl = render_document(context.model_dump(), template, "indstilling", MemoContext)
    out = Path(out)
    atomic_write(out, lambda tmp: tpl.save(str(tmp)))
    return out


def check_memo_template(template: Path | None = None) -> None:
    """Check a memo template before any work is done (unknown variables, bad syntax, not a .docx)."""
    check_template(Path(template) if template is not None else MEMO_TEMPLATE, "indstilling", MemoContext)


def memo_nested_variables() -> dict[str, dict[str, str]]:
    """The attributes of each list/record variable of the memo (``recommended`` → ``title`` ...)."""
    out: dict[str, dict[str, str]] = {}
    for name, f in MemoContext.model_fields.items():
        args = getattr(f.annotation, "__args__", None)
        candidate = args[0] if args else f.annotation
        if isinstance(candidate, type) and issubclass(candidate, BaseModel):
            out[name] = {k: v.description or "" for k, v in candidate.model_fields.items()}
    return out
