import asyncio

from fastapi import FastAPI

app = FastAPI()
REGISTRY = ["https://a.example", "https://b.example"]


async def check(url):
    return url


@app.get("/agents")
async def list_agents(health_check: bool = False):
    agents = list(REGISTRY)  # server-side registry, not request data
    if health_check:
        return await asyncio.wait_for(asyncio.gather(*[check(a) for a in agents]), timeout=5)
    return agents
