"""FastAPI's view of the project: which functions are routes, dependencies, middleware and background tasks.

FastAPI decides how a function runs: `def` routes, dependencies and background tasks go to a threadpool,
`async def` ones run on the event loop; a dependency (or middleware) runs on every request it serves.
This is read off the index summaries: route decorators, `Depends(...)`/`Security(...)` anywhere (defaults,
`Annotated` metadata, `dependencies=[...]`), `@app.middleware("http")`, `BaseHTTPMiddleware.dispatch`, the
`__call__` of a pure ASGI middleware class handed to `app.add_middleware(...)` or `Middleware(...)`, and
endpoints registered without a decorator: `app.add_api_route(path, endpoint)`, `APIRoute(path, endpoint)`,
Starlette's `Route(path, endpoint)` and their websocket forms.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, Iterable, NamedTuple, Optional, Set, Tuple

from fastapi_asynclint.index.summary import Call, Function, ModuleSummary

ROUTE_OWNERS = frozenset(
    {
        "fastapi.FastAPI", "fastapi.APIRouter", "fastapi.applications.FastAPI", "fastapi.routing.APIRouter",
        "starlette.applications.Starlette", "starlette.routing.Router",
    }
)
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "options", "head", "trace"})
ANY_METHOD = frozenset({"api_route", "route"})
WEBSOCKET = frozenset({"websocket", "websocket_route"})
DEPENDS = frozenset({"fastapi.Depends", "fastapi.Security", "fastapi.params.Depends", "fastapi.params.Security"})
MIDDLEWARE_BASES = frozenset(
    {"starlette.middleware.base.BaseHTTPMiddleware", "fastapi.middleware.base.BaseHTTPMiddleware"}
)
# What registers a middleware class, by its first argument: the app's method and Starlette's record of one.
MIDDLEWARE_REGISTRARS = frozenset(
    {*(f"{owner}.add_middleware" for owner in ROUTE_OWNERS), "starlette.middleware.Middleware", "fastapi.middleware.Middleware"}
)
# What registers an endpoint given as its second argument (or `endpoint=`), with the method it serves.
ROUTE_REGISTRARS = {
    **{f"{owner}.{method}": "any" for owner in ROUTE_OWNERS for method in ("add_api_route", "add_route")},
    **{f"{owner}.{method}": "websocket" for owner in ROUTE_OWNERS for method in ("add_api_websocket_route", "add_websocket_route")},
    "fastapi.routing.APIRoute": "any", "starlette.routing.Route": "any",
    "fastapi.routing.APIWebSocketRoute": "websocket", "starlette.routing.WebSocketRoute": "websocket",
}
UNSEEN_ROUTER_METHODS = {"add_api_route": "any", "add_api_websocket_route": "websocket"}
# Decorators that make a function return one remembered value instead of recomputing it per call.
CACHE_DECORATORS = frozenset(
    {
        "functools.lru_cache", "functools.cache", "functools.cached_property", "async_lru.alru_cache",
        "cachetools.cached", "cachetools.func.lru_cache", "cachetools.func.ttl_cache", "aiocache.cached",
        "aiocache.decorators.cached", "fastapi_cache.decorator.cache", "cashews.cache",
    }
)
BACKGROUND_SCHEDULERS = frozenset(
    {
        "fastapi.BackgroundTasks.add_task", "starlette.background.BackgroundTasks.add_task",
        "fastapi.background.BackgroundTasks.add_task",
    }
)


def route_method(resolved: str, call: Call) -> Optional[str]:
    """The HTTP method a decorator registers its function for ("get", ..., "any", "websocket"), or None."""
    owner, _, method = resolved.rpartition(".")
    name = method if owner in ROUTE_OWNERS else None
    if name is None and call.attr and call.first_str is not None and call.first_str[:1] in ("/", ""):
        name = call.attr  # a router the index cannot see being built: `@router.get("/items")`
    if name in HTTP_METHODS:
        return name
    if name in ANY_METHOD:
        return "any"
    if name in WEBSOCKET:
        return "websocket"
    return None


@dataclass
class FastAPIModel:
    routes: Dict[str, str] = field(default_factory=dict)  # function key -> method
    dependencies: Set[str] = field(default_factory=set)
    middleware: Set[str] = field(default_factory=set)
    cached: Set[str] = field(default_factory=set)

    def is_per_request(self, key: str) -> bool:
        return key in self.routes or key in self.dependencies or key in self.middleware

    def kind(self, key: str) -> Optional[str]:
        if key in self.routes:
            return "route"
        if key in self.dependencies:
            return "dependency"
        if key in self.middleware:
            return "middleware"
        return None


class FunctionModel(NamedTuple):
    """What one function tells FastAPI: the method it is a route for, the dependencies (of any module) it
    names, whether it is middleware and whether it is cached."""

    key: str
    route: Optional[str]
    dependencies: Tuple[str, ...]
    middleware: bool
    cached: bool
    # What its calls register (of any module), as (function key, "middleware" or the method of a route): an
    # ASGI middleware class's `__call__`, an endpoint handed to `add_api_route`.
    registers: Tuple[Tuple[str, str], ...] = ()


def build_model(functions: Iterable[FunctionModel]) -> FastAPIModel:
    model = FastAPIModel()
    for function in functions:
        if function.route:
            model.routes[function.key] = function.route
        model.dependencies.update(function.dependencies)
        if function.middleware:
            model.middleware.add(function.key)
        for key, kind in function.registers:
            if kind == "middleware":
                model.middleware.add(key)
            else:
                model.routes.setdefault(key, kind)
        if function.cached:
            model.cached.add(function.key)
    return model


def function_model(index, summary: ModuleSummary, function: Function, key: str) -> Optional[FunctionModel]:
    """What `function` tells FastAPI, read through the linked `index`; None when it tells nothing."""
    route: Optional[str] = None
    dependencies: Set[str] = set()
    middleware = cached = False
    for decorator in function.decorators:
        resolved = index.resolve(decorator.target).name if decorator.target else ""
        if resolved in CACHE_DECORATORS or resolved.rsplit("()", 1)[0] in CACHE_DECORATORS:
            cached = True
        method = route_method(resolved, decorator)
        if method is not None:
            route = method
        elif resolved.rpartition(".")[2] == "middleware" and resolved.rpartition(".")[0] in ROUTE_OWNERS:
            middleware = True
    registers: Set[Tuple[str, str]] = set()
    for call in function.calls:
        _collect_dependency(index, call, dependencies)
        _collect_registered(index, call, registers)
    for param in function.params:
        depends = param.depends or index.dependency_alias(param.annotation_ref)
        if depends:
            _add_function(index, depends, dependencies)
    if function.class_qualname and function.qualname.endswith(".dispatch") and _is_middleware_class(
        index, summary, function.class_qualname
    ):
        middleware = True
    if route or dependencies or middleware or cached or registers:
        return FunctionModel(key, route, tuple(sorted(dependencies)), middleware, cached, tuple(sorted(registers)))
    return None


def _collect_registered(index, call: Call, registers: Set[Tuple[str, str]]) -> None:
    """`app.add_middleware(TimingMiddleware)`: the class's `__call__` runs per request (a BaseHTTPMiddleware's
    `dispatch` is found by its base class); `app.add_api_route("/items", list_items)`: a route."""
    if not (call.args or call.keyword_values):
        return
    resolved = index.resolve(call.target)
    if resolved.name in MIDDLEWARE_REGISTRARS:
        if not call.args or not call.args[0]:
            return
        middleware = index.resolve(call.args[0])
        if middleware.kind == "class":
            method = index.resolve(f"{middleware.name}().__call__")
            if method.kind == "function" and method.function is not None and method.function.is_async:
                registers.add((method.function.key, "middleware"))
        return
    kind = ROUTE_REGISTRARS.get(resolved.name.rsplit("()", 1)[0])
    if kind is None and resolved.kind == "class" and call.target:
        kind = _subclassed_route(index, call.target)
    if kind is None and call.first_str is not None and call.first_str.startswith("/"):
        # `router.add_api_route("/items", ...)` on a router the index cannot see built, as for decorators
        kind = UNSEEN_ROUTER_METHODS.get(call.attr or "")
    endpoint = dict(call.keyword_values).get("endpoint") or (call.args[1] if len(call.args) > 1 else None)
    found = index.resolve(endpoint) if kind and endpoint else None
    if found is not None and found.kind == "function" and found.function is not None:
        registers.add((found.function.key, kind))


def _subclassed_route(index, target: str) -> Optional[str]:
    """The method a project subclass of a route class (`class APIRoute(fastapi.routing.APIRoute)`) serves."""
    found = index.class_by_target(target)
    names = index.base_names(*found) if found is not None else ()
    return next((ROUTE_REGISTRARS[name] for name in names if name in ROUTE_REGISTRARS), None)


def _collect_dependency(index, call: Call, dependencies: Set[str]) -> None:
    if not call.args or call.target is None:
        return
    if index.resolve(call.target).name in DEPENDS and call.args[0]:
        _add_function(index, call.args[0], dependencies)


def _add_function(index, target: str, into: Set[str]) -> None:
    resolved = index.resolve(target)
    if resolved.kind == "function" and resolved.function is not None:
        into.add(resolved.function.key)
    elif resolved.kind == "class":  # a class dependency runs its __init__ per request
        init = index.resolve(f"{resolved.name}.__init__")
        if init.kind == "function" and init.function is not None:
            into.add(init.function.key)
    elif resolved.kind == "instance":  # a callable instance: its __call__
        call = index.resolve(f"{resolved.name}().__call__")
        if call.kind == "function" and call.function is not None:
            into.add(call.function.key)


def _is_middleware_class(index, summary: ModuleSummary, class_qualname: str) -> bool:
    klass = index.classes_of(summary).get(class_qualname)
    return klass is not None and any(name in MIDDLEWARE_BASES for name in index.base_names(summary, klass))
