"""The one exception hierarchy. Raised only when a run cannot go on."""

from __future__ import annotations


class PagtError(Exception):
    """Base class. ``str(exc)`` is a one-line Danish message naming the object and the fix."""


class ConfigError(PagtError):
    """A pact configuration file is missing or invalid."""


class InputError(PagtError):
    """An input file cannot be read at all (not a workbook, corrupt, no headers...)."""

    def __init__(self, message: str, *, file: str | None = None, sheet: str | None = None):
        super().__init__(message)
        self.file = file
        self.sheet = sheet


class UsageError(PagtError):
    """The command was misused (bad arguments)."""
