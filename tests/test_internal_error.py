"""A bug of the linter is an internal error, never a crash that looks like findings: an unexpected exception
while checking one file becomes that file's FAL903 finding and an error on stderr, the other files are
still checked, and the run exits 2 (Python's own 1 would tell CI "findings"), `--exit-zero` or not."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from conftest import BLOCKING_APP

# Run in a fresh interpreter, with the engine broken for one file.
_BROKEN_ENGINE = textwrap.dedent(
    """
    import runpy, sys
    import fastapi_asynclint.engine as engine

    plan = engine.plan

    def broken(text, *args, **kwargs):
        if "BROKEN" in text:
            raise KeyError("boom")
        return plan(text, *args, **kwargs)

    engine.plan = broken
    sys.argv = ["fastapi-asynclint", *sys.argv[1:]]
    runpy.run_module("fastapi_asynclint", run_name="__main__")
    """
)


def _check(root, *args):
    return subprocess.run(
        [sys.executable, "-c", _BROKEN_ENGINE, "check", "--no-cache", *args], cwd=root, capture_output=True, text=True
    )


def test_an_exception_in_one_file_is_its_fal903_and_the_run_goes_on(cli):
    cli.write({"broken.py": BLOCKING_APP + "# BROKEN\n", "fine.py": BLOCKING_APP})
    done = _check(cli.root, "--output-format", "json", "--exit-zero", ".")
    assert done.returncode == 2, done.stderr
    found = json.loads(done.stdout)
    codes = sorted((item["filename"].rsplit("/", 1)[-1], item["code"]) for item in found)
    assert ("fine.py", "FAL101") in codes and ("broken.py", "FAL903") in codes
    assert "KeyError" in done.stderr and "broken.py" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_rule_that_fails_is_a_fal903_of_its_file(cli):
    """A rule's own exception is caught around each of its visits (rule.py): the file still gets the other
    rules' findings, and the failure is its FAL903."""
    script = textwrap.dedent(
        """
        import runpy, sys
        import fastapi_asynclint.rules.fal101_blocking_sleep as rule

        def leave_Module(self, node):  # libcst finds visitor methods by their names
            raise ValueError("rule bug")

        rule.RULE.leave_Module = leave_Module
        sys.argv = ["fastapi-asynclint", "check", "--no-cache", "--output-format", "json", "."]
        runpy.run_module("fastapi_asynclint", run_name="__main__")
        """
    )
    cli.write({"app.py": BLOCKING_APP + "\n\nasync def spawn():\n    asyncio.create_task(asyncio.sleep(1))\n", "__init__.py": ""})
    (cli.root / "app.py").write_text("import asyncio\n" + (cli.root / "app.py").read_text())
    done = subprocess.run([sys.executable, "-c", script], cwd=cli.root, capture_output=True, text=True)
    assert done.returncode == 2, done.stderr
    codes = sorted(item["code"] for item in json.loads(done.stdout))
    assert codes == ["FAL303", "FAL903"]
    assert "rule FAL101 failed: ValueError: rule bug" in done.stderr


def test_an_internal_error_outside_any_file_exits_2(cli, monkeypatch):
    cli.write({"app.py": BLOCKING_APP})
    script = (
        "import sys, runpy\n"
        "import fastapi_asynclint.runner as runner\n"
        "def broken(*args, **kwargs):\n    raise RuntimeError('broken on purpose')\n"
        "runner.run_check = broken\n"
        "sys.argv = ['fastapi-asynclint', 'check', '--no-cache', '--exit-zero', '.']\n"
        "runpy.run_module('fastapi_asynclint', run_name='__main__')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=cli.root, capture_output=True, text=True)
    assert done.returncode == 2
    assert "internal error" in done.stderr and "RuntimeError: broken on purpose" in done.stderr
