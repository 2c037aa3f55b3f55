"""Command line: ``pagt-xl COMMAND``. Parses arguments, calls the pipeline, prints, exits.

Exit codes (a contract for scheduled scripts):
0 = no errors in the data; 1 = the data has errors; 2 = an input could not be
read or the command was misused (one clear line on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import shutil
import sys
import textwrap
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pagt_xl import __version__
from pagt_xl.base.errors import PagtError, UsageError
from pagt_xl.base.names import KEY_LABELS, KEYS, available_pacts

if TYPE_CHECKING:  # the data, model (pydantic) and Word libraries load only in the commands that use them
    from pagt_xl.base.config import Pact
    from pagt_xl.base.model import Issue
    from pagt_xl.core.breakdown import YearTable
    from pagt_xl.core.results import Breakdowns, JobResult
    from pagt_xl.core.tables import Validation
    from pagt_xl.pipeline import JobSpec

EXIT_OK, EXIT_DATA, EXIT_INPUT = 0, 1, 2
ISSUE_FIELDS = ("file", "sheet", "cell", "row", "column", "code", "severity", "message", "value", "description")

#: The shipped sample workbooks, relative to the repository root, with their pact.
SAMPLES: tuple[tuple[str, str], ...] = (
    ("nordjylland", "nordjylland_ansoegninger_2019-2023.xlsx"),
    ("midtjylland", "midtjylland_projekter_2018.xlsx"),
)


def load_pact(name: str) -> Pact:
    """:func:`pagt_xl.base.config.load_pact`, imported when a command needs a pact (pydantic loads then)."""
    from pagt_xl.base.config import load_pact as load

    return load(name)


def format_amount(value: int) -> str:
    """:func:`pagt_xl.base.danish.format_amount` (imported at the first call)."""
    from pagt_xl.base.danish import format_amount as fmt

    return fmt(value)


class _Parser(argparse.ArgumentParser):
    """argparse with Danish, one-line usage errors and exit code 2.

    ``epilog_factory``: called for the epilog when help is shown, so that a
    command's help may list what is costly to import (the server settings).
    """

    def __init__(self, *args: Any, epilog_factory: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.epilog_factory = epilog_factory

    def format_help(self) -> str:
        if self.epilog_factory is not None and self.epilog is None:
            self.epilog = self.epilog_factory()
        return super().format_help()

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (se '{self.prog} --help')")


def _server_settings_help() -> str:
    from pagt_xl.xl.settings import ServerSettings  # pydantic: only for ``serve --help``

    return ServerSettings.help_text()


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used by the documentation meta-test)."""
    parser = _Parser(
        prog="pagt-xl",
        description="Validerede tabeller, fordelinger og statusrapporter for teknologipagtens pulje.",
    )
    parser.add_argument("--version", action="version", version=f"pagt-xl {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=_Parser)
    for add in (
        _add_validate_command,
        _add_breakdown_command,
        _add_report_command,
        _add_budgets_command,
        _add_template_vars_command,
        _add_memo_command,
        _add_letters_command,
        _add_run_command,
        _add_serve_command,
        _add_pacts_command,
        _add_demo_command,
        _add_maal_command,
        _add_payments_command,
        _add_export_command,
    ):
        add(sub)
    return parser


def _add_validate_command(sub: Any) -> None:
    p = sub.add_parser(
        "validate",
        help="læs ansøgningsoversigter og vis alt, der er galt (med fil, ark og celle)",
        description="Læser en eller flere projektmapper (.xlsx/.xlsm) og validerer dem mod pagtens regler. "
        "Exit-kode 0: ingen fejl, 1: data har fejl, 2: en fil kan ikke læses eller kommandoen er brugt forkert.",
    )
    p.add_argument("paths", nargs="+", metavar="FIL", help="projektmapper (én pr. år er fint)")
    _add_pact(p)
    _add_password(p)
    p.add_argument("--format", choices=("text", "json", "csv"), default="text", help="uddataformat (standard: text)")
    p.add_argument("--quiet", "-q", action="store_true", help="vis kun fejl og advarsler, ikke info (text)")
    p.set_defaults(func=cmd_validate)


def _add_breakdown_command(sub: Any) -> None:
    p = sub.add_parser(
        "breakdown",
        help="fordelinger af tilsagn (år, runde, tema, type, ansøger ...) med kontrol",
        description="Beregner antal projekter, støttebeløb og andele fordelt på en eller to nøgler ud fra "
        "rækkerne uden fejl. --format xlsx skriver hele fordelingsprojektmappen (alle fordelinger, Kontrol, Fejl). "
        "Exit-koder som validate.",
    )
    p.add_argument("paths", nargs="+", metavar="FIL", help="projektmapper")
    _add_pact(p)
    _add_password(p)
    p.add_argument(
        "--by", action="append", choices=KEYS, metavar="NØGLE", help=f"fordel på (op til to gange): {', '.join(KEYS)}"
    )
    p.add_argument("--year", type=int, metavar="ÅR", help="kun ét år")
    p.add_argument("--format", choices=("table", "json", "csv", "xlsx"), default="table", help="uddataformat")
    p.add_argument("--out", type=Path, metavar="FIL", help="skriv til fil (påkrævet for xlsx)")
    p.add_argument(
        "--stated",
        type=Path,
        metavar="FIL",
        help="TOML med tal fra en tidligere rapport ([stated] granted_total = ...), der kontrolleres",
    )
    p.set_defaults(func=cmd_breakdown)


def _add_report_command(sub: Any) -> None:
    p = sub.add_parser(
        "report",
        help="lav en Word-kladde til statusrapporten ud fra projektmapperne",
        description="Beregner nøgletal og skriver en rapportkladde (.docx) i regionens skabelon. "
        "Samme input giver samme tekst og tabeller. Exit-koder som validate (1: data har fejl; kladden skrives "
        "alligevel ud fra rækkerne uden fejl og siger det).",
    )
    p.add_argument("paths", nargs="+", metavar="FIL", help="projektmapper")
    _add_pact(p)
    _add_password(p)
    p.add_argument(
        "--template",
        type=Path,
        metavar="FIL",
        help="Word-skabelon (standard: den medfølgende, pagt_xl/templates/statusrapport.docx)",
    )
    when = p.add_mutually_exclusive_group()
    when.add_argument("--year", type=int, metavar="ÅR", help="kun ét år")
    when.add_argument("--period", metavar="FRA-TIL", help="periode, fx 2019-2023 (standard: alle år i data)")
    p.add_argument(
        "--date", metavar="ÅÅÅÅ-MM-DD", help="dato på kladden (standard: i dag, eller SOURCE_DATE_EPOCH når sat)"
    )
    p.add_argument("--out", type=Path, required=True, metavar="FIL.docx", help="rapportkladden der skrives")
    p.add_argument(
        "--budgets", nargs="+", type=Path, metavar="FIL/MAPPE", help="budgetskemaer: risiko for underforbrug vises"
    )
    p.add_argument(
        "--as-of",
        metavar="ÅÅÅÅ-MM-DD",
        help="dato for vurdering af underforbrug, trykt i kladden (standard: periodens sidste dag eller i dag, "
        "hvis den er tidligere)",
    )
    p.add_argument("--goals", nargs="+", type=Path, metavar="FIL", help="målopfølgning: kapitlet Målopfølgning")
    _add_pdf(p)
    p.add_argument("--payments", nargs="+", type=Path, metavar="FIL",
                   help="udbetalingerne (arket Udbetalinger): afsnittet Udbetalt og tilbageført")  # fmt: skip
    p.set_defaults(func=cmd_report)


def _add_budgets_command(sub: Any) -> None:
    p = sub.add_parser(
        "budgets",
        help="læs ansøgernes budgetskemaer (filer eller mapper), kontrollér og saml dem",
        description="Læser budgetskemaer (pagt_xl/templates/budgetskema.xlsx udfyldt af ansøgerne), også med forskudt "
        "layout, og kontrollerer summer, driftsudgifter, medfinansiering, forbrug og risiko for underforbrug. "
        "En dårlig fil stopper ikke de andre. Exit-kode 0: ingen fejl, 1: budgetterne har fejl, 2: mindst én fil "
        "kunne ikke læses som budget (de andre er stadig samlet og vist).",
    )
    p.add_argument("paths", nargs="+", metavar="FIL/MAPPE", help="budgetfiler eller mapper med budgetfiler")
    _add_pact(p)
    p.add_argument("--overview", nargs="+", type=Path, metavar="FIL", help="ansøgningsoversigt(er) at sammenholde med")
    p.add_argument("--as-of", metavar="ÅÅÅÅ-MM-DD", help="dato for vurdering af underforbrug (standard: i dag)")
    p.add_argument("--format", choices=("table", "json", "csv", "xlsx"), default="table", help="uddataformat")
    p.add_argument("--out", type=Path, metavar="FIL", help="skriv til fil (påkrævet for xlsx)")
    p.set_defaults(func=cmd_budgets)


def _add_template_vars_command(sub: Any) -> None:
    p = sub.add_parser(
        "template-vars",
        help="vis de variabler, en rapportskabelon kan bruge",
        description="Viser variablerne i rapportens kontekst med en kort beskrivelse, så skabelonen kan rettes "
        "sikkert i Word. Med --template kontrolleres en skabelon: exit 1 hvis den bruger ukendte variabler.",
    )
    p.add_argument("--template", type=Path, metavar="FIL", help="kontrollér denne skabelon")
    p.add_argument(
        "--kind",
        choices=("statusrapport", "indstilling", "brev"),
        default="statusrapport",
        help="hvilken skabelon: statusrapport (standard), indstilling (indstillingsnotatet) eller brev "
        "(tilsagns- og afslagsbrevene)",
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="uddataformat")
    p.set_defaults(func=cmd_template_vars)


def _add_memo_command(sub: Any) -> None:
    p = sub.add_parser(
        "indstilling",
        help="lav en Word-kladde til indstillingsnotatet for en ansøgningsrunde",
        description="Læser rundens ansøgninger med vurdering (score pr. kriterium, Indstilling, Indstillet beløb, "
        "Begrundelse) og skriver indstillingsnotatet (.docx): ramme og restramme, modtagne ansøgninger, "
        "indstillede og ikke indstillede, årets særlige tema, et forslag efter vægtet score og kontrollerne før "
        "underskrift i et bilag. Exit-kode 0: alle kontroller bestået, 1: data eller kontroller har fejl (notatet "
        "skrives alligevel og viser dem), 2: en fil kan ikke læses eller kommandoen er brugt forkert.",
    )
    p.add_argument("paths", nargs="+", metavar="FIL", help="projektmapper med rundens ansøgninger og rammen")
    _add_pact(p)
    _add_password(p)
    p.add_argument("--year", type=int, required=True, metavar="ÅR", help="ansøgningsrundens år")
    p.add_argument("--round", metavar="RUNDE", help="kun én runde (fx aaben eller 'Åben runde'); standard: alle")
    p.add_argument("--out", type=Path, required=True, metavar="FIL.docx", help="notatkladden der skrives")
    p.add_argument(
        "--template", type=Path, metavar="FIL", help="Word-skabelon (standard: templates/indstillingsnotat.docx)"
    )
    p.add_argument("--budgets", nargs="+", type=Path, metavar="FIL/MAPPE", help="ansøgernes budgetskemaer (kontrol)")
    p.add_argument("--payments", nargs="+", type=Path, metavar="FIL",
                   help="udbetalingerne: årets tilbageførte midler lægges til restrammen")  # fmt: skip
    p.add_argument("--date", metavar="ÅÅÅÅ-MM-DD", help="dato på notatet (standard: i dag)")
    p.add_argument("--sagsnr", metavar="SAGSNR", help="notatets sagsnummer (uden: en skriveprompt i notatet)")
    _add_pdf(p)
    p.set_defaults(func=cmd_memo)


def _add_letters_command(sub: Any) -> None:
    p = sub.add_parser(
        "breve",
        help="lav tilsagns- og afslagsbreve (Word) efter Regionsrådets beslutning",
        description="Skriver ét brev pr. ansøgning med afgørelse (Tilsagn eller Afslag) i oversigten, navngivet "
        "efter sagsnummeret: afgørelsen, beløbet i tal og ord, lovgrundlag, begrundelse (ved afslag og delvist "
        "tilsagn), klagevejledning, vilkår, afrapportering, udbetaling, frist for accept og kontaktperson; "
        "teksterne kommer fra pagten, og en manglende tekst er en gul skriveprompt (brevet er da en KLADDE). "
        "Et afslag eller delvist tilsagn uden begrundelse dannes ikke (uden --udkast). Eksisterende filer "
        "overskrives ikke (de vises som sprunget over) uden --overwrite. Exit-kode 0: alle breve skrevet eller "
        "sprunget over, 1: data har fejl eller et brev kunne ikke dannes, 2: en fil kan ikke læses.",
    )
    p.add_argument("paths", nargs="+", metavar="FIL", help="projektmapper med afgørelserne")
    _add_pact(p)
    _add_password(p)
    p.add_argument("--year", type=int, required=True, metavar="ÅR", help="ansøgningsrundens år")
    p.add_argument("--round", metavar="RUNDE", help="kun én runde; standard: alle")
    p.add_argument("--out", type=Path, required=True, metavar="MAPPE", help="mappe til brevene (oprettes)")
    p.add_argument("--grant-template", type=Path, metavar="FIL", help="skabelon til tilsagn (brev_tilsagn.docx)")
    p.add_argument("--rejection-template", type=Path, metavar="FIL", help="skabelon til afslag (brev_afslag.docx)")
    p.add_argument("--date", metavar="ÅÅÅÅ-MM-DD", help="dato på brevene (standard: i dag)")
    p.add_argument(
        "--udkast",
        action="store_true",
        help="dan også afslag og delvise tilsagn uden begrundelse, som KLADDE med en skriveprompt (de kan ikke sendes)",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="erstat et eksisterende brev med et nyt (det gamle gemmes som en kopi med dato og tid i navnet)",
    )
    _add_pdf(p)
    p.set_defaults(func=cmd_letters)


def _add_run_command(sub: Any) -> None:
    p = sub.add_parser(
        "run",
        help="planlagt kørsel: rapportkladde, fordelinger, fejlliste og log med dato i navnet",
        description="Kører jobbet i en kørselsfil (TOML: pact, inputs, outputs, ...). Til cron og Windows "
        "Opgavestyring. Overskriver aldrig en fil, der er åben i Word eller Excel. Exit-koder som validate.",
    )
    p.add_argument("config", type=Path, metavar="KØRSEL.toml", help="kørselsfilen")
    p.add_argument("--date", metavar="ÅÅÅÅ-MM-DD", help="dato i filnavne og på kladden (standard: i dag)")
    p.set_defaults(func=cmd_run)


def _add_serve_command(sub: Any) -> None:
    from pagt_xl.xl.serve import add_arguments  # no xlwings, no pydantic: only the options

    p = sub.add_parser(
        "serve",
        help="start Excel-tilføjelsesprogrammets server (xlwings Server) til Excel på nettet og skrivebordet",
        description="Starter xlwings Server med pagt_xl's celle-funktioner (PAGT.FORDELING ...) og knapper "
        '(Valider, Beregn fordelinger, Lav statusrapport). Kræver pip install "pagt_xl[server]" og '
        "XLWINGS_LICENSE_KEY (fx noncommercial for offentlige institutioner). "
        "HTTPS med --certfile og --keyfile; det er samme app som uvicorn pagt_xl.xl.asgi:app. "
        "Uden nøgle, eller med en ugyldig indstilling: exit-kode 2.",
        epilog_factory=_server_settings_help,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_arguments(p)
    p.set_defaults(func=cmd_serve)


def _add_pacts_command(sub: Any) -> None:
    p = sub.add_parser(
        "pacts", help="vis de pagter, der kan vælges med --pact", description="Viser de medfølgende pagter."
    )
    p.add_argument("--format", choices=("text", "json"), default="text", help="uddataformat")
    p.set_defaults(func=cmd_pacts)


def _add_demo_command(sub: Any) -> None:
    p = sub.add_parser(
        "demo",
        help="kør hovedopgaven på de medfølgende eksempelprojektmapper",
        description="Validerer eksempelprojektmapperne i workbooks/, viser årstabel og fejl og skriver "
        "fordelingsprojektmapper og rapportkladder til out/, og for ansøgningsrunden 2024 indstillingsnotatet "
        "og tilsagns- og afslagsbrevene.",
    )
    p.add_argument("--workbooks", type=Path, default=None, help="mappe med eksempelprojektmapper")
    p.add_argument("--out-dir", type=Path, default=Path("out"), help="mappe til resultater (standard: out/)")
    p.set_defaults(func=cmd_demo)


def _add_pdf(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--pdf",
        action="store_true",
        help="gem også en PDF ved siden af hver .docx: tagget (tilgængelig), med sprog og indholdsfortegnelse med "
        "sidetal, til Digital Post og nettet (kræver LibreOffice)",
    )


def _pdf_first(args: argparse.Namespace) -> None:
    """With --pdf: refuse (Danish, exit 2) before any work when LibreOffice is not installed."""
    if getattr(args, "pdf", False):
        from pagt_xl.report.pdf import require_pdf

        require_pdf()


def _write_pdfs(paths: list[Path]) -> None:
    from pagt_xl.report.pdf import export_pdfs

    for pdf in export_pdfs(paths):
        print(f"PDF skrevet: {pdf}")


def _add_password(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--password",
        metavar="ADGANGSKODE",
        default=os.environ.get("PAGT_XL_PASSWORD"),
        help="adgangskode til beskyttede projektmapper (eller PAGT_XL_PASSWORD); filen dekrypteres kun midlertidigt",
    )


def _add_pact(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--pact",
        default=os.environ.get("PAGT_XL_PACT") or None,
        metavar="NAVN|FIL",
        help=f"pagt: et navn ({', '.join(available_pacts())}) eller stien til en .toml-fil "
        "(standard: $PAGT_XL_PACT, ellers den pagt filens indsatsområder og overskrifter peger på, "
        "ellers nordjylland)",
    )
    p.add_argument(
        "--skjulte-ark",
        "--hidden-sheets",
        dest="hidden_sheets",
        action="store_true",
        help="læs også skjulte ark (standard: de springes over og nævnes; pagtens [overview] read_hidden_sheets)",
    )


#: the line naming a chosen pact, printed by :func:`main` once the command has run (not before an exit-2 error)
_PACT_NOTES: list[str] = []


def _pact(args: argparse.Namespace, paths: Sequence[Path | str]) -> Pact:
    """The run's pact: ``--pact``, else the one the workbooks point to, else the default (a line on stderr says
    which, after the command's output, unless it stops with exit 2); ``--skjulte-ark`` makes it read hidden sheets."""
    from pagt_xl.ingest.grid import isolated_reads
    from pagt_xl.pipeline import choose_pact

    with isolated_reads(len(paths) > 1):  # several files: each is opened in a child, as validate reads them
        choice = choose_pact(args.pact, list(paths))
    if choice.note:
        _PACT_NOTES.append(choice.note)
    return choice.pact.with_hidden_sheets() if args.hidden_sheets else choice.pact


def _warn_empty_period(issues: list[Issue]) -> bool:
    """Print each ``empty_period`` warning on stderr; whether there was one (the command then exits 1)."""
    found = [i for i in issues if i.code == "empty_period"]
    for issue in found:
        print(f"pagt-xl: advarsel: {issue.message}", file=sys.stderr)
    return bool(found)


def _report_fatal(fatal: list[Issue]) -> int:
    """Print each input that could not be read as one line on stderr; the exit code for it."""
    for issue in fatal:
        print(f"pagt-xl: fejl: {issue.message}", file=sys.stderr)
    return EXIT_INPUT


# -- validate ------------------------------------------------------------------
def cmd_validate(args: argparse.Namespace) -> int:
    """``pagt-xl validate``."""
    from pagt_xl.outputs.files import issues_csv
    from pagt_xl.pipeline import run_validation

    pact = _pact(args, args.paths)
    # several files: each read in a child process, so that one the reader aborts on is only that file's error
    result = run_validation(list(args.paths), pact, password=args.password, isolate=len(args.paths) > 1)
    if result.fatal:
        return _report_fatal(result.fatal)
    out = sys.stdout
    if args.format == "json":
        json.dump(validation_json(result), out, ensure_ascii=False, indent=2)
        out.write("\n")
    elif args.format == "csv":
        out.write(issues_csv(result.issues))
    else:
        out.write(issues_text(result.issues, quiet=args.quiet))
        out.write(summary_text(result))
    return EXIT_DATA if result.has_errors else EXIT_OK


def validation_json(result: Validation) -> dict[str, object]:
    """The JSON document of ``validate --format json``."""
    from pagt_xl.base.model import Severity
    from pagt_xl.outputs.files import issue_record

    figures = result.figures  # the counted rows, as every other output counts them
    return {
        "pact": result.pact.key,
        "files": result.overview.files,
        "applications": figures.applications,
        "granted_applications": figures.granted_projects,
        "granted_total": figures.granted_total,
        "rows_with_errors": figures.excluded_rows,
        "framework_years": {str(f.year): f.amount for f in result.overview.frameworks},
        "summary": {s.value: result.count(s) for s in Severity},
        "issues": [issue_record(i) for i in result.issues],
    }


def issues_text(issues: list[Issue], *, quiet: bool = False) -> str:
    """A readable table of issues, one block per file."""
    from pagt_xl.base.danish import SEVERITY_LABELS  # the severity words, in capitals here ("FEJL")

    shown = [i for i in issues if not (quiet and i.severity == "info")]
    if not shown:
        return "Ingen fejl eller advarsler fundet.\n"
    width = shutil.get_terminal_size((120, 20)).columns
    lines: list[str] = []
    current: tuple[str | None, str | None] | None = None
    for issue in shown:
        if (issue.file, issue.sheet) != current:
            current = (issue.file, issue.sheet)
            lines.append("")
            lines.append(f"{issue.file}" + (f" › {issue.sheet}" if issue.sheet else ""))
        where = issue.cell or (f"række {issue.row}" if issue.row else "hele filen" if not issue.sheet else "hele arket")
        head = f"  {SEVERITY_LABELS[issue.severity].upper():<8} {where:<10} "
        text = issue.message + (f"  [værdi: {issue.value}]" if issue.value not in (None, "") else "")
        text += f"  ({issue.code.value})"
        wrapped = textwrap.wrap(text, max(40, width - len(head))) or [""]
        lines.append(head + wrapped[0])
        lines.extend(" " * len(head) + w for w in wrapped[1:])
    return "\n".join(lines) + "\n"


def summary_text(result: Validation, *, exit_hint: bool = True) -> str:
    """Short Danish summary under the issues table: the rows read, and the grants of the rows counted."""
    from pagt_xl.base.danish import format_millions
    from pagt_xl.base.model import Severity

    figures = result.figures
    total = figures.granted_total
    left_out = f"; {figures.excluded_rows} række(r) med fejl indgår ikke" if figures.excluded_rows else ""
    errs, warns, infos = (result.count(s) for s in Severity)
    lines = [
        "",
        f"{result.pact.name}: {len(result.table)} ansøgninger læst fra {len(result.overview.files)} fil(er); "
        f"{figures.granted_projects} med tilsagn for i alt {format_amount(total)} "
        f"({format_millions(total)}){left_out}.",
        f"Fundet: {errs} fejl, {warns} advarsler, {infos} info. "
        + ("Data har fejl" + (" (exit-kode 1)." if exit_hint else ".") if errs else "Ingen fejl."),
    ]
    return "\n".join(lines) + "\n"


# -- breakdown -----------------------------------------------------------------
def _load_stated(path: Path | None) -> dict[str, int] | None:
    if path is None:
        return None
    import tomllib

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise UsageError(f"{path}: kan ikke læses som TOML ({exc})") from None
    table = data.get("stated", data)
    out: dict[str, int] = {}

    def walk(prefix: str, value: object) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                walk(f"{prefix}.{k}" if prefix else str(k), v)
        elif isinstance(value, int) and not isinstance(value, bool):
            out[prefix] = value
        else:
            raise UsageError(f"{path}: '{prefix}' skal være et helt tal (kr. eller antal)")

    walk("", table)
    return out


def breakdown_json(result: Breakdowns, by: list[str]) -> dict[str, object]:
    """The JSON document of ``breakdown --format json``."""
    from pagt_xl.core.breakdown import breakdown_by

    b = result.breakdowns.get(by[0]) if len(by) == 1 and by[0] in result.breakdowns else None
    if b is None:
        b = breakdown_by(result.figures, result.validation.pact, by)
    rows = [dict(r) for r in b.rows]
    total = dict(b.total)
    if by == ["year"]:
        years = {r["year"]: r for r in result.years.rows}
        for r in rows:
            extra = years.get(r["year"], {})
            r.update({k: v for k, v in extra.items() if k not in ("year", "granted")})
        total.update({k: v for k, v in result.years.total.items() if k not in ("year", "granted")})
    return {
        "pact": result.validation.pact.key,
        "by": by,
        "year": result.year,
        "rows": rows,
        "total": total,
        "excluded_rows": b.excluded_rows,
        "extremes": result.extremes,
        "checks": [c.as_dict() for c in result.checks],
    }


def cmd_breakdown(args: argparse.Namespace) -> int:
    """``pagt-xl breakdown``."""
    by = list(args.by or [])
    if len(by) > 2:
        raise UsageError("--by kan højst gives to gange")
    if not by and args.format != "xlsx":
        raise UsageError(f"angiv --by NØGLE ({', '.join(KEYS)})")
    if args.format == "xlsx" and args.out is None:
        raise UsageError("--format xlsx kræver --out FIL.xlsx")
    from pagt_xl.pipeline import JobOutputs, JobSpec

    spec = JobSpec(
        pact=_pact(args, args.paths),
        inputs=list(args.paths),
        password=args.password,
        period=(args.year, args.year) if args.year is not None else None,
        stated=_load_stated(args.stated),
        stated_source=str(args.stated or ""),
        outputs=JobOutputs(breakdown_workbook=args.out if args.format == "xlsx" else None),
        breakdown_keys=tuple(by) if len(by) == 1 else (),  # two keys: crossed in breakdown_json
    )
    job = _run_job(spec)
    validation, result = job.validation, job.breakdowns
    if validation.fatal:
        return _report_fatal(validation.fatal)
    assert result is not None
    doc = breakdown_json(result, by) if by else None
    if validation.excluded_rows:
        print(
            f"pagt-xl: {validation.excluded_rows} række(r) med fejl er udeladt af fordelingerne; se 'pagt-xl validate'",
            file=sys.stderr,
        )
    if args.format == "xlsx":
        print(f"Fordelinger skrevet til {args.out}")
    else:
        assert doc is not None
        text = _render_breakdown(doc, args.format, by)
        if args.format == "table" and by == ["year"]:
            text = year_table_text(result.years) + "\n\n" + text.split("\n\n", 1)[-1]
        _emit(text, args.out)
    empty = _warn_empty_period(job.notes)
    return EXIT_DATA if validation.has_errors or empty else EXIT_OK


def _render_breakdown(doc: dict[str, Any], fmt: str, by: list[str]) -> str:
    rows: list[dict[str, Any]] = doc["rows"]
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n"
    cols = list(rows[0].keys()) if rows else [*by, "projects", "granted", "share"]
    if fmt == "csv":
        from pagt_xl.outputs.files import write_csv

        return write_csv(rows, cols)
    headers = [KEY_LABELS[k] for k in by] + ["Projekter", "Støttebeløb", "Andel"]
    body = [
        [str(r[k]) for k in by] + [str(r["projects"]), format_amount(r["granted"]), f"{r['percent']} %"] for r in rows
    ]
    total = doc["total"]
    body.append(
        ["I alt"]
        + [""] * (len(by) - 1)
        + [str(total["projects"]), format_amount(total["granted"]), f"{total.get('percent', 100)} %"]
    )
    widths = [min(60, max(len(h), *(len(b[i]) for b in body))) for i, h in enumerate(headers)]
    lines = [
        "  ".join(
            h.ljust(w) if i < len(by) else h.rjust(w) for i, (h, w) in enumerate(zip(headers, widths, strict=True))
        )
    ]
    lines.append("  ".join("-" * w for w in widths))
    for b in body:
        lines.append(
            "  ".join(
                c[:w].ljust(w) if i < len(by) else c.rjust(w) for i, (c, w) in enumerate(zip(b, widths, strict=True))
            )
        )
    bad = [c for c in doc["checks"] if c["result"] != "OK"]
    lines.append("")
    lines.append(f"Kontrol: {len(doc['checks']) - len(bad)} OK, {len(bad)} afviger.")
    lines.extend(
        f"  AFVIGER: {c['name']}: forventet {c['expected']}, beregnet {c['actual']} ({c['source']})" for c in bad
    )
    return "\n".join(lines) + "\n"


# -- report ----------------------------------------------------------------------
def _report_date(text: str | None) -> dt.date:
    if text:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise UsageError(f"ugyldig dato '{text}'; skriv fx 2024-02-15") from None
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).date()
    return dt.date.today()


def cmd_report(args: argparse.Namespace) -> int:
    """``pagt-xl report``: an adapter over :func:`pagt_xl.pipeline.run_job` writing only the draft."""
    from pagt_xl.pipeline import JobOutputs, JobSpec

    if args.out.suffix.lower() != ".docx":
        raise UsageError("--out skal være en .docx-fil")
    _pdf_first(args)
    report_date = _report_date(args.date)
    period = (args.year, args.year) if args.year is not None else _year_range(args.period)
    spec = JobSpec(
        pact=_pact(args, args.paths),
        inputs=list(args.paths),
        password=args.password,
        period=period,
        budgets=list(args.budgets or []),
        goals=list(args.goals or []),
        payments=list(args.payments or []),
        report_date=report_date,
        as_of=_report_date(args.as_of) if args.as_of else None,
        template=args.template,
        outputs=JobOutputs(report=args.out),
    )
    result = _run_job(spec)
    if result.validation.fatal:
        return _report_fatal(result.validation.fatal)
    if result.validation.excluded_rows:
        print(
            f"pagt-xl: {result.validation.excluded_rows} række(r) med fejl indgår ikke i rapporten; "
            "se 'pagt-xl validate'",
            file=sys.stderr,
        )
    if result.goals is not None and result.goals.fatal:
        return _report_fatal(result.goals.fatal)
    if result.goals is not None and result.goals.has_errors:
        print("pagt-xl: målopfølgningen har fejl; se 'pagt-xl maal'", file=sys.stderr)
    if result.ledger is not None and result.ledger.fatal:
        return _report_fatal(result.ledger.fatal)
    if result.ledger is not None and result.ledger.has_errors:
        print("pagt-xl: udbetalingerne har fejl; se 'pagt-xl udbetalinger'", file=sys.stderr)
    for issue in result.template_issues:  # macros, an outside template, DDE fields: taken out of the draft
        print(f"pagt-xl: advarsel: {issue.file}: {issue.message}", file=sys.stderr)
    print(f"Rapportkladde skrevet: {args.out}")
    if args.pdf:
        _write_pdfs([args.out])
    goal_errors = result.goals is not None and result.goals.has_errors
    ledger_errors = result.ledger is not None and result.ledger.has_errors
    empty = _warn_empty_period(result.notes)
    return EXIT_DATA if result.validation.has_errors or goal_errors or ledger_errors or empty else EXIT_OK


def _year_range(text: str | None) -> tuple[int, int] | None:
    """``--period`` as (first, last); ``None`` when not given."""
    if not text:
        return None
    from pagt_xl.base.danish import parse_year_range

    return parse_year_range(text)


def _run_job(spec: JobSpec, progress: Any = None) -> JobResult:
    """:func:`~pagt_xl.pipeline.run_job` (a bad period is a :class:`~pagt_xl.base.errors.RequestError`: exit 2)."""
    from pagt_xl.pipeline import run_job

    return run_job(spec, progress)


def cmd_budgets(args: argparse.Namespace) -> int:
    """``pagt-xl budgets``."""
    from pagt_xl.core.budget import budget_table
    from pagt_xl.outputs.files import issue_record
    from pagt_xl.outputs.workbooks import BUDGET_STATUS, budget_statuses, write_budget_workbook
    from pagt_xl.pipeline import review_budgets, run_validation

    if args.format == "xlsx" and args.out is None:
        raise UsageError("--format xlsx kræver --out FIL.xlsx")
    as_of = _report_date(args.as_of)
    pact = _pact(args, args.overview or [])
    overview = None
    if args.overview:
        validation = run_validation(list(args.overview), pact)
        if validation.fatal:
            return _report_fatal(validation.fatal)
        overview = validation.table
    bar = _Progress(total=1, log=None)

    def progress(done: int, total: int, path: Path) -> None:
        if total > 1:
            bar.draw(done, total, path.name)

    review = review_budgets(list(args.paths), pact, overview, as_of=as_of, progress=progress)
    bar.finish()
    for issue in review.fatal:
        print(f"pagt-xl: fejl: {issue.message}", file=sys.stderr)
    table = budget_table(review.records)
    statuses, unreadable = budget_statuses(review.records, review.issues)
    table.insert(1, "status", statuses)
    unread = [{"file": f, "status": BUDGET_STATUS["unreadable"]} for f in unreadable]
    if args.format == "xlsx":
        write_budget_workbook(review.records, review.issues, args.out, pact=pact)
        print(f"Budgetter skrevet til {args.out}")
    elif args.format == "json":
        doc = {
            "files": review.files,
            "budgets": json.loads(table.to_json(orient="records", date_format="iso", force_ascii=False)),
            "unreadable": unread,
            "issues": [issue_record(i) for i in review.issues],
        }
        _emit(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", args.out)
    elif args.format == "csv":
        from pagt_xl.outputs.files import write_csv

        _emit(write_csv([*table.to_dict(orient="records"), *unread], list(table.columns)), args.out)
    else:
        _emit(_budgets_text(review, table, unread), args.out)
    if review.fatal:
        return EXIT_INPUT
    return EXIT_DATA if review.has_errors else EXIT_OK


def _budgets_text(review: Any, table: Any, unread: list[dict[str, str]]) -> str:
    """``budgets --format table``: one line per budget with its status, the unreadable files, the issues and a count.

    A blank amount is "-"; a file that could not be read is its own line, "Kan ikke læses", never "-".
    """

    import pandas as pd

    def kr(v: Any) -> str:
        return "-" if pd.isna(v) else format_amount(int(v))

    lines = [f"{'Status':<15} {'Sagsnr.':<9} {'Udgifter i alt':>16} {'Ansøgt':>14} {'Bevilget':>14} "
             f"{'Forbrugt':>14}  Projekt"] if len(table) else []  # fmt: skip
    for r in table.itertuples(index=False):
        lines.append(f"{r.status:<15} {(r.case_id or '-'):<9} {kr(r.total_cost):>16} {kr(r.sought):>14} "
                     f"{kr(r.granted):>14} {kr(r.spent):>14}  {r.title or ''}")  # fmt: skip
    for u in unread if len(table) else []:  # no budget read: no table, the errors say why (stderr and below)
        lines.append(f"{u['status']:<15} {'':<9} {'':>16} {'':>14} {'':>14} {'':>14}  {Path(u['file']).name}")
    if len(table):
        cost, sought, granted, spent = (kr(table[c].sum()) for c in ("total_cost", "sought", "granted", "spent"))
        lines.append(f"{'I alt':<15} {'':<9} {cost:>16} {sought:>14} {granted:>14} {spent:>14}  "
                     f"{len(table)} budgetter")  # fmt: skip
    if lines:
        lines.append("")
    lines.append(issues_text(review.issues).rstrip("\n"))
    errors, warnings = (sum(1 for i in review.issues if i.severity == s) for s in ("error", "warning"))
    lines.append(f"{len(review.records)} budgetter læst af {len(review.files)} fil(er): {errors} fejl, "
                 f"{warnings} advarsler.")  # fmt: skip
    return "\n".join(lines) + "\n"


def _emit(text: str, out: Path | None) -> None:
    """Write ``text`` to ``out`` atomically, or to stdout when no file is given."""
    if out:
        from pagt_xl.outputs.files import atomic_write

        atomic_write(out, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    else:
        sys.stdout.write(text)


def cmd_template_vars(args: argparse.Namespace) -> int:
    """``pagt-xl template-vars``: the variables, and with --template the template checked (exit 2 on a fault)."""
    from pagt_xl.report import nested_variables, template_variables, used_variables
    from pagt_xl.report.render import TemplateProblem, check_template

    if args.kind == "statusrapport":
        variables = template_variables()
        nested = nested_variables()
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
        doc = {
            "variables": [
                {"name": k, "description": v, "fields": nested.get(k, {}), **({"used": k in used} if used else {})}
                for k, v in variables.items()
            ],
            "unknown": unknown,
            **({"fault": str(problem)} if problem else {}),
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
    else:
        width = max(len(k) for k in variables) + 2
        for name, text in variables.items():
            mark = "" if used is None else ("* " if name in used else "  ")
            print(f"{mark}{name:<{width}}{text}")
            for sub_name, sub_text in nested.get(name, {}).items():
                print(f"{'' if used is None else '  '}    .{sub_name:<{width - 1}}{sub_text}")
        if used is not None:
            print(f"\n* = bruges i {args.template}")
            if problem is None:
                print("Skabelonen bruger kun kendte variabler.")
    if problem is not None:
        raise problem
    return EXIT_OK


# -- the application round (issue 16) -------------------------------------------------------------------
def cmd_memo(args: argparse.Namespace) -> int:
    """``pagt-xl indstilling``: the recommendation memo of a round."""
    if args.out.suffix.lower() != ".docx":
        raise UsageError("--out skal være en .docx-fil")
    _pdf_first(args)
    from pagt_xl.pipeline import run_memo

    pact = _pact(args, args.paths)
    job = run_memo(
        pact, args.year, inputs=list(args.paths), round_name=args.round, out=args.out, template=args.template,
        budgets=list(args.budgets or []), report_date=_report_date(args.date), password=args.password,
        case_number=args.sagsnr,
        payments=list(args.payments or []),
    )  # fmt: skip
    if job.validation.fatal:
        return _report_fatal(job.validation.fatal)
    if job.ledger is not None and job.ledger.fatal:
        return _report_fatal(job.ledger.fatal)
    assert job.round is not None
    print(memo_text(job))
    if job.issues:
        print(issues_text(job.issues).rstrip("\n"))
    print(f"\nIndstillingsnotat skrevet: {args.out}")
    if args.pdf:
        _write_pdfs([args.out])
    empty = _warn_empty_period(job.notes)
    return EXIT_DATA if job.has_errors or empty else EXIT_OK


def memo_text(job: Any) -> str:
    """The memo's key figures for the terminal (Danish)."""
    r = job.round
    lines = [f"{r.pact.name}: ansøgningsrunden {r.year}" + (f" ({r.pact.round(r.round).name})" if r.round else "")]
    lines.append(f"  Ansøgninger: {len(r.applications)}, ansøgt i alt {format_amount(r.applied_total)}")
    if r.framework is not None:
        back = f", tilbageført {format_amount(r.returned)}" if r.returned else ""
        lines.append(f"  Ramme {format_amount(r.framework)}, allerede bevilget {format_amount(r.already_granted)}"
                     f"{back}, restramme {format_amount(r.remaining)}")  # fmt: skip
    else:
        lines.append(f"  Ingen ramme for {r.year}: restrammen kan ikke beregnes")
    lines.append(f"  Indstillet: {len(r.recommended)} ansøgninger, {format_amount(r.recommended_total)}")
    for a in r.recommended:
        by = f" v/ {a.applicant}" if a.applicant else ""
        lines.append(f"    {format_amount(a.final or 0):>15}  {a.title}{by}")
    if r.special_theme:
        lines.append(f"  Særligt tema {r.special_theme}: {r.special_count} ansøgninger")
    s = r.suggestion
    if s is not None:
        line = s.line_after
        where = f"; stregen falder efter nr. {line.rank} {line.application.title}" if line else ""
        lines.append(f"  Forslag (kun et forslag): {format_amount(s.total)} af {format_amount(s.remaining)}{where}")
        if s.partial is not None:
            lines.append(f"    delvis bevilling til nr. {s.partial.rank} {s.partial.application.title}: "
                         f"{format_amount(s.partial.amount)}")  # fmt: skip
    failing = sum(1 for i in r.issues if i.severity == "error")
    lines.append("  Kontrol: " + ("alle kontroller bestået" if not failing else f"{failing} fejl (se nedenfor)"))
    return "\n".join(lines)


def cmd_letters(args: argparse.Namespace) -> int:
    """``pagt-xl breve``: one decision letter per decided application."""
    from pagt_xl.pipeline import run_letters

    _pdf_first(args)
    pact = _pact(args, args.paths)
    job = run_letters(
        pact, args.year, args.out, inputs=list(args.paths), round_name=args.round,
        letter_date=_report_date(args.date), grant_template=args.grant_template,
        rejection_template=args.rejection_template, password=args.password, draft=args.udkast,
        overwrite=args.overwrite,
    )  # fmt: skip
    if job.validation.fatal:
        return _report_fatal(job.validation.fatal)
    print(letters_text(job.letters))
    if job.letter_issues:
        print(issues_text(job.letter_issues).rstrip("\n"))
    if args.pdf:
        _write_pdfs([Path(o.path) for o in job.letters if o.status in ("written", "replaced")])
    empty = _warn_empty_period(job.notes)
    return EXIT_DATA if job.has_errors or empty else EXIT_OK


_LETTER_STATUS = {"written": "skrevet", "replaced": "erstattet (det gamle er gemt)",
                  "skipped": "sprunget over (findes allerede)", "failed": "ikke dannet"}  # fmt: skip


def letters_text(letters: list[Any]) -> str:
    """One line per letter and a count (Danish)."""
    if not letters:
        return "Ingen ansøgninger med afgørelse (Tilsagn eller Afslag) i det valgte år og den valgte runde."
    lines = []
    for o in letters:
        status = _LETTER_STATUS[o.status] + (" som KLADDE" if o.draft else "")
        kept = f" (gammelt brev: {o.kept})" if o.kept else ""
        lines.append(f"  {o.kind:<15} {status:<42} {o.path}{kept}")
    counts = {k: sum(1 for o in letters if o.status == k) for k in _LETTER_STATUS}
    drafts = sum(1 for o in letters if o.draft)
    lines.append(f"Breve: {counts['written']} skrevet, {counts['replaced']} erstattet, {counts['skipped']} sprunget "
                 f"over (findes allerede), {counts['failed']} ikke dannet"
                 + (f"; {drafts} er KLADDE (skriveprompter, se nedenfor)." if drafts else "."))  # fmt: skip
    return "\n".join(lines)


class _Progress:
    """A one-line progress bar in a terminal; plain timestamped log lines otherwise (cron, Task Scheduler)."""

    def __init__(self, total: int, log: Path | None) -> None:
        self.total, self.done, self.log = total, 0, log
        self.tty = sys.stderr.isatty()

    def line(self, text: str) -> None:
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        if self.log is not None:
            try:
                with self.log.open("a", encoding="utf-8") as fh:
                    fh.write(f"{stamp} {text}\n")
            except OSError as exc:  # a full or read-only drive: the run goes on; its outputs say if they were written
                from pagt_xl.outputs.files import os_error_reason

                print(f"pagt-xl: loggen {self.log} kan ikke skrives ({os_error_reason(exc)}); fortsætter uden log",
                      file=sys.stderr)  # fmt: skip
                self.log = None
        if not self.tty:
            print(f"{stamp} {text}", file=sys.stderr)

    def step(self, text: str) -> None:
        self.done += 1
        self.line(text)
        self.draw(self.done, self.total, text)

    def draw(self, done: int, total: int, text: str) -> None:
        """Redraw the bar (terminal only)."""
        if self.tty:
            filled = round(20 * done / total)
            bar = "#" * filled + "-" * (20 - filled)
            print(f"\r[{bar}] {done}/{total} {text[:50]:<50}", end="", file=sys.stderr, flush=True)

    def finish(self) -> None:
        if self.tty:
            print(file=sys.stderr)


def cmd_run(args: argparse.Namespace) -> int:
    """``pagt-xl run``: a scheduled run, an adapter over :func:`pagt_xl.pipeline.run_job`."""
    from pagt_xl.cli.scheduled import load_run_config, plan_run

    today = _report_date(args.date)
    plan = plan_run(load_run_config(args.config), base=args.config.resolve().parent, today=today)
    from pagt_xl.outputs.files import check_outputs
    from pagt_xl.pipeline import job_inputs

    # the run file's inputs too, and the log: nothing of the run may write over what it reads
    check_outputs([*vars(plan.spec.outputs).values(), plan.log], [args.config, *job_inputs(plan.spec)])
    progress = _Progress(total=len(plan.spec.steps()), log=plan.log)
    progress.line(f"Start: {args.config}")
    try:
        result = _run_job(plan.spec, progress.step)
    except PagtError as exc:
        progress.finish()
        progress.line(f"Stoppet: {exc}")
        raise
    progress.finish()
    messages = [*plan.notes, *(f"fejl: {issue.message}" for issue in result.fatal)]
    for message in messages:
        progress.line(message)
        if progress.tty:
            print(f"pagt-xl: {message}", file=sys.stderr)
    for path in result.outputs.values():
        print(f"Skrevet: {path}")
    failed = result.has_errors or result.empty_period
    code = EXIT_INPUT if result.validation.fatal else (EXIT_DATA if failed else EXIT_OK)
    from pagt_xl.base.model import Severity

    errors, warnings = result.count(Severity.ERROR), result.count(Severity.WARNING)
    progress.line(f"Færdig: {errors} fejl, {warnings} advarsler, {len(result.outputs)} filer skrevet; exit-kode {code}")
    return code


def cmd_serve(args: argparse.Namespace) -> int:
    """``pagt-xl serve``."""
    from pagt_xl.xl.serve import serve

    return serve(args.host, args.port, certfile=args.certfile, keyfile=args.keyfile, workers=args.workers,
                 insecure_local=args.insecure_local)  # fmt: skip


# -- pacts ---------------------------------------------------------------------
def cmd_pacts(args: argparse.Namespace) -> int:
    """``pagt-xl pacts``."""
    pacts = [load_pact(name) for name in available_pacts()]
    if args.format == "json":
        doc = [
            {
                "key": p.key,
                "name": p.name,
                "region": p.region,
                "years": [p.first_year, p.last_year],
                "themes": [t.name for t in p.themes],
                "project_types": [t.name for t in p.project_types],
                "rounds": [r.name for r in p.rounds],
                "source": p.source,
            }
            for p in pacts
        ]
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return EXIT_OK
    for p in pacts:
        print(f"{p.key:<13} {p.name} ({p.region}, {p.first_year}-{p.last_year})")
        print(f"{'':<13} {len(p.themes)} indsatsområder, {len(p.project_types)} projekttyper, {len(p.rounds)} runder")
    print("\nVælg med --pact NAVN, eller --pact sti/til/pagt.toml for en egen pagt.")
    return EXIT_OK


# -- demo ----------------------------------------------------------------------
def _workbooks_dir(arg: Path | None) -> Path:
    if arg is not None:
        return arg
    for candidate in (Path.cwd() / "workbooks", Path(__file__).resolve().parent.parent / "workbooks"):
        if candidate.is_dir():
            return candidate
    raise UsageError("kan ikke finde mappen workbooks/ med eksempler; angiv den med --workbooks")


def cmd_demo(args: argparse.Namespace) -> int:
    """``pagt-xl demo``: the whole job on the shipped samples, an adapter over :func:`pagt_xl.pipeline.run_job`."""
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
            report_date=_report_date(None),
            outputs=JobOutputs(
                breakdown_workbook=args.out_dir / f"fordelinger_{pact.key}.xlsx",
                budget_workbook=args.out_dir / f"budgetter_{pact.key}.xlsx" if with_budgets else None,
                report=args.out_dir / f"statusrapport_{pact.key}.docx",
                ledger_workbook=args.out_dir / f"udbetalinger_{pact.key}.xlsx" if ledger.exists() else None,
            ),
        )
        result = _run_job(spec)
        if result.validation.fatal:
            return _report_fatal(result.validation.fatal)
        print(_demo_text(result, path, budgets))
        if result.ledger is not None and result.ledger.ledger is not None:
            print(f"Udbetalinger — {ledger.name}")
            print(ledger_text(result.ledger).rstrip("\n"))
            print(f"Udbetalinger skrevet: {result.outputs['ledger_workbook']}\n")
        if result.goals is not None:
            from pagt_xl.core.goals import follow_up_text

            print(follow_up_text(result.goals.follow_up, pact.name) + issues_text(result.goals.issues, quiet=True))
    return _demo_round(folder, args.out_dir)


#: The 2024 round samples (issue 16): before and after the council's decision.
ROUND_SAMPLES = ("nordjylland_runde_2024.xlsx", "nordjylland_runde_2024_afgjort.xlsx")


def _demo_round(folder: Path, out_dir: Path) -> int:
    """``demo``'s round part: the memo of the 2024 sample round and its decision letters."""
    from pagt_xl.pipeline import run_letters, run_memo

    before, after = (folder / name for name in ROUND_SAMPLES)
    if not before.exists() or not after.exists():
        raise UsageError(f"eksempelfilerne mangler: {before}, {after} (kør scripts/make_round_samples.py)")
    pact = load_pact("nordjylland")
    rule = "=" * 78
    print(f"{rule}\nAnsøgningsrunden 2024 — {before.name}\n{rule}")
    memo = out_dir / "indstillingsnotat_nordjylland_2024.docx"
    budgets = folder / "budgetter_runde_2024"
    job = run_memo(pact, 2024, inputs=[before], out=memo, report_date=_report_date(None),
                   budgets=[budgets] if budgets.is_dir() else [])  # fmt: skip
    if job.validation.fatal:
        return _report_fatal(job.validation.fatal)
    print(memo_text(job))
    if job.issues:
        print(issues_text(job.issues, quiet=True).rstrip("\n"))
    print(f"Indstillingsnotat skrevet: {memo}\n")
    print(f"Breve efter Regionsrådets beslutning ({after.name}):")
    folder = out_dir / "breve_nordjylland_2024"
    letters = run_letters(pact, 2024, folder, inputs=[after], letter_date=_report_date(None))
    if letters.validation.fatal:
        return _report_fatal(letters.validation.fatal)
    print(letters_text(letters.letters))
    if letters.letter_issues:
        print(issues_text(letters.letter_issues, quiet=True).rstrip("\n"))
    return EXIT_OK


def _demo_text(result: JobResult, path: Path, budgets: Path) -> str:
    """What ``demo`` prints for one sample: year table, checks, issues, budgets and the files written."""
    validation, breakdowns = result.validation, result.breakdowns
    assert breakdowns is not None
    rule = "=" * 78
    lines = [rule, f"{validation.pact.name} — {path.name}", rule, year_table_text(breakdowns.years)]
    ext = breakdowns.extremes
    if ext["smallest"] is not None:
        smallest, largest = ext["smallest"]["granted"], ext["largest"]["granted"]  # type: ignore[index]
        lines.append(f"Mindste bevilling: {format_amount(smallest)}; største: {format_amount(largest)}")
    if validation.excluded_rows:
        lines.append(f"{validation.excluded_rows} række(r) med fejl indgår ikke i årstabellen (se fejl nedenfor).")
    bad = [c for c in breakdowns.checks if c.result != "OK"]
    lines.append(f"Kontrol: {len(breakdowns.checks) - len(bad)} OK, {len(bad)} afviger.")
    text = "\n".join(lines) + "\n" + issues_text(validation.issues, quiet=True)
    text += summary_text(validation, exit_hint=False)
    text += f"\nFordelingsprojektmappe skrevet: {result.outputs['breakdown_workbook']}\n"
    if result.budgets is not None:
        review = result.budgets
        text += f"Budgetskemaer i {budgets}: {len(review.records)} læst af {len(review.files)} fil(er).\n"
        text += issues_text(review.issues, quiet=True)
        text += f"Budgetoversigt skrevet: {result.outputs['budget_workbook']}\n"
    return text + f"Rapportkladde skrevet: {result.outputs['report']}\n"


def year_table_text(years: YearTable) -> str:
    """The status report's year table as aligned text (amounts in kr.), with a total row."""
    from pagt_xl.base.danish import format_number, format_percent

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
    cols += [
        ("granted", "Bevilget i alt"),
        ("framework", "Ramme"),
        ("utilisation", "Udnyttet"),
        ("cumulative", "Akkumuleret"),
    ]

    def cell(key: str, value: Any) -> str:
        if value is None:
            return "-"
        if key == "utilisation":
            return format_percent(value)
        if key.startswith("round_") or key in ("granted", "framework", "cumulative"):
            return format_number(int(value))
        return str(value)

    body = [[cell(k, r.get(k)) for k, _ in cols] for r in [*years.rows, years.total]]
    widths = [max(len(h), *(len(b[i]) for b in body)) for i, (_, h) in enumerate(cols)]
    lines = [
        "  ".join(h.ljust(w) if i == 0 else h.rjust(w) for i, ((_, h), w) in enumerate(zip(cols, widths, strict=True)))
    ]
    lines.append("  ".join("-" * w for w in widths))
    for n, b in enumerate(body):
        if n == len(body) - 1:
            lines.append("  ".join("-" * w for w in widths))
        lines.append(
            "  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(b, widths, strict=True)))
        )
    lines.append("Beløb i kr. Udnyttet = bevilget i året / årets ramme.")
    return "\n".join(lines)


# -- entry point ---------------------------------------------------------------
# -- maal (issue 17: goal tracking and action-plan follow-up) ------------------
def _add_maal_command(sub: Any) -> None:
    p = sub.add_parser(
        "maal",
        help="målopfølgning: indikatorer mod stien til målet og handlingsplanens aktiviteter pr. år",
        description="Læser Målopfølgning- og Aktiviteter-ark (skabelon: pagt_xl/templates/maalopfoelgning.xlsx) "
        "og følger pagtens mål op: indeks mod basisåret, sti til målet, på sporet/bagud, aktiviteter pr. år. "
        "Med --overview tælles pagtens markerede projekter med, og sagsnumre kontrolleres.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="FIL", help="projektmappe(r) med målopfølgning")
    _add_pact(p)
    p.add_argument("--overview", nargs="+", type=Path, metavar="FIL", help="ansøgningsoversigt(er)")
    p.add_argument("--year", type=int, metavar="ÅR", help="følg op til og med dette år (standard: seneste år i data)")
    p.add_argument("--format", choices=("table", "json", "csv", "xlsx"), default="table", help="uddataformat")
    p.add_argument("--out", type=Path, metavar="FIL", help="skriv til fil i stedet for skærmen (kræves for xlsx)")
    _add_password(p)
    p.set_defaults(func=cmd_maal)


def cmd_maal(args: argparse.Namespace) -> int:
    """``pagt-xl maal``."""
    from pagt_xl.core.goals import follow_up_rows, follow_up_text
    from pagt_xl.pipeline import run_goals

    if args.format == "xlsx" and args.out is None:
        raise UsageError("--format xlsx kræver --out FIL.xlsx")
    pact = _pact(args, args.overview or [])
    run = run_goals(list(args.paths), pact, overview=args.overview, year=args.year, password=args.password)
    for issue in run.fatal:
        print(f"pagt-xl: fejl: {issue.message}", file=sys.stderr)
    unread = {issue.file for issue in run.fatal}
    if all(str(p) in unread for p in args.paths):  # no goal data at all: nothing to follow up
        return EXIT_INPUT
    result = run.follow_up
    if args.format == "xlsx":
        from pagt_xl.outputs.workbooks import write_goals_workbook

        write_goals_workbook(result, run.issues, args.out)
        print(f"Målopfølgning skrevet til {args.out}")
    elif args.format == "json":
        doc = {
            "pact": pact.key,
            "follow_up": result.model_dump(mode="json", exclude={"issues"}),
            "issues": [i.model_dump(mode="json") for i in run.issues],
        }
        _emit(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", args.out)
    elif args.format == "csv":
        from pagt_xl.outputs.files import write_csv

        rows = follow_up_rows(result)
        _emit(write_csv(rows, list(rows[0]) if rows else ["type", "goal", "name", "year"]), args.out)
    else:
        text = follow_up_text(result, pact.name)
        errors = sum(1 for i in run.issues if i.severity == "error")
        warnings = sum(1 for i in run.issues if i.severity == "warning")
        text += "\n" + issues_text(run.issues) + f"{errors} fejl, {warnings} advarsler.\n"
        _emit(text, args.out)
    if run.fatal:
        return EXIT_INPUT
    return EXIT_DATA if run.has_errors else EXIT_OK


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


def _run_command(args: argparse.Namespace) -> int:
    """Run the command with its inputs protected: ``--out`` that is an input stops it before any work,
    and no writer of the command replaces an input (:func:`pagt_xl.outputs.files.inputs_protected`)."""
    if not any(hasattr(args, name) for name in (*_INPUT_ARGUMENTS, "out")):
        return int(args.func(args))  # pacts, serve, demo: no input files named, nothing to guard here
    from pagt_xl.outputs.files import check_outputs, inputs_protected

    inputs = _input_arguments(args)
    check_outputs([getattr(args, "out", None)], inputs)
    with inputs_protected(inputs), _stop_signals_unwind():
        return int(args.func(args))


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
# -- udbetalinger (issue 25: the commitment ledger after the decision) ---------
def _add_payments_command(sub: Any) -> None:
    p = sub.add_parser(
        "udbetalinger",
        help="udbetalt, tilbageholdt, mangler og tilbageført pr. bevilling, og restrammen med tilbageførte midler",
        description="Læser udbetalingerne (arket Udbetalinger, skabelon: pagt_xl/templates/udbetalinger.xlsx, eller "
        "sekretariatets egen opstilling) og holder dem op mod ansøgningsoversigten: pr. bevilling bevilget, "
        "udbetalt, tilbageholdt, mangler, tilbagebetalt, nedsat og endeligt beløb; pr. år tilsagn, udbetalinger, "
        "tilbageførte midler og restramme. Kontrollerer udbetalt mod bevilget, den tilbageholdte del mod "
        "godkendt slutrapport, datoer mod projektperioden, afsluttede projekter med midler til gode og (med "
        "--budgets) tilbagebetaling ved underforbrug. Exit-kode 0: ingen fejl, 1: fejl i udbetalingerne, 2: en "
        "fil kan ikke læses eller kommandoen er brugt forkert.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="FIL", help="projektmappe(r) med udbetalingerne")
    _add_pact(p)
    p.add_argument("--overview", nargs="+", type=Path, metavar="FIL",
                   help="ansøgningsoversigt(er) (standard: FIL, når oversigten står i samme projektmappe)")  # fmt: skip
    p.add_argument("--budgets", nargs="+", type=Path, metavar="FIL/MAPPE",
                   help="budgetskemaer med forbrug: tilbagebetaling ved underforbrug")  # fmt: skip
    p.add_argument("--as-of", metavar="ÅÅÅÅ-MM-DD", help="dato for budgetternes vurdering (standard: i dag)")
    p.add_argument("--format", choices=("table", "json", "csv", "xlsx"), default="table", help="uddataformat")
    p.add_argument("--out", type=Path, metavar="FIL", help="skriv til fil i stedet for skærmen (kræves for xlsx)")
    _add_password(p)
    p.set_defaults(func=cmd_payments)


def cmd_payments(args: argparse.Namespace) -> int:
    """``pagt-xl udbetalinger``."""
    from pagt_xl.core.ledger import ACCOUNT_COLUMNS, account_rows, year_rows
    from pagt_xl.outputs.files import issue_record
    from pagt_xl.pipeline import run_ledger

    if args.format == "xlsx" and args.out is None:
        raise UsageError("--format xlsx kræver --out FIL.xlsx")
    pact = _pact(args, args.overview or args.paths)
    run = run_ledger(list(args.paths), pact, overview=args.overview, budgets=args.budgets,
                     as_of=_report_date(args.as_of), password=args.password)  # fmt: skip
    for issue in run.fatal:
        print(f"pagt-xl: fejl: {issue.message}", file=sys.stderr)
    if run.budgets is not None:
        for issue in run.budgets.fatal:
            print(f"pagt-xl: fejl: {issue.message}", file=sys.stderr)
    ledger = run.ledger
    if ledger is None or not run.read.sheets:  # no overview, or no ledger sheet at all
        return EXIT_INPUT
    if args.format == "xlsx":
        from pagt_xl.outputs.workbooks import write_ledger_workbook

        write_ledger_workbook(ledger, run.read.entries, run.issues, args.out)
        print(f"Udbetalinger skrevet til {args.out}")
    elif args.format == "json":
        doc = {
            "pact": pact.key,
            "files": run.read.files,
            "entries": len(run.read.entries),
            "held_back_share": pact.payments.held_back_share,
            "accounts": account_rows(ledger),
            "years": year_rows(ledger)[:-1],
            "total": {**year_rows(ledger)[-1], "paid": ledger.paid, "held_back": ledger.held_back,
                      "owed": ledger.owed},
            "issues": [issue_record(i) for i in run.issues],
        }
        _emit(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", args.out)
    elif args.format == "csv":
        from pagt_xl.outputs.files import write_csv

        _emit(write_csv(account_rows(ledger), list(ACCOUNT_COLUMNS)), args.out)
    else:
        _emit(ledger_text(run), args.out)
    if run.fatal or (run.budgets is not None and run.budgets.fatal):
        return EXIT_INPUT
    return EXIT_DATA if run.has_errors else EXIT_OK


def ledger_text(run: Any) -> str:
    """``udbetalinger --format table``: one line per grant, the pact's total, the years, the issues, a count."""
    from pagt_xl.base.danish import format_number
    from pagt_xl.core.ledger import account_rows, year_rows

    ledger = run.ledger

    def kr(v: Any) -> str:
        return "-" if v is None else format_number(int(v))

    cols = [("granted", "Bevilget"), ("paid", "Udbetalt"), ("held_back", "Tilbageholdt"), ("owed", "Mangler"),
            ("repaid", "Tilbagebetalt"), ("reduced", "Nedsat"), ("final", "Endeligt")]  # fmt: skip
    rows = account_rows(ledger)
    share = ledger.pact.payments.held_back_share
    held = f"; {format_percent(share)} holdes tilbage til slutrapporten er godkendt" if share else ""
    lines = [f"{ledger.pact.name}: udbetalt og tilbageført pr. bevilling (kr.){held}"]
    widths = [max(len(h), 10) for _, h in cols]
    lines.append(f"{'Sagsnr.':<10} {'År':<4} " + " ".join(h.rjust(w) for (_, h), w in zip(cols, widths, strict=True))
                 + "  Projekt")  # fmt: skip
    for r in rows:
        values = " ".join(kr(r[k]).rjust(w) for (k, _), w in zip(cols, widths, strict=True))
        lines.append(f"{(r['case_id'] or '-'):<10} {r['year']:<4} {values}  {r['title']}")
    totals = " ".join(kr(sum(r[k] for r in rows)).rjust(w) for (k, _), w in zip(cols, widths, strict=True))
    lines.append(f"{'I alt':<10} {'':<4} {totals}  {len(rows)} bevillinger")
    lines.append("")
    ycols = [("framework", "Ramme"), ("commitments", "Tilsagn"), ("payments", "Udbetalt"),
             ("returned", "Tilbageført"), ("remaining", "Restramme")]  # fmt: skip
    lines.append(f"{'År':<6} " + " ".join(h.rjust(12) for _, h in ycols))
    for y in year_rows(ledger):
        label = "I alt" if y["year"] is None else str(y["year"])
        lines.append(f"{label:<6} " + " ".join(kr(y[k]).rjust(12) for k, _ in ycols))
    lines.append("Restramme = ramme − tilsagn + tilbageførte midler (tilbagebetalt, nedsat eller bortfaldet).")
    lines.append("")
    lines.append(issues_text(run.issues).rstrip("\n"))
    errors, warnings = (sum(1 for i in run.issues if i.severity == s) for s in ("error", "warning"))
    lines.append(f"{format_number(len(run.read.entries))} posteringer læst fra {len(run.read.files)} fil(er): "
                 f"{errors} fejl, {warnings} advarsler.")  # fmt: skip
    return "\n".join(lines) + "\n"


# -- eksport (issue 25: open data) ----------------------------------------------
def _add_export_command(sub: Any) -> None:
    p = sub.add_parser(
        "eksport",
        help="udgiv tilsagnene som åbne data (360Giving: JSON og regneark), uden personoplysninger",
        description="Skriver tilsagnene (rækker uden fejl) efter 360Giving Data Standard: id med publicistens "
        "360Giving-præfiks og sagsnummeret, titel, beskrivelse (kort resumé), DKK, bevilget og ansøgt beløb, "
        "tilsagnsdato, projektperiode, modtager og bevillingsgiver med id og navn, og med --payments det udbetalte "
        "beløb. Ingen kontaktpersoner eller andre personoplysninger. Exit-kode 0: skrevet, 1: data har fejl "
        "(tilsagnene uden fejl er skrevet), 2: en fil kan ikke læses eller kommandoen er brugt forkert.",
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="FIL", help="ansøgningsoversigt(er)")
    _add_pact(p)
    p.add_argument("--format", choices=("360giving",), default="360giving", help="dataformat (360giving)")
    p.add_argument("--out", type=Path, required=True, metavar="MAPPE",
                   help="mappe til 360giving_<pagt>.json og 360giving_<pagt>.xlsx")  # fmt: skip
    p.add_argument("--prefix", metavar="360G-...",
                   help="publicistens 360Giving-præfiks (standard: pagtens [opendata] prefix)")  # fmt: skip
    p.add_argument("--funder-id", metavar="ID", default="",
                   help="regionens organisations-id, fx DK-CVR-... (standard: [opendata] funder_id)")  # fmt: skip
    p.add_argument("--payments", nargs="+", type=Path, metavar="FIL", help="udbetalingerne: udbetalt beløb")
    p.add_argument("--date", metavar="ÅÅÅÅ-MM-DD", help="dato for udgivelsen (standard: i dag)")
    _add_password(p)
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> int:
    """``pagt-xl eksport``."""
    from pagt_xl.pipeline import run_giving

    pact = _pact(args, args.paths)
    prefix = (args.prefix or pact.opendata.prefix).strip()
    if not prefix.startswith("360G-") or len(prefix) <= len("360G-"):
        raise UsageError("angiv publicistens 360Giving-præfiks med --prefix, fx --prefix 360G-regionnord (360Giving "
                         "tildeler præfikset; det kan også stå i pagtfilen under [opendata] prefix)")  # fmt: skip
    day = _report_date(args.date)
    job = run_giving(list(args.paths), pact, args.out, prefix=prefix, payments=args.payments,
                     modified=dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC), funder_id=args.funder_id,
                     password=args.password)  # fmt: skip
    if job.fatal:
        return _report_fatal(job.fatal)
    assert job.data is not None
    if job.issues:
        print(issues_text(job.issues, quiet=True).rstrip("\n"))
    n = len(job.data.grants)
    if not n:
        print("pagt-xl: ingen tilsagn at eksportere (kun tilsagn uden fejl, med sagsnummer og ansøger); intet skrevet",
              file=sys.stderr)  # fmt: skip
        return EXIT_DATA
    print(f"{n} tilsagn eksporteret efter 360Giving Data Standard {job.data.package['version']}.")
    if job.data.award_dates_assumed:
        print(f"{job.data.award_dates_assumed} tilsagn uden tilsagnsdato: 31. december i tilsagnsåret er brugt "
              "(tilføj kolonnen Tilsagnsdato i oversigten).")  # fmt: skip
    if job.validation.excluded_rows:
        print(f"pagt-xl: {job.validation.excluded_rows} række(r) med fejl er ikke eksporteret; se 'pagt-xl validate'",
              file=sys.stderr)  # fmt: skip
    for path in job.outputs:
        print(f"Skrevet: {path}")
    ledger_errors = job.ledger is not None and job.ledger.has_errors
    return EXIT_DATA if job.validation.has_errors or ledger_errors else EXIT_OK


def format_percent(share: float) -> str:
    """:func:`pagt_xl.base.danish.format_percent` (imported at the first call)."""
    from pagt_xl.base.danish import format_percent as fmt

    return fmt(share)


def main(argv: Sequence[str] | None = None) -> int:
    """Console-script entry point. Returns (and exits with) the exit code."""
    parser = build_parser()
    _PACT_NOTES.clear()
    for stream in (sys.stdout, sys.stderr):  # a text the console's code page lacks (a Cyrillic letter in a
        reconfigure = getattr(stream, "reconfigure", None)  # title, on cp1252) is shown as "?", never a crash
        if reconfigure is not None:
            reconfigure(errors="replace")
    try:
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return EXIT_INPUT
        code = _run_command(args)
        if code != EXIT_INPUT:
            for note in _PACT_NOTES:
                print(f"pagt-xl: {note}", file=sys.stderr)
    except _Stopped as exc:
        print("pagt-xl: stoppet (signal); ingen halve filer efterladt", file=sys.stderr)
        code = 128 + int(exc.args[0])
    except PagtError as exc:
        print(f"pagt-xl: fejl: {exc}", file=sys.stderr)
        code = EXIT_INPUT
    except KeyboardInterrupt:
        print("pagt-xl: afbrudt", file=sys.stderr)
        code = 130
    except BrokenPipeError:
        code = EXIT_OK
    except MemoryError:
        print("pagt-xl: fejl: der var ikke hukommelse nok til kørslen; del inddata op, eller kør på en maskine "
              "med mere hukommelse", file=sys.stderr)  # fmt: skip
        code = EXIT_INPUT
    except Exception as exc:  # never a traceback for a user
        if os.environ.get("PAGT_XL_DEBUG"):
            raise
        print(
            f"pagt-xl: uventet fejl: {exc.__class__.__name__}: {exc} "
            "(kør med PAGT_XL_DEBUG=1 for detaljer, og rapportér fejlen)",
            file=sys.stderr,
        )
        code = EXIT_INPUT
    return code


def run() -> None:
    """Entry point that exits the process."""
    sys.exit(main())
