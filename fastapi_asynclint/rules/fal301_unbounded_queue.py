"""## What it does
Checks for asyncio queues created without a bound: `asyncio.Queue()`, `asyncio.LifoQueue()` and
`asyncio.PriorityQueue()` without `maxsize`, or with `maxsize` of zero or less, and anyio memory object
streams with an infinite buffer (`anyio.create_memory_object_stream(math.inf)`).

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

import math

from fastapi_asynclint.libcst_on_use import cst
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._calls import UNKNOWN, CallRule, argument, has_star_arguments, literal

QUEUES = frozenset({"asyncio.Queue", "asyncio.LifoQueue", "asyncio.PriorityQueue", "asyncio.queues.Queue",
                    "asyncio.queues.LifoQueue", "asyncio.queues.PriorityQueue"})
STREAMS = frozenset({"anyio.create_memory_object_stream"})


class UnboundedQueue(CallRule):
    CODE = "FAL301"
    MESSAGE = "Unbounded queue"
    NAMES = QUEUES | STREAMS

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
        if size_node is None:
            self.report(node, f"`{name}()` without `maxsize` is unbounded; pass `maxsize=` so producers wait when it is full")
        elif size is not UNKNOWN and isinstance(size, (int, float)) and size <= 0:
            self.report(node, f"`{name}(maxsize={size})` is unbounded (a size of 0 or less means no limit); pass a positive `maxsize`")

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
    ]


RULE = UnboundedQueue
