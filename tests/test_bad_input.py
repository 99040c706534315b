"""Bad input gets a clear finding or message and never a traceback; fixes never corrupt a file."""

from __future__ import annotations

import os
import stat

import pytest

from conftest import BLOCKING_APP

SLEEPY = "import time\n\nasync def handler():\n    time.sleep(1)\n"


def _concise(cli, *paths, extra=()):
    return cli("check", "--no-cache", "--output-format", "concise", *extra, *paths)


def test_syntax_error_is_a_finding_and_other_files_are_checked(cli):
    cli.write({"broken.py": "def handler(:\n    pass\n", "app.py": BLOCKING_APP})
    result = _concise(cli, ".")
    assert result.exit_code == 1
    assert "broken.py:1:13: FAL900 SyntaxError: invalid syntax" in result.stdout
    assert "app.py:9:5: FAL101" in result.stdout
    assert "Traceback" not in result.stdout + result.stderr


def test_syntax_error_cannot_be_selected_away(cli):
    cli.write({"broken.py": "def handler(:\n    pass\n"})
    assert "FAL900" in _concise(cli, ".", extra=("--select", "FAL101")).stdout
    assert "FAL900" not in _concise(cli, ".", extra=("--ignore", "FAL900")).stdout


def test_undecodable_and_binary_files(cli):
    cli.write({"app.py": BLOCKING_APP})
    (cli.root / "latin.py").write_bytes(b"name = '\xe9t\xe9'\n")
    (cli.root / "nul.py").write_bytes(b"x = 1\x00\n")
    bins = cli.root / "bins"
    bins.mkdir()
    for number in range(5):
        (bins / f"blob{number}.py").write_bytes(os.urandom(2048))
    result = _concise(cli, ".")
    assert "latin.py:1:1: FAL901 File could not be decoded" in result.stdout
    assert "nul.py:1:1: FAL901 File could not be decoded: file contains NUL bytes" in result.stdout
    assert result.stdout.count("FAL901") == 7
    assert "app.py:9:5: FAL101" in result.stdout
    assert result.exit_code == 1
    assert "Traceback" not in result.stderr


def test_declared_encoding_is_read_and_kept(cli):
    source = "# -*- coding: latin-1 -*-\n" + SLEEPY.replace("time.sleep(1)", "name = 'caf\xe9'\n    time.sleep(1)")
    (cli.root / "latin.py").write_bytes(source.encode("latin-1"))
    (cli.root / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    assert _concise(cli, "latin.py").exit_code == 1
    assert cli("check", "--no-cache", "--fix", "latin.py").exit_code == 0
    fixed = (cli.root / "latin.py").read_bytes()
    assert b"caf\xe9" in fixed
    assert b"await asyncio.sleep(1)" in fixed


@pytest.mark.parametrize("newline", ["\r\n", "\r", "\n"])
def test_fix_keeps_line_endings_and_bom(cli, newline):
    (cli.root / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    original = "\ufeff" + SLEEPY.replace("\n", newline)
    (cli.root / "app.py").write_bytes(original.encode("utf-8"))
    os.chmod(cli.root / "app.py", 0o640)
    assert cli("check", "--no-cache", "--fix", "app.py").exit_code == 0
    fixed = (cli.root / "app.py").read_bytes()
    assert fixed.startswith(b"\xef\xbb\xbf")
    text = fixed.decode("utf-8-sig")
    assert "await asyncio.sleep(1)" in text
    others = {"\r\n", "\r", "\n"} - {newline}
    assert text.count(newline) >= 5
    assert not any(other in text.replace("\r\n", "") for other in others if other != "\r\n" and newline != "\r\n")
    if newline == "\r\n":
        assert "\n" not in text.replace("\r\n", "")
    assert stat.S_IMODE(os.stat(cli.root / "app.py").st_mode) == 0o640
    compile(text, "app.py", "exec")
    assert cli("check", "--no-cache", "--fix", "app.py").exit_code == 0
    assert (cli.root / "app.py").read_bytes() == fixed, "a second fix run changes nothing"


def test_newer_python_syntax_is_analysed(cli):
    source = (
        "import time\n\ntype Alias = int\n\nasync def handler[T](value: T) -> T:\n"
        "    time.sleep(1)\n    label = t'{value}'\n    return value\n"
    )
    cli.write({"app.py": source})
    result = _concise(cli, "app.py")
    assert "app.py:6:5: FAL101" in result.stdout
    assert "FAL900" not in result.stdout


def test_large_file(cli):
    helpers = "".join(f"def helper_{n}(value):\n    return value + {n}\n\n" for n in range(60_000))
    source = "import time\n\n" + helpers + "async def handler():\n    time.sleep(1)\n"
    assert len(source) > 2_000_000
    cli.write({"big.py": source})
    result = _concise(cli, "big.py")
    rows = source.count("\n")
    assert f"big.py:{rows}:5: FAL101" in result.stdout
    assert result.exit_code == 1


def test_deeply_nested_expression_does_not_crash(cli):
    cli.write({"deep.py": "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n"})
    result = _concise(cli, "deep.py")
    assert "Traceback" not in result.stdout + result.stderr
    assert result.exit_code in (0, 1, 2)


def test_empty_and_whitespace_files(cli):
    cli.write({"empty.py": "", "blank.py": "\n\n   \n", "comment.py": "# only a comment"})
    assert _concise(cli, ".").exit_code == 0


def test_unreadable_file_is_reported(cli):
    cli.write({"app.py": BLOCKING_APP})
    (cli.root / "dangling.py").symlink_to(cli.root / "nowhere.py")
    result = _concise(cli, ".")
    assert result.exit_code == 2
    assert "dangling.py: cannot read" in result.stderr
    assert "app.py:9:5: FAL101" in result.stdout
    assert "Traceback" not in result.stderr
