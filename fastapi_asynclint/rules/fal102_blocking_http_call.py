"""## What it does
Checks for synchronous HTTP requests made by an `async def` function: `requests` (module functions and
`Session` methods), `httpx`'s module functions and sync `Client`, `urllib.request.urlopen`, `urllib3`,
`http.client` connections and `xmlrpc.client`, directly, through aliases, or through sync helpers in any
module of the project (the finding names the chain: `load_profile() -> fetch_json() -> requests.get`).
A client is followed where it is kept: on a state object (`app.state.http = httpx.Client()` in a lifespan,
then `request.app.state.http.get(...)` in a route), or in a container whose items are all clients
(`CLIENTS = {"a": httpx.Client(...), ...}` then `CLIENTS[name].get(...)`, a parameter annotated
`list[httpx.Client]`, a `for client in CLIENTS.values():` loop).

## Why is this bad?
A sync HTTP call waits for the network while holding the event loop: every other request served by the
worker stalls for the full round trip, and a slow upstream turns into an outage of the whole service.

## Example
```python
import requests

@app.get("/weather")
async def weather(city: str):
    return requests.get(f"https://api.example.com/{city}").json()
```

## Use instead
```python
import httpx

@app.get("/weather")
async def weather(city: str, request: Request):
    response = await request.app.state.http.get(f"https://api.example.com/{city}")
    return response.json()
```
(one `httpx.AsyncClient` created in the lifespan), or keep the sync client and declare the route with
`def`, so FastAPI runs it in its threadpool.

## Fix safety
Both fixes are unsafe. In a route or dependency that never awaits, the fix declares it with `def`:
FastAPI then runs it in its threadpool, which changes how many such requests can run at once. Elsewhere
the call is moved to a worker thread: `requests.get(url)` becomes
`await asyncio.to_thread(requests.get, url)` (or `await run_in_threadpool(...)` /
`await anyio.to_thread.run_sync(...)` when the file already uses those); the code then runs on another
thread, which matters for objects that are not thread-safe. The call is not moved when it heads a `with`
statement or sits in a comprehension or lambda; its text, comments included, is kept.
"""

from fastapi_asynclint.catalog import Category
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._blocking import BlockingCallRule


# Shared by a near miss and a positive example: prefect-style dual sync/async functions.
_DUAL = """
import functools

import httpx

def async_dispatch(async_impl):
    def decorator(sync_fn):
        @functools.wraps(sync_fn)
        def wrapper(*args, _sync=None, **kwargs):
            return (sync_fn if _sync else async_impl)(*args, **kwargs)
        return wrapper
    return decorator

async def aload(name):
    async with httpx.AsyncClient() as client:
        return (await client.get(f"https://api.example.com/{name}")).json()

@async_dispatch(aload)
def load(name):
    return httpx.get(f"https://api.example.com/{name}").json()

class Block:
    @classmethod
    async def aget(cls, name):
        return await aload(name)

    @classmethod
    @async_dispatch(aget)
    def get(cls, name):
        return httpx.get(f"https://api.example.com/{name}").json()
"""


class BlockingHttpCall(BlockingCallRule):
    CODE = "FAL102"
    CATEGORY = Category.HTTP
    MESSAGE = "Blocking HTTP call in async function"

    VALID = [
        Valid(
            """
            import httpx
            from fastapi import FastAPI

            app = FastAPI()

            class Image:
                def __init__(self, content: bytes = b"", url: str = ""):
                    self.content = content
                    self.url = url

                def get_bytes(self) -> bytes:
                    if self.content:
                        return self.content
                    return httpx.get(self.url).content

                def to_dict(self, include_content: bool = True) -> dict:
                    if include_content and self.content:
                        return {"content": self.get_bytes()}
                    return {"url": self.url}

            @app.post("/images")
            async def describe(image: Image):
                return image.to_dict()
            """,
            note="near miss: the caller's own test (`self.content` is set) rules out the helper's download",
        ),
        Valid(
            files={
                "app/clients.py": '''
                    import httpx
                    import requests

                    HTTP = {"sync": requests.Session(), "async": httpx.AsyncClient()}

                    async def lifespan(app):
                        app.state.http = httpx.AsyncClient()
                        yield
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI, Request
                    from app.clients import HTTP, lifespan

                    app = FastAPI(lifespan=lifespan)

                    @app.get("/a")
                    async def a(request: Request):
                        response = await request.app.state.http.get("/a")
                        return await HTTP["async"].get(response.json()["next"])
                    ''',
            },
            note="near miss: the state holds an async client; a container of mixed clients is not assumed to hold either",
        ),
        Valid(
            """
            import httpx

            async def fetch(url):
                async with httpx.AsyncClient() as client:
                    return await client.get(url)
            """
        ),
        Valid(
            """
            import requests
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/")
            def sync_route():
                return requests.get("https://example.com").text
            """,
            note="a `def` route runs in the threadpool",
        ),
        Valid(
            """
            import asyncio
            import requests

            async def offloaded(url):
                return await asyncio.to_thread(requests.get, url)
            """
        ),
        Valid(
            """
            async def handler(requests):
                return requests.get("key")
            """,
            note="near miss: a parameter called `requests` (a dict, say) is not the library",
        ),
        Valid(
            """
            import httpx

            client = httpx.AsyncClient()

            async def handler():
                return await client.get("https://example.com")
            """,
            note="near miss: `get` on an async client",
        ),
        Valid(
            files={
                "app/__init__.py": "",
                "app/http.py": '''
                    import requests

                    def fetch_json(url):
                        return requests.get(url).json()
                    ''',
                "app/routes.py": '''
                    from app.http import fetch_json

                    def report():
                        return fetch_json("https://example.com")
                    ''',
            },
            note="near miss: a blocking helper only called from sync code",
        ),
        Valid(
            files={
                "dual.py": _DUAL,
                "app.py": """
                    from dual import Block, load

                    async def handler(name):
                        pending, block = load(name), Block.get(name)
                        return await pending, await block
                    """,
            },
            note="near miss: a decorator given a coroutine function (prefect's `@async_dispatch`) runs it from async code",
        ),
        Valid(
            files={
                "app/catalog.py": '''
                    import cachetools
                    import requests

                    _catalog = None

                    def _get_catalog():
                        global _catalog
                        if _catalog is None:
                            _catalog = cachetools.TTLCache(maxsize=256, ttl=3600)
                        return _catalog

                    def prices(provider):
                        catalog = _get_catalog()
                        if provider in catalog:
                            return catalog[provider]
                        result = requests.get(f"https://prices.example.com/{provider}.json").json()
                        catalog[provider] = result
                        return result
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI
                    from app.catalog import prices

                    app = FastAPI()

                    @app.get("/prices/{provider}")
                    async def price_list(provider: str):
                        return prices(provider)
                    ''',
            },
            note="near miss: a fetch whose result fills a cache the module keeps (a local bound to what its getter "
            "hands out) runs once per key, like an `lru_cache`",
        ),
        Valid(
            """
            import requests


            class Store:
                def __init__(self):
                    self._columns = None
                    self.columns()

                def columns(self):
                    if self._columns is None:
                        self._columns = requests.get("https://db.example.com/columns").json()
                    return self._columns


            async def describe(store: Store):
                return store.columns()
            """,
            note="near miss: a memo on `self` that the constructor fills by calling the method",
        ),
        Valid(
            """
            import requests

            _config = None


            async def handler():
                global _config
                if _config is None:
                    _config = requests.get("https://config.example.com/app.json").json()
                return _config
            """,
            note="a coroutine that fills a module-level cache: the request runs once per process, as through a "
            "cached helper",
        ),
    ]

    INVALID = [
        Invalid(
            files={
                "app/lifespan.py": '''
                    from contextlib import asynccontextmanager
                    import httpx
                    from fastapi import FastAPI

                    @asynccontextmanager
                    async def lifespan(app: FastAPI):
                        app.state.http = httpx.Client(base_url="https://partner.example.com")
                        yield
                        app.state.http.close()
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI, Request
                    from app.lifespan import lifespan

                    app = FastAPI(lifespan=lifespan)

                    @app.get("/orders/{order_id}")
                    async def order(order_id: int, request: Request):
                        await request.body()
                        return request.app.state.http.get(f"/orders/{order_id}").json()  # FAL102
                    ''',
            },
            note="a sync client a lifespan in another module keeps on `app.state`",
        ),
        Invalid(
            files={
                "app/catalog.py": '''
                    import requests

                    _catalog = {}

                    def _new_catalog():
                        catalog = {}
                        return catalog

                    def prices(provider):
                        catalog = _new_catalog()
                        if provider in catalog:
                            return catalog[provider]
                        result = requests.get(f"https://prices.example.com/{provider}.json").json()
                        catalog[provider] = result
                        return result

                    def _get_catalog():
                        return _catalog

                    def rates(provider):
                        catalog = _get_catalog()
                        if provider in catalog:
                            return catalog[provider]
                        catalog = {}
                        result = requests.get(f"https://rates.example.com/{provider}.json").json()
                        catalog[provider] = result
                        return result
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI
                    from app.catalog import prices, rates

                    app = FastAPI()

                    @app.get("/prices/{provider}")
                    async def price_list(provider: str):
                        listed = prices(provider)  # FAL102
                        return listed, rates(provider)  # FAL102
                    ''',
            },
            note="near miss: a getter that makes a new container each call, and a local bound twice, keep nothing",
        ),
        Invalid(
            """
            import requests


            class Notifier:
                def __init__(self):
                    self._started = False

                def send(self):
                    if not self._started:
                        return
                    requests.post("https://hooks.example.com")


            class Service:
                def __init__(self):
                    self._started = False

                def stop(self):
                    if not self._started:
                        return
                    self._started = False
                    requests.post("https://hooks.example.com/stopped")


            class Lazy:
                def __init__(self, session=None):
                    self._session = session

                def session(self):
                    if self._session is None:
                        self._session = requests.Session()
                        self._session.get("https://example.com/login")
                    return self._session


            async def notify(notifier: Notifier, lazy: Lazy, service: Service):
                notifier.send()  # FAL102
                service.stop()  # FAL102
                return lazy.session()  # FAL102
            """,
            note="near miss: a flag the method never clears is a switch, not a cache, and so is one the "
            "constructor only starts at False; a slot the constructor sets from an argument may still be None",
        ),
        Invalid(
            files={
                "app/clients.py": '''
                    import httpx

                    REGIONS = {
                        "eu": httpx.Client(base_url="https://eu.example.com"),
                        "us": httpx.Client(base_url="https://us.example.com"),
                    }
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI
                    import httpx
                    from app.clients import REGIONS

                    app = FastAPI()

                    @app.get("/status/{region}")
                    async def status(region: str):
                        await audit(region)
                        return REGIONS[region].get("/status").json()  # FAL102

                    async def ping_all(clients: list[httpx.Client]):
                        for client in REGIONS.values():
                            client.get("/ping")  # FAL102
                        clients[0].get("/ping")  # FAL102
                    ''',
            },
            note="clients kept in a container: a subscript, a loop over its values, an annotated list",
        ),
        Invalid(
            """
            import requests
            from requests import get as fetch
            import urllib.request as u
            import httpx

            async def handler(url):
                requests.get(url)  # FAL102
                fetch(url)  # FAL102
                u.urlopen(url)  # FAL102
                httpx.post(url, json={})  # FAL102
            """
        ),
        Invalid(
            """
            import httpx
            import requests

            client = httpx.Client()

            async def handler(url):
                with requests.Session() as session:
                    session.get(url)  # FAL102
                client.get(url)  # FAL102
            """,
            note="methods of sync clients, module-level or local",
        ),
        Invalid(
            files={
                "app/__init__.py": "",
                "app/http.py": '''
                    import requests

                    def fetch_json(url):
                        return requests.get(url).json()
                    ''',
                "app/services/__init__.py": '''
                    from .profiles import load_profile
                    ''',
                "app/services/profiles.py": '''
                    from ..http import fetch_json

                    def load_profile(user_id):
                        return fetch_json(f"https://example.com/users/{user_id}")
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI
                    from app.services import load_profile

                    app = FastAPI()

                    @app.get("/users/{user_id}")
                    async def profile(user_id: int):
                        return load_profile(user_id)  # FAL102
                    ''',
            },
            message="`load_profile()` blocks the event loop in async function `profile`: "
            "load_profile() -> fetch_json() -> requests.get",
            note="two hops through a package re-export and a relative import",
        ),
        Invalid(
            """
            import requests
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/")
            async def index():
                return requests.get("https://example.com").text  # FAL102
            """,
            fixed="""
            import requests
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/")
            def index():
                return requests.get("https://example.com").text  # FAL102
            """,
            unsafe=True,
            note="a route that never awaits becomes `def` (unsafe fix)",
        ),
        Invalid(
            """
            import requests
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/")
            async def index(request: Request):
                body = await request.body()
                reply = requests.post(  # FAL102
                    "https://example.com",
                    data=body,
                )
                return requests.get("https://example.com").json()  # FAL102
            """,
            fixed="""
            import asyncio

            import requests
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/")
            async def index(request: Request):
                body = await request.body()
                reply = await asyncio.to_thread(  # FAL102
                    requests.post,
                    "https://example.com",
                    data=body,
                )
                return (
                    await asyncio.to_thread(requests.get, "https://example.com")
                ).json()  # FAL102
            """,
            unsafe=True,
            note="a route that awaits: the calls move to a worker thread (unsafe fix)",
        ),
        Invalid(
            """
            import anyio
            import requests

            async def refresh(url):
                await anyio.sleep(1)
                requests.get(url)  # FAL102
                requests.get(url, timeout=5)  # FAL102
                with requests.get(url, stream=True) as response:  # FAL102
                    return [requests.get(link) for link in response.links]  # FAL102
            """,
            fixed="""
            import functools

            import anyio
            import requests

            async def refresh(url):
                await anyio.sleep(1)
                await anyio.to_thread.run_sync(requests.get, url)  # FAL102
                await anyio.to_thread.run_sync(
                    functools.partial(requests.get, url, timeout=5)
                )  # FAL102
                with requests.get(url, stream=True) as response:  # FAL102
                    return [requests.get(link) for link in response.links]  # FAL102
            """,
            unsafe=True,
            note="a file that uses anyio gets anyio's runner; `with` headers and comprehensions keep their call",
        ),
        Invalid(
            files={
                "dual.py": _DUAL,
                "app.py": """
                    from dual import load

                    async def handler(name):
                        return load(name, _sync=True)  # FAL102
                    """,
            },
            note="`_sync=True` asks a dual sync/async function for its sync body",
        ),
    ]


RULE = BlockingHttpCall
