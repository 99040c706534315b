import functools

import httpx


def async_dispatch(async_impl):
    """Run `async_impl` when called from a coroutine (unless _sync=True), else the sync body."""
    def decorator(sync_fn):
        @functools.wraps(sync_fn)
        def wrapper(*args, _sync=None, **kwargs):
            return (sync_fn if _sync else async_impl)(*args, **kwargs)
        return wrapper
    return decorator


async def aload(name):
    async with httpx.AsyncClient() as client:
        return (await client.get(f"https://api.example.com/{name}")).json()


@async_dispatch(aload)
def load(name):
    return httpx.get(f"https://api.example.com/{name}").json()


async def handler(name):
    coro = load(name)  # dispatches to aload: a coroutine, awaited below
    return await coro
