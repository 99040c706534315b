"""Usage and configuration mistakes get a clear diagnostic and exit 2, and nothing that looks like a pass."""

from __future__ import annotations

import os

import pytest

from conftest import BLOCKING_APP


def test_a_missing_path_is_an_error_and_no_pass(cli):
    cli.write({"app.py": "x = 1\n"})
    result = cli("check", "--no-cache", "/nonexistent/path")
    assert result.exit_code == 2
    assert "no such file or directory" in result.stderr
    assert "All checks passed" not in result.stdout


def test_a_config_folder_says_it_is_a_folder(cli, tmp_path):
    cli.write({"app.py": "x = 1\n"})
    result = cli("check", "--no-cache", "--config", str(tmp_path))
    assert result.exit_code == 2
    assert "is a folder" in result.stderr


@pytest.mark.parametrize("glob", ["[*.py", "app/[ab.py", ""])
def test_an_invalid_glob_is_a_config_error(cli, glob):
    cli.write({"app.py": BLOCKING_APP}, config=f'per-file-ignores = {{"{glob}" = ["FAL101"]}}\n')
    result = cli("check", "--no-cache", ".")
    assert result.exit_code == 2
    assert "glob" in result.stderr


def test_valid_globs_with_classes_are_accepted(cli):
    cli.write({"app.py": BLOCKING_APP}, config='per-file-ignores = {"[ab]pp.py" = ["FAL101"], "x/**/[!_]*.py" = ["FAL1"]}\n')
    assert cli("check", "--no-cache", ".").exit_code == 0


@pytest.mark.parametrize("where", ["command line", "configuration"])
def test_lower_case_codes_are_refused(cli, where):
    config = 'select = ["fal101"]\n' if where == "configuration" else ""
    cli.write({"app.py": BLOCKING_APP}, config=config)
    args = ["check", "--no-cache", "."] + (["--select", "fal101"] if where == "command line" else [])
    result = cli(*args)
    assert result.exit_code == 2
    assert "upper case" in result.stderr and "FAL101" in result.stderr


def test_an_unreadable_folder_is_a_warning(cli, monkeypatch):
    cli.write({"app.py": "x = 1\n", "locked/b.py": "y = 1\n"})
    scandir = os.scandir

    def refusing(path="."):
        if os.fspath(path).endswith("locked"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path)

    monkeypatch.setattr(os, "scandir", refusing)
    result = cli("check", "--no-cache", ".")
    assert "cannot list a folder" in result.stderr and "locked" in result.stderr
