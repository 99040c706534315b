"""Conditions on a function's own parameters under which a call in it runs.

`get_secret(name)` may open a file, but only `if name.startswith("oidc/")`; called as
`get_secret("OPENAI_API_KEY")` it never does. The summary records, for each call, the tests on the
enclosing function's parameters that dominate it (the `if` bodies it sits in), and for each call what it
passes: string literals, the caller's own parameters, or something else. The project index carries a guard
up to a caller that forwards its own parameter (`get_secret_str(name) -> get_secret(name)`) and otherwise
counts the guarded path only when the value is known to pass the test: a literal that passes it, or an
omitted argument whose literal default does. Such a test selects one value out of many (a mode, a
scheme, a prefix), so a value the linter cannot see (`get_secret(config.api_key)`) is taken not to select
the blocking branch: reporting every mode a helper supports is what made `get_secret` look blocking from
hundreds of call sites (docs/real-world.md).

Which tests are kept, on a parameter `p` (joined by `and`; an `or` of prefixes or values of one parameter
is one test):
* value selections: `p.startswith(...)`, `p == "..."`, `p in ("...", ...)`, also on a local derived from
  `p` before `p` is rebound (`provider = model.split("/", 1)[0]`, followed in statement order, with the
  string literals the local may be set to instead);
* a type test, `isinstance(p, T)`: it rules a path out only when the argument's built-in type is known
  (`b"..."`, `base64.b64decode(x)`, a parameter annotated `bytes`) and is not a `T`;
* presence tests, `if p:`, `if not p:`, `if p is None:` / `is not None`, `if hasattr(p, "x"):` (p is not
  None; its failure proves nothing), also the negation that follows an
  early `return`/`raise` (`if config is None: raise ...`), and a local set to None first and to something
  else only under guards (`path = None; if config: path = ...; if path is not None: ...`). An omitted
  argument whose default is None, False, 0 or "" fails `if p:`.
A parameter forwarded as it came (`store_path(name, create=create)`) carries the callee's test up to the
caller's callers, also when it is annotated (`create: bool = False`); the annotation decides a type test.
In a method, `self.x` counts as a parameter too: the constructor's `self.x = x` ties it to an argument,
and a call on `self` passes the caller's `self.x` along (`Logging(model)` never sets
`dynamic_callbacks`, so `if self.dynamic_callbacks:` in a method its `__init__` calls fails).
Type and presence tests on a value the linter cannot see may hold; only value selections need the value.
A parameter rebound by anything but a string method with literal arguments keeps only the tests made
before the rebinding (outside loops). A test of an environment variable, or of a function that reads one,
is a guard on a *switch* (switches.py), which no caller decides: it is carried up to the coroutine and
named there. Any other test is treated as "may hold". At most _MAX_GUARDS tests are kept per call, the
parameters' first.
"""

from __future__ import annotations

import ast
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from fastapi_asynclint.index.switches import ENVIRONMENT_PREFIX, Switch, default_transform, is_switch, literal_strings, writes_environment

if TYPE_CHECKING:
    from fastapi_asynclint.index.switches import Switches

# A step applied to the argument before the test: a string method with literal arguments (`replace`,
# `split`), `getitem` (an index into the result), or `may_be` (literals a local may hold instead).
Transform = Tuple[str, Tuple[object, ...]]
# (parameter, operation, literals, transforms). Operations: the value tests "startswith", "equals" and
# "contains" (`":memory:" in url`) and their negations, the type test "isinstance", and the presence tests
# "truthy", "falsy", "notnone", "isnone".
Guard = Tuple[str, str, Tuple[str, ...], Tuple[Transform, ...]]
# A value that selects one branch: a value the linter cannot see is taken not to select it.
VALUE_TESTS = frozenset({"startswith", "equals", "contains"})
# A value that rules one branch out: a value the linter cannot see may pass it.
NEGATED_VALUE_TESTS = frozenset({"notstartswith", "notequals", "notcontains"})
_NEGATION = {
    "truthy": "falsy", "falsy": "truthy", "notnone": "isnone", "isnone": "notnone",
    **{test: f"not{test}" for test in VALUE_TESTS}, **{f"not{test}": test for test in VALUE_TESTS},
}
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
# The tests that cannot hold beside each one on the same value.
_EXCLUDED = {operation: (negation,) for operation, negation in _NEGATION.items()}
_EXCLUDED["truthy"] = ("falsy", "isnone")
_EQUALITY = (ast.Eq, ast.In, ast.NotEq, ast.NotIn)
PRESENCE_TESTS = frozenset({"truthy", "falsy", "notnone", "isnone"})

_STRING_METHODS = frozenset({"replace", "removeprefix", "removesuffix", "strip", "lstrip", "rstrip", "lower", "upper"})
_MAX_GUARDS = 4
_MATCH = getattr(ast, "Match", None)  # Python 3.10+
_NOT_HEADERS = tuple(t for t in (ast.stmt, ast.excepthandler, getattr(ast, "match_case", None)) if t is not None)


# Built-in types whose instances are known not to be instances of each other (bool of int aside), plus
# the path and file classes a helper tests for; a test naming anything else may hold for any argument.
KNOWN_TYPES = frozenset(
    {"str", "bytes", "bytearray", "memoryview", "int", "float", "bool", "complex", "dict", "list", "tuple",
     "set", "frozenset", "NoneType", "PathLike", "PurePath", "Path", "PosixPath", "WindowsPath", "IOBase"}
)
# What a call passes as its value (`store=get_store()`): something, not None, of a type not known, unless
# the callee is one that commonly answers None (`os.environ.get(...)`, `query.first()`).
SOMETHING = "object"
MAYBE_NONE_CALLS = frozenset(
    {"get", "getenv", "pop", "first", "one_or_none", "scalar", "scalar_one_or_none", "fetchone", "find", "match",
     "search", "getattr", "next", "get_or_none", "find_one"}
)
BYTES_CALLS = frozenset({"bytes", "bytearray", "encode", "b64decode", "urlsafe_b64decode", "b64encode", "digest", "to_bytes"})
_DISPLAYS = {ast.Dict: "dict", ast.List: "list", ast.Tuple: "tuple", ast.Set: "set", ast.JoinedStr: "str"}


def _type_names(node: ast.AST) -> Optional[Tuple[str, ...]]:
    """`(bytes, os.PathLike)` -> ("bytes", "PathLike"): the last component of each named class."""
    elements = node.elts if isinstance(node, ast.Tuple) else [node]
    names = []
    for element in elements:
        if isinstance(element, ast.Name):
            names.append(element.id)
        elif isinstance(element, ast.Attribute):
            names.append(element.attr)
        else:
            return None
    return tuple(names)


def value_type(node: ast.AST) -> Optional[str]:
    """The built-in type of an argument when its form shows it (`b"..."`, `base64.b64decode(x)`, `{...}`)."""
    if isinstance(node, ast.Constant) and not isinstance(node.value, str):
        return "NoneType" if node.value is None else type(node.value).__name__
    display = _DISPLAYS.get(type(node))
    if display is not None:
        return display
    if isinstance(node, ast.Await):
        node = node.value
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name in BYTES_CALLS:
            return "bytes"
        if name not in MAYBE_NONE_CALLS:
            return SOMETHING
    return None


def is_instance(type_name: str, names: Tuple[str, ...]) -> bool:
    """Whether a value of built-in type `type_name` passes `isinstance(value, names)` (True when unsure)."""
    if type_name == SOMETHING or "object" in names or any(name not in KNOWN_TYPES for name in names):
        return True
    return type_name in names or (type_name == "bool" and "int" in names)


# The nodes each scan reads (exact classes, tested with one set lookup per node of the function).
_REBINDING_KINDS = frozenset(
    {ast.Assign, ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor, ast.With, ast.AsyncWith, ast.NamedExpr}
    | {ast.Global, ast.Nonlocal}
)
_STORE_KINDS = frozenset({ast.Name, ast.Attribute, ast.Assign, ast.Global, ast.Nonlocal})


class GuardFinder:
    """The guards of every call in one function body (nested defs and lambdas excluded)."""

    def __init__(
        self, function: ast.AST, method: bool = False, nodes: Optional[Sequence[ast.AST]] = None, switches: Optional["Switches"] = None
    ) -> None:
        """`nodes`: the function's own nodes, when the caller has already walked them; `switches`: what the
        module can test as a switch (an environment variable: switches.py), when it is known."""
        own = list(own_nodes(function.body)) if nodes is None else nodes  # type: ignore[attr-defined]
        # A function that changes the environment may test what it set itself: no switches there.
        self._switches = switches if switches is not None and not writes_environment(own) else None
        # Locals bound once to a switch (`dump_dir = os.environ.get("DUMP_DIR")`) -> the switch.
        self.switch_locals: Dict[str, Switch] = {}
        arguments = function.args  # type: ignore[attr-defined]
        parameters = (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
        names = [a.arg for a in parameters]
        # In a method, `self.x` the method never sets is a parameter too, named "self.x": the callers that
        # call it on `self` (or the constructor that set `self.x = x`) tell what it holds.
        self.receiver = names[0] if method and names else None
        self.transforms: Dict[str, List[Transform]] = {name: [] for name in names}
        self._declared = frozenset(names)
        # Parameters annotated with a built-in type other than str (`body: bytes`): passed on as that type.
        self.annotated: Dict[str, str] = {
            a.arg: a.annotation.id
            for a in parameters
            if isinstance(a.annotation, ast.Name) and a.annotation.id in KNOWN_TYPES and a.annotation.id != "str"
        }
        self._scan_rebinding(own)
        self.params: Set[str] = set(self.transforms)
        # Locals that stand for a parameter on the path being walked: `provider = model.split("/", 1)[0]`
        # -> (parameter, the literals it may have been set to since, transforms).
        self.aliases: Dict[str, Tuple[str, Tuple[str, ...], Tuple[Transform, ...]]] = {}
        # Locals set to None first and to something else only under guards: `path = None` then
        # `if config: path = ...`; a later `if path is not None:` holds only under those guards.
        self._none_locals: Dict[str, Optional[List[FrozenSet[Guard]]]] = {}
        self._none_candidates: Set[str] = set()
        self._scan_locals(function, own)
        self._by_position: Dict[Tuple[int, int], Tuple[Guard, ...]] = {}
        self._loops = 0  # loops around the statement being walked
        if any(isinstance(node, ast.If) for node in own):  # no `if`, no guard
            self._walk(function.body, ())  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ parameters
    def _scan_rebinding(self, own: Sequence[ast.AST]) -> None:
        for node in own:
            if type(node) not in _REBINDING_KINDS:
                continue
            targets: Iterable[ast.AST] = ()
            if isinstance(node, ast.Assign):
                if len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                    name = node.targets[0].id
                    if name in self.transforms and self._record_transform(name, node.value):
                        continue
                targets = node.targets
            elif isinstance(node, (ast.AugAssign, ast.AnnAssign, ast.For, ast.AsyncFor)):
                targets = [node.target]
            elif isinstance(node, (ast.With, ast.AsyncWith)):
                targets = [item.optional_vars for item in node.items if item.optional_vars is not None]
            elif isinstance(node, ast.NamedExpr):
                targets = [node.target]
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    self.transforms.pop(name, None)
            for target in targets:
                for name_node in ast.walk(target):
                    if isinstance(name_node, ast.Name):
                        self.transforms.pop(name_node.id, None)

    def _record_transform(self, name: str, value: ast.AST) -> bool:
        if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute)):
            return False
        if not (isinstance(value.func.value, ast.Name) and value.func.value.id == name):
            return False
        arguments = [arg.value for arg in value.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)]
        if value.func.attr not in _STRING_METHODS or value.keywords or len(arguments) != len(value.args):
            return False
        self.transforms[name].append((value.func.attr, tuple(arguments)))
        return True

    def _scan_locals(self, function: ast.AST, own: Sequence[ast.AST]) -> None:
        stores: Dict[str, int] = {}
        first_store: Dict[str, int] = {}
        simple: Dict[str, List[ast.Assign]] = {}
        for node in own:
            if type(node) not in _STORE_KINDS:
                continue
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                stores[node.id] = stores.get(node.id, 0) + 1
                first_store[node.id] = min(first_store.get(node.id, node.lineno), node.lineno)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                name = self._subject_name(node)
                if name is not None:
                    stores[name] = stores.get(name, 0) + 1
                    first_store[name] = min(first_store.get(name, node.lineno), node.lineno)
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                simple.setdefault(node.targets[0].id, []).append(node)
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                for name in node.names:
                    stores[name] = stores.get(name, 0) + 1000  # never a plain local
        top_level = {id(statement) for statement in function.body}  # type: ignore[attr-defined]
        for name, assignments in simple.items():
            if name in self.params or stores.get(name, 0) != len(assignments):
                continue
            if self._switches is not None and len(assignments) == 1 and name not in self._declared:
                switch = self._switches.subject(assignments[0].value, {}, lambda other: other in stores or other in self._declared)
                if switch is not None:
                    self.switch_locals[name] = switch
            assignments.sort(key=lambda node: (node.lineno, node.col_offset))  # _own walks in no order
            first = assignments[0]
            if isinstance(first.value, ast.Constant) and first.value.value is None:
                self._none_candidates.add(name)
        self._first_store = first_store
        self._top_level = top_level
        # `self.x = x` at the top of the body: from that line on, `self.x` is the parameter `x`.
        self.attribute_params: Dict[str, Tuple[str, int]] = {}
        for statement in function.body:  # type: ignore[attr-defined]
            target = statement.targets[0] if isinstance(statement, ast.Assign) and len(statement.targets) == 1 else None
            if isinstance(statement, ast.AnnAssign) and statement.value is not None:
                target = statement.target
            if target is not None:
                name = self._subject_name(target)
                value = statement.value  # type: ignore[attr-defined]
                if name is None or "." not in name or stores.get(name) != 1 or not isinstance(value, ast.Name):
                    continue
                if value.id in self._declared and first_store.get(value.id, statement.lineno + 1) > statement.lineno:
                    self.attribute_params[name] = (value.id, statement.lineno)

    def _subject_name(self, node: ast.AST) -> Optional[str]:
        """A parameter's name, or "self.x" for an attribute of the method's receiver."""
        if isinstance(node, ast.Name):
            return node.id
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and self.receiver is not None
            and node.value.id == self.receiver
        ):
            return f"self.{node.attr}"
        return None

    def attribute_param(self, name: str, row: int) -> Optional[str]:
        """What `self.x` stands for at `row`: the parameter it was set from, itself if this method never
        sets it, else None."""
        alias = self.attribute_params.get(name)
        if alias is not None:
            return alias[0] if alias[1] < row else None
        first = self._first_store.get(name)
        # Set later, or in the statement that reads it (`self.x = f(self.x)`): the read sees the caller's.
        return name if first is None or (first >= row and not self._loops) else None

    # ------------------------------------------------------------------ tests
    def _guards_of(self, test: ast.AST) -> Tuple[Guard, ...]:
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            return tuple(guard for value in test.values for guard in self._guards_of(value))
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
            # `p.startswith("s3://") or p.startswith("gcs://")`: one test with both literals.
            parts = [self._guard(value) for value in test.values]
            first = parts[0]
            if first is not None and first[1] in VALUE_TESTS and all(
                part is not None and (part[0], part[1], part[3]) == (first[0], first[1], first[3]) for part in parts
            ):
                literals = tuple(dict.fromkeys(literal for part in parts for literal in part[2]))  # type: ignore[index]
                return ((first[0], first[1], literals, first[3]),)
            return ()
        local = _tested_name(test)
        if local is not None and self._none_locals.get(local):
            return tuple(sorted(frozenset.intersection(*self._none_locals[local]), key=repr))  # type: ignore[misc]
        guard = self._guard(test)
        return (guard,) if guard is not None else ()

    def _switch_guard(self, switches: "Switches", test: ast.AST) -> Optional[Guard]:
        """A test of a switch (switches.py): `if os.getenv("X"):`, `if dump_dir:`, `"X" in os.environ`."""
        variable = switches.membership(test) if isinstance(test, ast.Compare) else None
        if variable is not None:
            operation = "notnone" if isinstance(test.ops[0], ast.In) else "isnone"  # type: ignore[attr-defined]
            switch = Switch(ENVIRONMENT_PREFIX + variable)
            return (switch.name, operation, (), default_transform(switch))
        equality = _equality(test)
        if equality is not None:
            subject, operation, literals = equality
        else:
            presence = _presence(test) or _called_presence(test)
            if presence is None:
                return None
            subject, operation, literals = presence[0], presence[1], ()
        switch = switches.subject(subject, self.switch_locals, self._is_local)
        return (switch.name, operation, literals, default_transform(switch)) if switch is not None else None

    def _is_local(self, name: str) -> bool:
        return name in self._first_store or name in self._declared

    def _guard(self, test: ast.AST) -> Optional[Guard]:
        if self._switches is not None:
            switch = self._switch_guard(self._switches, test)
            if switch is not None:
                return switch
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance":
            if len(test.args) != 2 or test.keywords:
                return None
            subject, operation, literals = test.args[0], "isinstance", _type_names(test.args[1])
            if isinstance(subject, ast.Name) and self.transforms.get(subject.id):
                return None  # rebound to a string first
        elif _is_hasattr(test):
            # `hasattr(p, "db_engine")` holds only for an object: p is not None (its failure says nothing).
            subject, operation, literals = test.args[0], "notnone", ()
        elif isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "startswith":
            subject, operation = test.func.value, "startswith"
            literals = literal_strings(test.args[0]) if len(test.args) == 1 and not test.keywords else None
        elif isinstance(test, ast.Compare) and len(test.ops) == 1 and literal_strings(test.left) is not None:
            if not isinstance(test.ops[0], (ast.In, ast.NotIn)):
                return None
            # `":memory:" in url`: a substring test on the value at the right.
            subject, literals = test.comparators[0], literal_strings(test.left)
            operation = "contains" if isinstance(test.ops[0], ast.In) else "notcontains"
        elif _equality(test) is not None:
            subject, operation, literals = _equality(test)  # type: ignore[misc]
        else:
            presence = _presence(test)
            if presence is None:
                return None
            subject, operation, literals = presence[0], presence[1], ()
        if literals is None:
            return None
        if isinstance(subject, ast.Attribute):
            name = self._subject_name(subject)
            param = self.attribute_param(name, getattr(test, "lineno", 0)) if name else None
            if param is None or (param in self.transforms and self.transforms[param]):
                return None
            return (param, operation, literals, ())
        if not isinstance(subject, ast.Name):
            return None
        if subject.id in self.aliases and operation in VALUE_TESTS | NEGATED_VALUE_TESTS:
            param, may_be, transforms = self.aliases[subject.id]
            return (param, operation, literals, ((("may_be", may_be),) if may_be else ()) + transforms)
        if subject.id not in self.transforms:
            # Rebound later (`if isinstance(callback, str): callback = wrap(callback)`): the test still
            # sees the argument, unless a loop brings it back round after the rebinding.
            later = self._first_store.get(subject.id, 0) > getattr(test, "lineno", 0)
            if subject.id in self._declared and later and not self._loops:
                return (subject.id, operation, literals, ())
            return None
        return (subject.id, operation, literals, tuple(self.transforms[subject.id]))

    def _walk(self, body: Sequence[ast.stmt], active: Tuple[Guard, ...]) -> None:
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(statement, ast.If):
                inner = _capped(active + self._guards_of(statement.test))
                self._record_test(statement.test, active)
                before = dict(self.aliases)
                self._walk(statement.body, inner)
                after_body, self.aliases = self.aliases, before
                negated = self._negated(statement.test)
                # `else:` (and `elif`) runs only when the test failed.
                self._walk(statement.orelse, _capped(active + (negated,)) if negated is not None else active)
                self.aliases = _merged(after_body, self.aliases)
                if not statement.orelse and statement.body and isinstance(statement.body[-1], _EXITS):
                    # `if config is None: raise ...`: what follows runs only when the test failed.
                    if negated is not None:
                        active = _capped(active + (negated,))
                continue
            blocks = [getattr(statement, name, None) for name in ("body", "orelse", "finalbody", "handlers")]
            if _MATCH is not None and isinstance(statement, _MATCH):
                blocks = [case.body for case in statement.cases]
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                self._track_none_local(statement, active)
            headers = [child for child in ast.iter_child_nodes(statement) if not isinstance(child, _NOT_HEADERS)]
            self._track_aliases(statement, headers)
            for header in headers:
                self._record(header, active)
            loop = isinstance(statement, (ast.For, ast.AsyncFor, ast.While))
            self._loops += loop
            for block in blocks:
                if not block:
                    continue
                for item in block:
                    if isinstance(item, ast.ExceptHandler):
                        self._walk(item.body, active)
                if isinstance(block[0], ast.stmt):
                    self._walk(block, active)
            self._loops -= loop

    def _negated(self, test: ast.AST) -> Optional[Guard]:
        guard = None if _is_hasattr(test) else self._guard(test)
        if guard is None or guard[1] not in _NEGATION:
            return None
        return (guard[0], _NEGATION[guard[1]], guard[2], guard[3])

    def _track_aliases(self, statement: ast.stmt, headers: Sequence[ast.AST]) -> None:
        """Follow, in statement order, which locals still stand for a parameter on this path."""
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name):
            name, value = statement.targets[0].id, statement.value
            derived = _derivation(value)
            if derived is not None and name not in self.params and id(statement) in self._top_level:
                param = derived[0]
                if param in self._declared and self._first_store.get(param, statement.lineno + 1) > statement.lineno:
                    self.aliases[name] = (param, (), derived[1])
                    return
            if name in self.aliases and isinstance(value, ast.Constant) and isinstance(value.value, str):
                param, may_be, transforms = self.aliases[name]
                self.aliases[name] = (param, may_be + (value.value,), transforms)
                return
        if not self.aliases:
            return
        for node in own_nodes(headers):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                self.aliases.pop(node.id, None)

    def _track_none_local(self, statement: ast.Assign, active: Tuple[Guard, ...]) -> None:
        target = statement.targets[0]
        if not isinstance(target, ast.Name) or target.id not in self._none_candidates:
            return
        if isinstance(statement.value, ast.Constant) and statement.value.value is None:
            if not active:
                self._none_locals[target.id] = []  # from here on it is None unless set under a guard
            return
        if target.id not in self._none_locals:
            return
        seen = self._none_locals[target.id]
        if seen is not None:
            if active:
                seen.append(frozenset(active))
            else:
                self._none_locals[target.id] = None  # set unconditionally: tests on it prove nothing

    def _record_test(self, test: ast.AST, active: Tuple[Guard, ...]) -> None:
        """`if a and f():` -- `f()` runs only once `a` held."""
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            before: Tuple[Guard, ...] = ()
            for value in test.values:
                self._record(value, _capped(active + before))
                before += self._guards_of(value)
            return
        self._record(test, active)

    def _record(self, node: ast.AST, active: Tuple[Guard, ...]) -> None:
        if not active:
            return
        for child in own_nodes([node]):
            if isinstance(child, ast.Call):
                self._by_position[(child.lineno, child.col_offset)] = active

    def for_call(self, row: int, col: int) -> Tuple[Guard, ...]:
        return self._by_position.get((row, col), ())


def passed_values(call: ast.Call, guards: GuardFinder) -> Tuple[Tuple[str, str, str], ...]:
    """(slot, kind, value) for each argument: "literal" (a string), "constant" (a number or bool, as its
    repr), "param" (the caller's own parameter, unchanged), "typed" (one annotated with a built-in type
    other than str, as "name:type": a type test is decided by the annotation, any other test is carried
    up to the caller's callers), "type" (a built-in type other than str, from the argument's form) or
    "other". A `*args`/`**kwargs` argument is recorded as slot "*": any slot may be filled."""
    found: List[Tuple[str, str, str]] = []

    def value(slot: str, node: ast.AST) -> None:
        attribute = guards._subject_name(node) if isinstance(node, ast.Attribute) else None
        param = guards.attribute_param(attribute, call.lineno) if attribute else None
        if param is not None and not guards.transforms.get(param):
            found.append((slot, "param", param))
        elif literal_value(node) is not None:
            found.append((slot, *literal_value(node)))  # type: ignore[arg-type]
        elif isinstance(node, ast.Name) and node.id in guards.transforms and not guards.transforms[node.id]:
            annotated = guards.annotated.get(node.id)
            found.append((slot, "typed", f"{node.id}:{annotated}") if annotated else (slot, "param", node.id))
        else:
            known = value_type(node)
            found.append((slot, "type", known) if known else (slot, "other", ""))

    if guards._subject_name(call.func) is not None and isinstance(call.func, ast.Attribute):
        # `self.process()`: the callee's "self.x" are the caller's, or the parameters they were set from.
        found.append(("self", "param", "self"))
        for name, (param, row) in guards.attribute_params.items():
            if row < call.lineno and not guards.transforms.get(param):
                found.append((name, "param", param))
    for position, argument in enumerate(call.args):
        if isinstance(argument, ast.Starred):
            found.append(("*", "other", ""))
            break  # positions after a *args are unknown
        value(str(position), argument)
    for keyword in call.keywords:
        if keyword.arg is None:
            found.append(("*", "other", ""))
        else:
            value(keyword.arg, keyword.value)
    return tuple(found)


def literal_value(node: Optional[ast.AST]) -> Optional[Tuple[str, str]]:
    """What a literal passes, as `passed_values` records it: ("literal", text) for a string, ("constant",
    its repr) for a bool or number, ("type", "NoneType") for None; None for anything else."""
    if not isinstance(node, ast.Constant):
        return None
    if isinstance(node.value, str):
        return ("literal", node.value)
    if isinstance(node.value, (bool, int, float)):
        return ("constant", repr(node.value))
    return ("type", "NoneType") if node.value is None else None


def holds(guard: Guard, value: str) -> bool:
    """Whether the test is true of this string, after the function's own rebinding of the parameter."""
    _, operation, literals, transforms = guard
    if operation == "isinstance":
        return is_instance("str", literals)
    if operation in PRESENCE_TESTS:
        return _presence_holds(operation, None if transforms else value)
    current: object = value
    for method, arguments in transforms:
        if method == "may_be":
            if any(_value_test(operation, literals, other) for other in arguments):
                return True  # the local may hold one of these literals instead
            continue
        try:
            current = current[arguments[0]] if method == "getitem" else getattr(current, method)(*arguments)  # type: ignore[index]
        except (TypeError, ValueError, AttributeError, IndexError):
            return True  # unsure: assume it may hold
    return _value_test(operation, literals, current)


def contradictory(guards: Iterable[Guard]) -> bool:
    """Whether two of the guards cannot hold together: a test and its negation on the same value."""
    seen = set(guards)
    return any(
        (name, other, literals if other in _NEGATION and operation in _NEGATION else (), transforms) in seen
        for name, operation, literals, transforms in seen
        for other in _EXCLUDED.get(operation, ())
    )


def constant_holds(guard: Guard, text: str) -> bool:
    """Whether the test is true of a number or bool constant (its repr); True when a transform makes it
    unsure."""
    _, operation, literals, transforms = guard
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return True  # `1e400` is recorded as "inf", which is no literal: unsure
    if transforms:
        return True
    if operation == "isinstance":
        return is_instance(type(value).__name__, literals)
    if operation in PRESENCE_TESTS:
        return {"truthy": bool(value), "falsy": not value, "notnone": True, "isnone": False}[operation]
    return operation in NEGATED_VALUE_TESTS  # `== "w"` / `.startswith(...)`: a number is no string


def _value_test(operation: str, literals: Tuple[str, ...], value: object) -> bool:
    if not isinstance(value, str):
        return True  # unsure
    if operation in NEGATED_VALUE_TESTS:
        return not _value_test(operation[len("not") :], literals, value)
    if operation == "startswith":
        return value.startswith(literals)
    if operation == "contains":
        return any(literal in value for literal in literals)
    return value in literals


def presence_of_type(operation: str, type_name: str) -> bool:
    """`if p:` / `if p is not None:` ... for a value of this built-in type (True when unsure)."""
    if type_name == "NoneType":
        return operation in ("falsy", "isnone")
    return operation != "isnone" if operation in ("notnone", "isnone") else True


def _merged(first: Dict, second: Dict) -> Dict:
    """Aliases after an `if`: those standing on both paths, with the literals set on either."""
    merged = {}
    for name, (param, may_be, transforms) in first.items():
        other = second.get(name)
        if other is not None and other[0] == param and other[2] == transforms:
            merged[name] = (param, tuple(dict.fromkeys(may_be + other[1])), transforms)
    return merged


def _presence_holds(operation: str, value: Optional[str]) -> bool:
    if value is None:
        return True  # after a transform: unsure
    truthy = bool(value)
    return {"truthy": truthy, "falsy": not truthy, "notnone": True, "isnone": False}[operation]


def _presence(test: ast.AST) -> Optional[Tuple[ast.AST, str]]:
    """`p` / `not p` / `p is not None` / `p is None` -> (p, operation)."""
    if isinstance(test, (ast.Name, ast.Attribute)):
        return test, "truthy"
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not) and isinstance(test.operand, (ast.Name, ast.Attribute)):
        return test.operand, "falsy"
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.comparators[0], ast.Constant):
        if test.comparators[0].value is None and isinstance(test.ops[0], (ast.Is, ast.IsNot)):
            return test.left, "notnone" if isinstance(test.ops[0], ast.IsNot) else "isnone"
    return None


def _equality(test: ast.AST) -> Optional[Tuple[ast.AST, str, Tuple[str, ...]]]:
    """`x == "a"`, `x in ("a", "b")` and their negations -> (x, "equals" / "notequals", the literals); None
    for any other test, or one against anything but string literals (one of them for `==`)."""
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], _EQUALITY)):
        return None
    literals = literal_strings(test.comparators[0])
    if literals is None or (isinstance(test.ops[0], (ast.Eq, ast.NotEq)) and len(literals) != 1):
        return None
    return test.left, "equals" if isinstance(test.ops[0], (ast.Eq, ast.In)) else "notequals", literals


def _capped(guards: Tuple[Guard, ...]) -> Tuple[Guard, ...]:
    """At most _MAX_GUARDS of the guards, the parameters' first: a switch's test never displaces the test
    of a value a caller passes (which rules paths out), in the order they were made."""
    if len(guards) <= _MAX_GUARDS:
        return guards
    kept = [guard for guard in guards if not is_switch(guard[0])][:_MAX_GUARDS]
    kept += [guard for guard in guards if is_switch(guard[0])][: _MAX_GUARDS - len(kept)]
    return tuple(guard for guard in guards if guard in kept)


def _called_presence(test: ast.AST) -> Optional[Tuple[ast.AST, str]]:
    """`is_debug()` / `not is_debug()` / `os.getenv("X")` -> (the call, "truthy" / "falsy"): a test of what a
    call returns, which only a switch can name (switches.py)."""
    negated = isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)
    subject = test.operand if negated else test  # type: ignore[attr-defined]
    if isinstance(subject, (ast.Call, ast.Subscript)):
        return subject, "falsy" if negated else "truthy"
    return None


def _is_hasattr(test: ast.AST) -> bool:
    return (
        isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "hasattr"
        and len(test.args) == 2 and not test.keywords and isinstance(test.args[1], ast.Constant)
    )


def _tested_name(test: ast.AST) -> Optional[str]:
    """The local a test proves is set: `if x:` / `if x is not None:`."""
    found = _presence(test)
    if found is not None and isinstance(found[0], ast.Name) and found[1] in ("truthy", "notnone"):
        return found[0].id
    return None


_DERIVING = _STRING_METHODS | {"split", "rsplit", "partition", "rpartition"}


def _derivation(node: ast.AST) -> Optional[Tuple[str, Tuple[Transform, ...]]]:
    """`model.split("/", 1)[0]` -> ("model", (("split", ("/", 1)), ("getitem", (0,))))."""
    steps: List[Transform] = []
    while True:
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and type(node.slice.value) is int:
            steps.append(("getitem", (node.slice.value,)))
            node = node.value
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in _DERIVING
            and not node.keywords
            and all(isinstance(a, ast.Constant) and type(a.value) in (str, int) for a in node.args)
        ):
            steps.append((node.func.attr, tuple(a.value for a in node.args)))  # type: ignore[attr-defined]
            node = node.func.value
        else:
            break
    if isinstance(node, ast.Name) and steps:
        return node.id, tuple(reversed(steps))
    return None


def own_nodes(nodes: Iterable[ast.AST]) -> Iterator[ast.AST]:
    """Nodes of this function's own code: not inside nested defs, lambdas or classes."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.append(child)
