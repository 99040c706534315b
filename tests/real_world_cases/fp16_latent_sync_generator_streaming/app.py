import time

from fastapi import FastAPI
from fastapi.responses import StreamingResponse

app = FastAPI()


def rows():
    for i in range(3):
        time.sleep(1)
        yield f"{i}\n"


@app.get("/stream")
async def stream():
    return StreamingResponse(rows())  # Starlette iterates a sync generator in its threadpool
