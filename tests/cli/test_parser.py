"""The parser speaks Danish: every argparse error class, every --help, the Danish key names, -q/-v/--logfil.

argparse's own words are checked by a scan for its English vocabulary, and by a meta-test that every
user-facing message in the running Python's argparse has a Danish text (a new Python's new message fails).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import WORKBOOKS, good_rows

from pagt_xl.cli.commands import CSV_NAMES, build_parser
from pagt_xl.cli.parser import DANISH
from pagt_xl.outputs.files import CSV_DIALECTS

NORD = WORKBOOKS / "nordjylland_ansoegninger_2019-2023.xlsx"
#: argparse's English, as it would show in a help or an error (flags such as --help are taken out first)
ENGLISH = re.compile(
    r"\b(usage|options?|positional|arguments?|show|this help|message|exit|invalid|choice|choose|required|"
    r"unrecognized|expected|error|ambiguous|allowed|ignored|explicit|default|subcommands|program's|"
    r"version number|could match|not allowed|deprecated)\b",
    re.IGNORECASE,
)
#: words of ours that contain an English word of argparse's: exit codes are "exit-kode" in Danish too
OURS = re.compile(r"(?i:exit-koder?)|--?[\w-]+|PAGT_XL_\w+|XLWINGS_\w+|\$\w+")


def english_words(text: str) -> list[str]:
    """argparse's English words in ``text`` (after the flags, variables and exit codes are taken out)."""
    return ENGLISH.findall(OURS.sub(" ", text))


def test_the_english_scan_can_fail():
    assert english_words("usage: pagt-xl [-h]\n\noptions:\n  -h, --help  show this help message and exit") == [
        "usage", "options", "show", "this help", "message", "exit"]  # fmt: skip
    assert english_words("brug: pagt-xl [-h] --help  exit-kode 2, $PAGT_XL_PACT") == []


COMMANDS = sorted(next(a for a in build_parser()._actions if a.dest == "command").choices)


@pytest.mark.parametrize("argv", [["--help"], *([name, "--help"] for name in COMMANDS)], ids=lambda a: " ".join(a))
def test_every_help_is_danish(cli, argv):
    proc = cli(*argv)
    assert proc.returncode == 0
    assert proc.stdout.startswith("brug: pagt-xl")
    assert english_words(proc.stdout) == [], proc.stdout
    if argv != ["--help"]:
        assert "tilvalg:" in proc.stdout and "fælles tilvalg:" in proc.stdout


#: one misuse per argparse error class, and a word of the Danish message it must give
MISUSES = [
    (["validate", NORD, "--format", "xml"], "ugyldigt valg"),  # invalid choice
    (["valider", NORD], "ugyldigt valg"),  # an unknown command
    (["validate"], "mangler: FIL"),  # the following arguments are required
    (["indstilling", NORD], "mangler: --year, --out"),  # required options
    (["validate", NORD, "--ukendt"], "ukendt(e) tilvalg"),  # unrecognized arguments
    (["validate", NORD, "--pact"], "kræver en værdi"),  # expected one argument
    (["validate", "--format", "json", "--pact"], "kræver en værdi"),
    (["report", NORD, "--out", "r.docx", "--goals"], "kræver mindst én værdi"),  # expected at least one
    (["breakdown", NORD, "--year", "tyve"], "ikke et årstal"),  # a type of ours
    (["serve", "--port", "otte"], "ugyldig værdi 'otte'"),  # invalid int value (argparse's own type message)
    (["report", NORD, "--out", "r.docx", "--year", "2020", "--period", "2019-2020"], "kan ikke bruges sammen med"),
    (["validate", NORD, "-q", "-v"], "kan ikke bruges sammen med"),  # not allowed with
    (["validate", NORD, "--pa", "x"], "tvetydigt tilvalg"),  # ambiguous option (--pact, --password)
    (["validate", NORD, "--quiet=ja"], "tager ingen værdi"),  # ignored explicit argument
    (["breakdown", NORD, "--by", "farve"], "ukendt nøgle 'farve'"),
    (["breakdown", NORD, "--by", "tema", "--format", "csv", "--csv-dialect", "fransk"], "ukendt CSV-form"),
]


@pytest.mark.parametrize(("argv", "danish"), MISUSES, ids=lambda v: " ".join(map(str, v)) if isinstance(v, list) else v)
def test_every_argparse_error_is_one_danish_line_with_exit_2(cli, argv, danish):
    proc = cli(*argv)
    assert proc.returncode == 2
    assert proc.stdout == ""
    [line] = proc.stderr.splitlines()
    assert line.startswith("pagt-xl: fejl: ") and line.endswith("--help')")
    assert danish in line
    assert english_words(line) == [], line


#: argparse's messages a user never sees: they report a mistake in the program's own parser definition
DEVELOPER_MESSAGES = {
    ".__call__() not defined", "conflicting subparser: %s", "conflicting subparser alias: %s",
    'argument "-" with mode %r', "cannot merge actions - two groups are named %r",
    "'required' is an invalid argument for positionals",
    "invalid option string %(option)r: must start with a character %(prefix_chars)r",
    "dest= is required for options like %r", "invalid conflict_resolution value: %r",
    "conflicting option string: %s", "conflicting option strings: %s",
    "mutually exclusive arguments must be optional", "cannot have multiple subparser arguments", "%r is not callable",
}  # fmt: skip


def _argparse_messages() -> set[str]:
    """Every literal message of the running Python's argparse passed to ``_()`` or ``ngettext()``."""
    tree = ast.parse(Path(argparse.__file__).read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("_", "ngettext"):
            found.update(a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str))
    return found


def test_every_message_argparse_can_show_has_a_danish_text():
    messages = _argparse_messages()
    assert "usage: " in messages and "invalid choice: %(value)r (choose from %(choices)s)" in messages
    assert sorted(messages - DEVELOPER_MESSAGES - set(DANISH)) == []
    for english, danish in DANISH.items():  # placeholders the message has, so it formats
        assert set(re.findall(r"%\(\w+\)[rs]", danish)) <= set(re.findall(r"%\(\w+\)[rs]", english)), danish
        assert len(re.findall(r"%[rs]", danish)) == len(re.findall(r"%[rs]", english)), danish


def test_the_translation_is_scoped_to_our_parser():
    build_parser().parse_args(["validate", "x.xlsx"])
    plain = argparse.ArgumentParser(prog="x")
    assert plain.format_usage().startswith("usage: ")  # another parser in the same process keeps its English


# -- Danish key names ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(("danish", "key"), [("tema", "theme"), ("år", "year"), ("aar", "year"),
                                             ("ansøger", "applicant"), ("Indsatsområde", "theme"),
                                             ("runde", "round"), ("målgruppe", "target_group"),
                                             ("fremdrift", "progress"), ("projekttype", "type")])  # fmt: skip
def test_breakdown_takes_the_danish_key_names_of_the_cell_functions(cli, danish, key):
    english = json.loads(cli("breakdown", NORD, "--by", key, "--format", "json").stdout)
    proc = cli("breakdown", NORD, "--by", danish, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == english  # the JSON keeps the stable English key


def test_the_key_words_are_the_cell_functions_words():
    from pagt_xl.base.names import KEY_NAMES, KEY_WORDS
    from pagt_xl.xl.functions import KEY_DOC

    assert all(KEY_WORDS[word] == key for key, word in KEY_NAMES.items())
    assert {w.strip() for w in re.split(r",| eller ", KEY_DOC)} == set(KEY_NAMES.values())


def test_csv_dialect_names_are_the_writers():
    assert {name: d.name for name, d in CSV_DIALECTS.items()} == CSV_NAMES


# -- -q, -v and --logfil on every command --------------------------------------------------------------------
MINIMAL = {
    "validate": ["x.xlsx"], "breakdown": ["x.xlsx"], "report": ["x.xlsx", "--out", "r.docx"],
    "budgets": ["b"], "template-vars": [], "indstilling": ["x.xlsx", "--year", "2024", "--out", "n.docx"],
    "breve": ["x.xlsx", "--year", "2024", "--out", "breve"], "run": ["k.toml"], "serve": [], "pacts": [],
    "demo": [], "maal": ["m.xlsx"], "udbetalinger": ["u.xlsx"], "eksport": ["x.xlsx", "--out", "ud"],
}  # fmt: skip


def test_every_command_is_in_the_minimal_table():
    assert sorted(MINIMAL) == COMMANDS


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_takes_quiet_verbose_and_a_log_file(name):
    parser = build_parser()
    quiet = parser.parse_args([name, *MINIMAL[name], "-q", "--logfil", "pagt.log"])
    assert (quiet.quiet, quiet.verbose, quiet.logfil) == (True, False, Path("pagt.log"))
    loud = parser.parse_args([name, *MINIMAL[name], "--verbose"])
    assert (loud.quiet, loud.verbose, loud.logfil) == (False, True, None)


def _with_info_and_error(workbook) -> Path:
    rows = good_rows()
    rows[0] = [*rows[0], "Sagsbehandler"]  # an unknown column (info); a copy: the header list is shared
    rows[2][4] = "Blå økonomi"  # an error
    return workbook({"A": rows})


def test_quiet_drops_info_lines_and_notes_but_never_errors(cli, workbook):
    path = _with_info_and_error(workbook)
    plain, quiet = cli("validate", path), cli("validate", path, "-q")
    assert plain.returncode == quiet.returncode == 1
    assert "INFO" in plain.stdout and "INFO" not in quiet.stdout
    assert "FEJL" in quiet.stdout and "E3" in quiet.stdout
    noisy = cli("breakdown", path, "--by", "tema")
    assert "udeladt" in noisy.stderr  # a note ...
    assert cli("breakdown", path, "--by", "tema", "-q").stderr == ""  # ... that -q leaves out
    assert "findes ikke" in cli("validate", Path(path).with_name("nej.xlsx"), "-q").stderr  # errors stay


def test_verbose_shows_each_step_on_stderr(cli, workbook, tmp_path):
    path = _with_info_and_error(workbook)
    proc = cli("report", path, "--out", tmp_path / "r.docx", "-v", "--date", "2024-02-15")
    assert proc.returncode == 1
    assert re.search(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Læser og validerer 1 projektmappe", proc.stderr, re.M)
    assert "Skriver rapportkladden (Word)" in proc.stderr
    assert "Skriver rapportkladden" not in cli("report", path, "--out", tmp_path / "s.docx").stderr


def test_log_file_gets_start_steps_files_and_exit_code_but_never_the_password(cli, workbook, tmp_path):
    path = _with_info_and_error(workbook)
    log = tmp_path / "pagt.log"
    out = tmp_path / "f.xlsx"
    proc = cli("breakdown", path, "--format", "xlsx", "--out", out, "--password", "hemmelig", "--logfil", log)
    assert proc.returncode == 1, proc.stderr
    assert cli("validate", tmp_path / "nej.xlsx", "--logfil", log).returncode == 2  # appended, with the error
    lines = log.read_text(encoding="utf-8").splitlines()
    stamp = r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d "
    assert all(re.match(stamp, line) for line in lines)
    text = "\n".join(lines)
    assert "hemmelig" not in text and "--password ***" in text
    assert "Start: pagt-xl breakdown" in text and "Beregner fordelinger og kontrol" in text
    assert f"Skrevet: {out}" in text
    assert re.search(r"Færdig: 1 fejl, \d+ advarsler; exit-kode 1", text)
    assert "fejl: " in text and "nej.xlsx" in text and text.endswith("exit-kode 2")


def test_every_help_starts_light():
    """``pagt-xl CMD --help`` for every command in one process: no data, model or Word library is loaded."""
    heavy = ("pandas", "numpy", "pydantic", "docx", "docxtpl", "matplotlib", "xlsxwriter", "openpyxl", "xlwings")
    code = (
        "import contextlib, io, json, sys, pagt_xl.cli.commands as c\n"
        f"for name in {[n for n in COMMANDS if n != 'serve']!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        c.main([name, '--help'])\n"
        f"print(json.dumps(sorted(m for m in {heavy!r} if m in sys.modules)))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert json.loads(proc.stdout) == []
