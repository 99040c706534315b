import asyncio

from fastapi import FastAPI, WebSocket

app = FastAPI()


async def session(websocket: WebSocket):
    async for message in websocket.iter_text():
        await websocket.send_text(message)


@app.websocket("/ws")
async def ws(websocket: WebSocket):
    await websocket.accept()
    task = asyncio.ensure_future(session(websocket))
    try:
        await asyncio.wait_for(asyncio.shield(task), timeout=3600)
    finally:
        task.cancel()  # the task never outlives the handler
