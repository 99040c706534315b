"""The language server in a real editor: headless Neovim (Debian 12 ships 0.7.2) with the minimal config in
tests/nvim/init.lua starts `python -m fastapi_asynclint server`, attaches it to a Python file, and writes
the diagnostics it receives and the buffer after Neovim applied the fix-all code action, as JSON."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BLOCKING_APP

NVIM = shutil.which("nvim")
INIT_LUA = Path(__file__).parent / "nvim" / "init.lua"

pytestmark = pytest.mark.skipif(
    NVIM is None, reason="Neovim is not installed (`apt-get install neovim`; .ci/run installs it)"
)


def test_neovim_shows_the_blocking_call_and_applies_fix_all(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    (tmp_path / "app.py").write_text(BLOCKING_APP)
    out = tmp_path / "nvim-result.json"
    env = {
        **os.environ,
        "FAL_PYTHON": sys.executable,
        "FAL_NVIM_OUT": str(out),
        # Keep Neovim's state (lsp.log, shada) out of the user's home.
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
        "XDG_STATE_HOME": str(tmp_path / "xdg-state"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
    }
    completed = subprocess.run(
        [NVIM, "--headless", "-n", "-i", "NONE", "-u", str(INIT_LUA), "app.py"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert completed.returncode == 0, completed.stderr
    assert out.exists(), f"Neovim wrote no result; stderr:\n{completed.stderr}"
    result = json.loads(out.read_text())
    (found,) = result["diagnostics"]
    assert (found["code"], found["source"]) == ("FAL101", "fastapi-asynclint")
    assert (found["lnum"], found["col"], found["end_col"]) == (8, 4, 17)  # `time.sleep(1)`, 0-based
    assert "    await asyncio.sleep(1)\n" in result["fixed"] and "import asyncio\n" in result["fixed"]
