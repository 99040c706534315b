"""The pre-commit hooks of `.pre-commit-hooks.yaml`, run for real with `pre-commit try-repo`.

pre-commit builds the hook's own virtualenv with `pip install .` of the hook repository, so this needs
PyPI (for setuptools and the dependencies) and takes a while: it is marked `slow` (CI runs it; deselect it
locally with `-m "not slow"`). Each `try-repo` installs into a temporary store of its own, whatever
PRE_COMMIT_HOME says; PRE_COMMIT_HOME still points at a per-session temporary folder so that nothing is
read from or written to the user's pre-commit cache.

The hook repository is a snapshot of this checkout's working tree (tracked and untracked, not ignored
files) committed to a throw-away git repository: `try-repo` on a dirty checkout would copy only the
tracked files' changes (a new, untracked module would be missing from the installed hook), and on a clean
checkout it would use HEAD; the snapshot is exactly what is on disk in both cases.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Dict, List

import pytest

CHECKOUT = Path(__file__).resolve().parent.parent
HOOK_IDS = ["fastapi-asynclint", "fastapi-asynclint-fix"]
GIT = shutil.which("git")

needs_git = pytest.mark.skipif(GIT is None, reason="pre-commit needs `git`, which is not installed")

APP = """\
import time

from fastapi import FastAPI

app = FastAPI()


@app.get("/")
async def index():
    time.sleep(1)
    return {"ok": True}
"""


def _env(home: Path) -> Dict[str, str]:
    # No GIT_DIR / GIT_INDEX_FILE from an enclosing git hook, no user or system git configuration (a global
    # `commit.gpgsign` would break the commits), no colours.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        PRE_COMMIT_HOME=str(home),
        PRE_COMMIT_COLOR="never",
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        NO_COLOR="1",
    )
    return env


def _git(cwd: Path, env: Dict[str, str], *args: str) -> str:
    completed = subprocess.run([GIT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, f"git {' '.join(args)}: {completed.stderr}"
    return completed.stdout


def _init_repo(path: Path, env: Dict[str, str]) -> None:
    _git(path, env, "init", "-q")
    _git(path, env, "config", "user.name", "fastapi-asynclint tests")
    _git(path, env, "config", "user.email", "tests@example.invalid")
    _git(path, env, "config", "commit.gpgsign", "false")


def _commit_all(path: Path, env: Dict[str, str], message: str) -> None:
    _git(path, env, "add", "-A")
    _git(path, env, "commit", "-q", "--no-verify", "-m", message)


def _checkout_files(env: Dict[str, str]) -> List[str]:
    if (CHECKOUT / ".git").exists():
        listed = _git(CHECKOUT, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        return [name for name in listed.split("\0") if name]
    # Not a git checkout (an unpacked sdist): what `pip install .` and pre-commit need.
    names = [".pre-commit-hooks.yaml", "pyproject.toml", "README.md", "LICENSE"]
    names += [str(p.relative_to(CHECKOUT)) for p in (CHECKOUT / "fastapi_asynclint").rglob("*") if p.is_file()]
    return names


@pytest.fixture(scope="session")
def pre_commit_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("pre-commit-home")


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory, pre_commit_home) -> Path:
    """This checkout's working tree, committed to a throw-away repository."""
    if GIT is None:
        pytest.skip("pre-commit needs `git`, which is not installed")
    env = _env(pre_commit_home)
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in _checkout_files(env):
        source = CHECKOUT / name
        if not source.is_file() or "__pycache__" in source.parts:
            continue  # deleted but still tracked, or a folder
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
    assert (repo / ".pre-commit-hooks.yaml").is_file()
    _init_repo(repo, env)
    _commit_all(repo, env, "snapshot of the working tree")
    return repo


@pytest.fixture
def project(tmp_path, pre_commit_home) -> Path:
    """A user's repository with one blocking call in an `async def` route."""
    env = _env(pre_commit_home)
    root = tmp_path / "project"
    root.mkdir()
    _init_repo(root, env)
    (root / "app.py").write_text(APP)
    _commit_all(root, env, "a FastAPI app")
    return root


def _try_repo(project: Path, hook_repo: Path, home: Path, *hook: str) -> subprocess.CompletedProcess:
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), *hook, "--all-files", "--color", "never"],
        cwd=project,
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=900,
    )
    completed.elapsed = time.perf_counter() - started  # type: ignore[attr-defined]
    print(f"try-repo {' '.join(hook) or '(every hook)'}: exit {completed.returncode} in {completed.elapsed:.1f} s")
    print(completed.stdout, completed.stderr, sep="\n")
    return completed


def _hook_status(output: str) -> Dict[str, str]:
    """{hook name: Passed|Failed|Skipped} from pre-commit's `name.....Status` lines."""
    return {m.group(1).strip(): m.group(2) for m in re.finditer(r"^(.+?)\.{3,}(Passed|Failed|Skipped)\s*$", output, re.M)}


def test_manifest_is_valid_and_declares_both_hooks():
    completed = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(CHECKOUT / ".pre-commit-hooks.yaml")],
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    from pre_commit.clientlib import load_manifest

    hooks = {hook["id"]: hook for hook in load_manifest(str(CHECKOUT / ".pre-commit-hooks.yaml"))}
    assert sorted(hooks) == HOOK_IDS
    assert hooks["fastapi-asynclint"]["entry"] == "fastapi-asynclint check"
    assert hooks["fastapi-asynclint-fix"]["entry"] == "fastapi-asynclint check --fix"
    for hook in hooks.values():
        assert hook["language"] == "python"
        assert hook["types"] == ["python"]
        # One process must see every file: findings through helpers need the whole project's index.
        assert hook["require_serial"] is True


@pytest.mark.slow
@needs_git
def test_check_hook_fails_on_a_blocking_call(project, hook_repo, pre_commit_home):
    completed = _try_repo(project, hook_repo, pre_commit_home, "fastapi-asynclint")
    output = completed.stdout + completed.stderr
    assert completed.returncode == 1, output
    assert _hook_status(output) == {"fastapi-asynclint": "Failed"}
    assert "- exit code: 1" in output
    assert "app.py:10:5: FAL101" in output
    assert "files were modified by this hook" not in output
    assert (project / "app.py").read_text() == APP


@pytest.mark.slow
@needs_git
def test_fix_hook_rewrites_the_file_and_then_both_hooks_pass(project, hook_repo, pre_commit_home):
    fixed = _try_repo(project, hook_repo, pre_commit_home, "fastapi-asynclint-fix")
    output = fixed.stdout + fixed.stderr
    # `check --fix` exits 0 once nothing remains; pre-commit fails the hook because it modified a file.
    assert fixed.returncode == 1, output
    assert _hook_status(output) == {"fastapi-asynclint (apply safe fixes)": "Failed"}
    assert "files were modified by this hook" in output
    assert "- exit code:" not in output
    text = (project / "app.py").read_text()
    assert "    await asyncio.sleep(1)\n" in text
    assert "time.sleep" not in text
    assert re.search(r"^import asyncio$", text, re.M)
    compile(text, "app.py", "exec")

    # A second run of every hook in the manifest (both hooks, in one try-repo): nothing to report or fix.
    again = _try_repo(project, hook_repo, pre_commit_home)
    output = again.stdout + again.stderr
    assert again.returncode == 0, output
    assert _hook_status(output) == {"fastapi-asynclint": "Passed", "fastapi-asynclint (apply safe fixes)": "Passed"}
    assert (project / "app.py").read_text() == text
