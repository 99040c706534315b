"""## What it does
Checks for asyncio queues created without a bound: `asyncio.Queue()`, `asyncio.LifoQueue()` and
`asyncio.PriorityQueue()` without `maxsize`, or with `maxsize` of zero or less, and anyio memory object
streams with an infinite buffer (`anyio.create_memory_object_stream(math.inf)`).

A queue its own code keeps bounded is not reported: one whose size the module orders against a limit
(`if self.jobs.qsize() >= LIMIT:`) or whose `full()` it tests, the admission check that decides whether
more is let in. A size only logged, or compared with zero, bounds nothing.

Nor is a queue made for one request: a local of a function that runs per request (a route, dependency,
middleware or websocket handler, or code they call) that the function never stores where the request's end
does not free it. It holds what that request's own work puts in it (one response's chunks, one connection's
events) and is gone with it. A queue that the function stores on an attribute (`self.events = queue`), in a
subscript (`QUEUES[user] = queue`), with `append`/`add` on a container it did not make itself, or with
`setattr`, or declares `global` or `nonlocal`, outlives the call and is reported; so is one it yields, or
returns from a helper (a response object such as `StreamingResponse(...)` aside: the framework sends it and
lets it go). The same holds for what holds the queue: an object made from it (`Client(websocket, queue)`),
its bound `put_nowait`, a nested function or lambda that uses it, a task that runs such a function. A local
queue in code that runs at startup or in the background may live as long as the process and is reported,
and so is every local queue of a project where no app is found. Not seen: a queue handed to a function
that keeps it elsewhere, and a function that runs per request and also in the background, which is taken
as per request.

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
from typing import Callable, FrozenSet, Iterator, List, Optional, Set

from fastapi_asynclint.index.once import child_blocks
from fastapi_asynclint.index.summary import dotted
from fastapi_asynclint.libcst_on_use import cst, semantic
from fastapi_asynclint.rule import Invalid, Valid, walk
from fastapi_asynclint.rules._calls import (
    UNKNOWN, CallRule, argument, enclosing_def, has_star_arguments, literal, resolved_names,
)

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


# Methods that put their argument into a container that may outlive the call, and functions that store.
_STORING_METHODS = frozenset({"append", "appendleft", "add", "insert", "extend", "update", "setdefault", "put",
                              "put_nowait", "__setitem__"})
_STORING_FUNCTIONS = frozenset({"setattr"})
_RESPONSE_MODULES = ("starlette.responses.", "fastapi.responses.", "fastapi.", "sse_starlette.")
_MAX_CARRIER_ROUNDS = 4


def _escapes(function: cst.FunctionDef, name: str, returned_safely: Callable[[cst.BaseExpression], bool]) -> bool:
    """Whether the function lets its local `name` outlive the call: itself, or a value that holds it (a local
    bound to something made from it or holding it, a nested function that uses it)."""
    own = _locals(function)
    return any(_kept(function, carrier, own, returned_safely) for carrier in _carriers(function, name, own))


def _locals(function: cst.FunctionDef) -> Set[str]:
    """The names the function binds by plain assignment and does not declare global or nonlocal."""
    bound = {target.value for node in walk(function) if isinstance(node, (cst.Assign, cst.AnnAssign))
             for target in _assigned(node) if isinstance(target, cst.Name)}
    shared = {item.name.value for node in walk(function) if isinstance(node, (cst.Global, cst.Nonlocal)) for item in node.names}
    return bound - shared


def _carriers(function: cst.FunctionDef, name: str, own: Set[str]) -> Set[str]:
    """`name`, and the locals and nested functions of `function` that may hold it, transitively: a local
    assigned a value made from it, a local container it is put in, a nested function that uses it."""
    carriers = {name}
    for _ in range(_MAX_CARRIER_ROUNDS):
        found = set(carriers)
        for node in walk(function):
            if isinstance(node, cst.FunctionDef) and node is not function and any(_refers(node, held) for held in carriers):
                found.add(node.name.value)
            elif isinstance(node, (cst.Assign, cst.AnnAssign)) and node.value is not None:
                if any(_mentions(node.value, held) for held in carriers):
                    found.update(target.value for target in _assigned(node) if isinstance(target, cst.Name))
            elif isinstance(node, cst.Call) and _stores(node) and _receiver(node) in own:
                if any(_mentions(arg.value, held) for arg in node.args for held in carriers):
                    found.add(_receiver(node))
        if found == carriers:
            break
        carriers = found
    return carriers


def _kept(function: cst.FunctionDef, name: str, own: Set[str], returned_safely) -> bool:
    """Whether a statement of the function (or of a function nested in it) stores `name` beyond the call: on
    an attribute or in a subscript, in a container not its own or through `setattr`, or declares it global
    or nonlocal; or whether the function itself returns (unless `returned_safely`) or yields it."""
    for node in _own_nodes(function):
        if isinstance(node, (cst.Return, cst.Yield)):
            value = node.value.item if isinstance(node.value, cst.From) else node.value
            if value is not None and _mentions(value, name) and not (isinstance(node, cst.Return) and returned_safely(value)):
                return True
    for node in walk(function):
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign)) and node.value is not None:
            if _mentions(node.value, name) and not all(isinstance(target, cst.Name) for target in _assigned(node)):
                return True
        elif isinstance(node, (cst.Global, cst.Nonlocal)) and any(item.name.value == name for item in node.names):
            return True
        elif isinstance(node, cst.Call) and _stores(node) and _receiver(node) not in own:
            if any(_mentions(arg.value, name) for arg in node.args):
                return True
    return False


def _own_nodes(function: cst.FunctionDef) -> Iterator[cst.CSTNode]:
    """The nodes of the function's own body: a nested function returns and yields for itself."""
    pending = list(function.body.children)
    while pending:
        node = pending.pop()
        yield node
        if not isinstance(node, (cst.FunctionDef, cst.Lambda)):
            pending.extend(node.children)


def _receiver(call: cst.Call) -> Optional[str]:
    """`items` of `items.append(x)`, when the receiver is a plain name."""
    if isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name):
        return call.func.value.value
    return None


def _assigned(node) -> List[cst.BaseExpression]:
    return [target.target for target in node.targets] if isinstance(node, cst.Assign) else [node.target]


def _stores(call: cst.Call) -> bool:
    if isinstance(call.func, cst.Attribute):
        return call.func.attr.value in _STORING_METHODS
    return isinstance(call.func, cst.Name) and call.func.value in _STORING_FUNCTIONS


def _refers(node: cst.CSTNode, name: str) -> bool:
    return any(_is_name(found, name) for found in walk(node))


def _mentions(value: cst.CSTNode, name: str) -> bool:
    """Whether the value may hold `name`: any use of it but as the receiver of a method it calls or what it
    awaits (`queue.get()` gives an item, `await task` a result; `queue.put_nowait`, not called, is a bound
    method that holds the queue, and so is a lambda that uses it)."""
    pending = [value]
    while pending:
        node = pending.pop()
        if _is_name(node, name) or isinstance(node, cst.Lambda) and _refers(node.body, name):
            return True
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and _is_name(node.func.value, name):
            pending.extend(node.args)
            continue
        if isinstance(node, cst.Await) and _is_name(node.expression, name):
            continue  # `await task` gives the task's result
        pending.extend(node.children)
    return False


def _is_name(node: cst.CSTNode, name: str) -> bool:
    return isinstance(node, cst.Name) and node.value == name


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
        if unbounded and (self._admission_checked(node) or self._per_request(node)):
            return
        if size_node is None:
            self.report(node, f"`{name}()` without `maxsize` is unbounded; pass `maxsize=` so producers wait when it is full")
        elif unbounded:
            self.report(node, f"`{name}(maxsize={size})` is unbounded (a size of 0 or less means no limit); pass a positive `maxsize`")

    def _admission_checked(self, node: cst.Call) -> bool:
        """Whether the queue this call builds is only put into after a size check (read once per file)."""
        target = self._targets.get(node)
        return bool(target) and target in self.context.shared(_ADMITTED, lambda: _admitted(self.context.source))

    def _per_request(self, node: cst.Call) -> bool:
        """Whether the queue is a local of a function that an app runs per request, and never leaves it."""
        target = self._targets.get(node)
        found = enclosing_def(self.context, node)
        index = self.context.index
        if not target or "." in target or found is None or not index.app_found or index.reach_of(found[1]) != "request":
            return False
        to_framework = index.fastapi.kind(found[1]) in ("route", "middleware")
        return not _escapes(found[0], target, lambda value: to_framework or self._response(value))

    def _response(self, value: cst.BaseExpression) -> bool:
        """A response object (`StreamingResponse(stream())`): the framework sends it and lets it go."""
        return isinstance(value, cst.Call) and any(
            name.startswith(_RESPONSE_MODULES) and name.endswith("Response") for name in resolved_names(self.context, value)
        )

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
        Valid(
            """
            import asyncio
            from fastapi import FastAPI, WebSocket
            from fastapi.responses import StreamingResponse

            app = FastAPI()


            async def answer(prompt, chunks):
                async for token in generate(prompt):
                    await chunks.put(token)
                await chunks.put(None)


            @app.post("/chat")
            async def chat(prompt: str):
                chunks: asyncio.Queue[str] = asyncio.Queue()
                producer = asyncio.create_task(answer(prompt, chunks))

                async def stream():
                    while (token := await chunks.get()) is not None:
                        yield token
                    await producer

                return StreamingResponse(stream())


            async def relay(chunks):
                while (token := await chunks.get()) is not None:
                    yield token


            def stream_answer(prompt):
                chunks = asyncio.Queue()
                producers = []
                producers.append(asyncio.create_task(answer(prompt, chunks)))
                return StreamingResponse(relay(chunks))


            async def answer_then_usage(prompt):
                chunks = asyncio.Queue()

                async def drive():
                    return await answer(prompt, chunks)

                producer = asyncio.create_task(drive())
                while (token := await chunks.get()) is not None:
                    yield token
                usage = await producer
                yield usage


            @app.post("/chat/usage")
            async def chat_usage(prompt: str):
                return StreamingResponse(answer_then_usage(prompt))


            @app.post("/chat/stream")
            async def chat_stream(prompt: str):
                return stream_answer(prompt)


            async def read_into(websocket, frames):
                async for frame in websocket.iter_bytes():
                    frames.put_nowait(frame)


            @app.websocket("/ws")
            async def relay(websocket: WebSocket):
                frames = asyncio.Queue()
                reader = asyncio.create_task(read_into(websocket, frames))
                try:
                    while True:
                        await websocket.send_bytes(await frames.get())
                finally:
                    reader.cancel()
            """,
            note="a queue made for one request or connection: a local that only its own producer fills and that "
            "nothing stores beyond the call (a list of the function's own, a response a helper returns)",
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

            stack = asyncio.LifoQueue(-1)  # FAL301

            async def worker():
                send, receive = anyio.create_memory_object_stream(math.inf)  # FAL301
                pending = asyncio.Queue()  # FAL301
                while True:
                    await pending.get()
            """,
            note="a project where no app is found: a local queue may live as long as the process",
        ),
        Invalid(
            """
            import asyncio
            from contextlib import asynccontextmanager
            from fastapi import FastAPI, WebSocket

            app = FastAPI()
            CHANNELS = {}
            LISTENERS = []


            class Feed:
                def __init__(self):
                    inbox = asyncio.Queue()  # FAL301
                    self.reader = Reader(inbox)
                    spill = asyncio.Queue()  # FAL301
                    self.on_spill = lambda item: spill.put_nowait(item)


            class Reader:
                def __init__(self, inbox):
                    self.inbox = inbox


            def subscription():
                events = asyncio.Queue()  # FAL301
                return events


            async def lifespan(app):
                jobs = asyncio.Queue()  # FAL301
                worker = asyncio.create_task(drain(jobs))
                yield
                worker.cancel()


            async def drain(jobs):
                while True:
                    await jobs.get()


            @asynccontextmanager
            async def consumer():
                received = asyncio.Queue()  # FAL301

                async def handle(message):
                    await received.put(message)

                yield handle


            def on_item():
                backlog = asyncio.Queue()  # FAL301
                LISTENERS.append(lambda item: backlog.put_nowait(item))
                pushed = asyncio.Queue()  # FAL301
                LISTENERS.append(pushed.put_nowait)


            def client_for(websocket):
                mailbox = asyncio.Queue()  # FAL301
                return Reader(mailbox)


            def subscribe(listeners):
                inbox = asyncio.Queue()  # FAL301
                listeners.append(inbox)


            def register(websocket):
                subscribe(LISTENERS)
                wrapped = asyncio.Queue()  # FAL301
                reader = Reader(wrapped)
                LISTENERS.append(reader)
                direct = asyncio.Queue()  # FAL301
                LISTENERS.append(Reader(direct))
                kept = asyncio.Queue()  # FAL301
                setattr(websocket.app.state, "kept", kept)
                late = None

                def make():
                    nonlocal late
                    late = asyncio.Queue()  # FAL301

                make()


            @app.websocket("/ws/{channel}")
            async def connect(websocket: WebSocket, channel: str):
                outbox = asyncio.Queue()  # FAL301
                CHANNELS[channel] = outbox
                updates = asyncio.Queue()  # FAL301
                LISTENERS.append(updates)
                history = asyncio.Queue()  # FAL301
                entry = (channel, history)
                LISTENERS.append(entry)
                Feed()
                events = subscription()
                on_item()
                client_for(websocket)
                register(websocket)
                async with consumer() as handler:
                    await handler("hello")
                while True:
                    await websocket.send_json(await outbox.get())
            """,
            note="near misses: a queue a request stores where others reach it (a module dict, a listeners "
            "list, a container it is handed, `setattr`, a `nonlocal`, through a tuple, an object made from it, its bound method, a handler or "
            "lambda that uses it) or returns from a helper, and a local queue of the lifespan, which lives as long "
            "as the process",
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
