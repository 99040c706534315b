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


def test_a_constant_that_fails_the_guard_is_not_reported(cli):
    messages = _messages(cli)
    assert _row('load("x")') not in messages  # path is not None
    assert _row("maybe(0)") not in messages  # falsy
