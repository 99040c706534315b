"""## What it does
Checks for asyncio queues created without a bound: `asyncio.Queue()`, `asyncio.LifoQueue()` and
`asyncio.PriorityQueue()` without `maxsize`, or with `maxsize` of zero or less, and anyio memory object
streams with an infinite buffer (`anyio.create_memory_object_stream(math.inf)`).

A queue its own code keeps bounded is not reported: one whose size the module orders against a limit
(`if self.jobs.qsize() >= LIMIT:`) or whose `full()` it tests, the admission check that decides whether
more is let in. A size only logged, or compared with zero, bounds nothing.

## Why is this bad?
An unbounded queue never pushes back: when producers (requests) outpace consumers (workers), the queue
grows until the process runs out of memory, and the latency of every queued item grows with it. A bound
makes `await queue.put()` wait, which propagates back-pressure to the callers.

## Example
```python
jobs: asyncio.Queue[Job] = asyncio.Queue()
```

## Use instead
```python
jobs: asyncio.Queue[Job] = asyncio.Queue(maxsize=1000)
```

## Fix safety
No fix: the right bound depends on the workload.
"""

from __future__ import annotations

import ast
import math
from typing import FrozenSet, Iterator, List, Optional, Set

from fastapi_asynclint.index.once import child_blocks
from fastapi_asynclint.index.summary import dotted
from fastapi_asynclint.libcst_on_use import cst, semantic
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._calls import UNKNOWN, CallRule, argument, has_star_arguments, literal

QUEUES = frozenset({"asyncio.Queue", "asyncio.LifoQueue", "asyncio.PriorityQueue", "asyncio.queues.Queue",
                    "asyncio.queues.LifoQueue", "asyncio.queues.PriorityQueue"})
STREAMS = frozenset({"anyio.create_memory_object_stream"})


_ADMITTED = "fal301-admission-checked-queues"
_SIZE_METHODS = frozenset({"qsize", "full"})
_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def _admitted(source: str) -> FrozenSet[str]:
    """The queues (`jobs`, `self.jobs`) the file admits into only after a size check: an `if` that orders
    `qsize()` against a limit or tests `full()` and puts into the queue in one of its branches, or leaves
    (`return`, `continue`, ...) before a put that follows it; or a `while` that waits on such a test. The
    whole file is read, not the focused text: the check is usually in another method than the
    construction."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return frozenset()
    found = set()
    for block in _blocks(tree):
        for position, statement in enumerate(block):
            if isinstance(statement, ast.While):
                found |= _size_tested(statement.test)
            elif isinstance(statement, ast.If):
                following = block[position + 1 :]
                found.update(queue for queue in _size_tested(statement.test) if _admits(statement, queue, following))
    return frozenset(found)


def _blocks(tree: ast.AST) -> Iterator[List[ast.stmt]]:
    for node in ast.walk(tree):
        yield from child_blocks(node)


def _size_tested(test: ast.AST) -> Set[str]:
    found = set()
    for node in ast.walk(test):
        if isinstance(node, ast.Compare) and _bounds(node):
            found.update(filter(None, (_sized_queue(call) for part in (node.left, *node.comparators) for call in ast.walk(part))))
        elif _sized_queue(node, "full") is not None:
            found.add(_sized_queue(node, "full"))
    return found


def _admits(branch: ast.If, queue: str, following: List[ast.stmt]) -> bool:
    """Whether the `if` decides what enters the queue: a branch puts into it, or its body leaves before
    a put that follows."""
    if _puts([*branch.body, *branch.orelse], queue):
        return True
    leaves = any(isinstance(node, _EXITS) for statement in branch.body for node in ast.walk(statement))
    return leaves and _puts(following, queue)


def _puts(statements: List[ast.stmt], queue: str) -> bool:
    return any(
        isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("put", "put_nowait")
        and _dotted(node.func.value) == queue
        for statement in statements
        for node in ast.walk(statement)
    )


def _bounds(compare: ast.Compare) -> bool:
    """An ordering against something other than zero (`qsize() >= limit`); `qsize() == 0` or `> 0` only
    asks whether the queue is empty."""
    ordering = all(isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in compare.ops)
    zero = any(isinstance(part, ast.Constant) and part.value == 0 for part in (compare.left, *compare.comparators))
    return ordering and not zero


def _sized_queue(node: ast.AST, *methods: str) -> Optional[str]:
    """`self.jobs.qsize()` / `jobs.full()` -> "self.jobs" / "jobs" (only these `methods` when given)."""
    if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in _SIZE_METHODS):
        return None
    if node.args or node.keywords or (methods and node.func.attr not in methods):
        return None
    return _dotted(node.func.value)


def _dotted(value: ast.AST) -> Optional[str]:
    parts = dotted(value)
    return ".".join(parts) if parts else None


class UnboundedQueue(CallRule):
    CODE = "FAL301"
    MESSAGE = "Unbounded queue"
    NAMES = QUEUES | STREAMS

    def __init__(self, context) -> None:
        super().__init__(context)
        self._targets: dict = {}  # a queue construction -> the name or attribute it is assigned to

    def visit_Assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1:
            self._targets[node.value] = semantic.dotted_name(node.targets[0].target)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._targets[node.value] = semantic.dotted_name(node.target)

    def check_call(self, node: cst.Call, name: str) -> None:
        if has_star_arguments(node):
            return
        if name in STREAMS:
            size = literal(argument(node, "max_buffer_size", 0))
            if isinstance(size, float) and math.isinf(size):
                self.report(node, f"`{name}()` with an infinite buffer never applies back-pressure; give it a finite `max_buffer_size`")
            return
        size_node = argument(node, "maxsize", 0)
        size = literal(size_node)
        unbounded = size_node is None or (size is not UNKNOWN and isinstance(size, (int, float)) and size <= 0)
        if unbounded and self._admission_checked(node):
            return
        if size_node is None:
            self.report(node, f"`{name}()` without `maxsize` is unbounded; pass `maxsize=` so producers wait when it is full")
        elif unbounded:
            self.report(node, f"`{name}(maxsize={size})` is unbounded (a size of 0 or less means no limit); pass a positive `maxsize`")

    def _admission_checked(self, node: cst.Call) -> bool:
        """Whether the queue this call builds is only put into after a size check (read once per file)."""
        target = self._targets.get(node)
        return bool(target) and target in self.context.shared(_ADMITTED, lambda: _admitted(self.context.source))

    VALID = [
        Valid(
            """
            import asyncio

            jobs = asyncio.Queue(maxsize=100)
            results = asyncio.Queue(50)
            """
        ),
        Valid(
            """
            import asyncio

            def make(size):
                return asyncio.Queue(maxsize=size)
            """,
            note="near miss: a size only known at run time",
        ),
        Valid(
            """
            import queue

            jobs = queue.Queue()
            """,
            note="near miss: a thread queue is a different rule's concern",
        ),
        Valid(
            """
            import anyio

            send, receive = anyio.create_memory_object_stream(100)
            """
        ),
        Valid(
            """
            import asyncio

            LIMIT = 4096


            class Inbox:
                def __init__(self):
                    self.messages: asyncio.Queue[str] = asyncio.Queue()
                    self.overflowed = False

                def put(self, message: str):
                    if self.messages.qsize() >= LIMIT:
                        self.overflowed = True
                    else:
                        self.messages.put_nowait(message)


            async def pump(source):
                pending = asyncio.Queue()
                async for item in source:
                    if not pending.full() and pending.qsize() + 1 < LIMIT:
                        pending.put_nowait(item)
            """,
            note="near miss: the code tests the queue's size before it admits more (an admission check)",
        ),
    ]
    INVALID = [
        Invalid(
            """
            import asyncio
            import math
            from asyncio import PriorityQueue
            import anyio

            jobs = asyncio.Queue()  # FAL301
            urgent = PriorityQueue(maxsize=0)  # FAL301

            async def worker():
                stack = asyncio.LifoQueue(-1)  # FAL301
                send, receive = anyio.create_memory_object_stream(math.inf)  # FAL301
            """
        ),
        Invalid(
            """
            import asyncio
            import logging

            events = asyncio.Queue()  # FAL301
            other = asyncio.Queue()  # FAL301


            async def publish(event):
                logging.info("queued: %d", events.qsize())
                if other.qsize() > 0 or events.qsize() == 0:
                    logging.info("backlog")
                if len(events._queue) > 10:
                    logging.warning("slow consumer")
                events.put_nowait(event)


            batch = asyncio.Queue()  # FAL301


            async def record(event, flush):
                await batch.put(event)
                if batch.qsize() >= 100:
                    await flush()
            """,
            note="near miss: a size only logged, tested for being empty, or checked after the put to start a "
            "flush (the queue still grows while the flush fails) bounds nothing",
        ),
    ]


RULE = UnboundedQueue
