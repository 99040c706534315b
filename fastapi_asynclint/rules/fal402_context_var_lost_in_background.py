"""## What it does
Checks for background work that reads a request context variable it never receives: a `ContextVar` that
the request path sets (a correlation or request id set by middleware or a dependency, or
asgi-correlation-id's `correlation_id`), read, directly or through the functions it calls, by a function
that is scheduled where that context does not exist, while the scheduling call does not pass the value in:

* a task queue (Celery `.delay`/`.apply_async`/`send_task`, ARQ `enqueue_job`, RQ, Taskiq): the task runs
  in another process;
* a thread that does not copy the context (`loop.run_in_executor`, `threading.Thread`,
  `Executor.submit`; unlike `asyncio.to_thread` and FastAPI's threadpool);
* `asyncio.create_task` outside a request (lifespan, startup, module level): the task starts from a
  context where no request ever set the variable.

Work scheduled from inside a request with `BackgroundTasks.add_task`, `asyncio.create_task` or
`asyncio.to_thread` is not reported: they run with a copy of the request's context, so the value is there.

## Why is this bad?
The variable is read where it was never set: it returns its default (or raises `LookupError`), so logs
and traces lose their request id, and work that relies on it (tenant, user, locale) runs with the wrong
one — silently, only in production, where the worker really is elsewhere.

## Example
```python
@celery.task
def send_receipt(order_id: int):
    log.info("receipt", extra={"request_id": request_id.get()})

@app.post("/orders")
async def create_order(order: Order):
    send_receipt.delay(order.id)
```

## Use instead
```python
@celery.task
def send_receipt(order_id: int, request_id_value: str):
    token = request_id.set(request_id_value)
    ...

@app.post("/orders")
async def create_order(order: Order):
    send_receipt.delay(order.id, request_id.get())
```

## Fix safety
No fix: how the task should receive and restore the value is the application's design.
"""

from __future__ import annotations

from typing import Iterator, Set

from fastapi_asynclint.catalog import canonical_name
from fastapi_asynclint.index.context_vars import var_of
from fastapi_asynclint.libcst_on_use import cst
from fastapi_asynclint.rule import Invalid, LintRule, RuleInput, Valid
from fastapi_asynclint.rules._background import QUEUE_METHODS, SCHEDULER_NAMES, Handoff, handoff
from fastapi_asynclint.rules._calls import enclosing_def

_ALWAYS_LOST = ("queue", "thread")


def _scheduling_functions(rule_input: RuleInput) -> frozenset:
    index = rule_input.index
    found = set()
    for function in rule_input.summary.functions:
        for call in function.calls:
            names = {canonical_name(index.resolve(target).name) for target in call.targets}
            if names & SCHEDULER_NAMES or call.attr in QUEUE_METHODS:
                found.add(function.qualname)
    return frozenset(found)


class ContextVarLostInBackground(LintRule):
    CODE = "FAL402"
    MESSAGE = "Background work reads a request context variable it is not given"

    @classmethod
    def wants(cls, rule_input: RuleInput) -> bool:
        # The file's own scheduling calls first: the project's context-variable model is built only if needed.
        return bool(_scheduling_functions(rule_input)) and bool(rule_input.index.context_vars.reads)

    @classmethod
    def focus(cls, rule_input: RuleInput):
        return frozenset(name for name in _scheduling_functions(rule_input) if name != "<module>")

    def visit_Call(self, node: cst.Call) -> None:
        work = handoff(self.context, node)
        if work is None or work.kind == "in-process":
            return
        if work.kind == "task" and self._inside_request(node):
            return  # create_task copies the request's context
        index = self.context.index
        model = index.context_vars
        for key in sorted(self._task_functions(work)):
            found = model.chain(index, key)
            if found is None:
                continue
            var, chain = found
            if self._passes(work, var):
                continue
            where = {"queue": "in a worker process", "thread": "in a thread that does not copy the context",
                     "task": "in a task started outside any request"}[work.kind]
            setter = model.setters.get(var)
            origin = f" (set per request by `{setter}`)" if setter else ""
            route = " -> ".join(f"{hop.name}()" for hop in chain[:-1])
            advice = (
                "give the task the values it needs explicitly"
                if work.kind == "task"
                else f"pass `{var.rpartition('.')[2]}.get()` as an argument and set it in the task"
            )
            self.report(
                node,
                f"`{chain[0].name}` reads `{var}`{origin} but runs {where}, via {work.via}, where it was never "
                f"set ({route} -> {chain[-1].name}); {advice}",
                chain=chain,
            )
            return

    def _inside_request(self, node: cst.Call) -> bool:
        found = enclosing_def(self.context, node)
        return found is not None and self.context.index.fastapi.is_per_request(found[1])

    def _task_functions(self, work: Handoff) -> Set[str]:
        index = self.context.index
        keys: Set[str] = set()
        task = work.task
        if isinstance(task, cst.SimpleString):  # ARQ and `send_task` name the function
            name = task.evaluated_value.rpartition(".")[2] if isinstance(task.evaluated_value, str) else ""
            # Only a function that reads a request variable can lose one.
            return set(index.context_vars.named(name))
        if task is None:
            return keys
        for target in self.context.semantics.targets(task):
            _, callee = index.callee(target)
            if callee is not None:
                keys.add(callee.key)
        return keys

    def _passes(self, work: Handoff, var: str) -> bool:
        """Whether the scheduling call hands over the variable's value (`request_id.get()`, directly or
        through a local name bound to it)."""
        for value in work.data:
            for call in _calls_in(value, self.context):
                if any(var_of(self.context.index, t, "get") == var for t in self.context.semantics.targets(call.func)):
                    return True
        return False

    VALID = [
        Valid(
            """
            from contextvars import ContextVar
            from fastapi import BackgroundTasks, FastAPI, Request

            app = FastAPI()
            request_id: ContextVar[str] = ContextVar("request_id", default="-")

            @app.middleware("http")
            async def add_request_id(request: Request, call_next):
                request_id.set(request.headers.get("x-request-id", "-"))
                return await call_next(request)

            def audit(action: str):
                print(request_id.get(), action)

            @app.post("/orders")
            async def create_order(background_tasks: BackgroundTasks):
                background_tasks.add_task(audit, "created")
            """,
            note="near miss: BackgroundTasks run with a copy of the request's context",
        ),
        Valid(
            """
            from contextvars import ContextVar
            from fastapi import FastAPI, Request

            app = FastAPI()
            request_id: ContextVar[str] = ContextVar("request_id", default="-")

            @app.middleware("http")
            async def add_request_id(request: Request, call_next):
                request_id.set(request.headers.get("x-request-id", "-"))
                return await call_next(request)

            @celery.task
            def send_receipt(order_id: int, request_id_value: str):
                request_id.set(request_id_value)
                print(request_id.get())

            @app.post("/orders")
            async def create_order(order_id: int):
                send_receipt.delay(order_id, request_id.get())
            """,
            note="the value is passed in",
        ),
        Valid(
            """
            from contextvars import ContextVar

            feature_flags: ContextVar[dict] = ContextVar("flags", default={})

            @celery.task
            def nightly():
                return feature_flags.get()

            def schedule():
                nightly.delay()
            """,
            note="near miss: a context variable no request sets",
        ),
    ]
    INVALID = [
        Invalid(
            files={
                "app/__init__.py": "",
                "app/context.py": '''
                    from contextvars import ContextVar

                    request_id: ContextVar[str] = ContextVar("request_id", default="-")
                    ''',
                "app/logs.py": '''
                    from app.context import request_id

                    def log(message):
                        print(request_id.get(), message)
                    ''',
                "app/tasks.py": '''
                    from app.logs import log

                    @celery.task
                    def send_receipt(order_id):
                        log(f"receipt for {order_id}")
                    ''',
                "app/main.py": '''
                    import asyncio
                    import threading
                    from contextlib import asynccontextmanager
                    from fastapi import FastAPI, Request
                    from app.context import request_id
                    from app.logs import log
                    from app.tasks import send_receipt

                    async def heartbeat():
                        log("alive")

                    @asynccontextmanager
                    async def lifespan(app):
                        asyncio.create_task(heartbeat())  # FAL402
                        yield

                    app = FastAPI(lifespan=lifespan)

                    @app.middleware("http")
                    async def add_request_id(request: Request, call_next):
                        request_id.set(request.headers.get("x-request-id", "-"))
                        return await call_next(request)

                    @app.post("/orders/{order_id}")
                    async def create_order(order_id: int):
                        send_receipt.delay(order_id)  # FAL402
                        threading.Thread(target=log, args=("started",)).start()  # FAL402
                    ''',
            },
            message="reads `app.context.request_id` (set per request by `add_request_id`) but runs in a worker process",
        ),
    ]


def _calls_in(node: cst.CSTNode, context) -> Iterator[cst.Call]:
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            bound = context.semantics.local_value(current)
            if isinstance(bound, cst.Call):
                yield bound
            continue
        if isinstance(current, cst.Call):
            yield current
        stack.extend(current.children)


RULE = ContextVarLostInBackground
