"""Day-to-day workflow flags: `--statistics` (counts per code), `--show-fixes` (what `--fix` changed), and the
rich progress bar, which long runs draw on stderr when stderr is a terminal, and never otherwise (a pipe, a
machine format, `--quiet`, stdin, a short run)."""

from __future__ import annotations

import json
import os
import re
import select
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import List, Optional, Tuple

import pytest

from fastapi_asynclint.progress import MIN_FILES

from conftest import BLOCKING_APP

JOBS = {
    "a.py": """\
        import time


        async def job():
            time.sleep(1)
            time.sleep(2)
            return open("x")
        """,
    "b.py": """\
        import socket
        import subprocess
        import time
        from fastapi import FastAPI

        app = FastAPI()


        @app.post("/run")
        async def run():
            time.sleep(3)
            subprocess.run(["true"])
            return socket.gethostbyname("example.com")


        async def read():
            return open("y").read()
        """,
    "clean.py": "async def ok():\n    return 1\n",
}
# Every finding of JOBS: 3 x FAL101 (fixable), 2 x FAL103, 1 x FAL104, 1 x FAL105.


# ------------------------------------------------------------------------------------------ statistics
def test_statistics_counts_per_code_sorted_by_count_then_code(cli):
    cli.write(JOBS)
    result = cli("check", "--no-cache", "--statistics", ".")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[:4] == [
        "3\tFAL101\t[*] blocking-sleep",
        "2\tFAL103\t[-] blocking-file-io",
        "1\tFAL104\t[-] blocking-subprocess",
        "1\tFAL105\t[-] blocking-socket",
    ]
    # The table replaces the list of findings (the shared blocking roots follow it); the summary still counts them.
    assert not any(line.startswith(("a.py:", "b.py:")) for line in lines)
    assert lines[4:7] == ["", "Findings that share a blocking root:", "2\tjob (a.py:5) -> time.sleep"]
    assert "Found 7 errors: 3 on request paths, 4 not reached from an app." in lines
    assert cli("check", "--no-cache", "--statistics", "--exit-zero", ".").exit_code == 0


def test_statistics_counts_align_and_unsafe_fixes_mark_fixable(cli):
    cli.write({f"m{n}.py": BLOCKING_APP for n in range(10)} | {"b.py": textwrap.dedent(JOBS["b.py"])})
    lines = cli("check", "--no-cache", "--statistics", "--unsafe-fixes", ".").stdout.splitlines()
    assert lines[:4] == [
        "11\tFAL101\t[*] blocking-sleep",
        " 1\tFAL103\t[*] blocking-file-io",
        " 1\tFAL104\t[*] blocking-subprocess",
        " 1\tFAL105\t[*] blocking-socket",
    ]
    assert any(line.startswith("Found 14 errors") for line in lines)


def test_statistics_as_json(cli):
    cli.write(JOBS)
    result = cli("check", "--no-cache", "--statistics", "--output-format", "json", ".")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {"code": "FAL101", "count": 3, "fixable": True, "fixable_count": 3, "name": "blocking-sleep"},
        {"code": "FAL103", "count": 2, "fixable": False, "fixable_count": 0, "name": "blocking-file-io"},
        {"code": "FAL104", "count": 1, "fixable": False, "fixable_count": 0, "name": "blocking-subprocess"},
        {"code": "FAL105", "count": 1, "fixable": False, "fixable_count": 0, "name": "blocking-socket"},
    ]


def test_statistics_without_findings(cli):
    cli.write({"clean.py": JOBS["clean.py"]})
    result = cli("check", "--no-cache", "--statistics", ".")
    assert result.exit_code == 0
    assert result.stdout.strip() == "All checks passed! (1 file checked)"
    assert json.loads(cli("check", "--no-cache", "--statistics", "--output-format", "json", ".").stdout) == []


# ------------------------------------------------------------------------------------------ show-fixes
def test_show_fixes_lists_fixed_files_and_codes(cli):
    cli.write(JOBS)
    result = cli("check", "--no-cache", "--fix", "--show-fixes", ".")
    assert result.exit_code == 1  # FAL103/104/105 remain: their fixes are unsafe
    out = result.stdout
    listing = out[out.index("Fixed 3 errors:"):].splitlines()
    assert listing[:5] == [
        "Fixed 3 errors:",
        "- a.py:",
        "    2 × FAL101 (blocking-sleep)",
        "- b.py:",
        "    1 × FAL101 (blocking-sleep)",
    ]
    assert "- clean.py:" not in out
    assert "Found 7 errors (3 fixed, 4 remaining)." in out
    assert "await asyncio.sleep(1)" in (cli.root / "a.py").read_text()


def test_show_fixes_with_unsafe_fixes_lists_every_code(cli):
    cli.write(JOBS)
    result = cli("check", "--no-cache", "--fix", "--unsafe-fixes", "--show-fixes", "--output-format", "concise", ".")
    assert result.exit_code == 0
    listing = result.stdout[result.stdout.index("Fixed 7 errors:"):].splitlines()
    assert listing[:9] == [
        "Fixed 7 errors:",
        "- a.py:",
        "    2 × FAL101 (blocking-sleep)",
        "    1 × FAL103 (blocking-file-io)",
        "- b.py:",
        "    1 × FAL101 (blocking-sleep)",
        "    1 × FAL103 (blocking-file-io)",
        "    1 × FAL104 (blocking-subprocess)",
        "    1 × FAL105 (blocking-socket)",
    ]


def test_show_fixes_without_fix_lists_nothing_and_changes_nothing(cli):
    cli.write(JOBS)
    result = cli("check", "--no-cache", "--show-fixes", "--output-format", "concise", ".")
    assert result.exit_code == 1
    assert "Fixed" not in result.stdout
    assert (cli.root / "a.py").read_text() == textwrap.dedent(JOBS["a.py"])


def test_show_fixes_keeps_machine_output_machine_readable(cli):
    cli.write(JOBS)
    result = cli("check", "--no-cache", "--fix", "--show-fixes", "--output-format", "json", ".")
    assert result.exit_code == 1
    remaining = json.loads(result.stdout)  # nothing else on stdout
    assert sorted(f["code"] for f in remaining) == ["FAL103", "FAL103", "FAL104", "FAL105"]
    assert "await asyncio.sleep(3)" in (cli.root / "b.py").read_text()


# ------------------------------------------------------------------------------------------ progress bar
needs_pty = pytest.mark.skipif(not sys.platform.startswith(("linux", "darwin")), reason="needs a POSIX pseudo-terminal")
PROGRESS = re.compile(rb"checking .*?(\d+)/(\d+)")
ANSI = re.compile(rb"\x1b\[[0-9;?]*[A-Za-z]")


def _terminal_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in {"FORCE_COLOR", "NO_COLOR", "TTY_COMPATIBLE", "TTY_INTERACTIVE", "COLUMNS", "LINES"}}
    env.update(TERM="xterm-256color", COLUMNS="100", LINES="40")
    return env


def _run(args: List[str], cwd: Path, stderr_tty: bool, stdout_tty: bool = False, stdin: Optional[bytes] = None) -> Tuple[int, bytes, bytes]:
    """Run the linter with stdout and/or stderr on a pseudo-terminal (the others piped); returns (code, out, err)."""
    import pty

    masters = {}
    slaves = []
    kwargs = {}
    for name, wanted in (("stdout", stdout_tty), ("stderr", stderr_tty)):
        if wanted:
            master, slave = pty.openpty()
            masters[master] = name
            slaves.append(slave)
            kwargs[name] = slave
        else:
            kwargs[name] = subprocess.PIPE
    process = subprocess.Popen(
        [sys.executable, "-m", "fastapi_asynclint", *args],
        cwd=cwd,
        env=_terminal_env(),
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        **kwargs,
    )
    for slave in slaves:
        os.close(slave)
    if stdin is not None:
        process.stdin.write(stdin)
        process.stdin.close()
    captured = {"stdout": b"", "stderr": b""}
    pipes = {process.stdout.fileno(): "stdout"} if process.stdout else {}
    if process.stderr:
        pipes[process.stderr.fileno()] = "stderr"
    open_fds = {**masters, **pipes}
    deadline = time.monotonic() + 120
    while open_fds and time.monotonic() < deadline:
        ready, _, _ = select.select(list(open_fds), [], [], 1)
        for fd in ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # EIO: every writer of the pseudo-terminal has gone
                data = b""
            if data:
                captured[open_fds[fd]] += data
            else:
                del open_fds[fd]
    code = process.wait(timeout=60)
    for fd in masters:
        os.close(fd)
    for stream in (process.stdout, process.stderr):
        if stream:
            stream.close()
    assert not open_fds, "the linter did not finish in time"
    return code, captured["stdout"], captured["stderr"]


@pytest.fixture(scope="module")
def many_files(tmp_path_factory) -> Path:
    """A project with more files than the progress bar's threshold; one of them has a finding."""
    root = tmp_path_factory.mktemp("many")
    (root / "pkg").mkdir()
    for number in range(MIN_FILES + 10):
        (root / "pkg" / f"m{number}.py").write_text(f"async def handler_{number}():\n    return {number}\n")
    (root / "pkg" / "blocking.py").write_text(BLOCKING_APP)
    return root


def test_progress_threshold_is_a_few_hundred_files():
    assert 100 <= MIN_FILES <= 1000


@needs_pty
@pytest.mark.parametrize("output_format", ["text", "concise"])
def test_progress_bar_on_a_terminal_for_long_runs(many_files, output_format):
    code, out, err = _run(["check", "--no-cache", "--output-format", output_format, "."], many_files, stderr_tty=True)
    assert code == 1
    match = PROGRESS.search(err)
    assert match, err[:2000]
    totals = {int(total) for _, total in PROGRESS.findall(err)}
    assert totals == {MIN_FILES + 11}
    assert f"{MIN_FILES + 11}/{MIN_FILES + 11}".encode() in err  # the last frame shows every file done
    # The bar is transient (erased when done) and stdout, a pipe here, carries only the findings.
    assert b"\x1b" not in out
    assert b"checking" not in out
    assert b"pkg/blocking.py:9:5: FAL101" in out


@needs_pty
def test_no_progress_bar_when_stderr_is_piped(many_files):
    # stdout on a terminal, stderr a pipe: the bar would go to stderr, which nobody watches.
    code, out, err = _run(["check", "--no-cache", "--output-format", "concise", "."], many_files, stderr_tty=False, stdout_tty=True)
    assert code == 1
    assert b"checking" not in err and b"\x1b" not in err
    assert b"checking" not in out
    assert b"pkg/blocking.py:9:5: FAL101" in ANSI.sub(b"", out)  # coloured: stdout is the terminal


@needs_pty
@pytest.mark.parametrize("output_format", ["json", "sarif", "github", "lsp"])
def test_no_progress_bar_in_machine_formats_even_on_a_terminal(many_files, output_format):
    code, out, err = _run(["check", "--no-cache", "--output-format", output_format, "."], many_files, stderr_tty=True, stdout_tty=True)
    assert code == 1
    assert b"checking" not in err and b"\x1b" not in err, err[:500]
    assert b"\x1b" not in out
    text = out.decode().replace("\r\n", "\n")  # the terminal's line discipline turns \n into \r\n
    if output_format == "github":
        assert all(line.startswith("::error ") for line in text.splitlines()), text[:500]
    else:
        json.loads(text)


@needs_pty
def test_no_progress_bar_when_quiet(many_files):
    code, _, err = _run(["check", "--no-cache", "--quiet", "."], many_files, stderr_tty=True)
    assert code == 1
    assert b"checking" not in err


@needs_pty
def test_no_progress_bar_for_short_runs_or_stdin(many_files):
    code, _, err = _run(["check", "--no-cache", "pkg/blocking.py", "pkg/m1.py"], many_files, stderr_tty=True)
    assert code == 1
    assert b"checking" not in err
    code, out, err = _run(
        ["check", "--no-cache", "--stdin-filename", "pkg/blocking.py", "-"], many_files, stderr_tty=True, stdin=BLOCKING_APP.encode()
    )
    assert code == 1
    assert b"checking" not in err
    assert b"FAL101" in out
