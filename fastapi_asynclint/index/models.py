"""The project-wide models, merged from each file's part of them: which functions FastAPI runs per request
(fastapi_model.py), which context variables the request path sets and who reads them (context_vars.py),
which project functions some code awaits, and what each function's `with` items hold.

A file's part depends only on its summary but where things stand (build.shape_facts) and on the linked
index. Parts computed before for the same link state (LinkState.parts) are taken for every file whose
shape is what it was, so an edit inside one route computes that file's part again, not the project's.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Callable, Dict, Mapping, Optional, Set, Tuple

from fastapi_asynclint.catalog import canonical_name
from fastapi_asynclint.index.context_vars import ContextModel, FunctionContext, build_context_model, function_context
from fastapi_asynclint.index.fastapi_model import FastAPIModel, FunctionModel, build_model, function_model
from fastapi_asynclint.index.reach import ReachPart, app_found, build_reach, reach_part
from fastapi_asynclint.index.summary import MODULE_SCOPE, Function, ModuleSummary


@dataclass(frozen=True)
class FileParts:
    """What one file adds to the project-wide models."""

    # build.shape_facts of the summary the parts were read from.
    shape: str
    fastapi: Tuple[FunctionModel, ...] = ()
    context: Tuple[FunctionContext, ...] = ()
    # The project functions the file awaits.
    awaited: Tuple[str, ...] = ()
    # Function key -> the canonical names of its `with` items.
    held: Tuple[Tuple[str, Tuple[str, ...]], ...] = ()
    # What its functions tell about where code runs (reach.py).
    reach: Tuple[ReachPart, ...] = ()
    # The functions that may use a connection they are given beyond its scope (connection_reader).
    connection_readers: Tuple[str, ...] = ()
    # A digest of the six above: parts that compare equal give equal digests.
    digest: str = ""


def file_parts(index, summary: ModuleSummary, shape: str) -> FileParts:
    """`index` is the linked ProjectIndex the parts are read through."""
    fastapi, context, held, reach, readers = [], [], [], [], []
    awaited: Set[str] = set()
    for function in summary.functions:
        key = index.ref(summary, function).key
        if connection_reader(function):
            readers.append(key)
        found = function_model(index, summary, function, key)
        if found is not None:
            fastapi.append(found)
        served = reach_part(index, summary, function, key)
        if served is not None:
            reach.append(served)
        if function.qualname != MODULE_SCOPE:
            reads = function_context(index, function, key)
            if reads is not None:
                context.append(reads)
        awaited.update(_awaited(index, function))
        names = tuple(canonical_name(index.resolve(target).name) for target in function.contexts if target)
        if names:
            held.append((key, names))
    parts = (tuple(fastapi), tuple(context), tuple(sorted(awaited)), tuple(held), tuple(reach), tuple(readers))
    return FileParts(shape, *parts, hashlib.blake2b(repr(parts).encode(), digest_size=12).hexdigest())


# What reads a request's body or uses its connection (`Request`, `WebSocket`), as opposed to its scope
# (url, method, headers, query and path parameters, client, cookies, state), which outlives the request.
CONNECTION_METHODS = frozenset(
    {"body", "json", "form", "stream", "receive", "send", "close", "accept", "is_disconnected"}
    | {f"{verb}_{kind}" for verb in ("send", "receive", "iter") for kind in ("text", "bytes", "json")}
)


def connection_reader(function: Function) -> bool:
    """Whether a function handed a request or websocket may use more than its scope: it calls one of its
    connection methods, or passes one of its own parameters on to other code (which the linter does not
    follow for this)."""
    return any(
        call.attr in CONNECTION_METHODS or any(kind in ("param", "typed") for _, kind, _ in call.passes) for call in function.calls
    )


def _awaited(index, function: Function) -> Set[str]:
    found = set()
    for call in function.calls:
        if call.awaited:
            for target in call.targets:
                _, ref = index.callee(target)
                if ref is not None:
                    found.add(ref.key)
    return found


@dataclass(frozen=True)
class MergedModels:
    """The four models, merged from every file's parts."""

    fastapi: FastAPIModel
    context_vars: ContextModel
    awaited: Set[str]
    held: Dict[str, Tuple[str, ...]]
    # Function key -> its reach (reach.py), and whether the project serves anything at all.
    reach: Dict[str, str]
    app_found: bool
    connection_readers: Set[str]


class KnownParts:
    """The parts computed for the same link state by an earlier index: each file's (shape, digest) at once,
    the parts themselves read only if asked for (`load`: a large project's are megabytes)."""

    def __init__(self, digests: Mapping[str, Tuple[str, str]], load: Callable[[], Mapping[str, FileParts]]) -> None:
        self.digests = digests
        self._load: Optional[Callable[[], Mapping[str, FileParts]]] = load
        self._parts: Mapping[str, FileParts] = {}

    def get(self, path: str) -> Optional[FileParts]:
        if self._load is not None:
            self._parts, self._load = self._load(), None
        return self._parts.get(path)


def part_digests(parts: Mapping[str, FileParts]) -> Dict[str, Tuple[str, str]]:
    return {path: (found.shape, found.digest) for path, found in parts.items()}


class Models:
    """The models of one linked index, each merged when first asked for."""

    def __init__(self, index, known: Optional[KnownParts] = None, merged: Optional[MergedModels] = None) -> None:
        """`known`: parts computed before for the same link state; `merged`: the models merged from them,
        which stand as long as every file's part is what it was."""
        self._index = index
        self._known = known if known is not None else KnownParts({}, dict)
        self._known_merged = merged
        self._parts: Dict[str, FileParts] = {}
        self._fastapi: Optional[FastAPIModel] = None
        self._context: Optional[ContextModel] = None
        self._awaited: Optional[Set[str]] = None
        self._held: Optional[Dict[str, Tuple[str, ...]]] = None
        self._reach: Optional[Tuple[Dict[str, str], bool]] = None
        self._readers: Optional[Set[str]] = None

    def parts(self, path: str) -> FileParts:
        found = self._parts.get(path)
        if found is None:
            shape = self._index.summaries.shape(path)
            known = self._known.get(path) if self._kept(path, shape) else None
            found = known if known is not None else file_parts(self._index, self._index.summaries[path], shape)
            self._parts[path] = found
        return found

    def _kept(self, path: str, shape: str) -> bool:
        return bool(shape) and self._known.digests.get(path, ("", ""))[0] == shape

    def digest(self, path: str) -> str:
        """The digest of the file's parts (FileParts.digest), without reading the known parts."""
        if path not in self._parts and self._kept(path, self._index.summaries.shape(path)):
            return self._known.digests[path][1]
        return self.parts(path).digest

    def all_parts(self) -> Dict[str, FileParts]:
        return {path: self.parts(path) for path in sorted(self._index.summaries)}

    def merged(self) -> MergedModels:
        return MergedModels(self.fastapi, self.context_vars, self.awaited, self.held, *self.reach, self.connection_readers)

    def _take_known(self) -> bool:
        """Take the known merged models if every file's part is what they were merged from."""
        known, self._known_merged = self._known_merged, None
        paths, digests = self._index.summaries, self._known.digests
        if known is None or len(digests) != len(paths) or any(path not in digests for path in paths):
            return False
        if any(self.digest(path) != digests[path][1] for path in paths):
            return False
        self._fastapi, self._context, self._awaited, self._held = known.fastapi, known.context_vars, known.awaited, known.held
        self._reach = (known.reach, known.app_found)
        self._readers = known.connection_readers
        return True

    @property
    def fastapi(self) -> FastAPIModel:
        if self._fastapi is None and not self._take_known():
            self._fastapi = build_model(part for path in sorted(self._index.summaries) for part in self.parts(path).fastapi)
        return self._fastapi  # type: ignore[return-value]

    @property
    def context_vars(self) -> ContextModel:
        if self._context is None and not self._take_known():
            functions = [found for path in sorted(self._index.summaries) for found in self.parts(path).context]
            self._context = build_context_model(self.fastapi, functions)
        return self._context  # type: ignore[return-value]

    @property
    def awaited(self) -> Set[str]:
        if self._awaited is None and not self._take_known():
            self._awaited = {key for path in sorted(self._index.summaries) for key in self.parts(path).awaited}
        return self._awaited  # type: ignore[return-value]

    @property
    def reach(self) -> Tuple[Dict[str, str], bool]:
        """Function key -> reach (unserved ones left out), and whether an app was found."""
        if self._reach is None and not self._take_known():
            parts = {path: self.parts(path).reach for path in sorted(self._index.summaries)}
            fastapi = self.fastapi
            roots = [*fastapi.routes, *fastapi.dependencies, *fastapi.middleware]
            self._reach = (build_reach(parts, roots), app_found(parts, roots))
        return self._reach  # type: ignore[return-value]

    @property
    def connection_readers(self) -> Set[str]:
        if self._readers is None and not self._take_known():
            self._readers = {key for path in sorted(self._index.summaries) for key in self.parts(path).connection_readers}
        return self._readers  # type: ignore[return-value]

    @property
    def held(self) -> Dict[str, Tuple[str, ...]]:
        if self._held is None and not self._take_known():
            self._held = {key: names for path in sorted(self._index.summaries) for key, names in self.parts(path).held}
        return self._held  # type: ignore[return-value]
