"""What the command line prints: every terminal table and summary, in Danish.

Every table goes through :func:`table` (columns aligned, names cut with "…", a rule
under the header and above the total row). Numbers are Danish everywhere: counts and
kroner with thousands dots (``100.000 ansøgninger``, ``23.231.178 kr.``), millions with a
decimal comma (``40.495,80 mio. kr.``), formatted once, here, by :mod:`pagt_xl.base.danish`.

Many issues of one code in one sheet are one line (``5.000 × <beskrivelse>, første i
E17``) unless ``verbose``; the JSON, CSV and workbook outputs always hold every issue.
"""

from __future__ import annotations

import shutil
import textwrap
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pagt_xl.base.danish import SEVERITY_LABELS as DANISH_SEVERITY
from pagt_xl.base.danish import format_amount, format_millions, format_number, format_percent
from pagt_xl.base.issue_texts import describe
from pagt_xl.base.names import KEY_LABELS

if TYPE_CHECKING:
    from pagt_xl.base.config import Pact
    from pagt_xl.base.model import Issue
    from pagt_xl.core.breakdown import YearTable
    from pagt_xl.core.goals import FollowUp
    from pagt_xl.core.results import JobResult
    from pagt_xl.core.tables import BudgetReview, Validation

#: severity → the terminal's label: the one table of severity words, in capitals ("FEJL")
SEVERITY_LABELS = {key: word.upper() for key, word in DANISH_SEVERITY.items()}
#: more issues than this of one code in one sheet are shown as one line (unless verbose)
GROUP_ABOVE = 10
ELLIPSIS = "…"


def number(n: int) -> str:
    """A count the Danish way: ``100000`` → ``"100.000"``."""
    return format_number(int(n))


def kroner(value: Any) -> str:
    """Whole kroner as ``"1.234.567 kr."``; a blank (``None``, NaN) as ``"-"``."""
    if value is None or value != value:
        return "-"
    return format_amount(int(value))


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the last one "…" when it was longer."""
    return text if len(text) <= width else text[: max(width - 1, 0)] + ELLIPSIS


# -- the one table helper --------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """A column of :func:`table`: its title, alignment and widest cell (longer cells are cut with "…")."""

    title: str
    align: str = ">"  # ">" right, "<" left
    max_width: int | None = None


def table(
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    *,
    total: Sequence[str] | None = None,
    indent: str = "",
    gap: str = "  ",
) -> str:
    """Rows of text cells as an aligned table: header, rule, rows, and (when given) a rule and the total row.

    The last column is not padded (no trailing spaces); a left-aligned last column may run long.
    """
    body = [list(r) for r in rows]
    every = [*body, *([list(total)] if total is not None else [])]
    widths = []
    for i, col in enumerate(columns):
        width = max([len(col.title), *(len(r[i]) for r in every)])
        widths.append(min(width, col.max_width) if col.max_width else width)

    def line(cells: Sequence[str]) -> str:
        parts = []
        for i, (cell, col, width) in enumerate(zip(cells, columns, widths, strict=True)):
            text = clip(cell, width)
            last = i == len(columns) - 1
            parts.append(text if last and col.align == "<" else f"{text:{col.align}{width}}")
        return (indent + gap.join(parts)).rstrip()

    rule = indent + gap.join("-" * w for w in widths)
    lines = [line([c.title for c in columns]), rule, *(line(r) for r in body)]
    if total is not None:
        lines += [rule, line(total)]
    return "\n".join(lines)


# -- issues ------------------------------------------------------------------------------------------------
def _where(issue: Issue) -> str:
    if issue.cell:
        return issue.cell
    if issue.row:
        return f"række {number(issue.row)}"
    return "hele arket" if issue.sheet else "hele filen"


def _grouped(issues: list[Issue], verbose: bool) -> list[tuple[Issue, int]]:
    """(issue, count) in order; a code seen more than :data:`GROUP_ABOVE` times in a sheet is one entry."""
    if verbose:
        return [(i, 1) for i in issues]
    counts = Counter((i.file, i.sheet, i.code, i.severity) for i in issues)
    out: list[tuple[Issue, int]] = []
    seen: set[tuple[Any, ...]] = set()
    for issue in issues:
        key = (issue.file, issue.sheet, issue.code, issue.severity)
        if counts[key] <= GROUP_ABOVE:
            out.append((issue, 1))
        elif key not in seen:
            seen.add(key)
            out.append((issue, counts[key]))
    return out


def issues_text(
    issues: Sequence[Issue], *, quiet: bool = False, verbose: bool = False, width: int | None = None
) -> str:
    """A readable list of issues, one block per file and sheet; ``quiet``: no info lines.

    More than :data:`GROUP_ABOVE` issues of one code in one sheet are one line with the count, the code's
    description and the first cell, unless ``verbose``.
    """
    shown = [i for i in issues if not (quiet and i.severity == "info")]
    if not shown:
        return "Ingen fejl eller advarsler fundet.\n"
    width = width or shutil.get_terminal_size((120, 20)).columns
    lines: list[str] = []
    current: tuple[str | None, str | None] | None = None
    grouped = 0
    for issue, count in _grouped(shown, verbose):
        if (issue.file, issue.sheet) != current:
            current = (issue.file, issue.sheet)
            lines.append("")
            lines.append(f"{issue.file}" + (f" › {issue.sheet}" if issue.sheet else ""))
        head = f"  {SEVERITY_LABELS[issue.severity]:<8} {_where(issue):<10} "
        if count > 1:
            grouped += count
            text = f"{number(count)} × {describe(issue.code)}, første i {_where(issue)}"
        else:
            text = issue.message + (f"  [værdi: {issue.value}]" if issue.value not in (None, "") else "")
        text += f"  ({issue.code.value})"
        wrapped = textwrap.wrap(text, max(40, width - len(head))) or [""]
        lines.append(head + wrapped[0])
        lines.extend(" " * len(head) + w for w in wrapped[1:])
    if grouped:
        lines += ["", f"{number(grouped)} fejl og advarsler af samme slags er samlet på én linje pr. slags; "
                      "-v viser hver enkelt, --format csv eller json giver den fulde liste."]  # fmt: skip
    return "\n".join(lines) + "\n"


def counts_text(issues: Sequence[Issue]) -> str:
    """``"3 fejl, 1.204 advarsler"``."""
    errors = sum(1 for i in issues if i.severity == "error")
    warnings = sum(1 for i in issues if i.severity == "warning")
    return f"{number(errors)} fejl, {number(warnings)} advarsler"


def validation_summary(result: Validation, *, exit_hint: bool = True) -> str:
    """The short summary under the issues of ``validate`` (and ``demo``): the figures of its JSON document."""
    from pagt_xl.outputs.documents import validation_document

    doc: dict[str, Any] = validation_document(result)
    counts, total = doc["summary"], doc["granted_total"]
    left_out = f"; {number(doc['rows_with_errors'])} række(r) med fejl indgår ikke" if doc["rows_with_errors"] else ""
    lines = [
        "",
        f"{result.pact.name}: {number(len(result.table))} ansøgninger læst fra {number(len(doc['files']))} fil(er); "
        f"{number(doc['granted_applications'])} med tilsagn for i alt {format_amount(total)} "
        f"({format_millions(total)}){left_out}.",
        f"Fundet: {number(counts['error'])} fejl, {number(counts['warning'])} advarsler, "
        f"{number(counts['info'])} info. "
        + ("Data har fejl" + (" (exit-kode 1)." if exit_hint else ".") if counts["error"] else "Ingen fejl."),
    ]
    return "\n".join(lines) + "\n"


# -- breakdowns --------------------------------------------------------------------------------------------
def year_table_text(years: YearTable) -> str:
    """The status report's year table (amounts in kr.), with a total row."""
    cols: list[tuple[str, str]] = [
        ("year", "År"),
        ("applications", "Ansøgn."),
        ("rejected", "Afslag"),
        ("granted_projects", "Tilsagn"),
        ("pending", "Afventer"),
        ("withdrawn", "Trukket"),
    ]
    cols += [(f"round_{key}", name) for key, name in years.rounds]
    if years.rounds and any(r.get("round_none") for r in years.rows):
        cols.append(("round_none", "Uden runde"))
    cols += [("granted", "Bevilget i alt"), ("framework", "Ramme"), ("utilisation", "Udnyttet"),
             ("cumulative", "Akkumuleret")]  # fmt: skip

    def cell(key: str, value: Any) -> str:
        if value is None:
            return "-"
        if key == "utilisation":
            return format_percent(value)
        if key == "year":
            return str(value)
        return number(int(value))

    columns = [Column(title, "<" if i == 0 else ">") for i, (_, title) in enumerate(cols)]
    body = [[cell(k, r.get(k)) for k, _ in cols] for r in years.rows]
    total = [cell(k, years.total.get(k)) for k, _ in cols]
    return table(columns, body, total=total) + "\nBeløb i kr. Udnyttet = bevilget i året / årets ramme."


def checks_text(checks: Sequence[Mapping[str, Any]]) -> str:
    """``Kontrol: 5 OK, 1 afviger.`` and one line per check that does not agree."""
    bad = [c for c in checks if c["result"] != "OK"]
    lines = [f"Kontrol: {number(len(checks) - len(bad))} OK, {number(len(bad))} afviger."]
    lines += [f"  AFVIGER: {c['name']}: forventet {_figure(c['expected'])}, beregnet {_figure(c['actual'])} "
              f"({c['source']})" for c in bad]  # fmt: skip
    return "\n".join(lines)


def _figure(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return str(value)
    if isinstance(value, int):
        return number(value)
    if isinstance(value, float):
        return f"{value:,.2f}".replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return str(value)


def breakdown_text(doc: Mapping[str, Any], by: Sequence[str]) -> str:
    """``breakdown --format table``: one line per label with projects, kroner and share; the checks under it."""
    columns = [*(Column(KEY_LABELS[k], "<", 60) for k in by), Column("Projekter"), Column("Støttebeløb"),
               Column("Andel")]  # fmt: skip
    body = [[str(r[k]) for k in by] + [number(r["projects"]), kroner(r["granted"]), f"{r['percent']} %"]
            for r in doc["rows"]]  # fmt: skip
    t = doc["total"]
    total = ["I alt", *[""] * (len(by) - 1), number(t["projects"]), kroner(t["granted"]), f"{t.get('percent', 100)} %"]
    return table(columns, body, total=total) + "\n\n" + checks_text(doc["checks"]) + "\n"


# -- budgets -----------------------------------------------------------------------------------------------
def budgets_text(review: BudgetReview, rows: Sequence[Mapping[str, Any]], *, quiet: bool, verbose: bool) -> str:
    """``budgets --format table``: one line per budget and per file that could not be read, the issues, a count.

    ``rows`` are :func:`pagt_xl.outputs.documents.budget_rows` (a file not read has only ``file`` and ``status``).
    """
    columns = [Column("Status", "<"), Column("Sagsnr.", "<"), Column("Udgifter i alt"), Column("Ansøgt"),
               Column("Bevilget"), Column("Forbrugt"), Column("Projekt", "<")]  # fmt: skip
    read = [r for r in rows if "total_cost" in r]
    body = []
    for r in rows:
        if "total_cost" in r:
            body.append([r["status"], r.get("case_id") or "-", kroner(r["total_cost"]), kroner(r["sought"]),
                         kroner(r["granted"]), kroner(r["spent"]), r.get("title") or ""])  # fmt: skip
        else:
            body.append([r["status"], "", "", "", "", "", Path(r["file"]).name])
    total = None
    if read:
        sums = [kroner(sum(int(r[c]) for r in read if r[c] is not None and r[c] == r[c]))
                for c in ("total_cost", "sought", "granted", "spent")]  # fmt: skip
        total = ["I alt", "", *sums, f"{number(len(read))} budgetter"]
    listing = table(columns, body, total=total) + "\n\n" if read else ""  # nothing read: the errors say why
    issues = issues_text(review.issues, quiet=quiet, verbose=verbose).rstrip("\n")
    return (listing + issues + f"\n{number(len(review.records))} budgetter læst af {number(len(review.files))} "
            f"fil(er): {counts_text(review.issues)}.\n")  # fmt: skip


# -- the round ---------------------------------------------------------------------------------------------
def memo_text(job: Any) -> str:
    """The memo's key figures (``indstilling``, ``demo``)."""
    r = job.round
    lines = [f"{r.pact.name}: ansøgningsrunden {r.year}" + (f" ({r.pact.round(r.round).name})" if r.round else "")]
    lines.append(f"  Ansøgninger: {number(len(r.applications))}, ansøgt i alt {format_amount(r.applied_total)}")
    if r.framework is not None:
        back = f", tilbageført {format_amount(r.returned)}" if r.returned else ""
        lines.append(f"  Ramme {format_amount(r.framework)}, allerede bevilget {format_amount(r.already_granted)}"
                     f"{back}, restramme {format_amount(r.remaining)}")  # fmt: skip
    else:
        lines.append(f"  Ingen ramme for {r.year}: restrammen kan ikke beregnes")
    lines.append(f"  Indstillet: {number(len(r.recommended))} ansøgninger, {format_amount(r.recommended_total)}")
    if r.recommended:
        rows = [[format_amount(a.final or 0), a.title + (f" v/ {a.applicant}" if a.applicant else "")]
                for a in r.recommended]  # fmt: skip
        listing = table([Column("Beløb"), Column("Projekt", "<")], rows, indent="    ")
        lines.extend(listing.splitlines()[2:])  # the rows only, under the line above
    if r.special_theme:
        lines.append(f"  Særligt tema {r.special_theme}: {number(r.special_count)} ansøgninger")
    s = r.suggestion
    if s is not None:
        line = s.line_after
        where = f"; stregen falder efter nr. {line.rank} {line.application.title}" if line else ""
        lines.append(f"  Forslag (kun et forslag): {format_amount(s.total)} af {format_amount(s.remaining)}{where}")
        if s.partial is not None:
            lines.append(f"    delvis bevilling til nr. {s.partial.rank} {s.partial.application.title}: "
                         f"{format_amount(s.partial.amount)}")  # fmt: skip
    failing = sum(1 for i in r.issues if i.severity == "error")
    checked = "alle kontroller bestået" if not failing else f"{number(failing)} fejl (se nedenfor)"
    lines.append(f"  Kontrol: {checked}")
    return "\n".join(lines)


LETTER_STATUS = {"written": "skrevet", "replaced": "erstattet (det gamle er gemt)",
                 "skipped": "sprunget over (findes allerede)", "failed": "ikke dannet"}  # fmt: skip


def letters_text(letters: Sequence[Any]) -> str:
    """One line per letter (a draft marked KLADDE, a replaced letter with its kept copy) and a count."""
    if not letters:
        return "Ingen ansøgninger med afgørelse (Tilsagn eller Afslag) i det valgte år og den valgte runde."
    rows = [[o.kind, LETTER_STATUS[o.status] + (" som KLADDE" if o.draft else ""),
             str(o.path) + (f" (gammelt brev: {o.kept})" if o.kept else "")] for o in letters]  # fmt: skip
    listing = table([Column("Brev", "<"), Column("Status", "<"), Column("Fil", "<")], rows, indent="  ")
    counts = {k: sum(1 for o in letters if o.status == k) for k in LETTER_STATUS}
    drafts = sum(1 for o in letters if o.draft)
    return (listing + f"\nBreve: {number(counts['written'])} skrevet, {number(counts['replaced'])} erstattet, "
            f"{number(counts['skipped'])} sprunget over (findes allerede), {number(counts['failed'])} ikke dannet"
            + (f"; {number(drafts)} er KLADDE (skriveprompter, se nedenfor)." if drafts else "."))  # fmt: skip


# -- the ledger (issue 25) -------------------------------------------------------------------------------
def ledger_text(run: Any, *, quiet: bool = False, verbose: bool = False) -> str:
    """``udbetalinger --format table``: one line per grant, the total, the years, the issues, a count."""
    from pagt_xl.core.ledger import account_rows, year_rows

    ledger = run.ledger

    def kr(v: Any) -> str:
        return "-" if v is None else number(int(v))

    cols = [("granted", "Bevilget"), ("paid", "Udbetalt"), ("held_back", "Tilbageholdt"), ("owed", "Mangler"),
            ("repaid", "Tilbagebetalt"), ("reduced", "Nedsat"), ("final", "Endeligt")]  # fmt: skip
    rows = account_rows(ledger)
    share = ledger.pact.payments.held_back_share
    held = f"; {format_percent(share)} holdes tilbage til slutrapporten er godkendt" if share else ""
    columns = [Column("Sagsnr.", "<"), Column("År", "<"), *(Column(h) for _, h in cols), Column("Projekt", "<")]
    body = [[r["case_id"] or "-", str(r["year"]), *(kr(r[k]) for k, _ in cols), r["title"] or ""] for r in rows]
    total = ["I alt", "", *(kr(sum(r[k] for r in rows)) for k, _ in cols), f"{number(len(rows))} bevillinger"]
    ycols = [("framework", "Ramme"), ("commitments", "Tilsagn"), ("payments", "Udbetalt"),
             ("returned", "Tilbageført"), ("remaining", "Restramme")]  # fmt: skip
    years = year_rows(ledger)
    year_table = table([Column("År", "<"), *(Column(h) for _, h in ycols)],
                       [[str(y["year"]), *(kr(y[k]) for k, _ in ycols)] for y in years[:-1]],
                       total=["I alt", *(kr(years[-1][k]) for k, _ in ycols)])  # fmt: skip
    lines = [
        f"{ledger.pact.name}: udbetalt og tilbageført pr. bevilling (kr.){held}",
        table(columns, body, total=total),
        "",
        year_table,
        "Restramme = ramme − tilsagn + tilbageførte midler (tilbagebetalt, nedsat eller bortfaldet).",
        issues_text(run.issues, quiet=quiet, verbose=verbose).rstrip("\n"),
        f"{number(len(run.read.entries))} posteringer læst fra {number(len(run.read.files))} fil(er): "
        f"{counts_text(run.issues)}.",
    ]
    return "\n".join(lines) + "\n"


# -- template variables, pacts --------------------------------------------------------------------------------
def template_vars_text(
    variables: Mapping[str, str],
    nested: Mapping[str, Mapping[str, str]],
    used: set[str] | None,
    template: Path | None,
    *,
    ok: bool = True,
) -> str:
    """``template-vars``: each variable and its fields with a description; ``*`` marks those the template uses.

    ``ok``: the template passed its check (what is wrong otherwise is the command's error line).
    """
    rows: list[list[str]] = []
    for name, description in variables.items():
        mark = "" if used is None else ("* " if name in used else "  ")
        rows.append([mark + name, description])
        pad = "" if used is None else "  "
        rows.extend([f"{pad}    .{sub}", sub_text] for sub, sub_text in nested.get(name, {}).items())
    listing = table([Column("Variabel", "<"), Column("Beskrivelse", "<")], rows)
    out = "\n".join(listing.splitlines()[2:])  # no header: the names speak for themselves
    if used is not None:
        out += f"\n\n* = bruges i {template}"
        if ok:
            out += "\nSkabelonen bruger kun kendte variabler."
    return out + "\n"


def pacts_text(pacts: Sequence[Pact], user_folder: Path, default: str, settings: Path) -> str:
    """``pacts``: one line per pact (its years, counts, and file when it is the user's own), the default, the folder."""
    rows = [[p.key, f"{p.name} ({p.region}, {p.first_year}-{p.last_year})",
             f"{number(len(p.themes))} indsatsområder, {number(len(p.project_types))} projekttyper, "
             f"{number(len(p.rounds))} runder" + (f"; egen fil: {p.source}" if _inside(p.source, user_folder) else "")]
            for p in pacts]  # fmt: skip
    listing = table([Column("Navn", "<"), Column("Pagt", "<"), Column("Indhold", "<")], rows)
    return (listing + f"\n\nStandardpagt: {default} (ændres med pagt = \"navn\" i {settings} "
            "eller miljøvariablen PAGT_XL_PACT).\n"
            "Vælg med --pact NAVN, eller --pact sti/til/pagt.toml for en egen pagt. "
            f"Egne pagter findes ved navn i {user_folder}.\n")  # fmt: skip


def _inside(path: str, folder: Path) -> bool:
    try:
        return Path(path).resolve().is_relative_to(folder.resolve())
    except OSError:
        return False


# -- goals -------------------------------------------------------------------------------------------------
def goals_text(result: FollowUp, pact_name: str) -> str:
    """The goal follow-up: each indicator year against the path, each activity goal per year."""
    from pagt_xl.core.goals import activity_target_text, format_decimal, status_text

    until = f" til og med {result.year}" if result.year is not None else ""
    lines = [f"{pact_name} — målopfølgning{until}"]
    if result.indicators:
        lines += ["", "Målte mål (basisår = indeks 100; sti = lige linje fra basisåret til målåret)"]
    for ind in result.indicators:
        lines += ["", f"{ind.text or ind.name}"]
        if ind.baseline is None:
            lines.append(f"  basisåret {ind.baseline_year} mangler — målet kan ikke følges")
            continue
        assert ind.target_value is not None
        lines.append(f"  {ind.name}: basis {ind.baseline_year} = {format_decimal(ind.baseline, 0)}, "
                     f"mål {ind.target_year} = {format_decimal(ind.target_value, 0)} {ind.unit}")  # fmt: skip
        rows = [[str(y.year), format_decimal(y.value, 0), format_decimal(y.index), format_decimal(y.path_index),
                 status_text(y)] for y in ind.years]  # fmt: skip
        columns = [Column("År", "<"), Column("Antal"), Column("Indeks"), Column("Sti"), Column("Status", "<")]
        lines.append(table(columns, rows, indent="  "))
        latest = ind.latest
        if latest is not None and latest.needed_per_year is not None:
            points = format_decimal(latest.needed_points_per_year or 0.0, sign=True)
            lines.append(f"  Nødvendig stigning pr. år {latest.year}-{ind.target_year}: "
                         f"{format_decimal(latest.needed_per_year, 0, sign=True)} {ind.unit} ({points} indekspoint)")
        if ind.missing_years:
            lines.append(f"  Mangler tal for: {', '.join(str(y) for y in ind.missing_years)}")
    if result.activities:
        lines += ["", "Handlingsplanens aktivitetsmål (udført / mål pr. år)"]
    for act in result.activities:
        cells = [f"{a.year}: {number(a.done)} udført" if not a.has_target
                 else f"{a.year}: {number(a.done)} af {activity_target_text(a)} ({'nået' if a.met else 'ikke nået'})"
                 for a in act.years]  # fmt: skip
        lines.append(f"  {act.area} — {act.kind}")
        lines.append("    " + ("   ".join(cells) if cells else "ingen år endnu"))
    if not result.indicators and not result.activities:
        lines += ["", "Pagten har ingen mål i sin konfiguration ([[goals.measured]] / [[goals.activities]])."]
    return "\n".join(lines) + "\n"


# -- demo --------------------------------------------------------------------------------------------------
RULE = "=" * 78


def heading(text: str) -> str:
    """A title between two rules."""
    return f"{RULE}\n{text}\n{RULE}"


def demo_text(result: JobResult, path: Path, budgets: Path, *, verbose: bool = False) -> str:
    """What ``demo`` prints for one sample: year table, checks, issues (no info), budgets and the files written."""
    validation, breakdowns = result.validation, result.breakdowns
    assert breakdowns is not None
    lines = [heading(f"{validation.pact.name} — {path.name}"), year_table_text(breakdowns.years)]
    ext = breakdowns.extremes
    if ext["smallest"] is not None:
        smallest, largest = ext["smallest"]["granted"], ext["largest"]["granted"]  # type: ignore[index]
        lines.append(f"Mindste bevilling: {format_amount(smallest)}; største: {format_amount(largest)}")
    if validation.excluded_rows:
        lines.append(f"{number(validation.excluded_rows)} række(r) med fejl indgår ikke i årstabellen "
                     "(se fejl nedenfor).")  # fmt: skip
    lines.append(checks_text([c.as_dict() for c in breakdowns.checks]).splitlines()[0])
    text = "\n".join(lines) + "\n" + issues_text(validation.issues, quiet=True, verbose=verbose)
    text += validation_summary(validation, exit_hint=False)
    text += f"\nFordelingsprojektmappe skrevet: {result.outputs['breakdown_workbook']}\n"
    if result.budgets is not None:
        review = result.budgets
        text += (f"Budgetskemaer i {budgets}: {number(len(review.records))} læst af "
                 f"{number(len(review.files))} fil(er).\n")  # fmt: skip
        text += issues_text(review.issues, quiet=True, verbose=verbose)
        text += f"Budgetoversigt skrevet: {result.outputs['budget_workbook']}\n"
    return text + f"Rapportkladde skrevet: {result.outputs['report']}\n"
