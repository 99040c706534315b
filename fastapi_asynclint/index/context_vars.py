"""Request context variables: which `ContextVar`s the request path sets (a correlation or request id set
by middleware), and which functions read them, directly or through the functions they call.

A `ContextVar` is identified by where it is bound (`app.context.request_id`), whatever name it is
imported under. Reads propagate to callers through sync and async calls alike, with a witness chain as
for blocking calls.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Dict, List, NamedTuple, Optional, Set, Tuple

from fastapi_asynclint.diagnostics import Hop
from fastapi_asynclint.index.summary import MODULE_SCOPE, ModuleSummary

if TYPE_CHECKING:
    from fastapi_asynclint.index.project import ProjectIndex

CONTEXT_VAR = "contextvars.ContextVar()"
# Context variables that third-party request middleware sets.
LIBRARY_REQUEST_VARS = frozenset(
    {"asgi_correlation_id.correlation_id", "asgi_correlation_id.context.correlation_id"}
)
_MIDDLEWARE_METHODS = ("dispatch", "__call__")


@dataclass
class ContextModel:
    request_vars: Set[str] = field(default_factory=set)
    setters: Dict[str, str] = field(default_factory=dict)  # var -> a function that sets it (for messages)
    reads: Dict[str, Tuple[str, int, Optional[str]]] = field(default_factory=dict)  # fn -> (var, row, callee)

    def named(self, name: str) -> Tuple[str, ...]:
        """The functions called `name` that read a request variable (a task queue names the function it runs)."""
        return tuple(sorted(key for key in self.reads if key.rpartition(".")[2] == name))

    def chain(self, index: "ProjectIndex", key: str) -> Optional[Tuple[str, Tuple[Hop, ...]]]:
        """The var a function reads (through its callees) and the calls that get there."""
        hops: List[Hop] = []
        seen: Set[str] = set()
        while key in self.reads and key not in seen:
            seen.add(key)
            var, row, callee = self.reads[key]
            ref = index.function_ref(key)
            hops.append(Hop(ref.qualname if ref else key, ref.filename if ref else "", row))
            if callee is None:
                hops.append(Hop(f"{var}.get", ref.filename if ref else "", row))
                return var, tuple(hops)
            key = callee
        return None


def var_of(index: "ProjectIndex", target: Optional[str], method: str) -> Optional[str]:
    """The context variable a call like `request_id.get()` is made on (its binding site), if any."""
    if not target or not target.endswith("." + method):
        return None
    receiver = target[: -len(method) - 1]
    site = index.binding_site(receiver)
    if site is None:
        return None
    key, value = site
    if value == CONTEXT_VAR or key in LIBRARY_REQUEST_VARS:
        return key
    return None


class FunctionContext(NamedTuple):
    """What one function does with context variables: the ones it sets and the first it reads (in call
    order), and the project functions it calls otherwise, as (row, callee key)."""

    key: str
    qualname: str
    sets: Tuple[str, ...]
    get: Optional[Tuple[str, int]]
    calls: Tuple[Tuple[int, str], ...]


def module_context(index: "ProjectIndex", summary: ModuleSummary) -> Tuple[FunctionContext, ...]:
    """The module's functions that set or read a context variable or call a project function."""
    found: List[FunctionContext] = []
    for function in summary.functions:
        if function.qualname == MODULE_SCOPE:
            continue
        key = index.ref(summary, function).key
        sets: List[str] = []
        get: Optional[Tuple[str, int]] = None
        calls: List[Tuple[int, str]] = []
        for call in function.calls:
            for target in call.targets:
                var = var_of(index, target, "set")
                if var is not None:
                    sets.append(var)
                var = var_of(index, target, "get")
                if var is not None:
                    get = get or (var, call.row)
                    continue
                _, callee = index.callee(target)
                if callee is not None and callee.key != key:
                    # Interned: the stored parts then hold each callee's name once (a third of their size).
                    calls.append((call.row, sys.intern(callee.key)))
        if sets or get or calls:
            found.append(FunctionContext(key, function.qualname, tuple(sets), get, tuple(calls)))
    return tuple(found)


def build_context_model(index: "ProjectIndex") -> ContextModel:
    model = ContextModel()
    fastapi = index.fastapi
    direct: Dict[str, Tuple[str, int]] = {}
    edges: Dict[str, List[Tuple[int, str]]] = {}
    for path in sorted(index.summaries):
        for function in index.module_part("context", path, module_context):
            # Which functions run per request is known only once every module's part of FastAPI's model is in.
            if fastapi.is_per_request(function.key) or function.qualname.rpartition(".")[2] in _MIDDLEWARE_METHODS:
                for var in function.sets:
                    model.request_vars.add(var)
                    model.setters.setdefault(var, function.qualname)
            if function.get is not None:
                direct.setdefault(function.key, function.get)
            if function.calls:
                edges.setdefault(function.key, []).extend(function.calls)
    model.request_vars |= {var for var, _ in direct.values() if var in LIBRARY_REQUEST_VARS}
    for key, (var, row) in direct.items():
        if var in model.request_vars:
            model.reads[key] = (var, row, None)
    callers: Dict[str, List[str]] = {}
    for caller, outgoing in edges.items():
        for _, callee in outgoing:
            callers.setdefault(callee, []).append(caller)
    frontier = set(model.reads)
    while frontier:
        found: Dict[str, Tuple[str, int, Optional[str]]] = {}
        for caller in sorted({c for key in frontier for c in callers.get(key, ()) if c not in model.reads}):
            for row, callee in edges[caller]:
                if callee in model.reads:
                    found[caller] = (model.reads[callee][0], row, callee)
                    break
        model.reads.update(found)
        frontier = set(found)
    return model
