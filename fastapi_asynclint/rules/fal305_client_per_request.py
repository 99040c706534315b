"""## What it does
Checks for HTTP clients, database engines and pools, and SDK clients created inside a route, a
dependency or middleware (including a pure ASGI middleware class's `__call__`), so that a new one is built for every request: `httpx.AsyncClient()`/`Client()`,
`aiohttp.ClientSession()`, `create_async_engine()`/`create_engine()`, `asyncpg.create_pool()`,
`redis.asyncio.Redis()`/`from_url()`, motor's `AsyncIOMotorClient()`, Elasticsearch, and the OpenAI and
Anthropic clients. A client created in the lifespan, at module level, in a cached dependency
(`@lru_cache`), or stored on `app.state`, is not reported; nor is a client that borrows a pool created
elsewhere: `httpx.AsyncClient(transport=shared_transport)`, or `aiohttp.ClientSession(connector=shared,
connector_owner=False)` (a transport or connector built in the call itself is still one per request).

## Why is this bad?
A client owns a connection pool. Creating one per request throws the pool away after one use: every
request pays a new TCP (and TLS) handshake, connections pile up in TIME_WAIT, keep-alive never helps, and
an engine or pool per request defeats the database's connection limit. It is also slow: building a
client loads SSL contexts and configuration each time.

## Example
```python
@app.get("/rates")
async def rates():
    async with httpx.AsyncClient() as client:
        return (await client.get(RATES_URL)).json()
```

## Use instead
```python
@asynccontextmanager
async def lifespan(app: FastAPI):
    async with httpx.AsyncClient() as client:
        app.state.http = client
        yield

@app.get("/rates")
async def rates(request: Request):
    return (await request.app.state.http.get(RATES_URL)).json()
```

## Fix safety
No fix: moving a client to the lifespan changes the application's structure.
"""

from __future__ import annotations

from fastapi_asynclint.index.fastapi_model import FastAPIModel
from fastapi_asynclint.libcst_on_use import cst, semantic
from fastapi_asynclint.rule import Invalid, RuleInput, Valid
from fastapi_asynclint.rules._calls import CallRule, enclosing_def, request_scoped_kind

CLIENTS = frozenset(
    {
        "httpx.AsyncClient", "httpx.Client", "aiohttp.ClientSession", "aiohttp.client.ClientSession",
        "sqlalchemy.ext.asyncio.create_async_engine", "sqlalchemy.create_engine", "sqlalchemy.engine.create_engine",
        "asyncpg.create_pool", "asyncpg.pool.create_pool", "redis.asyncio.Redis", "redis.asyncio.from_url",
        "redis.asyncio.Redis.from_url", "redis.asyncio.client.Redis", "motor.motor_asyncio.AsyncIOMotorClient",
        "elasticsearch.AsyncElasticsearch", "openai.AsyncOpenAI", "openai.OpenAI", "anthropic.AsyncAnthropic",
        "anthropic.Anthropic", "requests.Session",
    }
)


class ClientPerRequest(CallRule):
    CODE = "FAL305"
    MESSAGE = "Client created per request"
    NAMES = CLIENTS

    @classmethod
    def scope_filter(cls, rule_input: RuleInput):
        model: FastAPIModel = rule_input.index.fastapi
        module = rule_input.summary.module
        return lambda function: model.is_per_request(f"{module}.{function.qualname}")

    def __init__(self, context) -> None:
        super().__init__(context)
        self._kept = set()

    def visit_Assign(self, node: cst.Assign) -> None:
        if any(".state." in f".{semantic.dotted_name(target.target) or ''}" for target in node.targets):
            self._kept.add(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and ".state." in f".{semantic.dotted_name(node.target) or ''}":
            self._kept.add(node.value)

    def check_call(self, node: cst.Call, name: str) -> None:
        found = enclosing_def(self.context, node)
        if found is None or node in self._kept or _borrows_a_pool(node):
            return
        kind = request_scoped_kind(self.context, found[1])
        if kind is None:
            return
        short = name.replace("sqlalchemy.ext.asyncio.", "").replace("motor.motor_asyncio.", "")
        self.report(
            node,
            f"`{short}()` is created on every request in {kind} `{found[0].name.value}`: create it once "
            "(in the lifespan, at module level, or in an `@lru_cache` dependency) and reuse its connection pool",
        )

    VALID = [
        Valid(
            """
            import httpx
            from fastapi import FastAPI, Request

            app = FastAPI()
            shared_transport = httpx.AsyncHTTPTransport(retries=2)

            @app.get("/proxy")
            async def proxy(request: Request):
                async with httpx.AsyncClient(transport=shared_transport, cookies=request.cookies) as client:
                    return (await client.get("https://upstream.example.com")).json()
            """,
            note="a client per request on purpose (its own cookies) over a shared transport, which holds the pool",
        ),
        Valid(
            """
            import aiohttp
            from fastapi import FastAPI

            app = FastAPI()
            connector = aiohttp.TCPConnector(limit=100)

            @app.get("/proxy")
            async def proxy():
                async with aiohttp.ClientSession(connector=connector, connector_owner=False) as session:
                    async with session.get("https://upstream.example.com") as response:
                        return await response.json()
            """,
            note="a session over a shared connector that it does not own",
        ),
        Valid(
            """
            from contextlib import asynccontextmanager

            import httpx
            from fastapi import FastAPI, Request

            @asynccontextmanager
            async def lifespan(app: FastAPI):
                async with httpx.AsyncClient() as client:
                    app.state.http = client
                    yield

            app = FastAPI(lifespan=lifespan)

            @app.get("/rates")
            async def rates(request: Request):
                return (await request.app.state.http.get("https://rates.example.com")).json()
            """
        ),
        Valid(
            """
            import httpx
            from fastapi import FastAPI

            app = FastAPI()
            client = httpx.AsyncClient()

            @app.get("/rates")
            async def rates():
                return (await client.get("https://rates.example.com")).json()
            """,
            note="near miss: a module-level client used by the route",
        ),
        Valid(
            """
            from functools import lru_cache

            import httpx
            from fastapi import Depends, FastAPI

            app = FastAPI()

            @lru_cache
            def get_client():
                return httpx.Client()

            @app.get("/rates")
            def rates(client: httpx.Client = Depends(get_client)):
                return client.get("https://rates.example.com").json()
            """,
            note="near miss: a cached dependency builds the client once",
        ),
        Valid(
            """
            import httpx

            async def nightly_sync():
                async with httpx.AsyncClient() as client:
                    await client.get("https://example.com")
            """,
            note="near miss: not a route or dependency",
        ),
        Valid(
            """
            import httpx

            class AuditMiddleware:
                def __init__(self, app):
                    self.app = app

                async def __call__(self, scope, receive, send):
                    async with httpx.AsyncClient() as client:
                        await client.post("https://audit.example.com", json={"path": scope["path"]})
                    await self.app(scope, receive, send)
            """,
            note="near miss: a middleware class no app registers",
        ),
    ]
    INVALID = [
        Invalid(
            """
            import aiohttp
            import httpx
            from fastapi import FastAPI

            app = FastAPI()
            connector = aiohttp.TCPConnector(limit=100)

            @app.get("/proxy")
            async def proxy():
                async with httpx.AsyncClient(transport=httpx.AsyncHTTPTransport(retries=2)) as client:  # FAL305
                    await client.get("https://upstream.example.com")
                async with aiohttp.ClientSession(connector=connector) as session:  # FAL305
                    return await (await session.get("https://upstream.example.com")).json()
            """,
            note="near miss: a transport built in the call, and a connector the session owns (and closes)",
        ),
        Invalid(
            """
            import aiohttp
            import httpx
            from fastapi import Depends, FastAPI
            from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

            app = FastAPI()

            async def get_session():
                engine = create_async_engine("postgresql+asyncpg://db/app")  # FAL305
                async with AsyncSession(engine) as session:
                    yield session

            @app.get("/rates")
            async def rates(session=Depends(get_session)):
                async with httpx.AsyncClient() as client:  # FAL305
                    await client.get("https://rates.example.com")
                async with aiohttp.ClientSession() as http:  # FAL305
                    await http.get("https://example.com")
            """
        ),
        Invalid(
            """
            import httpx
            from fastapi import FastAPI
            from starlette.middleware import Middleware

            class AuditMiddleware:
                def __init__(self, app):
                    self.app = app

                async def __call__(self, scope, receive, send):
                    async with httpx.AsyncClient() as client:  # FAL305
                        await client.post("https://audit.example.com", json={"path": scope["path"]})
                    await self.app(scope, receive, send)

            class TraceMiddleware:
                def __init__(self, app):
                    self.app = app

                async def __call__(self, scope, receive, send):
                    async with httpx.AsyncClient() as client:  # FAL305
                        await client.post("https://trace.example.com", json={"path": scope["path"]})
                    await self.app(scope, receive, send)

            app = FastAPI(middleware=[Middleware(TraceMiddleware)])
            app.add_middleware(AuditMiddleware)
            """,
            note="pure ASGI middleware classes run their `__call__` on every request",
        ),
        Invalid(
            """
            import httpx
            from fastapi import APIRouter
            from starlette.routing import Route

            router = APIRouter()

            async def rates():
                async with httpx.AsyncClient() as client:  # FAL305
                    return (await client.get("https://rates.example.com")).json()

            async def health(request):
                async with httpx.AsyncClient() as client:  # FAL305
                    await client.get("https://upstream.example.com/health")

            router.add_api_route("/rates", rates, methods=["GET"])
            routes = [Route("/health", endpoint=health)]
            """,
            note="endpoints registered without a decorator serve requests too",
        ),
    ]


RULE = ClientPerRequest


def _borrows_a_pool(node: cst.Call) -> bool:
    """The client is handed a transport or connector made elsewhere, which holds the connection pool."""
    keywords = {arg.keyword.value: arg.value for arg in node.args if arg.keyword is not None}
    transport = keywords.get("transport")
    if transport is not None and not isinstance(transport, cst.Call):
        return True
    connector, owner = keywords.get("connector"), keywords.get("connector_owner")
    return (
        connector is not None and not isinstance(connector, cst.Call)
        and isinstance(owner, cst.Name) and owner.value == "False"
    )
