"""Command line: ``pagt-xl COMMAND``. Each command parses its arguments, calls the pipeline, prints, exits.

Exit codes (a contract for scheduled scripts):
0 = no errors in the data; 1 = the data has errors; 2 = an input could not be
read or the command was misused (one clear line on stderr, never a traceback).

The commands and their arguments are one table (:data:`COMMANDS`, built by
:mod:`pagt_xl.cli.parser`); what they print is in :mod:`pagt_xl.cli.text`, the JSON
and CSV they write in :mod:`pagt_xl.outputs.documents`. Nothing heavy is imported
before a command runs: ``pagt-xl --help`` loads neither pandas nor pydantic.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pagt_xl import __version__
from pagt_xl.base.errors import ConfigError, PagtError, UsageError
from pagt_xl.base.names import KEY_NAMES, KEYS, available_pacts, breakdown_key, configured_pact_name, default_pact_name
from pagt_xl.cli.console import Console, redacted
from pagt_xl.cli.parser import Adder, Command, OneOf, Together, arg, build

if TYPE_CHECKING:  # the data, model (pydantic) and Word libraries load only in the commands that use them
    from pagt_xl.base.config import Pact
    from pagt_xl.base.model import Issue
    from pagt_xl.core.results import JobResult
    from pagt_xl.pipeline import JobSpec

EXIT_OK, EXIT_DATA, EXIT_INPUT = 0, 1, 2

#: The shipped sample workbooks, relative to the repository root, with their pact.
SAMPLES: tuple[tuple[str, str], ...] = (
    ("nordjylland", "nordjylland_ansoegninger_2019-2023.xlsx"),
    ("midtjylland", "midtjylland_projekter_2018.xlsx"),
)
#: The 2024 round samples (issue 16): before and after the council's decision.
ROUND_SAMPLES = ("nordjylland_runde_2024.xlsx", "nordjylland_runde_2024_afgjort.xlsx")


# -- argument types (Danish messages) ---------------------------------------------------------------------
def _year(text: str) -> int:
    try:
        year = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' er ikke et årstal; skriv fx 2023") from None
    if not 1900 <= year <= 2100:
        raise argparse.ArgumentTypeError(f"'{text}' er ikke et årstal; skriv fx 2023")
    return year


def _key(text: str) -> str:
    key = breakdown_key(text)
    if key is None:
        raise argparse.ArgumentTypeError(f"ukendt nøgle '{text}'; brug {', '.join(KEY_NAMES.values())}")
    return key


# -- the arguments several commands share -------------------------------------------------------------------
FILES = arg("paths", nargs="+", metavar="FIL", help="projektmapper")


def _pact_help() -> str:
    configured = configured_pact_name()
    now = f"nu: {configured}" if configured else "nu ingen sat"
    return (f"pagt: et navn ({', '.join(available_pacts())}) eller stien til en .toml-fil (standard: $PAGT_XL_PACT, "
            "ellers pagt i indstillinger.toml, ellers den pagt filens indsatsområder og overskrifter peger på, "
            f"ellers nordjylland; {now})")  # fmt: skip


PACT = Together((
    arg("--pact", default=None, metavar="NAVN|FIL", help=_pact_help),
    arg("--skjulte-ark", "--hidden-sheets", dest="hidden_sheets", action="store_true",
        help="læs også skjulte ark (standard: de springes over og nævnes; pagtens [overview] read_hidden_sheets)"),
))  # fmt: skip
PASSWORD = arg(
    "--password",
    metavar="ADGANGSKODE",
    default=None,
    help="adgangskode til beskyttede projektmapper (eller PAGT_XL_PASSWORD); filen dekrypteres kun midlertidigt",
)
YEAR = arg("--year", type=_year, metavar="ÅR", help="kun ét år")
ROUND_YEAR = YEAR.but(required=True, help="ansøgningsrundens år")
ROUND = arg("--round", metavar="RUNDE", help="kun én runde (fx aaben eller 'Åben runde'); standard: alle")
DATE = arg("--date", metavar="ÅÅÅÅ-MM-DD", help="dato (standard: i dag)")
AS_OF = arg("--as-of", metavar="ÅÅÅÅ-MM-DD", help="dato for vurdering af underforbrug (standard: i dag)")
OUT = arg("--out", type=Path, metavar="FIL", help="skriv til fil i stedet for skærmen (kræves for xlsx)")
DOCX_OUT = arg("--out", type=Path, required=True, metavar="FIL.docx", help="kladden der skrives")
TEMPLATE = arg("--template", type=Path, metavar="FIL", help="Word-skabelon (standard: den medfølgende)")
BUDGETS = arg("--budgets", nargs="+", type=Path, metavar="FIL/MAPPE", help="ansøgernes budgetskemaer")
PDF = arg(
    "--pdf",
    action="store_true",
    help="gem også en PDF ved siden af hver .docx: tagget (tilgængelig), med sprog og indholdsfortegnelse med "
    "sidetal, til Digital Post og nettet (kræver LibreOffice)",
)
PAYMENTS = arg("--payments", nargs="+", type=Path, metavar="FIL", help="udbetalingerne (arket Udbetalinger)")
OVERVIEW = arg("--overview", nargs="+", type=Path, metavar="FIL", help="ansøgningsoversigt(er) at sammenholde med")


#: ``--csv-dialect``'s words → the dialect (:data:`pagt_xl.outputs.files.CSV_DIALECTS`, which is not imported
#: to parse the arguments)
CSV_NAMES = {"dansk": "dansk", "danish": "dansk", "excel": "dansk", "maskine": "maskine", "machine": "maskine"}


def _csv_dialect(text: str) -> str:
    name = CSV_NAMES.get(text.strip().lower())
    if name is None:
        raise argparse.ArgumentTypeError(f"ukendt CSV-form '{text}'; brug dansk (standard) eller maskine")
    return name


CSV_DIALECT = arg(
    "--csv-dialect",
    type=_csv_dialect,
    default="dansk",
    metavar="dansk|maskine",
    help="CSV-form: dansk (standard: ; mellem felter, decimalkomma, danske overskrifter, UTF-8 med BOM, åbner i "
    "dansk Excel) eller maskine (kommaer, decimalpunktum, engelske nøgler som i JSON, UTF-8)",
)


def formats(*choices: str) -> Any:
    """``--format`` with these choices, the first the default (and ``--csv-dialect`` when CSV is one)."""
    fmt = arg("--format", choices=choices, default=choices[0], help=f"uddataformat (standard: {choices[0]})")
    return Together((fmt, CSV_DIALECT)) if "csv" in choices else fmt



# -- helpers of the commands ---------------------------------------------------------------------------------
def load_pact(name: str | None) -> Pact:
    """The pact ``--pact`` names (``None``: :func:`~pagt_xl.base.names.default_pact_name`); pydantic loads here."""
    from pagt_xl.base.config import load_pact as load
    from pagt_xl.base.errors import ConfigError, ErrorCode

    if name:
        return load(name)
    try:
        return load(default_pact_name())
    except ConfigError as exc:
        if exc.code is not ErrorCode.UNKNOWN_PACT:
            raise
        raise ConfigError(f"{exc}; standardpagten er sat i {_configured_where()}", code=exc.code) from None


def _pact(args: argparse.Namespace, con: Console, paths: Sequence[Path | str]) -> Pact:
    """The run's pact: ``--pact``, else the one the user has set (``PAGT_XL_PACT``, indstillinger.toml), else the
    one the workbooks point to, else the default; a guess is named on stderr after the command's output (not
    before an exit-2 error). ``--skjulte-ark`` makes it read hidden sheets."""
    from pagt_xl.base.errors import ConfigError, ErrorCode
    from pagt_xl.ingest.grid import isolated_reads
    from pagt_xl.pipeline import choose_pact

    name = args.pact or configured_pact_name()
    try:
        with isolated_reads(len(paths) > 1):  # several files: each is opened in a child, as validate reads them
            choice = choose_pact(name, list(paths))
    except ConfigError as exc:
        if args.pact or exc.code is not ErrorCode.UNKNOWN_PACT:
            raise
        raise ConfigError(f"{exc}; standardpagten er sat i {_configured_where()}", code=exc.code) from None
    if choice.note:
        con.later(choice.note)
    return choice.pact.with_hidden_sheets() if args.hidden_sheets else choice.pact


def _configured_where() -> str:
    from pagt_xl.base.names import settings_path

    return "miljøvariablen PAGT_XL_PACT" if os.environ.get("PAGT_XL_PACT", "").strip() else str(settings_path())


def _warn_empty_period(con: Console, issues: Sequence[Issue]) -> bool:
    """Each ``empty_period`` warning on stderr (even with -q); whether there was one (the command then exits 1)."""
    found = [i for i in issues if i.code == "empty_period"]
    for issue in found:
        con.error(issue.message, kind="advarsel: ")
    return bool(found)


def _password(args: argparse.Namespace) -> str | None:
    return args.password if args.password is not None else os.environ.get("PAGT_XL_PASSWORD")


def _date(text: str | None) -> dt.date:
    """``--date``/``--as-of``, or today (``SOURCE_DATE_EPOCH`` when set, for reproducible builds)."""
    if text:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise UsageError(f"ugyldig dato '{text}'; skriv fx 2024-02-15") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def _year_range(text: str | None) -> tuple[int, int] | None:
    """``--period`` as (first, last); ``None`` when not given."""
    if not text:
        return None
    from pagt_xl.base.danish import parse_year_range

    return parse_year_range(text)  # a bad period is a RequestError (exit 2)


def _needs_out(args: argparse.Namespace) -> None:
    if args.format == "xlsx" and args.out is None:
        raise UsageError("--format xlsx kræver --out FIL.xlsx")


def _docx_out(path: Path) -> None:
    if path.suffix.lower() != ".docx":
        raise UsageError("--out skal være en .docx-fil")


def _pdf_first(args: argparse.Namespace) -> None:
    """With --pdf: refuse (Danish, exit 2) before any work when LibreOffice is not installed."""
    if getattr(args, "pdf", False):
        from pagt_xl.report.pdf import require_pdf

        require_pdf()


def _write_pdfs(con: Console, paths: list[Path]) -> None:
    from pagt_xl.report.pdf import export_pdfs

    for pdf in export_pdfs(paths):
        con.wrote(f"PDF skrevet: {pdf}", pdf)


def _fatal(con: Console, fatal: list[Issue]) -> int:
    """Each input that could not be read as one line on stderr; the exit code for it."""
    for issue in fatal:
        con.error(issue.message)
    return EXIT_INPUT


def _emit(con: Console, text: str, out: Path | None) -> None:
    """``text`` to ``out`` (atomically), or to stdout when no file is given."""
    if out is None:
        con.out(text)
        return
    from pagt_xl.outputs.files import atomic_write

    atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    con.log(f"Skrevet: {out}")


def _csv(
    con: Console, args: argparse.Namespace, rows: Any, columns: Sequence[str], labels: Any = None
) -> None:
    """Rows as CSV in ``--csv-dialect`` to ``--out`` (atomically) or stdout, encoded as the dialect wants."""
    from pagt_xl.outputs.files import csv_bytes, csv_dialect, write_csv

    text = write_csv(rows, columns, dialect=args.csv_dialect, labels=labels)
    _emit_bytes(con, csv_bytes(text, args.csv_dialect), getattr(args, "out", None),
                csv_dialect(args.csv_dialect).encoding)  # fmt: skip


def _emit_bytes(con: Console, data: bytes, out: Path | None, encoding: str = "utf-8") -> None:
    """``data`` (encoded as ``encoding``) to ``out`` atomically, or as it is to stdout's bytes.

    A stdout without bytes (a ``StringIO`` a caller redirected it to) gets the decoded text, BOM and all.
    """
    if out is None:
        sys.stdout.flush()
        buffer = getattr(sys.stdout, "buffer", None)
        if buffer is None:
            sys.stdout.write(data.decode(encoding))
        else:
            buffer.write(data)
            buffer.flush()
        return
    from pagt_xl.outputs.files import atomic_write

    atomic_write(out, lambda tmp: tmp.write_bytes(data))
    con.log(f"Skrevet: {out}")


def _run_job(spec: JobSpec, con: Console, progress: Any = None) -> JobResult:
    """:func:`~pagt_xl.pipeline.run_job`, each step logged (a bad period is a RequestError: exit 2)."""
    from pagt_xl.pipeline import run_job

    return run_job(spec, progress or con.step)


def _exit(has_errors: bool) -> int:
    return EXIT_DATA if has_errors else EXIT_OK


# -- validate ------------------------------------------------------------------------------------------------
def cmd_validate(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl validate``."""
    import pagt_xl.cli.text as text
    from pagt_xl.outputs.documents import to_json, validation_document
    from pagt_xl.outputs.files import issues_csv
    from pagt_xl.pipeline import run_validation

    con.step(f"Læser og validerer {len(args.paths)} projektmappe(r)")
    # several files: each read in a child process, so that one the reader aborts on is only that file's error
    result = run_validation(list(args.paths), _pact(args, con, args.paths), password=_password(args),
                            isolate=len(args.paths) > 1)  # fmt: skip
    if result.fatal:
        return _fatal(con, result.fatal)
    if args.format == "json":
        con.out(to_json(validation_document(result)))
    elif args.format == "csv":
        from pagt_xl.outputs.files import csv_bytes, csv_dialect

        data = csv_bytes(issues_csv(result.issues, args.csv_dialect), args.csv_dialect)
        _emit_bytes(con, data, None, csv_dialect(args.csv_dialect).encoding)
    else:
        con.out(text.issues_text(result.issues, quiet=args.quiet, verbose=args.verbose)
                + text.validation_summary(result))  # fmt: skip
    con.summary = text.counts_text(result.issues)
    return _exit(result.has_errors)


# -- breakdown -----------------------------------------------------------------------------------------------
def _load_stated(path: Path | None) -> dict[str, int] | None:
    if path is None:
        return None
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: kan ikke læses som TOML ({exc})") from None
    out: dict[str, int] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, int) and not isinstance(value, bool):
            out[prefix] = value
        else:
            raise UsageError(f"{path}: '{prefix}' skal være et helt tal (kr. eller antal)")

    walk("", data.get("stated", data))
    return out


def cmd_breakdown(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl breakdown``."""
    by = list(args.by or [])
    if len(by) > 2:
        raise UsageError("--by kan højst gives to gange")
    if not by and args.format != "xlsx":
        raise UsageError(f"angiv --by NØGLE ({', '.join(KEY_NAMES.values())})")
    _needs_out(args)
    import pagt_xl.cli.text as text
    from pagt_xl.outputs.documents import breakdown_columns, breakdown_document, breakdown_labels, to_json
    from pagt_xl.pipeline import JobOutputs, JobSpec, breakdown_for

    spec = JobSpec(
        pact=_pact(args, con, args.paths),
        inputs=list(args.paths),
        password=_password(args),
        period=(args.year, args.year) if args.year is not None else None,
        stated=_load_stated(args.stated),
        stated_source=str(args.stated or ""),
        outputs=JobOutputs(breakdown_workbook=args.out if args.format == "xlsx" else None),
        breakdown_keys=tuple(by) if len(by) == 1 else (),  # two keys: crossed by breakdown_for
    )
    job = _run_job(spec, con)
    validation, result = job.validation, job.breakdowns
    if validation.fatal:
        return _fatal(con, validation.fatal)
    assert result is not None
    doc = breakdown_document(result, breakdown_for(result, by), by) if by else None
    if validation.excluded_rows:
        con.note(f"{text.number(validation.excluded_rows)} række(r) med fejl er udeladt af fordelingerne; "
                 "se 'pagt-xl validate'")  # fmt: skip
    if args.format == "xlsx":
        con.wrote(f"Fordelinger skrevet til {args.out}", args.out)
    else:
        assert doc is not None
        if args.format == "json":
            _emit(con, to_json(doc), args.out)
        elif args.format == "csv":
            _csv(con, args, doc["rows"], breakdown_columns(doc), breakdown_labels(result))
        elif by == ["year"]:
            shown = text.year_table_text(result.years) + "\n\n" + text.checks_text(doc["checks"]) + "\n"
            _emit(con, shown, args.out)
        else:
            _emit(con, text.breakdown_text(doc, by), args.out)
    con.summary = text.counts_text(validation.issues)
    empty = _warn_empty_period(con, job.notes)
    return _exit(validation.has_errors or empty)


# -- report --------------------------------------------------------------------------------------------------
def cmd_report(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl report``: the whole job, writing only the draft."""
    import pagt_xl.cli.text as text
    from pagt_xl.pipeline import JobOutputs, JobSpec

    _docx_out(args.out)
    _pdf_first(args)
    spec = JobSpec(
        pact=_pact(args, con, args.paths),
        inputs=list(args.paths),
        password=_password(args),
        period=(args.year, args.year) if args.year is not None else _year_range(args.period),
        budgets=list(args.budgets or []),
        goals=list(args.goals or []),
        payments=list(args.payments or []),
        report_date=_date(args.date),
        as_of=_date(args.as_of) if args.as_of else None,
        template=args.template,
        outputs=JobOutputs(report=args.out),
    )
    result = _run_job(spec, con)
    if result.validation.fatal:
        return _fatal(con, result.validation.fatal)
    if result.validation.excluded_rows:
        con.note(f"{text.number(result.validation.excluded_rows)} række(r) med fejl indgår ikke i rapporten; "
                 "se 'pagt-xl validate'")  # fmt: skip
    if result.goals is not None and result.goals.fatal:
        return _fatal(con, result.goals.fatal)
    goal_errors = result.goals is not None and result.goals.has_errors
    if goal_errors:
        con.note("målopfølgningen har fejl; se 'pagt-xl maal'")
    if result.ledger is not None and result.ledger.fatal:
        return _fatal(con, result.ledger.fatal)
    ledger_errors = result.ledger is not None and result.ledger.has_errors
    if ledger_errors:
        con.note("udbetalingerne har fejl; se 'pagt-xl udbetalinger'")
    for issue in result.template_issues:  # macros, an outside template, DDE fields: taken out of the draft
        con.note(f"advarsel: {issue.file}: {issue.message}")
    con.wrote(f"Rapportkladde skrevet: {args.out}", args.out)
    if args.pdf:
        _write_pdfs(con, [args.out])
    con.summary = text.counts_text(result.issues)
    empty = _warn_empty_period(con, result.notes)
    return _exit(result.validation.has_errors or goal_errors or ledger_errors or empty)


# -- budgets -------------------------------------------------------------------------------------------------
def cmd_budgets(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl budgets``."""
    import pagt_xl.cli.text as text
    from pagt_xl.outputs.documents import BUDGET_LABELS, budget_columns, budget_rows, budgets_document, to_json
    from pagt_xl.pipeline import run_budgets

    _needs_out(args)

    def progress(done: int, total: int, path: Path) -> None:
        con.log(f"Budget {done}/{total}: {path.name}", echo=False)
        if total > 1:
            con.progress(done, total, path.name)

    con.step(f"Læser og kontrollerer budgetskemaer fra {len(args.paths)} sti(er)")
    run = run_budgets(
        list(args.paths),
        _pact(args, con, args.overview or []),
        overview=args.overview,
        as_of=_date(args.as_of),
        workbook=args.out if args.format == "xlsx" else None,
        progress=progress,
    )
    con.finish()
    if run.review is None:
        return _fatal(con, run.fatal)
    review = run.review
    for issue in review.fatal:
        con.error(issue.message)
    if args.format == "xlsx":
        con.wrote(f"Budgetter skrevet til {args.out}", args.out)
    elif args.format == "json":
        _emit(con, to_json(budgets_document(review)), args.out)
    else:
        budgets, unread = budget_rows(review)
        if args.format == "csv":
            _csv(con, args, [*budgets, *unread], budget_columns(review), BUDGET_LABELS)
        else:
            shown = text.budgets_text(review, [*budgets, *unread], quiet=args.quiet, verbose=args.verbose)
            _emit(con, shown, args.out)
    con.summary = text.counts_text(review.issues)
    if review.fatal:
        return EXIT_INPUT
    return _exit(review.has_errors)


# -- template-vars -------------------------------------------------------------------------------------------
def cmd_template_vars(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl template-vars``: the variables, and with --template the template checked (exit 2 on a fault)."""
    import pagt_xl.cli.text as text
    from pagt_xl.outputs.documents import template_vars_document, to_json
    from pagt_xl.report import nested_variables, template_variables, used_variables
    from pagt_xl.report.render import TemplateProblem, check_template

    if args.kind == "statusrapport":
        variables, nested = template_variables(), nested_variables()
    elif args.kind == "indstilling":
        from pagt_xl.report.memo import memo_nested_variables, memo_variables

        variables, nested = memo_variables(), memo_nested_variables()
    else:
        from pagt_xl.report.letters import letter_nested_variables, letter_variables

        variables, nested = letter_variables(), letter_nested_variables()
    used = used_variables(args.template) if args.template else None
    problem: TemplateProblem | None = None
    if args.template:
        model: Any = None
        if args.kind == "indstilling":
            from pagt_xl.report.memo import MemoContext as model
        elif args.kind == "brev":
            from pagt_xl.report.letters import LetterContext as model
        try:
            check_template(args.template, args.kind, model)
        except TemplateProblem as exc:
            problem = exc
    unknown = sorted(used - set(variables)) if used is not None else []
    if args.format == "json":
        doc = template_vars_document(variables, nested, used, unknown)
        con.out(to_json({**doc, **({"fault": str(problem)} if problem else {})}))
    else:
        con.out(text.template_vars_text(variables, nested, used, args.template, ok=problem is None))
    if problem is not None:
        raise problem
    return EXIT_OK


# -- the application round (issue 16) ------------------------------------------------------------------------
def cmd_memo(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl indstilling``: the recommendation memo of a round."""
    import pagt_xl.cli.text as text
    from pagt_xl.pipeline import run_memo

    _docx_out(args.out)
    _pdf_first(args)
    con.step(f"Vurderer ansøgningsrunden {args.year} og skriver indstillingsnotatet")
    job = run_memo(
        _pact(args, con, args.paths), args.year, inputs=list(args.paths), round_name=args.round, out=args.out,
        template=args.template, budgets=list(args.budgets or []), report_date=_date(args.date),
        password=_password(args), case_number=args.sagsnr, payments=list(args.payments or []),
    )  # fmt: skip
    if job.validation.fatal:
        return _fatal(con, job.validation.fatal)
    if job.ledger is not None and job.ledger.fatal:
        return _fatal(con, job.ledger.fatal)
    assert job.round is not None
    con.out(text.memo_text(job))
    if job.issues:
        con.out(text.issues_text(job.issues, quiet=args.quiet, verbose=args.verbose).rstrip("\n"))
    con.out("")
    con.wrote(f"Indstillingsnotat skrevet: {args.out}", args.out)
    if args.pdf:
        _write_pdfs(con, [args.out])
    con.summary = text.counts_text(job.issues)
    empty = _warn_empty_period(con, job.notes)
    return _exit(job.has_errors or empty)


def cmd_letters(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl breve``: one decision letter per decided application."""
    import pagt_xl.cli.text as text
    from pagt_xl.pipeline import run_letters

    _pdf_first(args)
    con.step(f"Skriver breve for ansøgningsrunden {args.year} i {args.out}")
    job = run_letters(
        _pact(args, con, args.paths), args.year, args.out, inputs=list(args.paths), round_name=args.round,
        letter_date=_date(args.date), grant_template=args.grant_template,
        rejection_template=args.rejection_template, password=_password(args), draft=args.udkast,
        overwrite=args.overwrite,
    )  # fmt: skip
    if job.validation.fatal:
        return _fatal(con, job.validation.fatal)
    con.out(text.letters_text(job.letters))
    for letter in job.letters:
        if letter.status in ("written", "replaced"):
            con.log(f"Skrevet: {letter.path}")
    if job.letter_issues:
        con.out(text.issues_text(job.letter_issues, quiet=args.quiet, verbose=args.verbose).rstrip("\n"))
    if args.pdf:
        _write_pdfs(con, [Path(o.path) for o in job.letters if o.status in ("written", "replaced")])
    con.summary = text.counts_text(job.letter_issues)
    empty = _warn_empty_period(con, job.notes)
    return _exit(job.has_errors or empty)


# -- run, serve, pacts ---------------------------------------------------------------------------------------
def cmd_run(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl run``: a scheduled run, an adapter over :func:`pagt_xl.pipeline.run_job`."""
    import pagt_xl.cli.text as text
    from pagt_xl.base.model import Severity
    from pagt_xl.cli.scheduled import load_run_config, plan_run

    plan = plan_run(load_run_config(args.config), base=args.config.resolve().parent, today=_date(args.date))
    from pagt_xl.outputs.files import check_outputs
    from pagt_xl.pipeline import job_inputs

    # the run file's inputs too, and the log: nothing of the run may write over what it reads
    check_outputs([*vars(plan.spec.outputs).values(), plan.log], [args.config, *job_inputs(plan.spec)])
    con.add_log(plan.log)
    con.show_steps = True  # cron and Task Scheduler: one time-stamped line per step on stderr
    steps = plan.spec.steps()
    con.log(f"Start: {args.config}", echo=False)
    done = 0

    def step(line: str) -> None:
        nonlocal done
        done += 1
        con.step(line)
        con.progress(done, len(steps), line)

    try:
        result = _run_job(plan.spec, con, step)
    finally:
        con.finish()
    for message in [*plan.notes, *(f"fejl: {issue.message}" for issue in result.fatal)]:
        con.note(message)
    for path in result.outputs.values():
        con.wrote(f"Skrevet: {path}", path)
    errors, warnings = result.count(Severity.ERROR), result.count(Severity.WARNING)
    con.summary = f"{text.number(errors)} fejl, {text.number(warnings)} advarsler, " \
                  f"{text.number(len(result.outputs))} filer skrevet"  # fmt: skip
    return EXIT_INPUT if result.validation.fatal else _exit(result.has_errors or result.empty_period)


def cmd_serve(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl serve``."""
    from pagt_xl.xl.serve import serve

    return serve(args.host, args.port, certfile=args.certfile, keyfile=args.keyfile, workers=args.workers,
                 insecure_local=args.insecure_local)  # fmt: skip


def _server_settings_help() -> str:
    from pagt_xl.xl.settings import ServerSettings  # pydantic: only for ``serve --help``

    return ServerSettings.help_text()


def _serve_arguments(parser: Any) -> None:
    from pagt_xl.xl.serve import add_arguments  # no xlwings, no pydantic: only the options

    add_arguments(parser)


def cmd_pacts(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl pacts``."""
    import pagt_xl.cli.text as text
    from pagt_xl.base.names import read_settings, settings_path, user_pacts_dir
    from pagt_xl.outputs.documents import pacts_document, to_json

    try:
        read_settings()
    except ConfigError as exc:  # default_pact_name() then falls back quietly; here the user learns why
        con.note(str(exc))
    pacts = [load_pact(name) for name in available_pacts()]
    if args.format == "json":
        con.out(to_json(pacts_document(pacts)))
    else:
        con.out(text.pacts_text(pacts, user_pacts_dir(), default_pact_name(), settings_path()))
    return EXIT_OK


# -- demo ----------------------------------------------------------------------------------------------------
def _workbooks_dir(arg: Path | None) -> Path:
    if arg is not None:
        return arg
    for candidate in (Path.cwd() / "workbooks", Path(__file__).resolve().parent.parent.parent / "workbooks"):
        if candidate.is_dir():
            return candidate
    raise UsageError("kan ikke finde mappen workbooks/ med eksempler; angiv den med --workbooks")


def cmd_demo(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl demo``: the whole job on the shipped samples, an adapter over :func:`pagt_xl.pipeline.run_job`."""
    import pagt_xl.cli.text as text
    from pagt_xl.pipeline import JobOutputs, JobSpec

    folder = _workbooks_dir(args.workbooks)
    for pact_name, filename in SAMPLES:
        path = folder / filename
        if not path.exists():
            raise UsageError(f"eksempelfilen mangler: {path} (kør scripts/make_samples.py)")
        pact = load_pact(pact_name)
        budgets = folder / "budgetter"
        with_budgets = pact.key == "nordjylland" and budgets.is_dir()
        goals = folder / f"maalopfoelgning_{pact.key}.xlsx"
        ledger = folder / f"udbetalinger_{pact.key}.xlsx"  # the commitment ledger (issue 25)
        spec = JobSpec(
            pact=pact,
            inputs=[path],
            goals=[goals] if goals.exists() else [],
            budgets=[budgets] if with_budgets else [],
            payments=[ledger] if ledger.exists() else [],
            report_date=_date(None),
            outputs=JobOutputs(
                breakdown_workbook=args.out_dir / f"fordelinger_{pact.key}.xlsx",
                budget_workbook=args.out_dir / f"budgetter_{pact.key}.xlsx" if with_budgets else None,
                report=args.out_dir / f"statusrapport_{pact.key}.docx",
                ledger_workbook=args.out_dir / f"udbetalinger_{pact.key}.xlsx" if ledger.exists() else None,
            ),
        )
        result = _run_job(spec, con)
        if result.validation.fatal:
            return _fatal(con, result.validation.fatal)
        con.out(text.demo_text(result, path, budgets, verbose=args.verbose) + "\n")
        if result.ledger is not None and result.ledger.ledger is not None:
            con.out(f"Udbetalinger — {ledger.name}")
            con.out(text.ledger_text(result.ledger, verbose=args.verbose).rstrip("\n"))
            con.out(f"Udbetalinger skrevet: {result.outputs['ledger_workbook']}\n")
        if result.goals is not None:
            goals = text.goals_text(result.goals.follow_up, pact.name)
            con.out(goals + text.issues_text(result.goals.issues, quiet=True, verbose=args.verbose) + "\n")
    return _demo_round(con, folder, args.out_dir)


def _demo_round(con: Console, folder: Path, out_dir: Path) -> int:
    """``demo``'s round part: the memo of the 2024 sample round and its decision letters."""
    import pagt_xl.cli.text as text
    from pagt_xl.pipeline import run_letters, run_memo

    before, after = (folder / name for name in ROUND_SAMPLES)
    if not before.exists() or not after.exists():
        raise UsageError(f"eksempelfilerne mangler: {before}, {after} (kør scripts/make_round_samples.py)")
    pact = load_pact("nordjylland")
    con.out(text.heading(f"Ansøgningsrunden 2024 — {before.name}"))
    memo = out_dir / "indstillingsnotat_nordjylland_2024.docx"
    budgets = folder / "budgetter_runde_2024"
    job = run_memo(pact, 2024, inputs=[before], out=memo, report_date=_date(None),
                   budgets=[budgets] if budgets.is_dir() else [])  # fmt: skip
    if job.validation.fatal:
        return _fatal(con, job.validation.fatal)
    con.out(text.memo_text(job))
    if job.issues:
        con.out(text.issues_text(job.issues, quiet=True).rstrip("\n"))
    con.out(f"Indstillingsnotat skrevet: {memo}\n")
    con.out(f"Breve efter Regionsrådets beslutning ({after.name}):")
    letters = run_letters(pact, 2024, out_dir / "breve_nordjylland_2024", inputs=[after], letter_date=_date(None))
    if letters.validation.fatal:
        return _fatal(con, letters.validation.fatal)
    con.out(text.letters_text(letters.letters))
    if letters.letter_issues:
        con.out(text.issues_text(letters.letter_issues, quiet=True).rstrip("\n"))
    return EXIT_OK


# -- maal (issue 17: goal tracking and action-plan follow-up) ------------------------------------------------
def cmd_maal(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl maal``."""
    import pagt_xl.cli.text as text
    from pagt_xl.outputs.documents import GOAL_LABELS, goal_rows, goals_document, to_json
    from pagt_xl.pipeline import run_goals

    _needs_out(args)
    pact = _pact(args, con, args.overview or [])
    con.step(f"Læser målopfølgningen fra {len(args.paths)} projektmappe(r)")
    run = run_goals(list(args.paths), pact, overview=args.overview, year=args.year, password=_password(args))
    for issue in run.fatal:
        con.error(issue.message)
    unread = {issue.file for issue in run.fatal}
    if all(str(p) in unread for p in args.paths):  # no goal data at all: nothing to follow up
        return EXIT_INPUT
    if args.format == "xlsx":
        from pagt_xl.outputs.workbooks import write_goals_workbook

        write_goals_workbook(run.follow_up, run.issues, args.out)
        con.wrote(f"Målopfølgning skrevet til {args.out}", args.out)
    elif args.format == "json":
        _emit(con, to_json(goals_document(run)), args.out)
    elif args.format == "csv":
        rows, columns = goal_rows(run)
        _csv(con, args, rows, columns, GOAL_LABELS)
    else:
        shown = text.goals_text(run.follow_up, pact.name) + "\n"
        shown += text.issues_text(run.issues, quiet=args.quiet, verbose=args.verbose)
        _emit(con, shown + f"{text.counts_text(run.issues)}.\n", args.out)
    con.summary = text.counts_text(run.issues)
    if run.fatal:
        return EXIT_INPUT
    return _exit(run.has_errors)


# -- udbetalinger (issue 25: the commitment ledger after the decision) ----------------------------------------
def cmd_payments(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl udbetalinger``."""
    import pagt_xl.cli.text as text
    from pagt_xl.core.ledger import ACCOUNT_COLUMNS, account_rows
    from pagt_xl.outputs.documents import LEDGER_LABELS, ledger_document, to_json
    from pagt_xl.pipeline import run_ledger

    _needs_out(args)
    con.step(f"Læser udbetalingerne fra {len(args.paths)} projektmappe(r)")
    pact = _pact(args, con, args.overview or args.paths)
    run = run_ledger(list(args.paths), pact, overview=args.overview, budgets=args.budgets, as_of=_date(args.as_of),
                     password=_password(args))  # fmt: skip
    for issue in [*run.fatal, *(run.budgets.fatal if run.budgets is not None else [])]:
        con.error(issue.message)
    ledger = run.ledger
    if ledger is None or not run.read.sheets:  # no overview, or no ledger sheet at all
        return EXIT_INPUT
    if args.format == "xlsx":
        from pagt_xl.outputs.workbooks import write_ledger_workbook

        write_ledger_workbook(ledger, run.read.entries, run.issues, args.out)
        con.wrote(f"Udbetalinger skrevet til {args.out}", args.out)
    elif args.format == "json":
        _emit(con, to_json(ledger_document(run)), args.out)
    elif args.format == "csv":
        _csv(con, args, account_rows(ledger), list(ACCOUNT_COLUMNS), LEDGER_LABELS)
    else:
        _emit(con, text.ledger_text(run, quiet=args.quiet, verbose=args.verbose), args.out)
    con.summary = text.counts_text(run.issues)
    if run.fatal or (run.budgets is not None and run.budgets.fatal):
        return EXIT_INPUT
    return _exit(run.has_errors)


# -- eksport (issue 25: open data) ---------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace, con: Console) -> int:
    """``pagt-xl eksport``."""
    import pagt_xl.cli.text as text
    from pagt_xl.pipeline import run_giving

    pact = _pact(args, con, args.paths)
    prefix = (args.prefix or pact.opendata.prefix).strip()
    if not prefix.startswith("360G-") or len(prefix) <= len("360G-"):
        raise UsageError("angiv publicistens 360Giving-præfiks med --prefix, fx --prefix 360G-regionnord (360Giving "
                         "tildeler præfikset; det kan også stå i pagtfilen under [opendata] prefix)")  # fmt: skip
    day = _date(args.date)
    con.step("Læser oversigten og skriver tilsagnene efter 360Giving")
    job = run_giving(list(args.paths), pact, args.out, prefix=prefix, payments=args.payments,
                     modified=dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), funder_id=args.funder_id,
                     password=_password(args))  # fmt: skip
    if job.fatal:
        return _fatal(con, job.fatal)
    assert job.data is not None
    if job.issues:
        con.out(text.issues_text(job.issues, quiet=True, verbose=args.verbose).rstrip("\n"))
    n = len(job.data.grants)
    con.summary = text.counts_text(job.issues)
    if not n:
        con.note("ingen tilsagn at eksportere (kun tilsagn uden fejl, med sagsnummer og ansøger); intet skrevet")
        return EXIT_DATA
    con.out(f"{text.number(n)} tilsagn eksporteret efter 360Giving Data Standard {job.data.package['version']}.")
    if job.data.award_dates_assumed:
        con.out(f"{text.number(job.data.award_dates_assumed)} tilsagn uden tilsagnsdato: 31. december i tilsagnsåret "
                "er brugt (tilføj kolonnen Tilsagnsdato i oversigten).")  # fmt: skip
    if job.validation.excluded_rows:
        con.note(f"{text.number(job.validation.excluded_rows)} række(r) med fejl er ikke eksporteret; "
                 "se 'pagt-xl validate'")  # fmt: skip
    for path in job.outputs:
        con.wrote(f"Skrevet: {path}", path)
    ledger_errors = job.ledger is not None and job.ledger.has_errors
    return _exit(job.validation.has_errors or ledger_errors)


# -- the table of commands -----------------------------------------------------------------------------------
_EXITS = "Exit-kode 0: ingen fejl, 1: data har fejl, 2: en fil kan ikke læses eller kommandoen er brugt forkert."


#: Every command with its arguments, in the order ``pagt-xl --help`` lists them.
COMMANDS: list[Command] = [
    Command(
        "validate", cmd_validate,
        help="læs ansøgningsoversigter og vis alt, der er galt (med fil, ark og celle)",
        description="Læser en eller flere projektmapper (.xlsx/.xlsm) og validerer dem mod pagtens regler. "
        + _EXITS,
        args=[FILES.but(help="projektmapper (én pr. år er fint)"), PACT, PASSWORD, formats("text", "json", "csv")],
    ),
    Command(
        "breakdown", cmd_breakdown,
        help="fordelinger af tilsagn (år, runde, tema, type, ansøger ...) med kontrol",
        description="Beregner antal projekter, støttebeløb og andele fordelt på en eller to nøgler ud fra "
        "rækkerne uden fejl. --format xlsx skriver hele fordelingsprojektmappen (alle fordelinger, Kontrol, "
        "Fejl). Exit-koder som validate.",
        args=[
            FILES, PACT, PASSWORD,
            arg("--by", action="append", type=_key, metavar="NØGLE",
                help=f"fordel på (op til to gange): {', '.join(KEY_NAMES.values())} "
                f"(eller {', '.join(KEYS)})"),
            YEAR, formats("table", "json", "csv", "xlsx"), OUT.but(help="skriv til fil (påkrævet for xlsx)"),
            arg("--stated", type=Path, metavar="FIL",
                help="TOML med tal fra en tidligere rapport ([stated] granted_total = ...), der kontrolleres"),
        ],
    ),
    Command(
        "report", cmd_report,
        help="lav en Word-kladde til statusrapporten ud fra projektmapperne",
        description="Beregner nøgletal og skriver en rapportkladde (.docx) i regionens skabelon. "
        "Samme input giver samme tekst og tabeller. Exit-koder som validate (1: data har fejl; kladden "
        "skrives alligevel ud fra rækkerne uden fejl og siger det).",
        args=[
            FILES, PACT, PASSWORD,
            TEMPLATE.but(help="Word-skabelon (standard: den medfølgende, pagt_xl/templates/statusrapport.docx)"),
            OneOf((YEAR, arg("--period", metavar="FRA-TIL",
                             help="periode, fx 2019-2023 (standard: alle år i data)"))),
            DATE.but(help="dato på kladden (standard: i dag, eller SOURCE_DATE_EPOCH når sat)"),
            DOCX_OUT.but(help="rapportkladden der skrives"),
            BUDGETS.but(help="budgetskemaer: risiko for underforbrug vises"),
            AS_OF.but(help="dato for vurdering af underforbrug, trykt i kladden (standard: periodens sidste dag "
                      "eller i dag, hvis den er tidligere)"),
            arg("--goals", nargs="+", type=Path, metavar="FIL", help="målopfølgning: kapitlet Målopfølgning"),
            PDF, PAYMENTS.but(help="udbetalingerne (arket Udbetalinger): afsnittet Udbetalt og tilbageført"),
        ],
    ),
    Command(
        "budgets", cmd_budgets,
        help="læs ansøgernes budgetskemaer (filer eller mapper), kontrollér og saml dem",
        description="Læser budgetskemaer (pagt_xl/templates/budgetskema.xlsx udfyldt af ansøgerne), også med "
        "forskudt layout, og kontrollerer summer, driftsudgifter, medfinansiering, forbrug og risiko for "
        "underforbrug. En dårlig fil stopper ikke de andre. Exit-kode 0: ingen fejl, 1: budgetterne har fejl, "
        "2: mindst én fil kunne ikke læses som budget (de andre er stadig samlet og vist).",
        args=[
            FILES.but(metavar="FIL/MAPPE", help="budgetfiler eller mapper med budgetfiler"), PACT, OVERVIEW,
            AS_OF, formats("table", "json", "csv", "xlsx"), OUT.but(help="skriv til fil (påkrævet for xlsx)"),
        ],
    ),
    Command(
        "template-vars", cmd_template_vars,
        help="vis de variabler, en rapportskabelon kan bruge",
        description="Viser variablerne i rapportens kontekst med en kort beskrivelse, så skabelonen kan rettes "
        "sikkert i Word. Med --template kontrolleres en skabelon: exit-kode 2 og én linje, der siger hvad der er galt, "
        "hvis den bruger ukendte variabler eller ikke kan bruges.",
        args=[
            TEMPLATE.but(help="kontrollér denne skabelon"),
            arg("--kind", choices=("statusrapport", "indstilling", "brev"), default="statusrapport",
                help="hvilken skabelon: statusrapport (standard), indstilling (indstillingsnotatet) eller brev "
                "(tilsagns- og afslagsbrevene)"),
            formats("text", "json"),
        ],
    ),
    Command(
        "indstilling", cmd_memo,
        help="lav en Word-kladde til indstillingsnotatet for en ansøgningsrunde",
        description="Læser rundens ansøgninger med vurdering (score pr. kriterium, Indstilling, Indstillet "
        "beløb, Begrundelse) og skriver indstillingsnotatet (.docx): ramme og restramme, modtagne ansøgninger, "
        "indstillede og ikke indstillede, årets særlige tema, et forslag efter vægtet score og kontrollerne "
        "før underskrift i et bilag. Exit-kode 0: alle kontroller bestået, 1: data eller kontroller har fejl "
        "(notatet skrives alligevel og viser dem), 2: en fil kan ikke læses eller kommandoen er brugt forkert.",
        args=[
            FILES.but(help="projektmapper med rundens ansøgninger og rammen"), PACT, PASSWORD, ROUND_YEAR, ROUND,
            DOCX_OUT.but(help="notatkladden der skrives"),
            TEMPLATE.but(help="Word-skabelon (standard: templates/indstillingsnotat.docx)"),
            BUDGETS.but(help="ansøgernes budgetskemaer (kontrol)"),
            PAYMENTS.but(help="udbetalingerne: årets tilbageførte midler lægges til restrammen"),
            DATE.but(help="dato på notatet (standard: i dag)"),
            arg("--sagsnr", metavar="SAGSNR", help="notatets sagsnummer (uden: en skriveprompt i notatet)"), PDF,
        ],
    ),
    Command(
        "breve", cmd_letters,
        help="lav tilsagns- og afslagsbreve (Word) efter Regionsrådets beslutning",
        description="Skriver ét brev pr. ansøgning med afgørelse (Tilsagn eller Afslag) i oversigten, "
        "navngivet efter sagsnummeret: afgørelsen, beløbet i tal og ord, lovgrundlag, begrundelse (ved afslag og "
        "delvist tilsagn), klagevejledning, vilkår, afrapportering, udbetaling, frist for accept og kontaktperson; "
        "teksterne kommer fra pagten, og en manglende tekst er en gul skriveprompt (brevet er da en KLADDE). "
        "Et afslag eller delvist tilsagn uden begrundelse dannes ikke (uden --udkast). Eksisterende filer "
        "overskrives ikke (de vises som sprunget over) uden --overwrite. Exit-kode 0: alle breve skrevet eller "
        "sprunget over, 1: data har fejl eller et brev kunne ikke dannes, 2: en fil kan ikke læses.",
        args=[
            FILES.but(help="projektmapper med afgørelserne"), PACT, PASSWORD, ROUND_YEAR,
            ROUND.but(help="kun én runde; standard: alle"),
            OUT.but(required=True, metavar="MAPPE", help="mappe til brevene (oprettes)"),
            arg("--grant-template", type=Path, metavar="FIL", help="skabelon til tilsagn (brev_tilsagn.docx)"),
            arg("--rejection-template", type=Path, metavar="FIL",
                help="skabelon til afslag (brev_afslag.docx)"),
            DATE.but(help="dato på brevene (standard: i dag)"),
            arg("--udkast", action="store_true", help="dan også afslag og delvise tilsagn uden begrundelse, som "
                "KLADDE med en skriveprompt (de kan ikke sendes)"),
            arg("--overwrite", action="store_true", help="erstat et eksisterende brev med et nyt (det gamle gemmes "
                "som en kopi med dato og tid i navnet)"),
            PDF,
        ],
    ),
    Command(
        "run", cmd_run,
        help="planlagt kørsel: rapportkladde, fordelinger, fejlliste og log med dato i navnet",
        description="Kører jobbet i en kørselsfil (TOML: pact, inputs, outputs, ...). Til cron og Windows "
        "Opgavestyring. Overskriver aldrig en fil, der er åben i Word eller Excel. Exit-koder som validate.",
        args=[
            arg("config", type=Path, metavar="KØRSEL.toml", help="kørselsfilen"),
            DATE.but(help="dato i filnavne og på kladden (standard: i dag)"),
        ],
    ),
    Command(
        "serve", cmd_serve,
        help="start Excel-tilføjelsesprogrammets server (xlwings Server) til Excel på nettet og skrivebordet",
        description="Starter xlwings Server med pagt_xl's celle-funktioner (PAGT.FORDELING ...) og knapper "
        '(Valider, Beregn fordelinger, Lav statusrapport). Kræver pip install "pagt_xl[server]" og '
        "XLWINGS_LICENSE_KEY (fx noncommercial for offentlige institutioner). "
        "HTTPS med --certfile og --keyfile; det er samme app som uvicorn pagt_xl.xl.asgi:app. "
        "Uden nøgle, eller med en ugyldig indstilling: exit-kode 2.",
        args=[Adder(_serve_arguments)],
        epilog_factory=_server_settings_help,
        raw_description=True,
    ),
    Command(
        "pacts", cmd_pacts,
        help="vis de pagter, der kan vælges med --pact",
        description="Viser de medfølgende pagter og dem i brugerens egen mappe.",
        args=[formats("text", "json")],
    ),
    Command(
        "demo", cmd_demo,
        help="kør hovedopgaven på de medfølgende eksempelprojektmapper",
        description="Validerer eksempelprojektmapperne i workbooks/, viser årstabel og fejl og skriver "
        "fordelingsprojektmapper og rapportkladder til out/, og for ansøgningsrunden 2024 indstillingsnotatet "
        "og tilsagns- og afslagsbrevene.",
        args=[
            arg("--workbooks", type=Path, default=None, metavar="MAPPE", help="mappe med eksempelprojektmapper"),
            arg("--out-dir", type=Path, default=Path("out"), metavar="MAPPE",
                help="mappe til resultater (standard: out/)"),
        ],
    ),
    Command(
        "maal", cmd_maal,
        help="målopfølgning: indikatorer mod stien til målet og handlingsplanens aktiviteter pr. år",
        description="Læser Målopfølgning- og Aktiviteter-ark (skabelon: pagt_xl/templates/maalopfoelgning.xlsx) "
        "og følger pagtens mål op: indeks mod basisåret, sti til målet, på sporet/bagud, aktiviteter pr. år. "
        "Med --overview tælles pagtens markerede projekter med, og sagsnumre kontrolleres.",
        args=[
            FILES.but(type=Path, help="projektmappe(r) med målopfølgning"), PACT,
            OVERVIEW.but(help="ansøgningsoversigt(er)"),
            YEAR.but(help="følg op til og med dette år (standard: seneste år i data)"),
            formats("table", "json", "csv", "xlsx"), OUT, PASSWORD,
        ],
    ),
    Command(
        "udbetalinger", cmd_payments,
        help="udbetalt, tilbageholdt, mangler og tilbageført pr. bevilling, og restrammen med tilbageførte midler",
        description="Læser udbetalingerne (arket Udbetalinger, skabelon: pagt_xl/templates/udbetalinger.xlsx, "
        "eller sekretariatets egen opstilling) og holder dem op mod ansøgningsoversigten: pr. bevilling bevilget, "
        "udbetalt, tilbageholdt, mangler, tilbagebetalt, nedsat og endeligt beløb; pr. år tilsagn, udbetalinger, "
        "tilbageførte midler og restramme. Kontrollerer udbetalt mod bevilget, den tilbageholdte del mod "
        "godkendt slutrapport, datoer mod projektperioden, afsluttede projekter med midler til gode og (med "
        "--budgets) tilbagebetaling ved underforbrug. " + _EXITS,
        args=[
            FILES.but(type=Path, help="projektmappe(r) med udbetalingerne"), PACT,
            OVERVIEW.but(help="ansøgningsoversigt(er) (standard: FIL, når oversigten står i samme projektmappe)"),
            BUDGETS.but(help="budgetskemaer med forbrug: tilbagebetaling ved underforbrug"),
            AS_OF.but(help="dato for budgetternes vurdering (standard: i dag)"),
            formats("table", "json", "csv", "xlsx"), OUT, PASSWORD,
        ],
    ),
    Command(
        "eksport", cmd_export,
        help="udgiv tilsagnene som åbne data (360Giving: JSON og regneark), uden personoplysninger",
        description="Skriver tilsagnene (rækker uden fejl) efter 360Giving Data Standard: id med publicistens "
        "360Giving-præfiks og sagsnummeret, titel, beskrivelse (kort resumé), DKK, bevilget og ansøgt beløb, "
        "tilsagnsdato, projektperiode, modtager og bevillingsgiver med id og navn, og med --payments det "
        "udbetalte beløb. Ingen kontaktpersoner eller andre personoplysninger. Exit-kode 0: skrevet, 1: data har "
        "fejl (tilsagnene uden fejl er skrevet), 2: en fil kan ikke læses eller kommandoen er brugt forkert.",
        args=[
            FILES.but(type=Path, help="ansøgningsoversigt(er)"), PACT,
            arg("--format", choices=("360giving",), default="360giving", help="dataformat (360giving)"),
            OUT.but(required=True, metavar="MAPPE", help="mappe til 360giving_<pagt>.json og 360giving_<pagt>.xlsx"),
            arg("--prefix", metavar="360G-...",
                help="publicistens 360Giving-præfiks (standard: pagtens [opendata] prefix)"),
            arg("--funder-id", metavar="ID", default="",
                help="regionens organisations-id, fx DK-CVR-... (standard: [opendata] funder_id)"),
            PAYMENTS.but(help="udbetalingerne: udbetalt beløb"),
            DATE.but(help="dato for udgivelsen (standard: i dag)"), PASSWORD,
        ],
    ),
]  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the documentation meta-test)."""
    return build(
        COMMANDS,
        prog="pagt-xl",
        description="Validerede tabeller, fordelinger og statusrapporter for teknologipagtens pulje.",
        version=__version__,
    )


# -- entry point ---------------------------------------------------------------------------------------------
#: the arguments that name files a command reads: no output may be one of them
_INPUT_ARGUMENTS = ("paths", "overview", "budgets", "goals", "template", "grant_template", "rejection_template",
                    "stated", "config", "payments")  # fmt: skip


def _input_arguments(args: argparse.Namespace) -> list[Path | str]:
    """The files and folders the command's arguments read (and the pact, when it is a file)."""
    out: list[Path | str] = []
    for name in _INPUT_ARGUMENTS:
        value = getattr(args, name, None)
        if value is not None:
            out.extend(value if isinstance(value, list) else [value])
    pact = getattr(args, "pact", None)
    if isinstance(pact, str) and pact.endswith(".toml"):
        out.append(pact)
    return out


def _run_command(args: argparse.Namespace, con: Console) -> int:
    """Run the command with its inputs protected: ``--out`` that is an input stops it before any work,
    and no writer of the command replaces an input (:func:`pagt_xl.outputs.files.inputs_protected`)."""
    if not any(hasattr(args, name) for name in (*_INPUT_ARGUMENTS, "out")):
        return int(args.func(args, con))  # pacts, serve, demo: no input files named, nothing to guard here
    from pagt_xl.outputs.files import check_outputs, inputs_protected

    inputs = _input_arguments(args)
    check_outputs([getattr(args, "out", None)], inputs)
    with inputs_protected(inputs), _stop_signals_unwind():
        return int(args.func(args, con))


class _Stopped(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C, so that atomic writes remove their temporary file."""


def _stop(signum: int, frame: object) -> None:
    raise _Stopped(signum)


@contextlib.contextmanager
def _stop_signals_unwind() -> Iterator[None]:
    """While the block runs, SIGTERM/SIGHUP (a killed scheduled run, a closed terminal) raise :class:`_Stopped`
    in the main thread instead of ending the process on the spot; the handlers before are put back after."""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    before = {}
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None and signal.getsignal(sig) is signal.SIG_DFL:
            before[sig] = signal.signal(sig, _stop)
    try:
        yield
    finally:
        for sig, handler in before.items():
            signal.signal(sig, handler)


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point. Returns (and exits with) the exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):  # a text the console's code page lacks (a Cyrillic letter in a
        reconfigure = getattr(stream, "reconfigure", None)  # title, on cp1252) is shown as "?", never a crash
        if reconfigure is not None:
            reconfigure(errors="replace")
    con = Console()
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_INPUT
        con = Console(quiet=args.quiet, verbose=args.verbose)
        if args.logfil is not None:
            con.add_log(args.logfil)
        con.log(f"Start: pagt-xl {' '.join(redacted(argv))}", echo=False)
        code = _run_command(args, con)
        if code != EXIT_INPUT:  # the pact a command guessed, after its output; not before an exit-2 error
            con.flush_later()
    except _Stopped as exc:
        con.error("stoppet (signal); ingen halve filer efterladt", kind="")
        code = 128 + int(exc.args[0])
    except PagtError as exc:
        con.error(str(exc))
        code = EXIT_INPUT
    except KeyboardInterrupt:
        con.error("afbrudt", kind="")
        code = 130
    except BrokenPipeError:
        code = EXIT_OK
    except MemoryError:
        con.error("der var ikke hukommelse nok til kørslen; del inddata op, eller kør på en maskine med mere "
                  "hukommelse")  # fmt: skip
        code = EXIT_INPUT
    except Exception as exc:  # never a traceback for a user
        if os.environ.get("PAGT_XL_DEBUG"):
            raise
        con.error(f"{exc.__class__.__name__}: {exc} (kør med PAGT_XL_DEBUG=1 for detaljer, og rapportér fejlen)",
                  kind="uventet fejl: ")  # fmt: skip
        code = EXIT_INPUT
    con.log(f"Færdig: {con.summary + '; ' if con.summary else ''}exit-kode {code}", echo=False)
    return code


def run() -> None:
    """Entry point that exits the process."""
    sys.exit(main())
