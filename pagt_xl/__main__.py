"""``python -m pagt_xl`` runs the command line."""

from pagt_xl.cli.commands import run

run()
