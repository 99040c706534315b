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
import re
from dataclasses import dataclass
from typing import Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple

ENVIRONMENT_PREFIX = "env:"
CALL_PREFIX = "call:"
_READ_CALLS = frozenset({"os.getenv", "os.environ.get", "os.getenvb", "os.environb.get"})
_MAPPINGS = frozenset({"os.environ", "os.environb"})
# What a conversion makes of the default (None: it is always truthy, as `Path("")` is).
_CONVERSIONS: Dict[str, Optional[Callable[[object], object]]] = {
    "builtins.bool": bool, "builtins.str": str, "builtins.int": int, "builtins.float": float, "pathlib.Path": None,
}
# The last names those can be spelled with, tested before the name is resolved (most calls are neither).
_READ_NAMES = frozenset({"getenv", "get", "getenvb"})
_MAPPING_NAMES = frozenset({"environ", "environb"})
_CONVERSION_NAMES = frozenset({"bool", "int", "str", "float", "Path"})
_STRING_METHODS = {
    "lower": str.lower, "upper": str.upper, "strip": str.strip, "lstrip": str.lstrip, "rstrip": str.rstrip,
    "casefold": str.casefold, "title": str.title,
}
# Methods whose result depends on the value alone (a function's result computed through them is still the
# variable's): string methods, and the path methods that read no file system.
_PURE_METHODS = frozenset(_STRING_METHODS) | {
    "split", "rsplit", "replace", "startswith", "endswith", "removeprefix", "removesuffix", "encode", "decode",
    "expanduser", "absolute", "joinpath", "with_suffix", "with_name", "as_posix",
}
# Calls whose result depends on the state of the machine, not on the value they are given alone
# (`os.path.exists(os.getenv("CACHE"))`): a function returning one is no switch.
_STATE_CALLS = ("os.", "pathlib.", "shutil.", "glob.", "io.", "socket.", "subprocess.", "tempfile.", "builtins.open")
# `is_none_or_empty(value)`, `is_blank(value)`: true of a variable that is not set.
_EMPTINESS_TEST = re.compile(r"^(is_?)?(((none|null)_or_)?(empty|blank)|none|null)$")
# Calls that change the environment: a function that makes one reads values it may have set itself.
_WRITES = frozenset({"putenv", "unsetenv"})
_MAPPING_WRITES = frozenset({"update", "setdefault", "pop", "popitem", "clear", "__setitem__", "__delitem__"})

Target = Callable[[ast.AST], Optional[str]]
# A guard as guards.py records it: (subject, operation, literals, transforms).
GuardTuple = Tuple[str, str, Tuple[str, ...], tuple]


class _Unknown:
    """A value the linter cannot work out (a default it cannot read, a conversion that would fail)."""

    def __repr__(self) -> str:
        return "UNKNOWN"

    def __reduce__(self) -> str:
        return "UNKNOWN"  # one object, also after a summary is unpickled


UNKNOWN = _Unknown()


@dataclass(frozen=True)
class Switch:
    """A switch a test reads: its name (`env:X` / `call:T`) and the value the test sees where the
    deployment sets nothing (None; a read's literal default after the conversions and string methods
    applied to it; UNKNOWN). A function's result counts as None there: only one falsy without its variable
    is a switch (Function.environment)."""

    name: str
    default: object = None


def is_switch(name: str) -> bool:
    """Whether a guard's subject is a switch rather than a parameter."""
    return name.startswith((ENVIRONMENT_PREFIX, CALL_PREFIX))


def call_target(name: str) -> Optional[str]:
    """The target of a `call:` switch (the function to ask whether it reads the environment)."""
    return name[len(CALL_PREFIX):] if name.startswith(CALL_PREFIX) else None


def default_transform(switch: Switch) -> Tuple[Tuple[str, Tuple[object]], ...]:
    """What a switch's guard records of it (as guards.py's transforms): its value where nothing is set."""
    return (("default", (switch.default,)),)


def runs_by_default(guard: GuardTuple) -> bool:
    """Whether a switch's test holds where the deployment sets nothing: the branch runs as written, and the
    finding need not name it (a test and its negation still rule each other out)."""
    _, operation, literals, transforms = guard
    default = dict(transforms).get("default", (None,))[0]
    return holds_on_default(default, operation, literals)


def unconditional(guards: Iterable[GuardTuple]) -> bool:
    """Whether guards say nothing a finding should name: none, or only switches' tests that hold where the
    deployment sets nothing."""
    return all(is_switch(guard[0]) and runs_by_default(guard) for guard in guards)


def holds_on_default(value: object, operation: str, literals: Tuple[str, ...]) -> bool:
    """Whether a test holds of a switch's value where nothing is set (True when that value is UNKNOWN, or
    the test is one this does not decide: the branch may be the default one)."""
    if value is UNKNOWN:
        return True
    if operation in ("truthy", "falsy"):
        return bool(value) == (operation == "truthy")
    if operation in ("notnone", "isnone"):
        return (value is not None) == (operation == "notnone")
    if operation in ("equals", "notequals"):
        return (value in literals) == (operation == "equals")
    return True


def described_subject(name: str) -> Optional[Tuple[str, Mapping[str, str]]]:
    """How a finding names a switch (`environment variable `X``, `` `is_debug()` ``) and what it says of
    its presence tests ("is set", "is true", ...); None for a parameter."""
    if name.startswith(ENVIRONMENT_PREFIX):
        presence = {"truthy": "is set", "notnone": "is set", "falsy": "is not set", "isnone": "is not set"}
        return f"environment variable `{name[len(ENVIRONMENT_PREFIX):]}`", presence
    if name.startswith(CALL_PREFIX):
        presence = {"truthy": "is true", "notnone": "is not None", "falsy": "is false", "isnone": "is None"}
        return f"`{_shown_call(name[len(CALL_PREFIX):])}()`", presence
    return None


def _shown_call(target: str) -> str:
    """`app.settings.Flags.enabled` -> `Flags.enabled`, `app.debug.is_on` -> `is_on`."""
    parts = target.split(".")
    return ".".join(parts[-2:]) if len(parts) > 1 and parts[-2][:1].isupper() else parts[-1]


def writes_environment(nodes: Iterable[ast.AST]) -> bool:
    """Whether code changes the environment (`os.environ[k] = v`, `.update(...)`, `os.putenv`): its tests
    of a variable may see what it set itself, not what the deployment set."""
    for node in nodes:
        if isinstance(node, ast.Subscript) and not isinstance(node.ctx, ast.Load):
            if _last_name(node.value) in _MAPPING_NAMES:
                return True
        elif isinstance(node, ast.Call):
            name = _last_name(node.func)
            if name in _WRITES:
                return True
            if name in _MAPPING_WRITES and isinstance(node.func, ast.Attribute) and _last_name(node.func.value) in _MAPPING_NAMES:
                return True
    return False


class Switches:
    """What one module's code can test as a switch: environment reads (when the module imports `os`), the
    module-level names it binds once to one, and calls without arguments."""

    def __init__(self, tree: ast.Module, target: Target, bindings: Mapping[str, str]) -> None:
        self._target = target
        self._tree = tree
        # Without `os` (or a name from it) imported, the module cannot read the environment as written.
        self.reads_environment = any(value == "os" or value.startswith("os.") for value in bindings.values())
        self._stores: Optional[Dict[str, int]] = None
        self.constants: Dict[str, str] = {}
        self.module_reads: Dict[str, Switch] = {}
        if not self.reads_environment:
            return
        candidates = [
            (statement.targets[0].id, statement.value)  # type: ignore[attr-defined]
            for statement in tree.body
            if isinstance(statement, ast.Assign) and len(statement.targets) == 1 and isinstance(statement.targets[0], ast.Name)
        ]
        for name, value in candidates:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                self.constants[name] = value.value
        for name, value in candidates:
            read = self.environment_read(value)  # first: the module-wide count of bindings is read only then
            if read is not None and self._bound_once(name):
                self.module_reads[name] = read

    # ---------------------------------------------------------------- reads
    def environment_read(self, node: ast.AST) -> Optional[Switch]:
        """The variable an expression reads (through conversions, string methods and `or "default"`),
        with the value the expression has where the variable is not set."""
        if not self.reads_environment:
            return None
        steps: List[Tuple[str, str]] = []  # outermost first
        fallback: Optional[Tuple[ast.AST, int]] = None  # the `or` operand, and how many steps lie outside it
        read = self._raw_read(node)
        while read is None:
            step = self._step(node)
            if step is None:
                return None
            node, kind, name = step
            if kind == "or" and fallback is None:
                fallback = (name, len(steps))  # type: ignore[assignment]
            elif kind != "or":
                steps.append((kind, name))  # type: ignore[arg-type]
            read = self._raw_read(node)
        variable, value = read
        if variable is None:
            return None
        if fallback is None:
            return Switch(ENVIRONMENT_PREFIX + variable, _applied(value, steps))
        inner = _applied(value, steps[fallback[1]:])
        if inner is not UNKNOWN and not inner:
            inner = _literal(fallback[0])  # `os.getenv("X") or "default"`
        return Switch(ENVIRONMENT_PREFIX + variable, _applied(inner, steps[: fallback[1]]))

    def _step(self, node: ast.AST) -> Optional[Tuple[ast.AST, str, object]]:
        """One layer over a read: (what it wraps, "or" / "convert" / "method", the `or` operand or the
        conversion's target or the method's name); None when the expression is none of these."""
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or) and len(node.values) == 2:
            return node.values[0], "or", node.values[1]
        if not isinstance(node, ast.Call):
            return None
        if len(node.args) == 1 and not node.keywords and _last_name(node.func) in _CONVERSION_NAMES:
            target = self._target(node.func)
            if target in _CONVERSIONS:
                return node.args[0], "convert", target
        if isinstance(node.func, ast.Attribute):
            return node.func.value, "method", node.func.attr if not node.args and not node.keywords else ""
        return None

    def _raw_read(self, node: ast.AST) -> Optional[Tuple[Optional[str], object]]:
        """(variable, its value where not set) for `os.getenv(X, d)` / `os.environ.get(X, d)` (the default
        given, or None); UNKNOWN for `os.environ[X]`, which raises there."""
        if isinstance(node, ast.Call) and node.args and _last_name(node.func) in _READ_NAMES:
            if self._target(node.func) not in _READ_CALLS:
                return None
            given = node.args[1] if len(node.args) > 1 else next((k.value for k in node.keywords if k.arg == "default"), None)
            return self._variable_name(node.args[0]), _literal(given)
        if isinstance(node, ast.Subscript) and _last_name(node.value) in _MAPPING_NAMES:
            if self._target(node.value) not in _MAPPINGS:
                return None
            return self._variable_name(node.slice), UNKNOWN
        return None

    def membership(self, test: ast.Compare) -> Optional[str]:
        """`"X" in os.environ` -> "X"."""
        if self.reads_environment and len(test.ops) == 1 and isinstance(test.ops[0], (ast.In, ast.NotIn)):
            mapping = test.comparators[0]
            if _last_name(mapping) in _MAPPING_NAMES and self._target(mapping) in _MAPPINGS:
                return self._variable_name(test.left)
        return None

    # ---------------------------------------------------------------- tests
    def subject(self, node: ast.AST, locals_: Mapping[str, Switch], is_local: Callable[[str], bool]) -> Optional[Switch]:
        """The switch a test's subject is, given the function's locals bound once to one (`locals_`) and
        which names are the function's own (`is_local`)."""
        if isinstance(node, ast.Name):
            if node.id in locals_:
                return locals_[node.id]
            return None if is_local(node.id) else self.module_reads.get(node.id)
        read = self.environment_read(node)
        if read is not None:
            return read
        if isinstance(node, ast.Call) and not node.args and not node.keywords and isinstance(node.func, (ast.Name, ast.Attribute)):
            target = self._target(node.func)
            if target and not target.startswith("builtins."):
                return Switch(CALL_PREFIX + target)
        return None

    # ---------------------------------------------------------------- functions that read one
    def result_variable(self, node: ast.AST, locals_: Mapping[str, Switch]) -> Optional[str]:
        """The variable a `return` value is computed from, when the value is falsy where the deployment does
        not set it (`not is_none_or_empty(os.getenv("X"))`, `os.getenv("X", "false") == "true"`): a test of
        the function's result is then a switch the deployment turns on. None otherwise (also when the
        value cannot be worked out: `strtobool(os.getenv("X", "false"))`)."""
        found = self._evaluated(node, locals_)
        if found is None or found[1] is UNKNOWN or found[1]:
            return None
        return found[0].name[len(ENVIRONMENT_PREFIX):]

    def _evaluated(self, node: ast.AST, locals_: Mapping[str, Switch]) -> Optional[Tuple[Switch, object]]:
        """The environment read a value is computed from, and the value where the variable is not set."""
        read = self.environment_read(node)
        if read is not None:
            return read, read.default
        if isinstance(node, ast.Name):
            switch = locals_.get(node.id)
            return (switch, switch.default) if switch is not None and switch.name.startswith(ENVIRONMENT_PREFIX) else None
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self._evaluated(node.operand, locals_)
            return (inner[0], UNKNOWN if inner[1] is UNKNOWN else not inner[1]) if inner else None
        if isinstance(node, ast.Compare) and len(node.ops) == 1:
            return self._compared(node, locals_)
        if isinstance(node, ast.IfExp):
            return self._chosen(node, locals_)
        if isinstance(node, ast.Call) and len(node.args) == 1 and not node.keywords:
            return self._passed(node, locals_)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _PURE_METHODS:
            inner = self._evaluated(node.func.value, locals_)  # `Path(root).expanduser()`
            return (inner[0], UNKNOWN) if inner else None
        return None

    def _compared(self, node: ast.Compare, locals_: Mapping[str, Switch]) -> Optional[Tuple[Switch, object]]:
        membership = self.membership(node)
        if membership is not None:
            return Switch(ENVIRONMENT_PREFIX + membership), isinstance(node.ops[0], ast.NotIn)
        inner = self._evaluated(node.left, locals_)
        if inner is None:
            return None
        switch, value = inner
        other, operation = node.comparators[0], node.ops[0]
        if value is UNKNOWN:
            return switch, UNKNOWN
        if isinstance(other, ast.Constant) and other.value is None and isinstance(operation, (ast.Is, ast.IsNot)):
            return switch, (value is None) == isinstance(operation, ast.Is)
        literals = literal_strings(other)
        if literals is not None and isinstance(operation, (ast.Eq, ast.In, ast.NotEq, ast.NotIn)):
            return switch, (value in literals) == isinstance(operation, (ast.Eq, ast.In))
        return switch, UNKNOWN

    def _chosen(self, node: ast.IfExp, locals_: Mapping[str, Switch]) -> Optional[Tuple[Switch, object]]:
        """`Path(root) if root else None`: the branch the test takes where nothing is set."""
        test = self._evaluated(node.test, locals_)
        if test is None:
            inner = self._evaluated(node.body, locals_) or self._evaluated(node.orelse, locals_)
            return (inner[0], UNKNOWN) if inner else None
        if test[1] is UNKNOWN:
            return test[0], UNKNOWN
        branch = node.body if test[1] else node.orelse
        if isinstance(branch, ast.Constant):
            return test[0], branch.value
        inner = self._evaluated(branch, locals_)
        return test[0], inner[1] if inner is not None and inner[0] == test[0] else UNKNOWN

    def _passed(self, node: ast.Call, locals_: Mapping[str, Switch]) -> Optional[Tuple[Switch, object]]:
        """A call given the value: an emptiness test (`is_none_or_empty`) is decided; one that reads the
        machine's state (`os.path.exists`) makes it no switch; any other, the value is not known."""
        inner = self._evaluated(node.args[0], locals_)
        if inner is None:
            return None
        name = _last_name(node.func) or ""
        if _EMPTINESS_TEST.match(name):
            return inner[0], UNKNOWN if inner[1] is UNKNOWN else inner[1] in (None, "")
        target = self._target(node.func) or ""
        return None if target.startswith(_STATE_CALLS) else (inner[0], UNKNOWN)

    # ---------------------------------------------------------------- names
    def _variable_name(self, node: ast.AST) -> Optional[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return node.value
        if isinstance(node, ast.Name) and node.id in self.constants and self._bound_once(node.id):
            return self.constants[node.id]
        return None

    def _bound_once(self, name: str) -> bool:
        """Whether the module binds `name` once (at module level: a function's `global` or a second
        assignment, import, loop or `with` target anywhere rules it out)."""
        if self._stores is None:
            self._stores = _bindings(self._tree)
        return self._stores.get(name, 0) == 1


def _bindings(tree: ast.Module) -> Dict[str, int]:
    """How often each name is bound anywhere in the module (a function's locals too: counting them keeps
    this one walk, and a name used for both is rare)."""
    counts: Dict[str, int] = {}
    for node in ast.walk(tree):
        names: Sequence[str] = ()
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names = (node.id,)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            names = tuple(node.names) * 2  # never bound once
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names = tuple((alias.asname or alias.name).split(".")[0] for alias in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names = (node.name,)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names = (node.name,)
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    return counts


def _literal(node: Optional[ast.AST]) -> object:
    """A default as written: None for none, the string, or UNKNOWN for anything else."""
    if node is None or (isinstance(node, ast.Constant) and node.value is None):
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return UNKNOWN


def _applied(value: object, steps: Sequence[Tuple[str, str]]) -> object:
    """The value after the steps (outermost first) applied to it; UNKNOWN where one would fail or is not
    known."""
    for kind, name in reversed(steps):
        if value is UNKNOWN:
            return UNKNOWN
        if kind == "method":
            method = _STRING_METHODS.get(name)
            if method is None or not isinstance(value, str):
                return UNKNOWN
            value = method(value)
        else:
            convert = _CONVERSIONS.get(name)
            if convert is None:
                return UNKNOWN
            try:
                value = convert(value)
            except (TypeError, ValueError):
                return UNKNOWN
    return value


def literal_strings(node: ast.AST) -> Optional[Tuple[str, ...]]:
    """`"a"` -> ("a",); `("a", "b")` (or a list or set of strings) -> ("a", "b"); None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return (node.value,)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        values = [element.value for element in node.elts if isinstance(element, ast.Constant)]
        if len(values) == len(node.elts) and all(isinstance(value, str) for value in values):
            return tuple(values)
    return None


def _last_name(node: ast.AST) -> Optional[str]:
    if isinstance(node, ast.Name):
        return node.id
    return node.attr if isinstance(node, ast.Attribute) else None
