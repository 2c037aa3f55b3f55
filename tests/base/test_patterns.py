"""Pact patterns that could backtrack for ever are refused when the pact is loaded (issue 21, item 9)."""

from __future__ import annotations

import re
import time

import pytest

from pagt_xl.base.config import load_pact
from pagt_xl.base.errors import ConfigError, ErrorCode
from pagt_xl.base.names import PACTS_DIR, available_pacts
from pagt_xl.base.patterns import backtracking_risk, check_pattern
from pagt_xl.core.breakdown import MAX_NAME_CHARS, institution_type

HOSTILE = [r"^(\w+\s?)*$", r"(a+)*b", r"(aa|a)*b", r"(aa?)*b", r"(a{1,3})*b", r"(x?)*y", r"\w*\w*\w*x", r"(a|b|ab)*c"]
HARMLESS = [r"gymnasi", r"\bhf\b", r"tech ?college", r"^region ", r"10\. ?klasse", r"(ab|cd)*", r".*universitet.*",
            r"(ab?)*c", r"(\w\s?)*$", r"(\w{1,40}\s)*x", r"(?:\bx\b|\by\b)+", r"universitet|\bau\b"]  # fmt: skip


@pytest.mark.parametrize("pattern", HOSTILE)
def test_a_pattern_that_can_backtrack_is_found(pattern):
    assert backtracking_risk(pattern)


@pytest.mark.parametrize("pattern", HARMLESS)
def test_a_pattern_that_cannot_is_left_alone(pattern):
    assert backtracking_risk(pattern) is None


def test_the_hostile_patterns_really_are_slow():
    """What is refused really grows exponentially: eight more characters take many times as long."""
    for pattern, sizes in ((r"^(\w+\s?)*$", (12, 20)), (r"(aa|a)*b", (16, 24))):
        compiled = re.compile(pattern, re.IGNORECASE)
        times = []
        for n in sizes:
            runs = []
            for _ in range(3):
                start = time.perf_counter()
                compiled.search("a" * n + "!")
                runs.append(time.perf_counter() - start)
            times.append(min(runs))
        assert times[1] > 10 * times[0], (pattern, times)


def test_every_shipped_pact_pattern_loads_and_is_checked():
    patterns = [p for name in available_pacts() for rule in load_pact(name).institution_types for p in rule.patterns]
    assert len(patterns) > 20
    assert all(check_pattern(p) == p for p in patterns)


def test_a_pact_with_the_hostile_pattern_is_refused_naming_file_and_field(tmp_path):
    own = tmp_path / "egen.toml"
    text = (PACTS_DIR / "nordjylland.toml").read_text(encoding="utf-8")
    own.write_text(
        text + "\n[[institution_types]]\nname = \"Farlig\"\npatterns = ['^(\\w+\\s?)*$']\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError) as info:
        load_pact(own)
    message = str(info.value)
    assert info.value.code is ErrorCode.CONFIG_INVALID
    assert str(own) in message and "institution_types" in message and "patterns" in message
    assert "hænge" in message


def test_a_pattern_that_is_not_a_regular_expression_is_refused_at_load(tmp_path):
    own = tmp_path / "egen.toml"
    text = (PACTS_DIR / "nordjylland.toml").read_text(encoding="utf-8")
    own.write_text(text + '\n[[institution_types]]\nname = "Forkert"\npatterns = ["(uafsluttet"]\n', encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_pact(own)
    assert "institution_types" in str(info.value) and "gyldigt regulært udtryk" in str(info.value)


def test_a_long_name_is_matched_on_its_beginning(nord):
    """A 32,767-character applicant cell costs no more than a 300-character one, and still finds the school."""
    name = "Aalborg Katedralskole " + "x" * 32_000
    start = time.perf_counter()
    assert institution_type(name, nord) == institution_type("Aalborg Katedralskole", nord)
    assert time.perf_counter() - start < 1.0
    assert MAX_NAME_CHARS == 300
