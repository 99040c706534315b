"""One generic test over every rule's VALID and INVALID examples (Fixit's model), run through the whole
engine: findings where the `# FALnnn` comments say and nowhere else, the expected fix, a second fix run
that changes nothing, the same findings with the prefilter off, and none once the comments become noqa."""

from __future__ import annotations

import pytest

from fastapi_asynclint.registry import all_rules
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.testing import (
    actual_findings,
    expected_findings,
    noqa_variant,
    run_project,
    write_project,
)


def _examples():
    for code, info in all_rules().items():
        rule = info.load()
        for number, example in enumerate(rule.VALID):
            yield pytest.param(rule, example, id=f"{code}-valid-{number}")
        for number, example in enumerate(rule.INVALID):
            yield pytest.param(rule, example, id=f"{code}-invalid-{number}")


EXAMPLES = list(_examples())


@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_rule_example(rule, example, tmp_path):
    sources = example.sources()
    write_project(tmp_path, sources)
    run = run_project(tmp_path, [rule.CODE])
    assert not run.errors
    mine = [d for d in run.diagnostics if d.code == rule.CODE]
    expected = expected_findings(sources, [rule.CODE])
    pinned = {(path, code, row) for path, code, row, column in expected if column is not None}
    assert actual_findings(mine, tmp_path, pinned) == expected, [d.message for d in mine]
    if isinstance(example, Valid):
        return
    assert expected, "an INVALID example must mark at least one finding"
    if example.message is not None:
        assert any(example.message in d.message for d in mine), [d.message for d in mine]
    forced = run_project(tmp_path, [rule.CODE], force_analysis=True)
    assert sorted(d.sort_key for d in forced.diagnostics) == sorted(d.sort_key for d in run.diagnostics)


@pytest.mark.parametrize(
    ("rule", "example"),
    # A file that does not parse has no comments to honour: FAL9xx findings ignore noqa by design.
    [p for p in EXAMPLES if isinstance(p.values[1], Invalid) and not p.values[0].CODE.startswith("FAL9")],
)
def test_noqa_silences_example(rule, example, tmp_path):
    write_project(tmp_path, noqa_variant(example.sources()))
    run = run_project(tmp_path, [rule.CODE])
    assert [d for d in run.diagnostics if d.code == rule.CODE] == []


@pytest.mark.parametrize(
    ("rule", "example"),
    [p for p in EXAMPLES if isinstance(p.values[1], Invalid) and p.values[1].expected_fixes()],
)
def test_fix_example(rule, example, tmp_path):
    write_project(tmp_path, example.sources())
    run_project(tmp_path, [rule.CODE], fix=True, unsafe_fixes=example.unsafe)
    after = run_project(tmp_path, [rule.CODE])
    texts = after.texts
    for path, expected in example.expected_fixes().items():
        assert texts[path] == expected
        compile(texts[path], path, "exec")
    again = run_project(tmp_path, [rule.CODE], fix=True, unsafe_fixes=example.unsafe)
    assert again.texts == texts, "applying the fixes twice must change nothing"


@pytest.mark.parametrize(
    ("rule", "example"),
    [p for p in EXAMPLES if isinstance(p.values[1], Invalid) and p.values[1].expected_fixes() and p.values[1].unsafe],
)
def test_unsafe_fix_needs_opt_in(rule, example, tmp_path):
    write_project(tmp_path, example.sources())
    run = run_project(tmp_path, [rule.CODE], fix=True, unsafe_fixes=False)
    assert run.texts == example.sources()
