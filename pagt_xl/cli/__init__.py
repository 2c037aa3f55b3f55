"""The command line ``pagt-xl``: thin commands (:mod:`.commands`) and scheduled runs (:mod:`.scheduled`)."""

from pagt_xl.cli.commands import main, run

__all__ = ["main", "run"]
