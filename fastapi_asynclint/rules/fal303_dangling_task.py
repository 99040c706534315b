"""## What it does
Checks for tasks whose result is thrown away: `asyncio.create_task(...)`, `asyncio.ensure_future(...)` or
`loop.create_task(...)` called as a statement, without keeping the returned task.

## Why is this bad?
The event loop keeps only a weak reference to tasks: a task nobody references can be garbage-collected
before it finishes, silently ("Important: save a reference to the result of this function", says the
asyncio documentation). Its exceptions are never seen, and fire-and-forget work started per request is
unbounded: nothing limits how many run at once or waits for them at shutdown. ruff reports the same
pattern as RUF006.

A task whose coroutine is a project function (not a method, which a subclass may override with one that
awaits, nor a decorated one, whose wrapper may await) declared `async def` that never awaits (no `await`,
`async for` or `async with`) is not reported: it runs to its end in its first step, while the loop still
holds it, so nothing is left to collect or to bound.

## Example
```python
@app.post("/signup")
async def signup(user: User):
    asyncio.create_task(send_welcome_email(user.email))
```

## Use instead
```python
@app.post("/signup")
async def signup(user: User, background_tasks: BackgroundTasks):
    background_tasks.add_task(send_welcome_email, user.email)
```
or keep a reference (`tasks.add(task); task.add_done_callback(tasks.discard)`), or use a
`asyncio.TaskGroup` owned by the lifespan.

## Fix safety
No fix: where the task should be kept, awaited or bounded is a design decision.
"""

from __future__ import annotations

from fastapi_asynclint.libcst_on_use import cst
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._calls import CallRule

SPAWNERS = frozenset({"asyncio.create_task", "asyncio.ensure_future", "asyncio.AbstractEventLoop.create_task",
                      "asyncio.tasks.create_task", "asyncio.tasks.ensure_future"})


class DanglingTask(CallRule):
    CODE = "FAL303"
    MESSAGE = "Task created and dropped"
    NAMES = SPAWNERS

    def __init__(self, context) -> None:
        super().__init__(context)
        self._statements = set()

    def visit_Expr(self, node: cst.Expr) -> None:
        self._statements.add(node.value)

    def check_call(self, node: cst.Call, name: str) -> None:
        if node in self._statements and not self._finishes_at_once(node):
            short = name.replace("asyncio.AbstractEventLoop.", "loop.")
            self.report(
                node,
                f"The task from `{short}()` is not kept: it may be garbage-collected before it finishes and its "
                "errors are lost; keep a reference, use a TaskGroup, or `BackgroundTasks.add_task`",
            )

    def _finishes_at_once(self, node: cst.Call) -> bool:
        """Whether the task runs a project coroutine function, neither a method nor decorated, that never
        awaits (every one its call may be)."""
        coroutine = node.args[0].value if node.args else None
        if not isinstance(coroutine, cst.Call):
            return False
        index = self.context.index
        functions = [index.function_of(index.callee(target)[1]) for target in self.context.semantics.targets(coroutine.func)]
        return bool(functions) and all(
            function is not None and function.is_async and not function.awaits and function.class_qualname is None
            and not function.decorators
            for function in functions
        )

    VALID = [
        Valid(
            """
            import asyncio

            background = set()

            async def start(job):
                task = asyncio.create_task(job())
                background.add(task)
                task.add_done_callback(background.discard)
            """
        ),
        Valid(
            """
            import asyncio

            async def run(jobs):
                async with asyncio.TaskGroup() as group:
                    for job in jobs:
                        group.create_task(job())
            """,
            note="near miss: a TaskGroup keeps its tasks",
        ),
        Valid(
            """
            import asyncio

            async def run(job):
                return await asyncio.create_task(job())
            """,
            note="near miss: the task is awaited",
        ),
        Valid(
            files={
                "app/mail.py": '''
                    import logging

                    async def log_signup(email):
                        logging.getLogger("signup").info("new user %s", email)
                    ''',
                "app/main.py": '''
                    import asyncio
                    from app.mail import log_signup

                    async def signup(email):
                        asyncio.create_task(log_signup(email))
                    ''',
            },
            note="near miss: a coroutine that never awaits ends in its first step, while the loop holds its task",
        ),
    ]
    INVALID = [
        Invalid(
            """
            import asyncio

            async def signup(email):
                asyncio.create_task(send_welcome(email))  # FAL303
                asyncio.ensure_future(send_welcome(email))  # FAL303
                asyncio.get_running_loop().create_task(send_welcome(email))  # FAL303

            async def send_welcome(email):
                await asyncio.sleep(1)
            """
        ),
        Invalid(
            """
            import asyncio

            async def notify(email, channel):
                async with channel:
                    channel.send(email)

            async def stream(email, events):
                async for event in events:
                    print(email, event)

            class Store:
                async def save(self, item):
                    pass

            class RemoteStore(Store):
                async def save(self, item):
                    await asyncio.sleep(0)

            async def signup(email, channel, events, job, store: Store):
                asyncio.create_task(notify(email, channel))  # FAL303
                asyncio.create_task(stream(email, events))  # FAL303
                asyncio.create_task(job())  # FAL303
                asyncio.create_task(store.save(email))  # FAL303
                asyncio.create_task(audited(email))  # FAL303

            def audit(coroutine_function):
                async def wrapper(*args):
                    await asyncio.sleep(0)
                    return await coroutine_function(*args)
                return wrapper

            @audit
            async def audited(email):
                print(email)
            """,
            note="near misses: `async with` and `async for` wait too, a coroutine the linter cannot see may, "
            "so may a subclass's override of a method that does not, and a decorator's wrapper",
        ),
    ]


RULE = DanglingTask
