"""A file's cache identity (build.code_digest): blank and comment lines between top-level statements do not
count, everything that a finding, a fix or a noqa can read does. And a run after such an edit gives the
findings of a run without cache."""

from __future__ import annotations

import ast
import subprocess
import sys
import textwrap

import pytest

from fastapi_asynclint.index.build import code_digest, summarize_bytes
from fastapi_asynclint.index.modules import ModuleName

from conftest import BLOCKING_APP

BASE = textwrap.dedent(
    """\
    import time
    from fastapi import FastAPI

    app = FastAPI()


    @app.get("/")
    async def index():
        # wait a little
        time.sleep(1)
        return {"ok": True}
    """
)


def _digest(text: str) -> str:
    return code_digest(text, ast.parse(text))


SAME = {
    "a comment appended": BASE + "\n# later\n",
    "a comment naming the tool appended": BASE + "\n# checked by fastapi-asynclint\n",
    "blank lines appended": BASE + "\n\n\n",
    "the last newline dropped": BASE.rstrip("\n"),
    "a comment between statements edited in place": BASE.replace("\n\n\n@app", "\n# routes\n\n@app"),
    "CRLF line ends on a trivia line": BASE.replace("app = FastAPI()\n\n", "app = FastAPI()\n\r\n"),
}
DIFFERENT = {
    "a comment inside the route": BASE.replace("# wait a little", "# wait longer"),
    "a blank line that moves the code": BASE.replace("app = FastAPI()\n", "app = FastAPI()\n\n"),
    "a noqa comment between statements": BASE.replace("\n\n\n@app", "\n# noqa: FAL101\n\n@app"),
    "a file-level directive appended": BASE + "# fastapi-asynclint: noqa\n",
    "a file-level directive for one code appended": BASE + "# FASTAPI-ASYNCLINT: NOQA: FAL101\n",
    "a comment between a decorator and its def": BASE.replace('@app.get("/")\n', '@app.get("/")\n# note\n'),
    "an encoding declared on row 1": "# -*- coding: latin-1 -*-\n" + BASE.split("\n", 1)[1],
    "a module docstring added": '"""One."""\n' + BASE,
    "code changed in place": BASE.replace("sleep(1)", "sleep(2)"),
}


@pytest.mark.parametrize("name", list(SAME))
def test_edits_no_finding_can_see_keep_the_digest(name):
    assert _digest(SAME[name]) == _digest(BASE)


@pytest.mark.parametrize("name", list(DIFFERENT))
def test_edits_a_finding_can_see_change_the_digest(name):
    assert _digest(DIFFERENT[name]) != _digest(BASE)


def test_a_docstring_reworded_in_place_counts():
    text = BASE.replace("async def index():\n", 'async def index():\n    """Home."""\n')
    assert _digest(text) != _digest(text.replace("Home.", "Index"))


def test_a_string_that_looks_like_a_comment_counts():
    """Lines inside a multi-line string belong to its statement, whatever they look like."""
    text = 'QUERY = """\n# not a comment\n"""\n'
    assert _digest(text) != _digest(text.replace("# not a comment", "# changed"))


def test_the_summary_carries_the_digest_and_a_file_that_does_not_parse_its_bytes():
    app = ModuleName("app", False, ".")
    assert summarize_bytes(BASE.encode(), app).facts.code_digest == _digest(BASE)
    broken = summarize_bytes(b"def (:\n", app)
    assert broken.problem is not None and not broken.facts.code_digest.startswith("code:")


def _run(cwd, *args):
    command = [sys.executable, "-X", "importtime", "-m", "fastapi_asynclint", "check", "--jobs", "1", *args]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    imported = {line.split("|")[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    return done, imported


def _uncached(cwd, *args):
    return subprocess.run(
        [sys.executable, "-m", "fastapi_asynclint", "check", "--no-cache", *args], cwd=cwd, capture_output=True, text=True
    )


def test_a_comment_appended_is_answered_without_analysis_and_a_directive_is_not(cli):
    cli.write({"app.py": BLOCKING_APP, "helpers.py": "def load():\n    return 1\n"})
    args = ("--output-format", "concise", ".")
    first, _ = _run(cli.root, *args)
    assert "FAL101" in first.stdout
    with open(cli.root / "app.py", "a") as handle:
        handle.write("\n# a note for later\n")
    noted, imported = _run(cli.root, *args)
    assert noted.stdout == first.stdout == _uncached(cli.root, *args).stdout
    assert "libcst" not in imported and "fastapi_asynclint.index.project" not in imported
    with open(cli.root / "app.py", "a") as handle:
        handle.write("# fastapi-asynclint: noqa\n")
    silenced, _ = _run(cli.root, *args)
    assert "FAL101" not in silenced.stdout
    assert silenced.stdout == _uncached(cli.root, *args).stdout


def test_a_new_package_marker_renames_modules_and_is_not_answered_from_the_last_run(cli):
    """Module names depend on which folders hold an `__init__.py`, even one that is excluded: with
    `services/api/__init__.py`, `api.helpers` names a project module and the route's call is blocking."""
    cli.write(
        {
            "pyproject.toml": '[tool.fastapi-asynclint]\nexclude = ["services/api/__init__.py"]\n',
            "services/api/helpers.py": "import time\n\ndef load():\n    time.sleep(1)\n",
            "services/api/routes.py": "from api.helpers import load\n\nasync def route():\n    return load()\n",
        },
        config=None,
    )
    args = ("--output-format", "concise", ".")
    first, _ = _run(cli.root, *args)
    assert "FAL101" not in first.stdout
    (cli.root / "services" / "api" / "__init__.py").write_text("")
    after, _ = _run(cli.root, *args)
    assert "FAL101" in after.stdout
    assert after.stdout == _uncached(cli.root, *args).stdout
