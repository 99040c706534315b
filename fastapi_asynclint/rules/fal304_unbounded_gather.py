"""## What it does
Checks for unbounded fan-out in a route, dependency or middleware: `asyncio.gather(*[... for x in items])`
(a list, set or generator comprehension, `map(...)`, or a local list built by one) over something whose
size comes from the request, with no semaphore limiting how many run at once, neither in the function nor
in the coroutine gathered. Fan-out over a literal or `range(<constant>)` is bounded and not reported.

## Why is this bad?
One request with a thousand items starts a thousand concurrent calls: it exhausts the connection pool
(and the upstream's rate limit), every other request waits behind it, and memory grows with the input.
The size of the work is chosen by the client, so the server is as easy to overload as sending a long list.

## Example
```python
@app.post("/enrich")
async def enrich(ids: list[int]):
    return await asyncio.gather(*[fetch_profile(i) for i in ids])
```

## Use instead
```python
limit = asyncio.Semaphore(10)

async def fetch_limited(user_id):
    async with limit:
        return await fetch_profile(user_id)

@app.post("/enrich")
async def enrich(ids: list[int]):
    return await asyncio.gather(*[fetch_limited(i) for i in ids])
```

## Fix safety
No fix: the right concurrency depends on the backend.
"""

from __future__ import annotations

from typing import Optional

from fastapi_asynclint.index.fastapi_model import FastAPIModel
from fastapi_asynclint.libcst_on_use import cst
from fastapi_asynclint.rule import Invalid, RuleInput, Valid
from fastapi_asynclint.rules._calls import CallRule, enclosing_def, request_scoped_kind

GATHERS = frozenset({"asyncio.gather", "asyncio.tasks.gather"})
LIMITERS = frozenset({"asyncio.Semaphore", "asyncio.BoundedSemaphore", "anyio.Semaphore", "anyio.CapacityLimiter",
                      "asyncio.locks.Semaphore", "asyncio.locks.BoundedSemaphore", "aiolimiter.AsyncLimiter"})


def _comprehension(node: cst.BaseExpression) -> bool:
    return isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp))


class UnboundedGather(CallRule):
    CODE = "FAL304"
    MESSAGE = "Unbounded gather over request data"
    NAMES = GATHERS

    @classmethod
    def scope_filter(cls, rule_input: RuleInput):
        model: FastAPIModel = rule_input.index.fastapi
        module = rule_input.summary.module
        return lambda function: model.is_per_request(f"{module}.{function.qualname}")

    def check_call(self, node: cst.Call, name: str) -> None:
        found = enclosing_def(self.context, node)
        if found is None or request_scoped_kind(self.context, found[1]) is None:
            return
        function, key = found
        for arg in node.args:
            if arg.star != "*":
                continue
            fan_out = self._fan_out(arg.value)
            if fan_out is None or self._bounded_iterable(fan_out) or self._limited(key, fan_out):
                continue
            self.report(
                node,
                f"`{name}()` starts one task per item of a request-sized collection with no limit; "
                "bound the concurrency with an `asyncio.Semaphore` (or process in batches)",
            )
            return

    def _fan_out(self, value: cst.BaseExpression) -> Optional[cst.BaseExpression]:
        if isinstance(value, cst.Name):
            bound = self.context.semantics.local_value(value)
            value = bound if bound is not None else value
        if _comprehension(value):
            return value
        if isinstance(value, cst.Call) and isinstance(value.func, cst.Name) and value.func.value == "map":
            return value
        return None

    @staticmethod
    def _bounded_iterable(fan_out: cst.BaseExpression) -> bool:
        if _comprehension(fan_out):
            iterable = fan_out.for_in.iter
        else:
            iterable = fan_out.args[-1].value if len(fan_out.args) > 1 else None
        if isinstance(iterable, (cst.List, cst.Tuple, cst.Set)):
            return True
        return (
            isinstance(iterable, cst.Call)
            and isinstance(iterable.func, cst.Name)
            and iterable.func.value == "range"
            and all(isinstance(a.value, cst.Integer) for a in iterable.args)
        )

    def _limited(self, key: str, fan_out: cst.BaseExpression) -> bool:
        """A semaphore held in this function, or in the coroutine function the comprehension calls."""
        index = self.context.index
        owners = [key]
        element = fan_out.elt if _comprehension(fan_out) else (fan_out.args[0].value if fan_out.args else None)
        target = element.func if isinstance(element, cst.Call) else element
        for candidate in self.context.semantics.targets(target) if target is not None else ():
            resolved = index.resolve(candidate)
            if resolved.function is not None:
                owners.append(resolved.function.key)
        held = index.held_contexts()
        return any(name in LIMITERS for owner in owners for name in held.get(owner, ()))

    VALID = [
        Valid(
            """
            import asyncio
            from fastapi import FastAPI

            app = FastAPI()
            limit = asyncio.Semaphore(10)

            async def fetch_limited(item):
                async with limit:
                    return await fetch(item)

            @app.post("/enrich")
            async def enrich(ids: list[int]):
                return await asyncio.gather(*[fetch_limited(i) for i in ids])

            async def fetch(item):
                return item
            """,
            note="the gathered coroutine holds a semaphore",
        ),
        Valid(
            """
            import asyncio
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/health")
            async def health():
                return await asyncio.gather(*[check(name) for name in ("db", "cache", "queue")])

            async def check(name):
                return name
            """,
            note="near miss: fan-out over a literal of three names",
        ),
        Valid(
            """
            import asyncio

            async def nightly_job(ids):
                return await asyncio.gather(*[process(i) for i in ids])

            async def process(item):
                return item
            """,
            note="near miss: not per request (a batch job sizes its own work)",
        ),
    ]
    INVALID = [
        Invalid(
            """
            import asyncio
            from fastapi import FastAPI

            app = FastAPI()

            @app.post("/enrich")
            async def enrich(ids: list[int]):
                profiles = await asyncio.gather(*[fetch(i) for i in ids])  # FAL304
                tasks = [fetch(i) for i in ids]
                again = await asyncio.gather(*tasks)  # FAL304
                return await asyncio.gather(*map(fetch, ids))  # FAL304

            async def fetch(item):
                return item
            """
        ),
    ]


RULE = UnboundedGather
