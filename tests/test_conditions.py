"""A finding through a helper whose blocking path sits behind a test on its parameters says "may block
(when ...)" exactly when the call leaves that test undecided, and "blocks" when what it passes decides it."""

from __future__ import annotations

import json

APP = """\
import time

from fastapi import FastAPI

app = FastAPI()


def load(path=None):
    if path is None:
        time.sleep(1)


def maybe(flag):
    if flag:
        time.sleep(1)


def through_default():
    load()


@app.get("/defaults")
async def defaults():
    through_default()
    load()
    load("x")


@app.get("/flags")
async def flags(flag: bool, untyped):
    maybe(flag)
    maybe(untyped)
    maybe(True)
    maybe(0)
    maybe(1.5)
"""


def _row(call: str) -> int:
    """The row of `call` in a route (the last line that is just that call)."""
    return max(row for row, line in enumerate(APP.splitlines(), start=1) if line.strip() == call)


def _messages(cli) -> dict:
    cli.write({"app.py": APP})
    result = cli("check", "--no-cache", "--output-format", "json", "app.py")
    return {item["location"]["row"]: item["message"] for item in json.loads(result.output)}


def test_decided_guards_assert_and_undecided_guards_hedge(cli):
    messages = _messages(cli)
    asserted = [_row(call) for call in ("through_default()", "load()", "maybe(True)", "maybe(1.5)")]
    hedged = [_row(call) for call in ("maybe(flag)", "maybe(untyped)")]  # the request decides
    assert sorted(messages) == sorted(asserted + hedged)
    for row in asserted:  # an omitted None default, literal True, literal 1.5
        assert "blocks the event loop" in messages[row] and "may block" not in messages[row], messages[row]
    for row in hedged:
        assert "may block the event loop (when `flag` is set)" in messages[row], messages[row]


KEYWORD_ONLY = """\
import time

from fastapi import FastAPI

app = FastAPI()


def dump(*names, verbose=False):
    if verbose:
        time.sleep(1)


def log(name, *, verbose=None):
    if verbose is None:
        return name
    time.sleep(1)


@app.get("/dump")
async def route():
    dump(True)
    dump("a", verbose=True)
    log("a", True)
"""


def test_a_keyword_only_parameter_is_filled_by_name_only(cli):
    """`dump(True)` fills `*names`, not `verbose`; `log("a", True)` would be a TypeError: neither is
    taken to pass the keyword-only parameter, whose default then decides."""
    cli.write({"app.py": KEYWORD_ONLY})
    result = cli("check", "--no-cache", "--output-format", "json", "app.py")
    rows = sorted(item["location"]["row"] for item in json.loads(result.output))
    lines = KEYWORD_ONLY.splitlines()
    assert rows == [lines.index('    dump("a", verbose=True)') + 1], result.output


def test_a_constant_without_a_literal_form_is_taken_as_unsure(cli):
    """`1e400` is recorded by its repr, "inf", which `ast.literal_eval` refuses: the test may hold."""
    cli.write({"app.py": APP.replace("    maybe(1.5)\n", "    maybe(1e400)\n")})
    result = cli("check", "--no-cache", "--output-format", "json", "app.py")
    assert result.exit_code == 1, result.output
    assert any(item["code"] == "FAL101" and "maybe()" in item["message"] for item in json.loads(result.output))
    assert not any(item["code"] == "FAL903" for item in json.loads(result.output))


def test_a_constant_that_fails_the_guard_is_not_reported(cli):
    messages = _messages(cli)
    assert _row('load("x")') not in messages  # path is not None
    assert _row("maybe(0)") not in messages  # falsy


SWITCHES = """\
import os

from fastapi import FastAPI

app = FastAPI()
CACHE_DIR = os.getenv("CACHE_DIR")
if not CACHE_DIR:
    CACHE_DIR = "/tmp/cache"


def cache_ready():
    return os.path.exists(os.getenv("CACHE_PATH", "/tmp/cache"))


def local_storage():
    return "S3_BUCKET" not in os.environ


def cleanup():
    if not os.getenv("KEEP_FILES"):
        open("cleanup.log", "a").close()
    if os.getenv("AUDIT"):
        open("audit.log", "a").close()


def update(clear):
    return clear


def warm():
    return update(clear=True)


def load(mode):
    if warm() and warm() and warm() and os.getenv("A") and os.getenv("B"):
        if mode == "file":
            open("data.json").close()


@app.get("/asserted")
async def asserted():
    if CACHE_DIR:
        open(CACHE_DIR + "/index").close()
    if cache_ready():
        open("cache.bin").close()
    if local_storage():
        open("store.bin").close()
    if not int(os.getenv("USE_CACHE", "0")):
        open("fresh.bin").close()
    if not os.getenv("API_TOKEN"):
        os.environ["API_TOKEN"] = "generated"
    if os.getenv("API_TOKEN"):
        open("token.txt", "w").close()


@app.get("/hedged")
async def hedged():
    if os.getenv("KEEP_FILES"):
        cleanup()
    load("text")
"""


def _switch_messages(cli) -> dict:
    cli.write({"app.py": SWITCHES})
    result = cli("check", "--no-cache", "--output-format", "json", "--select", "FAL103", "app.py")
    return {item["location"]["row"]: item["message"] for item in json.loads(result.output)}


def _switch_row(text: str) -> int:
    return next(row for row, line in enumerate(SWITCHES.splitlines(), start=1) if line.strip() == text)


def test_tests_that_do_not_name_a_deployment_switch_assert(cli):
    """A module name bound again, a function of the machine's state, one true where nothing is set, a
    number read as 0 by default, and a variable the coroutine sets itself: each branch runs as written."""
    messages = _switch_messages(cli)
    for call in ('open(CACHE_DIR + "/index").close()', 'open("cache.bin").close()', 'open("store.bin").close()',
                 'open("fresh.bin").close()', 'open("token.txt", "w").close()'):
        assert "in async function `asserted`; use" in messages[_switch_row(call)], messages[_switch_row(call)]


def test_a_caller_under_the_opposite_test_still_meets_the_helpers_other_branch(cli):
    """`cleanup()` writes by default (`not KEEP_FILES`) and when AUDIT is set: a caller that runs it only
    when KEEP_FILES is set rules out the first write, not the second; and switches never push a
    parameter's test out of the guards a call keeps (`load("text")` never reads)."""
    messages = _switch_messages(cli)
    assert "(when environment variable `AUDIT` is set and environment variable `KEEP_FILES` is set)" in messages[_switch_row("cleanup()")]
    assert _switch_row('load("text")') not in messages
    assert len(messages) == 6, messages
