"""## What it does
Checks for `time.sleep()` in an `async def` function (a route, a dependency, middleware, a lifespan
handler, a background task or any other coroutine), called directly, through an import alias, or through
sync helper functions in any module of the project (the finding then names the chain of calls).

## Why is this bad?
A coroutine shares its thread with every other request the server is handling. `time.sleep()` suspends
that thread, so for its whole duration no other request makes progress: one slow retry loop stalls the
entire application. `await asyncio.sleep()` suspends only the calling coroutine.

`def` routes and dependencies are not reported: FastAPI runs them in its threadpool. Neither are calls
handed to a worker thread (`await asyncio.to_thread(time.sleep, 1)`, `anyio.to_thread.run_sync`,
`run_in_threadpool`, `loop.run_in_executor`).

## Example
```python
import time

@app.get("/status")
async def status():
    time.sleep(1)
    return {"ok": True}
```

## Use instead
```python
import asyncio

@app.get("/status")
async def status():
    await asyncio.sleep(1)
    return {"ok": True}
```

## Fix safety
The fix replaces a `time.sleep(x)` statement by `await asyncio.sleep(x)` and adds `import asyncio`. It is
safe: the coroutine still waits as long, only without blocking others. It is not offered inside a
comprehension, when the call holds comments, when `asyncio` names something else in that scope, or for
calls reached through helpers. Where it does not apply, in a route or dependency that never awaits, an
unsafe fix declares the function with `def` (FastAPI then runs it in its threadpool); elsewhere an unsafe
fix runs the call in a worker thread with `await asyncio.to_thread(...)` (or the thread runner the file
already imports). They are unsafe because the code then runs on another thread: anything it shares with
the coroutine must be safe to use from there.
"""

from fastapi_asynclint.catalog import Category
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._blocking import BlockingCallRule


class BlockingSleep(BlockingCallRule):
    CODE = "FAL101"
    CATEGORY = Category.SLEEP
    MESSAGE = "Blocking `time.sleep` in async function"

    VALID = [
        Valid(
            files={
                "app/judge.py": '''
                    import time

                    class Judge:
                        def __init__(self, name: str, _defer_init: bool = False):
                            self.name = name
                            if _defer_init:
                                self.model = None
                            else:
                                self.model = self._load()

                        def _load(self):
                            time.sleep(1)  # stands for a slow model load

                        @classmethod
                        def from_serialized(cls, data: dict):
                            return cls(data["name"], _defer_init=True)
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI
                    from app.judge import Judge

                    app = FastAPI()

                    @app.post("/judges")
                    async def restore(data: dict):
                        return Judge.from_serialized(data).name
                    ''',
            },
            note="near miss: the slow load sits in the `else` of a flag the constructor is passed as True",
        ),
        Valid(
            files={
                "app/retry.py": '''
                    import time

                    def retry(action):
                        for _ in range(3):
                            if action():
                                return True
                            time.sleep(1)
                        return False
                    ''',
                "tests/test_retry.py": '''
                    from unittest.mock import patch
                    from app.retry import retry

                    @patch("app.retry.time.sleep")
                    async def test_retry_gives_up(sleep):
                        assert not retry(lambda: False)

                    async def test_retry_with_monkeypatch(monkeypatch):
                        monkeypatch.setattr("app.retry.retry", lambda action: True)
                        assert retry(lambda: False)
                    ''',
            },
            note="a test that mocks the sleep, or the helper, does not block",
        ),
        Valid(
            """
            import time
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/")
            def index():
                time.sleep(1)
            """,
            note="a `def` route runs in FastAPI's threadpool",
        ),
        Valid(
            """
            import asyncio

            async def worker():
                await asyncio.sleep(1)
            """
        ),
        Valid(
            """
            import asyncio
            import time
            import anyio
            from fastapi.concurrency import run_in_threadpool

            async def offloaded():
                await asyncio.to_thread(time.sleep, 1)
                await anyio.to_thread.run_sync(time.sleep, 1)
                await run_in_threadpool(time.sleep, 1)
                loop = asyncio.get_running_loop()
                await loop.run_in_executor(None, lambda: time.sleep(1))
            """,
            note="calls handed to a worker thread",
        ),
        Valid(
            """
            def sleep(seconds):
                return seconds

            async def handler():
                sleep(1)
            """,
            note="near miss: a local function named `sleep`",
        ),
        Valid(
            """
            async def handler(time):
                time.sleep(1)
            """,
            note="near miss: a parameter named `time` is not the `time` module",
        ),
        Valid(
            """
            import time

            async def handler():
                def later():
                    time.sleep(1)
                return later
            """,
            note="near miss: a nested sync function that is defined but never called here",
        ),
        Valid(
            """
            import time

            def pause():
                time.sleep(1)

            def sync_route():
                pause()
            """,
            note="near miss: a blocking helper called only from sync code",
        ),
        Valid(
            """
            import asyncio
            import threading
            import time
            from fastapi import FastAPI, WebSocket

            app = FastAPI()

            class Session:
                def __init__(self):
                    self.loop = asyncio.new_event_loop()
                    self.thread = threading.Thread(target=self._run, daemon=True)
                    self.thread.start()

                def _run(self):
                    asyncio.set_event_loop(self.loop)
                    self.loop.run_forever()

                async def start(self):
                    asyncio.run_coroutine_threadsafe(self._boot(), self.loop)

                async def _boot(self):
                    time.sleep(5)
                    await self._warm()

                async def _warm(self):
                    time.sleep(1)

            def poll_detached():
                loop = asyncio.new_event_loop()
                threading.Thread(target=loop.run_forever, daemon=True).start()
                asyncio.run_coroutine_threadsafe(poll(), loop=loop)

            async def poll():
                time.sleep(2)

            @app.websocket("/ws")
            async def connect(websocket: WebSocket):
                await Session().start()
                poll_detached()
            """,
            note="coroutines handed to a loop the project made for a thread of its own, and what they await: "
            "blocking there stalls nothing the server runs",
        ),
        Valid(
            files={
                "app/exchange.py": """
                    import asyncio
                    import time

                    class Exchange:
                        def __init__(self):
                            self.loop = asyncio.new_event_loop()

                        def markets(self):
                            return self.loop.run_until_complete(self._load_markets())

                        async def _load_markets(self):
                            time.sleep(1)
                            return await self._retry()

                        async def _retry(self):
                            time.sleep(1)

                        def trades(self):
                            task = asyncio.ensure_future(self._load_trades())
                            return self.loop.run_until_complete(task)

                        async def _load_trades(self):
                            time.sleep(1)
                    """,
                "app/main.py": """
                    import asyncio
                    import threading
                    import time
                    import anyio
                    from fastapi import FastAPI
                    from app.exchange import Exchange

                    app = FastAPI()

                    async def render(name):
                        time.sleep(1)
                        return name

                    async def sweep():
                        time.sleep(60)

                    def sweeper():
                        while True:
                            anyio.run(sweep)

                    @app.on_event("startup")
                    async def start():
                        threading.Thread(target=sweeper, daemon=True).start()

                    @app.get("/report")
                    def report(name: str):
                        Exchange().markets()
                        Exchange().trades()
                        return asyncio.run(render(name))
                    """,
            },
            note="coroutines a sync route (FastAPI's threadpool) or a thread runs to their end with `asyncio.run`, "
            "`anyio.run` or `run_until_complete` (also as a task it spawns for that loop), and what they await: they "
            "run on a loop of that thread",
        ),
    ]

    INVALID = [
        Invalid(
            files={
                "app/retry.py": '''
                    import time

                    def retry(action):
                        time.sleep(1)
                        return action()
                    ''',
                "tests/test_retry.py": '''
                    from unittest.mock import patch
                    from app.retry import retry

                    @patch("app.retry.log_attempt")
                    async def test_retry(log_attempt):
                        assert retry(lambda: True)  # FAL101
                    ''',
            },
            note="near miss: the test mocks something else; the sleep still runs",
        ),
        Invalid(
            files={
                "__init__.py": "",
                "sub/helper.py": """
                    import time

                    def wait_a_bit():
                        time.sleep(1)
                    """,
                "api.py": """
                    from .sub.helper import wait_a_bit

                    async def handler():
                        wait_a_bit()  # FAL101
                    """,
            },
            note="the checked folder is itself a package, with a namespace folder (no `__init__.py`) inside",
        ),
        Invalid(
            """
            import time
            from typing import TYPE_CHECKING, Protocol

            if TYPE_CHECKING:

                class Store(Protocol):
                    def get(self, key: str) -> str: ...


            async def handler():
                time.sleep(1)  # FAL101
            """,
            note="a block whose only statement is a definition the analysis leaves out still parses",
        ),
        Invalid(
            """
            import time

            async def handler():
                time.sleep(1)  # FAL101
            """,
            fixed="""
            import asyncio
            import time

            async def handler():
                await asyncio.sleep(1)  # FAL101
            """,
        ),
        Invalid(
            """
            import time as t
            from time import sleep as snooze

            async def handler():
                t.sleep(2)  # FAL101
                snooze(0.5)  # FAL101
            """,
            message="Blocking sleep call `time.sleep`",
        ),
        Invalid(
            """
            import asyncio
            import time

            async def handler(items):
                return [time.sleep(0.1) for _ in items]  # FAL101:13
            """,
            note="in a comprehension: reported, not fixed",
        ),
        Invalid(
            """
            import time

            def pause():
                time.sleep(1)

            def retry():
                pause()

            async def handler():
                retry()  # FAL101
            """,
            message="`retry()` blocks the event loop in async function `handler`: retry() -> pause() -> time.sleep",
        ),
        Invalid(
            """
            import asyncio
            import threading
            import time
            from fastapi import FastAPI

            app = FastAPI()
            SERVING = asyncio.new_event_loop()

            class Relay:
                def __init__(self, loop):
                    self.loop = loop
                    threading.Thread(target=self.pump).start()

                def pump(self):
                    asyncio.run_coroutine_threadsafe(deliver(), self.loop)

            class Bridge:
                def __init__(self):
                    self.loop = asyncio.new_event_loop()
                    self.main = asyncio.get_running_loop()
                    threading.Thread(target=self.loop.run_forever).start()

                def reply(self):
                    asyncio.run_coroutine_threadsafe(answer(), self.main)

            async def deliver():
                time.sleep(1)  # FAL101

            async def answer():
                time.sleep(1)  # FAL101

            async def notify():
                time.sleep(1)  # FAL101

            async def shared():
                time.sleep(1)  # FAL101

            @app.on_event("startup")
            async def start():
                Relay(asyncio.get_running_loop())
                Bridge().reply()
                asyncio.run_coroutine_threadsafe(notify(), SERVING)
                asyncio.run_coroutine_threadsafe(shared(), asyncio.new_event_loop())

            @app.get("/")
            async def index():
                await shared()
            """,
            note="near misses: a loop handed in from elsewhere (here the serving loop), a class that keeps the "
            "serving loop beside its own, a loop the project made that no thread runs, and a coroutine a route "
            "also awaits",
        ),
        Invalid(
            """
            import asyncio
            import threading
            import time
            from fastapi import FastAPI

            app = FastAPI()
            MAIN = {}
            SIDE = asyncio.new_event_loop()
            IDLE = asyncio.new_event_loop()
            threading.Thread(target=SIDE.run_forever, daemon=True).start()

            class Worker:
                def __init__(self, loop):
                    self.loop = loop
                    self.own = asyncio.new_event_loop()
                    threading.Thread(target=self.own.run_forever, daemon=True).start()

                def submit(self):
                    asyncio.run_coroutine_threadsafe(self.crunch(), self.own)
                    asyncio.run_coroutine_threadsafe(report(), self.loop)

                async def crunch(self):
                    await asyncio.sleep(1)
                    asyncio.run_coroutine_threadsafe(report(), MAIN["loop"])

            async def report():
                time.sleep(5)  # FAL101

            async def tick():
                time.sleep(1)  # FAL101

            @app.on_event("startup")
            async def remember():
                MAIN["loop"] = asyncio.get_running_loop()

            @app.post("/work")
            async def work():
                Worker(MAIN["loop"]).submit()
                asyncio.run_coroutine_threadsafe(tick(), IDLE)
            """,
            note="near misses: work a private loop hands back to the serving loop, an attribute set from a "
            "parameter beside the class's own loop, and one of two module loops that no thread runs",
        ),
        Invalid(
            """
            import asyncio
            import time
            from fastapi import FastAPI

            app = FastAPI()

            async def warm():
                time.sleep(1)  # FAL101

            asyncio.run(warm())

            async def pipeline():
                time.sleep(1)  # FAL101

            def query(is_async):
                if is_async:
                    return pipeline()
                return asyncio.get_event_loop().run_until_complete(pipeline())

            @app.get("/query")
            async def aquery():
                return await query(True)

            async def lookup():
                time.sleep(1)  # FAL101

            def lookup_now(is_async):
                pending = lookup()
                if is_async:
                    return pending
                return asyncio.get_event_loop().run_until_complete(pending)

            @app.get("/lookup")
            async def alookup():
                return await lookup_now(True)

            async def audit():
                time.sleep(1)  # FAL101

            def audit_later():
                loop = asyncio.get_event_loop()
                if loop.is_running():
                    return loop.create_task(audit())
                return loop.run_until_complete(audit())

            @app.post("/audit")
            async def start_audit():
                audit_later()

            class Relay:
                def run_until_complete(self, coro):
                    return asyncio.run_coroutine_threadsafe(coro, app.state.loop).result()

            async def notify():
                time.sleep(1)  # FAL101

            @app.post("/notify")
            def send_notice():
                Relay().run_until_complete(notify())
            """,
            note="near misses: a loop run to its end while the module loads (before serving, such a loop can be the "
            "one that then serves), a coroutine that a sync function also returns for a route to await (called "
            "twice, or held in a local), a task a sync function spawns on the running loop beside the one it runs "
            "itself, and a project method that happens to be named `run_until_complete`",
        ),
        Invalid(
            files={
                "app/main.py": """
                    import asyncio
                    import time
                    from fastapi import FastAPI

                    app = FastAPI()

                    async def render():
                        time.sleep(1)  # FAL101

                    def render_now():
                        return asyncio.get_event_loop().run_until_complete(render())

                    @app.get("/report")
                    def report():
                        return render_now()
                    """,
                "app/notebook.py": """
                    import nest_asyncio

                    nest_asyncio.apply()
                    """,
            },
            note="near miss: a project that lets a loop run inside the running one (nest_asyncio), where a sync "
            "helper can run a coroutine on the serving loop",
        ),
    ]


RULE = BlockingSleep
