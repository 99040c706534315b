"""Fixed code passes the user's own formatter and import sorter: each file below is formatted and sorted
as ruff's defaults want (checked first), and after `--fix --unsafe-fixes` it still is, with the fix applied.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

HELPERS = """\
async def audit():
    return 1
"""

CASES = {
    "sections": '''\
        """A service whose imports are in all three sections."""

        import json
        import os

        import requests
        from fastapi import FastAPI

        from service.helpers import audit

        app = FastAPI()


        @app.get("/short")
        async def short(url: str):
            response = requests.get(url, timeout=10)
            await audit()
            return response.json()


        @app.get("/long")
        async def long(url: str, payload: dict):
            response = requests.post(
                url, json=payload, headers={"X-Api-Key": os.environ["KEY"]}, timeout=30
            )
            await audit()
            return json.dumps(response.json())


        @app.get("/exploded")
        async def exploded(url: str, payload: dict):
            response = requests.post(
                url,
                json={
                    "payload": payload,
                    "version": 2,
                },
                timeout=30,
            )
            await audit()
            return response.json()


        @app.get("/chained")
        async def chained(url: str):
            data = requests.get(url, timeout=10).json()
            await audit()
            return data
        ''',
    "comments_and_chains": """\
        import requests

        from service.helpers import audit


        async def sync_all(url: str, payload: dict):
            await audit()
            reply = requests.post(  # the partner's API
                url,
                json=payload,
            )
            items = requests.get(url + "/items", params={"page": 1}).json()["items"]
            return reply, items
        """,
    "no_standard_library": """\
        import requests
        from fastapi import FastAPI

        from service.helpers import audit

        app = FastAPI()


        @app.get("/")
        async def index(url: str):
            response = requests.get(url, timeout=10)
            await audit()
            return response.json()
        """,
    "future_only": """\
        from __future__ import annotations

        import time


        async def tick():
            time.sleep(1)
        """,
    "no_imports": '''\
        """Reads a file."""


        async def read(path):
            handle = open(path)
            return handle
        ''',
    "settings": """\
        from fastapi import Depends, FastAPI
        from pydantic_settings import BaseSettings

        app = FastAPI()


        class Settings(BaseSettings):
            name: str = "x"


        def get_settings():
            return Settings()


        @app.get("/")
        def index(settings: Settings = Depends(get_settings)):
            return settings.name
        """,
}


def _ruff(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *args], cwd=cwd, capture_output=True, text=True)


def _style_problems(folder: Path) -> str:
    """What ruff's formatter and import sorter (default settings) would change, or "" for nothing."""
    formatted = _ruff("format", "--isolated", "--diff", ".", cwd=folder)
    assert formatted.returncode in (0, 1), formatted.stderr
    sorted_imports = _ruff("check", "--isolated", "--select", "I", "--output-format", "concise", ".", cwd=folder)
    assert sorted_imports.returncode in (0, 1), sorted_imports.stderr
    return (formatted.stdout if formatted.returncode else "") + (sorted_imports.stdout if sorted_imports.returncode else "")


@pytest.mark.parametrize("case", sorted(CASES))
def test_fixed_code_passes_ruff_format_and_isort(case: str, cli) -> None:
    cli.write({"service/__init__.py": "", "service/helpers.py": HELPERS, "service/app.py": textwrap.dedent(CASES[case])}, config=None)
    assert _style_problems(cli.root) == "", "the example itself must be formatted and sorted"
    before = (cli.root / "service/app.py").read_text()
    result = cli("check", "--no-cache", "--fix", "--unsafe-fixes", "service")
    after = (cli.root / "service/app.py").read_text()
    assert after != before, result.output
    assert _style_problems(cli.root) == "", after
