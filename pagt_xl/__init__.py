"""pagt_xl: validated tables, breakdowns and Word drafts for Danish Teknologipagt grant pools.

The small public API a user scripts against::

    from pagt_xl import load_pact, run_validation
    result = run_validation(["oversigt.xlsx"], load_pact("nordjylland"))
    result.table      # pandas DataFrame, one row per application
    result.issues     # list[Issue], each with file, sheet, cell
"""

__version__ = "0.1.0"

from typing import TYPE_CHECKING, Any

from pagt_xl.base.errors import ConfigError, ErrorCode, InputError, PagtError

if TYPE_CHECKING:
    from pagt_xl.base.config import Pact, available_pacts, load_pact
    from pagt_xl.base.model import Issue, IssueCode, Severity
    from pagt_xl.core.results import JobResult, RoundJob
    from pagt_xl.core.tables import Validation
    from pagt_xl.pipeline import JobOutputs, JobSpec, run_job, run_letters, run_memo, run_validation

#: Public name → the module that defines it; imported on first use, so that
#: ``import pagt_xl`` (and ``pagt-xl --help``) does not load pandas.
_LAZY = {
    "Pact": "pagt_xl.base.config",
    "available_pacts": "pagt_xl.base.config",
    "load_pact": "pagt_xl.base.config",
    "Issue": "pagt_xl.base.model",
    "IssueCode": "pagt_xl.base.model",
    "Severity": "pagt_xl.base.model",
    "JobOutputs": "pagt_xl.pipeline",
    "JobSpec": "pagt_xl.pipeline",
    "run_job": "pagt_xl.pipeline",
    "run_validation": "pagt_xl.pipeline",
    "run_memo": "pagt_xl.pipeline",
    "run_letters": "pagt_xl.pipeline",
    "JobResult": "pagt_xl.core.results",
    "RoundJob": "pagt_xl.core.results",
    "Validation": "pagt_xl.core.results",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pagt_xl' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "ConfigError",
    "ErrorCode",
    "InputError",
    "Issue",
    "IssueCode",
    "JobOutputs",
    "JobResult",
    "JobSpec",
    "Pact",
    "PagtError",
    "RoundJob",
    "Severity",
    "Validation",
    "__version__",
    "available_pacts",
    "load_pact",
    "run_job",
    "run_letters",
    "run_memo",
    "run_validation",
]
