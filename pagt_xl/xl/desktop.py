"""Classic xlwings (Windows/macOS with local Python): the macros of workbooks/pagt_xl_desktop.xlsm call these.

Each button's macro runs ``RunPython "import pagt_xl.xl.desktop as d; d.main()"``
(the macro xlwings' quickstart workbook ships). ``main()`` asks Excel which
button was pressed (``Application.Caller`` is the button's name) and runs the
matching script on ``xw.Book.caller()``, so one macro serves all buttons.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import xlwings as xw

from pagt_xl.xl import scripts

#: Button name (as set by scripts/make_desktop_workbook.py) → script.
BUTTONS: dict[str, Callable[[Any], None]] = {
    "Valider": scripts.valider,
    "Beregn fordelinger": scripts.beregn_fordelinger,
    "Lav statusrapport": scripts.lav_statusrapport,
}


#: The buttons in the order scripts/make_desktop_workbook.py inserts them (Excel names them
#: "Button 1", "Button 2", ... — "Knap 1" ... in Danish Excel — by insertion order).
BUTTON_ORDER = ("Valider", "Beregn fordelinger", "Lav statusrapport")


def script_for(button: str) -> Callable[[Any], None] | None:
    """The script for a button, by caption or by Excel's shape name ("Button 2", "Knap 2")."""
    if button in BUTTONS:
        return BUTTONS[button]
    m = re.search(r"(\d+)\s*$", button)
    if m and 1 <= int(m.group(1)) <= len(BUTTON_ORDER):
        return BUTTONS[BUTTON_ORDER[int(m.group(1)) - 1]]
    return None


def run_button(book: Any, button: str) -> None:
    """Run the script behind a button on ``book``; an unknown button is reported in Excel."""
    action = script_for(button)
    if action is None:
        raise ValueError(f"ukendt knap '{button}'; kendte knapper: {', '.join(BUTTONS)}")
    action(book)


def main() -> None:
    """Entry point of the workbook's macro: run the script of the button that was clicked."""
    book = xw.Book.caller()
    caller = book.app.api.Caller  # the clicked button's name (Excel COM)
    run_button(book, str(caller))


def valider() -> None:
    """Valider, for a macro bound to one button."""
    scripts.valider(xw.Book.caller())


def beregn_fordelinger() -> None:
    """Beregn fordelinger, for a macro bound to one button."""
    scripts.beregn_fordelinger(xw.Book.caller())


def lav_statusrapport() -> None:
    """Lav statusrapport, for a macro bound to one button."""
    scripts.lav_statusrapport(xw.Book.caller())
