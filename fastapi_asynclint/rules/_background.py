"""What the background-work rules (FAL401, FAL402) share: recognising the calls that hand work to
something that runs later or elsewhere, and the arguments such a call passes on.

In-process schedulers (`BackgroundTasks.add_task`, `BackgroundTask`, `asyncio.create_task`) run after or
beside the request in the same process; queued ones (Celery, ARQ, RQ, Dramatiq, Taskiq) in another
process; thread hand-offs that do not copy the context (`loop.run_in_executor`, `threading.Thread`,
`Executor.submit`) in another thread.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, List, Optional, Tuple

from fastapi_asynclint.libcst_on_use import cst
from fastapi_asynclint.rule import FileContext, walk
from fastapi_asynclint.rules._calls import argument, resolved_names

IN_PROCESS = frozenset(
    {
        "fastapi.BackgroundTasks.add_task", "starlette.background.BackgroundTasks.add_task",
        "fastapi.background.BackgroundTasks.add_task", "starlette.background.BackgroundTask",
        "fastapi.BackgroundTasks", "starlette.background.BackgroundTasks",
    }
)
TASK_SPAWNERS = frozenset({"asyncio.create_task", "asyncio.ensure_future", "asyncio.AbstractEventLoop.create_task",
                           "asyncio.tasks.create_task", "asyncio.tasks.ensure_future"})
THREAD_HANDOFFS = frozenset({"asyncio.AbstractEventLoop.run_in_executor", "threading.Thread",
                             "concurrent.futures.ThreadPoolExecutor.submit", "concurrent.futures.Executor.submit",
                             "concurrent.futures.ProcessPoolExecutor.submit"})
QUEUE_METHODS = frozenset({"delay", "apply_async", "send_task", "enqueue_job", "kiq", "send_with_options"})
SCHEDULER_NAMES = IN_PROCESS | TASK_SPAWNERS | THREAD_HANDOFFS | frozenset({"rq.Queue.enqueue", "rq.queue.Queue.enqueue"})


@dataclass(frozen=True)
class Handoff:
    """A call that hands work to be run later or elsewhere."""

    node: cst.Call
    kind: str  # "in-process", "task", "thread", "queue"
    via: str  # how it is written, for messages
    task: Optional[cst.BaseExpression]  # the function that will run, when it is an argument
    data: Tuple[cst.BaseExpression, ...]  # the values passed to it


def _values(node: cst.BaseExpression) -> Iterator[cst.BaseExpression]:
    """Elements of `args=[...]`/`kwargs={...}` literals, or the expression itself."""
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        for element in node.elements:
            yield element.value
    elif isinstance(node, cst.Dict):
        for element in node.elements:
            if isinstance(element, cst.DictElement):
                yield element.value
    else:
        yield node


def handoff(context: FileContext, node: cst.Call) -> Optional[Handoff]:
    names = resolved_names(context, node)
    arguments = list(node.args)
    rest = tuple(arg.value for arg in arguments[1:])
    first = arguments[0].value if arguments else None
    if names & IN_PROCESS:
        return Handoff(node, "in-process", "a background task", first, rest)
    if names & TASK_SPAWNERS:
        inner = first if isinstance(first, cst.Call) else None
        data = tuple(arg.value for arg in inner.args) if inner is not None else ()
        return Handoff(node, "task", "`asyncio.create_task`", inner.func if inner is not None else None, data)
    if names & THREAD_HANDOFFS:
        if "threading.Thread" in names:
            target = argument(node, "target")
            data = tuple(v for found in (argument(node, "args"), argument(node, "kwargs")) if found is not None for v in _values(found))
            return Handoff(node, "thread", "a new thread", target, data)
        if "asyncio.AbstractEventLoop.run_in_executor" in names:
            task = arguments[1].value if len(arguments) > 1 else None
            return Handoff(node, "thread", "`loop.run_in_executor`", task, tuple(arg.value for arg in arguments[2:]))
        return Handoff(node, "thread", "an executor", first, rest)
    if names & {"rq.Queue.enqueue", "rq.queue.Queue.enqueue"}:
        return Handoff(node, "queue", "an RQ queue", first, rest)
    func = node.func
    if isinstance(func, cst.Attribute) and func.attr.value in QUEUE_METHODS:
        method = func.attr.value
        if method in ("apply_async", "send_task", "send_with_options"):
            data: List[cst.BaseExpression] = []
            for keyword in ("args", "kwargs"):
                found = argument(node, keyword)
                if found is not None:
                    data.extend(_values(found))
            if method == "apply_async":
                positional = [arg.value for arg in arguments if arg.keyword is None]
                for value in positional[:2]:
                    data.extend(_values(value))
            task = func.value if method in ("apply_async", "send_with_options") else first
            return Handoff(node, "queue", f"`.{method}()` (a task queue)", task, tuple(data))
        if method == "enqueue_job":
            return Handoff(node, "queue", "`enqueue_job()` (an ARQ queue)", first, rest)
        return Handoff(node, "queue", f"`.{method}()` (a task queue)", func.value, tuple(arg.value for arg in arguments))
    return None


def names_in(node: cst.CSTNode) -> Iterator[cst.Name]:
    """Every Name an expression reads (lambdas included: their body runs in the background too)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Name):
            yield current
            continue
        if isinstance(current, cst.Attribute):
            stack.append(current.value)  # `request.state` reads `request`, not a name `state`
            continue
        stack.extend(current.children)


def joined_in(function: cst.FunctionDef, spawn: cst.Call) -> bool:
    """Whether a task `spawn` creates is waited for, or cancelled, by the function that creates it: the
    call is awaited (`await asyncio.create_task(...)`), or the name it is bound to is read by an `await`
    (`await task`, `await asyncio.wait_for(asyncio.shield(task), ...)`) or cancelled (`task.cancel()`). It
    then does not outlive the function."""
    bound: List[str] = []
    awaited: List[cst.Await] = []
    cancelled: List[str] = []
    stack: List[cst.CSTNode] = [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            continue
        if isinstance(node, cst.Assign) and node.value is spawn and len(node.targets) == 1:
            target = node.targets[0].target
            if isinstance(target, cst.Name):
                bound.append(target.value)
        elif isinstance(node, cst.Await):
            awaited.append(node)
        elif isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute) and node.func.attr.value == "cancel":
            if isinstance(node.func.value, cst.Name):
                cancelled.append(node.func.value.value)
        stack.extend(node.children)
    for waiting in awaited:
        inside = list(walk(waiting))
        if any(node is spawn for node in inside) or any(isinstance(node, cst.Name) and node.value in bound for node in inside):
            return True
    return any(name in cancelled for name in bound)
