"""Waits on a process the function has just killed: they return at once.

    process.kill()
    process.wait(timeout=2)     # collects the exit status of a process SIGKILL has ended

`Popen.kill()` sends SIGKILL, which a process can neither catch nor ignore, so a later `wait()` or
`communicate()` on the same process, in the same block or nested in a later statement of it, only reaps
it. `terminate()` sends SIGTERM, which a process may handle slowly or ignore: a wait after it can block
and stays reported, as does one after the process name is bound again.

So does a wait under a test that the process has already ended:

    if process.poll() is not None:      # or `process.returncode is not None`
        process.wait()                  # collects the status poll() has already seen

(or in the `else` of `if process.poll() is None:`), unless the block binds the process name again first.
"""

from __future__ import annotations

import ast
from typing import AbstractSet, List, Optional, Set, Tuple

from fastapi_asynclint.index.guards import own_nodes
from fastapi_asynclint.index.once import statement_blocks

REAPING = frozenset({"wait", "communicate"})


def reaping_calls(function: ast.AST) -> Set[Tuple[int, int]]:
    """(row, column) of the waits in `function` on a process an earlier statement of their block killed,
    or that a test around them has seen ended."""
    found: Set[Tuple[int, int]] = set()
    for body in statement_blocks(function):
        found |= _after_kill(body)
        for statement in body:
            if isinstance(statement, ast.If):
                ended, block = _ended(statement)
                if ended is not None:
                    found |= _waits_on(ended, block)
    return found


def _after_kill(body: List[ast.stmt]) -> Set[Tuple[int, int]]:
    """The waits in a block on a process one of its earlier statements killed."""
    found: Set[Tuple[int, int]] = set()
    killed: Set[str] = set()
    for statement in body:
        nodes = list(own_nodes([statement])) if killed else []
        killed -= _bound(nodes)
        found |= {(node.lineno, node.col_offset) for node in nodes if _receiver(node, REAPING) in killed}
        receiver = _receiver(statement.value, {"kill"}) if isinstance(statement, ast.Expr) else None
        if receiver is not None:
            killed.add(receiver)
    return found


def _ended(statement: ast.If) -> Tuple[Optional[str], List[ast.stmt]]:
    """The process an `if` tests as ended (`p.poll() is not None`, `p.returncode is not None`), and the
    block where it has: the body, or the `else` of the opposite test (`is None`)."""
    test = statement.test
    if not (
        isinstance(test, ast.Compare) and len(test.ops) == 1 and isinstance(test.ops[0], (ast.IsNot, ast.Is))
        and _is_none(test.comparators[0])
    ):
        return None, []
    subject = test.left
    if isinstance(subject, ast.Attribute) and subject.attr == "returncode":
        process: Optional[str] = ast.unparse(subject.value)
    else:
        process = _receiver(subject, {"poll"})
    return process, statement.body if isinstance(test.ops[0], ast.IsNot) else statement.orelse


def _waits_on(process: str, block: List[ast.stmt]) -> Set[Tuple[int, int]]:
    """The waits on `process` in `block`, up to a statement that binds its name again."""
    found: Set[Tuple[int, int]] = set()
    for statement in block:
        nodes = list(own_nodes([statement]))
        if process in _bound(nodes):
            break  # a statement that binds the name again may wait on the new process anywhere in it
        found |= {(node.lineno, node.col_offset) for node in nodes if _receiver(node, REAPING) == process}
    return found


def _bound(nodes: List[ast.AST]) -> Set[str]:
    """The names and attributes, as written, that these nodes bind (`proc = ...`, `for self.p in ...`)."""
    return {ast.unparse(node) for node in nodes if isinstance(getattr(node, "ctx", None), ast.Store)}


def _is_none(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and node.value is None


def _receiver(node: ast.AST, methods: AbstractSet[str]) -> Optional[str]:
    """The receiver, as written, of a call of one of `methods` (`self.process` of `self.process.kill()`)."""
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods:
        return ast.unparse(node.func.value)
    return None
