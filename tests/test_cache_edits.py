"""A cached run after an edit reports exactly what an uncached run reports.

Random edits of the kinds developers make between two runs (a number or a message changed, a noqa
comment added, a comment or statement line inserted), one to three at a time, each followed by a cached
run that must match `--no-cache`, on the example app and on every multi-file example of the rules (call
chains through helpers, context variables read in other modules). Each project's cache persists from one
example to the next, so the runs meet every path a cached run can take: every target's findings kept
(nothing the project's findings are made of changed), a file's findings kept by its fingerprint or moved
with its focused text, the stored link state taken over, and the whole project linked again.
"""

from __future__ import annotations

import io
import os
import shutil
import tokenize
from pathlib import Path
from typing import Dict, List

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_property import EXAMPLE_APP, RANDOM, SCALE, compiles, invoke

COMMAND = ["check", "--output-format", "json", "--jobs", "1", "."]
NOQA_COMMENTS = ["  # noqa", "  # noqa: FAL101", "  # noqa: FAL103, FAL202", "  # fastapi-asynclint: noqa: FAL102"]


@pytest.fixture(scope="module")
def projects(tmp_path_factory) -> Dict[str, Path]:
    """Project folder by name: a copy of the example app and one folder per multi-file rule example."""
    from fastapi_asynclint.registry import all_rules

    base = tmp_path_factory.mktemp("cache-edits")
    found = {"example_app": base / "example_app"}
    shutil.copytree(EXAMPLE_APP, found["example_app"])
    for code, info in sorted(all_rules().items()):
        for number, example in enumerate(info.load().INVALID):
            if not example.files:
                continue
            root = found[f"{code}-{number}"] = base / f"{code}-{number}"
            for name, text in {"pyproject.toml": "[tool.fastapi-asynclint]\n", **example.sources()}.items():
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_text(text)
    return found


def _tokens(text: str) -> List[tokenize.TokenInfo]:
    return list(tokenize.generate_tokens(io.StringIO(text).readline))


@st.composite
def edit(draw, text: str) -> str:
    """`text` with one edit that keeps it valid Python (the caller checks that it compiles)."""
    lines = text.splitlines(keepends=True)
    tokens = _tokens(text)
    kind = draw(st.sampled_from(["number", "string", "noqa", "comment line", "statement line"]))
    if kind in ("number", "string"):
        wanted = tokenize.NUMBER if kind == "number" else tokenize.STRING
        candidates = [token for token in tokens if token.type == wanted and token.start[0] == token.end[0]]
        if not candidates:
            return text
        token = draw(st.sampled_from(candidates))
        row, (start, end) = token.start[0], (token.start[1], token.end[1])
        line = lines[row - 1]
        if kind == "number":
            replacement = str(draw(st.integers(0, 99)))
        else:  # a letter before the closing quote(s): valid in every kind of string literal
            quote = 3 if token.string.endswith(('"""', "'''")) else 1
            replacement = token.string[:-quote] + "q" + token.string[-quote:]
        lines[row - 1] = line[:start] + replacement + line[end:]
        return "".join(lines)
    # Rows where a logical line starts or ends: inserting or appending there never splits a token.
    ends = [token.start[0] for token in tokens if token.type == tokenize.NEWLINE and token.start[0] <= len(lines)]
    if not ends:
        return text
    if kind == "noqa":
        row = draw(st.sampled_from(ends))
        line = lines[row - 1]
        body = line.rstrip("\r\n")
        lines[row - 1] = body + draw(st.sampled_from(NOQA_COMMENTS)) + line[len(body):]
        return "".join(lines)
    starts = sorted({row + 1 for row in ends if row < len(lines)} | {1})
    row = draw(st.sampled_from(starts))
    line = lines[row - 1]
    indent = line[: len(line) - len(line.lstrip(" \t"))]
    inserted = "# a note\n" if kind == "comment line" else f"{indent}_edited = {draw(st.integers(0, 9))}\n"
    lines.insert(row - 1, inserted)
    return "".join(lines)


def _write(path: Path, text: str) -> None:
    """Write, making sure the stat changes even when the size does not and the clock has not ticked."""
    before = path.stat()
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, max(path.stat().st_mtime_ns, before.st_mtime_ns + 1_000_000)))


@settings(
    max_examples=max(1, int(60 * SCALE)),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much],
    database=None,
    derandomize=not RANDOM,
)
@given(data=st.data())
def test_cached_run_after_edits_matches_an_uncached_run(projects, data):
    project = projects[data.draw(st.sampled_from(sorted(projects)), label="project")]
    files = sorted(path.relative_to(project).as_posix() for path in project.rglob("*.py"))
    originals: Dict[str, str] = {}
    invoke(project, COMMAND)  # the cache holds the unedited project (or what the last example left)
    try:
        for _ in range(data.draw(st.integers(1, 3), label="edits")):
            relative = data.draw(st.sampled_from(files), label="file")
            path = project / relative
            text = path.read_text()
            originals.setdefault(relative, text)
            edited = data.draw(edit(text), label=f"edit of {relative}")
            if edited == text or not compiles(edited):
                continue
            _write(path, edited)
            cached = invoke(project, COMMAND)
            uncached = invoke(project, [*COMMAND, "--no-cache"])
            assert (cached.exit_code, cached.stdout) == (uncached.exit_code, uncached.stdout)
    finally:
        for relative, text in originals.items():
            _write(project / relative, text)
