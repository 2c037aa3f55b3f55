"""Classic xlwings on a staff PC with local Python: what the macros of ``pagt_xl_desktop.xlsm`` call.

The workbook has one VBA macro per button, each a single ``RunPython`` line
(built by ``scripts/make_desktop_workbook.py``)::

    Sub Valider()
        RunPython "import pagt_xl.xl.desktop as d; d.valider()"
    End Sub

Each function here runs the same button script as the add-in's task pane on
``xw.Book.caller()``, the workbook whose macro was started. No button has to be
identified at run time, so nothing depends on ``Application.Caller``.
"""

from __future__ import annotations

import xlwings as xw

from pagt_xl.xl import scripts

#: VBA macro name → the function here that it runs; one entry per button, in the order of the "Start" sheet.
MACROS: dict[str, str] = {
    "Valider": "valider",
    "BeregnFordelinger": "beregn_fordelinger",
    "LavStatusrapport": "lav_statusrapport",
    "LavIndstilling": "lav_indstilling",
    "LavBreve": "lav_breve",
}


def runpython_command(macro: str) -> str:
    """The Python line the VBA macro ``macro`` hands to xlwings' ``RunPython``."""
    return f"import pagt_xl.xl.desktop as d; d.{MACROS[macro]}()"


def valider() -> None:
    """The *Valider* button: validate the calling workbook's overview."""
    scripts.valider(xw.Book.caller())


def beregn_fordelinger() -> None:
    """The *Beregn fordelinger* button: write the breakdown sheets into the calling workbook."""
    scripts.beregn_fordelinger(xw.Book.caller())


def lav_statusrapport() -> None:
    """The *Lav statusrapport* button: write the Word draft next to the calling workbook."""
    scripts.lav_statusrapport(xw.Book.caller())


def lav_indstilling() -> None:
    """The *Lav indstilling* button: write the recommendation memo next to the calling workbook."""
    scripts.lav_indstilling(xw.Book.caller())


def lav_breve() -> None:
    """The *Lav breve* button: write the decision letters into a folder next to the calling workbook."""
    scripts.lav_breve(xw.Book.caller())
