"""Calls a method makes only while its instance's cache is empty or stale, when the constructor fills it.

    class Store:                                   class Engine:
        def __init__(self):                            def __post_init__(self):
            self._columns = None                           self._refresh()          # clears the flag
            self.columns()     # fills the slot
                                                       def _refresh(self):
        def columns(self):                                 self.profile = load_profile()
            if self._columns is None:                      self._dirty = False
                self._columns = inspect(...)
            return self._columns                       def _ensure(self):
                                                           if not self._dirty:
                                                               return
                                                           self._refresh()

A cache kept on `self` is not a once-per-process slot (once.py): an instance may be made per request. But
when the class's constructor fills it (it calls the method that fills it, or a method that clears the
stale flag), a later call finds it filled: the blocking work ran in the constructor, where a per-request
construction is reported. The calls such a method makes while the cache is empty or stale then count as
made once (Call.once). Two shapes are read: a test that the slot is empty around its assignment (`if
self._x is None:` / `if not self._x:`), or an early `return` while it is filled or fresh (`if self._x is
not None: return self._x` followed by its assignment; `if not self._dirty: return`, part of an `and` too,
followed by a call of a method that sets `self._dirty = False`). A flag the method neither clears nor
has cleared is a switch (`if not self._enabled: return`), not a cache, and keeps its calls; so is one the
constructor only starts at False (`self._started = False`).

Within one method, a memo (a method whose every call waits on an empty slot) called after an earlier
statement has called a method that fills its slot finds it filled (`refilled_calls`): in
`self._require_owner(); for row in rows: if self._owner_exists(): ...` only the first call can block. So
does a private coroutine that the class calls only after such a statement (`self._require_owner();
await self._upsert(rows)`), unless the class also hands it on without calling it.
"""

from __future__ import annotations

import ast
from typing import Dict, Iterable, List, Mapping, Optional, Set, Tuple, Union

from fastapi_asynclint.index.guards import own_nodes
from fastapi_asynclint.index.once import assigns, calls_in, child_blocks, returns, statement_blocks

# A call's position, and the slot it waits on: (attribute, "value" when an assignment fills it, "false"
# when setting the flag to False does).
Position = Tuple[int, int]
Slot = Tuple[str, str]
MethodNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]
CONSTRUCTORS = ("__init__", "__post_init__")


def class_methods(klass: ast.ClassDef) -> Dict[str, MethodNode]:
    """The class's own methods that take a receiver, by name."""
    return {
        stmt.name: stmt for stmt in klass.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.args.args
    }


def primed_calls(klass: ast.ClassDef) -> Dict[str, Set[Position]]:
    """Method name -> the positions of its calls that run only while a cache slot its constructor fills
    is empty or stale."""
    methods = class_methods(klass)
    constructors = [methods[name] for name in CONSTRUCTORS if name in methods]
    filled = _primed_slots(constructors, methods) if constructors else set()
    if not filled:
        return {}
    attributes = {attribute for attribute, _ in filled}
    waiting = {name: found for name, method in methods.items() if (found := _waiting_calls(method, methods, attributes))}
    return {
        name: {position for position, slot in found.items() if slot in filled}
        for name, found in waiting.items()
    }


def _waiting_calls(method: MethodNode, methods: Mapping[str, MethodNode], attributes: Set[str]) -> Dict[Position, Slot]:
    """The method's calls that wait on a slot, of those `attributes` only (the ones the constructor sets)."""
    receiver = method.args.args[0].arg
    found: Dict[Position, Slot] = {}
    for body in statement_blocks(method):
        for position, statement in enumerate(body):
            if not isinstance(statement, ast.If) or statement.orelse:
                continue
            empty = _empty(statement.test, receiver)
            if empty in attributes and assigns(statement.body, ("attr", f"{receiver}.{empty}")):
                found.update(dict.fromkeys(calls_in(statement.body), (empty, "value")))
            if not returns(statement.body):
                continue
            rest = body[position + 1 :]
            for attribute, fill in _fresh(statement.test, receiver):
                if attribute not in attributes:
                    continue
                if fill == "value" and assigns(rest, ("attr", f"{receiver}.{attribute}")):
                    found.update(dict.fromkeys(calls_in(rest), (attribute, fill)))
                elif fill == "false" and (attribute, "false") in _fills([method, *_self_calls(rest, receiver, methods)]):
                    found.update(dict.fromkeys(calls_in(rest), (attribute, fill)))
    return found


def _attribute(node: ast.AST, receiver: str) -> Optional[str]:
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == receiver:
        return node.attr
    return None


def _empty(test: ast.AST, receiver: str) -> Optional[str]:
    """`self._x is None` / `not self._x`: the attribute found empty."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _attribute(test.operand, receiver)
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.Is):
        right = test.comparators[0]
        if isinstance(right, ast.Constant) and right.value is None:
            return _attribute(test.left, receiver)
    return None


def _fresh(test: ast.AST, receiver: str) -> List[Slot]:
    """What an early return's test says is fresh: `self._x is not None` / `self._x` (filled), `not
    self._dirty` (a stale flag cleared); each conjunct of an `and`."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.And):
        return [slot for value in test.values for slot in _fresh(value, receiver)]
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        flag = _attribute(test.operand, receiver)
        return [(flag, "false")] if flag else []
    if isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], ast.IsNot):
        right = test.comparators[0]
        slot = _attribute(test.left, receiver) if isinstance(right, ast.Constant) and right.value is None else None
        return [(slot, "value")] if slot else []
    slot = _attribute(test, receiver)
    return [(slot, "value")] if slot else []


def _self_calls(nodes: Iterable[ast.AST], receiver: str, methods: Mapping[str, MethodNode]) -> List[MethodNode]:
    """The class's methods that these statements call on the receiver (`self._refresh()`)."""
    return [
        methods[node.func.attr]
        for node in own_nodes(list(nodes))
        if isinstance(node, ast.Call) and _attribute(node.func, receiver) in methods
    ]


def _primed_slots(constructors: List[MethodNode], methods: Mapping[str, MethodNode]) -> Set[Slot]:
    """The slots the constructors fill: what they assign a value to, and what the methods they call on the
    new instance fill. A flag the constructor itself sets to False (`self._started = False`) is where a
    switch starts, not a refresh that has run."""
    called = [method for constructor in constructors for method in _self_calls(constructor.body, constructor.args.args[0].arg, methods)]
    return {slot for slot in _fills(constructors) if slot[1] == "value"} | _fills(called)


def _fills(methods: Iterable[MethodNode]) -> Set[Slot]:
    """(attribute, how) for what these methods set on their instance: "false" for `self._dirty = False`,
    "value" for what a call returns or a true constant. A parameter or an empty container may leave the
    slot empty (`self._client = client`, None by default), so it fills nothing."""
    found: Set[Slot] = set()
    for method in methods:
        receiver = method.args.args[0].arg
        for node in own_nodes(method.body):
            if not isinstance(node, (ast.Assign, ast.AnnAssign)) or node.value is None:
                continue
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            value = node.value
            if isinstance(value, ast.Await):
                value = value.value
            if isinstance(value, ast.Constant):
                fill = "false" if value.value is False else "value" if value.value else None
            else:
                fill = "value" if isinstance(value, ast.Call) else None
            for target in targets:
                attribute = _attribute(target, receiver)
                if attribute is not None and fill is not None:
                    found.add((attribute, fill))
    return found


def refilled_calls(klass: ast.ClassDef, called: Mapping[str, Set[str]]) -> Dict[str, Set[Position]]:
    """Method name -> the positions of its calls of a memo (a method whose every call waits on an empty
    slot of its instance, `if self._columns is None: self._columns = inspect(...)`) made after an earlier
    statement of the same method has called a method that fills the memo's slot: by then the slot is
    filled. A call in a branch or a handler counts only for what follows it in that block. A private
    coroutine (`_upsert`) that the class only calls after such a statement starts with the slot filled.
    Only coroutines are walked (`called`: coroutine name -> the names of the class's methods it calls on
    its instance): a sync method whose first call blocks blocks whatever its later calls do."""
    methods = class_methods(klass)
    candidates = {name for names in called.values() for name in names if isinstance(methods.get(name), ast.FunctionDef)}
    memos = {name: slots for name in candidates if (slots := _memo_slots(methods[name], methods))}
    if not memos:
        return {}
    direct = {name for name, names in called.items() if names & set(memos) and isinstance(methods.get(name), ast.AsyncFunctionDef)}
    private = {name for name in direct if name.startswith("_") and not name.startswith("__")}
    callers = {name for name, names in called.items() if names & private and isinstance(methods.get(name), ast.AsyncFunctionDef)}
    walk = _FillingWalk(methods, memos)
    for name in sorted(direct | callers):
        walk.method(methods[name])
    for name in sorted(private - walk.referenced):
        entries = walk.entries.get(name)
        if entries:
            walk.method(methods[name], set.intersection(*entries))
    return walk.found


def _memo_slots(method: MethodNode, methods: Mapping[str, MethodNode]) -> Set[Slot]:
    """The slots a memo waits on, or nothing when the method makes a call outside such a wait."""
    receiver = method.args.args[0].arg
    if not any(isinstance(node, ast.If) and _empty(node.test, receiver) for body in statement_blocks(method) for node in body):
        return set()
    attributes = {attribute for attribute, _ in _fills([method])}
    waiting = _waiting_calls(method, methods, attributes)
    return set(waiting.values()) if waiting and calls_in(method.body) <= set(waiting) else set()


_HEADERS = {ast.If: ("test",), ast.While: ("test",), ast.For: ("iter",), ast.AsyncFor: ("iter",)}


class _FillingWalk:
    """Walks a method's statements in order, keeping the slots the calls so far have filled."""

    def __init__(self, methods: Mapping[str, MethodNode], memos: Mapping[str, Set[Slot]]) -> None:
        self.methods, self.memos = methods, memos
        self.found: Dict[str, Set[Position]] = {}
        # Coroutine name -> what was filled at each of its calls; names used other than by a call.
        self.entries: Dict[str, List[Set[Slot]]] = {}
        self.referenced: Set[str] = set()
        self._fills: Dict[str, Set[Slot]] = {}  # method name -> what calling it fills

    def method(self, method: MethodNode, filled: Iterable[Slot] = ()) -> None:
        positions: Set[Position] = set()
        self._block(method.body, set(filled), method.args.args[0].arg, positions)
        if positions:
            self.found.setdefault(method.name, set()).update(positions)

    def _block(self, body: List[ast.stmt], filled: Set[Slot], receiver: str, found: Set[Position]) -> None:
        filled = set(filled)
        for statement in body:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                continue
            blocks = child_blocks(statement) + [handler.body for handler in getattr(statement, "handlers", ())]
            if isinstance(statement, (ast.With, ast.AsyncWith)):
                heads: List[ast.AST] = [item.context_expr for item in statement.items]
            elif blocks:
                heads = [getattr(statement, field) for field in _HEADERS.get(type(statement), ())]
            else:
                heads = [statement]
            nodes = list(own_nodes(heads))
            names = [
                (node, attribute) for node in nodes
                if isinstance(node, ast.Call) and (attribute := _attribute(node.func, receiver)) in self.methods
            ]
            callees = {id(call.func) for call, _ in names}
            self.referenced.update(
                attribute for node in nodes
                if isinstance(node, ast.Attribute) and id(node) not in callees and (attribute := _attribute(node, receiver)) in self.methods
            )
            for call, name in names:
                if name in self.memos and self.memos[name] <= filled:
                    found.add((call.lineno, call.col_offset))
                if isinstance(self.methods[name], ast.AsyncFunctionDef):
                    self.entries.setdefault(name, []).append(set(filled))
            for block in blocks:
                self._block(block, filled, receiver, found)
            if not blocks:
                for _, name in names:
                    filled |= self._filled_by(name)

    def _filled_by(self, name: str) -> Set[Slot]:
        """What a call of the method fills, with the methods it calls on its instance in turn."""
        if name not in self._fills:
            pending, seen = [self.methods[name]], {}
            while pending:
                method = pending.pop()
                if method.name not in seen:
                    seen[method.name] = method
                    pending += _self_calls(method.body, method.args.args[0].arg, self.methods)
            self._fills[name] = _fills(seen.values())
        return self._fills[name]
