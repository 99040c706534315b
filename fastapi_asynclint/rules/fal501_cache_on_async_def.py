"""## What it does
Checks for `functools.lru_cache` / `functools.cache` (and cachetools' sync `cached`/`lru_cache`/
`ttl_cache`) decorating an `async def` function.

## Why is this bad?
Calling a coroutine function does not run it: it returns a coroutine object, and that object is what the
cache stores. The first caller awaits it; every later caller gets the same, already-awaited coroutine
back and fails with `RuntimeError: cannot reuse already awaited coroutine`. The cache does nothing but
break the second request.

## Example
```python
@lru_cache
async def get_exchange_rates():
    async with httpx.AsyncClient() as client:
        return (await client.get(RATES_URL)).json()
```

## Use instead
```python
from async_lru import alru_cache

@alru_cache(ttl=300)
async def get_exchange_rates():
    ...
```
or load the value once in the lifespan and keep it on `app.state`.

## Fix safety
Display-only: the suggested edit swaps the decorator for `async_lru.alru_cache`, a third-party package
the project may not depend on, so it is shown and never applied.
"""

from __future__ import annotations

from typing import Optional

from fastapi_asynclint.catalog import canonical_name
from fastapi_asynclint.diagnostics import Applicability
from fastapi_asynclint.libcst_on_use import cst
from fastapi_asynclint.rule import Invalid, LintRule, RuleInput, Valid

SYNC_CACHES = frozenset({"functools.lru_cache", "functools.cache", "cachetools.cached", "cachetools.func.lru_cache",
                         "cachetools.func.ttl_cache", "cachetools.func.lfu_cache"})


def _cached_coroutines(rule_input: RuleInput) -> frozenset:
    index = rule_input.index
    return frozenset(
        function.qualname
        for function in rule_input.summary.functions
        if function.is_async
        and any(canonical_name(index.resolve(d.target).name) in SYNC_CACHES for d in function.decorators if d.target)
    )


class CacheOnAsyncDef(LintRule):
    CODE = "FAL501"
    MESSAGE = "Sync cache decorator on async function"

    @classmethod
    def wants(cls, rule_input: RuleInput) -> bool:
        return bool(_cached_coroutines(rule_input))

    @classmethod
    def focus(cls, rule_input: RuleInput) -> Optional[frozenset]:
        return _cached_coroutines(rule_input)

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node.asynchronous is None:
            return
        for decorator in node.decorators:
            expression = decorator.decorator
            func = expression.func if isinstance(expression, cst.Call) else expression
            names = {canonical_name(self.context.index.resolve(t).name) for t in self.context.semantics.targets(func)}
            hit = sorted(names & SYNC_CACHES)
            if hit:
                self.report(
                    decorator,
                    f"`@{hit[0]}` on `async def {node.name.value}` caches the coroutine object, which can be awaited "
                    "only once: the second call fails; use `async_lru.alru_cache` or load the value at start-up",
                    fix=self._suggestion(decorator, expression),
                )

    def _suggestion(self, decorator: cst.Decorator, expression: cst.BaseExpression):
        if isinstance(expression, cst.Call):
            keep = [a for a in expression.args if a.keyword is not None and a.keyword.value == "maxsize"]
            new = cst.Call(func=cst.Name("alru_cache"), args=keep) if keep else cst.Name("alru_cache")
        else:
            new = cst.Name("alru_cache")
        return self.context.fix(
            Applicability.DISPLAY_ONLY,
            "Use `async_lru.alru_cache` (a dependency of its own)",
            [self.context.replace(expression, new), self.context.import_edit("async_lru", "alru_cache")],
        )

    VALID = [
        Valid(
            """
            from functools import lru_cache

            @lru_cache
            def get_settings():
                return {"debug": False}
            """
        ),
        Valid(
            """
            from async_lru import alru_cache

            @alru_cache(maxsize=32)
            async def get_rates():
                return {}
            """,
            note="near miss: the async-aware cache",
        ),
        Valid(
            """
            import functools

            def wrapper(function):
                @functools.wraps(function)
                async def inner(*args):
                    return await function(*args)
                return inner
            """,
            note="near miss: `functools.wraps` on an async def",
        ),
    ]
    INVALID = [
        Invalid(
            """
            import functools
            from functools import cache, lru_cache

            @lru_cache  # FAL501
            async def get_rates():
                return {}

            @functools.lru_cache(maxsize=16)  # FAL501
            async def get_user(user_id):
                return user_id

            @cache  # FAL501
            async def get_config():
                return {}
            """
        ),
    ]


RULE = CacheOnAsyncDef
