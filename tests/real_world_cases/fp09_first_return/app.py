import httpx


class SyncApi:
    def __init__(self):
        self._http = httpx.Client()

    def create(self, item):
        return self._http.post("https://api.example.com/items", json=item)


class AsyncApi:
    def __init__(self):
        self._http = httpx.AsyncClient()

    async def create(self, item):
        return await self._http.post("https://api.example.com/items", json=item)


def get_api(sync: bool = False):
    if sync:
        return SyncApi()
    return AsyncApi()


async def handler(item):
    api = get_api()  # AsyncApi
    result = api.create(item)  # a coroutine
    return await result
