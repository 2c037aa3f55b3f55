"""Word status-report drafts: context (pure) → charts → docxtpl rendering.

Only this package imports the Word libraries.
"""

from pagt_xl.report.context import ReportContext, build_context, nested_variables, template_variables
from pagt_xl.report.render import (
    TemplateProblem,
    check_template,
    default_template,
    render_context,
    render_report,
    used_variables,
)

__all__ = [
    "ReportContext",
    "TemplateProblem",
    "build_context",
    "check_template",
    "default_template",
    "nested_variables",
    "render_context",
    "render_report",
    "template_variables",
    "used_variables",
]
