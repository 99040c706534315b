"""Pass 1 of the project index: one file's summary, read with the standard library's `ast`.

The index has to read every file of the project, including the ones no rule will look at, so it uses the
parser that costs least: stdlib `ast` parses ~14x faster than libcst, and libcst's scope and qualified-name
metadata cost another ~5x on top (measured on prefect: 0.7 s / 10.4 s / 55 s for 85k lines). Rules still
resolve names with libcst's scope and qualified-name analysis; a test checks that both agree on every
fixture call.

A summary records, per function, the calls it makes as *targets*: dotted names resolved through this
file's imports and scopes, with `()` marking "the value returned by calling" (so `httpx.Client().get` is
the `get` method of an `httpx.Client` instance, `app.db.Repo().session.query` an attribute chain on a
project class; targets.py has the whole grammar).  Linking those targets across files happens in `project.py`; nothing here is config- or
catalogue-dependent, so a summary is cached by the file's content hash alone.
"""

from __future__ import annotations

import ast
import builtins
import sys
from dataclasses import dataclass, field, fields, replace
from typing import Callable, Dict, FrozenSet, Iterable, Iterator, List, Mapping, Optional, Sequence, Set, Tuple, Union

from fastapi_asynclint.catalog import CONSTRUCTED, NONBLOCKING_FLAGS, canonical_name, constructed, literal_argument
from fastapi_asynclint.index.guards import Guard, GuardFinder, literal_value, passed_values
from fastapi_asynclint.index.modules import renamed
from fastapi_asynclint.index.instance_slots import primed_calls, refilled_calls
from fastapi_asynclint.index.once import SlotGetters, once_calls
from fastapi_asynclint.index.reaped import REAPING, reaping_calls
from fastapi_asynclint.index.switches import Switch, Switches, writes_environment
from fastapi_asynclint.index.targets import CONTAINER_TYPES, ITEM, items_of

MODULE_SCOPE = "<module>"
APP_CLASSES = frozenset({"fastapi.FastAPI", "fastapi.applications.FastAPI", "starlette.applications.Starlette"})
DEPENDS_CALLS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"})
_ANNOTATED = ("typing.Annotated", "typing_extensions.Annotated")
_BUILTINS = frozenset(dir(builtins))
# Summaries are the bulk of the index's memory (hundreds of thousands of calls on a large project): no
# per-instance dict where the interpreter allows it (slotted frozen dataclasses pickle from 3.11 on).
_RECORD = {"frozen": True, "slots": True} if sys.version_info >= (3, 11) else {"frozen": True}


def _record(cls):
    """A frozen (slotted where possible) dataclass that pickles as a call with its field values: the
    dataclass default for slotted classes walks `fields()` per object, which made loading a large project's
    cached summaries three times slower."""
    cls = dataclass(**_RECORD)(cls)
    names = tuple(item.name for item in fields(cls))
    restore = _restorer(cls, names)
    values = _shared_values(cls, names)

    def __reduce__(self):
        return restore, values(self)

    cls.__reduce__ = __reduce__
    return cls


def _shared_values(cls, names: Tuple[str, ...]):
    """A record's field values as pickled: names and tuples of names replaced by one shared copy of
    each. A file's summary spells `self`, `fastapi.Depends` or `("0", "other", "")` with objects of its
    own; pickled this way, the pickle's memo writes each value once per pickle, so that what unpickles
    (a worker's results in the parent, the cache) holds one object per value instead of one per use: a
    fifth less memory for a large project's index, and a smaller cache file that loads faster."""
    kinds = {item.name: _SHARED_FIELDS.get(str(item.type)) for item in fields(cls)}
    parts = [f"{kinds[name]}(record.{name})" if kinds[name] else f"record.{name}" for name in names]
    namespace = dict(_SHARERS)
    exec(f"def values(record):\n    return ({', '.join(parts)},)", namespace)
    return namespace["values"]


# One representative per tuple value; per process, so it lives as long as the worker that pickles.
_SHARED_TUPLES: Dict[tuple, tuple] = {}


def _share_name(value: Optional[str]) -> Optional[str]:
    return sys.intern(value) if type(value) is str else value


def _share_names(values: Tuple[Optional[str], ...]) -> Tuple[Optional[str], ...]:
    if not values:
        return values
    found = _SHARED_TUPLES.get(values)
    if found is None:
        found = tuple([sys.intern(value) if type(value) is str else value for value in values])
        _SHARED_TUPLES[found] = found
    return found


def _share_rows(rows: Tuple[Tuple[Optional[str], ...], ...]) -> Tuple[Tuple[Optional[str], ...], ...]:
    if not rows:
        return rows
    found = _SHARED_TUPLES.get(rows)
    if found is None:
        found = tuple([_share_names(row) for row in rows])
        _SHARED_TUPLES[found] = found
    return found


_SHARERS = {"share_name": _share_name, "share_names": _share_names, "share_rows": _share_rows}
# Field annotation -> how it is shared when pickled (fields of other types are pickled as they are).
_SHARED_FIELDS = {
    "str": "share_name",
    "Optional[str]": "share_name",
    "Tuple[str, ...]": "share_names",
    "Tuple[Optional[str], ...]": "share_names",
    "Tuple[Tuple[str, str], ...]": "share_rows",
    "Tuple[Tuple[str, str, str], ...]": "share_rows",
}


def _restorer(cls, names: Tuple[str, ...]):
    """What unpickling calls to rebuild a record: the frozen `__init__` sets each field through
    `object.__setattr__`; filling the slots directly loads summaries 30% faster. Stored on the class as
    `_restore`, which is how pickle finds it again."""
    if "__slots__" not in vars(cls):
        return cls
    namespace = {"new": object.__new__, "cls": cls}
    lines = [f"def _restore({', '.join(names)}):", "    record = new(cls)"]
    for name in names:
        namespace[f"set_{name}"] = vars(cls)[name].__set__
        lines.append(f"    set_{name}(record, {name})")
    exec("\n".join(lines + ["    return record"]), namespace)  # as dataclasses builds __init__
    restore = namespace["_restore"]
    restore.__module__, restore.__qualname__ = cls.__module__, f"{cls.__qualname__}._restore"
    cls._restore = staticmethod(restore)
    return restore


FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


@_record
class Call:
    """One call site. `target` is None when only the method name is known (`attr`)."""

    target: Optional[str]
    attr: Optional[str]
    row: int
    col: int
    awaited: bool = False
    # Targets of the positional arguments that are names, attributes or calls (`Depends(get_db)`,
    # `add_task(send_mail, ...)`, `create_task(worker())`): what the index needs to know about callbacks.
    args: Tuple[Optional[str], ...] = ()
    keywords: Tuple[str, ...] = ()
    # The first positional argument when it is a string literal (`@app.get("/items")`, `open("config.json")`).
    first_str: Optional[str] = None
    # Other targets when a local was bound to different things (`path: str` then `path = Path(path)`).
    alternatives: Tuple[str, ...] = ()
    # Tests on the function's own parameters that must hold for this call to run (`if name.startswith(
    # "oidc/"):` around it), and what it passes that such tests can be evaluated on: string literals and
    # the caller's own parameters, by slot (a position or a keyword). See guards.py.
    guards: Tuple["Guard", ...] = ()
    passes: Tuple[Tuple[str, str, str], ...] = ()
    # Whether it runs once per process: it fills a cache slot its function keeps (once.py).
    once: bool = False
    # Whether it returns at once as written: a wait on a process the function has just killed (reaped.py).
    prompt: bool = False
    # The keyword arguments that are names, attributes or calls, with their targets (`Thread(target=job)`,
    # `FastAPI(lifespan=lifespan)`).
    keyword_values: Tuple[Tuple[str, str], ...] = ()

    @property
    def targets(self) -> Tuple[str, ...]:
        return ((self.target,) if self.target else ()) + self.alternatives

    @property
    def exempt(self) -> bool:
        """Whether its blocking does not count where it is made: made once, or returning at once."""
        return self.once or self.prompt


@_record
class Param:
    name: str
    annotation: Optional[str]
    default: Optional[str]
    # The dependency FastAPI injects: `Depends(get_db)` as default or in `Annotated[...]` metadata.
    depends: Optional[str] = None
    # The annotation as written (`SessionDep`), so an `Annotated` alias from another module can be followed.
    annotation_ref: Optional[str] = None
    # What a call that omits it passes, when its default is a literal (guards.literal_value), for the guards
    # on this parameter.
    omitted: Optional[Tuple[str, str]] = None
    # Whether a call can pass it only by name (after `*` or `*args`): no position fills it.
    keyword_only: bool = False


@_record
class Span:
    """Rows of a def or class: `start` (its first decorator) to `end`; `direct` when it is a statement of
    the module or class body itself (not inside an `if`/`try`), so it can be left out whole."""

    start: int
    end: int
    direct: bool


@_record
class Function:
    qualname: str
    row: int
    is_async: bool
    class_qualname: Optional[str]
    calls: Tuple[Call, ...]
    decorators: Tuple[Call, ...] = ()
    params: Tuple[Param, ...] = ()
    awaits: bool = False
    yields: bool = False
    # What calling it gives (or, for a generator, what it yields): the first returned/yielded value whose
    # target is known. A `Depends(get_db)` parameter holds this.
    produces: Optional[str] = None
    # Where it stands (see `Span`): lets the engine leave out the code no rule needs to read (focus.py).
    span: "Span" = None  # type: ignore[assignment]
    # Targets of its `with` / `async with` items (a semaphore held around work, a session opened).
    contexts: Tuple[Optional[str], ...] = ()
    # The calls of names it does not bind (`await work()`): of its parameters, also those that functions
    # nested in it make, and of its enclosing functions' locals. Each as (name, the qualname of the function
    # that makes the call, the target of the call it is handed to as it is made, "" if none:
    # `ensure_future(work())` hands it over). A function passed to a parameter runs there (reach.py).
    runs: Tuple[Tuple[str, str, str], ...] = ()
    # The environment variable its result is computed from, for a function called without arguments
    # (`def is_promptrace_enabled(): return bool(os.getenv("PROMPTRACE_DIR"))`): a test of what it returns
    # is a test of how the process was deployed (switches.py).
    environment: Optional[str] = None


@_record
class ClassInfo:
    qualname: str
    row: int
    bases: Tuple[Optional[str], ...]
    attributes: Tuple[Tuple[str, str], ...] = ()
    span: Optional[Span] = None


@_record
class ModuleSummary:
    module: str
    is_package: bool
    bindings: Tuple[Tuple[str, str], ...]
    functions: Tuple[Function, ...]
    classes: Tuple[ClassInfo, ...]
    imports: Tuple[str, ...] = ()
    star_imports: Tuple[str, ...] = ()
    # `SessionDep = Annotated[Session, Depends(get_db)]`: alias name -> dependency target.
    dependency_aliases: Tuple[Tuple[str, str], ...] = ()
    # What the module stores on state objects: `app.state.http = httpx.AsyncClient()` or
    # `request.state.db = SessionLocal()` -> ("http", "httpx.AsyncClient()"), and a lifespan's
    # `yield {"http": client}` (Starlette hands it to every request as `request.state`).
    state_values: Tuple[Tuple[str, str], ...] = ()

    def binding_map(self) -> Dict[str, str]:
        return dict(self.bindings)


def attribute_value(target: Optional[str], classes: Mapping[str, Tuple[Tuple[str, str], ...]]) -> Optional[str]:
    """`app.export.Archive().file` -> what the class's own code sets `file` to (`tempfile.SpooledTemporaryFile()`),
    when `classes` (a class's qualified name -> its ClassInfo.attributes) has it, else the target itself."""
    owner, separator, attribute = (target or "").rpartition("().")
    attributes = classes.get(owner) if separator else None
    return dict(attributes).get(attribute, target) if attributes else target


def absolute_module(module: str, is_package: bool, level: int, name: Optional[str]) -> Optional[str]:
    """The absolute module named by `from <level dots><name> import ...` inside `module`."""
    if level == 0:
        return name
    parts = module.split(".") if module else []
    package = parts if is_package else parts[:-1]
    if level - 1 > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    if name:
        base = base + name.split(".")
    return ".".join(base) if base else None


def dotted(node: ast.AST) -> Optional[List[str]]:
    """`a.b.c` as ["a", "b", "c"]; None for anything but a plain name/attribute chain."""
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return parts[::-1]
    return None


@dataclass
class _Scope:
    """A function's own names: which are local, and what the typed ones hold."""

    qualname: str
    locals: set = field(default_factory=set)
    # A local's typed bindings in source order: a use may see any of them.
    values: Dict[str, List[str]] = field(default_factory=dict)
    globals: set = field(default_factory=set)


class Summarizer:
    def __init__(self, module: str, is_package: bool, renames: Tuple[Tuple[str, str], ...] = ()) -> None:
        self.module = module
        self.is_package = is_package
        # What the file's absolute imports name in the index (modules.renamed).
        self.renames = renames
        self.bindings: Dict[str, str] = {}
        self.functions: List[Function] = []
        self.classes: List[ClassInfo] = []
        self.imports: List[str] = []
        self.star_imports: List[str] = []
        self.dependency_aliases: Dict[str, str] = {}
        self.state_values: List[Tuple[str, str]] = []
        self.scopes: List[_Scope] = []
        self._own: Dict[int, List[ast.AST]] = {}
        self.slot_getters: Callable[[str], bool] = lambda name: False
        self.switches: Optional[Switches] = None
        # While a method is read for what it sets on `self`: its receiver's name and what it has set so far.
        self._receiver: Optional[Tuple[str, Dict[str, str]]] = None

    def own_nodes(self, function: FunctionNode) -> List[ast.AST]:
        """The nodes of the function's body that run in it (_own_nodes), walked once: a method is read for
        the attributes it sets on `self` before it is summarised. Keyed by identity: the tree outlives this."""
        found = self._own.get(id(function))
        if found is None:
            found = self._own[id(function)] = _own_nodes(function.body)
        return found

    # ---------------------------------------------------------------- names
    def qualify(self, qualname: str) -> str:
        return f"{self.module}.{qualname}" if self.module else qualname

    def resolve_names(self, name: str) -> List[str]:
        for scope in reversed(self.scopes):
            if name in scope.globals:
                break
            if name in scope.values:
                return scope.values[name]
            if name in scope.locals:
                return []
        if name in self.bindings:
            return [self.bindings[name]]
        if name in _BUILTINS:
            return [f"builtins.{name}"]
        return []

    def targets(self, node: ast.AST) -> List[str]:
        """What an expression may name, as target strings (see the module docstring)."""
        if isinstance(node, ast.Call):
            return [f"{inner}()" for inner in self.call_targets(node)]
        if isinstance(node, ast.Attribute):
            return [f"{base}.{node.attr}" for base in self.targets(node.value)]
        if isinstance(node, ast.Name):
            return self.resolve_names(node.id)
        if isinstance(node, ast.Subscript):
            if self.target(node.value) in (*_ANNOTATED, "typing.Optional"):  # Annotated[T, ...]: T
                found = self.annotation_type(node)
                return [found] if found else []
            return [f"{inner}{ITEM}" for inner in self.targets(node.value)]
        container = self.container_items(node)
        if container is not None:
            return [container]
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):  # `base / "name"` keeps a Path a Path
            return self.targets(node.left)
        return []

    def target(self, node: ast.AST) -> Optional[str]:
        found = self.targets(node)
        return found[0] if found else None

    def call_targets(self, node: ast.Call) -> List[str]:
        """What a call calls, narrowed by its arguments where the catalogue tells constructions apart
        (`queue.Queue(8)` calls `queue.Queue(maxsize)`: catalog.constructed)."""
        found = self.targets(node.func)
        if not any(canonical_name(t) in CONSTRUCTED for t in found):
            return found
        arguments: Dict[str, object] = {}
        for position, arg in enumerate(node.args):
            if isinstance(arg, ast.Starred):
                break
            arguments[str(position)] = self._argument_value(arg)
        for keyword in node.keywords:
            if keyword.arg:
                arguments[keyword.arg] = self._argument_value(keyword.value)
        return [constructed(t, arguments) for t in found]

    def _argument_value(self, value: ast.AST) -> object:
        """An argument as catalog.constructed reads it: an int or bool literal, a string's Text or a
        pseudo-file path, else the first target, else None."""
        text = _literal_start(value)
        if text is not None:
            return literal_argument(text)
        negative = isinstance(value, ast.UnaryOp) and isinstance(value.op, ast.USub)
        literal = value.operand if negative else value  # type: ignore[attr-defined]
        if isinstance(literal, ast.Constant):
            number = literal.value
            if isinstance(number, bool):
                return None if negative else number
            return (-number if negative else number) if isinstance(number, int) else None
        if isinstance(value, ast.Attribute):
            receiver = self._receiver
            if receiver is not None and isinstance(value.value, ast.Name) and value.value.id == receiver[0]:
                return receiver[1].get(value.attr)  # `self.file`, set earlier in the method being read
            return self._attribute_value(self.target(value))
        if isinstance(value, (ast.Name, ast.Call)):
            return self.target(value)
        return None

    def _attribute_value(self, target: Optional[str]) -> Optional[str]:
        return attribute_value(target, {self.qualify(info.qualname): info.attributes for info in self.classes})

    def annotation_type(self, node: Optional[ast.AST]) -> Optional[str]:
        """The type an annotation promises, as an instance target (`Session` -> `sqlalchemy.orm.Session()`)."""
        if node is None:
            return None
        if isinstance(node, ast.Subscript):
            head = self.target(node.value)
            inner = node.slice
            if isinstance(inner, ast.Tuple) and inner.elts:
                inner = inner.elts[0]
            if head in (*_ANNOTATED, "typing.Optional"):
                return self.annotation_type(inner)
            position = CONTAINER_TYPES.get(head or "")
            if position is not None:
                arguments = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
                item = self.annotation_type(arguments[position]) if arguments else None
                return items_of([item]) if item else None
            return None
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):  # `Session | None`
            for side in (node.left, node.right):
                if not (isinstance(side, ast.Constant) and side.value is None):
                    return self.annotation_type(side)
            return None
        if isinstance(node, (ast.Name, ast.Attribute)):
            name = self.target(node)
            return f"{name}()" if name else None
        return None  # string annotations are not followed (nor are they by the rules)

    def value_of(self, node: ast.AST) -> Optional[str]:
        """What a name bound to this expression holds: an instance, an alias, or nothing known."""
        if isinstance(node, ast.Await):
            node = node.value
        if isinstance(node, (ast.Call, ast.Name, ast.Attribute, ast.BinOp, ast.Subscript, *_CONTAINERS)):
            return self.target(node)
        return None

    def container_items(self, node: ast.AST) -> Optional[str]:
        """A literal or comprehension whose items all hold one target: that container (targets.py)."""
        if isinstance(node, ast.Dict):
            items = node.values
        elif isinstance(node, (ast.List, ast.Set, ast.Tuple)):
            items = node.elts
        elif isinstance(node, ast.DictComp):
            items = [node.value]
        elif isinstance(node, (ast.ListComp, ast.SetComp)):
            items = [node.elt]
        else:
            return None
        if isinstance(node, (ast.DictComp, ast.ListComp, ast.SetComp)):
            return None if _binds_in_comprehension(node, items[0]) else items_of([self.target(items[0])])
        return items_of([self.target(item) for item in items])

    def loop_item(self, iterable: ast.AST) -> Optional[str]:
        """What the variable of `for x in iterable` holds: an item of it (of `d.values()`: of `d`)."""
        if isinstance(iterable, ast.Call) and isinstance(iterable.func, ast.Attribute) and not iterable.args:
            if iterable.func.attr == "values":
                iterable = iterable.func.value
        base = self.target(iterable)
        return f"{base}{ITEM}" if base else None

    def depends_target(self, node: Optional[ast.AST], annotation: Optional[ast.AST] = None) -> Optional[str]:
        """The dependency of `Depends(f)` / `Security(f)`; a bare `Depends()` injects the annotated class."""
        if not isinstance(node, ast.Call) or self.target(node.func) not in DEPENDS_CALLS:
            return None
        argument = node.args[0] if node.args else next(
            (keyword.value for keyword in node.keywords if keyword.arg == "dependency"), None
        )
        if argument is not None:
            return self.value_of(argument)
        return self.target(annotation) if annotation is not None else None

    def annotated_alias(self, node: ast.AST) -> Optional[Tuple[Optional[str], Optional[str]]]:
        """`Annotated[T, Depends(f)]` -> (T's target, f's target); None if not an Annotated subscript."""
        if not isinstance(node, ast.Subscript) or self.target(node.value) not in _ANNOTATED:
            return None
        elements = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
        if not elements:
            return None
        type_node = elements[0]
        dependency = next(
            (found for found in (self.depends_target(meta, type_node) for meta in elements[1:]) if found), None
        )
        return self.target(type_node), dependency

    # ---------------------------------------------------------------- module level
    def bind_import(self, node: Union[ast.Import, ast.ImportFrom], into: Dict[str, str]) -> None:
        if isinstance(node, ast.Import):
            for alias in node.names:
                name = renamed(alias.name, self.renames) or alias.name
                self.imports.append(name)
                if alias.asname:
                    into[alias.asname] = name
                else:
                    head = alias.name.split(".")[0]
                    into[head] = renamed(head, self.renames) or head
            return
        base = absolute_module(self.module, self.is_package, node.level, node.module)
        if node.level == 0:
            base = renamed(base, self.renames)
        if base is None:
            return
        self.imports.append(base)
        for alias in node.names:
            if alias.name == "*":
                self.star_imports.append(base)
                continue
            self.imports.append(f"{base}.{alias.name}")
            into[alias.asname or alias.name] = f"{base}.{alias.name}"

    def module_statements(self, body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
        """Statements that run at module level, looking inside if/try/with blocks (conditional imports)."""
        for stmt in body:
            yield stmt
            if isinstance(stmt, (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.While)):
                for block in ("body", "orelse", "finalbody"):
                    yield from self.module_statements(getattr(stmt, block, ()))
                for handler in getattr(stmt, "handlers", ()):
                    yield from self.module_statements(handler.body)
            elif _is_try_star(stmt):
                for block in ("body", "orelse", "finalbody"):
                    yield from self.module_statements(getattr(stmt, block, ()))
                for handler in stmt.handlers:  # type: ignore[attr-defined]
                    yield from self.module_statements(handler.body)

    def collect_module_bindings(self, tree: ast.Module) -> None:
        # Definitions first: a function may call one defined further down.
        for stmt in self.module_statements(tree.body):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.bindings[stmt.name] = self.qualify(stmt.name)
        for stmt in self.module_statements(tree.body):
            if isinstance(stmt, (ast.Import, ast.ImportFrom)):
                self.bind_import(stmt, self.bindings)
            elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                self.bindings[stmt.name] = self.qualify(stmt.name)
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                name = stmt.targets[0].id
                alias = self.annotated_alias(stmt.value)
                if alias is not None:
                    type_target, dependency = alias
                    self.bindings[name] = type_target or self.qualify(name)
                    if dependency:
                        self.dependency_aliases[name] = dependency
                    continue
                self.bindings[name] = self.value_of(stmt.value) or self.qualify(name)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                name = stmt.target.id
                value = self.value_of(stmt.value) if stmt.value is not None else None
                self.bindings[name] = value or self.annotation_type(stmt.annotation) or self.qualify(name)

    # ---------------------------------------------------------------- functions
    def local_names(self, node: Union[FunctionNode, ast.Lambda], scope: _Scope, walked: Sequence[ast.AST]) -> None:
        args = node.args
        scope.locals.update(_named_parameters(node))
        for arg in (args.vararg, args.kwarg):
            if arg is not None:
                scope.locals.add(arg.arg)
        if isinstance(node, ast.Lambda):
            return
        for child in _of_kinds(walked, _BINDING_KINDS):
            if isinstance(child, ast.Name) and isinstance(child.ctx, (ast.Store, ast.Del)):
                scope.locals.add(child.id)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                scope.locals.add(child.name)
            elif isinstance(child, (ast.Import, ast.ImportFrom)):
                for alias in child.names:
                    if alias.name != "*":
                        scope.locals.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(child, ast.Global):
                scope.globals.update(child.names)
            elif isinstance(child, ast.ExceptHandler) and child.name:
                scope.locals.add(child.name)
            elif isinstance(child, ast.arg):
                scope.locals.add(child.arg)
            elif _is_match_capture(child):
                scope.locals.add(child.name)  # type: ignore[attr-defined]

    def typed_locals(self, node: FunctionNode, scope: _Scope, walked: Sequence[ast.AST]) -> None:
        """Record what typed locals hold, in source order (first typed assignment wins)."""
        for arg, default in self.arguments_with_defaults(node):
            typed = self.annotation_type(arg.annotation)
            if typed is None and default is not None:
                # `db=Depends(get_db)`: FastAPI passes what the dependency returns or yields.
                dependency = self.depends_target(default)
                typed = f"{dependency}()" if dependency else None
            if typed:
                _bind(scope, arg.arg, typed)
        for child in _of_kinds(walked, _TYPED_BINDING_KINDS):
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                imported: Dict[str, str] = {}
                self.bind_import(child, imported)
                for name, value in imported.items():
                    _bind(scope, name, value)
            elif isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                _bind(scope, child.name, self.qualify(f"{scope.qualname}.<locals>.{child.name}"))
            elif isinstance(child, ast.Assign) and len(child.targets) == 1:
                for name, value in _unpacked(child.targets[0], child.value):
                    _bind(scope, name, self.value_of(value))
            elif isinstance(child, ast.AnnAssign) and isinstance(child.target, ast.Name):
                if child.value is not None:
                    _bind(scope, child.target.id, self.value_of(child.value))
                _bind(scope, child.target.id, self.annotation_type(child.annotation))
            elif isinstance(child, (ast.With, ast.AsyncWith)):
                for item in child.items:
                    if isinstance(item.optional_vars, ast.Name):
                        _bind(scope, item.optional_vars.id, self.value_of(item.context_expr))
            elif isinstance(child, (ast.For, ast.AsyncFor)) and isinstance(child.target, ast.Name):
                _bind(scope, child.target.id, self.loop_item(child.iter))

    def produces(self, node: FunctionNode, walked: Sequence[ast.AST], yielded: bool) -> Optional[str]:
        for child in walked:
            value = None
            if isinstance(child, ast.Yield) or (isinstance(child, ast.Return) and not yielded):
                value = child.value
            if value is not None:
                found = self.value_of(value)
                if found:
                    return found
        return self.annotation_type(node.returns)

    @staticmethod
    def arguments_with_defaults(node: FunctionNode) -> List[Tuple[ast.arg, Optional[ast.expr]]]:
        args = node.args
        positional = [*args.posonlyargs, *args.args]
        defaults: List[Optional[ast.expr]] = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
        return list(zip(positional, defaults)) + list(zip(args.kwonlyargs, args.kw_defaults))

    def params(self, node: FunctionNode) -> Tuple[Param, ...]:
        params = []
        keyword_only = {id(arg) for arg in node.args.kwonlyargs}
        for arg, default in self.arguments_with_defaults(node):
            annotated = self.annotated_alias(arg.annotation) if arg.annotation is not None else None
            depends = self.depends_target(default, arg.annotation) or (annotated[1] if annotated else None)
            if depends is None and isinstance(arg.annotation, ast.Name):
                depends = self.dependency_aliases.get(arg.annotation.id)
            params.append(
                Param(
                    name=arg.arg,
                    annotation=self.annotation_type(arg.annotation),
                    default=self.value_of(default) if default is not None else None,
                    depends=depends,
                    annotation_ref=self.target(arg.annotation)
                    if isinstance(arg.annotation, (ast.Name, ast.Attribute))
                    else None,
                    omitted=literal_value(default),
                    keyword_only=id(arg) in keyword_only,
                )
            )
        return tuple(params)

    def calls_in(self, walked: Sequence[ast.AST]) -> Tuple[List[Call], bool, bool]:
        """The calls that run when this code runs, plus whether it awaits and whether it yields."""
        calls: List[Call] = []
        self._call_nodes: List[ast.Call] = []
        awaited_calls = set()
        awaits = yields = False
        for child in _of_kinds(walked, _CALL_PASS_KINDS):
            if isinstance(child, (ast.Await, ast.AsyncFor, ast.AsyncWith)):
                awaits = True
                if isinstance(child, ast.Await) and isinstance(child.value, ast.Call):
                    awaited_calls.add(id(child.value))
            elif isinstance(child, (ast.Yield, ast.YieldFrom)):
                yields = True
            elif isinstance(child, ast.comprehension) and child.is_async:
                awaits = True
            elif isinstance(child, ast.Call):
                call = self.call(child, id(child) in awaited_calls)
                if call is not None:
                    calls.append(call)
                    self._call_nodes.append(child)
        return calls, awaits, yields

    def call(self, node: ast.Call, awaited: bool) -> Optional[Call]:
        found = self.call_targets(node)
        target = found[0] if found else None
        attr = node.func.attr if isinstance(node.func, ast.Attribute) else None
        if target is None and attr is None:
            return None
        args = tuple(
            self.value_of(arg) if isinstance(arg, (ast.Name, ast.Attribute, ast.Call)) else None for arg in node.args
        )
        keywords = tuple(keyword.arg for keyword in node.keywords if keyword.arg) + _flags(node)
        keywords += tuple(
            f"{keyword.arg}=False"
            for keyword in node.keywords
            if keyword.arg and isinstance(keyword.value, ast.Constant) and keyword.value.value is False
        )
        first = node.args[0] if node.args else None
        first_str = first.value if isinstance(first, ast.Constant) and isinstance(first.value, str) else None
        keyword_values = tuple(
            (keyword.arg, value)
            for keyword in node.keywords
            if keyword.arg and isinstance(keyword.value, (ast.Name, ast.Attribute, ast.Call))
            for value in (self.value_of(keyword.value),)
            if value
        )
        return Call(
            target, attr, node.lineno, node.col_offset, awaited, args, keywords, first_str, tuple(found[1:]),
            keyword_values=keyword_values,
        )

    def decorators(self, node: Union[FunctionNode, ast.ClassDef], class_qualname: Optional[str] = None) -> Tuple[Call, ...]:
        found = []
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call):
                call = self.call(decorator, False)
                if call is not None and class_qualname:
                    # A decorator runs in the class body: `@async_dispatch(aload)` names the method above.
                    members = tuple(self._class_member(class_qualname, argument) for argument in decorator.args)
                    args = tuple(member or known for member, known in zip(members, call.args))
                    call = replace(call, args=args)
            else:
                target = self.target(decorator)
                attr = decorator.attr if isinstance(decorator, ast.Attribute) else None
                call = Call(target, attr, decorator.lineno, decorator.col_offset) if target or attr else None
            if call is not None:
                found.append(call)
        return tuple(found)

    def _class_member(self, class_qualname: str, argument: ast.AST) -> Optional[str]:
        if isinstance(argument, ast.Name):
            member = f"{class_qualname}.{argument.id}"
            if any(function.qualname == member for function in self.functions):
                return self.qualify(member)
        return None

    def function(self, node: FunctionNode, qualname: str, class_qualname: Optional[str], direct: bool) -> None:
        scope = _Scope(qualname)
        walked = self.own_nodes(node)
        self.local_names(node, scope, walked)
        self.scopes.append(scope)
        if class_qualname and node.args.args and not _is_staticmethod(node):
            first = node.args.args[0].arg
            scope.values[first] = [self.qualify(class_qualname) + ("" if _is_classmethod(node) else "()")]
        self.typed_locals(node, scope, walked)
        self.collect_state_values(walked, lifespan=isinstance(node, ast.AsyncFunctionDef) and _is_context_manager(node))
        calls, awaits, yields = self.calls_in(walked)
        method = bool(class_qualname) and not _is_staticmethod(node)
        guards = GuardFinder(node, method=method, nodes=walked, switches=self.switches)
        once = once_calls(node, walked, self.slot_getters)
        prompt = reaping_calls(node) if any(call.attr in REAPING for call in calls) else set()
        # Always: a function without parameters still passes string literals (`get_secret_str("KEY")`).
        calls = [
            replace(
                call, guards=guards.for_call(call.row, call.col), passes=passed_values(node_call, guards),
                once=(call.row, call.col) in once, prompt=(call.row, call.col) in prompt,
            )
            for call, node_call in zip(calls, self._call_nodes)
        ]
        self.functions.append(
            Function(
                qualname=qualname,
                row=node.lineno,
                is_async=isinstance(node, ast.AsyncFunctionDef),
                class_qualname=class_qualname,
                calls=tuple(calls),
                decorators=self.decorators(node, class_qualname),
                params=self.params(node),
                awaits=awaits,
                yields=yields,
                produces=self.produces(node, walked, yields),
                span=_span(node, direct),
                contexts=tuple(
                    self.value_of(item.context_expr)
                    for child in walked
                    if isinstance(child, (ast.With, ast.AsyncWith))
                    for item in child.items
                ),
                runs=self.called_parameters(node, qualname, scope, walked),
                environment=None if method else self.environment_of(node, walked, guards.switch_locals),
            )
        )
        position = len(self.functions) - 1
        self.walk_definitions(node.body, f"{qualname}.<locals>", None)
        self.scopes.pop()
        self._add_nested_runs(node, position)

    def environment_of(self, node: FunctionNode, walked: Sequence[ast.AST], switch_locals: Mapping[str, Switch]) -> Optional[str]:
        """Function.environment: the variable every `return` value of a sync function without required
        parameters is computed from, if there is one."""
        if self.switches is None or not self.switches.reads_environment or isinstance(node, ast.AsyncFunctionDef):
            return None
        if any(default is None for _, default in self.arguments_with_defaults(node)) or writes_environment(walked):
            return None
        found: Set[str] = set()
        for child in walked:
            if isinstance(child, (ast.Yield, ast.YieldFrom)):
                return None
            if isinstance(child, ast.Return):
                variable = self.switches.result_variable(child.value, switch_locals) if child.value is not None else None
                if variable is None:
                    return None
                found.add(variable)
        return min(found) if len(found) == 1 else None

    def called_parameters(self, node: FunctionNode, qualname: str, scope: _Scope, walked: Sequence[ast.AST]) -> Tuple[Tuple[str, str, str], ...]:
        """Function.runs for the calls it makes itself of its own parameters and of its enclosing
        functions' locals (which _add_nested_runs hands up to the function that declares them)."""
        calls = [child for child in walked if type(child) is ast.Call and type(child.func) is ast.Name]  # type: ignore[attr-defined]
        visible = _named_parameters(node)
        free = {call.func.id for call in calls} - scope.locals  # type: ignore[attr-defined]
        if free and len(self.scopes) > 1:
            visible |= free & {
                name for outer in self.scopes[:-1] if scope.qualname.startswith(f"{outer.qualname}.<locals>.") for name in outer.locals
            }
        calls = [call for call in calls if call.func.id in visible]  # type: ignore[attr-defined]
        if not calls:
            return ()
        handed_to = {
            id(argument): self.target(child.func) or ""
            for child in walked if isinstance(child, ast.Call) for argument in child.args
        }
        return tuple(sorted({(call.func.id, qualname, handed_to.get(id(call), "")) for call in calls}))  # type: ignore[attr-defined]

    def _add_nested_runs(self, node: FunctionNode, position: int) -> None:
        """Add to the function's runs the calls of its parameters that the functions nested in it (summarised
        after it) make, unless the nested function declares that name itself."""
        own = _named_parameters(node)
        found = {
            entry
            for inner in self.functions[position + 1 :]
            for entry in inner.runs
            if entry[0] in own and entry[1] == inner.qualname and all(param.name != entry[0] for param in inner.params)
        }
        if found:
            function = self.functions[position]
            self.functions[position] = replace(function, runs=tuple(sorted({*function.runs, *found})))

    def klass(self, node: ast.ClassDef, qualname: str, direct: bool) -> None:
        attributes: Dict[str, str] = {}
        for stmt in node.body:  # class-level annotations and assignments: `client: httpx.Client`
            if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                value = self.value_of(stmt.value) if stmt.value is not None else None
                typed = value or self.annotation_type(stmt.annotation)
                if typed:
                    attributes[stmt.target.id] = typed
            elif isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                value = self.value_of(stmt.value)
                if value:
                    attributes[stmt.targets[0].id] = value
        for stmt in node.body:  # `self.client = httpx.Client()` in methods
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.args.args:
                attributes.update(
                    (name, value)
                    for name, value in self.self_attributes(stmt, qualname).items()
                    if name not in attributes
                )
        self.classes.append(
            ClassInfo(
                qualname=qualname,
                row=node.lineno,
                bases=tuple(self.target(base) for base in node.bases),
                attributes=tuple(sorted(attributes.items())),
                span=_span(node, direct),
            )
        )
        start = len(self.functions)
        self.walk_definitions(node.body, qualname, qualname)
        self._mark_primed(node, qualname, start)

    def _mark_primed(self, node: ast.ClassDef, qualname: str, start: int) -> None:
        """The calls the class's methods make only while a cache its constructor fills is empty or stale,
        and their calls of a memo whose slot an earlier statement has filled, count as made once
        (instance_slots.py)."""
        primed = primed_calls(node)
        for name, positions in refilled_calls(node, self._self_calls_of_coroutines(qualname, start)).items():
            primed[name] = primed.get(name, set()) | positions
        if not primed:
            return
        for position in range(start, len(self.functions)):
            function = self.functions[position]
            owner, _, name = function.qualname.rpartition(".")
            calls = primed.get(name) if owner == qualname and function.class_qualname == qualname else None
            if calls:
                marked = tuple(replace(call, once=True) if (call.row, call.col) in calls else call for call in function.calls)
                self.functions[position] = replace(function, calls=marked)

    def _self_calls_of_coroutines(self, qualname: str, start: int) -> Dict[str, Set[str]]:
        """The class's coroutines (by name) -> the names of its methods each calls on its instance."""
        prefix = self.qualify(qualname) + "()."  # a call on the instance targets `module.Class().method`
        found: Dict[str, Set[str]] = {}
        for function in self.functions[start:]:
            owner, _, name = function.qualname.rpartition(".")
            if function.is_async and owner == qualname and function.class_qualname == qualname:
                targets = (target[len(prefix) :] for call in function.calls for target in call.targets if target.startswith(prefix))
                found[name] = {target for target in targets if "." not in target}
        return found

    def self_attributes(self, method: FunctionNode, class_qualname: str) -> Dict[str, str]:
        scope = _Scope(f"{class_qualname}.{method.name}")
        walked = self.own_nodes(method)
        self.local_names(method, scope, walked)
        self.scopes.append(scope)
        self.typed_locals(method, scope, walked)
        first = method.args.args[0].arg
        found: Dict[str, str] = {}
        self._receiver = (first, found)
        for child in walked:
            targets: List[ast.expr] = []
            value: Optional[ast.expr] = None
            if isinstance(child, ast.Assign) and len(child.targets) == 1:
                targets, value = [child.targets[0]], child.value
            elif isinstance(child, ast.AnnAssign):
                targets, value = [child.target], child.value
            for target in targets:
                if (
                    isinstance(target, ast.Attribute)
                    and isinstance(target.value, ast.Name)
                    and target.value.id == first
                    and target.attr not in found
                ):
                    typed = self.value_of(value) if value is not None else None
                    if typed is None and isinstance(child, ast.AnnAssign):
                        typed = self.annotation_type(child.annotation)
                    if typed:
                        found[target.attr] = typed
        self.scopes.pop()
        self._receiver = None
        return found

    def builds_app(self, block: ast.stmt) -> bool:
        return any(
            isinstance(node, ast.Call) and any(target in APP_CLASSES for target in self.targets(node.func))
            for node in _own_nodes([block])
        )

    def walk_definitions(self, body: Sequence[ast.stmt], prefix: str, class_qualname: Optional[str]) -> None:
        """Summarise every def and class in this body (recursing through blocks, not into expressions)."""
        direct_statements = {id(stmt) for stmt in body}
        for stmt in _own_statements(body):
            direct = id(stmt) in direct_statements
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self.function(stmt, f"{prefix}.{stmt.name}" if prefix else stmt.name, class_qualname, direct)
            elif isinstance(stmt, ast.ClassDef):
                self.klass(stmt, f"{prefix}.{stmt.name}" if prefix else stmt.name, direct)

    def collect_state_values(self, nodes: Iterable[ast.AST], lifespan: bool = False) -> None:
        """`x.state.name = value` assignments, and a lifespan's `yield {"name": value}`, whose value is known."""
        for node in nodes:
            if isinstance(node, (ast.Assign, ast.AnnAssign)) and node.value is not None:
                for target in node.targets if isinstance(node, ast.Assign) else [node.target]:
                    if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Attribute) and target.value.attr == "state":
                        self._store_state(target.attr, node.value)
            elif lifespan and isinstance(node, ast.Yield) and isinstance(node.value, ast.Dict):
                for key, value in zip(node.value.keys, node.value.values):
                    if isinstance(key, ast.Constant) and isinstance(key.value, str):
                        self._store_state(key.value, value)

    def _store_state(self, name: str, value: ast.AST) -> None:
        found = self.value_of(value)
        if found and (name, found) not in self.state_values:
            self.state_values.append((name, found))

    def summarize(self, tree: ast.Module) -> ModuleSummary:
        self.collect_module_bindings(tree)
        self.switches = Switches(tree, self.target, self.bindings)
        self.slot_getters = SlotGetters(tree)
        self.collect_state_values(self.module_statements(tree.body))
        # What runs on import: a script's `if __name__ == "__main__":` block does not, unless it builds the
        # app it serves (its lifespan and what the block sets up then run at startup, as on import).
        on_import = [statement for statement in tree.body if not _is_main_block(statement) or self.builds_app(statement)]
        calls, awaits, yields = self.calls_in(list(_own_nodes(on_import)))
        self.functions.append(Function(MODULE_SCOPE, 1, False, None, tuple(calls), awaits=awaits, yields=yields))
        for statement in tree.body:
            self.walk_definitions([statement], "", None)
        return ModuleSummary(
            module=self.module,
            is_package=self.is_package,
            bindings=tuple(sorted(self.bindings.items())),
            functions=tuple(self.functions),
            classes=tuple(self.classes),
            imports=tuple(dict.fromkeys(self.imports)),
            star_imports=tuple(self.star_imports),
            dependency_aliases=tuple(sorted(self.dependency_aliases.items())),
            state_values=tuple(self.state_values),
        )


def _is_main_block(statement: ast.stmt) -> bool:
    """`if __name__ == "__main__":`"""
    test = statement.test if isinstance(statement, ast.If) else None
    return (
        isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
        and len(test.comparators) == 1 and isinstance(test.comparators[0], ast.Constant)
        and test.comparators[0].value == "__main__"
    )


def passed_parameters(function: Function) -> List[Param]:
    """The parameters a call fills, in order: a method's `self` or `cls` is not passed."""
    params = list(function.params)
    if function.class_qualname and params and params[0].name in ("self", "cls"):
        params = params[1:]
    return params


def _named_parameters(node: Union[FunctionNode, ast.Lambda]) -> Set[str]:
    """The parameters a call can pass by name (not `*args` or `**kwargs`)."""
    args = node.args
    return {arg.arg for arg in [*args.posonlyargs, *args.args, *args.kwonlyargs]}


def _unpacked(target: ast.AST, value: ast.AST) -> List[Tuple[str, ast.AST]]:
    """The names an assignment binds, each with its value: `name = value`, and `a, b = x, y` element by
    element (an unpacking of anything but a display of as many elements is not followed)."""
    if isinstance(target, ast.Name):
        return [(target.id, value)]
    if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (ast.Tuple, ast.List)):
        if len(target.elts) == len(value.elts) and not any(isinstance(e, ast.Starred) for e in (*target.elts, *value.elts)):
            return [pair for element, item in zip(target.elts, value.elts) for pair in _unpacked(element, item)]
    return []


def _bind(scope: _Scope, name: str, value: Optional[str]) -> None:
    if value:
        bound = scope.values.setdefault(name, [])
        if value not in bound:
            bound.append(value)


def first_row(statement: ast.stmt) -> int:
    """A statement's first row, its decorators included."""
    decorators = getattr(statement, "decorator_list", None)
    return min(statement.lineno, *(d.lineno for d in decorators)) if decorators else statement.lineno


def last_row(statement: ast.stmt) -> int:
    return statement.end_lineno or statement.lineno


def _span(node: Union[FunctionNode, ast.ClassDef], direct: bool) -> Span:
    return Span(first_row(node), last_row(node), direct)


def _is_try_star(stmt: ast.stmt) -> bool:
    return type(stmt).__name__ == "TryStar"


def _is_match_capture(node: ast.AST) -> bool:
    return type(node).__name__ in ("MatchAs", "MatchStar") and getattr(node, "name", None) is not None


def _decorator_names(node: FunctionNode) -> List[str]:
    names = []
    for decorator in node.decorator_list:
        parts = dotted(decorator)
        if parts:
            names.append(parts[-1])
    return names


def _is_context_manager(node: FunctionNode) -> bool:
    """`@asynccontextmanager` / `@contextlib.asynccontextmanager`: the form a lifespan takes."""
    return "asynccontextmanager" in _decorator_names(node)


def _is_staticmethod(node: FunctionNode) -> bool:
    return "staticmethod" in _decorator_names(node)


def _is_classmethod(node: FunctionNode) -> bool:
    return "classmethod" in _decorator_names(node)


_SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def _own_nodes(nodes: Iterable[ast.AST]) -> List[ast.AST]:
    """Every node that runs as part of this scope: not the bodies of nested defs, classes or lambdas.

    A nested def's decorators and defaults do run here; a lambda's body runs whenever it is called
    (usually in a worker thread when it is handed to an executor), so it is left out.
    """
    found: List[ast.AST] = []
    stack = list(nodes)[::-1]
    while stack:
        node = stack.pop()
        found.append(node)
        kind = type(node)
        if kind not in _SCOPE_NODES:
            # ast.iter_child_nodes, without its two generators per node (the summary pass's largest cost);
            # `ctx` (Load/Store/Del) is left out: every pass reads it from its parent, never walks it.
            children = []
            for name in node._fields:
                if name == "ctx":
                    continue
                value = getattr(node, name, None)
                if isinstance(value, ast.AST):
                    children.append(value)
                elif isinstance(value, list):
                    children += [item for item in value if isinstance(item, ast.AST)]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            # Decorators, defaults and annotations are evaluated where the def statement runs.
            children: List[ast.AST] = list(node.decorator_list)
            children += [d for d in node.args.defaults + node.args.kw_defaults if d is not None]
            every_arg = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs, node.args.vararg, node.args.kwarg]
            children += [a.annotation for a in every_arg if a is not None and a.annotation is not None]
            if node.returns is not None:
                children.append(node.returns)
        elif isinstance(node, ast.ClassDef):
            children = list(node.decorator_list) + list(node.bases) + [k.value for k in node.keywords]
        else:  # a lambda
            children = [d for d in node.args.defaults + node.args.kw_defaults if d is not None]
        stack.extend(reversed(children))
    return found


def _of_kinds(nodes: Sequence[ast.AST], kinds: FrozenSet[type]) -> List[ast.AST]:
    """The nodes of these exact classes, in order: a pass over a function's nodes tests the few it reads
    with one set lookup instead of a chain of isinstance calls on every node."""
    return [node for node in nodes if type(node) in kinds]


_MATCH_CAPTURES = frozenset(getattr(ast, name) for name in ("MatchAs", "MatchStar") if hasattr(ast, name))
_BINDING_KINDS = frozenset(
    {ast.Name, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Import, ast.ImportFrom, ast.Global}
    | {ast.ExceptHandler, ast.arg}
    | _MATCH_CAPTURES
)
_TYPED_BINDING_KINDS = frozenset(
    {ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Assign, ast.AnnAssign}
    | {ast.With, ast.AsyncWith, ast.For, ast.AsyncFor}
)
_CONTAINERS = (ast.Dict, ast.List, ast.Set, ast.Tuple, ast.DictComp, ast.ListComp, ast.SetComp)


def _binds_in_comprehension(node: ast.AST, item: ast.AST) -> bool:
    """Whether the item is built from a name the comprehension binds (`c.client for c in ...`: not known
    here); `Client(host) for host in ...` is a Client whatever the host."""
    bound = {
        name.id for generator in node.generators for name in ast.walk(generator.target) if isinstance(name, ast.Name)  # type: ignore[attr-defined]
    }
    while isinstance(item, (ast.Call, ast.Attribute, ast.Subscript, ast.Await)):
        item = item.func if isinstance(item, ast.Call) else item.value
    return isinstance(item, ast.Name) and item.id in bound
_CALL_PASS_KINDS = frozenset(
    {ast.Await, ast.AsyncFor, ast.AsyncWith, ast.Yield, ast.YieldFrom, ast.comprehension, ast.Call}
)


def _own_statements(body: Sequence[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, _SCOPE_NODES):
            continue
        for name in ("body", "orelse", "finalbody", "handlers", "cases"):
            block = getattr(stmt, name, None)
            if isinstance(block, list):
                for item in block:
                    if isinstance(item, ast.stmt):
                        yield from _own_statements([item])
                    elif hasattr(item, "body"):
                        yield from _own_statements(item.body)


def _literal_start(value: ast.AST) -> Optional[str]:
    """The text a string literal or an f-string starts with (None for anything else)."""
    if isinstance(value, ast.JoinedStr) and value.values:
        value = value.values[0]
    return value.value if isinstance(value, ast.Constant) and isinstance(value.value, str) else None


def _flags(node: ast.Call) -> Tuple[str, ...]:
    """The non-blocking flag constants (catalog.NONBLOCKING_FLAGS) the call's arguments name."""
    found = set()
    for argument in (*node.args, *(keyword.value for keyword in node.keywords)):
        for child in ast.walk(argument):
            name = child.id if isinstance(child, ast.Name) else child.attr if isinstance(child, ast.Attribute) else None
            if name in NONBLOCKING_FLAGS:
                found.add(name)
    return tuple(sorted(found))
