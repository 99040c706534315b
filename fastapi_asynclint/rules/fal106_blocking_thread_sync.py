"""## What it does
Checks for thread synchronisation that waits, used by an `async def` function: `threading.Lock.acquire()`
(and `RLock`, `Semaphore`, `Condition`) without a timeout, `threading.Event.wait()`, `Thread.join()`,
`queue.Queue.get()` in blocking mode, `concurrent.futures.Future.result()` and `multiprocessing` joins and
pool maps, `Executor.shutdown()`, directly or through sync helpers. A call passing `timeout=`, `blocking=False`
or `block=False` (or the positional equivalent) returns promptly and is not reported, nor is
`shutdown(wait=False)`, and neither is `put()` on a queue built
without a `maxsize` (or with `maxsize <= 0`), which never fills.

## Why is this bad?
The coroutine waits for another *thread*, but holds the event loop while it does: nothing else runs, and if
that thread needs the loop to make progress the process deadlocks.

## Example
```python
import threading

lock = threading.Lock()

@app.post("/counter")
async def increment():
    lock.acquire()
    try:
        state.count += 1
    finally:
        lock.release()
```

## Use instead
```python
import asyncio

lock = asyncio.Lock()

@app.post("/counter")
async def increment():
    async with lock:
        state.count += 1
```

## Fix safety
In a route or dependency that never awaits, an unsafe fix declares it with `def`, so FastAPI runs it in its
threadpool. The call is never moved to a worker thread: a lock acquired there belongs to that thread.
"""

from fastapi_asynclint.catalog import Category
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._blocking import BlockingCallRule


class BlockingThreadSync(BlockingCallRule):
    CODE = "FAL106"
    CATEGORY = Category.LOCK
    MESSAGE = "Blocking thread synchronisation in async function"

    VALID = [
        Valid(
            """
            import asyncio

            lock = asyncio.Lock()

            async def increment():
                async with lock:
                    pass
            """
        ),
        Valid(
            """
            import threading

            lock = threading.Lock()

            async def try_increment():
                if lock.acquire(blocking=False):
                    lock.release()
                lock.acquire(timeout=0.1)
                lock.acquire(False)
            """,
            note="near miss: acquiring without waiting",
        ),
        Valid(
            """
            import queue

            jobs = queue.Queue()

            async def poll():
                return jobs.get_nowait()
            """,
            note="near miss: the non-blocking queue methods",
        ),
        Valid(
            """
            import queue

            jobs = queue.Queue()
            retries = queue.Queue(maxsize=0)

            async def submit(job):
                jobs.put(job)
                retries.put(job)
            """,
            note="near miss: `put` on an unbounded queue never waits",
        ),
        Valid(
            files={
                "app/workers.py": '''
                    from concurrent.futures import ThreadPoolExecutor

                    pool = ThreadPoolExecutor(max_workers=4)

                    def stop_pool():
                        pool.shutdown(wait=False, cancel_futures=True)
                    ''',
                "app/main.py": '''
                    from concurrent.futures import ThreadPoolExecutor
                    from app.workers import stop_pool

                    async def finalize(executor: ThreadPoolExecutor):
                        executor.shutdown(wait=False)
                        stop_pool()
                    ''',
            },
            note="near miss: `shutdown(wait=False)` returns without waiting for the workers, directly or in a helper",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import queue
            import threading

            lock = threading.Lock()
            done = threading.Event()
            jobs = queue.Queue()

            async def handler(worker: threading.Thread):
                lock.acquire()  # FAL106
                done.wait()  # FAL106
                jobs.get()  # FAL106
                worker.join()  # FAL106
            """
        ),
        Invalid(
            """
            from concurrent.futures import ThreadPoolExecutor


            def stop_pool(pool: ThreadPoolExecutor):
                pool.shutdown(wait=True)


            async def finalize(executor: ThreadPoolExecutor):
                executor.shutdown()  # FAL106
                stop_pool(executor)  # FAL106
                executor.shutdown(wait=False)
            """,
            note="near miss: `shutdown()` and `shutdown(wait=True)` wait for every running job; `wait=False` beside "
            "them does not",
        ),
    ]


RULE = BlockingThreadSync
