"""Through a real server (uvicorn on 127.0.0.1): Excel-native errors (400 + Danish message) and PAGT.DATA handles."""

from __future__ import annotations

import os

os.environ.setdefault("XLWINGS_LICENSE_KEY", "noncommercial")  # before the first import of xlwings

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from test_xl_server import _start, call_body, sample_sheet

NA = {"type": "Error", "basicValue": "#N/A", "errorType": "NotAvailable"}


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp: Path = tmp_path_factory.mktemp("handles")
    for base in _start(tmp):
        yield f"{base}/xlwings/custom-functions-call"


def test_user_errors_are_400_with_the_danish_message(url):
    """xlwings Server answers an XlwingsError with 400; Excel shows #VALUE! with the text (IFERROR catches it)."""
    data = sample_sheet()
    for body, message in (
        (call_body("tema", "Blå økonomi"), "PAGT.TEMA: ukendt indsatsområde 'Blå økonomi'"),
        (call_body("bevilget", data, NA), "PAGT.BEVILGET: argumentet 'år' er fejlværdien #N/A"),
        (call_body("beloeb", NA), "PAGT.BELØB: argumentet 'tekst' er fejlværdien #N/A"),
        (call_body("fordeling", data, "farve"), "PAGT.FORDELING: ukendt nøgle 'farve'"),
        (call_body("antal", "__xlwings_not_an_object_handle__"), "PAGT.ANTAL: cellen indeholder et objekt"),
    ):
        r = httpx.post(url, json=body, timeout=30)
        assert r.status_code == 400 and r.text.startswith(message), r.text


def test_pagt_data_returns_a_handle_the_other_functions_take(url):
    data = sample_sheet()
    r = httpx.post(url, json=call_body("data", data), timeout=30)
    entity = r.json()["result"][0][0]
    assert entity["type"] == "Entity" and entity["text"] == "PAGT-data: 48 rækker, 0 fejl"
    assert entity["properties"]["Bevilget (kr.)"] == {"type": "Double", "basicValue": 23_231_178}
    key = entity["properties"]["object_handle_cache_key"]["basicValue"]  # what Excel's JavaScript sends for the cell
    for fn, args in (("bevilget", (2023,)), ("antal", (2023,)), ("fordeling", ("målgruppe",)), ("valider", ())):
        with_range = httpx.post(url, json=call_body(fn, data, *args), timeout=30).json()
        assert httpx.post(url, json=call_body(fn, key, *args)).json() == with_range, fn
    gone = httpx.post(url, json=call_body("bevilget", "6c0c7f0e-0000-4000-8000-000000000000"))
    assert gone.status_code == 400 and "genberegn projektmappen" in gone.text
