import time
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:

    class Store(Protocol):
        def get(self, key: str) -> str: ...


async def handler():
    time.sleep(1)  # true; FP5 was a FAL900 on this valid file  # expect: FAL101
