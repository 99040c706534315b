"""An edited large file re-summarised from its last summary (layout.py) is what a whole parse gives.

Every case compares the two, field by field (the summary, its digests and the new layout, which the next
edit starts from); each also says whether it must be re-summarised in part or must fall back to a whole
parse, so that a change which made every edit fall back would fail too.
"""

from __future__ import annotations

import random
import re
import textwrap
from pathlib import Path
from typing import Optional

import pytest

from fastapi_asynclint.index import build
from fastapi_asynclint.index.build import FileSummary, resummarize_bytes, summarize_bytes

MODULE = "app.routes"

BASE = textwrap.dedent(
    '''\
    """Routes."""
    import time
    from fastapi import APIRouter, Depends

    from .deps import get_db

    router = APIRouter()


    def helper(path):
        with open(path) as handle:
            return handle.read()


    @router.get("/items")
    async def items(db=Depends(get_db)):
        time.sleep(1)
        return helper("items.json")


    class Service:
        client: "object" = None

        def load(self):
            from .store import load_all

            return load_all()

        async def refresh(self):
            self.load()


    # routes below


    @router.post("/items")
    async def create(payload: dict):
        return Service().load()
    '''
)


@pytest.fixture(autouse=True)
def every_file_has_a_layout(monkeypatch):
    monkeypatch.setattr(build, "LAYOUT_MIN_BYTES", 0)


def _compare(old: str, new: str) -> Optional[FileSummary]:
    """The re-summarised file (None when it fell back), after checking it against a whole parse."""
    assert new != old, "the edit must change the text"
    previous = summarize_bytes(old.encode(), MODULE, False)
    assert previous.layout is not None
    found = resummarize_bytes(new.encode(), previous, MODULE, False)
    if found is not None:
        whole = summarize_bytes(new.encode(), MODULE, False)
        assert found.summary == whole.summary
        assert (found.digest, found.facts, found.link, found.shape) == (whole.digest, whole.facts, whole.link, whole.shape)
        assert found.layout == whole.layout
    return found


IN_PART = {
    "a line added in a coroutine": BASE.replace("    time.sleep(1)\n", '    bench = len("edit")\n    time.sleep(1)\n'),
    "a line removed in a method": BASE.replace("        from .store import load_all\n\n", ""),
    "a call changed in the last route": BASE.replace("Service().load()", "Service().refresh()"),
    "the first def edited": BASE.replace("return handle.read()", "return handle.read(10)"),
    "a comment added between defs": BASE.replace("# routes below\n", "# routes below\n# and more\n"),
    "a comment inside a def": BASE.replace("    time.sleep(1)\n", "    # slow\n    time.sleep(1)\n"),
    "a decorator changed": BASE.replace('@router.post("/items")', '@router.put("/items/{item}")'),
    "a local import added": BASE.replace("    time.sleep(1)\n", "    import json\n    time.sleep(1)\n"),
    "a local import removed": BASE.replace("        from .store import load_all\n", "        load_all = None\n"),
    "blank lines added at the end": BASE + "\n\n\n",
    "the last newline dropped": BASE.rstrip("\n"),
    "a comment appended": BASE + "# end\n",
    "two defs edited far apart": BASE.replace("return handle.read()", "return handle.read(1)").replace(
        "Service().load()", "Service().load() or None"
    ),
    "a blank line added between defs": BASE.replace("\n\nclass Service", "\n\n\nclass Service"),
    "a def that spans more rows": BASE.replace("async def items(db=Depends(get_db)):", "async def items(\n    db=Depends(get_db),\n):"),
    "a method added in a class": BASE.replace("    async def refresh(self):", "    def extra(self):\n        pass\n\n    async def refresh(self):"),
}

WHOLE = {
    "a def added": BASE + "\n\ndef added():\n    pass\n",
    "a def renamed": BASE.replace("def helper(path)", "def reader(path)").replace('helper("items', 'reader("items'),
    "an import added at the top": BASE.replace("import time\n", "import time\nimport os\n"),
    "a module-level statement added between defs": BASE.replace("# routes below\n", "CACHE = {}\n"),
    "a statement appended": BASE + "app = router\n",
    "a syntax error in a route": BASE.replace("time.sleep(1)", "time.sleep(1"),
    "an unterminated docstring in a def": BASE.replace("    time.sleep(1)\n", '    """\n    time.sleep(1)\n'),
    "a def dedented into the module": BASE.replace("        return handle.read()", "    return handle.read()\nx = 1"),
    "a module-level await added": BASE + "\n\nawait create({})\n",
    "a module-level yield": BASE.replace("# routes below\n", "(yield)\n"),
    "a star import inside a def": BASE.replace("    time.sleep(1)\n", "    from os import *\n    time.sleep(1)\n"),
    "an empty file": "",
}


@pytest.mark.parametrize("name", list(IN_PART))
def test_an_edit_inside_defs_is_summarised_in_part(name):
    assert _compare(BASE, IN_PART[name]) is not None


@pytest.mark.parametrize("name", list(WHOLE))
def test_an_edit_that_could_change_the_rest_falls_back_to_a_whole_parse(name):
    assert _compare(BASE, WHOLE[name]) is None


def test_crlf_line_ends_are_kept_apart_from_the_rows():
    old = BASE.replace("\n", "\r\n")
    assert _compare(old, old.replace("time.sleep(1)", "time.sleep(2)")) is not None


def test_statements_that_share_a_row_are_one_block():
    old = BASE.replace("router = APIRouter()\n", "router = APIRouter(); other = APIRouter()\n")
    assert _compare(old, old.replace("time.sleep(1)", "time.sleep(2)")) is not None
    assert _compare(old, old.replace("other = APIRouter()", "other = None")) is None


def test_edits_in_sequence_start_from_the_last_layout():
    previous = summarize_bytes(BASE.encode(), MODULE, False)
    text = BASE
    for number in range(6):
        text = text.replace("    time.sleep(1)\n", f"    step = {number}\n    time.sleep(1)\n", 1)
        found = resummarize_bytes(text.encode(), previous, MODULE, False)
        assert found is not None
        whole = summarize_bytes(text.encode(), MODULE, False)
        assert (found.summary, found.digest, found.layout) == (whole.summary, whole.digest, whole.layout)
        previous = found


def test_another_module_name_falls_back():
    previous = summarize_bytes(BASE.encode(), MODULE, False)
    assert resummarize_bytes(BASE.encode(), previous, "app.other", False) is None
    assert resummarize_bytes(BASE.encode(), previous, MODULE, True) is None


def test_a_small_file_has_no_layout(monkeypatch):
    monkeypatch.setattr(build, "LAYOUT_MIN_BYTES", len(BASE) + 1)
    assert summarize_bytes(BASE.encode(), MODULE, False).layout is None


def test_the_layout_survives_the_cache_format():
    previous = summarize_bytes(BASE.encode(), MODULE, False)
    stored = FileSummary.stored(*previous.packed())
    assert stored.layout == previous.layout and stored.summary == previous.summary


def test_random_edits_of_real_modules_give_a_whole_parse_result():
    """Lines inserted, dropped, copied, changed and swapped in this project's own modules, one to three at
    a time: each result is either a fallback or equal to a whole parse, and lines added inside function
    bodies (most edits) are summarised in part."""
    sources = sorted(Path(build.__file__).parent.parent.rglob("*.py"))
    rng = random.Random(7)
    inserted = ["", "# note", "{i}pass", "{i}value = call()", "def extra():\n    pass", "import os", "x = 1",
                '{i}text = "abc"', '"""', "@decorator", "{i}await call()", "{i}import json", "{i}return",
                "class Extra:", "a = 1; b = 2", "{i}if value:\n{i}    pass"]
    outcomes = {"part": 0, "whole": 0}
    for _ in range(150):
        text = rng.choice(sources).read_text(encoding="utf-8")
        lines = text.split("\n")
        for _ in range(rng.choice([1, 1, 2, 3])):
            row = rng.randrange(len(lines))
            indent = re.match(r"[ \t]*", lines[row]).group(0)
            kind = rng.random()
            if kind < 0.5:
                lines.insert(row, rng.choice(inserted).format(i=indent))
            elif kind < 0.65:
                del lines[row]
            elif kind < 0.8:
                lines.insert(row, lines[row])
            elif kind < 0.9:
                lines[row] += rng.choice([" # note", "x", ")", " + 1"])
            else:
                other = rng.randrange(len(lines))
                lines[row], lines[other] = lines[other], lines[row]
        edited = "\n".join(lines)
        if edited != text:
            outcomes["part" if _compare(text, edited) is not None else "whole"] += 1
    body_lines = 0
    for path in sources[:20]:
        text = path.read_text(encoding="utf-8")
        lines = text.split("\n")
        rows = [number for number, line in enumerate(lines) if re.match(r" {4,}(return |if |for |[a-z_]+ = )", line)]
        for row in rows[:: max(1, len(rows) // 3)][:3]:
            indent = re.match(r"[ \t]*", lines[row]).group(0)
            edited = "\n".join([*lines[:row], f"{indent}edit = len('e')", *lines[row:]])
            body_lines += _compare(text, edited) is not None
    assert outcomes["part"] > 20 and outcomes["whole"] > 20, outcomes
    assert body_lines >= 40, body_lines
