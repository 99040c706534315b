"""`--fix` never damages what it does not own: it writes through symlinks to their target, keeps hard links,
owner, group and mode, and refuses (exit 2, a clear error) to change a read-only file."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import BLOCKING_APP

FIXED = "await asyncio.sleep(1)"


def _fix(root: Path, *paths: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "fastapi_asynclint", "check", "--fix", "--no-cache", *paths],
        cwd=root, capture_output=True, text=True,
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    return tmp_path


def test_a_symlink_stays_a_link_and_its_target_is_fixed(project: Path):
    real = project / "real"
    real.mkdir()
    (real / "app.py").write_text(BLOCKING_APP)
    (project / "app.py").symlink_to(real / "app.py")
    done = _fix(project, "app.py")
    assert done.returncode in (0, 1), done.stderr
    assert (project / "app.py").is_symlink()
    assert FIXED in (real / "app.py").read_text()


def test_hard_links_all_see_the_fix(project: Path):
    (project / "app.py").write_text(BLOCKING_APP)
    os.link(project / "app.py", project / "twin.txt")
    inode = (project / "app.py").stat().st_ino
    _fix(project, "app.py")
    assert (project / "app.py").stat().st_ino == inode
    assert FIXED in (project / "twin.txt").read_text()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="giving a file away needs root")
def test_owner_group_and_mode_are_kept(project: Path):
    path = project / "app.py"
    path.write_text(BLOCKING_APP)
    os.chown(path, 65534, 65534)
    os.chmod(path, 0o640)
    _fix(project, "app.py")
    found = path.stat()
    assert (found.st_uid, found.st_gid, stat.S_IMODE(found.st_mode)) == (65534, 65534, 0o640)
    assert FIXED in path.read_text()


def test_a_read_only_file_is_refused_not_rewritten(project: Path):
    path = project / "app.py"
    path.write_text(BLOCKING_APP)
    os.chmod(path, 0o444)
    try:
        done = _fix(project, "app.py")
        assert done.returncode == 2
        assert "read-only" in done.stderr and "Traceback" not in done.stderr
        assert path.read_text() == BLOCKING_APP
        assert stat.S_IMODE(path.stat().st_mode) == 0o444
    finally:
        os.chmod(path, 0o644)
