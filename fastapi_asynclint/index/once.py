"""Calls a function makes only once per process: those that fill a cache slot the function keeps.

    def get_client():                       def load_model(name):
        global _client                          if name not in _models:
        if _client is None:                         _models[name] = SentenceTransformer(name)
            _client = boto3.client("s3")        return _models[name]
        return _client

The blocking call runs the first time only; every later call returns what the slot holds. Such calls do
not make their function blocking for the index (project.py), as calls of a function decorated with
`functools.lru_cache` do not. A slot lives as long as the process: a module global the function declares
`global`, a module-level container it indexes (`_models[name]`), or an attribute of `cls` or of a class
(not of `self`: an instance may be made per request), or a local bound once to what a function of the
module hands out when all it returns is a module global (`cache = _get_cache()`, SlotGetters); it is filled when
the branch that tests it also assigns it: `if X is None:` / `if not X:` / `if key not in X:` /
`if X.get(key) is None:` around the assignment, or an early `return` when it is already filled
(`if X is not None: return X`) before it. A branch that only calls a loader when a private or constant
module global is empty (`if not _translations: _load_translations()`) is taken to fill it too.
"""

from __future__ import annotations

import ast
from typing import Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

from fastapi_asynclint.index.guards import own_nodes

# How a slot is named: ("name", "_client"), ("attr", "self._instance"), ("item", "_models").
Slot = Tuple[str, str]


def once_calls(
    function: ast.AST, nodes: Sequence[ast.AST], hands_out_global: Callable[[str], bool] = lambda name: False
) -> Set[Tuple[int, int]]:
    """(row, column) of the calls in `function` that fill a cache slot; `nodes` are the function's own
    nodes (not those of nested definitions); `hands_out_global` tells the module's functions that hand out
    a module global (SlotGetters)."""
    declared = {name for node in nodes if isinstance(node, ast.Global) for name in node.names}
    stores = [node.id for node in nodes if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)]
    local = set(stores) - declared
    got = {
        name
        for name, value in _assigned(nodes)
        if _bare_call(value) and stores.count(name) == 1 and hands_out_global(value.func.id)  # type: ignore[attr-defined]
    }
    found: Set[Tuple[int, int]] = set()
    for body in statement_blocks(function):
        found |= _in_block(body, _Names(declared, local, got))
    return found


class SlotGetters:
    """Which of a module's functions hand out a module global: every `return` returns one (`return
    _cache`), so what a local bound to their result holds lives as long as the process. Asked by name, and
    read only when asked: most modules never bind a local to what such a call returns."""

    def __init__(self, tree: ast.Module) -> None:
        self._tree = tree
        self._functions: Optional[Dict[str, ast.AST]] = None
        self._module_names: Set[str] = set()
        self._known: Dict[str, bool] = {}

    def __call__(self, name: str) -> bool:
        found = self._known.get(name)
        if found is None:
            if self._functions is None:
                body = self._tree.body
                self._functions = {s.name: s for s in body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef))}
                self._module_names = {assigned for assigned, _ in _assigned(body)}
            function = self._functions.get(name)
            found = self._known[name] = function is not None and self._hands_out_global(function)
        return found

    def _hands_out_global(self, function: ast.AST) -> bool:
        nodes = list(own_nodes(function.body))  # type: ignore[attr-defined]
        declared = {name for node in nodes if isinstance(node, ast.Global) for name in node.names}
        local = {node.id for node in nodes if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)} - declared
        returned = [node.value for node in nodes if isinstance(node, ast.Return)]
        return bool(returned) and all(
            isinstance(value, ast.Name) and (value.id in declared or (value.id in self._module_names and value.id not in local))
            for value in returned
        )


def _assigned(nodes: Iterable[ast.AST]) -> Iterator[Tuple[str, ast.AST]]:
    for node in nodes:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            yield node.targets[0].id, node.value
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value is not None:
            yield node.target.id, node.value


def _bare_call(value: ast.AST) -> bool:
    """`_get_cache()`: a call of a plain name without arguments."""
    return isinstance(value, ast.Call) and isinstance(value.func, ast.Name) and not value.args and not value.keywords


class _Names:
    """The function's module globals (declared), its locals, which no slot can be, and the locals bound
    once to what a slot getter hands out (`cache = _get_cache()`), which can."""

    def __init__(self, declared: Set[str], local: Set[str], got: Set[str]) -> None:
        self.declared = declared
        self.local = local - got


def statement_blocks(function: ast.AST) -> Iterator[List[ast.stmt]]:
    """Every statement list of the function (its body and the blocks inside it), nested defs aside."""
    stack: List[List[ast.stmt]] = [getattr(function, "body", [])]
    while stack:
        body = stack.pop()
        yield body
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                continue
            stack.extend(child_blocks(statement))
            for handler in getattr(statement, "handlers", ()):
                stack.append(handler.body)


def child_blocks(node: ast.AST) -> List[List[ast.stmt]]:
    """The statement lists a node holds directly: its `body`, `orelse` and `finalbody` (not its handlers)."""
    blocks = (getattr(node, field, None) for field in ("body", "orelse", "finalbody"))
    return [block for block in blocks if isinstance(block, list) and block and isinstance(block[0], ast.stmt)]


def _in_block(body: Sequence[ast.stmt], declared: "_Names") -> Set[Tuple[int, int]]:
    found: Set[Tuple[int, int]] = set()
    for position, statement in enumerate(body):
        if not isinstance(statement, ast.If):
            continue
        empty = _slot(statement.test, declared, filled=False)
        if empty is not None and assigns(statement.body, empty):
            found |= calls_in(statement.body)
        elif _tests_private_global(statement.test, declared) and _only_calls(statement.body):
            found |= calls_in(statement.body)  # `if not _translations: _load_translations()`
        full = _slot(statement.test, declared, filled=True)
        rest = body[position + 1 :]
        if full is not None and returns(statement.body) and assigns(rest, full):
            found |= calls_in(rest)
    return found


def _slot(test: ast.AST, declared: "_Names", filled: bool) -> Optional[Slot]:
    """The slot `test` finds empty (filled=False) or filled (filled=True), if it tests one."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return None if filled else _named(test.operand, declared)
    if not filled and isinstance(test, ast.Compare) and len(test.ops) == 1:
        operation, right = test.ops[0], test.comparators[0]
        if isinstance(operation, ast.Is) and _is_none(right):
            return _named(test.left, declared) or _got(test.left, declared)
        if isinstance(operation, ast.NotIn):
            return _container(right, declared)
    if filled and isinstance(test, ast.Compare) and len(test.ops) == 1:
        operation, right = test.ops[0], test.comparators[0]
        if isinstance(operation, ast.IsNot) and _is_none(right):
            return _named(test.left, declared)
        if isinstance(operation, ast.In):
            return _container(right, declared)
    if filled:
        return _named(test, declared)
    return None


def _tests_private_global(test: ast.AST, names: "_Names") -> bool:
    """`not _cache` / `_cache is None` on a module global the function only reads, named as a private or
    constant slot (`_cache`, `MODEL`): the loader the branch calls fills it."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        subject = test.operand
    elif isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is) and _is_none(test.comparators[0]):
        subject = test.left
    else:
        return False
    if not isinstance(subject, ast.Name) or subject.id in names.local or subject.id in names.declared:
        return False
    return subject.id.startswith("_") or subject.id.isupper()


def _only_calls(body: Sequence[ast.stmt]) -> bool:
    return bool(body) and all(isinstance(statement, ast.Expr) and isinstance(statement.value, (ast.Call, ast.Await)) for statement in body)


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _named(node: ast.AST, names: "_Names") -> Optional[Slot]:
    if isinstance(node, ast.Name) and node.id in names.declared:
        return ("name", node.id)
    dotted = _dotted(node)
    if dotted is not None and "." in dotted and _lasting(dotted, names):
        return ("attr", dotted)
    return None


def _lasting(dotted: str, names: "_Names") -> bool:
    """Whether `a.b` is held by something that lives as long as the process: `cls`, a class, a module name."""
    base = dotted.split(".", 1)[0]
    return base == "cls" or (base != "self" and base not in names.local and base[:1].isupper())


def _got(node: ast.AST, declared: "_Names") -> Optional[Slot]:
    """`X.get(key)`: the slot of the container X."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
        return _container(node.func.value, declared)
    return None


def _container(node: ast.AST, names: "_Names") -> Optional[Slot]:
    dotted = _dotted(node)
    if dotted is None:
        return None
    base = dotted.split(".", 1)[0]
    lasting = base not in names.local and base != "self" if "." not in dotted else _lasting(dotted, names)
    return ("item", dotted) if lasting else None


def _dotted(node: ast.AST) -> Optional[str]:
    parts: List[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def assigns(body: Sequence[ast.stmt], slot: Slot) -> bool:
    kind, name = slot
    for node in own_nodes(body):
        if isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if kind == "item" and isinstance(target, ast.Subscript) and _dotted(target.value) == name:
                    return True
                if kind != "item" and _dotted(target) == name:
                    return True
        if kind == "item" and isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in ("setdefault", "update", "__setitem__") and _dotted(node.func.value) == name:
                return True
    return False


def returns(body: Sequence[ast.stmt]) -> bool:
    return bool(body) and isinstance(body[-1], ast.Return)


def calls_in(body: Sequence[ast.stmt]) -> Set[Tuple[int, int]]:
    return {(node.lineno, node.col_offset) for node in own_nodes(body) if isinstance(node, ast.Call)}
