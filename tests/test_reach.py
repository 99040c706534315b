"""Where each finding runs (its reach): request, background, startup or unserved, from the FastAPI model and
the call graph. Each function below blocks on a file read; its name says where it runs."""

from __future__ import annotations

import json

APP = """\
import asyncio
from contextlib import asynccontextmanager
from pathlib import Path

import socketio
import typer
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from fastapi import BackgroundTasks, FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Route

cli = typer.Typer()
scheduler = AsyncIOScheduler()
sio = socketio.AsyncServer(async_mode="asgi")
OTHER_LOOP = asyncio.new_event_loop()


def create_app():
    @asynccontextmanager
    async def lifespan(app):
        await at_startup()
        scheduler.add_job(in_scheduled_job, "interval", minutes=10)
        yield

    return FastAPI(lifespan=lifespan)


def get_lifespan():
    @asynccontextmanager
    async def lifespan(app):
        await at_other_startup()
        yield

    return lifespan


app = create_app()
other = FastAPI(lifespan=get_lifespan())


async def at_startup():
    Path("startup").read_text()


async def at_other_startup():
    Path("other-startup").read_text()


async def in_request():
    Path("request").read_text()


async def in_task():
    Path("task").read_text()


async def in_background_task():
    Path("background").read_text()


async def in_scheduled_job():
    Path("scheduled-job").read_text()


async def in_command():
    Path("command").read_text()


async def in_command_task():
    Path("command-task").read_text()


def schedule():
    return asyncio.create_task(in_task())


async def start_task(tasks: set, *, work):
    async def _child():
        await work()

    tasks.add(asyncio.create_task(_child()))


async def run_now(work):
    await work()


async def tagged(tasks: set, *tags, work=None):
    tasks.add(asyncio.create_task(work()))


async def spawn(tasks: set, work):
    tasks.add(asyncio.ensure_future(work()))


async def in_spawned_task():
    Path("spawned-task").read_text()


async def in_other_loop():
    Path("other-loop").read_text()


async def in_handed_task():
    Path("handed-task").read_text()


async def in_handed_call():
    Path("handed-call").read_text()


async def in_tag_only():
    Path("tag-only").read_text()


async def in_tagged_work():
    Path("tagged-work").read_text()


class Model:
    async def respond(self):
        return await self.in_override()

    async def in_override(self):
        raise NotImplementedError


class LocalModel(Model):
    async def in_override(self):
        Path("override").read_text()


MODEL: Model = LocalModel()


@app.post("/run")
async def run(background_tasks: BackgroundTasks):
    await in_request()
    await MODEL.respond()
    schedule()
    background_tasks.add_task(in_background_task)
    await start_task(set(), work=in_handed_task)
    await run_now(in_handed_call)
    asyncio.run_coroutine_threadsafe(in_other_loop(), OTHER_LOOP)
    await spawn(set(), in_spawned_task)
    await tagged(set(), in_tag_only, work=in_tagged_work)


@sio.on("message")
async def in_socket_event(sid, data):
    Path("socket-event").read_text()


@sio.event
async def in_socket_connect(sid, environ):
    Path("socket-connect").read_text()


async def in_socket_handler(sid, data):
    Path("socket-handler").read_text()


sio.on("edit", in_socket_handler)


class ChatNamespace(socketio.AsyncNamespace):
    async def on_chat(self, sid, data):
        Path("namespace-event").read_text()

    async def in_namespace_helper(self):
        Path("namespace-helper").read_text()


class TimingMiddleware:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        Path(scope["path"]).read_text()
        await self.app(scope, receive, send)


app.add_middleware(TimingMiddleware)


async def in_added_route(name: str):
    Path(name).read_text()


async def in_starlette_route(request):
    Path(request.url.path).read_text()


class TimedRoute(APIRoute):
    pass


async def in_subclass_route(name: str):
    Path(name).read_text()


async def in_unseen_router_route(name: str):
    Path(name).read_text()


def register_routes(api):
    router = api.router
    router.add_api_route("/unseen", in_unseen_router_route)


app.add_api_route("/added", in_added_route, methods=["GET"])
ROUTES = [Route("/plain", endpoint=in_starlette_route), TimedRoute("/timed", in_subclass_route)]


async def command():
    await in_command()
    await asyncio.create_task(in_command_task())


def main():
    asyncio.run(command())


cli.command()(main)
"""

TEST = """\
from pathlib import Path


async def test_it():
    Path("test").read_text()
"""


def _reach(cli, *extra: str) -> dict:
    cli.write({"service/__init__.py": "", "service/app.py": APP, "tests/test_app.py": TEST})
    result = cli("check", "--no-cache", "--output-format", "json", *extra, ".")
    return {item["message"].split("`")[3]: item["reach"] for item in json.loads(result.output)}


def test_each_function_runs_where_the_app_runs_it(cli):
    assert _reach(cli) == {
        "at_startup": "startup",  # a lifespan defined inside an app factory
        "at_other_startup": "startup",  # a lifespan a factory returns
        "in_request": "request",
        "__call__": "request",  # a pure ASGI middleware class registered with `add_middleware`
        "in_added_route": "request",  # an endpoint registered without a decorator
        "in_starlette_route": "request",
        "in_subclass_route": "request",  # through a project subclass of `APIRoute`
        "in_unseen_router_route": "request",  # added to a router the linter cannot see built
        "in_socket_event": "request",  # socket.io event handlers run per message of a connected client
        "in_socket_connect": "request",
        "in_socket_handler": "request",
        "on_chat": "request",
        "in_namespace_helper": "unserved",  # not an event handler: nothing calls it
        "in_override": "request",  # an override of a method a route calls through the base class
        "in_task": "background",  # a task a route schedules, through a helper: not the route's request
        "in_background_task": "background",
        "in_handed_task": "background",  # handed to a helper whose scheduled child calls it
        "in_other_loop": "background",  # handed to another thread's loop
        "in_handed_call": "request",  # handed to a helper that calls it
        "in_tag_only": "request",  # handed to `*tags`: not the keyword-only parameter the helper schedules
        "in_tagged_work": "background",  # handed to that keyword-only parameter
        "in_spawned_task": "background",  # handed to a helper that schedules it
        "in_scheduled_job": "background",  # a job the lifespan gives a scheduler runs apart from startup
        "in_command": "unserved",  # a command registered at module level is not run at startup
        "in_command_task": "unserved",  # a task a command schedules is not served
        "test_it": "unserved",
    }


def test_the_reach_setting_selects_findings(cli):
    assert set(_reach(cli, "--reach", "request,background")) == {
        "in_request", "__call__", "in_added_route", "in_starlette_route", "in_subclass_route", "in_unseen_router_route", "in_override", "in_task", "in_background_task", "in_scheduled_job", "in_socket_event",
        "in_handed_task", "in_handed_call", "in_spawned_task", "in_other_loop", "in_tag_only", "in_tagged_work",
        "in_socket_connect", "in_socket_handler", "on_chat",
    }


PRIVATE_LOOP = """\
import asyncio
import threading
from pathlib import Path

from fastapi import FastAPI

app = FastAPI()


class Worker:
    def __init__(self):
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, daemon=True).start()

    def submit(self):
        asyncio.run_coroutine_threadsafe(self.on_own_loop(), self.loop)

    async def on_own_loop(self):
        Path("own-loop").read_text()
        asyncio.create_task(asyncio.sleep(1))

    def finish(self):
        return asyncio.run(self.to_the_end())

    async def to_the_end(self):
        Path("to-the-end").read_text()
        asyncio.create_task(asyncio.sleep(2))


@app.post("/work")
async def work():
    Worker().submit()


@app.post("/sync-work")
def sync_work():
    Worker().finish()
"""


def test_a_loop_of_its_own_is_background_work_that_blocks_no_server(cli):
    """A coroutine handed to a loop the project runs in a thread of its own, or run to its end by a sync
    route in FastAPI's threadpool: its file read blocks only that loop (not reported), and what else it
    does is background work."""
    cli.write({"service/app.py": PRIVATE_LOOP})
    result = cli("check", "--no-cache", "--output-format", "json", "--extend-select", "FAL1", ".")
    found = [(item["location"]["row"], item["code"], item["reach"]) for item in json.loads(result.output)]
    assert found == [(20, "FAL303", "background"), (27, "FAL303", "background")]


SCRIPT_APP = """\
import asyncio
from pathlib import Path

import uvicorn
from fastapi import FastAPI


async def in_tool():
    Path("tool").read_text()


async def in_script_lifespan(app):
    Path("script").read_text()
    yield


if __name__ == "__main__":
    app = FastAPI(lifespan=in_script_lifespan)
    uvicorn.run(app)
"""

SCRIPT_TOOL = """\
import asyncio

from service.app import in_tool

if __name__ == "__main__":
    asyncio.run(in_tool())
"""


def test_a_script_that_builds_its_app_serves_it(cli):
    """A `__main__` block that builds the app it serves runs its lifespan at startup; one that only runs a
    coroutine is a command-line tool."""
    cli.write({"service/__init__.py": "", "service/app.py": SCRIPT_APP, "service/tool.py": SCRIPT_TOOL})
    result = cli("check", "--no-cache", "--output-format", "json", ".")
    found = {item["message"].split("`")[3]: item["reach"] for item in json.loads(result.output)}
    assert found == {"in_script_lifespan": "startup", "in_tool": "unserved"}
