"""Conditions on a function's own parameters under which a call in it runs.

`get_secret(name)` may open a file, but only `if name.startswith("oidc/")`; called as
`get_secret("OPENAI_API_KEY")` it never does. The summary records, for each call, the tests on the
enclosing function's parameters that dominate it (the `if` bodies it sits in), and for each call what it
passes: string literals, the caller's own parameters, or something else. The project index carries a guard
up to a caller that forwards its own parameter (`get_secret_str(name) -> get_secret(name)`) and otherwise
counts the guarded path only when the value is known to pass the test: a string literal that passes it,
or an omitted argument whose string default does. Such a test selects one value out of many (a mode, a
scheme, a prefix), so a value the linter cannot see (`get_secret(config.api_key)`) is taken not to select
the blocking branch: reporting every mode a helper supports is what made `get_secret` look blocking from
hundreds of call sites (docs/real-world.md).

Only tests whose outcome is certain from a string are kept: `p.startswith(...)`, `p == "..."`,
`p in ("...", ...)`, joined by `and`. A parameter rebound by anything but a string method with literal
arguments (`p = p.replace("os.environ/", "")`, applied before the test) has no guards.

`isinstance(p, T)` is kept too, but it is a test of type, not a value selection: it rules a path out only
when the argument's built-in type is known and is not a `T` (`calculate_duration(base64.b64decode(data))`
never takes the `isinstance(file, os.PathLike)` branch that opens a file); an unknown argument may pass it.
Any other test (`if p:`) is treated as "may hold".
"""

from __future__ import annotations

import ast
from typing import Dict, Iterable, List, Optional, Sequence, Set, Tuple

# (parameter, operation, literals, transforms): `transforms` are string methods applied to the value first.
Guard = Tuple[str, str, Tuple[str, ...], Tuple[Tuple[str, Tuple[str, ...]], ...]]

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
    if isinstance(node, ast.Call):
        name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", None)
        if name in BYTES_CALLS:
            return "bytes"
    return None


def is_instance(type_name: str, names: Tuple[str, ...]) -> bool:
    """Whether a value of built-in type `type_name` passes `isinstance(value, names)` (True when unsure)."""
    if "object" in names or any(name not in KNOWN_TYPES for name in names):
        return True
    return type_name in names or (type_name == "bool" and "int" in names)


def _literal_strings(node: ast.AST) -> Optional[Tuple[str, ...]]:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        values = [element.value for element in node.elts if isinstance(element, ast.Constant)]
        if len(values) == len(node.elts) and all(isinstance(value, str) for value in values):
            return tuple(values)
    return None


class GuardFinder:
    """The guards of every call in one function body (nested defs and lambdas excluded)."""

    def __init__(self, function: ast.AST) -> None:
        arguments = function.args  # type: ignore[attr-defined]
        names = [a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)]
        self.transforms: Dict[str, List[Tuple[str, Tuple[str, ...]]]] = {name: [] for name in names}
        # Parameters annotated with a built-in type other than str (`body: bytes`): passed on as that type.
        self.annotated: Dict[str, str] = {
            a.arg: a.annotation.id
            for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)
            if isinstance(a.annotation, ast.Name) and a.annotation.id in KNOWN_TYPES and a.annotation.id != "str"
        }
        self._scan_rebinding(function)
        self.params: Set[str] = set(self.transforms)
        self._by_position: Dict[Tuple[int, int], Tuple[Guard, ...]] = {}
        self.any_guard = False
        self._walk(function.body, ())  # type: ignore[attr-defined]

    # ------------------------------------------------------------------ parameters
    def _scan_rebinding(self, function: ast.AST) -> None:
        for node in _own(function.body):  # type: ignore[attr-defined]
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

    # ------------------------------------------------------------------ tests
    def _guards_of(self, test: ast.AST) -> Tuple[Guard, ...]:
        if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
            return tuple(guard for value in test.values for guard in self._guards_of(value))
        guard = self._guard(test)
        return (guard,) if guard is not None else ()

    def _guard(self, test: ast.AST) -> Optional[Guard]:
        if isinstance(test, ast.Call) and isinstance(test.func, ast.Name) and test.func.id == "isinstance":
            if len(test.args) != 2 or test.keywords:
                return None
            subject, operation, literals = test.args[0], "isinstance", _type_names(test.args[1])
            if isinstance(subject, ast.Name) and self.transforms.get(subject.id):
                return None  # rebound to a string first
        elif isinstance(test, ast.Call) and isinstance(test.func, ast.Attribute) and test.func.attr == "startswith":
            subject, operation = test.func.value, "startswith"
            literals = _literal_strings(test.args[0]) if len(test.args) == 1 and not test.keywords else None
        elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.Eq, ast.In)):
            subject, operation = test.left, "equals"
            literals = _literal_strings(test.comparators[0])
            if isinstance(test.ops[0], ast.Eq) and literals is not None and len(literals) != 1:
                return None
        else:
            return None
        if literals is None or not isinstance(subject, ast.Name) or subject.id not in self.transforms:
            return None
        transforms = tuple(self.transforms[subject.id])
        return (subject.id, operation, literals, transforms)

    def _walk(self, body: Sequence[ast.stmt], active: Tuple[Guard, ...]) -> None:
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            if isinstance(statement, ast.If):
                inner = (active + self._guards_of(statement.test))[:_MAX_GUARDS]
                self.any_guard = self.any_guard or inner != active
                self._record(statement.test, active)
                self._walk(statement.body, inner)
                self._walk(statement.orelse, active)
                continue
            blocks = [getattr(statement, name, None) for name in ("body", "orelse", "finalbody", "handlers")]
            if _MATCH is not None and isinstance(statement, _MATCH):
                blocks = [case.body for case in statement.cases]
            headers = [child for child in ast.iter_child_nodes(statement) if not isinstance(child, _NOT_HEADERS)]
            for header in headers:
                self._record(header, active)
            for block in blocks:
                if not block:
                    continue
                for item in block:
                    if isinstance(item, ast.ExceptHandler):
                        self._walk(item.body, active)
                if isinstance(block[0], ast.stmt):
                    self._walk(block, active)

    def _record(self, node: ast.AST, active: Tuple[Guard, ...]) -> None:
        if not active:
            return
        for child in _own([node]):
            if isinstance(child, ast.Call):
                self._by_position[(child.lineno, child.col_offset)] = active

    def for_call(self, row: int, col: int) -> Tuple[Guard, ...]:
        return self._by_position.get((row, col), ())


def passed_values(call: ast.Call, guards: GuardFinder) -> Tuple[Tuple[str, str, str], ...]:
    """(slot, kind, value) for each argument: "literal" (a string), "param" (the caller's own parameter,
    unchanged), "type" (a built-in type other than str, from the argument's form or the parameter's
    annotation) or "other". A `*args`/`**kwargs` argument is recorded as slot "*": any slot may be filled."""
    found: List[Tuple[str, str, str]] = []

    def value(slot: str, node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append((slot, "literal", node.value))
        elif isinstance(node, ast.Name) and node.id in guards.transforms and not guards.transforms[node.id]:
            annotated = guards.annotated.get(node.id)
            found.append((slot, "type", annotated) if annotated else (slot, "param", node.id))
        else:
            known = value_type(node)
            found.append((slot, "type", known) if known else (slot, "other", ""))

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


def holds(guard: Guard, value: str) -> bool:
    """Whether the test is true of this string, after the function's own rebinding of the parameter."""
    _, operation, literals, transforms = guard
    if operation == "isinstance":
        return is_instance("str", literals)
    for method, arguments in transforms:
        try:
            value = getattr(value, method)(*arguments)
        except (TypeError, ValueError, AttributeError):
            return True  # unsure: assume it may hold
    if operation == "startswith":
        return value.startswith(literals)
    return value in literals


def _own(nodes: Iterable[ast.AST]):
    """Nodes of this function's own code: not inside nested defs, lambdas or classes."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.append(child)
