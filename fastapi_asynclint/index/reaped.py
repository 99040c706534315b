"""Waits on a process the function has just killed: they return at once.

    process.kill()
    process.wait(timeout=2)     # collects the exit status of a process SIGKILL has ended

`Popen.kill()` sends SIGKILL, which a process can neither catch nor ignore, so a later `wait()` or
`communicate()` on the same process, in the same block or nested in a later statement of it, only reaps
it. `terminate()` sends SIGTERM, which a process may handle slowly or ignore: a wait after it can block
and stays reported, as does one after the process name is bound again.
"""

from __future__ import annotations

import ast
from typing import AbstractSet, Optional, Set, Tuple

from fastapi_asynclint.index.guards import own_nodes
from fastapi_asynclint.index.once import statement_blocks

_REAPING = frozenset({"wait", "communicate"})


def reaping_calls(function: ast.AST) -> Set[Tuple[int, int]]:
    """(row, column) of the waits in `function` on a process an earlier statement of their block killed."""
    found: Set[Tuple[int, int]] = set()
    for body in statement_blocks(function):
        killed: Set[str] = set()
        for statement in body:
            nodes = list(own_nodes([statement])) if killed else []
            killed -= {ast.unparse(node) for node in nodes if isinstance(getattr(node, "ctx", None), ast.Store)}
            found |= {
                (node.lineno, node.col_offset) for node in nodes if _receiver(node, _REAPING) in killed
            }
            receiver = _receiver(statement.value, {"kill"}) if isinstance(statement, ast.Expr) else None
            if receiver is not None:
                killed.add(receiver)
    return found


def _receiver(node: ast.AST, methods: AbstractSet[str]) -> Optional[str]:
    """The receiver, as written, of a call of one of `methods` (`self.process` of `self.process.kill()`)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods:
        return ast.unparse(node.func.value)
    return None
