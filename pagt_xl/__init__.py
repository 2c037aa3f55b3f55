"""pagt_xl: validated tables, breakdowns and Word drafts for Danish Teknologipagt grant pools.

The small public API a user scripts against::

    from pagt_xl import load_pact, run_validation
    result = run_validation(["oversigt.xlsx"], load_pact("nordjylland"))
    result.table      # pandas DataFrame, one row per application
    result.issues     # list[Issue], each with file, sheet, cell
"""

__version__ = "0.1.0"

from pagt_xl.config import Pact, available_pacts, load_pact
from pagt_xl.errors import ConfigError, InputError, PagtError
from pagt_xl.model import Issue, IssueCode, Severity
from pagt_xl.pipeline import Validation, run_validation

__all__ = [
    "ConfigError",
    "InputError",
    "Issue",
    "IssueCode",
    "Pact",
    "PagtError",
    "Severity",
    "Validation",
    "__version__",
    "available_pacts",
    "load_pact",
    "run_validation",
]
