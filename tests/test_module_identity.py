"""Module identity on real repository layouts: two files never share a name in the index, each file's
imports resolve against its own import root first, and the findings of a file do not depend on the folder
the linter is run from nor on how its paths are given.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, Set, Tuple

import pytest

from fastapi_asynclint.index.modules import ModuleMap

BLOCKING_HELPER = "import time\n\n\ndef helper():\n    time.sleep(1)\n"
HARMLESS_HELPER = "def helper():\n    return 1\n"
SERVICE_MAIN = """\
from fastapi import FastAPI
from helpers import helper

app = FastAPI()


@app.get("/")
async def index():
    return helper()
"""


def _write(root: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))


def _check(cwd: Path, *paths: str) -> Set[Tuple[str, int, str]]:
    """(path relative to the repository, row, code) of every finding, run as a user runs it."""
    done = subprocess.run(
        [sys.executable, "-m", "fastapi_asynclint", "check", "--no-cache", "--output-format", "json", *paths],
        cwd=cwd, capture_output=True, text=True,
    )
    assert done.returncode in (0, 1), done.stderr
    assert "Traceback" not in done.stderr
    return {(item["filename"], item["location"]["row"], item["code"]) for item in json.loads(done.stdout)}


def _relative(found: Set[Tuple[str, int, str]], cwd: Path, repository: Path) -> Set[Tuple[str, int, str]]:
    return {(Path(os.path.normpath(cwd / name)).relative_to(repository).as_posix(), row, code) for name, row, code in found}


def test_two_services_with_the_same_file_names_keep_their_own_helpers(tmp_path: Path):
    """`user-service/main.py` and `order-service/main.py` (folders that are no identifiers) each import
    `helpers`: only the service whose helper sleeps is reported, and nothing crashes."""
    (tmp_path / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    _write(tmp_path, {
        "user-service/main.py": SERVICE_MAIN, "user-service/helpers.py": BLOCKING_HELPER,
        "order-service/main.py": SERVICE_MAIN, "order-service/helpers.py": HARMLESS_HELPER,
    })
    found = _relative(_check(tmp_path, "."), tmp_path, tmp_path)
    assert found == {("user-service/main.py", 9, "FAL101")}


def test_two_tests_packages_and_same_named_packages_in_two_roots(tmp_path: Path):
    """`server/tests/` and `sdk/tests/` are both packages (a real repository crashed at its root on them),
    and `a/app/` and `b/app/` both hold `helpers.py`: every file gets a name of its own."""
    (tmp_path / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    _write(tmp_path, {
        "server/tests/__init__.py": "", "server/tests/conftest.py": "import pytest\n",
        "sdk/tests/__init__.py": "", "sdk/tests/conftest.py": "import pytest\n",
        "a/app/__init__.py": "", "a/app/helpers.py": BLOCKING_HELPER,
        "a/app/main.py": SERVICE_MAIN.replace("from helpers", "from app.helpers"),
        "b/app/__init__.py": "", "b/app/helpers.py": HARMLESS_HELPER,
        "b/app/main.py": SERVICE_MAIN.replace("from helpers", "from app.helpers"),
    })
    paths = sorted(str(path) for path in tmp_path.rglob("*.py"))
    names = ModuleMap(paths, str(tmp_path))
    assert len({names.name(path).name for path in paths}) == len(paths)
    expected = {("a/app/main.py", 9, "FAL101")}
    assert _relative(_check(tmp_path, "."), tmp_path, tmp_path) == expected
    assert _relative(_check(tmp_path, "a", "b"), tmp_path, tmp_path) == expected
    assert _relative(_check(tmp_path, "b", "a"), tmp_path, tmp_path) == expected


NESTED = {
    "pyproject.toml": "[tool.fastapi-asynclint]\n",
    "app/__init__.py": "",
    "app/main.py": SERVICE_MAIN.replace("from helpers", "from app.helpers"),
    "app/helpers.py": HARMLESS_HELPER,
    "storage/__init__.py": "",
    "storage/db.py": "def make_session():\n    return None\n",
    # A nested project with its own root: it imports `storage` relative to itself, not the top-level one.
    "services/worker/pyproject.toml": "[project]\nname = 'worker'\n",
    "services/worker/storage/__init__.py": "",
    "services/worker/storage/db.py": "import sqlite3\n\n\ndef make_session():\n    return sqlite3.connect('w.db')\n",
    "services/worker/api.py": """\
        from fastapi import FastAPI
        from storage.db import make_session

        app = FastAPI()


        @app.get("/jobs")
        async def jobs():
            return make_session()
        """,
    # Two services of the same file names, and two tests packages.
    "services/user-service/main.py": SERVICE_MAIN,
    "services/user-service/helpers.py": BLOCKING_HELPER,
    "services/order-service/main.py": SERVICE_MAIN,
    "services/order-service/helpers.py": HARMLESS_HELPER,
    "server/tests/__init__.py": "",
    "server/tests/test_api.py": "from app.main import index\n\n\nasync def test_index():\n    await index()\n",
    "sdk/tests/__init__.py": "",
    "sdk/tests/test_api.py": "def test_nothing():\n    assert True\n",
}


def test_findings_do_not_depend_on_where_the_linter_runs_from(tmp_path: Path):
    """From the repository root, from each folder, and with the paths listed by hand: the same findings
    for the same files."""
    _write(tmp_path, NESTED)
    everything = _relative(_check(tmp_path, "."), tmp_path, tmp_path)
    assert ("services/worker/api.py", 9, "FAL201") in everything
    assert ("services/user-service/main.py", 9, "FAL101") in everything
    assert not any(name.startswith("services/order-service") for name, _, _ in everything)
    for folder in ("app", "services", "services/worker", "services/user-service", "services/order-service", "server", "sdk"):
        inside = _relative(_check(tmp_path / folder, "."), tmp_path / folder, tmp_path)
        assert inside == {item for item in everything if item[0].startswith(folder + "/")}, folder
    listed = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*.py"))
    assert _relative(_check(tmp_path, *listed), tmp_path, tmp_path) == everything


def test_a_nested_project_checked_on_its_own_gives_what_the_repository_run_gives(tmp_path: Path):
    """The nested project without the repository's configuration (its own root then): the same findings."""
    files = {name: text for name, text in NESTED.items() if name.startswith("services/worker/")}
    _write(tmp_path, {name.replace("services/worker/", ""): text for name, text in files.items()})
    assert _relative(_check(tmp_path, "."), tmp_path, tmp_path) == {("api.py", 9, "FAL201")}


@pytest.mark.parametrize("layout, expected", [
    ({"user-service/main.py": "", "user-service/helpers.py": ""}, {"user-service/main.py": "main"}),
    ({"src/pkg/__init__.py": "", "src/pkg/core.py": ""}, {"src/pkg/core.py": "pkg.core"}),
    ({"pkg/__init__.py": "", "pkg/sub/helper.py": ""}, {"pkg/sub/helper.py": "pkg.sub.helper"}),
    ({"services/x/pyproject.toml": "", "services/x/storage/db.py": ""}, {"services/x/storage/db.py": "storage.db"}),
    ({"backend/app/__init__.py": "", "backend/app/main.py": ""}, {"backend/app/main.py": "app.main"}),
])
def test_import_roots(tmp_path: Path, layout: Dict[str, str], expected: Dict[str, str]):
    (tmp_path / "pyproject.toml").write_text("")
    _write(tmp_path, layout)
    paths = [str(tmp_path / name) for name in layout if name.endswith(".py")]
    names = ModuleMap(paths, str(tmp_path))
    assert {name: names.name(str(tmp_path / name)).name for name in expected} == expected
