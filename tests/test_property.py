"""Property tests: generated and mutated programs through the whole engine (issue 8).

Whatever the input, the linter must never let an exception escape (nor report a rule crash), must exit 0, 1
or 2, must not call a file CPython compiles a syntax error (FAL900), and its fixes must leave a file that
still compiles (when it compiled before) and that a second `--fix` leaves alone.

Three sources of programs:

* hypothesmith (`from_grammar()`, `from_node()`): syntactically wild but valid Python. On its own such a
  program rarely trips a rule, so it is also run with the prefilter off (every rule visits it) and pasted
  into an `async def` route next to blocking imports;
* `fastapi_programs()` below: small FastAPI modules built from blocking calls (every catalogue family)
  placed in awkward spots (comprehensions, lambdas, f-strings, `with` headers, one-line compound
  statements, after `;`, split over lines with comments, next to rebound `asyncio` ...), which is what
  exercises the fixer;
* the files under `fixtures/` mutated the way real files get broken (deleted or duplicated lines, stray
  bytes and indentation, NUL, invalid UTF-8, CRLF / CR, a BOM, a truncation).

Every run goes through `run_check` (what the CLI calls) or the CLI itself via click's CliRunner.
"""

from __future__ import annotations

import json
import os
import shutil
import warnings
from contextlib import contextmanager
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import hypothesmith
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, assume, event, example, given, settings
from hypothesis import strategies as st

from fastapi_asynclint.cli import main
from fastapi_asynclint.runner import CheckOptions, CheckResult, run_check
from fastapi_asynclint.settings import CliOptions, build_settings

# hypothesmith compile()s what it generates: `1()` and friends warn there, not in the linter.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
EXAMPLE_APP = FIXTURES / "example_app"

# Example counts are sized so that the whole file runs in about a minute; scale them up to hunt for bugs
# (`FASTAPI_ASYNCLINT_PROPERTY_SCALE=10 pytest tests/test_property.py`).
SCALE = float(os.environ.get("FASTAPI_ASYNCLINT_PROPERTY_SCALE", "1"))
# CI sees the same examples on every run (a red build is reproducible, never a coin toss); set
# FASTAPI_ASYNCLINT_PROPERTY_RANDOM=1 to explore new ones.
RANDOM = bool(os.environ.get("FASTAPI_ASYNCLINT_PROPERTY_RANDOM"))


def budget(examples: int):
    return settings(
        max_examples=max(1, int(examples * SCALE)),
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large],
        database=None,
        derandomize=not RANDOM,
    )


# --------------------------------------------------------------------------------------------- helpers
def compiles(source) -> bool:
    """Whether CPython compiles `source` (bytes: honours the BOM and the coding cookie, as `python` would)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(source, "<fixed>", "exec", dont_inherit=True)
        except (SyntaxError, ValueError, UnicodeDecodeError, LookupError, MemoryError, RecursionError):
            return False
    return True


@contextmanager
def chdir(path: Path) -> Iterator[None]:
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def lint_bytes(
    root: Path, filename: str, data: bytes, fix: bool = False, force: bool = False
) -> CheckResult:
    """One file's bytes through `run_check`, exactly as `check --stdin-filename` runs it (nothing is written)."""
    config = build_settings(root, CliOptions(no_cache=True))
    options = CheckOptions(
        fix=fix,
        unsafe_fixes=fix,
        jobs=1,
        stdin_filename=str(root / filename),
        stdin_bytes=data,
        force_analysis=force,
    )
    return run_check([], config, options)


def fix_round_trip(root: Path, filename: str, data: bytes, force: bool = False) -> Optional[str]:
    """Lint and fix `data`; check the invariants; return the fixed text (None: undecodable)."""
    fixed_run = lint_bytes(root, filename, data, fix=True, force=force)
    assert fixed_run.errors == [], fixed_run.errors  # a rule crash is an internal error (exit 2)
    (report,) = fixed_run.files
    if report.source is None:
        return None
    text = report.source.text
    fixed = report.fixed if report.fixed is not None else text
    if compiles(text):
        assert compiles(fixed), f"the fix broke a file that compiled:\n--- before\n{text}\n--- after\n{fixed}"
        # CPython compiles it, so it is not a syntax error (libcst parses everything 3.11 does)
        wrong = [f"{d.location.row}:{d.location.column} {d.message}" for d in report.diagnostics if d.code == "FAL900"]
        assert not wrong, f"FAL900 on a file that compiles: {wrong}\n{fixed}"
    if fixed != text:
        again = lint_bytes(root, filename, report.source.encode(fixed), fix=True, force=force)
        assert again.errors == [], again.errors
        (second,) = again.files
        refixed = second.fixed if second.fixed is not None else fixed
        assert refixed == fixed, f"a second --fix changed the file again:\n--- first\n{fixed}\n--- second\n{refixed}"
    return fixed


def invoke(root: Path, args: List[str], data: Optional[bytes] = None):
    """The CLI in-process (click's CliRunner); an escaping exception fails the test with its traceback."""
    with chdir(root):
        result = CliRunner().invoke(main, args, input=data, catch_exceptions=False)
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.stderr)
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    return result


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    """An empty project (only a pyproject.toml), so a run indexes nothing but the file under test."""
    root = tmp_path_factory.mktemp("property")
    (root / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
    return root


@pytest.fixture(scope="module")
def example_app(tmp_path_factory) -> Path:
    """A private copy of fixtures/example_app (files are mutated in place, then restored)."""
    root = tmp_path_factory.mktemp("example") / "example_app"
    shutil.copytree(EXAMPLE_APP, root)
    return root


# ------------------------------------------------------------------------------- generated FastAPI code
# module -> (import line, the prefix calls spell before the function: `tm.` for `import time as tm`).
_SPELLINGS: Dict[str, List[Tuple[str, str]]] = {
    "time": [("import time", "time."), ("import time as tm", "tm."), ("from time import sleep", ""),
             ("from time import sleep as snooze", "snooze")],
    "requests": [("import requests", "requests."), ("import requests as rq", "rq."), ("from requests import get", "")],
    "subprocess": [("import subprocess", "subprocess."), ("from subprocess import run", "")],
    "os.path": [("import os", "os.path."), ("import os.path", "os.path."), ("from os import path", "path.")],
    "socket": [("import socket", "socket."), ("from socket import create_connection", "")],
    "hashlib": [("import hashlib", "hashlib."), ("from hashlib import pbkdf2_hmac", "")],
    "httpx": [("import httpx", "httpx.")],
    "sqlite3": [("import sqlite3", "sqlite3.")],
    "pathlib": [("import pathlib", "pathlib."), ("from pathlib import Path", "")],
    "shutil": [("import shutil", "shutil.")],
    "urllib": [("import urllib.request", "urllib.request."), ("from urllib.request import urlopen", "")],
}
# module -> (function as spelled after the prefix, argument lists); `from m import f as g` maps f to g.
_CALLS: Dict[str, Tuple[str, List[str]]] = {
    "time": ("sleep", ["(1)", "(0.5)", "(delay)", "( 1 )", "(1,)", "(\n        1,\n    )", "(\n        1  # why\n    )",
                       "(*[1])", "(secs=1)", "()", "(1, 2)"]),
    "requests": ("get", ['("https://example.com")', '(url, timeout=5)', '(\n        url,\n        timeout=5,\n    )',
                         "(**options)", "(url, func=1)", "(*args)"]),
    "subprocess": ("run", ['(["ls"], check=True)', '(["ls"])', "(command, **options)"]),
    "os.path": ("exists", ['("/tmp")', "(name)"]),
    "socket": ("create_connection", ['(("example.com", 80))', "(address, timeout=1)"]),
    "hashlib": ("pbkdf2_hmac", ['("sha256", b"p", b"s", 100_000)']),
    "httpx": ("get", ["(url)", '("https://example.com", timeout=1)']),
    "sqlite3": ("connect", ['("app.db")', "(name)"]),
    "pathlib": ("Path", ['("f").read_text()', '(name).exists()']),
    "shutil": ("copy", ['("a", "b")']),
    "urllib": ("urlopen", ["(url)", "(url).read()"]),
}
_BUILTINS = ['open("data.txt").read()', 'open(name)', "input()", 'print(open("f").read())', "Settings()",
             "asyncio.Queue()", "asyncio.create_task(work())", "asyncio.gather(*[work() for _ in range(3)])",
             "httpx.AsyncClient()", "threading.Lock().acquire()", "helper()", "deep_helper()", "Holder().load()"]

# Where a blocking expression `{e}` goes, as lines of a function body (indented by 4 per level below).
_STATEMENTS = [
    "{e}", "value = {e}", "return {e}", "if flag:\n    {e}", "if flag: {e}", "for _ in range(2):\n    {e}",
    "while flag:\n    {e}\n    break", "try:\n    {e}\nexcept Exception:\n    pass", "try:\n    pass\nfinally:\n    {e}",
    "with open(\"log\") as handle:\n    {e}", "with {e} as thing:\n    pass", "value = [{e} for _ in range(2)]",
    "value = {{k: {e} for k in range(2)}}", "value = lambda: {e}", "print({e}, flush=True)",
    "value = (\n    {e}\n)", "value = {e} if flag else None", "value = f'{{{e}}}'", "{e}  # noqa: FAL101",
    "{e}  # noqa", "{e}  # a comment", "value = 1; {e}", "{e}; value = 1", "def inner():\n    {e}",
    "async def inner():\n    {e}", "value = (await asyncio.sleep(0), {e})", "yield {e}", "global G\nG = {e}",
    "assert {e}", "value = not {e}", "value = -{e}", "value = 2 ** {e}", "value = {e} ** 2",
    "value = {e}[0]", "value = {e}.attribute", "value = {{'k': {e}}}", "value = [*{e}]", "value = {e} and {e}",
    "match {e}:\n    case _:\n        pass", "value = await asyncio.sleep(0, {e})", "del value[{e}]",
    "value: int = {e}", "value += {e}", "(value := {e})", "class Inner:\n    attribute = {e}",
    "async with lock:\n    {e}", "async for item in stream():\n    {e}", "value = [x async for x in stream() if {e}]",
    "{e}\n{e}", "x = \\\n    {e}", "return await asyncio.to_thread(lambda: {e})", "raise ValueError({e})",
]
_DECORATORS = ['@app.get("/{n}")', '@router.post("/{n}")', '@app.websocket("/ws{n}")', "", "@lru_cache",
               '@app.get("/{n}")\n@wraps(print)', "@app.middleware(\"http\")", '@app.get(\n    "/{n}",\n)']
_PARAMS = ["", "flag: bool = True", "db: Session = Depends(get_db)", "background_tasks: BackgroundTasks",
           "request: Request", "settings: Settings = Depends(Settings)", "*args, **options"]
_HEADERS = [
    "", '"""A module docstring."""', "from __future__ import annotations", "#!/usr/bin/env python",
    "# -*- coding: utf-8 -*-", "import asyncio", "import asyncio as aio", "from anyio import to_thread",
    "import anyio", "from fastapi.concurrency import run_in_threadpool", "asyncio = None",
    "try:\n    import asyncio\nexcept ImportError:\n    pass", "if TYPE_CHECKING:\n    import asyncio",
    "import functools", "functools = None", '"""Doc."""\nfrom __future__ import annotations\n# comment',
    "from asyncio import sleep", "import time, asyncio",
]
_PRELUDE = """\
from functools import lru_cache, wraps
from typing import TYPE_CHECKING
import threading
from fastapi import APIRouter, BackgroundTasks, Depends, FastAPI, Request
from sqlalchemy.orm import Session
from pydantic_settings import BaseSettings

app = FastAPI()
router = APIRouter()
flag, G, lock, stream = True, None, None, None
delay = url = name = command = address = 1
args, options = (), {}


class Settings(BaseSettings):
    name: str = "x"


def helper():
    import time
    time.sleep(1)


def deep_helper():
    return helper()


class Holder:
    def load(self):
        return open("data.txt").read()
"""


# Where a function goes: `{f}` is replaced by the function, indented to the marker's column. Sibling
# definitions are there for the prefilter's focus to drop.
_WRAPPERS = [
    "{f}", "{f}", "{f}",
    "class Resource:\n    {f}",
    "class Resource:\n    def other(self):\n        return 1\n\n    {f}",
    "if flag:\n    {f}",
    "try:\n    {f}\nexcept ImportError:\n    pass",
    "if TYPE_CHECKING:\n    pass\nelse:\n    {f}",
    "def unrelated():\n    return 1\n\n\n{f}\n\n\nclass Model:\n    def method(self):\n        return 1",
    "if flag:\n    def unrelated():\n        return 1\n\n    {f}",
    # a class with methods inside a block (focus once dropped the methods and left the class without a body)
    "if flag:\n    class Model:\n        def method(self):\n            return 1\n\n{f}",
    "if flag:\n    class Resource:\n        {f}",
    "try:\n    class Resource:\n        def other(self):\n            return 1\n\n        {f}\nexcept ImportError:\n    pass",
]


def _wrap(wrapper: str, function: str, number: int) -> str:
    lines = []
    for line in wrapper.replace("Resource", f"Resource_{number}").replace("Model", f"Model_{number}").split("\n"):
        if "{f}" in line:
            column = line.index("{f}")
            lines.append(_indent(function, 0) if column == 0 else "\n".join(
                " " * column + part if part.strip() else part for part in function.split("\n")))
        else:
            lines.append(line)
    return "\n".join(lines)


def _indent(block: str, levels: int) -> str:
    pad = "    " * levels
    return "\n".join(pad + line if line.strip() else line for line in block.splitlines())


@st.composite
def blocking_expressions(draw) -> Tuple[str, str]:
    """(import line, expression) for one blocking call, in one of the ways a file can spell it."""
    if draw(st.integers(0, 4)) == 0:
        return "", draw(st.sampled_from(_BUILTINS))
    module = draw(st.sampled_from(sorted(_CALLS)))
    function, arguments = _CALLS[module]
    line, prefix = draw(st.sampled_from(_SPELLINGS[module]))
    if line.startswith("from ") and prefix == "" and " as " in line:
        callee = line.rsplit(" as ", 1)[1]
    elif line.startswith("from ") and not prefix:
        callee = line.rsplit(" ", 1)[1]
    else:
        callee = prefix + function
    return line, callee + draw(st.sampled_from(arguments))


@st.composite
def functions(draw, number: int) -> Tuple[List[str], str]:
    imports, body = [], []
    keyword = draw(st.sampled_from(["async def", "async def", "def", "async  def"]))
    statements = _STATEMENTS if keyword != "def" else [s for s in _STATEMENTS if "await" not in s and "async" not in s]
    for _ in range(draw(st.integers(1, 3))):
        line, expression = draw(blocking_expressions())
        imports.append(line)
        statement = draw(st.sampled_from(statements)).format(e=expression)
        body.append(statement)
    if keyword != "def" and draw(st.booleans()):
        body.insert(draw(st.integers(0, len(body))), "await asyncio.sleep(0)")
    if draw(st.integers(0, 3)) == 0:
        body.insert(0, '"""Docstring."""')
    decorator = draw(st.sampled_from(_DECORATORS)).format(n=number)
    params = draw(st.sampled_from(_PARAMS))
    head = f"{keyword} handler_{number}({params}):"
    function = (decorator + "\n" if decorator else "") + head + "\n" + _indent("\n".join(body), 1)
    wrapper = draw(st.sampled_from(_WRAPPERS))
    return imports, _wrap(wrapper, function, number)


@st.composite
def fastapi_programs(draw) -> str:
    header = draw(st.sampled_from(_HEADERS))
    imports: List[str] = ["import asyncio"] if draw(st.booleans()) else []
    chunks = []
    for number in range(draw(st.integers(1, 3))):
        lines, function = draw(functions(number))
        imports.extend(line for line in lines if line)
        chunks.append(function)
    imports = list(dict.fromkeys(imports))
    draw(st.randoms()).shuffle(imports)
    parts = [header, *imports, _PRELUDE, *chunks]
    source = "\n\n".join(part for part in parts if part) + "\n"
    # a few combinations are not Python (`return x` in an async generator, a line break in an f-string
    # before 3.12, `global G` after a use of G): drop those rather than teach the generator every rule
    assume(compiles(source))
    return source


def _as_route_body(source: str) -> str:
    """A hypothesmith program pasted into an `async def` route next to blocking imports."""
    return (
        "import time\nimport requests\nfrom fastapi import FastAPI\n\napp = FastAPI()\n\n\n"
        '@app.get("/")\nasync def route():\n    time.sleep(1)\n'
        + _indent(source, 1)
        + "\n    requests.get('https://example.com')\n"
    )


# ----------------------------------------------------------------------- properties: generated programs
@budget(100)
@given(source=hypothesmith.from_grammar())
def test_grammar_programs_never_crash_the_engine(scratch, source):
    data = source.encode("utf-8", "surrogatepass")
    fix_round_trip(scratch, "generated.py", data)
    fix_round_trip(scratch, "generated.py", data, force=True)  # every rule visits the program
    fix_round_trip(scratch, "generated.py", _as_route_body(source).encode("utf-8", "surrogatepass"))


@budget(40)
@given(source=hypothesmith.from_node())
def test_node_programs_never_crash_the_engine(scratch, source):
    data = source.encode("utf-8", "surrogatepass")
    fix_round_trip(scratch, "generated.py", data, force=True)
    fix_round_trip(scratch, "generated.py", _as_route_body(source).encode("utf-8", "surrogatepass"))


@budget(150)
@given(source=fastapi_programs())
@example(source="import time\n" + _PRELUDE + "\n@app.get('/')\nasync def route():\n    time.sleep(1)\n")
def test_fixes_on_generated_fastapi_code_compile_and_are_idempotent(scratch, source):
    fixed = fix_round_trip(scratch, "routes.py", source.encode())
    assert fixed is not None
    event("a fix was applied" if fixed != source else "nothing fixed")


_NESTED_CLASS_REPRODUCER = """\
import time

if True:
    class Transport:
        def terminate(self):
            pass


async def handler():
    time.sleep(1)
"""


def test_focus_keeps_classes_nested_in_blocks(scratch):
    """Found on litellm 1.110.2 (proxy/mcp_server/server.py): the prefilter's focus dropped the methods of a
    class nested in an `if` block but kept the class, so a valid file was reported as FAL900 and its real
    findings were lost. `fastapi_programs()` generates this shape too."""
    fixed = fix_round_trip(scratch, "routes.py", _NESTED_CLASS_REPRODUCER.encode())
    assert fixed is not None and "await asyncio.sleep(1)" in fixed


@budget(40)
@given(source=st.one_of(hypothesmith.from_grammar(), fastapi_programs()), output_format=st.sampled_from(["json", "concise"]))
def test_cli_stdin_never_crashes(scratch, source, output_format):
    data = source.encode("utf-8", "surrogatepass")
    result = invoke(scratch, ["check", "--no-cache", "--output-format", output_format, "--stdin-filename", "x.py", "-"], data)
    if output_format == "json":
        findings = json.loads(result.stdout)
        assert isinstance(findings, list)
        assert (result.exit_code == 1) == bool(findings)
    fixed = invoke(
        scratch,
        ["check", "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json", "--stdin-filename", "x.py", "-"],
        data,
    )
    if compiles(source):
        assert compiles(fixed.stdout_bytes), f"--fix on stdin printed a file that does not compile:\n{fixed.stdout}"
    again = invoke(
        scratch,
        ["check", "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json", "--stdin-filename", "x.py", "-"],
        fixed.stdout_bytes,
    )
    assert again.stdout_bytes == fixed.stdout_bytes, "a second --fix on stdin changed the output"


# stdin --fix is what editors and pre-commit pipes use: the output replaces the file byte for byte.


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"x = 1\r\ny = 2\r\n", id="crlf"),
        pytest.param(b"import time\r\n\r\nasync def h():\r\n    time.sleep(1)\r\n", id="crlf-fixed"),
        pytest.param("x = 1\n".encode("utf-8-sig"), id="bom"),
        pytest.param("# -*- coding: latin-1 -*-\nname = 'caf\xe9'\n".encode("latin-1"), id="latin-1"),
        pytest.param("import time\r\n\r\nasync def h():\r\n    time.sleep(1)\r\n".encode("utf-8-sig"),
                     id="bom-crlf-fixed"),
        pytest.param("# coding: latin-1\nimport time\n\nasync def h():\n    time.sleep(1)  # caf\xe9\n".encode("latin-1"),
                     id="latin-1-fixed"),
    ],
)
def test_stdin_fix_keeps_encoding_bom_and_line_endings(scratch, data):
    result = invoke(scratch, ["check", "--no-cache", "--fix", "--stdin-filename", "x.py", "-"], data)
    output = result.stdout_bytes
    if b"time.sleep" not in data:
        assert output == data, "nothing to fix: the output must be the input, byte for byte"
        return
    assert b"await asyncio.sleep(1)" in output
    assert output.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    assert (b"\r\n" in output) == (b"\r\n" in data)
    assert compiles(output)
    if b"latin-1" in data:
        assert "caf\xe9".encode("latin-1") in output


# ------------------------------------------------------------------------------ mutated fixture files
FIXTURE_FILES = sorted(p.relative_to(EXAMPLE_APP).as_posix() for p in EXAMPLE_APP.rglob("*.py"))


@st.composite
def mutations(draw, data: bytes) -> Tuple[bytes, List[str]]:
    """1-3 of the ways real files get broken, applied in turn (the list says which, for the report)."""
    applied: List[str] = []
    for _ in range(draw(st.integers(1, 3))):
        lines = data.splitlines(keepends=True) or [b""]
        kind = draw(st.sampled_from([
            "delete-lines", "duplicate-line", "random-bytes", "stray-indent", "nul", "invalid-utf8", "crlf",
            "cr", "bom", "truncate", "tab-indent", "unicode", "latin1-cookie", "form-feed", "dedent",
        ]))
        applied.append(kind)
        at = draw(st.integers(0, len(lines)))
        if kind == "delete-lines":
            end = draw(st.integers(at, min(len(lines), at + 8)))
            lines[at:end] = []
        elif kind == "duplicate-line":
            lines.insert(at, lines[min(at, len(lines) - 1)])
        elif kind == "stray-indent":
            lines.insert(at, b"")
            index = min(at + 1, len(lines) - 1)
            lines[index] = draw(st.sampled_from([b" ", b"  ", b"\t", b"        "])) + lines[index]
        elif kind == "tab-indent":
            index = min(at, len(lines) - 1)
            lines[index] = lines[index].replace(b"    ", b"\t", 1)
        elif kind == "dedent":
            index = min(at, len(lines) - 1)
            lines[index] = lines[index].lstrip(b" ")
        elif kind == "crlf":
            lines = [line.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n") for line in lines]
        elif kind == "cr":
            lines = [line.replace(b"\r\n", b"\n").replace(b"\n", b"\r") for line in lines]
        elif kind == "latin1-cookie":
            lines.insert(0, b"# -*- coding: latin-1 -*-\n")
        data = b"".join(lines)
        offset = draw(st.integers(0, len(data)))
        if kind == "random-bytes":
            data = data[:offset] + draw(st.binary(min_size=1, max_size=12)) + data[offset:]
        elif kind == "nul":
            data = data[:offset] + b"\x00" + data[offset:]
        elif kind == "invalid-utf8":
            data = data[:offset] + draw(st.sampled_from([b"\xff", b"\xc3\x28", b"\xe9", b"\xed\xa0\x80"])) + data[offset:]
        elif kind == "unicode":
            text = draw(st.sampled_from(["\u2028", "\x0c", "\u00e9", "\U0001f600", "\u200b", "\x1c", "\u0085"]))
            data = data[:offset] + text.encode() + data[offset:]
        elif kind == "form-feed":
            data = data[:offset] + b"\x0c" + data[offset:]
        elif kind == "bom":
            data = b"\xef\xbb\xbf" + data
        elif kind == "truncate":
            data = data[:offset]
    return data, applied


def _mutated_fixture(draw_from):
    relative = draw_from(st.sampled_from(FIXTURE_FILES))
    original = (EXAMPLE_APP / relative).read_bytes()
    data, applied = draw_from(mutations(original))
    return relative, data, applied


@budget(200)
@given(data=st.data())
def test_mutated_fixture_files_in_process(example_app, data):
    """A mutated file of the example app, linted and fixed in the context of the rest of the project."""
    relative, mutated, applied = _mutated_fixture(data.draw)
    fix_round_trip(example_app, relative, mutated)


@budget(100)
@given(data=st.data())
def test_mutated_fixture_files_through_the_cli(example_app, data):
    """`check --fix --unsafe-fixes --output-format json FILE` on a mutated file on disk, then once more."""
    relative, mutated, applied = _mutated_fixture(data.draw)
    path = example_app / relative
    original = path.read_bytes()
    path.write_bytes(mutated)
    try:
        args = ["check", "--no-cache", "--fix", "--unsafe-fixes", "--output-format", "json", relative]
        first = invoke(example_app, args)
        findings = json.loads(first.stdout)
        assert isinstance(findings, list)
        assert all({"code", "location", "end_location", "fix", "filename"} <= set(f) for f in findings)
        after = path.read_bytes()
        if compiles(mutated):
            assert compiles(after), f"{applied}: the fix broke {relative}"
        second = invoke(example_app, args)
        json.loads(second.stdout)
        assert path.read_bytes() == after, f"{applied}: a second --fix changed {relative} again"
        if after != mutated:
            # what changed is only ever a fix: same BOM, same line endings
            assert after.startswith(b"\xef\xbb\xbf") == mutated.startswith(b"\xef\xbb\xbf")
            assert (b"\r\n" in after) == (b"\r\n" in mutated)
    finally:
        path.write_bytes(original)


@given(st.text(alphabet="a \t\r\n\x0c\x0b\u2028"))
def test_split_lines_splits_where_the_tokenizer_does(text):
    import re

    from fastapi_asynclint.source import split_lines

    assert split_lines(text) == re.split(r"\r\n|\r|\n", text)
