import asyncio

from fastapi import FastAPI

app = FastAPI()
BATCH = 50


async def evict(user_id):
    return user_id


@app.post("/users/bulk-update")
async def bulk_update(user_ids: list[str]):
    for start in range(0, len(user_ids), BATCH):
        await asyncio.gather(*(evict(u) for u in user_ids[start : start + BATCH]))  # at most 50 at once
