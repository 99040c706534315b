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
import time
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
    if not path.exists():
        path.write_text(text)
        return
    before = path.stat()
    path.write_text(text)
    os.utime(path, ns=(before.st_atime_ns, max(path.stat().st_mtime_ns, before.st_mtime_ns + 1_000_000)))


def _file_operation(project: Path, data, originals: Dict[str, str], added: List[Path]) -> None:
    """Rename, delete or add a file, or edit one keeping its size and restoring its times (`cp -p`,
    `rsync -t`, `touch -d`): what git's stat keys (size, mtime, ctime, inode) must still see."""
    files = sorted(path for path in project.rglob("*.py") if ".fastapi_asynclint_cache" not in path.parts)
    if not files:  # earlier operations deleted them all
        return
    path = data.draw(st.sampled_from(files), label="file operated on")
    relative = path.relative_to(project).as_posix()
    operation = data.draw(st.sampled_from(["rename", "delete", "add", "same size, old times"]), label="operation")
    if operation in ("rename", "delete", "same size, old times"):
        originals.setdefault(relative, path.read_text())
    if operation == "rename":
        target = path.with_name(f"renamed_{path.name}")
        path.rename(target)
        added.append(target)
    elif operation == "delete":
        path.unlink()
    elif operation == "add":
        target = path.with_name(f"added_{path.name}")
        target.write_text(path.read_text())
        added.append(target)
    else:
        text = path.read_text()
        digits = [index for index, char in enumerate(text) if char.isdigit()]
        if not digits:
            return
        index = data.draw(st.sampled_from(digits), label="digit")
        before = path.stat()
        path.write_text(text[:index] + str((int(text[index]) + 1) % 10) + text[index + 1 :])
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))


def _age(project: Path) -> None:
    """Every file an hour old: no stat is then racily clean, so only what it holds can tell an edit."""
    hour_ago = time.time_ns() - 3600 * 10**9
    for path in project.rglob("*.py"):
        os.utime(path, ns=(hour_ago, hour_ago))


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
    originals: Dict[str, str] = {}
    added: List[Path] = []
    _age(project)
    invoke(project, COMMAND)  # the cache holds the unedited project (or what the last example left)
    try:
        for _ in range(data.draw(st.integers(1, 3), label="edits")):
            if data.draw(st.booleans(), label="a file operation"):
                _file_operation(project, data, originals, added)
            else:
                files = sorted(path.relative_to(project).as_posix() for path in project.rglob("*.py"))
                if not files:
                    continue
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
        for path in added:
            path.unlink(missing_ok=True)


def test_an_edit_that_keeps_size_and_times_is_seen(tmp_path):
    """`cp -p`, `rsync -t`, `tar`, `touch -d`: the content changes, size and mtime do not."""
    from conftest import BLOCKING_APP

    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    app = project / "app.py"
    app.write_text(BLOCKING_APP)
    _age(project)
    first = invoke(project, COMMAND)
    assert "asyncio.sleep(1)" in first.stdout
    for replacement in ("time.sleep(2)", "time.sleep(3)"):
        before = app.stat()
        copy = project / "copy.tmp"
        copy.write_text(app.read_text().replace("time.sleep(1)", replacement).replace("time.sleep(2)", replacement))
        os.utime(copy, ns=(before.st_atime_ns, before.st_mtime_ns))
        os.replace(copy, app)  # a new inode with the old size and times, as `cp -p` leaves it
        again = invoke(project, COMMAND)
        assert f"asyncio.sleep({replacement[-2]})" in again.stdout, replacement
        assert again.stdout == invoke(project, [*COMMAND, "--no-cache"]).stdout


def test_a_helper_moved_away_and_back_is_seen(tmp_path):
    """While a helper's module is missing, the route that calls it has no finding, and the rules read
    nothing of the route; once the module is back, the cached run must read the route again."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    (project / "loader.py").write_text("def load(path):\n    with open(path) as handle:\n        return handle.read()\n")
    (project / "app.py").write_text(
        "import time\nfrom loader import load\n\n\nasync def sleepy():\n    time.sleep(1)\n\n\n"
        "async def template(name: str):\n    return load(name)\n"
    )
    _age(project)
    assert invoke(project, COMMAND).stdout.count('"code"') == 2
    (project / "loader.py").rename(project / "moved.py")
    assert invoke(project, COMMAND).stdout.count('"code"') == 1
    (project / "moved.py").rename(project / "loader.py")
    cached = invoke(project, COMMAND)
    assert cached.stdout == invoke(project, [*COMMAND, "--no-cache"]).stdout
    assert cached.stdout.count('"code"') == 2


def _callee_edits_are_seen(tmp_path, callee: str, caller: str, edited: str, counts) -> None:
    """Write `callee.py` (`callee`) and `app.py` (`caller`), then edit the callee to `edited` and back:
    each cached run must equal an uncached one and find `counts` (before, edited, back) findings."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    (project / "callee.py").write_text(callee)
    (project / "app.py").write_text(caller)
    _age(project)
    assert invoke(project, COMMAND).stdout.count('"code"') == counts[0]
    for text, expected in ((edited, counts[1]), (callee, counts[2])):
        _write(project / "callee.py", text)
        cached = invoke(project, COMMAND)
        assert cached.stdout == invoke(project, [*COMMAND, "--no-cache"]).stdout
        assert cached.stdout.count('"code"') == expected


def test_a_changed_default_that_selects_a_blocking_branch_is_seen(tmp_path):
    """A call that omits an argument blocks or not by the callee's default (`mode="file"` selects the
    branch that reads); changing the default there and back must change the caller's findings."""
    loader = 'def load(source, mode="file"):\n    if mode == "file":\n        with open(source) as handle:\n            return handle.read()\n    return source\n'
    caller = "from callee import load\n\n\nasync def template(name: str):\n    return load(name)\n"
    _callee_edits_are_seen(tmp_path, loader, caller, loader.replace('mode="file"):', 'mode="text"):'), (1, 0, 1))


def test_a_task_coroutine_that_starts_to_await_is_seen(tmp_path):
    """A dropped task of a coroutine that never awaits is not reported (it ends in its first step); once
    the coroutine, in another file, awaits, the caller's cached findings must show the dropped task."""
    quick = "import asyncio\n\n\nasync def note(text):\n    print(text)\n"
    caller = "import asyncio\nfrom callee import note\n\n\nasync def route():\n    asyncio.create_task(note('x'))\n"
    _callee_edits_are_seen(tmp_path, quick, caller, quick.replace("    print(text)", "    await asyncio.sleep(1)"), (0, 1, 0))


def test_an_app_that_starts_to_serve_a_queue_is_seen(tmp_path):
    """A local queue is reported while no app is found (every function then counts as `request`); once
    another file builds an app whose route calls its function, it is made per request, and the cached
    findings must drop it, although the function's reach reads `request` both times."""
    worker = "import asyncio\n\n\ndef note(item):\n    pending = asyncio.Queue()\n    pending.put_nowait(item)\n"
    served = (
        "from fastapi import FastAPI\nfrom app import note\n\napp = FastAPI()\n\n\n"
        '@app.get("/")\nasync def index():\n    note(1)\n'
    )
    _callee_edits_are_seen(tmp_path, "VALUE = 1\n", worker, served, (1, 0, 1))


def test_a_switch_that_stops_reading_the_environment_is_seen(tmp_path):
    """A coroutine's own `if tracing():` makes its finding conditional only while `tracing`, in another
    file, reads an environment variable; once it does not, the cached finding must assert again."""
    reads = 'import os\n\n\ndef tracing():\n    return bool(os.getenv("TRACE_DIR"))\n'
    caller = "from callee import tracing\n\n\nasync def route():\n    if tracing():\n        open('trace.log').close()\n"
    _callee_edits_are_seen(tmp_path, reads, caller, "def tracing():\n    return True\n", (1, 1, 1))
    project = tmp_path / "project"
    assert "(when `tracing()` is true)" in invoke(project, COMMAND).stdout
    _write(project / "callee.py", "def tracing():\n    return True\n")
    assert "(when" not in invoke(project, COMMAND).stdout


# Runs the command line in a fresh interpreter, then says whether libcst was imported.
_LIBCST_PROBE = (
    "import runpy, sys\n"
    "sys.argv = ['fastapi-asynclint', *sys.argv[1:]]\n"
    "try:\n"
    "    runpy.run_module('fastapi_asynclint', run_name='__main__')\n"
    "except SystemExit:\n"
    "    pass\n"
    "sys.stderr.write(f\"\\nlibcst imported: {'libcst' in sys.modules}\\n\")\n"
)


def _run_probed(project: Path):
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _LIBCST_PROBE, *COMMAND], cwd=project, capture_output=True, text=True, timeout=120
    )
    return done.stdout, done.stderr.rstrip().endswith("libcst imported: True")


def test_an_edit_the_rules_need_not_read_again_imports_no_libcst(tmp_path):
    """Which rules want a file, and what they read of it, is decided from the index summary: an edit to a
    module no rule wants, or outside what the rules read of a route module, is answered without libcst.
    An edit inside a coroutine the rules read needs it (the near miss that shows the probe works)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    (project / "models.py").write_text("LIMIT = 10\n\n\ndef clamp(value):\n    return min(value, LIMIT)\n")
    app = project / "app.py"
    app.write_text(
        "import time\n\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.get('/')\nasync def index():\n"
        "    time.sleep(1)\n    return {}\n\n\ndef helper(value):\n    return value + 1\n"
    )
    _age(project)
    first, _ = _run_probed(project)
    assert first.count('"code"') == 1
    edits = [
        (project / "models.py", "LIMIT = 10\n", "LIMIT = 10\nFLOOR = 0\n", False),
        (app, "    return value + 1\n", "    value = value * 2\n    return value + 1\n", False),
        (app, "    return {}\n", "    time.sleep(2)\n    return {}\n", True),
    ]
    for path, old, new, needs_libcst in edits:
        path.write_text(path.read_text().replace(old, new))
        cached, imported = _run_probed(project)
        assert imported == needs_libcst, (path.name, new)
        assert cached == invoke(project, [*COMMAND, "--no-cache"]).stdout
    assert cached.count('"code"') == 2
