"""Meta-tests: every rule is found by the registry, documented in ruff's sections, and has examples."""

from __future__ import annotations

import pytest

from fastapi_asynclint.registry import all_rules
from fastapi_asynclint.rule import LintRule

SECTIONS = ["## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety"]
RULES = list(all_rules().values())


def test_families_are_present():
    codes = set(all_rules())
    for family in ("FAL1", "FAL2", "FAL9"):
        assert any(code.startswith(family) for code in codes), family


@pytest.mark.parametrize("info", RULES, ids=[info.code for info in RULES])
def test_rule_module_matches_its_file_name(info):
    rule = info.load()
    assert issubclass(rule, LintRule)
    assert rule.CODE == info.code
    assert rule.MESSAGE


@pytest.mark.parametrize("info", RULES, ids=[info.code for info in RULES])
def test_rule_documentation_has_every_section(info):
    documentation = info.load().documentation()
    positions = [documentation.find(section) for section in SECTIONS]
    assert all(position >= 0 for position in positions), documentation[:200]
    assert positions == sorted(positions), "sections in ruff's order"
    assert "```python" in documentation


@pytest.mark.parametrize("info", RULES, ids=[info.code for info in RULES])
def test_rule_has_positive_negative_and_near_miss_examples(info):
    rule = info.load()
    assert rule.VALID, "negative examples"
    assert any(example.note.startswith("near miss") for example in rule.VALID), "a near-miss example"
    # Undecodable bytes cannot be a text example (tests/test_bad_input.py), nor can a bug of the linter
    # (tests/test_internal_error.py).
    if info.code not in ("FAL901", "FAL903"):
        assert rule.INVALID, "positive examples"
