"""The one exception hierarchy. Raised only when a run cannot go on.

Every exception carries a stable :class:`ErrorCode` next to its Danish message:
scripts and tests look at ``exc.code``, never at the wording. Each class has a
default code; a raise site names a more precise one where there is one.
"""

from __future__ import annotations

from enum import StrEnum


class ErrorCode(StrEnum):
    """Stable, English codes of the errors that stop a run."""

    # pact and run configuration
    CONFIG_NOT_FOUND = "config_not_found"
    CONFIG_INVALID = "config_invalid"
    CONFIG_CONFLICT = "config_conflict"
    UNKNOWN_PACT = "unknown_pact"
    # input files
    FILE_NOT_FOUND = "file_not_found"
    FILE_UNREADABLE = "file_unreadable"
    FILE_UNSAFE = "file_unsafe"
    NOT_A_WORKBOOK = "not_a_workbook"
    PASSWORD_REQUIRED = "password_required"
    WRONG_PASSWORD = "wrong_password"
    NO_HEADER_ROW = "no_header_row"
    NO_INPUTS = "no_inputs"
    # command line
    USAGE = "usage"
    # what was asked for (a breakdown, a period, a round): from the command line, a run file, a cell or the API
    UNKNOWN_BREAKDOWN_KEY = "unknown_breakdown_key"
    BAD_PERIOD = "bad_period"
    UNKNOWN_ROUND = "unknown_round"
    # Word templates
    TEMPLATE_INVALID = "template_invalid"
    TEMPLATE_NOT_FOUND = "template_not_found"
    TEMPLATE_UNKNOWN_VARIABLE = "template_unknown_variable"
    TEMPLATE_UNSAFE = "template_unsafe"
    # outputs
    OUTPUT_LOCKED = "output_locked"
    OUTPUT_UNWRITABLE = "output_unwritable"
    # PDF copies of the Word documents (issue 24)
    PDF_UNAVAILABLE = "pdf_unavailable"
    PDF_FAILED = "pdf_failed"
    OUTPUT_IS_INPUT = "output_is_input"
    # Excel cells and buttons
    CELL_ARGUMENT = "cell_argument"
    # anything else
    INTERNAL = "internal"


class PagtError(Exception):
    """Base class. ``str(exc)`` is a one-line Danish message naming the object and the fix.

    ``code`` is the stable :class:`ErrorCode`; ``None`` as argument means the
    class's default (:attr:`default_code`).
    """

    default_code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, *, code: ErrorCode | None = None) -> None:
        super().__init__(message)
        self.code: ErrorCode = code or self.default_code

    def __reduce__(self) -> tuple[object, ...]:
        """Pickled with its attributes (``code``, ``file`` ...): an error raised in a child process (a file read
        in isolation) arrives whole."""
        return (_rebuild, (type(self), str(self), dict(vars(self))))


def _rebuild(cls: type[PagtError], message: str, state: dict[str, object]) -> PagtError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, message)
    exc.__dict__.update(state)
    return exc


class ConfigError(PagtError):
    """A pact or run configuration file is missing or invalid."""

    default_code = ErrorCode.CONFIG_INVALID


class InputError(PagtError):
    """An input file cannot be read at all (not a workbook, corrupt, no headers...)."""

    default_code = ErrorCode.FILE_UNREADABLE

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        sheet: str | None = None,
        code: ErrorCode | None = None,
    ) -> None:
        super().__init__(message, code=code)
        self.file = file
        self.sheet = sheet


class UsageError(PagtError):
    """The command was misused (bad arguments)."""

    default_code = ErrorCode.USAGE


class RequestError(UsageError):
    """What was asked for cannot be made: an unknown breakdown key, a period that ends before it begins,
    a round the pact does not have. A user's fault wherever the request came from (command line, run
    file, cell function, API); ``code`` says which."""


class InvalidSetting(ConfigError, ValueError):
    """A pact setting that is not valid (raised by the settings' validators; Danish message, the setting named).

    A :class:`ConfigError` with a code; a ``ValueError`` too, because pydantic turns only a ``ValueError``
    raised in a validator into a validation error: :func:`pagt_xl.base.config.load_pact` then raises a
    ``ConfigError`` naming the file, with this message and code.
    """

    default_code = ErrorCode.CONFIG_INVALID
