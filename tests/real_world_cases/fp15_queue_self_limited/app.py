import asyncio
import concurrent.futures


class Waiter:
    """Runs callbacks submitted by worker threads while the loop waits; each submitter blocks on its own future."""

    def __init__(self):
        self._loop = None
        self._queue = None

    def submit(self, fn):  # called from worker threads
        future = concurrent.futures.Future()
        self._loop.call_soon_threadsafe(self._queue.put_nowait, (fn, future))
        return future.result()  # the producer waits for its item: depth <= number of producer threads

    async def wait(self):
        self._loop = asyncio.get_running_loop()
        self._queue = asyncio.Queue()
        while True:
            fn, future = await self._queue.get()
            future.set_result(fn())
