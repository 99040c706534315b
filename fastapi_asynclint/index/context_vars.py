"""Request context variables: which `ContextVar`s the request path sets (a correlation or request id set
by middleware), and which functions read them, directly or through the functions they call.

A `ContextVar` is identified by where it is bound (`app.context.request_id`), whatever name it is
imported under. Reads propagate to callers through sync and async calls alike, with a witness chain as
for blocking calls.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Dict, Iterable, List, NamedTuple, Optional, Set, Tuple

from fastapi_asynclint.diagnostics import Hop
from fastapi_asynclint.index.fastapi_model import FastAPIModel
from fastapi_asynclint.index.summary import Function

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
    # fn -> (var, call, callee): the variable it reads and which of its calls (see CallId) gets there,
    # reading it (callee None) or calling the function that does.
    reads: Dict[str, Tuple[str, "CallId", Optional[str]]] = field(default_factory=dict)

    def named(self, name: str) -> Tuple[str, ...]:
        """The functions called `name` that read a request variable (a task queue names the function it runs)."""
        return tuple(sorted(key for key in self.reads if key.rpartition(".")[2] == name))

    def chain(self, index, key: str) -> Optional[Tuple[str, Tuple[Hop, ...]]]:
        """The var a function reads (through its callees) and the calls that get there."""
        hops: List[Hop] = []
        seen: Set[str] = set()
        while key in self.reads and key not in seen:
            seen.add(key)
            var, call, callee = self.reads[key]
            ref = index.function_ref(key)
            row = _call_row(index, ref, call)
            hops.append(Hop(ref.qualname if ref else key, ref.filename if ref else "", row))
            if callee is None:
                hops.append(Hop(f"{var}.get", ref.filename if ref else "", row))
                return var, tuple(hops)
            key = callee
        return None


# Which of a function's calls: its target (or method name) and how many calls to the same come before it.
# A row would be stale after a line is added above, and a position after a call is added before it.
CallId = Tuple[Optional[str], Optional[str], int]


def call_ids(function: Function) -> List[CallId]:
    seen: Dict[Tuple[Optional[str], Optional[str]], int] = {}
    found = []
    for call in function.calls:
        name = (call.target, call.attr)
        seen[name] = seen.get(name, -1) + 1
        found.append((call.target, call.attr, seen[name]))
    return found


def _call_row(index, ref, call: CallId) -> int:
    """The row of a function's call as the index has it now. Of several definitions of one name (a
    property's getter and setter, an `if`/`else` pair), the first holding that call: the one the model
    took the call from (build_context_model keeps the first read and the first reading call)."""
    summary = index.modules.get(ref.module) if ref is not None else None
    if ref is None or summary is None:
        return 0
    definitions = [function for function in summary.functions if function.qualname == ref.qualname]
    for function in definitions:
        for record, identity in zip(function.calls, call_ids(function)):
            if identity == call:
                return record.row
    return definitions[0].row if definitions else 0


def var_of(index, target: Optional[str], method: str) -> Optional[str]:
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
    order), and the project functions it calls otherwise, as (call, callee key). Calls are named by
    CallId, never by row or position: the part stays what it was when a line or an unrelated call is
    added to the function."""

    key: str
    qualname: str
    sets: Tuple[str, ...]
    get: Optional[Tuple[str, CallId]]
    calls: Tuple[Tuple[CallId, str], ...]


def function_context(index, function: Function, key: str) -> Optional[FunctionContext]:
    """What a function does with context variables, if it sets or reads one or calls a project function."""
    sets: List[str] = []
    get: Optional[Tuple[str, CallId]] = None
    calls: List[Tuple[CallId, str]] = []
    identities = None
    for number, call in enumerate(function.calls):
        for target in call.targets:
            var = var_of(index, target, "set")
            if var is not None:
                sets.append(var)
            var = var_of(index, target, "get")
            if var is not None:
                identities = identities or call_ids(function)
                get = get or (var, identities[number])
                continue
            _, callee = index.callee(target)
            if callee is not None and callee.key != key:
                identities = identities or call_ids(function)
                # Interned: the stored parts then hold each callee's name once.
                calls.append((identities[number], sys.intern(callee.key)))
    if sets or get or calls:
        return FunctionContext(key, function.qualname, tuple(sets), get, tuple(calls))
    return None


def build_context_model(fastapi: FastAPIModel, functions: Iterable[FunctionContext]) -> ContextModel:
    """The model from every function's part, given FastAPI's model (which functions run per request)."""
    model = ContextModel()
    direct: Dict[str, Tuple[str, CallId]] = {}
    edges: Dict[str, List[Tuple[CallId, str]]] = {}
    for function in functions:
        if fastapi.is_per_request(function.key) or function.qualname.rpartition(".")[2] in _MIDDLEWARE_METHODS:
            for var in function.sets:
                model.request_vars.add(var)
                model.setters.setdefault(var, function.qualname)
        if function.get is not None:
            direct.setdefault(function.key, function.get)
        if function.calls:
            edges.setdefault(function.key, []).extend(function.calls)
    model.request_vars |= {var for var, _ in direct.values() if var in LIBRARY_REQUEST_VARS}
    for key, (var, call) in direct.items():
        if var in model.request_vars:
            model.reads[key] = (var, call, None)
    callers: Dict[str, List[str]] = {}
    for caller, outgoing in edges.items():
        for _, callee in outgoing:
            callers.setdefault(callee, []).append(caller)
    frontier = set(model.reads)
    while frontier:
        found: Dict[str, Tuple[str, CallId, Optional[str]]] = {}
        for caller in sorted({c for key in frontier for c in callers.get(key, ()) if c not in model.reads}):
            for call, callee in edges[caller]:
                if callee in model.reads:
                    found[caller] = (model.reads[callee][0], call, callee)
                    break
        model.reads.update(found)
        frontier = set(found)
    return model
