"""The add-in's cache of validated ranges is bounded by bytes (PAGT_XL_RANGE_CACHE_MB), not by a count."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from conftest import HEADER

from pagt_xl.base.config import load_pact
from pagt_xl.xl import _data
from pagt_xl.xl.settings import ServerSettings, use_settings

THEMES = ["1. De potentielle STEM'ere", "Flere piger og kvinder i STEM", "STEM kompetencer til alle"]


def overview(rows: int, tag: str) -> list[list[Any]]:
    """A range of ``rows`` applications; ``tag`` makes its content (and so its cache key) its own."""
    body = [
        [2019 + i % 5, f"{tag}-{i}", "Åben runde", f"Projekt {tag} {i} v/ Skole {i % 30}", THEMES[i % 3],
         "Motiverende", 500_000 + i, "Tilsagn", 400_000 + i]
        for i in range(rows)
    ]  # fmt: skip
    return [HEADER, *body]


@pytest.fixture
def limit_mb() -> Iterator[float]:
    """A 6 MB cache for the test (about three 1,000-row ranges), forgotten afterwards."""
    use_settings(ServerSettings(range_cache_mb=6))
    _data.clear_cache()
    yield 6
    _data.clear_cache()
    use_settings(None)


def test_the_cache_never_holds_more_bytes_than_its_limit(limit_mb: float):
    pact = load_pact("nordjylland")
    ranges = [overview(1000, f"R{n}") for n in range(8)]
    sizes = []
    for values in ranges:
        _data.validate_values(values, pact)
        sizes.append(_data.cache_bytes())
        assert _data.cache_bytes() <= limit_mb * 1024 * 1024
    assert 0 < sizes[0] < sizes[1]  # the first ranges are all kept
    assert len(_data._cache) < len(ranges)  # ... and the oldest dropped once the bytes are used up
    kept = list(_data._cache)
    assert kept[-1][1] == _data._digest(ranges[-1])  # the newest stays
    # a recalculation of the newest range is a hit: no new bytes
    before = _data.cache_bytes()
    _data.validate_values(ranges[-1], pact)
    assert _data.cache_bytes() == before


def test_a_range_larger_than_the_limit_is_still_answered_and_kept_alone(limit_mb: float):
    pact = load_pact("nordjylland")
    _data.validate_values(overview(500, "klein"), pact)
    big = _data.validate_values(overview(10_000, "stor"), pact)  # about 20 MB measured
    assert big.table.shape[0] == 10_000
    assert len(_data._cache) == 1 and _data.cache_bytes() > limit_mb * 1024 * 1024


def test_derived_results_count_too(limit_mb: float):
    pact = load_pact("nordjylland")
    values = overview(1000, "D")
    _data.validate_values(values, pact)
    before = _data.cache_bytes()
    _data.derived(values, pact, ("issues",), lambda v: [[str(i)] * 20 for i in range(5000)])
    assert _data.cache_bytes() - before > 5000 * 20 * 40  # the derived table's strings are counted


def test_the_measured_size_is_not_below_what_the_validation_really_allocates():
    """deep_size errs on the high side: never less than what tracemalloc sees the validation keep."""
    pact = load_pact("nordjylland")
    values = overview(3000, "M")
    gc.collect()
    tracemalloc.start()
    try:
        validation = _data.validate_grids("Excel", [_data.grid_from_values(values, book="Excel", sheet="o")], pact)
        gc.collect()
        held, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    measured = _data.deep_size(validation)
    assert measured >= 0.9 * held, (measured, held)
    assert measured < 6 * held, (measured, held)


def test_deep_size_counts_dataframes_by_their_memory_and_shared_objects_once():
    frame = pd.DataFrame({"a": range(10_000), "b": [f"x{i}" for i in range(10_000)]})
    assert _data.deep_size(frame) == int(frame.memory_usage(deep=True).sum())
    shared = ["y" * 1000] * 2
    one = [shared, shared]
    assert _data.deep_size(one) < 2 * _data.deep_size([shared, list(shared)])
