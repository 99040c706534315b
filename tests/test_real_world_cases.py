"""Regression fixtures from the real-world triage (docs/real-world.md, "False-positive root causes" and
"False negatives noticed"): every false positive and false negative found on prefect and litellm has a
minimal reproducer under tests/real_world_cases/<case>/.

A line that should be reported ends with `# expect: FAL103` (several codes: `# expect: FAL103, FAL104`) on
the row of the reported call; every other line must have no finding. Each case is copied to a temporary
folder and checked the way the triage ran it: `check <case> --no-cache`, from the folder holding it, with
no project marker (pyproject.toml, setup.py, setup.cfg, .git) above it, so the checked folder is the root.

A case whose root cause is still open is a strict xfail (see OPEN below, the to-do list): once the cause is
fixed the test XPASSes, which fails the run, and its entry must be removed from OPEN.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from typing import Dict, Set, Tuple

import pytest

from fastapi_asynclint.settings import find_config

CASES_DIR = Path(__file__).resolve().parent / "real_world_cases"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))

# The path given to `check`, relative to the temporary folder, when it is not the case folder itself.
TARGETS = {"fn01_namespace_package": "fn01_namespace_package/pkg"}

# Open root causes: case -> (cause id in docs/real-world.md, what the linter still gets wrong).
OPEN: Dict[str, Tuple[str, str]] = {
    "fp02d_attribute_kwargs_guard": ("FP2", "a value popped from **kwargs (`kwargs.pop('k', None)`) is not None when the call omits k"),
    "fp06b_isinstance_project_class": ("FP6", "an instance of a project class does not rule out the `isinstance(x, str)` branch"),
    "fp09_first_return": ("FP9", "only the first `return` of a factory returning a sync or an async client is kept"),
    "fp10_fresh_lock": ("FP10", "acquire() on a threading.Lock created on the previous line is reported"),
    "fp12_gather_batched": ("FP12", "FAL304 on a gather over a constant-width slice (already batched)"),
    "fp13_gather_server_data": ("FP13", "FAL304 on a gather over server-side data, not a request-derived collection"),
    "fp15_queue_self_limited": ("FP15", "FAL301 on a queue whose producers each wait for their own item"),
    "fp16_latent_sync_generator_streaming": ("FP16", "calling a sync generator function for StreamingResponse runs nothing on the loop"),
    "fp20_enum_value_test": ("FP20", "a test against a str-Enum member (`type == E.S3`) is not read as a value test"),
    "fn03_property": ("FN3", "@property return types are not followed"),
    "fn04_focus_drops_nested_helper": ("FN4", "the focus pass drops a sync helper defined next to a nested coroutine"),
    "fn05_alias_of_rebound_local": ("FN5", "a `with` alias of a local bound in two branches keeps only the first binding"),
    "fn07_with_lock": ("FN7", "`with threading.Lock():` in a coroutine is not reported"),
    "fn08_value_selection": ("FN8", "a value-selecting branch is dropped for a value the request decides (deliberate trade-off)"),
}

Finding = Tuple[str, int, str]  # path relative to the case folder, row, code

_MARKER = re.compile(r"#\s*expect:\s*(FAL\d{3}(?:\s*,\s*FAL\d{3})*)\s*$")
_MARKER_LIKE = re.compile(r"#\s*expect\b", re.IGNORECASE)


def expected_findings(case: Path) -> Set[Finding]:
    found: Set[Finding] = set()
    for path in sorted(case.rglob("*.py")):
        relative = path.relative_to(case).as_posix()
        for row, line in enumerate(path.read_text().splitlines(), start=1):
            match = _MARKER.search(line)
            if match is None:
                if _MARKER_LIKE.search(line):
                    pytest.fail(f"{relative}:{row}: malformed marker (want `# expect: FAL101[, FAL102]` at the end of the line): {line.strip()}")
                continue
            found.update((relative, row, code.strip()) for code in match.group(1).split(","))
    return found


def _params():
    for case in CASES:
        if case in OPEN:
            cause, reason = OPEN[case]
            mark = pytest.mark.xfail(strict=True, raises=AssertionError, reason=f"{cause}: {reason}")
            yield pytest.param(case, marks=mark, id=case)
        else:
            yield pytest.param(case, id=case)


def test_open_causes_name_existing_cases():
    assert sorted(set(OPEN) - set(CASES)) == []
    assert sorted(set(TARGETS) - set(CASES)) == []


@pytest.mark.parametrize("case", list(_params()))
def test_real_world_case(case, cli):
    root = cli.root
    config, marker_root = find_config(root)
    if config is not None or marker_root is not None:
        pytest.fail(f"a project marker above {root} ({marker_root}) changes the case's root; use another --basetemp")
    shutil.copytree(CASES_DIR / case, root / case, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    result = cli("check", "--no-cache", "--output-format", "json", TARGETS.get(case, case))
    if result.exit_code not in (0, 1):
        pytest.fail(f"exit code {result.exit_code}: {result.stderr}")
    base = os.path.realpath(root / case)
    actual = {
        (os.path.relpath(os.path.realpath(os.path.join(root, d["filename"])), base).replace(os.sep, "/"), d["location"]["row"], d["code"])
        for d in json.loads(result.stdout)
    }
    expected = expected_findings(root / case)
    wrong = {"false positives": sorted(actual - expected), "false negatives": sorted(expected - actual)}
    assert wrong == {"false positives": [], "false negatives": []}
