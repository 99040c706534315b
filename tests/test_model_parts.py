"""The project-wide models (FastAPI's, the context vars', the awaited functions) built from module parts
kept with an adopted link state are those built from scratch, and only the edited modules' parts are
computed again."""

from typing import Dict

import pytest

import fastapi_asynclint.index.context_vars as context_vars
import fastapi_asynclint.index.fastapi_model as fastapi_model
import fastapi_asynclint.index.project as project
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


def _index(sources: Dict[str, str]) -> ProjectIndex:
    found = {f"{name}.py": summarize_bytes(text.encode(), name, False) for name, text in sources.items()}
    return ProjectIndex(
        {path: file.summary for path, file in found.items()},
        build_catalog((), ()),
        facts={path: file.facts for path, file in found.items()},
    )


def _models(index: ProjectIndex) -> tuple:
    fastapi, context = index.fastapi, index.context_vars
    return (
        fastapi.routes, fastapi.dependencies, fastapi.middleware, fastapi.cached, index.awaited_functions(),
        context.request_vars, context.setters, context.reads,
    )


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_models_from_kept_parts_equal_a_fresh_build(edit, monkeypatch):
    base = {"ctx": CONTEXT, "deps": DEPS, "app": APP}
    first = _index(base)
    _models(first)
    first.witnesses
    state = first.link_state()

    edited_sources = dict(base, app=EDITS[edit])
    fresh = _index(edited_sources)
    expected = _models(fresh)
    assert expected != _models(_index(base)), "the edit must change a model for this test to mean anything"
    assert link_signature(fresh.summaries["app.py"]) == link_signature(first.summaries["app.py"])

    computed = []
    for module, name in ((fastapi_model, "module_model"), (context_vars, "module_context"), (project, "_awaited_in")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda index, summary, original=original: computed.append(summary.module) or original(index, summary))
    adopted = _index(edited_sources)
    adopted.adopt_link_state(state)
    assert _models(adopted) == expected
    assert computed == ["app", "app", "app"]


def test_a_part_is_not_taken_for_a_file_without_facts():
    """An index built without facts (the language server's) computes every part."""
    sources = {"ctx": CONTEXT, "deps": DEPS, "app": APP}
    first = _index(sources)
    _models(first)
    first.witnesses
    state = first.link_state()
    found = {f"{name}.py": summarize_bytes(text.encode(), name, False) for name, text in dict(sources, app=EDITS["awaits"]).items()}
    bare = ProjectIndex({path: file.summary for path, file in found.items()}, build_catalog((), ()))
    bare.adopt_link_state(state)
    assert "deps.fetch" in bare.awaited_functions()
