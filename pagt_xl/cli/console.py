"""Where a command's messages go: results to stdout, notes and errors to stderr, every line to the log files.

``-q`` drops the notes, the info lines and the progress; ``-v`` shows each step on
stderr; ``--logfil FIL`` (and a scheduled run's own log) gets a time-stamped line
for the start, each step, each file written, each note and error, and the end
with the exit code. A password given on the command line is never logged.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

#: options whose value is never logged
_SECRET_OPTIONS = ("--password",)


def redacted(argv: Sequence[str]) -> list[str]:
    """``argv`` with the value of every secret option replaced by ``***``."""
    out: list[str] = []
    hide = False
    for a in argv:
        if hide:
            out.append("***")
            hide = False
        elif a in _SECRET_OPTIONS:
            out.append(a)
            hide = True
        elif a.startswith(tuple(o + "=" for o in _SECRET_OPTIONS)):
            out.append(a.split("=", 1)[0] + "=***")
        else:
            out.append(a)
    return out


class Console:
    """A command's terminal and log: :meth:`out` for results, :meth:`note`, :meth:`error`, :meth:`step`."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False, tty: bool | None = None) -> None:
        self.quiet, self.verbose = quiet, verbose
        self.tty = sys.stderr.isatty() if tty is None else tty
        self.logs: list[Path] = []
        #: steps as time-stamped lines on stderr when not a terminal (scheduled runs), a bar in one
        self.show_steps = verbose
        #: what the command found, for the last log line ("3 fejl, 12 advarsler, 2 filer skrevet")
        self.summary = ""
        self._bar = False
        self._later: list[str] = []

    def add_log(self, path: Path) -> None:
        """Append every line from now on to ``path`` too (its folder must exist)."""
        path = Path(path)
        if path not in self.logs:
            self.logs.append(path)

    def log(self, text: str, *, echo: bool = True) -> None:
        """A line for the log files (and, with ``-v`` and ``echo``, for stderr)."""
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
        for path in self.logs:
            try:
                with path.open("a", encoding="utf-8") as fh:
                    fh.write(f"{stamp} {text}\n")
            except OSError as exc:  # a log that cannot be written must not stop the run
                self.logs.remove(path)
                self._stderr(f"pagt-xl: loggen {path} kan ikke skrives ({exc.strerror or exc}); fortsætter uden")
        if echo and self.verbose and not self._bar:
            self._stderr(f"pagt-xl: {text}")

    def out(self, text: str) -> None:
        """Results: to stdout as they are (a final newline added when missing)."""
        sys.stdout.write(text if text.endswith("\n") else text + "\n")

    def wrote(self, line: str, path: Path | str) -> None:
        """``line`` (``"Rapportkladde skrevet: <path>"``) on stdout; ``Skrevet: <path>`` in the log."""
        self.out(line)
        self.log(f"Skrevet: {path}")

    def note(self, text: str) -> None:
        """A remark on stderr (``pagt-xl: …``), unless ``-q``; always in the log."""
        self._end_bar()
        if not self.quiet:
            self._stderr(f"pagt-xl: {text}")
        self.log(text, echo=False)

    def later(self, text: str) -> None:
        """A note shown by :meth:`flush_later`, after the command's output (the pact a command chose)."""
        self._later.append(text)

    def flush_later(self) -> None:
        """Show the notes kept by :meth:`later` (as :meth:`note`)."""
        for text in self._later:
            self.note(text)
        self._later.clear()

    def error(self, text: str, *, kind: str = "fejl: ") -> None:
        """An error on stderr (``pagt-xl: fejl: …``; ``kind`` is what follows ``pagt-xl: ``), even with ``-q``."""
        self._end_bar()
        self._stderr(f"pagt-xl: {kind}{text}")
        self.log(f"{kind}{text}", echo=False)

    def step(self, text: str) -> None:
        """A step of a longer job: in the log; on stderr as a line (``show_steps``, not a terminal) or a bar."""
        if self.show_steps and not self.quiet and not self.tty:
            stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M:%S")
            self._stderr(f"{stamp} {text}")
            self.log(text, echo=False)
        else:
            self.log(text)

    def progress(self, done: int, total: int, text: str) -> None:
        """A one-line bar on a terminal (``[####----] 3/9 name``); nothing otherwise, nor with ``-q``."""
        if self.tty and not self.quiet:
            filled = round(20 * done / total) if total else 20
            bar = "#" * filled + "-" * (20 - filled)
            print(f"\r[{bar}] {done}/{total} {text[:50]:<50}", end="", file=sys.stderr, flush=True)
            self._bar = True

    def _end_bar(self) -> None:
        if self._bar:
            print(file=sys.stderr)
            self._bar = False

    def finish(self) -> None:
        """End a progress bar's line."""
        self._end_bar()

    @staticmethod
    def _stderr(text: str) -> None:
        print(text, file=sys.stderr)
