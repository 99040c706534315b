"""## What it does
Checks for tasks whose result is thrown away: `asyncio.create_task(...)`, `asyncio.ensure_future(...)` or
`loop.create_task(...)` called as a statement, without keeping the returned task.

## Why is this bad?
The event loop keeps only a weak reference to tasks: a task nobody references can be garbage-collected
before it finishes, silently ("Important: save a reference to the result of this function", says the
asyncio documentation). Its exceptions are never seen, and fire-and-forget work started per request is
unbounded: nothing limits how many run at once or waits for them at shutdown. ruff reports the same
pattern as RUF006.

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
        if node in self._statements:
            short = name.replace("asyncio.AbstractEventLoop.", "loop.")
            self.report(
                node,
                f"The task from `{short}()` is not kept: it may be garbage-collected before it finishes and its "
                "errors are lost; keep a reference, use a TaskGroup, or `BackgroundTasks.add_task`",
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
                ...
            """
        ),
    ]


RULE = DanglingTask
