"""## What it does
Checks for processes started or waited on synchronously by an `async def` function: `subprocess.run`,
`call`, `check_call`, `check_output`, `getoutput`, `Popen` (and `Popen.wait`/`communicate`), `os.system`,
`os.popen`, `os.spawn*`, `os.posix_spawn*` and `os.wait*`, directly or through sync helpers. A `wait()` or
`communicate()` after `kill()` on the same process, later in the same block, only reaps a process SIGKILL
has ended and is not reported; one after `terminate()` is, since a process may handle SIGTERM slowly.

## Why is this bad?
The event loop waits for the child process to finish (or to be created); every other request stalls
for as long as the command runs. flake8-async (ASYNC220-222) and ruff report the same calls.

## Example
```python
import subprocess

@app.post("/thumbnails")
async def thumbnail(name: str):
    subprocess.run(["convert", name, f"thumb-{name}"], check=True)
```

## Use instead
```python
import asyncio

@app.post("/thumbnails")
async def thumbnail(name: str):
    process = await asyncio.create_subprocess_exec("convert", name, f"thumb-{name}")
    await process.wait()
```

## Fix safety
Both fixes are unsafe. In a route or dependency that never awaits, the fix declares it with `def`, so
FastAPI runs it in its threadpool. Elsewhere the call moves to a worker thread
(`await asyncio.to_thread(f, ...)`, or the file's own `run_in_threadpool` / `anyio.to_thread.run_sync`),
where code that is not thread-safe may behave differently. Calls heading a `with` statement or inside a
comprehension or lambda are left alone.
"""

from fastapi_asynclint.catalog import Category
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._blocking import BlockingCallRule


class BlockingSubprocess(BlockingCallRule):
    CODE = "FAL104"
    CATEGORY = Category.PROCESS
    MESSAGE = "Blocking subprocess call in async function"

    VALID = [
        Valid(
            """
            import asyncio

            async def convert(name):
                process = await asyncio.create_subprocess_exec("convert", name)
                await process.wait()
            """
        ),
        Valid(
            """
            import subprocess
            import anyio

            async def convert(name):
                await anyio.to_thread.run_sync(subprocess.run, ["convert", name])
            """
        ),
        Valid(
            """
            async def handler(process):
                await process.wait()
            """,
            note="near miss: awaiting an asyncio process's `wait()`",
        ),
        Valid(
            """
            import os

            async def handler():
                return os.getpid()
            """,
            note="near miss: `os` functions that do not wait",
        ),
        Valid(
            """
            import os

            def reap_children():
                reaped = []
                while True:
                    pid, _ = os.waitpid(-1, os.WNOHANG)
                    if pid == 0:
                        return reaped
                    reaped.append(pid)

            async def supervisor_tick():
                return reap_children(), os.wait4(-1, os.WNOHANG | os.WUNTRACED)
            """,
            note="near miss: with `WNOHANG` a wait returns at once when no child has exited",
        ),
        Valid(
            """
            import subprocess

            class Encoder:
                def __init__(self, command):
                    self.process = subprocess.Popen(command)

                def close(self):
                    if self.process.poll() is None:
                        self.process.kill()
                        try:
                            self.process.wait(timeout=2)
                        except subprocess.TimeoutExpired:
                            pass

            async def cancel(encoder: Encoder):
                encoder.close()

            async def stop(process: subprocess.Popen):
                process.kill()
                return process.communicate()
            """,
            note="near miss: a wait after `kill()` only reaps a process SIGKILL has ended",
        ),
        Valid(
            """
            import subprocess

            def reap(tunnel: subprocess.Popen) -> int:
                if tunnel.returncode is not None:
                    return tunnel.wait()
                return -1

            async def check(tunnel: subprocess.Popen):
                if tunnel.poll() is not None:
                    output, _ = tunnel.communicate()
                    return output
                return reap(tunnel)

            async def status(tunnel: subprocess.Popen):
                if tunnel.poll() is None:
                    return "running"
                else:
                    return tunnel.wait()
            """,
            note="near miss: a wait on a process a test has seen ended (`poll()` or `returncode`) returns at once",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import subprocess
            from fastapi import FastAPI
            from fastapi.concurrency import run_in_threadpool

            app = FastAPI()

            @app.post("/reports")
            async def build_report(name: str):
                await run_in_threadpool(print, name)
                subprocess.run(["make", name], check=True)  # FAL104
            """,
            fixed="""
            import subprocess
            from fastapi import FastAPI
            from fastapi.concurrency import run_in_threadpool

            app = FastAPI()

            @app.post("/reports")
            async def build_report(name: str):
                await run_in_threadpool(print, name)
                await run_in_threadpool(subprocess.run, ["make", name], check=True)  # FAL104
            """,
            unsafe=True,
            note="a file that uses FastAPI's `run_in_threadpool` gets it for the fix (unsafe)",
        ),
        Invalid(
            """
            import os
            import subprocess
            from subprocess import check_output as run_command

            async def handler(name):
                subprocess.run(["convert", name])  # FAL104
                run_command(["ls"])  # FAL104
                os.system("sync")  # FAL104
                process = subprocess.Popen(["sleep", "1"])  # FAL104
                process.wait()  # FAL104
            """
        ),
        Invalid(
            """
            import os

            async def wait_for(pid: int):
                return os.waitpid(pid, 0)  # FAL104
            """,
            note="without `WNOHANG` the wait blocks until the child exits",
        ),
        Invalid(
            """
            import subprocess

            class Encoder:
                def __init__(self, command):
                    self.process = subprocess.Popen(command)

                def close(self):
                    self.process.terminate()
                    self.process.wait(timeout=10)

            async def cancel(encoder: Encoder):
                encoder.close()  # FAL104

            async def stop(process: subprocess.Popen):
                if process.poll() is None:
                    process.kill()
                process.wait()  # FAL104
            """,
            note="a process may outlive SIGTERM, and a kill in a branch leaves the wait after it blocking",
        ),
        Invalid(
            """
            import subprocess

            async def check(tunnel: subprocess.Popen, command):
                if tunnel.poll() is None:
                    tunnel.wait()  # FAL104
                if tunnel.poll() is not None:
                    tunnel = subprocess.Popen(command)  # FAL104
                    tunnel.wait()  # FAL104
                if tunnel.poll() is not None:
                    other = subprocess.Popen(command)  # FAL104
                    other.wait()  # FAL104
                if tunnel.poll() is not None:
                    for attempt in range(3):
                        tunnel = subprocess.Popen(command)  # FAL104
                        tunnel.communicate()  # FAL104
            """,
            note="near misses: a wait while the process still runs, on a process started again (also inside a "
            "loop), and on another one",
        ),
    ]


RULE = BlockingSubprocess
