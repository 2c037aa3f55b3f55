"""The decision letters (issue 16, made lawful in issue 24): a grant, a partial grant, a rejection → Word.

A letter is a legal act. What it contains (forvaltningsloven §§ 22, 24 and 25, and what a grant
letter normally states):

* the decision, the amount in figures and words, the applicant, the project and the case number;
* the legal basis (``[letters] legal_basis``);
* for a rejection or a partial grant (a partial grant is a partial refusal) the reasons: the
  Begrundelse cell of the overview, without the staff's own wording ("indstilles med …"), and
  the criteria of the assessment with the application's scores;
* guidance on appeal, or where the decision can be brought (``[letters] appeal``);
* for a grant: the conditions (project period, eligible costs, no operations, co-financing and the
  pact's own), the reporting duties with their dates, the payment terms with the held-back part,
  the acceptance deadline;
* the contact person and the signature.

Every text is the pact's (:class:`~pagt_xl.base.config.LetterRules`); a missing one is a yellow
writing prompt ``[SKRIV: …]`` and the letter is marked KLADDE: nothing of the law is invented.
A rejection or partial grant without a reason gets no letter (``letter_no_reason``, an error at
the Begrundelse cell) unless a draft is asked for, which is then marked KLADDE.

The context is built from an :class:`~pagt_xl.core.round.Assessed` (pure); the templates
(``brev_tilsagn.docx``, ``brev_afslag.docx``, built by ``scripts/make_round_templates.py``) hold
the sentences as Jinja text staff can reword in Word.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from calendar import monthrange
from decimal import ROUND_HALF_UP, Decimal
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from pagt_xl.base.config import Pact
from pagt_xl.base.danish import amount_in_words, format_amount, format_date, format_percent
from pagt_xl.base.model import Decision, Issue, IssueCode, Severity
from pagt_xl.core.round import Assessed, letter_name
from pagt_xl.outputs.files import atomic_write
from pagt_xl.report.render import check_template, render_document

_TEMPLATES = Path(str(files("pagt_xl") / "templates"))
GRANT_TEMPLATE = _TEMPLATES / "brev_tilsagn.docx"
REJECTION_TEMPLATE = _TEMPLATES / "brev_afslag.docx"
DRAFT_MARK = "KLADDE"
PROMPT = "[SKRIV: "


def prompt(hint: str) -> str:
    """A writing prompt as it stands in a letter: ``[SKRIV: hint]`` (yellow once rendered)."""
    return f"{PROMPT}{hint}]"


def has_prompt(value: Any) -> bool:
    """Whether a text (or any text inside a list or model dump) still holds a writing prompt."""
    if isinstance(value, str):
        return PROMPT in value
    if isinstance(value, dict):
        return any(has_prompt(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(has_prompt(v) for v in value)
    return False


# -- the context ------------------------------------------------------------------------------------
class CriterionScore(BaseModel):
    """One assessment criterion in a letter's reasons."""

    name: str = Field(description="kriteriet")
    weight: str = Field(description="vægten, fx '3'")
    score: str = Field(description="ansøgningens score ('' når ikke givet)")


class ReportDue(BaseModel):
    """A report the grant holder owes, with its date."""

    label: str = Field(description="fx 'Statusrapport for 2024'")
    due: str = Field(description="fristen, fx '28. februar 2025'")


class Payment(BaseModel):
    """One instalment of a grant, or the held-back part."""

    label: str = Field(description="fx '1. rate' eller 'Tilbageholdt del (10 %)'")
    when: str = Field(description="hvornår beløbet udbetales")
    amount: str = Field(description="beløbet, fx '450.000 kr.'")


class LetterContext(BaseModel):
    """Everything a decision letter template can use (``pagt-xl template-vars --kind brev``)."""

    kind: str = Field(description="'tilsagn', 'delvist tilsagn' eller 'afslag'")
    is_grant: bool = Field(description="tilsagn (helt eller delvist)")
    is_partial: bool = Field(description="delvist tilsagn: mindre end ansøgt, dvs. et delvist afslag")
    is_rejection: bool = Field(description="afslag")
    pact_name: str = Field(description="pagtens navn")
    region: str = Field(description="regionen")
    sender: str = Field(description="afsender (sekretariatet)")
    signature: str = Field(description="hilsenen, fx 'Med venlig hilsen'")
    signatory: list[str] = Field(description="underskriver: navn og titel (fra pagten, ellers en skriveprompt)")
    council: str = Field(description="hvem der har truffet afgørelsen")
    letter_date: str = Field(description="brevets dato")
    draft_mark: str = Field(description="'KLADDE' når brevet ikke kan sendes som det er (skriveprompter), ellers ''")
    case_id: str = Field(description="sagsnummer (eller en skriveprompt)")
    applicant: str = Field(description="ansøgeren")
    title: str = Field(description="projektets titel")
    year: int = Field(description="ansøgningsrundens år")
    round_name: str = Field(description="runden ('' uden)")
    theme: str = Field(description="temaet/indsatsområdet ('' uden)")
    theme_word: str = Field(description="pagtens ord for et tema: 'indsatsområde' eller 'tema'")
    applied: str = Field(description="ansøgt beløb, fx '1.500.000 kr.'")
    amount: str = Field(description="bevilget beløb i tal og ord: '1.250.000 kr. (en million ... kroner)'")
    refused: str = Field(description="ved delvist tilsagn: forskellen mellem ansøgt og bevilget ('' ellers)")
    period: str = Field(description="projektperioden, fx '1. august 2024 – 31. juli 2026' (eller en skriveprompt)")
    legal_basis: str = Field(description="lovgrundlaget (fra pagten, ellers en skriveprompt)")
    reasons: list[str] = Field(description="begrundelsen: Begrundelse fra oversigten (uden intern ordlyd)")
    reason_missing: bool = Field(description="om begrundelsen mangler (brevet er da en kladde)")
    criteria: list[CriterionScore] = Field(description="vurderingskriterierne med vægt og ansøgningens score")
    score: str = Field(description="den vægtede score, fx '3,2' ('' uden score)")
    score_scale: str = Field(description="skalaen, fx '1 til 5'")
    conditions: list[str] = Field(description="vilkårene (periode, udgifter, drift, medfinansiering og pagtens egne)")
    reports: list[ReportDue] = Field(description="afrapporteringen med frister")
    reporting_prompt: str = Field(description="skriveprompt, når fristerne ikke kan beregnes ('' ellers)")
    payments: list[Payment] = Field(description="udbetalingen: rater og den tilbageholdte del")
    payment_prompt: str = Field(description="skriveprompt, når pagten ikke angiver udbetalingen ('' ellers)")
    acceptance: str = Field(description="fristen for accept, fx '15. oktober 2024' (eller en skriveprompt)")
    acceptance_note: str = Field(description="hvad der sker uden accept (fra pagten; '' uden)")
    appeal: str = Field(description="klagevejledningen (fra pagten, ellers en skriveprompt)")
    contact: str = Field(description="kontaktperson (fra pagten, ellers en skriveprompt)")
    rejection_note: str = Field(description="afslagsbrevets afsluttende bemærkning (fra pagten)")


def letter_variables() -> dict[str, str]:
    """Every top-level variable of the letter templates, with a one-line Danish description."""
    return {name: f.description or "" for name, f in LetterContext.model_fields.items()}


def letter_nested_variables() -> dict[str, dict[str, str]]:
    """The attributes of each list variable of the letters (``reports`` → ``label``, ``due``)."""
    return {"criteria": _fields(CriterionScore), "reports": _fields(ReportDue), "payments": _fields(Payment)}


def _fields(model: type[BaseModel]) -> dict[str, str]:
    return {k: v.description or "" for k, v in model.model_fields.items()}


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


def _add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months, the day kept where the month has it (31 July + 3 → 31 October)."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, monthrange(year, month)[1]))


def is_partial(a: Assessed) -> bool:
    """A grant of less than applied for: a partial refusal, which needs its reasons (forvaltningsloven § 22)."""
    return a.decision == Decision.GRANTED and bool(a.granted) and a.applied is not None and a.granted < a.applied


def needs_reason(a: Assessed) -> bool:
    """Whether the letter must give reasons: a rejection, or a grant of less than applied for."""
    return a.decision == Decision.REJECTED or is_partial(a)


#: a clause ends at ";" or at a sentence's end (". " before a capital letter; "1,0 mio. kr." is no end)
_CLAUSES = re.compile(r"(?<=[.!?])\s+(?=[A-ZÆØÅ0-9»\"”])|;\s*")


def public_reason(text: str, internal_words: list[str]) -> tuple[str, list[str]]:
    """The Begrundelse as a letter may say it: clauses in the staff's own voice left out.

    Returns (the reason, the clauses left out). "Relevant, men budgettet til udstyr er højt;
    indstilles med 1,0 mio. kr." → ("Relevant, men budgettet til udstyr er højt.", ["indstilles med 1,0 mio. kr."]).
    A clause is internal when a word of it begins with one of ``internal_words`` (case ignored).
    """
    text = " ".join(text.split())
    if not text:
        return "", []
    stems = [w.casefold() for w in internal_words if w.strip()]
    kept: list[str] = []
    removed: list[str] = []
    for clause in (c.strip() for c in _CLAUSES.split(text)):
        if not clause:
            continue
        low = f" {clause.casefold()}"
        if any(f" {stem}" in low or f"({stem}" in low for stem in stems):
            removed.append(clause)
        else:
            kept.append(clause.rstrip(";").strip())
    reason = " ".join(c if c.endswith((".", "!", "?")) else c + "." for c in kept)
    return (reason[:1].upper() + reason[1:]) if reason else "", removed


def _share_text(share: float) -> str:
    exact = Decimal(repr(share)) * 100
    return format_percent(share, 0 if exact == exact.to_integral_value() else 1)


def _payments(granted: int, rules: Pact) -> tuple[list[Payment], str]:
    """The instalments and the held-back part (whole kroner, the first instalment takes what does not divide)."""
    terms = rules.letters.payment
    if not terms.instalments or terms.held_back_share is None:
        return [], prompt("udbetalingen: hvornår tilskuddet udbetales i rater, og hvor stor en del der holdes tilbage, "
                          "til slutrapport og regnskab er godkendt")  # fmt: skip
    held = int((Decimal(granted) * Decimal(repr(terms.held_back_share))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    rest = granted - held
    n = len(terms.instalments)
    each, extra = divmod(rest, n)
    rows = [
        Payment(label=f"{k}. rate", when=when, amount=format_amount(each + (extra if k == 1 else 0)))
        for k, when in enumerate(terms.instalments, start=1)
    ]
    if held:
        rows.append(Payment(label=f"Tilbageholdt del ({_share_text(terms.held_back_share)})",
                            when="når slutrapport og regnskab er godkendt", amount=format_amount(held)))  # fmt: skip
    return rows, ""


def _reports(start: dt.date | None, end: dt.date | None, pact: Pact) -> tuple[list[ReportDue], str]:
    """The status reports (one a year, by the end of the pact's month) and the final report, with dates."""
    duty = pact.letters.reporting
    if duty.progress_month is None or duty.final_months is None:
        return [], prompt("afrapporteringen: frister for statusrapporter og for slutrapport med regnskab")
    if start is None or end is None:
        return [], prompt("fristerne for statusrapporter og slutrapport (projektperioden mangler i oversigten)")
    rows = []
    for year in range(start.year + 1, end.year + 1):
        due = dt.date(year, duty.progress_month, monthrange(year, duty.progress_month)[1])
        if start < due < end:
            rows.append(ReportDue(label=f"Statusrapport for {year - 1}", due=format_date(due)))
    rows.append(ReportDue(label="Slutrapport med regnskab", due=format_date(_add_months(end, duty.final_months))))
    return rows, ""


def _conditions(pact: Pact, period: str) -> list[str]:
    rules = pact.letters
    out = [f"Tilskuddet gælder for projektperioden {period}." if PROMPT not in period else period]
    out.append(rules.eligible_costs or prompt("vilkåret om, hvilke udgifter tilskuddet må bruges til"))
    out.append(rules.operations or prompt("vilkåret om, at der ikke gives tilskud til driftsopgaver"))
    share = pact.budgets.min_cofinancing_share
    if rules.cofinancing:
        out.append(rules.cofinancing)
    elif share is not None:
        out.append(f"Projektet skal medfinansieres med mindst {_share_text(share)} af det samlede budget.")
    else:
        out.append(prompt("kravet om medfinansiering, eller at der ikke stilles krav om medfinansiering"))
    out.extend(" ".join(c.split()) for c in rules.conditions if c.strip())
    return out


def _criteria(a: Assessed, pact: Pact) -> list[CriterionScore]:
    def nice(x: float) -> str:
        return f"{x:g}".replace(".", ",")

    return [CriterionScore(name=c.name, weight=nice(c.weight), score=nice(a.scores[c.key]) if c.key in a.scores else "")
            for c in pact.assessment.criteria]  # fmt: skip


def build_letter_context(a: Assessed, pact: Pact, *, letter_date: dt.date) -> LetterContext:
    """One letter's context (a granted, partially granted or rejected application).

    A letter that must give reasons and has none gets a prompt in their place; any writing prompt
    left in the letter marks it KLADDE (``draft_mark``).
    """
    rules = pact.letters
    start, end = _date(a.period_start), _date(a.period_end)
    granted = a.granted if a.decision == Decision.GRANTED else None
    partial = is_partial(a)
    period = f"{format_date(start)} – {format_date(end)}" if start and end else prompt("projektperioden")
    reason, _removed = public_reason(a.reason, rules.internal_words)
    missing = needs_reason(a) and not reason
    reasons = [reason] if reason else []
    if missing:
        reasons = [prompt("begrundelsen: de hovedhensyn, der har været afgørende for afgørelsen (forvaltningsloven "
                          "§§ 22 og 24); oversigtens Begrundelse er tom")]  # fmt: skip
    reports, reporting_prompt = _reports(start, end, pact) if granted else ([], "")
    payments, payment_prompt = _payments(granted, pact) if granted else ([], "")
    acceptance = (format_date(letter_date + dt.timedelta(days=rules.acceptance_days)) if rules.acceptance_days
                  else prompt("fristen for at acceptere tilsagnet"))  # fmt: skip
    weighted = "" if a.weighted is None else f"{a.weighted:.1f}".replace(".", ",")
    scale = f"{pact.assessment.score_min:g} til {pact.assessment.score_max:g}".replace(".", ",")
    context = LetterContext(
        kind="delvist tilsagn" if partial else ("tilsagn" if granted else "afslag"),
        is_grant=bool(granted), is_partial=partial, is_rejection=not granted,
        pact_name=pact.name, region=pact.region, sender=rules.sender or f"Sekretariatet for {pact.name}",
        signature=rules.signature, signatory=list(rules.signatory) or [prompt("underskriverens navn og titel")],
        council=pact.assessment.council, letter_date=format_date(letter_date), draft_mark="",
        case_id=a.case_id or prompt("sagsnummer"), applicant=a.applicant or prompt("ansøgerens navn"),
        title=a.title, year=a.year, round_name=pact.round(a.round).name if a.round else "",
        theme=pact.theme(a.theme).name if a.theme else "", theme_word=pact.report.words.one,
        applied="" if a.applied is None else format_amount(a.applied),
        amount=amount_in_words(granted) if granted else "",
        refused=format_amount((a.applied or 0) - (granted or 0)) if partial else "",
        period=period, legal_basis=" ".join(rules.legal_basis.split()) or prompt(
            "lovgrundlaget: den lov og de regler, tilskuddet gives efter (forvaltningsloven § 24)"),
        reasons=reasons, reason_missing=missing, criteria=_criteria(a, pact), score=weighted, score_scale=scale,
        conditions=_conditions(pact, period) if granted else [], reports=reports, reporting_prompt=reporting_prompt,
        payments=payments, payment_prompt=payment_prompt, acceptance=acceptance if granted else "",
        acceptance_note=" ".join(rules.acceptance_note.split()),
        appeal=" ".join(rules.appeal.split()) or prompt(
            "klagevejledningen (forvaltningsloven § 25): om afgørelsen kan påklages, og i så fald hvortil og inden "
            "for hvilken frist, eller at den ikke kan indbringes for anden administrativ myndighed, og hvor klager "
            "over sagsbehandlingen kan rettes hen"),
        contact=" ".join(rules.contact.split()) or prompt("kontaktperson: navn, e-mail og telefon"),
        rejection_note=(" ".join(rules.rejection_note.split()) if not missing else ""),
    )  # fmt: skip
    if missing or has_prompt(context.model_dump()):
        context = context.model_copy(update={"draft_mark": DRAFT_MARK})
    return context


#: the letter parts the pact states, for the warning that names what is missing in the pact file
_PACT_PARTS = (
    ("legal_basis", "lovgrundlaget", lambda r, p: r.legal_basis),
    ("appeal", "klagevejledningen", lambda r, p: r.appeal),
    ("contact", "kontaktpersonen", lambda r, p: r.contact),
    ("signatory", "underskriveren", lambda r, p: " ".join(r.signatory)),
    ("acceptance_days", "fristen for accept", lambda r, p: str(r.acceptance_days or "")),
    ("reporting", "frister for afrapportering", lambda r, p: "x" if r.reporting.progress_month and
     r.reporting.final_months else ""),
    ("payment", "udbetalingen (rater og tilbageholdt del)", lambda r, p: "x" if r.payment.instalments and
     r.payment.held_back_share is not None else ""),
    ("cofinancing", "kravet om medfinansiering", lambda r, p: r.cofinancing or ("x" if
     p.budgets.min_cofinancing_share is not None else "")),
)  # fmt: skip


def missing_pact_texts(pact: Pact) -> list[Issue]:
    """One warning per letter text the pact file leaves to a prompt (``letter_text_missing``, at the pact file)."""
    out = []
    name = Path(pact.source).name if pact.source else f"{pact.key}.toml"
    for key, what, value in _PACT_PARTS:
        text = value(pact.letters, pact)
        if not text.strip() or PROMPT in text:
            out.append(Issue.at(
                IssueCode.LETTER_TEXT_MISSING, Severity.WARNING,
                f"pagtfilen {name} mangler helt eller delvist {what} ([letters] {key}): brevene får en gul "
                "skriveprompt og er markeret KLADDE, til teksten er skrevet i pagtfilen eller i brevet",
                file=pact.source or None))  # fmt: skip
    return out


# -- writing the letters ---------------------------------------------------------------------------
def check_letter_templates(grant: Path | None = None, rejection: Path | None = None) -> None:
    """Check both letter templates before any letter is written."""
    check_template(Path(grant) if grant else GRANT_TEMPLATE, "brev", LetterContext)
    check_template(Path(rejection) if rejection else REJECTION_TEMPLATE, "brev", LetterContext)


class LetterOutcome(BaseModel):
    """What happened to one application's letter."""

    case_id: str
    title: str
    kind: str = Field(description="tilsagn, delvist tilsagn or afslag")
    path: str
    #: written, replaced (--overwrite: the old letter kept as ``kept``), skipped (exists), or failed (see issue)
    status: str
    #: the letter is a draft (KLADDE): prompts left, or no reason with ``draft``
    draft: bool = False
    #: the dated copy of the letter it replaced ("" unless replaced)
    kept: str = ""


def dated_copy(path: Path) -> Path:
    """Where an existing letter is kept when it is replaced: ``24-0201_tilsagn.docx`` →
    ``24-0201_tilsagn.2024-10-01_101500.docx`` (its last change), a number added when that exists."""
    stamp = dt.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d_%H%M%S")
    target = path.with_name(f"{path.stem}.{stamp}{path.suffix}")
    n = 2
    while target.exists():
        target = path.with_name(f"{path.stem}.{stamp}-{n}{path.suffix}")
        n += 1
    return target


def _keep_old(path: Path) -> str:
    """Keep an existing letter as a dated copy before it is replaced; returns the copy's name.

    Its PDF (if any) moves to the same dated name: a PDF left beside the new letter would no longer match it.
    """
    copy = dated_copy(path)
    atomic_write(copy, lambda tmp: shutil.copy2(path, tmp))
    pdf = path.with_suffix(".pdf")
    if pdf.exists():
        pdf.replace(copy.with_suffix(".pdf"))
    return copy.name


def write_letters(
    applications: list[Assessed],
    pact: Pact,
    folder: Path,
    *,
    letter_date: dt.date | None = None,
    grant_template: Path | None = None,
    rejection_template: Path | None = None,
    draft: bool = False,
    overwrite: bool = False,
) -> tuple[list[LetterOutcome], list[Issue]]:
    """One letter per decided application into ``folder`` (created when missing), named by case number.

    An existing letter is never overwritten unless ``overwrite`` is given: then it is first kept as a
    dated copy (:func:`dated_copy`) and comes back as ``replaced``; without it, ``skipped``. A grant
    without an amount and a row with errors in the overview get no letter (``failed``, with an issue
    at the cell); so does a rejection or partial grant without a reason (``letter_no_reason`` at the
    Begrundelse cell), unless ``draft``: then the letter is written as KLADDE and the issue is a
    warning. A reason's internal wording is left out (``letter_internal_wording``, a warning).
    """
    grant = Path(grant_template) if grant_template else GRANT_TEMPLATE
    rejection = Path(rejection_template) if rejection_template else REJECTION_TEMPLATE
    check_letter_templates(grant, rejection)
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from pagt_xl.outputs.files import OutputUnwritable

        reason = exc.strerror or exc.__class__.__name__
        message = f"{folder}: mappen til brevene kan ikke oprettes ({reason}); vælg en anden mappe"
        raise OutputUnwritable(message) from None
    outcomes: list[LetterOutcome] = []
    issues: list[Issue] = []
    date = letter_date or dt.date.today()
    for a in applications:
        kind = "tilsagn" if a.decision == Decision.GRANTED else "afslag"
        if is_partial(a):
            kind = "delvist tilsagn"
        path = folder / letter_name(a)
        outcome = LetterOutcome(case_id=a.case_id or "", title=a.title, kind=kind, path=str(path), status="written")
        if a.decision == Decision.GRANTED and not a.granted:
            message = "tilsagn uden støttebeløb: skriv beløbet, før tilsagnsbrevet dannes"
            issues.append(a.issue(IssueCode.LETTER_NO_AMOUNT, Severity.ERROR, message, "granted"))
            outcomes.append(outcome.model_copy(update={"status": "failed"}))
            continue
        if a.has_error:
            message = "rækken har fejl i oversigten (se pagt-xl validate); ret dem, før brevet dannes"
            issues.append(a.issue(IssueCode.LETTER_ROW_HAS_ERRORS, Severity.ERROR, message, "title", a.title))
            outcomes.append(outcome.model_copy(update={"status": "failed"}))
            continue
        reason, removed = public_reason(a.reason, pact.letters.internal_words)
        if removed:
            issues.append(a.issue(
                IssueCode.LETTER_INTERNAL_WORDING, Severity.WARNING,
                f"begrundelsen har intern ordlyd, som ikke står i brevet: {' '.join(removed)!r}; skriv begrundelsen, "
                "som den skal lyde over for ansøgeren", "reason", a.reason))  # fmt: skip
        if needs_reason(a) and not reason:
            what = "et afslag" if kind == "afslag" else "et delvist tilsagn (mindre end ansøgt, et delvist afslag)"
            if not draft:
                issues.append(a.issue(
                    IssueCode.LETTER_NO_REASON, Severity.ERROR,
                    f"{what} skal begrundes (forvaltningsloven § 22), men Begrundelse er tom: skriv begrundelsen, "
                    "før brevet dannes (eller dan en kladde med --udkast)", "reason"))  # fmt: skip
                outcomes.append(outcome.model_copy(update={"status": "failed"}))
                continue
            issues.append(a.issue(
                IssueCode.LETTER_NO_REASON, Severity.WARNING,
                f"{what} uden begrundelse: brevet er dannet som KLADDE med en skriveprompt; skriv begrundelsen, "
                "før brevet sendes", "reason"))  # fmt: skip
        missing = [("case_id", "sagsnummeret")] if not a.case_id else []
        if a.decision == Decision.GRANTED and not (_date(a.period_start) and _date(a.period_end)):
            missing.append(("period_start", "projektperioden"))
        for field, what in missing:
            issues.append(a.issue(
                IssueCode.LETTER_MISSING_DATA, Severity.WARNING,
                f"brevet mangler {what} (tom celle eller ingen kolonne): der står en skriveprompt i brevet, som er "
                "markeret KLADDE", field if a.cell(field) else "title"))  # fmt: skip
        kept = ""
        if path.exists():
            if not overwrite:
                outcomes.append(outcome.model_copy(update={"status": "skipped"}))
                continue
            kept = _keep_old(path)
        context = build_letter_context(a, pact, letter_date=date)
        template = grant if a.decision == Decision.GRANTED else rejection
        tpl = render_document(context.model_dump(), template, "brev", LetterContext)
        atomic_write(path, lambda tmp, tpl=tpl: tpl.save(str(tmp)))
        outcomes.append(outcome.model_copy(update={"status": "replaced" if kept else "written", "kept": kept,
                                                   "draft": bool(context.draft_mark)}))  # fmt: skip
    return outcomes, issues
