"""## What it does
Checks for a pydantic `BaseSettings` subclass (pydantic-settings, or pydantic v1's `BaseSettings`)
instantiated for every request: `Settings()` inside a route, a dependency or middleware that is not
cached, or the class used directly as a dependency (`settings: Settings = Depends(Settings)`).

## Why is this bad?
Building a settings object reads every environment variable and, with `env_file`, opens and parses the
`.env` file from disk, then validates every field — on each request. FastAPI's own documentation
("Settings and Environment Variables") recommends creating it once, with an `@lru_cache`d `get_settings`
dependency.

## Example
```python
def get_settings():
    return Settings()

@app.get("/info")
def info(settings: Settings = Depends(get_settings)):
    return {"app_name": settings.app_name}
```

## Use instead
```python
from functools import lru_cache

@lru_cache
def get_settings():
    return Settings()
```

## Fix safety
For a sync dependency without parameters, an unsafe fix adds `@lru_cache` (and the import). It is unsafe
because the settings are then read once: changes to the environment after the first request are no
longer picked up (which is the point, but may surprise tests that patch the environment).
"""

from __future__ import annotations

from typing import Optional

from fastapi_asynclint.catalog import canonical_name
from fastapi_asynclint.diagnostics import Applicability, Edit, Fix
from fastapi_asynclint.index.fastapi_model import DEPENDS
from fastapi_asynclint.index.project import ProjectIndex
from fastapi_asynclint.libcst_on_use import cst
from fastapi_asynclint.rule import Invalid, LintRule, RuleInput, Valid
from fastapi_asynclint.rules._calls import argument, definition_at, enclosing_def, request_scoped_kind

SETTINGS_BASES = frozenset({"pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings",
                            "pydantic.BaseSettings", "pydantic.v1.BaseSettings", "pydantic.env_settings.BaseSettings"})


def is_settings_class(index: ProjectIndex, target: Optional[str]) -> bool:
    resolved = index.resolve(target)
    if resolved.kind != "class":
        return False
    found = index.class_by_target(target)
    if found is None:
        return False
    return any(canonical_name(name) in SETTINGS_BASES for name in index.base_names(*found))


def _settings_sites(rule_input: RuleInput) -> frozenset:
    index = rule_input.index
    model = index.fastapi
    module = rule_input.summary.module
    found = set()
    for function in rule_input.summary.functions:
        key = f"{module}.{function.qualname}"
        per_request = model.is_per_request(key) and key not in model.cached
        for call in function.calls:
            if per_request and any(is_settings_class(index, target) for target in call.targets):
                found.add(function.qualname)
            if index.resolve(call.target).name in DEPENDS and call.args and is_settings_class(index, call.args[0]):
                found.add(definition_at(rule_input.summary, call.row) or function.qualname)
    return frozenset(found)


class SettingsPerRequest(LintRule):
    CODE = "FAL504"
    MESSAGE = "Settings built on every request"

    @classmethod
    def wants(cls, rule_input: RuleInput) -> bool:
        return bool(_settings_sites(rule_input))

    @classmethod
    def focus(cls, rule_input: RuleInput):
        return frozenset(name for name in _settings_sites(rule_input) if name != "<module>")

    def visit_Call(self, node: cst.Call) -> None:
        index = self.context.index
        targets = self.context.semantics.targets(node.func)
        if any(index.resolve(t).name in DEPENDS for t in targets):
            dependency = argument(node, "dependency", 0)
            if dependency is not None and any(
                is_settings_class(index, t) for t in self.context.semantics.targets(dependency)
            ):
                self.report(node, "`Depends(<settings class>)` builds the settings on every request; depend on an "
                                  "`@lru_cache`d `get_settings()` instead")
            return
        if not any(is_settings_class(index, t) for t in targets):
            return
        found = enclosing_def(self.context, node)
        if found is None:
            return
        function, key = found
        kind = request_scoped_kind(self.context, key)
        if kind is None:
            return
        self.report(
            node,
            f"Settings are built on every request in {kind} `{function.name.value}` (environment and .env file "
            "read and validated each time); create them once with an `@lru_cache`d `get_settings()`",
            fix=self._cache_fix(function, kind),
        )

    def _cache_fix(self, function: cst.FunctionDef, kind: str) -> Optional[Fix]:
        parameters = function.params
        if kind != "dependency" or function.asynchronous is not None or parameters.params or parameters.kwonly_params \
                or isinstance(parameters.star_arg, cst.Param) or parameters.star_kwarg is not None:
            return None
        anchor = function.decorators[0] if function.decorators else function
        start, _ = self.context.span(anchor)
        indent = " " * (start.column - 1)
        newline = self.context.module.default_newline
        return self.context.fix(
            Applicability.UNSAFE,
            f"Cache `{function.name.value}()` with `@lru_cache`",
            [Edit(f"@lru_cache{newline}{indent}", start, start), self.context.import_edit("functools", "lru_cache")],
        )

    VALID = [
        Valid(
            """
            from functools import lru_cache
            from fastapi import Depends, FastAPI
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                app_name: str = "demo"

            app = FastAPI()

            @lru_cache
            def get_settings():
                return Settings()

            @app.get("/info")
            def info(settings: Settings = Depends(get_settings)):
                return {"name": settings.app_name}
            """
        ),
        Valid(
            """
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                debug: bool = False

            settings = Settings()
            """,
            note="near miss: built once at import",
        ),
        Valid(
            """
            from fastapi import FastAPI
            from pydantic import BaseModel

            class Item(BaseModel):
                name: str = ""

            app = FastAPI()

            @app.post("/items")
            def create():
                return Item()
            """,
            note="near miss: a plain pydantic model, not settings",
        ),
    ]
    INVALID = [
        Invalid(
            """
            from fastapi import Depends, FastAPI
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                app_name: str = "demo"

            app = FastAPI()

            def get_settings():
                return Settings()  # FAL504

            @app.get("/info")
            def info(settings: Settings = Depends(get_settings)):
                return {"name": settings.app_name}

            @app.get("/direct")
            def direct(settings: Settings = Depends(Settings)):  # FAL504
                return {}
            """,
            fixed="""
            from functools import lru_cache

            from fastapi import Depends, FastAPI
            from pydantic_settings import BaseSettings

            class Settings(BaseSettings):
                app_name: str = "demo"

            app = FastAPI()

            @lru_cache
            def get_settings():
                return Settings()  # FAL504

            @app.get("/info")
            def info(settings: Settings = Depends(get_settings)):
                return {"name": settings.app_name}

            @app.get("/direct")
            def direct(settings: Settings = Depends(Settings)):  # FAL504
                return {}
            """,
            unsafe=True,
        ),
    ]


RULE = SettingsPerRequest
