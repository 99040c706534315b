"""Generated documentation is never stale, and the README's commands are the ones CI runs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_generated_docs_are_up_to_date():
    completed = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generate_docs.py"), "--check"], capture_output=True, text=True
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr + "\nrun: python scripts/generate_docs.py"


def _readme_commands():
    readme = (ROOT / "README.md").read_text()
    block = re.search(r"<!-- setup:start -->\n```(?:sh|bash)\n(.*?)```\n<!-- setup:end -->", readme, re.S)
    assert block, "README must hold the two set-up commands between setup markers"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def test_readme_gives_two_setup_commands_and_ci_runs_the_test_one():
    commands = _readme_commands()
    assert len(commands) == 2
    demo, tests = commands
    assert "fastapi-asynclint check fixtures/example_app" in demo
    assert "pytest" in tests
    assert tests in (ROOT / ".ci" / "run").read_text(), ".ci/run must run the README's test command"
