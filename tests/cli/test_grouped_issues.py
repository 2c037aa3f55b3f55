"""Many issues of one code are one line on the terminal; -v and the files keep every one."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from conftest import HEADER, write_workbook

from pagt_xl.cli.text import GROUP_ABOVE

N = 10_000


@pytest.fixture(scope="module")
def many_warnings(tmp_path_factory):
    """10.000 applications of 2021 under theme 1, which was not open that year: 10.000 ``theme_not_open``."""
    rows = [HEADER] + [[2021, f"21-{n:05d}", "Åben runde", f"Projekt nummer {n} v/Skole {n}",
                        "1. De potentielle STEM'ere", "Motiverende", 100_000 + n, "Afslag", None]
                       for n in range(1, N + 1)]  # fmt: skip
    rows.insert(3, [2020, "20-00001", "Åben runde", "Et projekt v/En skole", "Blå økonomi", "Motiverende",
                    100_000, "Afslag", None])  # one error in row 4, between them  # fmt: skip
    return write_workbook(tmp_path_factory.mktemp("mange") / "mange.xlsx", {"Ansøgninger": rows})


def test_ten_thousand_warnings_are_one_line_with_count_description_and_first_cell(cli, many_warnings):
    proc = cli("validate", many_warnings)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert len(lines) < 20
    [grouped] = [line for line in lines if "theme_not_open" in line]
    assert re.search(r"ADVARSEL E2 +10\.000 × Indsatsområdet var ikke åbent det år, første i E2", grouped)
    assert re.search(r"^  FEJL +E4 +ukendt indsatsområde", proc.stdout, re.M)  # a single error is shown as it is
    assert "(unknown_theme)" in proc.stdout
    assert "-v viser hver enkelt" in proc.stdout
    assert "10.001 ansøgninger" in proc.stdout and "10.000 advarsler" in proc.stdout  # Danish thousands


def test_verbose_lists_every_one_and_the_files_are_complete(cli, many_warnings):
    verbose = cli("validate", many_warnings, "-v").stdout
    cells = re.findall(r"ADVARSEL E(\d+) ", verbose)
    assert len(cells) == N and len(set(cells)) == N  # one line (and its wrapped rest) per warning, each cell
    doc = json.loads(cli("validate", many_warnings, "--format", "json").stdout)
    assert sum(1 for i in doc["issues"] if i["code"] == "theme_not_open") == N
    text = cli("validate", many_warnings, "--format", "csv").stdout.removeprefix("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert sum(1 for r in rows if r["Kode"] == "theme_not_open") == N


def test_up_to_the_limit_each_issue_is_its_own_line(cli, workbook):
    rows = [HEADER] + [[2021, f"21-{n:05d}", "Åben runde", f"Projekt {n} v/Skole {n}", "1. De potentielle STEM'ere",
                        "Motiverende", 100_000, "Afslag", None] for n in range(1, GROUP_ABOVE + 1)]  # fmt: skip
    out = cli("validate", workbook({"A": rows})).stdout
    assert out.count("(theme_not_open)") == GROUP_ABOVE and "×" not in out
