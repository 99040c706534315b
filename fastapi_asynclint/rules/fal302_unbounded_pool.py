"""## What it does
Checks for connection pools configured without a limit: SQLAlchemy's `create_engine`/`create_async_engine`
with `max_overflow=-1` or `pool_size=0`, asyncpg's `create_pool(max_size=None)` (or 0), `httpx.Limits` with
`max_connections=None`, aiohttp's `TCPConnector(limit=0)` (or `None`), pymongo/motor clients with
`maxPoolSize=0` (or `None`), and redis connection pools with `max_connections=None`.

## Why is this bad?
A pool is the service's admission control for a backend. Without a limit, a traffic spike opens as many
connections as there are concurrent requests: the database runs out of connection slots (or memory) and
fails for every client, instead of the spike queueing briefly in the pool.

## Example
```python
engine = create_async_engine(DATABASE_URL, pool_size=20, max_overflow=-1)
```

## Use instead
```python
engine = create_async_engine(DATABASE_URL, pool_size=20, max_overflow=10, pool_timeout=30)
```

## Fix safety
No fix: the right limit depends on the backend's capacity.
"""

from __future__ import annotations

from fastapi_asynclint.libcst_on_use import cst, semantic
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._calls import UNKNOWN, CallRule, argument, literal

# name -> [(parameter, position or None, unbounded values, why)]
LIMITS = {
    "sqlalchemy.create_engine": [("max_overflow", None, (-1,), "no limit on overflow connections"),
                                 ("pool_size", None, (0,), "a pool size of 0 means no limit")],
    "sqlalchemy.ext.asyncio.create_async_engine": [("max_overflow", None, (-1,), "no limit on overflow connections"),
                                                   ("pool_size", None, (0,), "a pool size of 0 means no limit")],
    "asyncpg.create_pool": [("max_size", None, (None, 0), "no limit on connections")],
    "asyncpg.pool.create_pool": [("max_size", None, (None, 0), "no limit on connections")],
    "httpx.Limits": [("max_connections", 0, (None,), "no limit on connections")],
    "aiohttp.TCPConnector": [("limit", None, (0, None), "no limit on connections")],
    "aiohttp.connector.TCPConnector": [("limit", None, (0, None), "no limit on connections")],
    "pymongo.MongoClient": [("maxPoolSize", None, (0, None), "no limit on connections")],
    "motor.motor_asyncio.AsyncIOMotorClient": [("maxPoolSize", None, (0, None), "no limit on connections")],
    "redis.asyncio.ConnectionPool": [("max_connections", None, (None,), "no limit on connections")],
    "redis.asyncio.BlockingConnectionPool": [("max_connections", None, (None,), "no limit on connections")],
    "redis.ConnectionPool": [("max_connections", None, (None,), "no limit on connections")],
}


class UnboundedPool(CallRule):
    CODE = "FAL302"
    MESSAGE = "Connection pool without a limit"
    NAMES = frozenset(LIMITS)

    def check_call(self, node: cst.Call, name: str) -> None:
        poolclass = argument(node, "poolclass")
        if poolclass is not None and not (semantic.dotted_name(poolclass) or "").endswith("QueuePool"):
            return  # NullPool, StaticPool...: no overflow to bound
        for parameter, position, unbounded, why in LIMITS[name]:
            given = argument(node, parameter, position)
            value = literal(given)
            if given is not None and value is not UNKNOWN and value in unbounded and not isinstance(value, bool):
                self.report(given, f"`{name.rpartition('.')[2]}({parameter}={value!r})`: {why}; set a finite limit")

    VALID = [
        Valid(
            """
            import httpx
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("postgresql+asyncpg://db/app", pool_size=20, max_overflow=10)
            limits = httpx.Limits(max_connections=100, max_keepalive_connections=20)
            """
        ),
        Valid(
            """
            import aiohttp

            async def make():
                return aiohttp.TCPConnector(limit=100, limit_per_host=0)
            """,
            note="near miss: `limit_per_host=0` is bounded by `limit`",
        ),
        Valid(
            """
            from sqlalchemy import create_engine
            from sqlalchemy.pool import NullPool

            engine = create_engine("postgresql://db/app", poolclass=NullPool, max_overflow=-1)
            """,
            note="near miss: `max_overflow` is ignored without a queue pool",
        ),
    ]
    INVALID = [
        Invalid(
            """
            import aiohttp
            import asyncpg
            import httpx
            from sqlalchemy.ext.asyncio import create_async_engine

            engine = create_async_engine("postgresql+asyncpg://db/app", max_overflow=-1)  # FAL302:74
            limits = httpx.Limits(max_connections=None)  # FAL302

            async def startup():
                pool = await asyncpg.create_pool("postgresql://db/app", max_size=None)  # FAL302
                connector = aiohttp.TCPConnector(limit=0)  # FAL302
            """
        ),
    ]


RULE = UnboundedPool
