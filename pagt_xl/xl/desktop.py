"""Classic xlwings on a staff PC with local Python: what the macros of ``pagt_xl_desktop.xlsm`` call.

The VBA in that workbook is xlwings' own quickstart module, unchanged (no VBA
can be edited where the workbook is built). Its one macro, ``SampleCall``,
runs ``RunPython "import <workbook name>;<workbook name>.main()"``; every
button on the "Start" sheet is bound to it. The sidecar module next to the
workbook (``pagt_xl_desktop.py``, written by ``scripts/make_desktop_workbook.py``)
calls :func:`main` here, which asks Excel which button was clicked
(``Application.Caller`` is the button's name, e.g. "Button 2"; its caption is
"Beregn fordelinger") and runs that button's script on ``xw.Book.caller()``.

A workbook with one macro per button can call :func:`valider`,
:func:`beregn_fordelinger` and :func:`lav_statusrapport` directly, e.g.
``RunPython "import pagt_xl.xl.desktop as d; d.valider()"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import xlwings as xw

from pagt_xl.xl import scripts

#: Button caption → script (the same scripts as the add-in's task pane).
BUTTONS: dict[str, Callable[[Any], None]] = dict(scripts.BUTTONS)
#: The buttons in the order ``scripts/make_desktop_workbook.py`` inserts them on the "Start" sheet.
BUTTON_ORDER: tuple[str, ...] = ("Valider", "Beregn fordelinger", "Lav statusrapport")
#: Excel's default names for form buttons ("Button 2", Danish "Knap 2"): the number follows insertion order.
_DEFAULT_NAME = re.compile(r"^(?:Button|Knap|Schaltfläche|Bouton)\s+(\d+)$", re.IGNORECASE)


def script_for(button: str) -> Callable[[Any], None] | None:
    """The script behind a button, by caption ("Valider") or by Excel's default name ("Button 1", "Knap 1")."""
    text = " ".join(str(button).split())
    for caption, action in BUTTONS.items():
        if caption.casefold() == text.casefold():
            return action
    m = _DEFAULT_NAME.match(text)
    if m and 1 <= int(m.group(1)) <= len(BUTTON_ORDER):
        return BUTTONS[BUTTON_ORDER[int(m.group(1)) - 1]]
    return None


def clicked_button(book: Any) -> str:
    """The caption of the button that started the macro (Excel for Windows), else its name.

    ``Application.Caller`` holds the clicked shape's name while the macro runs;
    the caption is read from the shape so that moved or renamed buttons still work.
    """
    app = book.app.api
    name = str(app.Caller)
    for read in (
        lambda: app.ActiveSheet.Shapes(name).TextFrame.Characters().Text,
        lambda: app.ActiveSheet.Buttons(name).Caption,
    ):
        try:
            caption = read()
        except Exception:  # not a form button, or an Excel without that object
            continue
        if isinstance(caption, str) and caption.strip():
            return caption
    return name


def run_button(book: Any, button: str) -> None:
    """Run the script of ``button`` on ``book``; an unknown button gets a message box."""
    action = script_for(button)
    if action is None:
        known = ", ".join(BUTTONS)
        book.app.alert(f"Ukendt knap '{button}'. Knapperne hedder {known}.", title="Teknologipagt")
        return
    action(book)


def main() -> None:
    """What the workbook's macro runs: the script of the button that was clicked."""
    book = xw.Book.caller()
    try:
        button = clicked_button(book)
    except Exception:  # macOS, or a macro not started from a button: Excel cannot say which
        book.app.alert(
            "Excel kunne ikke oplyse, hvilken knap der blev klikket (det kræver Excel til Windows). "
            "Brug tilføjelsesprogrammet Teknologipagt i stedet.",
            title="Teknologipagt",
        )
        return
    run_button(book, button)


def valider() -> None:
    """Valider, for a macro bound to one button."""
    scripts.valider(xw.Book.caller())


def beregn_fordelinger() -> None:
    """Beregn fordelinger, for a macro bound to one button."""
    scripts.beregn_fordelinger(xw.Book.caller())


def lav_statusrapport() -> None:
    """Lav statusrapport, for a macro bound to one button."""
    scripts.lav_statusrapport(xw.Book.caller())
