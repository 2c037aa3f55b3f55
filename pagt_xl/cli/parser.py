"""The command line's parser: argparse in Danish, built from one table of commands and options.

argparse writes its own words (``usage:``, ``invalid choice``, ``the following
arguments are required`` ...) through ``gettext``'s ``_()``, looked up in the
``argparse`` module at the moment a message is made. :func:`danish` puts a
translation function in its place while our parser builds itself, parses and
formats help, and puts the original back afterwards: nothing outside this parser
(nor a later ``import argparse`` elsewhere in the process) sees the change, and no
locale or catalogue file is needed. A message argparse adds in a later Python
version that is not in :data:`DANISH` stays English; ``tests/test_cli.py`` scans
every help and error for argparse's English words.

A command is a :class:`Command` row: its name, help, description, the function
that runs it and its arguments as :class:`Arg` values (the repeated ones are
shared constants in :mod:`pagt_xl.cli.commands`, varied with :meth:`Arg.but`).
Every command gets ``-q/--quiet``, ``-v/--verbose`` and ``--logfil`` (:data:`COMMON`).
"""

from __future__ import annotations

import argparse
import contextlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pagt_xl.base.errors import UsageError

#: argparse's messages (Python 3.11 to 3.13) → Danish, with the same ``%`` placeholders.
DANISH: dict[str, str] = {
    "usage: ": "brug: ",
    "positional arguments": "argumenter",
    "options": "tilvalg",
    "subcommands": "kommandoer",
    "%(heading)s:": "%(heading)s:",
    "show this help message and exit": "vis denne hjælp og afslut",
    "show program's version number and exit": "vis programmets version og afslut",
    " (default: %(default)s)": " (standard: %(default)s)",
    "argument %(argument_name)s: %(message)s": "%(argument_name)s: %(message)s",
    "the following arguments are required: %s": "mangler: %s",
    "one of the arguments %s is required": "angiv en af %s",
    "unrecognized arguments: %s": "ukendt(e) tilvalg eller for mange filer: %s",
    "expected one argument": "kræver en værdi",
    "expected at most one argument": "tager højst én værdi",
    "expected at least one argument": "kræver mindst én værdi",
    "expected %s argument": "kræver %s værdi",
    "expected %s arguments": "kræver %s værdier",
    "invalid choice: %(value)r (choose from %(choices)s)": "ugyldigt valg %(value)r (vælg mellem %(choices)s)",
    "invalid %(type)s value: %(value)r": "ugyldig værdi %(value)r",
    "not allowed with argument %s": "kan ikke bruges sammen med %s",
    "ambiguous option: %(option)s could match %(matches)s": "tvetydigt tilvalg %(option)s: kan være %(matches)s",
    "ignored explicit argument %r": "tager ingen værdi (fik %r)",
    "unexpected option string: %s": "uventet tilvalg: %s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": (
        "ukendt kommando %(parser_name)r (vælg mellem %(choices)s)"
    ),
    "can't open '%(filename)s': %(error)s": "kan ikke åbne '%(filename)s': %(error)s",
    "%(prog)s: error: %(message)s\n": "%(prog)s: fejl: %(message)s\n",
    "%(prog)s: warning: %(message)s\n": "%(prog)s: advarsel: %(message)s\n",
    "option '%(option)s' is deprecated": "tilvalget '%(option)s' udgår",
    "argument '%(argument_name)s' is deprecated": "'%(argument_name)s' udgår",
    "command '%(parser_name)s' is deprecated": "kommandoen '%(parser_name)s' udgår",
}


def translate(message: str) -> str:
    """argparse's ``_()``: the Danish text of ``message``, or ``message`` itself when there is none."""
    return DANISH.get(message, message)


def ntranslate(singular: str, plural: str, n: int) -> str:
    """argparse's ``ngettext()``."""
    return translate(singular if n == 1 else plural)


@contextlib.contextmanager
def danish() -> Iterator[None]:
    """argparse speaks Danish inside the block (see the module docstring); re-entrant."""
    saved = argparse._, argparse.ngettext  # type: ignore[attr-defined]
    argparse._, argparse.ngettext = translate, ntranslate  # type: ignore[attr-defined]
    try:
        yield
    finally:
        argparse._, argparse.ngettext = saved  # type: ignore[attr-defined]


class DanishParser(argparse.ArgumentParser):
    """argparse in Danish, with one-line usage errors (:class:`UsageError`, exit code 2) instead of ``sys.exit``.

    ``epilog_factory``: called for the epilog when help is shown, so that a command's help may
    list what is costly to import (the server settings).
    """

    def __init__(self, *args: Any, epilog_factory: Callable[[], str] | None = None, **kwargs: Any) -> None:
        with danish():
            super().__init__(*args, **kwargs)
        self.epilog_factory = epilog_factory

    def parse_args(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        with danish():  # "unrecognized arguments" is made here, after parse_known_args
            return super().parse_args(*args, **kwargs)

    def parse_known_args(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        with danish():
            return super().parse_known_args(*args, **kwargs)

    def format_usage(self) -> str:
        with danish():
            return super().format_usage()

    def format_help(self) -> str:
        if self.epilog_factory is not None and self.epilog is None:
            self.epilog = self.epilog_factory()
        with danish():
            return super().format_help()

    def add_subparsers(self, **kwargs: Any) -> Any:
        with danish():
            return super().add_subparsers(**kwargs)

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (se '{self.prog} --help')")


# -- the table -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Arg:
    """One argument: ``add_argument``'s flags (or the positional's name) and keywords.

    A ``help`` that is a function is called when the parser is built (a help that names the
    pacts in the user's folder, or today's default pact).
    """

    flags: tuple[str, ...]
    options: Mapping[str, Any] = field(default_factory=dict)

    def but(self, **changes: Any) -> Arg:
        """The same argument with some keywords changed (``help=``, ``required=`` ...)."""
        return replace(self, options={**self.options, **changes})

    def add_to(self, parser: Any) -> None:
        options = dict(self.options)
        if callable(options.get("help")):
            options["help"] = options["help"]()
        parser.add_argument(*self.flags, **options)


def arg(*flags: str, **options: Any) -> Arg:
    """:class:`Arg` as ``add_argument`` is called: ``arg("--year", type=year, metavar="ÅR", help=...)``."""
    return Arg(flags, options)


@dataclass(frozen=True)
class OneOf:
    """Arguments that exclude each other (a mutually exclusive group)."""

    args: tuple[Arg, ...]

    def add_to(self, parser: Any) -> None:
        group = parser.add_mutually_exclusive_group()
        for a in self.args:
            a.add_to(group)


@dataclass(frozen=True)
class Together:
    """Arguments that always come together (``--format`` with CSV brings ``--csv-dialect``)."""

    args: tuple[Arg, ...]

    def add_to(self, parser: Any) -> None:
        for a in self.args:
            a.add_to(parser)


@dataclass(frozen=True)
class Adder:
    """Arguments added by a function (``pagt-xl serve``'s come from :mod:`pagt_xl.xl.serve`)."""

    add: Callable[[Any], None]

    def add_to(self, parser: Any) -> None:
        self.add(parser)


@dataclass(frozen=True)
class Command:
    """One row of the command table: what ``pagt-xl NAME`` is, takes and runs."""

    name: str
    run: Callable[[argparse.Namespace], int]
    help: str
    description: str
    args: Sequence[Arg | OneOf | Together | Adder] = ()
    epilog_factory: Callable[[], str] | None = None
    raw_description: bool = False


def _verbosity(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("fælles tilvalg")
    loud = group.add_mutually_exclusive_group()
    loud.add_argument(
        "-q", "--quiet", action="store_true", help="vis mindre: ingen info-linjer, ingen fremdrift, ingen noter"
    )
    loud.add_argument(
        "-v",
        "--verbose",
        action="store_true",
        help="vis mere: hver fejl på sin egen linje (ikke grupperet) og hvert trin på stderr",
    )
    group.add_argument(
        "--logfil",
        type=Path,
        metavar="FIL",
        help="skriv også en log i FIL (tilføjes: start, trin, filer skrevet, antal fejl, exit-kode)",
    )


#: what every command takes besides its own arguments
COMMON: tuple[Adder, ...] = (Adder(_verbosity),)


def build(
    commands: Sequence[Command], *, prog: str, description: str, version: str
) -> argparse.ArgumentParser:
    """The parser of ``commands``: one sub-command each, with its arguments and :data:`COMMON`."""
    parser = DanishParser(prog=prog, description=description)
    parser.add_argument("--version", action="version", version=f"{prog} {version}", help=translate(
        "show program's version number and exit"))  # fmt: skip
    sub = parser.add_subparsers(dest="command", metavar="KOMMANDO", parser_class=DanishParser, title="kommandoer")
    for command in commands:
        p = sub.add_parser(
            command.name,
            help=command.help,
            description=command.description,
            epilog_factory=command.epilog_factory,
            formatter_class=argparse.RawDescriptionHelpFormatter if command.raw_description else argparse.HelpFormatter,
        )
        for a in (*command.args, *COMMON):
            a.add_to(p)
        p.set_defaults(func=command.run)
    return parser
