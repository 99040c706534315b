"""The project-wide models (FastAPI's, the context vars', the awaited functions, the held contexts) built
from parts kept with an adopted link state are those built from scratch; only the edited functions' parts
are computed again, and the kept models stand whole when no part changed."""

from typing import Dict, List

import pytest

import fastapi_asynclint.index.parts as parts
from fastapi_asynclint.cache import read_back
from fastapi_asynclint.catalog import build_catalog
from fastapi_asynclint.index.build import summarize_bytes
from fastapi_asynclint.index.project import ProjectIndex, link_signature

CONTEXT = "from contextvars import ContextVar\n\nrequest_id = ContextVar('request_id')\n"
DEPS = """
from fastapi import Depends
from ctx import request_id

def settings():
    return {}

class Limiter:
    def __init__(self):
        self.n = 1

def log_line():
    return request_id.get()

async def fetch():
    return 1
"""
APP = """
from fastapi import FastAPI, Depends
from deps import settings, log_line, fetch, Limiter
from ctx import request_id

app = FastAPI()

@app.middleware("http")
async def tag(request, call_next):
    request_id.set("r-1")
    return await call_next(request)

@app.get("/items")
async def items(config=Depends(settings)):
    log_line()
    return {}
"""
# Edits to coroutine bodies only: the link state stands, the models change.
EDITS = {
    "awaits": APP.replace("    return {}\n", "    await fetch()\n    return {}\n"),
    "no longer sets the request id": APP.replace('request_id.set("r-1")', "rid = 1"),  # rows kept: they are linked
    "a new dependency": APP.replace("    return {}\n", "    Depends(Limiter)\n    return {}\n"),
    "no longer reads": APP.replace("    log_line()\n", "    len([])\n"),
}
EDITED = {"awaits": "items", "no longer sets the request id": "tag", "a new dependency": "items", "no longer reads": "items"}


def _index(sources: Dict[str, str], shapes: bool = True) -> ProjectIndex:
    found = {f"{name}.py": summarize_bytes(text.encode(), name, False) for name, text in sources.items()}
    return ProjectIndex(
        {path: file.summary for path, file in found.items()},
        build_catalog((), ()),
        facts={path: file.facts for path, file in found.items()},
        shapes={path: file.shape for path, file in found.items()} if shapes else {},
    )


def _models(index: ProjectIndex) -> tuple:
    fastapi, context = index.fastapi, index.context_vars
    return (
        fastapi.routes, fastapi.dependencies, fastapi.middleware, fastapi.cached, index.awaited_functions(),
        index.held_contexts(), context.request_vars, context.setters, context.reads,
    )


def _stored(sources: Dict[str, str]):
    first = _index(sources)
    _models(first)
    first.witnesses
    # As the cache keeps them: pickled and read back.
    return read_back(first.link_state()), read_back(first.stored_models())


def _counting(monkeypatch) -> List[str]:
    computed: List[str] = []
    original = parts.function_part
    monkeypatch.setattr(
        parts, "function_part",
        lambda index, summary, function, key, model: computed.append(function.qualname)
        or original(index, summary, function, key, model),
    )
    return computed


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_models_from_kept_parts_equal_a_fresh_build(edit, monkeypatch):
    base = {"ctx": CONTEXT, "deps": DEPS, "app": APP}
    state, stored = _stored(base)
    edited_sources = dict(base, app=EDITS[edit])
    fresh = _index(edited_sources)
    expected = _models(fresh)
    assert expected != _models(_index(base)), "the edit must change a model for this test to mean anything"
    assert link_signature(fresh.summaries["app.py"]) == link_signature(_index(base).summaries["app.py"])

    computed = _counting(monkeypatch)
    adopted = _index(edited_sources)
    adopted.adopt_link_state(state)
    assert not adopted.adopt_models(stored), "a part changed: the kept models must not stand"
    assert _models(adopted) == expected
    assert set(computed) == {EDITED[edit]}, "only the edited function's parts are computed again"


@pytest.mark.parametrize("edit", ["a line added above", "an unrelated call added"])
def test_kept_models_stand_when_no_part_changed(edit, monkeypatch):
    base = {"ctx": CONTEXT, "deps": DEPS, "app": APP}
    state, stored = _stored(base)
    if edit == "a line added above":
        edited = APP.replace("app = FastAPI()\n", "app = FastAPI()\npass\n\n")
    else:
        edited = APP.replace("    log_line()\n", "    len('x')\n    log_line()\n")
    edited_sources = dict(base, app=edited)
    fresh = _index(edited_sources)
    expected = _models(fresh)
    # The link state stands (the cache's test for taking it over): only rows and a coroutine's calls moved.
    assert summarize_bytes(edited.encode(), "app", False).link == summarize_bytes(APP.encode(), "app", False).link

    computed = _counting(monkeypatch)
    adopted = _index(edited_sources)
    adopted.adopt_link_state(state)
    assert adopted.adopt_models(stored)
    assert _models(adopted) == expected
    assert set(computed) == (set() if edit == "a line added above" else {"items"})
    # The chain's rows are read from the summaries as they are now, not from the kept model.
    chain = adopted.context_vars.chain(adopted, "app.items")
    assert chain == fresh.context_vars.chain(fresh, "app.items")
    assert chain[1][0].row == edited.splitlines().index("    log_line()") + 1


def test_the_context_token_is_kept_with_the_context_model():
    """A full run reads the token in its workers; kept anyway, a later run takes all it stored over and so
    has nothing new to store."""
    base = {"ctx": CONTEXT, "deps": DEPS, "app": APP}
    first = _index(base)
    first.context_vars
    token = first.context_token()
    state, stored = _stored(base)
    assert stored["models"]["context_token"] == token
    adopted = _index(dict(base, app=EDITS["awaits"]))
    adopted.adopt_link_state(state)
    assert not adopted.adopt_models(stored)  # the edit changed a part: the models are built again
    later = _index(base)
    later.adopt_link_state(state)
    assert later.adopt_models(stored)
    assert later.models()["context_token"] == token and later.context_token() == token


def test_nothing_is_taken_for_an_index_without_shapes():
    """An index built without shapes (the language server's) computes every part."""
    sources = {"ctx": CONTEXT, "deps": DEPS, "app": APP}
    state, stored = _stored(sources)
    edited_sources = dict(sources, app=EDITS["awaits"])
    bare = _index(edited_sources, shapes=False)
    bare.adopt_link_state(state)
    assert not bare.adopt_models(stored)
    assert "deps.fetch" in bare.awaited_functions()
    assert _models(bare) == _models(_index(edited_sources))


def test_a_chain_row_comes_from_the_definition_that_reads():
    """Of two definitions of one name (`if`/`else`), the model takes the first read: the chain's row is
    that read's, not the last definition's (the one a lookup by name finds)."""
    logs = """
from ctx import request_id
import os

if os.environ.get("VERBOSE"):
    def log_line():
        return request_id.get()
else:
    def log_line():
        return None
"""
    index = _index({"ctx": CONTEXT, "deps": DEPS, "logs": logs, "app": APP})
    var, hops = index.context_vars.chain(index, "logs.log_line")
    assert var == "ctx.request_id"
    assert [hop.row for hop in hops] == [logs.splitlines().index("        return request_id.get()") + 1] * 2
