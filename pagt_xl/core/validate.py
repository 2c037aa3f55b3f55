"""Pact rules over the typed applications table → issues (errors as data).

:func:`validate` never raises on bad data; it returns every issue it finds and
marks the rows that carry an error (``has_error``) so that breakdowns can be
computed from the clean rows only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pagt_xl.base._gc import collector_paused
from pagt_xl.base.config import Pact
from pagt_xl.base.danish import case_key, comparison_key, format_amount, is_latin1, mixed_script
from pagt_xl.base.model import Decision, Issue, IssueCode, Severity, column_letter
from pagt_xl.core.similar_names import near_identical
from pagt_xl.core.tables import Overview, Subtotal, covered_rows

#: A rule's finding: the record index of the application it concerns (``None`` for a finding
#: about the whole overview, such as a framework year) and the issue.
Finding = tuple[int | None, Issue]


class _Table:
    """The applications as plain column lists (much faster than DataFrame access per row).

    Record ``i`` is row ``i`` of ``overview.table``; :meth:`issue` builds an issue at
    the cell of a field in that record's Excel row.
    """

    def __init__(self, overview: Overview) -> None:
        self.overview = overview
        self._fields = {(s.file, s.sheet): s.columns.fields for s in overview.sheets}
        self.file = self._column("file")
        self.sheet = self._column("sheet")
        self.row = self._column("row")
        self.year = self._column("year")
        self.applied = self._column("applied")
        self.granted = self._column("granted")
        self.decision = self._column("decision")
        self.theme = self._column("theme")
        self.round = self._column("round")
        self.title = self._column("title")
        self.applicant = self._column("applicant")
        self.case_id = self._column("case_id")
        self.period_start = self._column("period_start")
        self.period_end = self._column("period_end")

    def _column(self, name: str) -> list[Any]:
        out: list[Any] = []
        for sheet in self.overview.sheets:
            out.extend(sheet.records[name])
        return out

    def column(self, i: int, field_name: str) -> str | None:
        """Column letter of a field in record ``i``'s sheet, ``None`` when the sheet has no such column."""
        j = self._fields.get((self.file[i], self.sheet[i]), {}).get(field_name)
        return None if j is None else column_letter(j)

    def where(self, i: int, other: int) -> str:
        """Where record ``i`` stands, in Danish, as seen from record ``other`` (the file named when it differs)."""
        place = f"{self.sheet[i]} række {self.row[i]}"
        return place if self.file[i] == self.file[other] else f"{self.file[i]} › {place}"

    def issue(
        self, i: int, field_name: str, code: IssueCode, severity: Severity, message: str, value: object = None
    ) -> Finding:
        """A finding at the cell of ``field_name`` in record ``i``."""
        return i, Issue.at(
            code,
            severity,
            message,
            file=self.file[i],
            sheet=self.sheet[i],
            row=int(self.row[i]),
            column=self.column(i, field_name),
            value=value,
        )


Rule = Callable[[_Table, Pact], list[Finding]]


def _granted_above_applied(t: _Table, pact: Pact) -> list[Finding]:
    return [
        t.issue(
            i,
            "granted",
            IssueCode.GRANTED_ABOVE_APPLIED,
            Severity.ERROR,
            f"støttebeløbet {format_amount(g)} er større end det ansøgte beløb {format_amount(a)}",
            g,
        )
        for i, (a, g) in enumerate(zip(t.applied, t.granted, strict=True))
        if g is not None and a is not None and g > a
    ]


def _rejected_with_amount(t: _Table, pact: Pact) -> list[Finding]:
    return [
        t.issue(
            i,
            "granted",
            IssueCode.REJECTED_WITH_AMOUNT,
            Severity.ERROR,
            f"ansøgningen har fået afslag, men der står et støttebeløb på {format_amount(g)}; "
            "slet beløbet eller ret afgørelsen til 'Tilsagn'",
            g,
        )
        for i, (dec, g) in enumerate(zip(t.decision, t.granted, strict=True))
        if dec == Decision.REJECTED and g
    ]


def _granted_without_amount(t: _Table, pact: Pact) -> list[Finding]:
    """Granted but no amount, unless the reader already reported the amount cell (e.g. an unreadable amount)."""
    reported = {(i.file, i.sheet, i.cell) for i in t.overview.issues if i.cell}
    out: list[Finding] = []
    for i, (dec, g) in enumerate(zip(t.decision, t.granted, strict=True)):
        if dec == Decision.GRANTED and g is None:
            letter = t.column(i, "granted")
            cell = None if letter is None else f"{letter}{int(t.row[i])}"
            if (t.file[i], t.sheet[i], cell) not in reported:
                out.append(
                    t.issue(
                        i,
                        "granted",
                        IssueCode.GRANTED_WITHOUT_AMOUNT,
                        Severity.ERROR,
                        "ansøgningen har fået tilsagn, men støttebeløbet mangler; skriv beløbet i kroner",
                    )
                )
    return out


def _granted_zero(t: _Table, pact: Pact) -> list[Finding]:
    """A grant of 0 kr.: an error, so the row is no granted project (it would count in the project numbers and
    shares with no money)."""
    return [
        t.issue(
            i,
            "granted",
            IssueCode.GRANTED_ZERO,
            Severity.ERROR,
            "ansøgningen har fået tilsagn, men støttebeløbet er 0 kr.; skriv det bevilgede beløb, eller ret "
            "afgørelsen (fx til 'Afslag' eller 'Trukket tilbage')",
            0,
        )
        for i, (dec, g) in enumerate(zip(t.decision, t.granted, strict=True))
        if dec == Decision.GRANTED and g == 0
    ]


def _mixed_script(t: _Table, pact: Pact) -> list[Finding]:
    """A title, case number or applicant with Cyrillic or Greek letters among Latin ones ("LabSTEM Nоrd" with a
    Cyrillic "о"): a warning at the cell. The comparison keys read the look-alikes as Latin letters, so the
    duplicate checks still see the same application; the warning says which letter to retype."""
    out: list[Finding] = []
    for field_name, column in (("title", t.title), ("case_id", t.case_id), ("applicant", t.applicant)):
        if is_latin1("".join(x for x in column if x.__class__ is str)):  # the whole column in one pass, in C
            continue
        for i, text in enumerate(column):
            if text.__class__ is not str or is_latin1(text):  # no Greek or Cyrillic letter
                continue
            found = mixed_script(text)
            if found:
                out.append(
                    t.issue(
                        i,
                        field_name if t.column(i, field_name) else "title",  # "Titel v/ Ansøger" in one cell
                        IssueCode.MIXED_SCRIPT,
                        Severity.WARNING,
                        f"teksten '{text}' har {', '.join(found)} blandt latinske bogstaver eller tal; de ligner "
                        "latinske bogstaver, men er andre tegn (fx kopieret fra en pdf) — skriv bogstaverne igen",
                        text,
                    )
                )
    return out


def _decisions_add_up(t: _Table, pact: Pact) -> list[Finding]:
    """Applications whose decision is none of tilsagn, afslag, trukket tilbage and afventer (a sheet without a
    decision column where the pact does not require one): the year's funnel would not add up; one warning per
    year, for the rows without reading errors (those are left out of the year table anyway)."""
    errors = t.overview.table["has_error"].astype(bool).tolist()
    counted = {Decision.GRANTED, Decision.REJECTED, Decision.WITHDRAWN, Decision.PENDING}
    by_year: dict[object, list[int]] = defaultdict(list)
    for i, (dec, year) in enumerate(zip(t.decision, t.year, strict=True)):
        if dec not in counted and not errors[i]:
            by_year[year].append(i)
    out: list[Finding] = []
    for year, rows in sorted(by_year.items(), key=lambda kv: (kv[0] is None, kv[0] or 0)):
        first = rows[0]
        where = ", ".join(t.where(i, first) for i in rows[:5]) + (" …" if len(rows) > 5 else "")
        out.append(
            (
                None,
                Issue.at(
                    IssueCode.DECISIONS_DO_NOT_ADD_UP,
                    Severity.WARNING,
                    f"{len(rows)} ansøgning(er) fra {year if year is not None else 'uden år'} har ingen afgørelse "
                    f"({where}); årstabellens ansøgninger er derfor ikke lig tilsagn + afslag + trukket tilbage + "
                    "afventer — tilføj en Afgørelse-kolonne",
                    file=t.file[first],
                    sheet=t.sheet[first],
                ),
            )
        )
    return out


def _implausible_amount(t: _Table, pact: Pact) -> list[Finding]:
    """An applied or granted amount outside the pact's ``[amounts]`` bounds: an error on a granted row."""
    bounds = pact.amounts
    low_ok, high_ok = bounds.min_grant, bounds.max_grant
    # 0 and a missing amount have their own rules (rejected, granted without amount)
    rows = [
        i
        for i, (a, g) in enumerate(zip(t.applied, t.granted, strict=True))
        if (a and not low_ok <= a <= high_ok) or (g and not low_ok <= g <= high_ok)
    ]
    out: list[Finding] = []
    for i in rows:
        dec = t.decision[i]
        for field_name, amount in (("applied", t.applied[i]), ("granted", t.granted[i])):
            if amount is None or amount == 0 or bounds.fits(amount):
                continue
            low = amount < bounds.min_grant
            bound = format_amount(bounds.min_grant if low else bounds.max_grant)
            what = "ansøgte beløb" if field_name == "applied" else "støttebeløbet"
            out.append(
                t.issue(
                    i,
                    field_name,
                    IssueCode.IMPLAUSIBLE_AMOUNT,
                    Severity.ERROR if dec == Decision.GRANTED else Severity.WARNING,
                    f"det {what} {format_amount(amount)} er {'under det mindste' if low else 'over det største'} "
                    f"rimelige beløb i pagten ({bound}, [amounts] {'min_grant' if low else 'max_grant'}); "
                    "tjek beløbet og enheden (kr., t.kr., mio. kr.)",
                    amount,
                )
            )
    return out


def _round_cap_exceeded(t: _Table, pact: Pact) -> list[Finding]:
    """An amount above its round's cap; the granted amount is checked first, and one issue per row at most."""
    caps = {r.key: r for r in pact.rounds if r.cap is not None}
    out: list[Finding] = []
    for i, rnd in enumerate(t.round):
        if rnd not in caps:
            continue
        cap = caps[rnd].cap or 0
        for field_name, amount in (("granted", t.granted[i]), ("applied", t.applied[i])):
            if amount is not None and amount > cap:
                label = "støttebeløbet" if field_name == "granted" else "det ansøgte beløb"
                message = (
                    f"{label} {format_amount(amount)} overstiger loftet for {caps[rnd].name} ({format_amount(cap)})"
                )
                out.append(t.issue(i, field_name, IssueCode.ROUND_CAP_EXCEEDED, Severity.ERROR, message, amount))
                break
    return out


def _round_before_its_start(t: _Table, pact: Pact) -> list[Finding]:
    round_start = {r.key: r.from_year for r in pact.rounds if r.from_year is not None}
    return [
        t.issue(
            i,
            "round",
            IssueCode.UNKNOWN_ROUND,
            Severity.WARNING,
            f"runden '{pact.round(rnd).name}' fandtes først fra {round_start[rnd]}, men året er {year}",
            rnd,
        )
        for i, (rnd, year) in enumerate(zip(t.round, t.year, strict=True))
        if rnd in round_start and year is not None and year < (round_start[rnd] or 0)
    ]


def _theme_not_open(t: _Table, pact: Pact) -> list[Finding]:
    out: list[Finding] = []
    # (message, theme name) per (theme, year) that is not open; None when it is open
    known: dict[tuple[object, object], tuple[str, str] | None] = {}
    for i, (theme, year) in enumerate(zip(t.theme, t.year, strict=True)):
        if theme is None or year is None:
            continue
        key = (theme, year)
        if key not in known:
            known[key] = None if pact.is_theme_open(theme, year) else _theme_not_open_message(pact, theme, year)
        found = known[key]
        if found is not None:
            out.append(t.issue(i, "theme", IssueCode.THEME_NOT_OPEN, Severity.WARNING, *found))
    return out


def _theme_not_open_message(pact: Pact, theme: str, year: int) -> tuple[str, str]:
    open_names = ", ".join(pact.open_themes[year])
    message = (
        f"indsatsområde {pact.theme(theme).number or ''} '{pact.theme(theme).name}' var ikke åbent "
        f"for ansøgninger i {year} (åbne: {open_names})".replace("  ", " ")
    )
    return message, pact.theme(theme).name


def _year_outside_pact(t: _Table, pact: Pact) -> list[Finding]:
    return [
        t.issue(
            i,
            "year",
            IssueCode.YEAR_OUTSIDE_PACT,
            Severity.WARNING,
            f"året {year} ligger uden for pagtens periode {pact.first_year}-{pact.last_year}",
            year,
        )
        for i, year in enumerate(t.year)
        if year is not None and not pact.first_year <= year <= pact.last_year
    ]


def _duplicates(t: _Table, pact: Pact) -> list[Finding]:
    """The same application twice, in one file or across files; the second row is reported.

    One issue per row, the most certain first: the same year, title, applicant and
    amounts (``duplicate_application``, error at the title cell), else the same case
    number (``duplicate_case_id``, error at the case cell), else the same year and
    title (``duplicate_title``, warning — another applicant or other amounts). Texts are
    compared by :func:`~pagt_xl.base.danish.comparison_key` (case, spacing, zero-width and
    soft-hyphen characters, dash variants, decomposed letters, Cyrillic look-alikes), and an
    applicant written as "v/ …" is the applicant. The errors give the second
    row ``has_error``, so the breakdowns count the pair once (from the first row).

    The first row of each key comes from one dict built in C; only the rows that
    repeat a key are looked at.
    """
    titles = [_norm(x) if x else None for x in t.title]
    cases = [case_key(c) for c in t.case_id]
    first_title = _first_rows(list(zip(t.year, titles, strict=True)), [x is not None for x in titles])
    first_case = _first_rows(cases, [bool(c) for c in cases])
    repeated = {i for i, first in first_title.items() if first != i}
    repeated.update(i for i, first in first_case.items() if first != i)
    # an application repeats its title: its first row is among the rows of a repeated title
    in_group = sorted({first_title[i] for i in repeated if i in first_title} | repeated)
    applicants: dict[object, str] = {}  # few distinct applicants: normalised once each
    first_application: dict[int, int] = {}
    seen: dict[tuple[object, ...], int] = {}
    for i in in_group:
        if titles[i] is None:
            continue
        applicant = t.applicant[i]
        if applicant not in applicants:
            applicants[applicant] = _norm(applicant)
        key = (t.year[i], titles[i], applicants[applicant], t.applied[i], t.granted[i])
        first_application[i] = seen.setdefault(key, i)
    out: list[Finding] = []
    for i in sorted(repeated):
        title = t.title[i]
        if first_application.get(i, i) != i:
            out.append(
                t.issue(
                    i,
                    "title",
                    IssueCode.DUPLICATE_APPLICATION,
                    Severity.ERROR,
                    f"ansøgningen (samme år, titel, ansøger og beløb) står allerede i "
                    f"{t.where(first_application[i], i)}; den tælles kun én gang — slet den ene række",
                    title,
                )
            )
        elif first_case.get(i, i) != i:
            out.append(
                t.issue(
                    i,
                    "case_id",
                    IssueCode.DUPLICATE_CASE_ID,
                    Severity.ERROR,
                    f"sagsnummeret står allerede i {t.where(first_case[i], i)}; hver sag må kun stå én gang — "
                    "ret sagsnummeret eller slet den ene række",
                    t.case_id[i],
                )
            )
        elif first_title.get(i, i) != i:
            out.append(
                t.issue(
                    i,
                    "title",
                    IssueCode.DUPLICATE_TITLE,
                    Severity.WARNING,
                    f"titlen står allerede i {t.where(first_title[i], i)} for samme år (anden ansøger eller andre "
                    "beløb); er det den samme ansøgning to gange?",
                    title,
                )
            )
    return out


def _similar_names(t: _Table, pact: Pact) -> list[Finding]:
    """Two spellings of one title or applicant (``similar_name``, a warning at each of the two cells, each naming
    the other): "LamSTEM Nord+" in 2023 beside "LabSTEM Nord" in 2020. See :mod:`pagt_xl.similar_names`."""
    out: list[Finding] = []
    for field_name, values, word in (("title", t.title, "titlen"), ("applicant", t.applicant, "ansøgeren")):
        for i, j in near_identical(values):
            for here, there in ((i, j), (j, i)):
                # an applicant written in the title ("… v/ Aalborg Universitet") is in the title's cell
                cell_field = field_name if t.column(there, field_name) else "title"
                column = t.column(there, cell_field)
                place = f"{t.sheet[there]} › {column}{t.row[there]}" if column else t.where(there, here)
                if t.file[there] != t.file[here]:
                    place = f"{t.file[there]} › {place}"
                out.append(t.issue(
                    here, field_name if t.column(here, field_name) else "title", IssueCode.SIMILAR_NAME,
                    Severity.WARNING,
                    f"{word} '{values[here]}' ligner '{values[there]}' ({place}, {t.year[there]}); er det samme navn "
                    "stavet på to måder? Ret stavefejlen, så projektet tælles og vises under ét navn",
                    values[here]))  # fmt: skip
    return out


def _first_rows(keys: list[Any], used: list[bool]) -> dict[int, int]:
    """Row → the first row with the same key, for each ``used`` row that is not the first of its key.

    Keys of unused rows (no title, no case number) never equal a used row's key.
    """
    first = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))  # the first row wins
    if len(first) == len(keys):
        return {}
    return {i: first[k] for i, k in enumerate(keys) if used[i] and first[k] != i}


def _norm(text: object) -> str:
    """Matching key of a text cell (:func:`~pagt_xl.base.danish.comparison_key`); ``None`` is the empty text."""
    if text is None:
        return ""
    return comparison_key(text if text.__class__ is str else str(text))


def _period_reversed(t: _Table, pact: Pact) -> list[Finding]:
    return [
        t.issue(
            i,
            "period_end",
            IssueCode.PERIOD_REVERSED,
            Severity.ERROR,
            f"projektet slutter ({e}) før det starter ({s})",
            e,
        )
        for i, (s, e) in enumerate(zip(t.period_start, t.period_end, strict=True))
        if s is not None and e is not None and s > e
    ]


def _framework_exceeded(t: _Table, pact: Pact) -> list[Finding]:
    """A year's granted total above that year's framework, reported at the framework amount's cell."""
    totals: dict[int, int] = defaultdict(int)
    for y, g, d in zip(t.year, t.granted, t.decision, strict=True):
        if y is not None and g is not None and d == Decision.GRANTED:
            totals[y] += g
    out: list[Finding] = []
    for fw in t.overview.frameworks:
        total = totals.get(fw.year, 0)
        if total > fw.amount:
            message = (
                f"der er givet tilsagn for {format_amount(total)} i {fw.year}, "
                f"mere end årets ramme på {format_amount(fw.amount)} "
                f"(overskredet med {format_amount(total - fw.amount)})"
            )
            issue = Issue.at(
                IssueCode.FRAMEWORK_EXCEEDED,
                Severity.ERROR,
                message,
                file=fw.source.file,
                sheet=fw.source.sheet,
                row=fw.source.row,
                cell=fw.cell,
                value=fw.amount,
            )
            out.append((None, issue))
    return out


def _subtotal_mismatch(t: _Table, pact: Pact) -> list[Finding]:
    """A subtotal row whose stated amount differs from the sum of the rows it covers."""
    out: list[Finding] = []
    for s in subtotal_sums(t.overview):
        sub = s.subtotal
        for field_name, stated, computed in (("granted", sub.granted, s.granted), ("applied", sub.applied, s.applied)):
            if stated is None or computed == stated:
                continue
            what = "støttebeløb" if field_name == "granted" else "ansøgte beløb"
            message = (
                f"sumrækken '{sub.label}' angiver {format_amount(stated)}, men de "
                f"{s.rows} rækker den dækker giver {what} i alt {format_amount(computed)} "
                f"(forskel {format_amount(stated - computed)})"
            )
            issue = Issue.at(
                IssueCode.SUBTOTAL_MISMATCH,
                Severity.WARNING,
                message,
                file=sub.file,
                sheet=sub.sheet,
                cell=sub.cells[field_name],
                value=stated,
            )
            out.append((None, issue))
    return out


#: The pact rules, in the order their issues are listed for one row.
RULES: tuple[Rule, ...] = (
    _granted_above_applied,
    _rejected_with_amount,
    _granted_without_amount,
    _granted_zero,
    _implausible_amount,
    _round_cap_exceeded,
    _round_before_its_start,
    _theme_not_open,
    _year_outside_pact,
    _duplicates,
    _similar_names,
    _mixed_script,
    _period_reversed,
    _framework_exceeded,
    _subtotal_mismatch,
    _decisions_add_up,
)


def validate(overview: Overview, pact: Pact) -> list[Issue]:
    """Apply the pact's :data:`RULES`; returns the new issues and updates ``overview.table['has_error']``.

    The returned list does not repeat the reading issues in ``overview.issues``.
    Issues come row by row (in rule order within a row), then those about the
    whole overview (framework years, subtotal rows). A row with an issue of
    severity error gets ``has_error``.
    """
    with collector_paused():
        table = _Table(overview)
        findings = [finding for rule in RULES for finding in rule(table, pact)]
    after_rows = len(overview.table)
    findings.sort(key=lambda f: after_rows if f[0] is None else f[0])  # stable: rule order within a row
    error_rows = {i for i, issue in findings if i is not None and issue.severity is Severity.ERROR}
    if error_rows:
        df = overview.table
        flags = df["has_error"].to_numpy(copy=True)
        flags[list(error_rows)] = True
        df["has_error"] = flags
    return [issue for _, issue in findings]


@dataclass(frozen=True)
class SubtotalSum:
    """A subtotal row with the sums of the application rows it covers."""

    subtotal: Subtotal
    rows: int
    granted: int
    applied: int


def subtotal_sums(overview: Overview) -> list[SubtotalSum]:
    """What each subtotal row should say: the sums of the rows it covers.

    Which rows a subtotal covers: :func:`pagt_xl.ingest.overview.covered_rows`.
    """
    out: list[SubtotalSum] = []
    for sheet in overview.sheets:
        years = sheet.records["year"]
        previous = 0
        subs = sheet.subtotals
        for n, sub in enumerate(subs):
            following = subs[n + 1].position if n + 1 < len(subs) else None
            stated = {f: v for f in ("granted", "applied") if (v := getattr(sub, f)) is not None}
            idx = covered_rows(sub.year, sub.position, previous, years, following=following, stated=stated,
                               values=sheet.records)  # fmt: skip
            previous = sub.position
            sums = {f: sum(v for k in idx if (v := sheet.records[f][k]) is not None) for f in ("granted", "applied")}
            out.append(SubtotalSum(sub, len(idx), sums["granted"], sums["applied"]))
    return out
