from __future__ import annotations

import os
import textwrap
from pathlib import Path
from typing import Dict, Optional

import pytest
from click.testing import CliRunner

from fastapi_asynclint.cli import main

BLOCKING_APP = """\
import time
from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def index():
    time.sleep(1)
    return {"ok": True}
"""


class Cli:
    def __init__(self, root: Path) -> None:
        self.root = root

    def write(self, files: Dict[str, str], config: Optional[str] = "") -> None:
        if config is not None:
            (self.root / "pyproject.toml").write_text(f"[tool.fastapi-asynclint]\n{textwrap.dedent(config)}")
        for name, text in files.items():
            path = self.root / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))

    def __call__(self, *args: str, input: Optional[str] = None):
        runner = CliRunner()
        previous = os.getcwd()
        os.chdir(self.root)
        try:
            return runner.invoke(main, list(args), input=input, catch_exceptions=False)
        finally:
            os.chdir(previous)


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path)
