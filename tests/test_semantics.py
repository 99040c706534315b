"""The project index reads calls with the stdlib `ast`; the rules with libcst's scope and qualified-name
metadata. The prefilter is only sound if both agree, so: for every call in every rule example and fixture
project, both readings must resolve (through the index) to the same thing."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Tuple

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from fastapi_asynclint.discovery import discover
from fastapi_asynclint.registry import all_rules
from fastapi_asynclint.runner import link_files
from fastapi_asynclint.semantic import Semantics, summary_classes
from fastapi_asynclint.settings import CliOptions, build_settings
from fastapi_asynclint.testing import write_project

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def _libcst_calls(text: str, name, summary) -> Dict[Tuple[int, int], List[str]]:
    """Call targets by start position (chained calls share one start, hence lists)."""
    wrapper = MetadataWrapper(cst.parse_module(text), unsafe_skip_copy=True)
    semantics = Semantics(wrapper, name.name, name.is_package, name.renames, summary_classes(summary))
    positions = wrapper.resolve(PositionProvider)
    lines = text.splitlines()
    found = {}

    class Calls(cst.CSTVisitor):
        def visit_Call(self, node: cst.Call) -> None:
            start = positions[node].start
            column = len(lines[start.line - 1][: start.column].encode("utf-8"))
            found.setdefault((start.line, column), []).extend(semantics.call_targets(node))

    wrapper.visit(Calls())
    return found


def _disagreements(root: Path) -> List[str]:
    settings = build_settings(root, CliOptions(no_cache=True))
    files = discover([str(root)], root).files
    project, linked = link_files([str(path) for path in files], settings)
    index, summaries = linked.index, linked.summaries
    problems = []
    for path in files:
        summary = summaries[str(path)].summary
        if summary is None:
            continue
        by_position = _libcst_calls(path.read_text(), project.names.name(str(path)), summary)
        for function in summary.functions:
            for call in function.calls:
                theirs = by_position.get((call.row, call.col))
                resolved = {(index.resolve(t).kind, index.resolve(t).name) for t in theirs or ()}
                for target in call.targets:
                    mine = index.resolve(target)
                    if (mine.kind, mine.name) not in resolved:
                        problems.append(f"{path.name}:{call.row}: ast {target} -> {mine.kind} {mine.name}; libcst {theirs} -> {resolved}")
    return problems


def _example_params():
    for code, info in all_rules().items():
        rule = info.load()
        for number, example in enumerate([*rule.VALID, *rule.INVALID]):
            yield pytest.param(example, id=f"{code}-{number}")


@pytest.mark.parametrize("example", list(_example_params()))
def test_ast_and_libcst_agree_on_examples(example, tmp_path):
    sources = example.sources()
    try:
        for text in sources.values():
            compile(text, "example", "exec")
    except (SyntaxError, RecursionError, MemoryError):
        pytest.skip("the example is about unparseable files")
    write_project(tmp_path, sources)
    assert _disagreements(tmp_path) == []


@pytest.mark.parametrize("project", sorted(p.parent for p in FIXTURES.glob("*/pyproject.toml")), ids=lambda p: p.name)
def test_ast_and_libcst_agree_on_fixtures(project):
    assert _disagreements(project) == []
