"""## What it does
Checks for a constant URL fetched on every request: a GET to a literal (or module-level constant) URL with
no request-dependent `params`, `json` or `data`, made with `requests`, `httpx` (sync or async client),
`aiohttp` or `urllib.request.urlopen`, inside a GET route, a dependency or middleware. Cached functions
are not reported.

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

import libcst as cst

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
        if kind is None or any(argument(node, keyword) is not None for keyword in VARYING):
            return
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
            """
        ),
    ]


RULE = ConstantUrlFetchPerRequest
