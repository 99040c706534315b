"""## What it does
Checks for a file with a constant path read on every request: `open("config.json")`,
`Path(__file__).parent / "prices.yaml"` read with `read_text()`/`read_bytes()`/`open()`, or
`pandas.read_csv(DATA_FILE)`, inside a GET route, a dependency or middleware (sync or async). Paths built
only from literals, `__file__` and module-level constants count as constant. A function decorated with a
cache (`lru_cache`, `alru_cache`, `cachetools`, `aiocache`, `fastapi-cache`) is not reported.

## Why is this bad?
The file says the same thing on every request, yet every request pays for the disk read and the parsing
(JSON, YAML, CSV), and in an `async def` the read also blocks the event loop. Under load this is pure
waste that scales with traffic.

## Example
```python
@app.get("/plans")
def plans():
    with open("plans.json") as handle:
        return json.load(handle)
```

## Use instead
```python
PLANS = json.loads(Path("plans.json").read_text())  # once, at import or in the lifespan

@app.get("/plans")
def plans():
    return PLANS
```
or a cached loader (`@lru_cache def load_plans(): ...`).

## Fix safety
No fix: where to load the data once (import time, lifespan, a cached function) is the application's call.
"""

from __future__ import annotations

from fastapi_asynclint.libcst_on_use import cst
from fastapi_asynclint.rule import Invalid, RuleInput, Valid
from fastapi_asynclint.rules._calls import CallRule, argument, enclosing_def, is_constant, literal, per_request_read_kind

OPENERS = frozenset({"builtins.open", "io.open", "codecs.open"})
PATH_READS = frozenset({"pathlib.Path.read_text", "pathlib.Path.read_bytes", "pathlib.Path.open"})
LOADERS = frozenset({"pandas.read_csv", "pandas.read_json", "pandas.read_parquet", "pandas.read_excel", "numpy.load"})
READ_METHODS = frozenset({"read_text", "read_bytes", "open"})


def read_scope(rule_input: RuleInput):
    model = rule_input.index.fastapi
    module = rule_input.summary.module

    def wanted(function) -> bool:
        key = f"{module}.{function.qualname}"
        return key not in model.cached and (
            model.routes.get(key) in ("get", "head", "any") or key in model.dependencies or key in model.middleware
        )

    return wanted


class ConstantFileReadPerRequest(CallRule):
    CODE = "FAL502"
    MESSAGE = "Constant file read on every request"
    NAMES = OPENERS | PATH_READS | LOADERS

    @classmethod
    def scope_filter(cls, rule_input: RuleInput):
        return read_scope(rule_input)

    def check_call(self, node: cst.Call, name: str) -> None:
        found = enclosing_def(self.context, node)
        if found is None:
            return
        kind = per_request_read_kind(self.context, found[1])
        if kind is None or not self._constant_read(node, name):
            return
        self.report(
            node,
            f"A constant file is read on every request in {kind} `{found[0].name.value}`: load it once "
            "(at start-up, in the lifespan, or in an `@lru_cache` function) and reuse it",
        )

    def _constant_read(self, node: cst.Call, name: str) -> bool:
        if name in OPENERS:
            mode = literal(argument(node, "mode", 1))
            if isinstance(mode, str) and any(flag in mode for flag in "wax+"):
                return False
            return is_constant(self.context, argument(node, "file", 0))
        if name in PATH_READS:
            func = node.func
            return isinstance(func, cst.Attribute) and func.attr.value in READ_METHODS and is_constant(
                self.context, func.value
            )
        return is_constant(self.context, node.args[0].value if node.args else None)

    VALID = [
        Valid(
            """
            import json
            from pathlib import Path
            from fastapi import FastAPI

            app = FastAPI()
            PLANS = json.loads(Path(__file__).with_name("plans.json").read_text())

            @app.get("/plans")
            def plans():
                return PLANS
            """
        ),
        Valid(
            """
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/files/{name}")
            def download(name: str):
                with open(f"uploads/{name}", "rb") as handle:
                    return handle.read()
            """,
            note="near miss: the path depends on the request",
        ),
        Valid(
            """
            from functools import lru_cache
            from fastapi import Depends, FastAPI

            app = FastAPI()

            @lru_cache
            def load_plans():
                with open("plans.json") as handle:
                    return handle.read()

            @app.get("/plans")
            def plans(data=Depends(load_plans)):
                return data
            """,
            note="near miss: a cached dependency reads the file once",
        ),
        Valid(
            """
            from fastapi import FastAPI

            app = FastAPI()

            @app.post("/audit")
            def audit(line: str):
                with open("audit.log", "a") as handle:
                    handle.write(line)
            """,
            note="near miss: writing a log is not a hot read",
        ),
    ]
    INVALID = [
        Invalid(
            """
            import json
            from pathlib import Path
            from fastapi import Depends, FastAPI

            app = FastAPI()
            BASE = Path(__file__).parent
            PRICES = BASE / "prices.json"

            def get_config():
                with open("config.json") as handle:  # FAL502
                    return json.load(handle)

            @app.get("/prices")
            async def prices(config=Depends(get_config)):
                return json.loads(PRICES.read_text())  # FAL502

            @app.get("/terms")
            def terms():
                return Path("terms.md").read_text(encoding="utf-8")  # FAL502
            """
        ),
    ]


RULE = ConstantFileReadPerRequest
