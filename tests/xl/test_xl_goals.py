"""PAGT.MÅLSTATUS (issue 17): called directly and through the real server, as Excel calls it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest
from conftest import WORKBOOKS
from test_xl_server import _start, call_body

from pagt_xl.xl import core
from pagt_xl.xl._data import CellError

VOC = "Fuldførte STEM-erhvervsuddannelser"
HIGHER = "Fuldførte videregående STEM-uddannelser"


def sample_range() -> list[list[Any]]:
    """The Nordjylland sample's Målopfølgning sheet from its header row (A4), as Excel sends a range."""
    ws = openpyxl.load_workbook(WORKBOOKS / "maalopfoelgning_nordjylland.xlsx")["Målopfølgning"]
    return [["" if v is None else v for v in row] for row in ws.iter_rows(min_row=4, max_col=5, values_only=True)]


def test_goal_status_direct():
    table = core.goal_status(sample_range(), VOC, 2022)
    assert table[0] == core.GOAL_STATUS_HEADER
    assert [r[0] for r in table[1:]] == [2019, 2020, 2021, 2022]
    first, last = table[1], table[-1]
    assert first[2] == 100 and first[4] == "på sporet"
    assert last[4] == ("på sporet" if last[2] >= last[3] else "bagud") == "bagud"
    assert core.goal_status(sample_range(), HIGHER)[-1][4] == "på sporet"


@pytest.mark.parametrize(
    "change,message",
    [
        (lambda r: r[2].__setitem__(2, "mange"), "C3: tallet kan ikke læses"),
        (lambda r: r.pop(1), "basisåret 2019 mangler"),
    ],
)
def test_goal_status_refuses_with_the_cell(change, message):
    rows = sample_range()
    change(rows)
    with pytest.raises(CellError, match=message):
        core.goal_status(rows, HIGHER)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("srv-goals")
    yield from _start(tmp)


def test_maalstatus_through_the_server(server):
    url = f"{server}/xlwings/custom-functions-call"
    result = httpx.post(url, json=call_body("maalstatus", sample_range(), VOC), timeout=30).json()["result"]
    assert result[0] == core.GOAL_STATUS_HEADER
    assert [r[0] for r in result[1:]] == [2019, 2020, 2021, 2022, 2023]
    assert result[-1][4] == "bagud" and result[-1][5] < 0
    refused = httpx.post(url, json=call_body("maalstatus", sample_range(), "Fuldførte ph.d."), timeout=30)
    assert refused.status_code == 400
    assert refused.text.startswith("PAGT.MÅLSTATUS: ukendt indikator 'Fuldførte ph.d.'")
    meta = httpx.get(f"{server}/xlwings/custom-functions-meta").json()
    [fn] = [f for f in meta["functions"] if f["id"] == "MAALSTATUS"]
    assert [p["name"] for p in fn["parameters"]] == ["data", "indikator", "år", "pagt"]
