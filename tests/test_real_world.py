"""Real-world runs: `check --fix --unsafe-fixes` over whole packages from PyPI (prefect, litellm).

Marked `slow` (they download a few dozen MB once and lint thousands of files) but run in CI by default;
skip them locally with `-m 'not slow'`. Each run asserts, on a private copy of the package:

* `check` exits 0 or 1 (never 2: no rule crash, no unreadable file) and prints a valid JSON list;
* every `.py` file that compiled before the fix still compiles after it;
* a second `--fix --unsafe-fixes` changes nothing (file hashes);
* only files that had a finding with an applicable fix (safe or unsafe, from a `check` run before fixing)
  were touched.

Wheels come from `pip download` into a cache folder (see `realworld_corpus.py`); without network the
tests skip with pip's reason. The time of every step is printed (and recorded as a junit property).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Dict, List, Set, Tuple

import pytest

import realworld_corpus
from realworld_corpus import PINNED, CorpusUnavailable

pytestmark = pytest.mark.slow

RUN_TIMEOUT = 3600


def _hashes(root: Path) -> Dict[str, str]:
    return {
        os.path.realpath(path): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*.py"))
    }


def _diffs(pairs: List[Tuple[str, bytes, bytes]], limit: int = 6000) -> str:
    """Unified diffs of (path, old, new), cut to `limit` characters: what an assertion failure shows."""
    chunks = []
    for path, old, new in pairs:
        chunks.extend(
            difflib.unified_diff(
                old.decode("utf-8", "replace").splitlines(keepends=True),
                new.decode("utf-8", "replace").splitlines(keepends=True),
                fromfile=f"a/{path}",
                tofile=f"b/{path}",
            )
        )
    text = "".join(chunks)
    return text if len(text) <= limit else text[:limit] + "\n[... diff cut ...]\n"


def _compiles(path: str) -> bool:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(Path(path).read_bytes(), path, "exec", dont_inherit=True)
        except (SyntaxError, ValueError, UnicodeDecodeError, LookupError, RecursionError, MemoryError):
            return False
    return True


def _check(project: Path, *args: str) -> Tuple[subprocess.CompletedProcess, List[dict]]:
    command = [sys.executable, "-m", "fastapi_asynclint", "check", "--no-cache", "--output-format", "json", *args]
    env = {**os.environ, "NO_COLOR": "1", "PYTHONWARNINGS": "ignore"}
    completed = subprocess.run(command, cwd=project, capture_output=True, text=True, timeout=RUN_TIMEOUT, env=env)
    where = f"`{' '.join(command[2:])}` in {project}"
    assert "Traceback" not in completed.stderr, f"{where} crashed:\n{completed.stderr[-5000:]}"
    assert completed.returncode in (0, 1), f"{where} exited {completed.returncode}:\n{completed.stderr[-5000:]}"
    try:
        findings = json.loads(completed.stdout)
    except ValueError as exc:  # pragma: no cover - the assertion message is the point
        raise AssertionError(f"{where} printed invalid JSON ({exc}):\n{completed.stdout[:2000]}") from None
    assert isinstance(findings, list)
    assert (completed.returncode == 1) == bool(findings), f"{where}: exit code and findings disagree"
    return completed, findings


def _fixable_files(findings: List[dict]) -> Set[str]:
    return {
        os.path.realpath(finding["filename"])
        for finding in findings
        if finding.get("fix") and finding["fix"].get("applicability") in ("safe", "unsafe")
    }


@pytest.fixture
def timings(record_property, capsys, request):
    """`with timings("step"):` times a step; `timings.note(...)` adds a line; all printed past the capture."""
    steps: List[Tuple[str, float]] = []
    notes: List[str] = []

    class Timer:
        def __call__(self, step: str) -> "_Step":
            return _Step(steps, step)

        def note(self, text: str) -> None:
            notes.append(text)

    yield Timer()
    for step, seconds in steps:
        record_property(f"seconds_{step}", round(seconds, 2))
    with capsys.disabled():
        summary = ", ".join(f"{step} {seconds:.1f}s" for step, seconds in steps)
        print(f"\n[{request.node.name}] {summary}" + "".join(f"\n    {note}" for note in notes))


class _Step:
    def __init__(self, steps: List[Tuple[str, float]], name: str) -> None:
        self.steps, self.name = steps, name

    def __enter__(self) -> "_Step":
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc_info) -> None:
        self.steps.append((self.name, time.perf_counter() - self.started))


@pytest.mark.parametrize("name", sorted(PINNED))
def test_fix_real_package(name: str, tmp_path: Path, timings) -> None:
    version = PINNED[name]
    with timings("download+unpack"):
        try:
            tree = realworld_corpus.package_tree(name, version)
        except CorpusUnavailable as exc:
            if os.environ.get(realworld_corpus.REQUIRE_ENV):
                pytest.fail(str(exc))
            pytest.skip(str(exc))
    project = tmp_path / "project"
    with timings("copy"):
        copied = realworld_corpus.copy_python_tree(tree, project / tree.name)
        # A project marker of its own, so that no pyproject.toml above the temporary folder is picked up.
        (project / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    assert copied > 100, f"{name}=={version}: only {copied} Python files in the wheel"

    with timings("hash+compile before"):
        before = _hashes(project)
        compiled_before = {path for path in before if _compiles(path)}

    with timings("check (no fix)"):
        _, findings = _check(project, tree.name)
    fixable = _fixable_files(findings)

    with timings("check --fix --unsafe-fixes"):
        _, remaining = _check(project, "--fix", "--unsafe-fixes", tree.name)

    with timings("hash+compile after"):
        after = _hashes(project)
        assert set(after) == set(before), "a fix created or removed files"
        changed = {path for path in before if before[path] != after[path]}
        broken = sorted(path for path in compiled_before & changed if not _compiles(path))
        fixed_bytes = {path: Path(path).read_bytes() for path in changed}

    def original(path: str) -> bytes:
        return (tree / Path(path).relative_to(os.path.realpath(project / tree.name))).read_bytes()

    assert not broken, (
        f"{len(broken)} file(s) compiled before the fix and do not after: {broken[:10]}\n"
        + _diffs([(path, original(path), fixed_bytes[path]) for path in broken[:3]])
    )
    unexpected = sorted(changed - fixable)
    assert not unexpected, (
        f"files changed without an applicable fix reported before: {unexpected[:10]}\n"
        + _diffs([(path, original(path), fixed_bytes[path]) for path in unexpected[:3]])
    )

    with timings("second check --fix --unsafe-fixes"):
        _check(project, "--fix", "--unsafe-fixes", tree.name)
        again = _hashes(project)
    refixed = sorted(path for path in after if after[path] != again[path])
    if refixed:
        # what the first run left: the first run's output for these files, or the original when untouched
        first = {path: fixed_bytes[path] if path in fixed_bytes else original(path) for path in refixed[:3]}
        raise AssertionError(
            f"a second --fix changed {len(refixed)} file(s) again: {refixed[:10]}\n"
            + _diffs([(path, first[path], Path(path).read_bytes()) for path in refixed[:3]])
        )

    timings.note(
        f"{name}=={version}: {copied} files, {len(findings)} findings before fixing "
        f"({len(fixable)} files with applicable fixes), {len(changed)} files fixed, {len(remaining)} findings after"
    )
