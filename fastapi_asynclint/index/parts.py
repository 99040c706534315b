"""Each function's part of the project-wide models: what FastAPI runs per request, which context variables
it sets and reads, which project functions it awaits, what its `with` items hold.

A model is the merge of every function's part of it. A part depends only on the function's record but
where it stands (rows, columns; see build.function_shape) and on the linked index, so parts are kept with
the link state (ProjectIndex.module_parts): after an edit, only the edited functions' parts are computed
again, and when they come out as they were, the merged models of the last run still hold whole. A part
is computed when its model is first asked for: a run that needs FastAPI's model alone (a one-file check
without a cache) does not resolve every call of the project for the context vars'.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Dict, List, Tuple

from fastapi_asynclint.catalog import canonical_name
from fastapi_asynclint.index.context_vars import function_context
from fastapi_asynclint.index.fastapi_model import function_model
from fastapi_asynclint.index.summary import MODULE_SCOPE, Function, ModuleSummary

if TYPE_CHECKING:
    from fastapi_asynclint.index.project import ProjectIndex

# One function of a module: [its function_shape, its key, {model name: its part, None if it adds nothing}].
FunctionEntry = List[object]
# A module's functions in order, with the shape of the summary they were read from: what is kept per file.
ModuleParts = Tuple[str, List[FunctionEntry]]


def _fastapi(index: "ProjectIndex", summary: ModuleSummary, function: Function, key: str):
    route, dependencies, middleware, cached = function_model(index, summary, function, key)
    return (route, dependencies, middleware, cached) if route or dependencies or middleware or cached else None


def _context(index: "ProjectIndex", summary: ModuleSummary, function: Function, key: str):
    return function_context(index, function, key) if function.qualname != MODULE_SCOPE else None


def _awaited(index: "ProjectIndex", summary: ModuleSummary, function: Function, key: str):
    """The project functions a function awaits."""
    found = set()
    for call in function.calls:
        if call.awaited:
            for target in call.targets:
                _, ref = index.callee(target)
                if ref is not None:
                    found.add(ref.key)
    return tuple(sorted(found)) or None


def _held(index: "ProjectIndex", summary: ModuleSummary, function: Function, key: str):
    """The canonical names of a function's `with` items."""
    return tuple(canonical_name(index.resolve(target).name) for target in function.contexts if target) or None


# Model name -> what one function adds to it (FastAPI's: (route method, dependencies, middleware, cached);
# the context vars': a FunctionContext; awaited: function keys; held: canonical names), None for nothing.
PARTS: Dict[str, Callable[["ProjectIndex", ModuleSummary, Function, str], object]] = {
    "fastapi": _fastapi, "context": _context, "awaited": _awaited, "held": _held,
}


def function_part(index: "ProjectIndex", summary: ModuleSummary, function: Function, key: str, model: str) -> object:
    return PARTS[model](index, summary, function, key)
