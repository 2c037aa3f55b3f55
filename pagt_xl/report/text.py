"""Text helpers of the documents: writing prompts, the pact's hints, and file names instead of paths.

No other module of the report package is imported here, so the context, the goal chapter, the memo
and the letters can all use them.
"""

from __future__ import annotations

import re

from pagt_xl.base.config import Pact


def prompt_text(hint: str) -> str:
    """A writing prompt as text: ``[SKRIV: hint]`` (yellow once rendered)."""
    return f"[SKRIV: {' '.join(hint.split())}]"


def pact_hint(pact: Pact, key: str, **values: str) -> str:
    """The pact's hint for prompt ``key``, its theme words and ``values`` filled in ({the_one}, {years} ...)."""
    text = pact.report.hint(key)
    w = pact.report.words
    for name, value in {"one": w.one, "many": w.many, "the_one": w.the_one, "the_many": w.the_many, **values}.items():
        text = text.replace("{" + name + "}", value)
    return text


_EXTENSIONS = r"(?:xlsx|xlsm|xltx|xls|xlsb|ods|csv|docx|docm|dotx|pdf|toml|json)"
#: a path ending in a file name ("/home/x/Mine filer/oversigt.xlsx", "C:\\Data\\b.xlsx", "ud/b.xlsx")
_FILE_PATH = re.compile(
    r"(?:(?:[A-Za-z]:[\\/]|\\\\|~[\\/]|/)[^\n›'\"()]*?[\\/]|(?<![\w.-])(?:[\w.-]+[\\/])+)"
    rf"(?P<name>[^\\/\n›'\"()]+?\.{_EXTENSIONS})(?![\w])"
)
#: an absolute folder ("/home/x/workbooks")
_FOLDER_PATH = re.compile(r"(?<![\w.-])(?:[A-Za-z]:[\\/]|/)(?:[^\s›'\"()\\/]+[\\/])*(?P<name>[^\s›'\"()\\/]+)")


def file_names_only(text: str) -> str:
    """``text`` with every path shortened to its file name: a document never shows a folder of the machine it was
    made on ("budgettet (/home/a/workbooks/24-0203_budget.xlsx › Budget A15)" → "budgettet (24-0203_budget.xlsx ›
    Budget A15)"). Words with a slash that are no path ("EUD/EUX") are left alone."""
    text = _FILE_PATH.sub(lambda m: m.group("name"), text)
    return _FOLDER_PATH.sub(lambda m: m.group("name"), text)
