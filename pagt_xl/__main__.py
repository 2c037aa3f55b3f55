"""``python -m pagt_xl`` runs the command line."""

from pagt_xl.cli.commands import run

if __name__ == "__main__":  # a child process started with spawn imports this module again: it must not run
    run()
