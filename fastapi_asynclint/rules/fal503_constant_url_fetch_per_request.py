"""## What it does
Checks for a constant URL fetched on every request: a GET to a literal (or module-level constant) URL with
no request-dependent `params`, `json` or `data`, made with `requests`, `httpx` (sync or async client),
`aiohttp` or `urllib.request.urlopen`, inside a GET route, a dependency or middleware; a client kept on
a state object (`app.state.http = httpx.AsyncClient()` in a lifespan) is followed. Cached functions
are not reported, nor is a fetch made on the caller's behalf (`auth=`, `cookies=`, or headers that are
not constant, such as the caller's `Authorization`): its answer is the caller's own, and caching it
would hand one user's data to another.

## Why is this bad?
Every request waits for the same upstream round trip and returns the same answer: the latency of the
upstream is added to every response, the upstream sees your full traffic (and may rate-limit it), and its
outage becomes yours. Configuration, feature flags, exchange rates and public keys (JWKS) rarely change
between two requests.

## Example
```python
@app.get("/checkout")
async def checkout(request: Request):
    rates = (await request.app.state.http.get("https://rates.example.com/latest")).json()
```

## Use instead
```python
from async_lru import alru_cache

@alru_cache(ttl=300)
async def latest_rates():
    return (await http.get("https://rates.example.com/latest")).json()
```

## Fix safety
No fix: how long the value may be cached is a product decision.
"""

from __future__ import annotations

from fastapi_asynclint.libcst_on_use import cst
from fastapi_asynclint.rule import Invalid, RuleInput, Valid
from fastapi_asynclint.rules._calls import CallRule, argument, enclosing_def, is_constant, literal, per_request_read_kind
from fastapi_asynclint.rules.fal502_constant_file_read_per_request import read_scope

GETTERS = frozenset(
    {
        "requests.get", "requests.Session.get", "httpx.get", "httpx.Client.get", "httpx.AsyncClient.get",
        "aiohttp.ClientSession.get", "urllib.request.urlopen",
    }
)
VARYING = ("params", "json", "data", "content", "files")
# Who the request is made for: a response to these is the caller's own, not shareable.
CREDENTIALS = ("auth", "cookies")


class ConstantUrlFetchPerRequest(CallRule):
    CODE = "FAL503"
    MESSAGE = "Constant URL fetched on every request"
    NAMES = GETTERS

    @classmethod
    def scope_filter(cls, rule_input: RuleInput):
        return read_scope(rule_input)

    def check_call(self, node: cst.Call, name: str) -> None:
        found = enclosing_def(self.context, node)
        if found is None:
            return
        kind = per_request_read_kind(self.context, found[1])
        if kind is None or any(argument(node, keyword) is not None for keyword in (*VARYING, *CREDENTIALS)):
            return
        if not _constant_headers(self.context, argument(node, "headers")):
            return  # made on the caller's behalf (its token, its cookies)
        url = argument(node, "url", 0)
        if not is_constant(self.context, url):
            return
        text = literal(url)
        if isinstance(text, str) and "://" not in text:
            return  # a relative path for a client with a base URL, or not a URL at all
        self.report(
            node,
            f"The same URL is fetched on every request in {kind} `{found[0].name.value}`: cache the response "
            "(`alru_cache(ttl=...)`, a lifespan-loaded value refreshed in the background)",
        )

    VALID = [
        Valid(
            """
            import httpx
            from fastapi import FastAPI, Request

            app = FastAPI()
            http = httpx.AsyncClient()

            @app.get("/me")
            async def me(request: Request):
                headers = {"Authorization": request.headers["authorization"]}
                return (await http.get("https://api.example.com/v1/me", headers=headers)).json()

            @app.get("/repos")
            async def repos(token: str):
                return (await http.get("https://api.github.com/user/repos", auth=("me", token))).json()
            """,
            note="near miss: a constant URL fetched with the caller's credentials is not cacheable",
        ),
        Valid(
            """
            import httpx
            from fastapi import FastAPI

            app = FastAPI()
            http = httpx.AsyncClient()

            @app.get("/users/{user_id}")
            async def user(user_id: int):
                return (await http.get(f"https://users.example.com/{user_id}")).json()
            """,
            note="near miss: the URL depends on the request",
        ),
        Valid(
            """
            import httpx
            from fastapi import FastAPI

            app = FastAPI()
            http = httpx.AsyncClient()

            @app.get("/search")
            async def search(q: str):
                return (await http.get("https://search.example.com", params={"q": q})).json()
            """,
            note="near miss: a constant URL with request-dependent parameters",
        ),
        Valid(
            """
            import httpx
            from fastapi import FastAPI

            app = FastAPI()
            http = httpx.AsyncClient()

            @app.post("/orders")
            async def order():
                await http.get("https://stock.example.com/levels")
            """,
            note="near miss: not a read endpoint",
        ),
    ]
    INVALID = [
        Invalid(
            files={
                "app/lifespan.py": '''
                    from contextlib import asynccontextmanager
                    import httpx

                    @asynccontextmanager
                    async def lifespan(app):
                        async with httpx.AsyncClient() as client:
                            yield {"http": client}
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI, Request
                    from app.lifespan import lifespan

                    app = FastAPI(lifespan=lifespan)

                    @app.get("/checkout")
                    async def checkout(request: Request):
                        rates = await request.state.http.get("https://rates.example.com/latest")  # FAL503
                        return rates.json()
                    ''',
            },
            note="the client a lifespan in another module yields as state (`request.state.http`)",
        ),
        Invalid(
            """
            import httpx
            import requests
            from fastapi import Depends, FastAPI

            app = FastAPI()
            http = httpx.AsyncClient()
            JWKS_URL = "https://auth.example.com/.well-known/jwks.json"

            def get_keys():
                return requests.get(JWKS_URL, timeout=5).json()  # FAL503

            @app.get("/rates")
            async def rates(keys=Depends(get_keys)):
                return (await http.get("https://rates.example.com/latest")).json()  # FAL503

            @app.get("/status")
            async def status():
                return (await http.get("https://status.example.com/v1", headers={"Accept": "application/json"})).json()  # FAL503
            """
        ),
    ]


def _constant_headers(context, headers) -> bool:
    """Whether the request's headers (if any) are the same for every caller: a dict whose values are constant."""
    if headers is None:
        return True
    if isinstance(headers, cst.Dict):
        return all(
            isinstance(element, cst.DictElement) and is_constant(context, element.key) and is_constant(context, element.value)
            for element in headers.elements
        )
    return is_constant(context, headers)


RULE = ConstantUrlFetchPerRequest
