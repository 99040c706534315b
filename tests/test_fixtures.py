"""The bundled example projects under fixtures/: the linter reports exactly what their `# FALnnn` comments
mark (no false positives, no misses), with and without the prefilter, sequentially and in parallel."""

from __future__ import annotations

from pathlib import Path

import pytest

from fastapi_asynclint.runner import CheckOptions, run_check
from fastapi_asynclint.settings import CliOptions, build_settings
from fastapi_asynclint.testing import actual_findings, expected_findings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
PROJECTS = sorted(path.parent for path in FIXTURES.glob("*/pyproject.toml"))


def _sources(project: Path):
    return {p.relative_to(project).as_posix(): p.read_text() for p in sorted(project.rglob("*.py"))}


@pytest.mark.parametrize("project", PROJECTS, ids=[p.name for p in PROJECTS])
@pytest.mark.parametrize("force", [False, True], ids=["prefiltered", "everything-analysed"])
def test_fixture_project_findings_match_annotations(project, force):
    settings = build_settings(project, CliOptions(no_cache=True))
    result = run_check([str(project)], settings, CheckOptions(force_analysis=force, jobs=1))
    assert not result.errors
    expected = expected_findings(_sources(project))
    pinned = {(path, code, row) for path, code, row, column in expected if column is not None}
    assert actual_findings(result.diagnostics, project, pinned) == expected


def test_parallel_run_gives_the_same_output(tmp_path):
    project = FIXTURES / "example_app"
    settings = build_settings(project, CliOptions(no_cache=True))
    import fastapi_asynclint.pool as pool

    sequential = run_check([str(project)], settings, CheckOptions(jobs=1))
    limits = pool.PARALLEL_THRESHOLD, pool._CHUNK_FILES, pool._CHUNK_BYTES, pool._CHUNKS_PER_WORKER
    # Largest files first, some of them "heavy" (each in its own worker), chunks of two files, workers
    # replaced every other chunk: many processes.
    pool.PARALLEL_THRESHOLD, pool._CHUNK_FILES, pool._CHUNK_BYTES, pool._CHUNKS_PER_WORKER = 1, 2, 600, 2
    try:
        parallel = run_check([str(project)], settings, CheckOptions(jobs=2))
    finally:
        pool.PARALLEL_THRESHOLD, pool._CHUNK_FILES, pool._CHUNK_BYTES, pool._CHUNKS_PER_WORKER = limits
    assert sequential.diagnostics
    assert parallel.diagnostics == sequential.diagnostics
    assert [report.path for report in parallel.files] == [report.path for report in sequential.files]


def test_worker_chunks_end_at_a_file_count_or_a_byte_count():
    import fastapi_asynclint.pool as pool

    items = list("abcdefghij")
    weights = [5000, 500, 600, 10, 10, 10, 10, 10, 10, 10]
    limits = pool._CHUNK_FILES, pool._CHUNK_BYTES
    pool._CHUNK_FILES, pool._CHUNK_BYTES = 3, 1000
    try:
        chunks = [list(chunk) for chunk in pool._chunks(items, weights)]
    finally:
        pool._CHUNK_FILES, pool._CHUNK_BYTES = limits
    assert chunks == [["a"], ["b", "c"], ["d", "e", "f"], ["g", "h", "i"], ["j"]]


def test_heavy_files_are_tasks_of_their_own_spread_among_the_others():
    import fastapi_asynclint.pool as pool

    limits = pool._CHUNK_FILES, pool._CHUNK_BYTES, pool._CHUNKS_PER_WORKER
    pool._CHUNK_FILES, pool._CHUNK_BYTES, pool._CHUNKS_PER_WORKER = 4, 1000, 2
    # Largest first, as the lint phase orders them: two heavy files (>= 1000), then 30 light ones.
    weights = [3000, 1500] + [400] * 10 + [10] * 20
    try:
        tasks = pool._tasks(list(range(len(weights))), weights, workers=2)
        unweighted = pool._tasks(list(range(10)), None, workers=2)
    finally:
        pool._CHUNK_FILES, pool._CHUNK_BYTES, pool._CHUNKS_PER_WORKER = limits
    assert sorted(number for _, numbers in tasks for number in numbers) == list(range(len(weights)))
    heavy = [numbers for is_heavy, numbers in tasks if is_heavy]
    assert heavy == [[0], [1]]
    # After each heavy file, about as much light work (by bytes) as it weighs, before the next one.
    between = tasks[1 : tasks.index((True, [1]))]
    assert not any(is_heavy for is_heavy, _ in between)
    assert sum(weights[n] for _, numbers in between for n in numbers) >= 3000
    # Light tasks group two chunks (one worker's life), but the last 2 x workers chunks go singly.
    light = [numbers for is_heavy, numbers in tasks if not is_heavy]
    assert len(light[0]) > 4 and all(len(numbers) <= 4 for numbers in light[-4:])
    # Without weights (summarizing), every chunk is a task.
    assert unweighted == [(False, [0, 1, 2, 3]), (False, [4, 5, 6, 7]), (False, [8, 9])]
