"""The grammar of targets, the dotted strings in which summaries (summary.py) and rules (semantic.py) name
what an expression holds, and which the project index resolves (project.py).

A target is a dotted name followed by markers:
- `()`: the value returned by calling it (`httpx.Client().get` is the `get` method of a client);
- `[]`: an item of it (`STORES[kind]`, `STORES.get(kind)`, the variable of `for store in STORES`);
- `[*]`: a container whose items all hold the target before it (`{"a": Store(), "b": Store()}` is
  `app.Store()[*]`, and so is a parameter annotated `dict[str, Store]`).
An item of a container is what the container holds: `Store()[*][]` is `Store()`.
"""

from __future__ import annotations

from typing import List, Optional, Sequence

CALL = "()"
ITEM = "[]"
ITEMS = "[*]"
MARKERS = (CALL, ITEM, ITEMS)
# Methods that hand back one item of a container (`STORES.get(kind)`, `queue.pop()`).
ITEM_METHODS = frozenset({"get", "pop", "setdefault", "popitem", "__getitem__"})
# Container types whose annotation names the type of their items: (type argument that does, or -1: the last).
CONTAINER_TYPES = {
    **{
        name: 0
        for name in (
            "builtins.list", "builtins.set", "builtins.frozenset", "builtins.tuple", "typing.List", "typing.Set",
            "typing.FrozenSet", "typing.Tuple", "typing.Sequence", "typing.MutableSequence", "typing.Iterable",
            "typing.Iterator", "typing.Collection", "typing.Deque", "collections.deque",
            "collections.abc.Sequence", "collections.abc.MutableSequence", "collections.abc.Iterable",
            "collections.abc.Iterator", "collections.abc.Collection",
        )
    },
    **{
        name: -1
        for name in (
            "builtins.dict", "typing.Dict", "typing.Mapping", "typing.MutableMapping", "typing.DefaultDict",
            "typing.OrderedDict", "collections.defaultdict", "collections.OrderedDict", "collections.abc.Mapping",
            "collections.abc.MutableMapping",
        )
    },
}


def split_target(target: str) -> List[str]:
    """`httpx.Client().get` -> ["httpx", "Client", "()", "get"]."""
    for marker in MARKERS:
        target = target.replace(marker, "." + marker)
    return target.split(".")


def first_marker(tokens: Sequence[str]) -> int:
    """The position of the first marker (len(tokens) when there is none): where the dotted name ends."""
    return next((position for position, token in enumerate(tokens) if token in MARKERS), len(tokens))


def items_of(targets: Sequence[Optional[str]]) -> Optional[str]:
    """The target of a container holding values of these targets: all known and the same, else None."""
    if not targets or any(target is None for target in targets) or len(set(targets)) != 1:
        return None
    return f"{targets[0]}{ITEMS}"


def collapse(tokens: Sequence[str]) -> List[str]:
    """Take items of containers: `[*]` then `[]`, or `[*]` then an item method's call, is the item."""
    found: List[str] = []
    position = 0
    while position < len(tokens):
        token = tokens[position]
        following = tokens[position + 1 : position + 3]
        if token == ITEMS and following[:1] == [ITEM]:
            position += 2
            continue
        if token == ITEMS and len(following) == 2 and following[0] in ITEM_METHODS and following[1] == CALL:
            position += 3
            continue
        found.append(token)
        position += 1
    return found
