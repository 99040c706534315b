"""Each function's part of the project-wide models: what FastAPI runs per request, which context variables
it sets and reads, which project functions it awaits, what its `with` items hold.

A model is the merge of every function's part. A part depends only on the function's record but where
it stands (rows, columns; see build.function_shape) and on the linked index, so parts are kept with the link
state (ProjectIndex.module_parts): after an edit, only the edited functions' parts are computed again,
and when they come out as they were, the merged models of the last run still hold whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple, Optional, Tuple

from fastapi_asynclint.catalog import canonical_name
from fastapi_asynclint.index.context_vars import FunctionContext, function_context
from fastapi_asynclint.index.fastapi_model import function_model
from fastapi_asynclint.index.summary import MODULE_SCOPE, Function, ModuleSummary

if TYPE_CHECKING:
    from fastapi_asynclint.index.project import ProjectIndex


class FunctionParts(NamedTuple):
    key: str
    # FastAPI's model (fastapi_model.function_model)
    route: Optional[str]
    dependencies: Tuple[str, ...]
    middleware: bool
    cached: bool
    # The context vars' model (context_vars.function_context)
    context: Optional[FunctionContext]
    # The project functions it awaits, and the canonical names of its `with` items.
    awaited: Tuple[str, ...]
    held: Tuple[str, ...]


# (function_shape, its parts or None when it adds nothing to any model), one per function in order.
ModuleParts = Tuple[Tuple[str, Optional[FunctionParts]], ...]


def function_parts(index: "ProjectIndex", summary: ModuleSummary, function: Function) -> Optional[FunctionParts]:
    key = index.ref(summary, function).key
    route, dependencies, middleware, cached = function_model(index, summary, function, key)
    context = function_context(index, function, key) if function.qualname != MODULE_SCOPE else None
    awaited = _awaited_by(index, function)
    held = _held_by(index, function)
    if not (route or dependencies or middleware or cached or context or awaited or held):
        return None
    return FunctionParts(key, route, dependencies, middleware, cached, context, awaited, held)


def _awaited_by(index: "ProjectIndex", function: Function) -> Tuple[str, ...]:
    """The project functions a function awaits."""
    found = set()
    for call in function.calls:
        if call.awaited:
            for target in call.targets:
                _, ref = index.callee(target)
                if ref is not None:
                    found.add(ref.key)
    return tuple(sorted(found))


def _held_by(index: "ProjectIndex", function: Function) -> Tuple[str, ...]:
    """The canonical names of a function's `with` items."""
    return tuple(canonical_name(index.resolve(target).name) for target in function.contexts if target)
