"""The documentation says what the linter does: generated docs are never stale, the Fix column and each rule
page's fix statement match what `--fix` and `--unsafe-fixes` really do, the README's commands are the ones
CI runs, and docs/real-world.md's causes have the status their reproducers show."""

from __future__ import annotations

import csv
import importlib
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Dict, List, Set

import pytest

from fastapi_asynclint.registry import all_rules
from fastapi_asynclint.rule_docs import lint_probe, probes

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
REAL_WORLD = ROOT / "docs" / "real-world.md"
CASES_DIR = ROOT / "tests" / "real_world_cases"


def test_generated_docs_are_up_to_date():
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_docs.py"), "--check"], capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr + "\nrun: python scripts/generate_docs.py"


# ------------------------------------------------------------------------------------------ set-up and CI
def _readme_commands() -> List[str]:
    readme = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- setup:start -->\n```(?:sh|bash)\n(.*?)```\n<!-- setup:end -->", readme, re.S)
    assert block, "README must hold the two set-up commands between setup markers"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def _ci_commands() -> List[str]:
    lines = (ROOT / ".ci" / "run").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def test_readme_gives_two_setup_commands_and_ci_runs_the_test_one():
    commands = _readme_commands()
    assert len(commands) == 2
    demo, tests = commands
    assert "fastapi-asynclint check fixtures/example_app" in demo
    assert "pytest" in tests
    assert tests in _ci_commands(), ".ci/run must run the README's test command, unchanged, on a line of its own"


def test_ci_runs_the_slow_tests_the_readme_mentions():
    """The README's test command runs the fast suite; the slow tests it points to must run in CI too."""
    readme = README.read_text(encoding="utf-8")
    slow = re.findall(r"`([^`\n]*pytest[^`\n]* -m slow)`", readme)
    assert slow, "the README must say how to run the slow tests (`... -m slow`)"
    ci = _ci_commands()
    for command in slow:
        assert command in ci, f".ci/run must run {command!r}"
    assert ci.index(slow[0]) > ci.index(_readme_commands()[1]), "the slow tests run after the fast suite"


def _collected(*args: str) -> str:
    completed = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider", *args, "tests/test_real_world.py"],
        cwd=ROOT, capture_output=True, text=True,
    )
    return completed.stdout


def test_pytest_leaves_the_slow_tests_out_unless_asked():
    by_default = _collected()
    assert re.search(r"\b0 selected|no tests collected|deselected", by_default), by_default[-800:]
    assert "test_real_world.py::" not in by_default
    asked = _collected("-m", "slow")
    assert "test_real_world.py::" in asked, asked[-800:]


# ------------------------------------------------------------------------------------------ fix column
def _readme_fix_cells() -> Dict[str, Set[str]]:
    cells = {}
    for match in re.finditer(r"^\| \[(FAL\d{3})\]\([^)]*\) \|.*\| ([^|]*) \|$", README.read_text(encoding="utf-8"), re.M):
        cells[match.group(1)] = {part.strip() for part in match.group(2).split(",")}
    return cells


def _snapshot(root: Path, paths) -> Dict[str, bytes]:
    return {path: (root / path).read_bytes() for path in paths}


def _what_fixing_does(code: str, tmp_path: Path) -> Set[str]:
    """What each rule's probes show, observed by the files `--fix` and `--fix --unsafe-fixes` change (not by
    the applicability the findings declare, which is what the generator reads)."""
    seen: Set[str] = set()
    for number, probe in enumerate(probes(code)):
        texts = {}
        for mode in ("plain", "safe", "unsafe"):
            root = tmp_path / f"{number}-{mode}"
            root.mkdir()
            found = lint_probe(probe, code, root, fix=mode != "plain", unsafe_fixes=mode == "unsafe")
            texts[mode] = _snapshot(root, probe.files)
            if mode == "plain" and any(d.fix is not None and d.fix.applicability.value == "display-only" for d in found):
                seen.add("display-only")
        if texts["safe"] != texts["plain"]:
            seen.add("safe")
        if texts["unsafe"] != texts["safe"]:
            seen.add("unsafe")
    return seen


@pytest.mark.parametrize("code", list(all_rules()))
def test_docs_say_what_the_fixes_do(code, tmp_path):
    seen = _what_fixing_does(code, tmp_path)
    cell = _readme_fix_cells().get(code)
    assert cell is not None, f"README's rule table has no row for {code}"
    assert cell == (seen or {"none"}), f"README says {code}'s fixes are {cell}; applying them shows {seen or 'none'}"
    statement = (ROOT / "docs" / "rules" / f"{code}.md").read_text(encoding="utf-8").split("\n\n")[1]
    assert statement.startswith("**Fix:**"), statement
    said = set(re.findall(r"(?<![\w-])(safe|unsafe|display-only) \(", statement))
    assert said == seen, f"docs/rules/{code}.md: {statement}"
    assert ("none" in statement) == (not seen), f"docs/rules/{code}.md: {statement}"
    safety = (importlib.import_module(all_rules()[code].module).__doc__ or "").partition("## Fix safety")[2].strip()
    says_none = safety.startswith("No fix.") or safety.startswith("No fix:") or "not available" in safety
    assert says_none == (not seen), f"{code}'s docstring, Fix safety: {safety[:200]!r}; applying fixes shows {seen or 'none'}"


# ------------------------------------------------------------------------------------------ hygiene
DOCS = [README, *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_docs_hold_no_paths_of_a_machine(path):
    text = path.read_text(encoding="utf-8")
    assert not re.findall(r"(?<![\w.])/(?:work|home|root|tmp|Users)/\S*", text)


def test_readme_holds_no_history():
    """No commit hashes, except the commit a pre-commit `rev:` pins."""
    lines = [line for line in README.read_text(encoding="utf-8").splitlines() if not line.strip().startswith("rev:")]
    hashes = [word for line in lines for word in re.findall(r"\b[0-9a-f]{7,40}\b", line) if re.search(r"[a-f]", word) and re.search(r"\d", word)]
    assert hashes == []


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_docs_do_not_install_from_pypi(path):
    """The package is not on PyPI yet: every install goes through the repository."""
    assert not re.findall(r"pipx? install (?:-U )?fastapi-asynclint\b", path.read_text(encoding="utf-8"))


# ------------------------------------------------------------------------------------------ real-world page
def _cause_statuses() -> Dict[str, str]:
    """docs/real-world.md's cause tables: id -> status (the column named Status)."""
    statuses = {}
    for table in re.findall(r"((?:^\|.*\|\n)+)", REAL_WORLD.read_text(encoding="utf-8"), re.M):
        rows = [[cell.strip() for cell in row.strip().strip("|").split(" | ")] for row in table.splitlines()]
        if "Id" in rows[0] and "Status" in rows[0]:
            status = rows[0].index("Status")
            statuses.update({row[0]: row[status] for row in rows[2:]})
    return statuses


def test_real_world_causes_have_the_status_their_reproducers_show():
    """Every reproducer under tests/real_world_cases/ (fpNN_*, fnNN_*) names a cause of the page's tables;
    a cause is "open" (or "by design") when all its reproducers are expected failures in
    tests/test_real_world_cases.py, "fixed" when none is, "partly fixed" otherwise."""
    from test_real_world_cases import OPEN

    cases: Dict[str, List[bool]] = {}
    for case in sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir()):
        match = re.match(r"(fp|fn)(\d+)", case)
        if match:
            cases.setdefault(f"{match.group(1).upper()}{int(match.group(2))}", []).append(case in OPEN)
    statuses = _cause_statuses()
    assert sorted(cases) == sorted(statuses), "docs/real-world.md's cause ids and tests/real_world_cases/ differ"
    for cause, open_cases in cases.items():
        expected = {True: "open", False: "fixed"}[open_cases[0]] if len(set(open_cases)) == 1 else "partly fixed"
        said = "open" if statuses[cause] == "by design" else statuses[cause]
        assert said == expected, f"docs/real-world.md says {cause} is {statuses[cause]!r}; its reproducers say {expected!r}"


def test_real_world_counts_match_the_verdicts_data():
    """The page's first table (findings, true, low impact, false per application) sums the verdicts file."""
    counts: Counter = Counter()
    with open(ROOT / "docs" / "real-world" / "prefect-litellm-verdicts.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found = len(row["locations"].split("; "))
            for app in (row["app"], "both"):
                counts[app, "findings"] += found
                counts[app, row["verdict"]] += found
                counts[app, "low"] += found if row["low_impact"] else 0
    text = REAL_WORLD.read_text(encoding="utf-8")
    for app in ("prefect", "litellm", "both"):
        row = re.search(rf"^\| (?:\[{app}\]\([^)]*\)|\*\*{app}\*\*) \|.*$", text, re.M)
        assert row, app
        numbers = [int(cell.replace(",", "")) for cell in re.findall(r"\| ([\d,]+) (?=\|)", row.group(0))][-4:]
        assert numbers == [counts[app, "findings"], counts[app, "true"], counts[app, "low"], counts[app, "false"]], app


def test_real_world_page_keeps_a_place_for_the_next_triage():
    assert re.search(r"^## Ten applications the rules were not tuned on$", REAL_WORLD.read_text(encoding="utf-8"), re.M)
