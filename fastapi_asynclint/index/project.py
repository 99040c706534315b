"""Pass 2 of the project index: link the summaries, resolve call targets, and find what may block.

`resolve(target)` follows a target string (see summary.py) through project modules, re-exports in
`__init__`, module-level instances, class attributes and base classes, and falls back to the catalogue for
third-party names. `blocking_chain(function)` answers "may this sync function block the event loop, and
through which calls?": a fixpoint from the functions that call a catalogued name directly, in rounds, so
a function's first witness is found through the fewest calls; it keeps a witness per guard on its
parameters (guards.py), cycles terminate, and unknown third-party calls are never assumed to block.
"""

from __future__ import annotations

import sys
from collections import deque
from dataclasses import dataclass, field, replace
from typing import Dict, FrozenSet, Iterable, Iterator, List, Mapping, NamedTuple, Optional, Sequence, Set, Tuple

from fastapi_asynclint.catalog import CATEGORY_CODES, Blocking, Catalog, Category, canonical_name, returns
from fastapi_asynclint.diagnostics import Hop
from fastapi_asynclint.index.guards import (
    PRESENCE_TESTS, SOMETHING, VALUE_TESTS, Guard, constant_holds, contradictory, holds, is_instance, presence_of_type,
)
from fastapi_asynclint.index.fastapi_model import CACHE_DECORATORS
from fastapi_asynclint.index.models import ContextModel, FastAPIModel, KnownParts, MergedModels, Models, part_digests
from fastapi_asynclint.index.reach import ELSEWHERE
from fastapi_asynclint.index.switches import CALL_PREFIX, call_target, described_subject, is_switch, runs_by_default, unconditional
from fastapi_asynclint.index.summary import MODULE_SCOPE, Call, ClassInfo, Function, ModuleSummary, passed_parameters
from fastapi_asynclint.index.targets import CALL, ITEM, ITEMS, MARKERS, collapse, first_marker, split_target

# How many bindings, re-exports and attributes one resolution may follow: far more than real code chains,
# only a bound on recursion (a cycle is caught by the targets already being followed).
_MAX_DEPTH = 100
# Witnesses kept per function under distinct guards; past this, one witness under their common guards.
_MAX_ALTERNATIVES = 6



_CONNECTIONS = (
    "starlette.requests.Request", "starlette.requests.HTTPConnection", "starlette.websockets.WebSocket",
    "fastapi.Request", "fastapi.WebSocket", "fastapi.requests.Request", "fastapi.requests.HTTPConnection",
    "fastapi.websockets.WebSocket",
)
_APPS = ("fastapi.FastAPI", "fastapi.applications.FastAPI", "starlette.applications.Starlette")
# Whose `.state` holds what the project stores there: an app, or a connection (its own state, or its app's).
STATE_OWNERS = frozenset(
    [f"{name}()" for name in (*_CONNECTIONS, *_APPS)] + [f"{name}().app" for name in _CONNECTIONS]
)


def _owner_name(tokens: Sequence[str]) -> str:
    names = first_marker(tokens)
    return canonical_name(".".join(tokens[:names])) + "".join(t if t in MARKERS else f".{t}" for t in tokens[names:])


@dataclass(frozen=True)
class FunctionRef:
    module: str
    qualname: str
    is_async: bool
    filename: str
    # Whether it has decorators: an undecorated function is neither offloaded nor dispatched, known without
    # reading its module's summary (a run after an edit would otherwise unpickle every module it calls into).
    decorated: bool = True
    # `module.qualname`, made once: the index keys its tables by it, and a string made at each use was a
    # copy of it in every table (about 27 MB on a 3,000-file project).
    key: str = field(default="", compare=False)

    def __post_init__(self) -> None:
        if not self.key:
            object.__setattr__(self, "key", f"{self.module}.{self.qualname}" if self.module else self.qualname)


@dataclass(frozen=True)
class Resolved:
    """What a target names. `kind`: function, class, instance, module, catalog, offload or unknown."""

    kind: str
    name: str = ""
    function: Optional[FunctionRef] = None
    blocking: Optional[Blocking] = None


UNKNOWN = Resolved("unknown")


class Blocked(NamedTuple):
    """A call that blocks: on what, through which chain of calls (empty: directly), and, when the blocking
    path is taken only under tests the linter could not decide for this call, what they are."""

    blocking: Blocking
    chain: Tuple[Hop, ...]
    condition: str = ""


def describe_guards(guards: FrozenSet[Guard]) -> str:
    """`path` is None and `mode` starts with 'w', as a reader would say it ("" for none)."""
    phrases = {
        "isnone": "is None", "notnone": "is not None", "truthy": "is set", "falsy": "is empty or None",
    }
    verbs = {
        "startswith": "starts with", "equals": "is", "contains": "contains", "isinstance": "is a",
        "notstartswith": "does not start with", "notequals": "is not", "notcontains": "does not contain",
    }
    described = []
    for guard in sorted(guards, key=repr):
        name, operation, literals, _ = guard
        if is_switch(name) and runs_by_default(guard):
            continue  # the branch a deployment that sets nothing takes: nothing to say
        subject, presence = described_subject(name) or (f"`{name}`", phrases)
        if operation in presence:
            described.append(f"{subject} {presence[operation]}")
        elif operation in verbs:
            shown = literals if operation == "isinstance" else map(repr, literals)
            described.append(f"{subject} {verbs[operation]} {(' nor ' if operation.startswith('not') else ' or ').join(shown)}")
    return " and ".join(described)


@dataclass(frozen=True)
class Witness:
    """Why a function may block: its call at `row` reaches either a catalogue entry or another function."""

    row: int
    blocking: Optional[Blocking] = None
    callee: Optional[str] = None
    callee_name: str = ""
    # Tests on the function's own parameters that hold whenever it blocks this way (guards.py); empty: always.
    guards: FrozenSet[Guard] = frozenset()
    # The callee's witness this call reaches (the next hop of the chain); not compared, so a cycle converges.
    then: Optional["Witness"] = field(default=None, compare=False)
    # Which of the function's calls it is: a chain reads its row from the summary as it is now, since rows
    # are not link facts and a stored link state may be older than an edit that moved them.
    call: int = field(default=-1, compare=False)

    @property
    def end(self) -> Blocking:
        """The catalogue entry the chain ends at."""
        step = self
        while step.blocking is None and step.then is not None:
            step = step.then
        return step.blocking  # type: ignore[return-value]


class SummaryTable(Mapping[str, ModuleSummary]):
    """Module summaries by file path, each read when first asked for (build.FileSummary unpickles its
    summary then); which module a file defines is known without reading it."""

    def __init__(self, files: Mapping[str, object], modules: Mapping[str, str]) -> None:
        """`files`: path -> anything with a `summary` attribute; `modules`: path -> its module name."""
        self._files = files
        self._modules = modules

    @classmethod
    def of(cls, summaries: Mapping[str, ModuleSummary]) -> "SummaryTable":
        return cls({path: _Loaded(summary) for path, summary in summaries.items()}, {p: s.module for p, s in summaries.items()})

    def __getitem__(self, path: str) -> ModuleSummary:
        return self._files[path].summary  # type: ignore[attr-defined]

    def __iter__(self) -> Iterator[str]:
        return iter(self._modules)

    def __len__(self) -> int:
        return len(self._modules)

    def __contains__(self, path: object) -> bool:
        return path in self._modules

    def module(self, path: str) -> str:
        return self._modules[path]

    def shape(self, path: str) -> str:
        """The file's build.shape_facts, if its summary came with them ("" otherwise)."""
        facts = getattr(self._files[path], "facts", None)
        return facts.shape if facts is not None else ""

    def replaced(self, path: str, summary: Optional[ModuleSummary]) -> "SummaryTable":
        """This table with one file's summary replaced (None: the file is gone)."""
        files, modules = dict(self._files), dict(self._modules)
        files.pop(path, None)
        modules.pop(path, None)
        if summary is not None:
            files[path], modules[path] = _Loaded(summary), summary.module
        return SummaryTable(files, modules)


@dataclass(frozen=True)
class _Loaded:
    summary: ModuleSummary


@dataclass(frozen=True)
class LinkState:
    """What linking computes that depends only on every file's link facts (build.link_facts), module names
    and the catalogue, and costs seconds on a large project: the blocking fixpoint, with the references
    and parameter slots of the functions it holds (which chains and guards read), and each file's parts
    of the project-wide models (which also depend on the file's shape: models.FileParts)."""

    witnesses: Mapping[str, Tuple["Witness", ...]]
    params: Mapping[str, Mapping[str, Tuple[str, Optional[str], bool]]]
    refs: Mapping[str, "FunctionRef"]
    # What the project stores on state objects: attribute name -> the targets stored there.
    state_values: Mapping[str, Tuple[str, ...]] = field(default_factory=dict)
    # Each file's parts (models.FileParts), read only if asked for, and the models merged from them.
    parts: Optional[KnownParts] = field(default=None, compare=False)
    models: Optional[MergedModels] = None


class _Modules(Mapping[str, ModuleSummary]):
    """Module name (or an alias of one) -> its summary, read when first asked for."""

    def __init__(self, summaries: SummaryTable, paths: Dict[str, str]) -> None:
        self._summaries = summaries
        self._paths = paths

    def __getitem__(self, name: str) -> ModuleSummary:
        return self._summaries[self._paths[name]]

    def get(self, name: str, default=None):  # type: ignore[override]
        path = self._paths.get(name)
        return default if path is None else self._summaries[path]

    def __contains__(self, name: object) -> bool:
        return name in self._paths

    def __iter__(self) -> Iterator[str]:
        return iter(self._paths)

    def __len__(self) -> int:
        return len(self._paths)



class ProjectIndex:
    def __init__(
        self,
        summaries: Mapping[str, ModuleSummary],
        catalog: Catalog,
        aliases: Mapping[str, str] = {},
        link: Optional[LinkState] = None,
        nonblocking: FrozenSet[str] = frozenset(),
    ) -> None:
        """`summaries` maps file path -> summary; `aliases` maps extra module names -> module names
        (modules.ModuleMap); `link`: the link state of an index with the same link facts, taken over
        instead of computed again; `nonblocking`: the project functions the user declared non-blocking."""
        self.catalog = catalog
        self.nonblocking = nonblocking
        self.aliases = dict(aliases)
        self.summaries = summaries if isinstance(summaries, SummaryTable) else SummaryTable.of(summaries)
        # module name -> the file that defines it (names are unique: modules.ModuleMap)
        self.paths: Dict[str, str] = {}
        for path in sorted(self.summaries):
            self.paths.setdefault(self.summaries.module(path), path)
        found = dict(self.paths)
        for alias, canonical in aliases.items():
            if canonical in self.paths:
                found.setdefault(alias, self.paths[canonical])
        self.modules: Mapping[str, ModuleSummary] = _Modules(self.summaries, found)
        self._functions: Dict[str, Dict[str, Function]] = {}
        self._classes: Dict[str, Dict[str, ClassInfo]] = {}
        self._bindings: Dict[str, Dict[str, str]] = {}
        self._resolved: Dict[str, Resolved] = {}
        self._dependency_aliases: Dict[str, Optional[str]] = {}
        self._witness: Optional[Dict[str, Tuple[Witness, ...]]] = None
        self._refs: Dict[str, FunctionRef] = {}
        self._params: Dict[str, Dict[str, Tuple[str, Optional[Tuple[str, str]]]]] = {}
        self._state_values: Optional[Dict[str, Tuple[str, ...]]] = None
        if link is not None:
            self._state_values = dict(link.state_values)
            self._witness = dict(link.witnesses)
            self._params = {key: dict(value) for key, value in link.params.items()}
            self._refs = dict(link.refs)
        self.models = Models(self, link.parts, link.models) if link is not None else Models(self)
        self._async_categories: Dict[int, Tuple[ModuleSummary, Dict[str, FrozenSet[str]]]] = {}
        # Prefilter results of rules, keyed by (rule code, id(summary)) with the summary kept for identity.
        self.rule_memo: Dict[Tuple[str, int], Tuple[ModuleSummary, FrozenSet[str]]] = {}

    def updated(self, path: str, summary: Optional[ModuleSummary]) -> "ProjectIndex":
        """This index with one file's summary replaced (the language server calls this per edit). Editing a
        route changes its module's coroutines only: the link state is then carried over."""
        previous = self.summaries.get(path)
        same_links = previous is not None and summary is not None and link_signature(previous) == link_signature(summary)
        fresh = ProjectIndex(
            self.summaries.replaced(path, summary), self.catalog, self.aliases, self.link_state() if same_links else None,
            self.nonblocking,
        )
        if same_links:
            fresh._resolved = self._resolved
            fresh._dependency_aliases = self._dependency_aliases
        return fresh

    def link_state(self) -> LinkState:
        """The link state (computed now if it was not yet), for a later index with the same link facts."""
        held = self.witnesses.keys()
        parts = self.models.all_parts()
        return LinkState(
            witnesses=self._witness,  # type: ignore[arg-type]
            params={key: self._params[key] for key in held if key in self._params},
            refs={key: self._refs[key] for key in held if key in self._refs},
            state_values=self.state_values,
            parts=KnownParts(part_digests(parts), lambda: parts),
            models=self.models.merged(),
        )

    @property
    def state_values(self) -> Dict[str, Tuple[str, ...]]:
        """Attribute name -> what the project's modules store as `<app or request>.state.<name>`."""
        if self._state_values is None:
            found: Dict[str, List[str]] = {}
            for path in sorted(self.summaries):
                for name, value in self.summaries[path].state_values:
                    if value not in found.setdefault(name, []):
                        found[name].append(value)
            self._state_values = {name: tuple(values) for name, values in found.items()}
        return self._state_values

    def _stored_state(self, tokens: Sequence[str]) -> Optional[List[str]]:
        """`request.app.state.http.get` -> the tokens of what the project stores as `state.http`, then
        `get`; None unless one value is stored under that name and the owner is an app or a connection."""
        if "state" not in tokens:
            return None
        at = list(tokens).index("state")
        if at + 1 >= len(tokens) or tokens[at + 1] in MARKERS or _owner_name(tokens[:at]) not in STATE_OWNERS:
            return None
        values = self.state_values.get(tokens[at + 1], ())
        return split_target(values[0]) + list(tokens[at + 2 :]) if len(values) == 1 else None

    # ------------------------------------------------------------------ per-module tables
    def functions_of(self, summary: ModuleSummary) -> Dict[str, Function]:
        table = self._functions.get(summary.module)
        if table is None:
            table = self._functions[summary.module] = {f.qualname: f for f in summary.functions}
        return table

    def classes_of(self, summary: ModuleSummary) -> Dict[str, ClassInfo]:
        table = self._classes.get(summary.module)
        if table is None:
            table = self._classes[summary.module] = {c.qualname: c for c in summary.classes}
        return table

    def bindings_of(self, summary: ModuleSummary) -> Dict[str, str]:
        table = self._bindings.get(summary.module)
        if table is None:
            table = self._bindings[summary.module] = summary.binding_map()
        return table

    def ref(self, summary: ModuleSummary, function: Function) -> FunctionRef:
        key = f"{summary.module}.{function.qualname}" if summary.module else function.qualname
        found = self._refs.get(key)
        if found is None:
            found = self._refs[key] = FunctionRef(
                summary.module, function.qualname, function.is_async, self.paths.get(summary.module, ""),
                # The record is_offloaded and dispatched would read: the last definition of that name.
                bool(self.functions_of(summary)[function.qualname].decorators), key,
            )
        return found

    def function(self, key: str) -> Optional[Tuple[ModuleSummary, Function]]:
        """A project function by its dotted key (`app.services.load_profile`)."""
        resolved = self.resolve(key)
        if resolved.kind != "function" or resolved.function is None:
            return None
        summary = self.modules[resolved.function.module]
        return summary, self.functions_of(summary)[resolved.function.qualname]

    def iter_functions(self) -> Iterator[Tuple[ModuleSummary, Function]]:
        for _, summary in sorted(self.summaries.items()):
            for function in summary.functions:
                yield summary, function

    # ------------------------------------------------------------------ resolution
    def resolve(self, target: Optional[str]) -> Resolved:
        if not target:
            return UNKNOWN
        found = self._resolved.get(target)
        if found is None:
            found = self._resolved[target] = self._resolve(split_target(target), 0)
        return found

    def _resolve(self, tokens: Sequence[str], depth: int) -> Resolved:
        if depth > _MAX_DEPTH or not tokens:
            return UNKNOWN
        tokens = collapse(tokens)
        names = first_marker(tokens)
        for cut in range(names, 0, -1):
            summary = self.modules.get(".".join(tokens[:cut]))
            if summary is not None:
                return self._in_module(summary, tokens[cut:], depth)
        return self._external(tokens, depth)

    def _in_module(self, summary: ModuleSummary, rest: Sequence[str], depth: int) -> Resolved:
        if not rest:
            return Resolved("module", summary.module)
        if rest[0] in MARKERS:
            return UNKNOWN
        names = first_marker(rest)
        functions, classes = self.functions_of(summary), self.classes_of(summary)
        for cut in range(names, 0, -1):
            qualname = ".".join(rest[:cut])
            if qualname in functions and qualname != MODULE_SCOPE:
                return self._function_result(summary, functions[qualname], rest[cut:], depth)
            if qualname in classes:
                return self._class_member(summary, classes[qualname], rest[cut:], depth, instance=False)
        name = rest[0]
        binding = self.bindings_of(summary).get(name)
        own = f"{summary.module}.{name}" if summary.module else name
        if binding is not None and binding != own:
            return self._resolve(split_target(binding) + list(rest[1:]), depth + 1)
        submodule = self.modules.get(own)
        if submodule is not None:
            return self._in_module(submodule, rest[1:], depth + 1)
        module = self._star_source(summary, name)
        return self._in_module(module, rest, depth + 1) if module is not None else UNKNOWN

    def _star_source(self, summary: ModuleSummary, name: str) -> Optional[ModuleSummary]:
        """The module that binds `name` for `summary` through its `from x import *` imports, followed through
        further star imports (two packages re-exporting each other included)."""
        seen = {summary.module}
        queue = deque(summary.star_imports)
        while queue:
            module = self.modules.get(queue.popleft())
            if module is None or module.module in seen:
                continue
            seen.add(module.module)
            if name in self.bindings_of(module) or name in self.functions_of(module) or name in self.classes_of(module):
                return module
            queue.extend(module.star_imports)
        return None

    def _function_result(self, summary: ModuleSummary, function: Function, rest: Sequence[str], depth: int) -> Resolved:
        if not rest:
            return Resolved("function", self.ref(summary, function).key, function=self.ref(summary, function))
        if rest[0] == CALL and function.produces:
            # What calling it gives: `get_client().get` is `httpx.Client().get` when it returns one.
            return self._resolve(split_target(function.produces) + list(rest[1:]), depth + 1)
        return UNKNOWN

    def _class_member(
        self, summary: ModuleSummary, klass: ClassInfo, rest: Sequence[str], depth: int, instance: bool
    ) -> Resolved:
        qualified = f"{summary.module}.{klass.qualname}" if summary.module else klass.qualname
        if not rest:
            return Resolved("instance" if instance else "class", qualified)
        if rest[0] == CALL:
            # Calling the class gives an instance; what calling an instance returns is not tracked.
            return self._class_member(summary, klass, rest[1:], depth, instance=True) if not instance else UNKNOWN
        if rest[0] in MARKERS:
            return UNKNOWN
        name = rest[0]
        for owner_summary, owner in self.mro(summary, klass):
            method = self.functions_of(owner_summary).get(f"{owner.qualname}.{name}")
            if method is not None:
                return self._function_result(owner_summary, method, rest[1:], depth)
            attribute = dict(owner.attributes).get(name)
            if attribute is not None:
                return self._resolve(split_target(attribute) + list(rest[1:]), depth + 1)
        for base in self._external_bases(summary, klass):
            found = self._external(split_target(base) + ([CALL] if instance else []) + list(rest), depth)
            if found.kind in ("catalog", "offload"):
                return found
        return UNKNOWN

    def mro(self, summary: ModuleSummary, klass: ClassInfo) -> Iterator[Tuple[ModuleSummary, ClassInfo]]:
        seen: Set[Tuple[str, str]] = set()
        queue = deque([(summary, klass)])
        while queue:
            owner_summary, owner = queue.popleft()
            if (owner_summary.module, owner.qualname) in seen or len(seen) > 32:
                continue
            seen.add((owner_summary.module, owner.qualname))
            yield owner_summary, owner
            for base in owner.bases:
                found = self.class_by_target(base)
                if found is not None:
                    queue.append(found)

    def base_names(self, summary: ModuleSummary, klass: ClassInfo) -> Iterator[str]:
        """The resolved names of the bases of the class and of its project bases, in MRO order."""
        for _, owner in self.mro(summary, klass):
            for base in owner.bases:
                if base:
                    yield self.resolve(base).name

    def class_by_target(self, target: Optional[str]) -> Optional[Tuple[ModuleSummary, ClassInfo]]:
        resolved = self.resolve(target)
        if resolved.kind != "class":
            return None
        # The class may be nested; find the module part by trying ever-shorter prefixes.
        parts = resolved.name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            summary = self.modules.get(".".join(parts[:cut]))
            if summary is not None:
                klass = self.classes_of(summary).get(".".join(parts[cut:]))
                if klass is not None:
                    return summary, klass
        return None

    def _external_bases(self, summary: ModuleSummary, klass: ClassInfo) -> Iterator[str]:
        for owner_summary, owner in self.mro(summary, klass):
            for base in owner.bases:
                if base and self.resolve(base).kind == "external":
                    yield base

    def _external(self, tokens: Sequence[str], depth: int) -> Resolved:
        """A third-party or stdlib name: follow factory return types, then ask the catalogue."""
        stored = self._stored_state(tokens)
        if stored is not None:
            return self._resolve(stored, depth + 1)
        if ITEM in tokens or ITEMS in tokens:
            return UNKNOWN  # an item of a library's container: its type is not known
        names = first_marker(tokens)
        current = canonical_name(".".join(tokens[:names]))
        rest = list(tokens[names:])
        while rest:
            # rest starts with CALL: the value returned by calling `current`.
            produced = returns(current)
            if produced is None:
                last = current.rpartition(".")[2]
                if current.endswith(".__call__") or not last[:1].isupper():
                    return UNKNOWN  # a function whose result type the catalogue does not know
                produced = current  # calling a class gives an instance of it
            following = rest[1:]
            step = len(following) if CALL not in following else following.index(CALL)
            if step == 0 and following:  # calling an instance: its __call__
                current = f"{canonical_name(produced)}.__call__"
                rest = following
                continue
            current = canonical_name(".".join([produced, *following[:step]]))
            rest = following[step:]
        if self.catalog.is_offload(current):
            return Resolved("offload", current)
        hit = self.catalog.lookup(current)
        if hit is not None:
            return Resolved("catalog", current, blocking=hit)
        return Resolved("external", current)

    # ------------------------------------------------------------------ what blocks
    def callee(self, target: Optional[str]) -> Tuple[Resolved, Optional[FunctionRef]]:
        """The resolution of a call's target and the project function the call runs, if any
        (a class runs its `__init__`, an instance its `__call__`)."""
        resolved = self.resolve(target)
        if resolved.kind == "function":
            return resolved, resolved.function
        if resolved.kind == "class":
            method = self.resolve(f"{resolved.name}.__init__")
        elif resolved.kind == "instance":
            method = self.resolve(f"{resolved.name}{CALL}.__call__")
        else:
            return resolved, None
        return resolved, method.function if method.kind == "function" else None

    def _decorators(self, ref: FunctionRef) -> Tuple[Call, ...]:
        """The decorators of the definition a reference names (the last of that name); an undecorated one's
        are known without reading its module's summary (FunctionRef.decorated)."""
        if not ref.decorated:
            return ()
        function = self.function_of(ref)
        return function.decorators if function is not None else ()

    def is_offloaded(self, ref: FunctionRef) -> bool:
        if self.catalog.is_offload(ref.key):
            return True
        return any(self.resolve(decorator.target).kind == "offload" for decorator in self._decorators(ref))

    def is_cached(self, ref: FunctionRef) -> bool:
        """Whether the function remembers its result (`functools.lru_cache`, `cachetools.cached`, ...): what
        it blocks on, it blocks on once per process (or per argument), not per call."""
        for decorator in self._decorators(ref):
            name = self.resolve(decorator.target).name if decorator.target else ""
            if name in CACHE_DECORATORS or name.rsplit("()", 1)[0] in CACHE_DECORATORS:
                return True
        return False

    def ends_chains(self, ref: FunctionRef) -> bool:
        """Whether a chain of blocking calls ends at this function: it runs in a worker thread (an offload
        wrapper), it is cached, or the user declared it non-blocking (`extra-nonblocking-calls`)."""
        return ref.key in self.nonblocking or self.is_offloaded(ref) or self.is_cached(ref)

    def dispatched(self, ref: FunctionRef, keywords: Sequence[str]) -> bool:
        """`@async_dispatch(aload)` on `def load`: a decorator given a coroutine function runs that instead
        of the sync body when called from async code (prefect's dual sync/async API), unless the call
        asks for the sync body with `_sync=...`."""
        if "_sync" in keywords:
            return False
        for decorator in self._decorators(ref):
            for argument in decorator.args:
                resolved = self.resolve(argument) if argument else UNKNOWN
                if resolved.kind == "function" and resolved.function is not None and resolved.function.is_async:
                    return True
        return False

    def direct_blocking(self, target: Optional[str], positional: int, keywords: Sequence[str]) -> Optional[Blocking]:
        """The catalogue entry (or user-declared project function) that a call of `target` blocks on."""
        resolved, ref = self.callee(target)
        hit: Optional[Blocking] = None
        if resolved.kind == "catalog" and resolved.blocking is not None:
            # Name the call itself (`BaseClient.put_object`), not the wildcard that matched it.
            hit = replace(resolved.blocking, name=resolved.name)
        elif ref is not None and not ref.is_async:
            # `extra-blocking-calls` may name project functions; the built-in catalogue names third-party
            # code, which a project module that shares its name (`app/hooks/openai/`) is not.
            hit = self.catalog.lookup(ref.key)
            hit = hit if hit is not None and hit.declared else None
        return hit if hit is not None and hit.blocks(positional, keywords) else None

    def classify(
        self,
        target: Optional[str],
        positional: int,
        keywords: Sequence[str],
        passes: Tuple[Tuple[str, str, str], ...] = (),
        switches: Sequence[Guard] = (),
    ) -> Tuple["Blocked", ...]:
        """Whether calling `target` from a coroutine blocks: directly (an empty chain), or through sync
        helpers, once per category of blocking call they reach (unless what the call passes, `passes`,
        does not select a helper's guarded blocking path: guards.py). `switches`: the tests of switches
        (switches.py) the call runs under in the coroutine, which the finding names."""
        local = self.settled(switches)
        hit = self.direct_blocking(target, positional, keywords)
        if hit is not None:
            return (Blocked(hit, (), describe_guards(local)),)
        _, ref = self.callee(target)
        if ref is None or ref.is_async or self.dispatched(ref, keywords):
            return ()
        found = []
        for start in self.reached(ref, passes, local):
            chain = self.blocking_chain(ref, start)
            if chain is not None:
                found.append(Blocked(chain[1], chain[0], describe_guards(self.open_guards(passes, ref.key, start.guards) | local)))
        return tuple(found)

    def settled(self, guards: Iterable[Guard]) -> FrozenSet[Guard]:
        """The guards but the tests of a call's result (`call:` switches) whose function turns out not to
        read the environment: such a test is taken to hold, as a test of anything else not a parameter."""
        return frozenset(guard for guard in guards if not guard[0].startswith(CALL_PREFIX) or self._reads_environment(guard[0]))

    def _reads_environment(self, switch: str) -> bool:
        _, ref = self.callee(call_target(switch))
        function = self.function_of(ref) if ref is not None else None
        return function is not None and function.environment is not None

    def awaited_functions(self) -> Set[str]:
        """Keys of project functions some code awaits (turning one into `def` would break that code)."""
        return self.models.awaited

    def held_contexts(self) -> Dict[str, Tuple[str, ...]]:
        """Key of a project function -> what its `with` / `async with` items are (canonical names, as
        resolved), for the functions that have any: a semaphore held around the work, a session opened."""
        return self.models.held

    def _compute_witnesses(self) -> Dict[str, Tuple[Witness, ...]]:
        """Which sync functions may block, with their witnesses: a fixpoint over the call graph in which a
        path counts only where what the call passes can meet its parameter guards (guards.py). A function
        blocks under any of its witnesses' guards, so paths under different guards are kept apart
        (`get_token(tenant, client)` opens a file for `tenant` or for `client`), and so are paths to
        different categories (a helper that checks a path and then runs `git` blocks on file I/O and on
        a subprocess: each is reported by its own rule)."""
        direct, edges, callers = self._call_graph()
        witness: Dict[str, Tuple[Witness, ...]] = {}

        def evaluate(key: str) -> Tuple[Witness, ...]:
            sites: List[Witness] = [
                Witness(row, blocking=hit, guards=guards, call=position) for row, position, hit, guards in direct.get(key, ())
            ]
            for call, position, callee_key, callee_name in edges.get(key, ()):
                for reached in witness.get(callee_key, ()):
                    guards = self._call_guards(call.guards, call.passes, callee_key, reached.guards)
                    if guards is not None:
                        sites.append(
                            Witness(call.row, callee=callee_key, callee_name=callee_name, guards=guards, then=reached, call=position)
                        )
            return _alternatives(sites)

        pending = sorted(direct)
        while pending:
            changed: Set[str] = set()
            for key in pending:
                found = evaluate(key)
                if found != witness.get(key, ()):
                    if found:
                        witness[key] = found
                    else:
                        witness.pop(key, None)
                    changed.update(callers.get(key, ()))
            pending = sorted(changed)
        return witness

    def _call_graph(self):
        """The sync functions' direct blocking calls, their calls of other sync project functions, and the
        callers of each. A call made once per process (once.py) counts for neither, and chains end at a
        function that is offloaded, cached or declared non-blocking (ends_chains)."""
        direct: Dict[str, List[Tuple[int, int, Blocking, FrozenSet[Guard]]]] = {}
        edges: Dict[str, List[Tuple[Call, int, str, str]]] = {}
        callers: Dict[str, Set[str]] = {}
        for summary, function in self.iter_functions():
            if function.is_async or function.qualname == MODULE_SCOPE:
                continue
            ref = self.ref(summary, function)
            if self.ends_chains(ref):
                continue
            self._params[ref.key] = _parameter_slots(function)
            for position, call in enumerate(function.calls):
                if call.awaited or call.exempt:
                    continue
                for option in call.targets:
                    hit = self.direct_blocking(option, len(call.args), call.keywords)
                    if hit is not None:
                        direct.setdefault(ref.key, []).append((call.row, position, hit, self.settled(call.guards)))
                        continue
                    _, target = self.callee(option)
                    if target is not None and not target.is_async and target.key != ref.key:
                        if not self.ends_chains(target) and not self.dispatched(target, call.keywords):
                            edges.setdefault(ref.key, []).append((call, position, target.key, target.qualname))
                            callers.setdefault(target.key, set()).add(ref.key)
        return direct, edges, callers

    def _call_guards(
        self,
        local: Sequence[Guard],
        passes: Sequence[Tuple[str, str, str]],
        callee_key: str,
        guards: FrozenSet[Guard],
        forwards: bool = True,
    ) -> Optional[FrozenSet[Guard]]:
        """The guards under which a call (its `local` guards, the values it `passes`) reaches the callee's
        blocking code, in the caller's terms (its own `if`s and the callee's guards on parameters it
        forwards), or None when it does not: a value that fails a guard, or one the linter cannot know
        (guards.py). `forwards`: whether a forwarded parameter carries the guard up (False for a coroutine,
        whose callers are not followed)."""
        result = set(self.settled(local))
        for guard, (outcome, forwarded) in self._guard_outcomes(passes, callee_key, guards):
            if outcome == "fails":
                return None
            if outcome == "forwarded" and (forwards or is_switch(guard[0])):
                result.add(forwarded)  # type: ignore[arg-type]
            elif outcome == "forwarded" and guard[1] in VALUE_TESTS:
                return None  # a coroutine's own parameter: a value the linter cannot see
        # `if self.content: self.encode()` where encode reads only `if not self.content`: no path.
        return None if contradictory(result) else frozenset(result)

    def open_guards(self, passes: Sequence[Tuple[str, str, str]], callee_key: str, guards: FrozenSet[Guard]) -> FrozenSet[Guard]:
        """Those of the callee's `guards` that what a coroutine's call passes leaves undecided: a value the
        linter cannot see, or the coroutine's own parameter (its callers are not followed)."""
        return frozenset(guard for guard, (outcome, _) in self._guard_outcomes(passes, callee_key, guards) if outcome in ("open", "forwarded"))

    def _guard_outcomes(
        self, passes: Sequence[Tuple[str, str, str]], callee_key: str, guards: FrozenSet[Guard]
    ) -> Iterator[Tuple[Guard, Tuple[str, Optional[Guard]]]]:
        """Each guard with what the passed value makes of it: "holds", "fails", "forwarded" (the caller's
        own parameter: the guard in its terms) or "open" (a type or presence test on a value not known)."""
        passed = {slot: (kind, value) for slot, kind, value in passes}
        slots = self._params.get(callee_key, {})
        for guard in guards:
            if is_switch(guard[0]):
                yield guard, ("forwarded", guard)  # no caller decides how the process was deployed
            else:
                yield guard, self._guard_outcome(guard, self._passed_value(guard[0], passed, slots))

    @staticmethod
    def _passed_value(name: str, passed: Mapping[str, Tuple[str, str]], slots: Mapping) -> Tuple[str, str]:
        slot, omitted = slots.get(name, ("", None))
        value = passed.get(name) or passed.get(slot)
        if name.startswith("self.") and value is None and passed.get("self") == ("param", "self"):
            value = ("param", name)  # called on self: the caller's own attribute
        if value is None and "*" not in passed and not name.startswith("self."):
            value = omitted  # the parameter's default, when it is a literal
        return value if value is not None else ("other", "")

    @staticmethod
    def _guard_outcome(guard: Guard, value: Tuple[str, str]) -> Tuple[str, Optional[Guard]]:
        kind, text = value
        operation = guard[1]
        if kind == "literal":
            return ("holds" if holds(guard, text) else "fails"), None
        if kind == "constant":
            return ("holds" if constant_holds(guard, text) else "fails"), None
        if kind == "typed":  # the caller's annotated parameter: its type decides what it can, else forwarded
            name, type_name = text.split(":", 1)
            decided = operation == "isinstance" or (operation in PRESENCE_TESTS and not presence_of_type(operation, type_name))
            kind, text = ("type", type_name) if decided else ("param", name)
        if kind == "param":
            return "forwarded", (text, *guard[1:])  # type: ignore[return-value]
        if kind == "type" and operation == "isinstance" and text == SOMETHING:
            return "open", None  # a call's result: of a type not known
        if kind == "type" and operation == "isinstance":
            return ("holds" if is_instance(text, guard[2]) else "fails"), None
        if kind == "type" and operation in PRESENCE_TESTS:
            if not presence_of_type(operation, text):
                return "fails", None
            # `if flag:` on a bool the call does not spell out may go either way.
            return ("open" if operation in ("truthy", "falsy") and text != "NoneType" else "holds"), None
        if operation in VALUE_TESTS:
            return "fails", None  # a value the linter cannot see is taken not to select the branch
        return "open", None  # a type or presence test on an unknown value may hold

    @property
    def witnesses(self) -> Dict[str, Tuple[Witness, ...]]:
        if self._witness is None:
            self._witness = self._compute_witnesses()
        return self._witness

    def reached(self, ref: FunctionRef, passes: Sequence[Tuple[str, str, str]] = (), local: FrozenSet[Guard] = frozenset()) -> List[Witness]:
        """For each category `ref` blocks on, the witness a coroutine's call passing `passes`, under its own
        tests of switches `local`, can meet: the least conditional one (_rank), else the first."""
        found: Dict[Category, Witness] = {}
        for option in self.witnesses.get(ref.key, ()):
            category = option.end.category
            if category in found and _rank(option.guards) >= _rank(found[category].guards):
                continue
            # One that always blocks says more than a guarded one found first.
            if self._call_guards(local, passes, ref.key, option.guards, forwards=False) is not None:
                found[category] = option
        return list(found.values())

    def blocking_chain(self, ref: FunctionRef, start: Optional[Witness] = None) -> Optional[Tuple[Tuple[Hop, ...], Blocking]]:
        """The chain of calls through which `ref` blocks (from `start`, one of its witnesses; by default the
        first), ending at the catalogue entry, or None."""
        step = start if start is not None else next(iter(self.witnesses.get(ref.key, ())), None)
        hops: List[Hop] = []
        key = ref.key
        while step is not None:  # each witness was made from an earlier one: the chain ends
            module_ref = self._refs.get(key)
            filename = module_ref.filename if module_ref else ""
            name = module_ref.qualname if module_ref else key
            row = self._current_row(module_ref, step)
            hops.append(Hop(name, filename, row))
            if step.blocking is not None:
                hops.append(Hop(step.blocking.name, filename, row))
                return tuple(hops), step.blocking
            key, step = step.callee or "", step.then
        return None

    def _current_row(self, ref: Optional[FunctionRef], step: Witness) -> int:
        """The row of a witness's call in its file as the index has it now (see Witness.call)."""
        function = self.function_of(ref) if step.call >= 0 else None
        if function is None or step.call >= len(function.calls):
            return step.row
        return function.calls[step.call].row

    def async_blocking_functions(self, summary: ModuleSummary) -> Dict[str, FrozenSet[str]]:
        """Rule code -> the coroutines of this file that make a blocking call of its category
        (the blocking rules' prefilter and focus)."""
        entry = self._async_categories.get(id(summary))
        if entry is None or entry[0] is not summary:
            found: Dict[str, Set[str]] = {}
            for function in summary.functions:
                if not function.is_async:
                    continue
                for call in function.calls:
                    if call.awaited:
                        continue
                    for target in call.targets:
                        for blocked in self.classify(target, len(call.args), call.keywords, call.passes):
                            found.setdefault(CATEGORY_CODES[blocked.blocking.category], set()).add(function.qualname)
            entry = self._async_categories[id(summary)] = (summary, {k: frozenset(v) for k, v in found.items()})
        return entry[1]
    def yields(self, resolved: Resolved) -> bool:
        """Whether the project function `resolved` names is a generator (a dependency with `yield`)."""
        function = self.function_of(resolved.function)
        return bool(function and function.yields)

    def function_of(self, ref: Optional[FunctionRef]) -> Optional[Function]:
        """The summary of the project function `ref` names."""
        summary = self.modules.get(ref.module) if ref is not None else None
        return self.functions_of(summary).get(ref.qualname) if summary is not None else None

    # ------------------------------------------------------------------ FastAPI structure
    def reach_of(self, key: str) -> str:
        """Where the function runs (reach.py): request, background, startup or unserved."""
        reach, served = self.models.reach
        found = reach.get(key, "unserved") if served else "request"
        return "background" if found == ELSEWHERE else found

    @property
    def app_found(self) -> bool:
        """Whether the project serves an app (reach_of tells request from the no-app default)."""
        return self.models.reach[1]

    def runs_elsewhere(self, key: str) -> bool:
        """Whether the function runs only on a loop the project made for itself (reach.ELSEWHERE)."""
        return self.models.reach[0].get(key) == ELSEWHERE

    @property
    def context_vars(self) -> ContextModel:
        return self.models.context_vars

    @property
    def fastapi(self) -> FastAPIModel:
        return self.models.fastapi

    def function_ref(self, key: str) -> Optional[FunctionRef]:
        resolved = self.resolve(key)
        return resolved.function if resolved.kind == "function" else None

    def binding_site(self, target: Optional[str], depth: int = 0) -> Optional[Tuple[str, str]]:
        """Where a module-level object is bound, following imports and re-exports: (`module.name`, the
        target of its value), the identity of an object such as a ContextVar. A third-party name is its
        own identity (with no value)."""
        if not target or depth > _MAX_DEPTH or CALL in target:
            return None
        tokens = target.split(".")
        for cut in range(len(tokens) - 1, 0, -1):
            summary = self.modules.get(".".join(tokens[:cut]))
            if summary is None:
                continue
            if len(tokens) != cut + 1:
                return None
            own = f"{summary.module}.{tokens[cut]}"
            binding = self.bindings_of(summary).get(tokens[cut])
            if binding is None or binding == own:
                return None
            if binding.endswith(CALL):
                return own, binding  # bound to a value: this is where it lives
            return self.binding_site(binding, depth + 1)  # an import or alias: follow it
        return (target, "") if len(tokens) > 1 else None


    def dependency_alias(self, target: Optional[str], depth: int = 0) -> Optional[str]:
        """The dependency behind an `Annotated[T, Depends(f)]` alias named by `target`, followed through imports."""
        if not target or depth > _MAX_DEPTH:
            return None
        if depth == 0:
            if target not in self._dependency_aliases:
                self._dependency_aliases[target] = self._dependency_alias(target, 0)
            return self._dependency_aliases[target]
        return self._dependency_alias(target, depth)

    def _dependency_alias(self, target: str, depth: int) -> Optional[str]:
        tokens = split_target(target)
        for cut in range(len(tokens) - 1, 0, -1):
            summary = self.modules.get(".".join(tokens[:cut]))
            if summary is None or len(tokens) != cut + 1:
                continue
            name = tokens[cut]
            found = dict(summary.dependency_aliases).get(name)
            if found is not None:
                return found
            binding = self.bindings_of(summary).get(name)
            own = f"{summary.module}.{name}"
            return self.dependency_alias(binding, depth + 1) if binding and binding != own else None
        return None


def _alternatives(sites: List[Witness]) -> Tuple[Witness, ...]:
    """A function's witnesses: for each category of blocking call it reaches, one per distinct guard set, in
    call order, or a single one if any is unguarded."""
    by_category: Dict[Category, List[Witness]] = {}
    for site in sites:
        by_category.setdefault(site.end.category, []).append(site)
    order = list(Category)
    return tuple(found for category in sorted(by_category, key=order.index) for found in _guard_alternatives(by_category[category]))


def _rank(guards: FrozenSet[Guard]) -> int:
    """How unconditionally a witness blocks: 0 without guards, 1 under switches' tests that hold where the
    deployment sets nothing (switches.py), 2 under guards a finding names."""
    return 0 if not guards else 1 if unconditional(guards) else 2


def _guard_alternatives(sites: List[Witness]) -> Tuple[Witness, ...]:
    if not sites:
        return ()
    # One without guards says it all; one under switches that hold by default is kept beside the others,
    # since a caller under the opposite test rules it out (and only it).
    unguarded = next((site for site in sites if not site.guards), None)
    if unguarded is not None:
        return (unguarded,)
    distinct: Dict[FrozenSet[Guard], Witness] = {}
    for site in sites:
        distinct.setdefault(site.guards, site)
    if len(distinct) > _MAX_ALTERNATIVES:
        common = frozenset.intersection(*distinct)
        first = sites[0]
        return (Witness(first.row, first.blocking, first.callee, first.callee_name, common, first.then, first.call),)
    return tuple(distinct.values())


def _parameter_slots(function: Function) -> Dict[str, Tuple[str, Optional[Tuple[str, str]]]]:
    """Parameter name -> (the positional slot a call fills it from, "" for a keyword-only one; what a
    call that omits it passes: its default as `passed_values` describes a literal, or None when the default
    is not a literal); a method's `self` is not passed."""
    params = passed_parameters(function)
    # Interned: one string per slot for the whole project, not one per parameter.
    return {
        param.name: (sys.intern("" if param.keyword_only else str(position)), param.omitted)
        for position, param in enumerate(params)
    }


def fix_shape(summary: Optional[ModuleSummary]) -> tuple:
    """What a fix can change that other files' findings, or this file's next round, read from the index:
    which functions exist, which are coroutines (and await), how they are decorated and what they produce (rows left
    out: an added import shifts them all)."""
    if summary is None:
        return ()
    return tuple(
        (f.qualname, f.is_async, f.awaits, f.produces, tuple((d.targets, d.args, d.keywords, d.first_str) for d in f.decorators))
        for f in summary.functions
    ) + tuple((c.qualname, c.bases) for c in summary.classes)


def link_signature(summary: ModuleSummary) -> tuple:
    """Everything of a module that resolution and the blocking fixpoint read: all but coroutine bodies."""
    return (
        summary.module,
        summary.bindings,
        summary.classes,
        summary.star_imports,
        summary.dependency_aliases,
        summary.state_values,
        tuple(
            (f.qualname, f.is_async, f.produces, f.decorators, f.params, f.runs, None if f.is_async else f.calls)
            for f in summary.functions
        ),
    )
