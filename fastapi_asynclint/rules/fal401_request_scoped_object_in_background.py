"""## What it does
Checks for request-scoped objects handed to work that outlives the request: the value of a dependency
with `yield` (a database session from `Depends(get_db)`, a connection), the `Request` or `WebSocket`, or an
`UploadFile`, passed to `BackgroundTasks.add_task` / `BackgroundTask`, to `asyncio.create_task(...)`, to a
thread (`loop.run_in_executor`, `threading.Thread`, `Executor.submit`) or to a task queue (Celery
`.delay`/`.apply_async`/`send_task`, ARQ `enqueue_job`, RQ, Taskiq `.kiq`), including through a lambda.
A task given plain ids and values, or that opens its own session, is not reported; nor is a task given the
`Request` or `WebSocket` that only reads its scope (`url`, `method`, `headers`, `query_params`,
`path_params`, `client`, `cookies`, `state`): it is reported when it reads the body (`body()`, `json()`,
`form()`, `stream()`), uses the socket (`send_*`, `receive_*`), or passes the object on to other code.

## Why is this bad?
FastAPI cleans these up when the request is done, and background work runs after that:

* Dependencies with `yield`, by FastAPI version (from its release notes and "Advanced Dependencies"
  docs): before 0.106.0 their exit code ran after background tasks, so tasks could use the session;
  0.106.0 made it run before the response is sent ("Using resources from dependencies with yield in
  background tasks is no longer supported"), so the task gets a closed session; 0.118.0 moved the exit
  code after the response is sent (for streaming responses), and the docs still tell background tasks
  to create their own resources; 0.121.0 added `Depends(..., scope="function")`, which closes the
  dependency right after the path function returns. The rule reflects 0.106.0 and later, and reports on
  every version: code that relies on the pre-0.106 order breaks on upgrade.
* `UploadFile`s are closed once the response is sent, so the task reads a closed file.
* The `Request` (and `WebSocket`) belongs to a finished connection: its body stream is consumed and the
  client may be gone.
* A task queue pickles or JSON-encodes its arguments: a session, request or open file cannot cross to a
  worker process at all.

## Example
```python
@app.post("/reports")
async def create_report(background_tasks: BackgroundTasks, db: Session = Depends(get_db)):
    background_tasks.add_task(build_report, db)
```

## Use instead
```python
def build_report(report_id: int):
    with SessionLocal() as db:  # the task opens its own session
        ...

@app.post("/reports")
async def create_report(background_tasks: BackgroundTasks, db: Session = Depends(get_db)):
    report = Report()
    db.add(report)
    db.commit()
    background_tasks.add_task(build_report, report.id)
```

## Fix safety
No fix: what the task should receive instead depends on what it does.
"""

from __future__ import annotations

from typing import Dict, Iterator, Optional, Tuple

from fastapi_asynclint.catalog import canonical_name
from fastapi_asynclint.libcst_on_use import cst, metadata
from fastapi_asynclint.rule import Invalid, LintRule, RuleInput, Valid
from fastapi_asynclint.rules._background import QUEUE_METHODS, SCHEDULER_NAMES, handoff, joined_in, names_in
from fastapi_asynclint.rules._calls import enclosing_def

REQUEST_TYPES = {
    "fastapi.Request": "Request", "starlette.requests.Request": "Request", "fastapi.requests.Request": "Request",
    "fastapi.WebSocket": "WebSocket", "starlette.websockets.WebSocket": "WebSocket",
    "fastapi.UploadFile": "UploadFile", "starlette.datastructures.UploadFile": "UploadFile",
    "fastapi.datastructures.UploadFile": "UploadFile",
}
SEQUENCES = ("builtins.list", "typing.List", "typing.Sequence", "collections.abc.Sequence", "builtins.tuple")


def _handoff_functions(rule_input: RuleInput) -> frozenset:
    index = rule_input.index
    model = index.fastapi
    module = rule_input.summary.module
    found = set()
    for function in rule_input.summary.functions:
        key = f"{module}.{function.qualname}"
        if model.kind(key) is None:
            continue
        for call in function.calls:
            names = {canonical_name(index.resolve(target).name) for target in call.targets}
            if names & SCHEDULER_NAMES or call.attr in QUEUE_METHODS:
                found.add(function.qualname)
    return frozenset(found)


class RequestScopedObjectInBackground(LintRule):
    CODE = "FAL401"
    MESSAGE = "Request-scoped object handed to background work"

    @classmethod
    def wants(cls, rule_input: RuleInput) -> bool:
        return bool(_handoff_functions(rule_input))

    @classmethod
    def focus(cls, rule_input: RuleInput):
        return _handoff_functions(rule_input)

    def visit_Call(self, node: cst.Call) -> None:
        found = enclosing_def(self.context, node)
        if found is None:
            return
        function, key = found
        kind = self.context.index.fastapi.kind(key)
        if kind is None:
            return
        work = handoff(self.context, node)
        if work is None or (work.kind == "task" and joined_in(function, node)):
            return  # a task the handler waits for or cancels ends with the request
        scoped = self._scoped_parameters(function, key, kind)
        if not scoped:
            return
        values = list(work.data) + ([work.task] if isinstance(work.task, cst.Lambda) else [])
        scope_only = self._reads_scope_only(work)
        for value in values:
            for name in self._deferred_uses(value, scoped):
                category, description = scoped[name.value]
                if category in ("Request", "WebSocket") and scope_only:
                    continue
                if self._is_parameter(name, function):
                    self.report(name, f"`{name.value}` {description}, and is handed to {work.via}; {_ADVICE[category]}")
                    return

    def _reads_scope_only(self, work) -> bool:
        """Whether the task is a project function that only reads the scope of a request it is given (its
        url, headers, client...): those outlive the request; its body and connection do not."""
        if work.task is None or isinstance(work.task, cst.Lambda):
            return False
        index = self.context.index
        for target in self.context.semantics.targets(work.task):
            _, ref = index.callee(target)
            if ref is not None:
                return ref.key not in index.models.connection_readers
        return False

    @staticmethod
    def _deferred_uses(value: cst.BaseExpression, scoped: Dict[str, Tuple[str, str]]) -> Iterator[cst.Name]:
        """Names of request-scoped parameters the background work will itself use: passed as they are
        (or inside a literal), an upload's `.file`, or anything a lambda reads when it runs later."""
        if isinstance(value, cst.Name) and value.value in scoped:
            yield value
        elif isinstance(value, cst.Attribute) and value.attr.value == "file" and isinstance(value.value, cst.Name):
            if scoped.get(value.value.value, ("",))[0] == "UploadFile":
                yield value.value
        elif isinstance(value, cst.Lambda):
            yield from (name for name in names_in(value.body) if name.value in scoped)
        elif isinstance(value, (cst.List, cst.Tuple, cst.Set)):
            for element in value.elements:
                yield from RequestScopedObjectInBackground._deferred_uses(element.value, scoped)
        elif isinstance(value, cst.Dict):
            for element in value.elements:
                if isinstance(element, cst.DictElement):
                    yield from RequestScopedObjectInBackground._deferred_uses(element.value, scoped)

    def _is_parameter(self, name: cst.Name, function: cst.FunctionDef) -> bool:
        scope = self.context.semantics.scope(name)
        try:
            accesses = scope.accesses[name] if scope is not None else ()
        except KeyError:
            return False
        return any(
            isinstance(referent, metadata.Assignment) and isinstance(referent.node, cst.Param) and referent.scope.node is function
            for access in accesses
            for referent in access.referents
        )

    def _scoped_parameters(self, function: cst.FunctionDef, key: str, kind: str) -> Dict[str, Tuple[str, str]]:
        """Parameter name -> (kind of problem, why it belongs to the request)."""
        index = self.context.index
        semantics = self.context.semantics
        scoped: Dict[str, Tuple[str, str]] = {}
        summary_function = index.functions_of(self.context.summary).get(semantics.function_qualname(function))
        depends = {p.name: p.depends or index.dependency_alias(p.annotation_ref) for p in summary_function.params} if summary_function else {}
        parameters = [*function.params.posonly_params, *function.params.params, *function.params.kwonly_params]
        for position, param in enumerate(parameters):
            name = param.name.value
            type_name = self._request_type(param)
            if type_name is None and kind == "middleware" and position == 0:
                type_name = "Request"
            if type_name is not None:
                scoped[name] = (type_name, f"is the request's `{type_name}`")
                continue
            dependency = depends.get(name)
            resolved = index.resolve(dependency) if dependency else None
            if resolved is not None and resolved.function is not None and index.yields(resolved):
                scoped[name] = ("yield", f"comes from `{resolved.function.qualname}`, a dependency with `yield`")
        return scoped

    def _request_type(self, param: cst.Param) -> Optional[str]:
        if param.annotation is None:
            return None
        annotation = param.annotation.annotation
        semantics = self.context.semantics
        index = self.context.index
        if isinstance(annotation, cst.Subscript) and annotation.slice:
            heads = {canonical_name(index.resolve(t).name) for t in semantics.targets(annotation.value)}
            first = annotation.slice[0].slice
            if heads & set(SEQUENCES) and isinstance(first, cst.Index):
                annotation = first.value
        for target in semantics.annotation_types(annotation):
            name = canonical_name(index.resolve(target[:-2] if target.endswith("()") else target).name)
            if name in REQUEST_TYPES:
                return REQUEST_TYPES[name]
        return None

    VALID = [
        Valid(
            """
            import asyncio
            from fastapi import FastAPI, Request

            app = FastAPI()

            async def watch_disconnect(request: Request):
                while not await request.is_disconnected():
                    await asyncio.sleep(1)

            @app.post("/pause")
            async def pause(request: Request):
                watcher = asyncio.create_task(watch_disconnect(request))
                try:
                    await asyncio.sleep(10)
                finally:
                    watcher.cancel()

            @app.middleware("http")
            async def timing(request: Request, call_next):
                task = asyncio.create_task(call_next(request))
                return await task
            """,
            note="near miss: tasks the handler cancels or awaits before it returns end with the request",
        ),
        Valid(
            """
            import logging
            from fastapi import BackgroundTasks, FastAPI, Request

            app = FastAPI()
            log = logging.getLogger(__name__)

            def record_visit(request: Request):
                log.info("%s %s from %s", request.method, request.url.path, request.client.host)

            @app.get("/items")
            async def items(request: Request, background_tasks: BackgroundTasks):
                background_tasks.add_task(record_visit, request)
                return []
            """,
            note="near miss: the task reads only the request's scope (method, url, client), which outlives it",
        ),
        Valid(
            """
            from fastapi import BackgroundTasks, Depends, FastAPI
            from sqlalchemy.orm import Session

            app = FastAPI()

            def get_db():
                db = Session()
                try:
                    yield db
                finally:
                    db.close()

            def build_report(report_id: int):
                with Session() as db:
                    db.get(Report, report_id)

            @app.post("/reports")
            async def create(background_tasks: BackgroundTasks, db: Session = Depends(get_db)):
                report_id = 42
                background_tasks.add_task(build_report, report_id)
            """
        ),
        Valid(
            """
            from fastapi import BackgroundTasks, FastAPI, Request

            app = FastAPI()

            def audit(path: str, agent: str):
                print(path, agent)

            @app.get("/")
            async def index(request: Request, background_tasks: BackgroundTasks):
                background_tasks.add_task(audit, request.url.path, request.headers.get("user-agent", ""))
            """,
            note="near miss: plain values read from the request before it ends",
        ),
        Valid(
            """
            from fastapi import BackgroundTasks, Depends, FastAPI

            app = FastAPI()

            def get_settings():
                return {"mail_from": "noreply@example.com"}

            @app.post("/signup")
            async def signup(background_tasks: BackgroundTasks, settings=Depends(get_settings)):
                background_tasks.add_task(print, settings)
            """,
            note="near miss: a dependency that returns (no `yield`, nothing to close)",
        ),
    ]
    INVALID = [
        Invalid(
            """
            import asyncio
            from typing import Annotated
            from fastapi import BackgroundTasks, Depends, FastAPI, Request, UploadFile
            from sqlalchemy.orm import Session

            app = FastAPI()

            def get_db():
                db = Session()
                try:
                    yield db
                finally:
                    db.close()

            DbSession = Annotated[Session, Depends(get_db)]

            def build_report(db, report_id):
                ...

            async def log_request(request):
                audit.write(await request.body())

            @app.post("/reports")
            async def create(background_tasks: BackgroundTasks, db: Session = Depends(get_db)):
                background_tasks.add_task(build_report, db, 42)  # FAL401

            @app.post("/uploads")
            async def upload(file: UploadFile, request: Request, background_tasks: BackgroundTasks):
                background_tasks.add_task(lambda: file.file.read())  # FAL401
                asyncio.create_task(log_request(request))  # FAL401

            @app.post("/queued")
            async def queued(db: DbSession):
                build_report_task.delay(db, 1)  # FAL401
            """
        ),
    ]


_ADVICE = {
    "yield": "the dependency's exit code (closing it) runs before background work does (FastAPI >= 0.106.0): "
    "pass ids and let the task open its own session",
    "Request": "it belongs to a finished request (body consumed, client possibly gone): pass the values the "
    "task needs instead",
    "WebSocket": "it belongs to a connection the task may outlive: pass the values the task needs instead",
    "UploadFile": "FastAPI closes uploads when the request is done: read it first and pass the bytes, or save it",
}

RULE = RequestScopedObjectInBackground
