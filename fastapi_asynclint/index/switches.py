"""Tests on how the process was deployed: environment variables, and functions that read one.

`if os.getenv("PROMPTRACE_DIR"): commit_trace(...)` runs only where the deployment sets PROMPTRACE_DIR: a
debug dump, a feature flag, a choice of backend. The linter cannot know which deployments set it, so a
blocking call under such a test is still reported, but as one that may block "(when environment variable
`PROMPTRACE_DIR` is set)". The test is a guard (guards.py) whose subject is not a parameter but a *switch*:
no caller decides it, so it is carried up every hop of the chain to the coroutine, where the finding
names it, and a test and its negation on one switch rule a path out as they do on a parameter.

A switch is named `env:NAME` or `call:TARGET`:
* an environment read: `os.getenv("X")`, `os.environ.get("X")`, `os.environ["X"]`, `"X" in os.environ`,
  with the name as a literal or a module-level string constant, through string methods, `bool()`/`int()`/
  `str()`/`Path()` and `or "default"`; a local bound once to one (`dump_dir = os.environ.get(X)`); a
  module-level name bound once to one (`DUMP_DIR = os.getenv("X")`);
* a call without arguments of a function that reads one (`is_promptrace_enabled()`, whose `return` values
  all derive from an environment read: Function.environment), also through a local bound once to it.
  The summary cannot see the function's body, so it records the call's target and the project index keeps
  the guard only when the function it resolves to reads the environment.

Each guard also records the switch's value where the deployment sets nothing (the read's default, None
without one; a function's result counts as None), so a test that holds there (`os.getenv("STORAGE",
"local") == "local"`, `if not os.getenv("NO_DUMP"):`) is not named: the branch is the default one. A
function counts as a switch only when its result is falsy without the variable (`os.getenv("DEBUG",
"false") == "true"` is; `os.getenv("AUTH", "true") != "false"` is not).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from typing import Callable, Dict, List, Mapping, Optional, Tuple

ENVIRONMENT_PREFIX = "env:"
CALL_PREFIX = "call:"
_READ_CALLS = frozenset({"os.getenv", "os.environ.get", "os.getenvb", "os.environb.get"})
_MAPPINGS = frozenset({"os.environ", "os.environb"})
_CONVERSIONS = frozenset({"builtins.bool", "builtins.int", "builtins.str", "builtins.float", "pathlib.Path"})
# The last names those can be spelled with, tested before the name is resolved (most calls are neither).
_READ_NAMES = frozenset({"getenv", "get", "getenvb"})
_MAPPING_NAMES = frozenset({"environ", "environb"})
_CONVERSION_NAMES = frozenset({"bool", "int", "str", "float", "Path"})

Target = Callable[[ast.AST], Optional[str]]


def is_switch(name: str) -> bool:
    """Whether a guard's subject is a switch rather than a parameter."""
    return name.startswith((ENVIRONMENT_PREFIX, CALL_PREFIX))


def call_target(name: str) -> Optional[str]:
    """The target of a `call:` switch (the function to ask whether it reads the environment)."""
    return name[len(CALL_PREFIX):] if name.startswith(CALL_PREFIX) else None


def describe_switch(guard: Tuple[str, str, Tuple[str, ...], tuple]) -> Optional[str]:
    """`environment variable `X` is set`, `` `is_debug()` is true``, ... ("" for a test that holds by
    default, None for a parameter's guard)."""
    name, operation, literals, _ = guard
    if is_switch(name) and runs_by_default(guard):
        return ""
    if name.startswith(ENVIRONMENT_PREFIX):
        subject = f"environment variable `{name[len(ENVIRONMENT_PREFIX):]}`"
        presence = {"truthy": "is set", "notnone": "is set", "falsy": "is not set", "isnone": "is not set"}
    elif name.startswith(CALL_PREFIX):
        subject = f"`{name.rsplit('.', 1)[-1]}()`"
        presence = {"truthy": "is true", "notnone": "is not None", "falsy": "is false", "isnone": "is None"}
    else:
        return None
    if operation in presence:
        return f"{subject} {presence[operation]}"
    verbs = {
        "startswith": "starts with", "equals": "is", "contains": "contains",
        "notstartswith": "does not start with", "notequals": "is not", "notcontains": "does not contain",
    }
    joined = (" nor " if operation.startswith("not") else " or ").join(map(repr, literals))
    return f"{subject} {verbs.get(operation, 'is')} {joined}"


@dataclass(frozen=True)
class Switch:
    """A switch a test reads: its name (`env:X` / `call:T`) and, for an environment variable, the value the
    read gives where the deployment does not set it (None; a literal default, after the string methods
    applied to it; or UNKNOWN for a default the linter cannot read)."""

    name: str
    default: Optional[str] = None


UNKNOWN = "\0unknown"
_DEFAULT_METHODS = {"lower": str.lower, "upper": str.upper, "strip": str.strip, "casefold": str.casefold}


class Switches:
    """What one module's code can test as a switch: its string constants (names of variables) and the
    module-level names it binds once to an environment read."""

    def __init__(self, tree: ast.Module, target: Target) -> None:
        self._target = target
        assigned: Dict[str, int] = {}
        values: Dict[str, ast.AST] = {}
        for statement in tree.body:
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
                if isinstance(statement.targets[0], ast.Name):
                    name = statement.targets[0].id
                    assigned[name] = assigned.get(name, 0) + 1
                    values[name] = statement.value
        self.constants = {
            name: value.value
            for name, value in values.items()
            if assigned[name] == 1 and isinstance(value, ast.Constant) and isinstance(value.value, str)
        }
        self.module_reads: Dict[str, Switch] = {}
        for name, value in values.items():
            read = self.environment_read(value) if assigned[name] == 1 else None
            if read is not None:
                self.module_reads[name] = read

    def environment_read(self, node: ast.AST) -> Optional[Switch]:
        """The variable an expression reads the value of (unwrapped from conversions, string methods and
        `or "default"`), with its default."""
        node, methods, fallback = self._unwrapped(node)
        if isinstance(node, ast.Call) and node.args and _last_name(node.func) in _READ_NAMES:
            name = self._variable_name(node.args[0]) if self._target(node.func) in _READ_CALLS else None
            given = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "default"), None)
            default = _default(given if given is not None else fallback, methods)
        elif isinstance(node, ast.Subscript) and _last_name(node.value) in _MAPPING_NAMES:
            name = self._variable_name(node.slice) if self._target(node.value) in _MAPPINGS else None
            default = _default(fallback, methods)
        else:
            return None
        return Switch(ENVIRONMENT_PREFIX + name, default) if name is not None else None

    def subject(self, node: ast.AST, locals_: Mapping[str, Switch], is_local: Callable[[str], bool]) -> Optional[Switch]:
        """The switch a test's subject is, given the function's locals bound once to one (`locals_`) and
        which names are the function's own (`is_local`)."""
        bare, _, _ = self._unwrapped(node)
        if isinstance(bare, ast.Name):
            if bare.id in locals_:
                return locals_[bare.id]
            return None if is_local(bare.id) else self.module_reads.get(bare.id)
        read = self.environment_read(node)
        if read is not None:
            return read
        if isinstance(bare, ast.Call) and not bare.args and not bare.keywords:
            target = self._target(bare.func)
            return Switch(CALL_PREFIX + target) if target else None
        return None

    def membership(self, test: ast.Compare) -> Optional[str]:
        """`"X" in os.environ` -> "X"."""
        if len(test.ops) == 1 and isinstance(test.ops[0], (ast.In, ast.NotIn)):
            mapping = test.comparators[0]
            if _last_name(mapping) in _MAPPING_NAMES and self._target(mapping) in _MAPPINGS:
                return self._variable_name(test.left)
        return None

    def environment(self, node: ast.AST, locals_: Mapping[str, Switch]) -> Optional[str]:
        """The variable a `return` value is computed from when the value is falsy where the deployment does
        not set it (`not is_none_or_empty(os.getenv("X"))`; `os.getenv("X", "false") == "true"`), so that a
        test of the function's result is a switch turned on by setting it; None otherwise."""
        read = self._derived(node, locals_)
        if read is None:
            return None
        if read.default is not None and read.default != "":
            # Set by default: only a value computed from the default that is falsy makes it a switch.
            if self._on_default(node, read, locals_) in (None, True):
                return None
        return read.name[len(ENVIRONMENT_PREFIX):]

    def _derived(self, node: ast.AST, locals_: Mapping[str, Switch]) -> Optional[Switch]:
        """The environment read a value is computed from (`Path(root) if root else None` for `root` read
        from one)."""
        read = self.environment_read(node)
        if read is not None:
            return read
        node, _, _ = self._unwrapped(node)
        if isinstance(node, ast.Name):
            switch = locals_.get(node.id)
            return switch if switch is not None and switch.name.startswith(ENVIRONMENT_PREFIX) else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            return self._derived(node.operand, locals_)
        if isinstance(node, ast.Compare):
            membership = self.membership(node)
            if membership is not None:
                return Switch(ENVIRONMENT_PREFIX + membership)
            if all(isinstance(other, (ast.Constant, ast.Tuple, ast.List, ast.Set)) for other in node.comparators):
                return self._derived(node.left, locals_)
        if isinstance(node, ast.IfExp):
            return self._derived(node.body, locals_) or self._derived(node.test, locals_)
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
            return self._derived(node.args[0], locals_)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and not node.keywords:
            return self._derived(node.func.value, locals_)  # `Path(root).expanduser()`
        return None

    def _on_default(self, node: ast.AST, read: Switch, locals_: Mapping[str, Switch]) -> Optional[bool]:
        """Whether a value computed from `read` is truthy when the variable is not set (None: unsure)."""
        if self._derived(node, locals_) != read or read.default == UNKNOWN:
            return None
        if self.environment_read(node) is not None or isinstance(node, ast.Name):
            return bool(read.default)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self._on_default(node.operand, read, locals_)
            return None if inner is None else not inner
        if isinstance(node, ast.Compare) and len(node.ops) == 1 and self.environment_read(node.left) == read:
            literals = _literals(node.comparators[0])
            if literals is not None and isinstance(node.ops[0], (ast.Eq, ast.In)):
                return read.default in literals
            if literals is not None and isinstance(node.ops[0], (ast.NotEq, ast.NotIn)):
                return read.default not in literals
        return None

    def _unwrapped(self, node: ast.AST) -> Tuple[ast.AST, Tuple[str, ...], Optional[ast.AST]]:
        """The read under conversions, string methods (their names, innermost first) and `or` (its
        fallback)."""
        methods: List[str] = []
        fallback = None
        while True:
            if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
                node, fallback = node.values  # `os.getenv("X") or ""`
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and self._is_read_chain(node.func.value):
                methods.append(node.func.attr if not node.args and not node.keywords else "")
                node = node.func.value  # `os.getenv("X", "").lower()`
            elif isinstance(node, ast.Call) and len(node.args) == 1 and _last_name(node.func) in _CONVERSION_NAMES and (
                self._target(node.func) in _CONVERSIONS
            ):
                node = node.args[0]
            else:
                return node, tuple(reversed(methods)), fallback

    def _is_read_chain(self, node: ast.AST) -> bool:
        while isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if self.environment_read(node) is not None:
                return True
            node = node.func.value
        return isinstance(node, ast.Subscript) and self.environment_read(node) is not None

    def _variable_name(self, node: ast.AST) -> Optional[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name):
            return self.constants.get(node.id)
        return None


def default_transform(switch: Switch) -> Tuple[Tuple[str, Tuple[Optional[str]]], ...]:
    """What a switch's guard records of it (as guards.py's transforms): the value it has where the deployment
    sets nothing (a function's result: None)."""
    return (("default", (switch.default,)),)


def runs_by_default(guard: tuple) -> bool:
    """Whether a switch's test holds where the deployment sets nothing: the branch runs as written, and the
    finding need not name it (a test and its negation still rule each other out)."""
    name, operation, literals, transforms = guard
    default = dict(transforms).get("default", (None,))[0]
    return holds_on_default(default, operation, literals)


def unconditional(guards) -> bool:
    """Whether guards say nothing a finding should name: none, or only switches' tests that hold where the
    deployment sets nothing."""
    return all(is_switch(guard[0]) and runs_by_default(guard) for guard in guards)


def holds_on_default(value: Optional[str], operation: str, literals: Tuple[str, ...]) -> bool:
    """Whether a test holds of a switch's default (True when the default is not known: the branch may be
    the default one)."""
    if value == UNKNOWN:
        return True
    if operation in ("truthy", "falsy"):
        return bool(value) == (operation == "truthy")
    if operation in ("notnone", "isnone"):
        return (value is not None) == (operation == "notnone")
    if operation in ("equals", "notequals"):
        return (value in literals) == (operation == "equals")
    return True


def _default(node: Optional[ast.AST], methods: Tuple[str, ...]) -> Optional[str]:
    """A read's default as a string, after the string methods applied to the read (None: no default)."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
        return UNKNOWN
    value = node.value
    for method in methods:
        if method not in _DEFAULT_METHODS:
            return UNKNOWN
        value = _DEFAULT_METHODS[method](value)
    return value


def _literals(node: ast.AST) -> Optional[Tuple[str, ...]]:
    elements = node.elts if isinstance(node, (ast.Tuple, ast.List, ast.Set)) else [node]
    values = [element.value for element in elements if isinstance(element, ast.Constant) and isinstance(element.value, str)]
    return tuple(values) if len(values) == len(elements) else None


def _last_name(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None
