"""The application round (issue 16): assessment in the overview, the checks before the memo is signed,
the suggestion, and which applications get which decision letter.

Pure core: takes a :class:`~pagt_xl.core.results.Validation` (the overview already read and validated)
and returns plain data; no I/O. The assessment columns are optional and named in the pact's
``[assessment]`` section: a score per criterion (weights in the pact), "Indstilling"
(ja/nej/delvis), "Indstillet beløb", "Begrundelse" and "Særligt tema". They are read from the
columns the overview reader left unmapped, so every value keeps its cell.

The memo covers the applications of a year (one round, or all rounds) that are pending or carry an
assessment; granted applications of the same year outside that set are "already granted" and are
taken off the year's framework. Amounts are whole kroner.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pagt_xl.base.danish import (
    DanishParseError,
    amount_unit_from_header,
    format_amount,
    header_key,
    normalize_name,
    parse_amount,
)
from pagt_xl.base.model import CellProblem, Decision, Issue, IssueCode, Severity, column_letter
from pagt_xl.core.breakdown import institution_type

if TYPE_CHECKING:
    from pagt_xl.base.config import Pact
    from pagt_xl.core.tables import BudgetRecord, Validation

#: recommendation words' keys
YES, NO, PARTIAL = "yes", "no", "partial"
RECOMMENDATION_LABELS = {YES: "Ja", NO: "Nej", PARTIAL: "Delvis"}


@dataclass
class Assessed:
    """One application of the round with its assessment.

    ``scores`` maps criterion key → score (only the scores given); ``weighted`` is the weighted
    mean of the given scores (``None``: none given). ``recommended`` is the staff's own
    "Indstillet beløb" (``None``: not given); :attr:`final` is what the memo recommends.
    ``cells`` maps a field (``"applied"``, ``"recommended"``, ``"score:relevans"`` ...) to its A1 cell.
    """

    index: int
    file: str
    sheet: str
    row: int
    year: int
    round: str | None
    case_id: str | None
    title: str
    applicant: str | None
    theme: str | None
    project_type: str | None
    institution_type: str
    summary: str
    applied: int | None
    decision: str | None
    granted: int | None
    period_start: Any = None
    period_end: Any = None
    has_error: bool = False
    scores: dict[str, float] = field(default_factory=dict)
    weighted: float | None = None
    recommendation: str | None = None
    recommended: int | None = None
    reason: str = ""
    special: bool = False
    cells: dict[str, str] = field(default_factory=dict)

    @property
    def final(self) -> int | None:
        """The amount the memo recommends: the staff's amount, else the applied amount on "ja";
        ``None``: not recommended (``nej``, no recommendation, or "delvis" without an amount)."""
        if self.recommendation == NO:
            return None
        if self.recommended is not None:
            return self.recommended
        if self.recommendation == YES:
            return self.applied
        return None

    @property
    def is_recommended(self) -> bool:
        """Whether the memo recommends a grant (an amount above zero)."""
        return bool(self.final)

    def cell(self, name: str) -> str | None:
        """The A1 cell of a field, ``None`` when its column is not in the sheet."""
        return self.cells.get(name)

    def issue(self, code: IssueCode, severity: Severity, message: str, name: str, value: object = None) -> Issue:
        """An issue at this application's cell of field ``name`` (its row when the column is missing)."""
        cell = self.cell(name)
        if cell is not None:
            return Issue.at(code, severity, message, file=self.file, sheet=self.sheet, cell=cell, value=value)
        return Issue.at(code, severity, message, file=self.file, sheet=self.sheet, row=self.row, value=value)


@dataclass(frozen=True)
class SuggestionLine:
    """One application in the suggestion: its rank (1 = best), the amount suggested and why."""

    application: Assessed
    rank: int
    amount: int
    #: ``staff``: the staff's own amount (always wins); ``full``: applied amount; ``partial``: the rest of
    #: the framework; ``below``: below the line (nothing)
    kind: str


@dataclass
class Suggestion:
    """A suggestion (only a suggestion): the staff's amounts first, then the scored applications in rank
    order until the remaining framework is used; the first that does not fit is offered the rest."""

    remaining: int
    lines: list[SuggestionLine]

    @property
    def total(self) -> int:
        """Suggested total (never above :attr:`remaining` unless the staff's own amounts are)."""
        return sum(line.amount for line in self.lines)

    @property
    def line_after(self) -> SuggestionLine | None:
        """The last application fully above the line (``None``: none is)."""
        above = [ln for ln in self.lines if ln.kind == "full"]
        return above[-1] if above else None

    @property
    def partial(self) -> SuggestionLine | None:
        """The application at the line that would get a partial grant (``None``: none)."""
        return next((ln for ln in self.lines if ln.kind == "partial"), None)


@dataclass
class RoundResult:
    """A round as the memo and the letters need it.

    ``framework`` is the year's framework (``None``: no framework sheet gives the year);
    ``already_granted`` the granted amounts of the year outside the round; ``remaining`` framework
    minus already granted (``None`` without a framework). ``issues`` are the round's own issues
    (assessment cells and the checks); the overview's issues stay in the validation.
    """

    pact: Pact
    year: int
    round: str | None
    applications: list[Assessed]
    framework: int | None
    framework_cell: str | None
    already_granted: int
    already_granted_count: int
    issues: list[Issue]
    suggestion: Suggestion | None
    special_theme: str | None
    #: money that came back to the pool in the year (repaid and reduced grants, issue 25); 0 without a ledger
    returned: int = 0

    @property
    def remaining(self) -> int | None:
        """The year's framework minus what is already granted plus what came back (``None`` without a framework)."""
        return None if self.framework is None else self.framework - self.already_granted + self.returned

    @property
    def recommended(self) -> list[Assessed]:
        """Applications the memo recommends, best weighted score first."""
        return sorted((a for a in self.applications if a.is_recommended), key=_rank_key)

    @property
    def not_recommended(self) -> list[Assessed]:
        """Applications the memo does not recommend, best weighted score first."""
        return sorted((a for a in self.applications if not a.is_recommended), key=_rank_key)

    @property
    def recommended_total(self) -> int:
        """Sum of the recommended amounts."""
        return sum(a.final or 0 for a in self.applications if a.is_recommended)

    @property
    def applied_total(self) -> int:
        """Sum of the applied amounts of the round's applications."""
        return sum(a.applied or 0 for a in self.applications)

    @property
    def special_count(self) -> int:
        """Applications that address the year's special theme."""
        return sum(1 for a in self.applications if a.special)

    @property
    def has_errors(self) -> bool:
        """Whether a check failed with an error."""
        return any(i.severity is Severity.ERROR for i in self.issues)


def _rank_key(a: Assessed) -> tuple[float, int]:
    """Best weighted score first, unscored last; ties keep the sheet order."""
    return (-(a.weighted if a.weighted is not None else -math.inf), a.index)


# -- reading the assessment ------------------------------------------------------------------------
def _sheet_positions(validation: Validation) -> dict[int, tuple[Any, int]]:
    """Table index → (sheet read, record position in it); the table concatenates the sheets in order."""
    out: dict[int, tuple[Any, int]] = {}
    i = 0
    for sheet in validation.overview.sheets:
        for pos in range(len(sheet.records["row"])):
            out[i] = (sheet, pos)
            i += 1
    return out


def _text(value: object) -> str:
    if value is None or isinstance(value, CellProblem):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def _score(value: object, lo: float, hi: float) -> float:
    """A score from a cell (number or text with a decimal comma); ValueError when it is not one in range."""
    if isinstance(value, bool | CellProblem):
        raise ValueError
    number = float(value) if isinstance(value, int | float) else float(Decimal(_text(value).replace(",", ".")))
    if not math.isfinite(number) or not lo <= number <= hi:
        raise ValueError
    return number


def _nice(number: float) -> str:
    return f"{number:g}".replace(".", ",")


def weighted_score(scores: dict[str, float], pact: Pact) -> float | None:
    """Weighted mean of the given scores (weights from the pact); ``None`` when no score is given."""
    weights = {c.key: c.weight for c in pact.assessment.criteria}
    given = [(weights[k], s) for k, s in scores.items() if k in weights]
    total = sum(w for w, _ in given)
    return sum(w * s for w, s in given) / total if total else None


def _is_special(a: Assessed, raw: object, keywords: list[str], pact: Pact) -> bool:
    text = _text(raw)
    if text:
        match = pact.assessment.recommendation_matcher.match(text).key
        return match in (YES, PARTIAL)
    haystack = f" {normalize_name(a.title)} {normalize_name(a.summary)} "
    return any(f" {normalize_name(k)} " in haystack for k in keywords if normalize_name(k))


def _assess(a: Assessed, sheet: Any, pos: int, pact: Pact, issues: list[Issue], fields: dict[str, str]) -> None:
    """Fill ``a``'s assessment from its sheet's unmapped columns, adding an issue for each bad cell.

    ``fields`` is :meth:`~pagt_xl.base.config.AssessmentRules.header_fields` (computed once per run).
    """
    rules = pact.assessment
    names = {c.key: c.name for c in rules.criteria}
    special_raw: object = ""
    for j, raws in sheet.unmapped_cells.items():
        header = sheet.columns.headers.get(j, "")
        name = fields.get(header_key(header))
        if name is None:
            continue
        a.cells.setdefault(name, f"{column_letter(j)}{a.row}")
        raw = raws[pos]
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        if name.startswith("score:"):
            key = name.removeprefix("score:")
            try:
                a.scores[key] = _score(raw, rules.score_min, rules.score_max)
            except (ValueError, ArithmeticError):
                issues.append(a.issue(
                    IssueCode.ASSESSMENT_BAD_SCORE, Severity.ERROR,
                    f"'{_text(raw) or raw}' er ikke en score for {names[key]}; skriv et tal fra "
                    f"{_nice(rules.score_min)} til {_nice(rules.score_max)} (eller lad feltet stå tomt)",
                    name, raw))  # fmt: skip
        elif name == "recommended":
            try:
                amount = parse_amount(raw, amount_unit_from_header(header))
                if amount is None or amount < 0:
                    raise DanishParseError("negativ")
                a.recommended = amount
            except (DanishParseError, ValueError, TypeError, ArithmeticError):
                issues.append(a.issue(
                    IssueCode.ASSESSMENT_BAD_AMOUNT, Severity.ERROR,
                    f"'{_text(raw) or raw}' er ikke et indstillet beløb; skriv fx 250.000 eller 1,3 mio. kr.",
                    name, raw))  # fmt: skip
        elif name == "recommendation":
            key = rules.recommendation_matcher.match(_text(raw)).key
            if key is None:
                issues.append(a.issue(
                    IssueCode.ASSESSMENT_UNKNOWN_RECOMMENDATION, Severity.ERROR,
                    f"indstillingen '{_text(raw)}' er ukendt; skriv Ja, Nej eller Delvis", name, raw))  # fmt: skip
            else:
                a.recommendation = key
        elif name == "reason":
            a.reason = _text(raw)
        elif name == "special":
            special_raw = raw
    a.weighted = weighted_score(a.scores, pact)
    special = rules.special_themes.get(a.year)
    a.special = special is not None and _is_special(a, special_raw, special.keywords, pact)
    _assessment_consistency(a, issues)


def _assessment_consistency(a: Assessed, issues: list[Issue]) -> None:
    if a.recommendation == NO and a.recommended:
        issues.append(a.issue(
            IssueCode.ASSESSMENT_AMOUNT_WITHOUT_RECOMMENDATION, Severity.ERROR,
            f"indstillingen er Nej, men der står et indstillet beløb på {format_amount(a.recommended)}; "
            "ret indstillingen eller slet beløbet", "recommended", a.recommended))  # fmt: skip
    if a.recommendation == PARTIAL and a.recommended is None:
        issues.append(a.issue(
            IssueCode.ASSESSMENT_PARTIAL_WITHOUT_AMOUNT, Severity.ERROR,
            "indstillingen er Delvis, men der står intet indstillet beløb; skriv det beløb, der indstilles",
            "recommendation", RECOMMENDATION_LABELS[PARTIAL]))  # fmt: skip


def _int(value: Any) -> int | None:
    try:
        return None if value is None or value != value else int(value)  # NA != NA
    except (TypeError, ValueError):
        return None


def _applications(validation: Validation, pact: Pact) -> tuple[list[tuple[Assessed, bool]], list[Issue]]:
    """Every row of the overview as an :class:`Assessed` (with a flag: does it carry an assessment?)."""
    positions = _sheet_positions(validation)
    fields = pact.assessment.header_fields()
    out = []
    issues: list[Issue] = []
    for i, r in enumerate(validation.table.itertuples(index=False)):
        year = _int(r.year)
        if year is None:
            continue
        sheet, pos = positions[i]
        letters = {f: column_letter(j) for f, j in sheet.columns.fields.items()}
        a = Assessed(
            index=i, file=r.file, sheet=r.sheet, row=int(r.row), year=year,
            round=r.round if isinstance(r.round, str) else None,
            case_id=r.case_id if isinstance(r.case_id, str) and r.case_id else None,
            title=r.title if isinstance(r.title, str) else "",
            applicant=r.applicant if isinstance(r.applicant, str) else None,
            theme=r.theme if isinstance(r.theme, str) else None,
            project_type=r.project_type if isinstance(r.project_type, str) else None,
            institution_type=(r.institution_type if isinstance(r.institution_type, str) and r.institution_type
                              else institution_type(r.applicant if isinstance(r.applicant, str) else None, pact)),
            summary=r.summary if isinstance(r.summary, str) else "",
            applied=_int(r.applied), decision=str(r.decision) if isinstance(r.decision, str) else None,
            granted=_int(r.granted), period_start=r.period_start, period_end=r.period_end,
            has_error=bool(r.has_error),
            cells={f: f"{letter}{int(r.row)}" for f, letter in letters.items()},
        )  # fmt: skip
        _assess(a, sheet, pos, pact, issues, fields)
        assessed = bool(a.scores or a.recommendation or a.recommended is not None or a.reason)
        out.append((a, assessed))
    return out, issues


# -- the round --------------------------------------------------------------------------------------
def assess_round(
    validation: Validation,
    year: int,
    round_key: str | None = None,
    *,
    budgets: list[BudgetRecord] | None = None,
    returned: int = 0,
) -> RoundResult:
    """The round of ``year`` (one round by its key, or every round): applications, framework, checks,
    suggestion. ``budgets`` are the applicants' budget forms (:mod:`pagt_xl.core.budget`); ``None``: no
    budget check. ``returned`` is the money that came back to the pool in ``year`` (the commitment
    ledger's repaid and reduced grants, :class:`pagt_xl.core.ledger.LedgerYear`); it adds to the
    remaining framework. Raises ``KeyError`` for a round key the pact does not know.
    """
    pact = validation.pact
    if round_key is not None:
        pact.round(round_key)  # KeyError names an unknown round
    pairs, issues = _applications(validation, pact)
    members: list[Assessed] = []
    granted_before = 0
    granted_count = 0
    for a, assessed in pairs:
        if a.year != year or a.decision == Decision.WITHDRAWN:
            continue
        in_round = round_key is None or a.round == round_key
        if in_round and (assessed or a.decision in (Decision.PENDING, None)):
            members.append(a)
        elif a.decision == Decision.GRANTED and a.granted and not a.has_error:
            granted_before += a.granted
            granted_count += 1
    places = {(a.file, a.sheet, a.row) for a in members}
    issues = [i for i in issues if (i.file, i.sheet, i.row) in places]
    framework, fw_cell = _framework(validation, year)
    result = RoundResult(
        pact=pact, year=year, round=round_key, applications=members, framework=framework,
        framework_cell=fw_cell, already_granted=granted_before, already_granted_count=granted_count,
        issues=issues, suggestion=None,
        special_theme=(s.name if (s := pact.assessment.special_themes.get(year)) else None), returned=returned,
    )  # fmt: skip
    first_file = validation.overview.files[0] if validation.overview.files else None
    if not members:
        result.issues.append(Issue.at(
            IssueCode.ROUND_NO_APPLICATIONS, Severity.WARNING,
            f"ingen ansøgninger i runden {year}" + (f" ({pact.round(round_key).name})" if round_key else "")
            + " der afventer afgørelse eller er vurderet", file=first_file))  # fmt: skip
    if framework is None:
        result.issues.append(Issue.at(
            IssueCode.ROUND_NO_FRAMEWORK, Severity.WARNING,
            f"ingen økonomisk ramme for {year} (et ark 'Ramme' med År og beløb); restrammen kan ikke beregnes",
            file=first_file))  # fmt: skip
    result.issues.extend(round_checks(result, budgets))
    if result.remaining is not None:
        result.suggestion = suggest(members, result.remaining, pact)
    return result


def _framework(validation: Validation, year: int) -> tuple[int | None, str | None]:
    for fw in validation.overview.frameworks:
        if fw.year == year:
            return fw.amount, fw.cell
    return None, None


def remaining_framework(validation: Validation, year: int) -> int | None:
    """The year's framework minus every amount granted that year (``None``: no framework for the year).

    Unlike :attr:`RoundResult.remaining` this takes off every grant of the year, the round's too:
    what is left after the decisions entered so far.
    """
    framework, _ = _framework(validation, year)
    if framework is None:
        return None
    granted = validation.granted()
    return framework - int(granted.loc[granted["year"] == year, "granted"].fillna(0).sum())


# -- the checks before anyone signs ----------------------------------------------------------------
def round_checks(result: RoundResult, budgets: list[BudgetRecord] | None = None) -> list[Issue]:
    """Every failing check of the recommendation, each an issue at its cell."""
    pact = result.pact
    out: list[Issue] = []
    running = 0
    remaining = result.remaining
    over_reported = False
    seen: dict[str, Assessed] = {}
    caps = {r.key: r for r in pact.rounds if r.cap is not None}
    for a in sorted(result.applications, key=lambda x: x.index):
        amount = a.final
        if not amount:
            continue
        where = "recommended" if a.recommended is not None else "applied"
        running += amount
        if remaining is not None and running > remaining and not over_reported:
            over_reported = True
            out.append(a.issue(
                IssueCode.RECOMMENDED_OVER_FRAMEWORK, Severity.ERROR,
                f"de indstillede beløb når her {format_amount(running)} og overstiger restrammen for "
                f"{result.year} ({format_amount(remaining)} = ramme {format_amount(result.framework or 0)} minus "
                f"allerede bevilget {format_amount(result.already_granted)}"
                + (f" plus tilbageført {format_amount(result.returned)}" if result.returned else "")
                + ")", where, amount))  # fmt: skip
        if a.applied is not None and amount > a.applied:
            out.append(a.issue(
                IssueCode.RECOMMENDED_ABOVE_APPLIED, Severity.ERROR,
                f"indstillet {format_amount(amount)} er mere end ansøgt ({format_amount(a.applied)})",
                where, amount))  # fmt: skip
        if a.round in caps and amount > (cap := caps[a.round].cap or 0):
            out.append(a.issue(
                IssueCode.RECOMMENDED_ABOVE_CAP, Severity.ERROR,
                f"indstillet {format_amount(amount)} overstiger loftet for {caps[a.round].name} "
                f"({format_amount(cap)})", where, amount))  # fmt: skip
        if a.theme is not None and not pact.is_theme_open(a.theme, a.year):
            open_names = ", ".join(pact.theme(k).name for k in pact.open_themes.get(a.year, []))
            out.append(a.issue(
                IssueCode.RECOMMENDED_THEME_NOT_OPEN, Severity.ERROR,
                f"indsatsområdet '{pact.theme(a.theme).name}' var ikke åbent i {a.year} (åbne: {open_names})",
                "theme", pact.theme(a.theme).name))  # fmt: skip
        keys = _project_keys(a)
        first = next((seen[k] for k in keys if k in seen), None)
        if first is not None:
            out.append(a.issue(
                IssueCode.RECOMMENDED_TWICE, Severity.ERROR,
                f"projektet er indstillet to gange: også i {first.sheet} række {first.row}"
                + (f" ({first.file})" if first.file != a.file else ""), "title", a.title))  # fmt: skip
        for k in keys:
            seen.setdefault(k, a)
    if budgets is not None:
        out.extend(_budget_checks(result, budgets))
    return out


def _project_keys(a: Assessed) -> list[str]:
    """The same project: the same case number, or the same title and applicant."""
    keys = ["titel:" + normalize_name(a.title) + "|" + normalize_name(a.applicant or "")]
    if a.case_id:
        keys.append("sag:" + normalize_name(a.case_id))
    return keys


def _budget_checks(result: RoundResult, budgets: list[BudgetRecord]) -> list[Issue]:
    """The recommended applications' budgets: no operations costs; the sum sought equal to the applied amount."""
    rules = result.pact.budgets
    out: list[Issue] = []
    by_case = {normalize_name(b.case_id): b for b in budgets if b.case_id}
    by_title = {normalize_name(b.title): b for b in budgets if b.title}
    for a in sorted(result.applications, key=lambda x: x.index):
        if not a.is_recommended:
            continue
        rec = by_case.get(normalize_name(a.case_id)) if a.case_id else None
        rec = rec or by_title.get(normalize_name(a.title))
        if rec is None:
            continue
        operations = [ln for ln in rec.lines if ln.amount > 0 and (
            ln.category in rules.operations or rules.operations_keyword(ln.raw_category))]  # fmt: skip
        if operations:
            total = sum(ln.amount for ln in operations)
            cells = ", ".join(ln.cell for ln in operations if ln.cell)
            out.append(a.issue(
                IssueCode.RECOMMENDED_BUDGET_OPERATIONS, Severity.ERROR,
                f"budgettet ({rec.file} › {rec.sheet} {cells}) har {format_amount(total)} til driftsopgaver, "
                "som puljen ikke støtter", "recommended" if a.recommended is not None else "applied",
                total))  # fmt: skip
        if rec.sought is not None and a.applied is not None and rec.sought != a.applied:
            out.append(a.issue(
                IssueCode.RECOMMENDED_BUDGET_MISMATCH, Severity.ERROR,
                f"ansøgt fra puljen er {format_amount(rec.sought)} i budgettet ({rec.file}), men "
                f"{format_amount(a.applied)} i oversigten", "applied", a.applied))  # fmt: skip
    return out


# -- the suggestion ----------------------------------------------------------------------------------
def suggest(applications: list[Assessed], remaining: int, pact: Pact) -> Suggestion:
    """Suggest grants within ``remaining`` (whole kroner).

    The staff's own recommendation always wins: their amounts ("Indstillet beløb", or the applied
    amount on "Ja") are taken first. Then the scored applications not marked "Nej" and not
    recommended by the staff, best weighted score first,
    get their applied amount (at most the round's cap) while it fits; the first that does not fit
    is offered what is left (a partial grant) and the rest are below the line.
    """
    caps = {r.key: r.cap for r in pact.rounds if r.cap is not None}
    lines: list[SuggestionLine] = []
    ranked = sorted((a for a in applications if a.weighted is not None), key=_rank_key)
    rank = {a.index: n for n, a in enumerate(ranked, start=1)}
    staff = [a for a in applications if a.is_recommended]
    left = remaining - sum(a.final or 0 for a in staff)
    for a in sorted(staff, key=_rank_key):
        lines.append(SuggestionLine(a, rank.get(a.index, 0), a.final or 0, "staff"))
    staff_idx = {a.index for a in staff}
    line_drawn = False
    for a in ranked:
        if a.index in staff_idx or a.recommendation == NO:
            continue
        want = a.applied or 0
        if a.round in caps:
            want = min(want, caps[a.round] or want)
        if not line_drawn and 0 < want <= left:
            lines.append(SuggestionLine(a, rank[a.index], want, "full"))
            left -= want
        elif not line_drawn and left > 0 and want > 0:
            lines.append(SuggestionLine(a, rank[a.index], left, "partial"))
            left = 0
            line_drawn = True
        else:
            line_drawn = line_drawn or want > 0
            lines.append(SuggestionLine(a, rank[a.index], 0, "below"))
    return Suggestion(remaining, lines)


# -- decision letters ------------------------------------------------------------------------------
def decided(validation: Validation, year: int, round_key: str | None = None) -> list[Assessed]:
    """The applications of ``year`` (one round or all) with a decision (tilsagn or afslag), sheet order."""
    pact = validation.pact
    if round_key is not None:
        pact.round(round_key)
    pairs, _ = _applications(validation, pact)
    return [a for a, _ in pairs if a.year == year and (round_key is None or a.round == round_key)
            and a.decision in (Decision.GRANTED, Decision.REJECTED)]  # fmt: skip


_UNSAFE_NAME = re.compile(r"[^0-9A-Za-zÆØÅæøå._-]+")


def letter_name(a: Assessed) -> str:
    """The letter's file name (without folder): the case number, made safe ("24/1234" → "24-1234"),
    then ``tilsagn``/``afslag``; without a case number the sheet row ("raekke-12")."""
    base = _UNSAFE_NAME.sub("-", a.case_id).strip("-.") if a.case_id else ""
    base = base or f"raekke-{a.row}"
    kind = "tilsagn" if a.decision == Decision.GRANTED else "afslag"
    return f"{base}_{kind}.docx"
