"""## What it does
Checks for synchronous database drivers used from an `async def` function: psycopg2 and psycopg's sync
`connect`/connections/cursors, pymysql, MySQLdb, mysql.connector, sqlite3, pymongo's `MongoClient` (every
database and collection operation), sync redis (`redis.Redis`, `StrictRedis`, `from_url`), cassandra's sync
`Session.execute`, neo4j's sync driver and sessions, clickhouse-driver and clickhouse-connect, and sync
Elasticsearch/OpenSearch clients, directly or through sync helpers. Fetching from the client-side cursors of
psycopg2, psycopg, pymysql and MySQLdb reads rows that `execute()` already received, and is not reported.

Their async counterparts are not reported: asyncpg, psycopg's `AsyncConnection`, aiomysql, aiosqlite,
motor, `redis.asyncio`, `AsyncElasticsearch`.

## Why is this bad?
A query waits on the database while holding the event loop; one slow query stalls every request on the
worker, and a connection-pool wait can deadlock the loop entirely.

## Example
```python
import redis

cache = redis.Redis()

@app.get("/items/{key}")
async def item(key: str):
    return cache.get(key)
```

## Use instead
```python
import redis.asyncio as redis

cache = redis.Redis()

@app.get("/items/{key}")
async def item(key: str):
    return await cache.get(key)
```

## Fix safety
In a route or dependency that never awaits, an unsafe fix declares it with `def`, so FastAPI runs it in its
threadpool (where a sync driver is fine).
"""

from fastapi_asynclint.catalog import Category
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._blocking import BlockingCallRule


class SyncDatabaseDriver(BlockingCallRule):
    CODE = "FAL201"
    CATEGORY = Category.DB
    MESSAGE = "Sync database driver used in async function"

    VALID = [
        Valid(
            """
            import asyncpg
            import redis.asyncio as aioredis

            cache = aioredis.Redis()

            async def handler(dsn, key):
                connection = await asyncpg.connect(dsn)
                await connection.fetch("select 1")
                return await cache.get(key)
            """
        ),
        Valid(
            """
            import sqlite3

            def sync_route():
                return sqlite3.connect("app.db").execute("select 1").fetchall()
            """
        ),
        Valid(
            """
            import redis

            cache = redis.Redis()

            async def handler():
                return cache.pipeline()
            """,
            note="near miss: building a pipeline does no I/O",
        ),
        Valid(
            """
            from motor.motor_asyncio import AsyncIOMotorClient

            client = AsyncIOMotorClient()

            async def handler():
                return await client.app.users.find_one({})
            """,
            note="near miss: motor, the async MongoDB driver",
        ),
        Valid(
            """
            import neo4j
            import psycopg2.extensions

            driver = neo4j.GraphDatabase.driver("neo4j://db", auth=("neo4j", "secret"))

            async def rows(cursor: psycopg2.extensions.cursor):
                session = driver.session()
                return session, cursor.fetchall(), cursor.fetchone()
            """,
            note="near miss: opening a neo4j session is lazy; a client-side cursor's fetch reads memory",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import psycopg2
            import pymongo
            import redis
            import sqlite3

            cache = redis.StrictRedis.from_url("redis://localhost")
            mongo = pymongo.MongoClient()

            async def handler(key):
                connection = psycopg2.connect("dbname=app")  # FAL201
                cursor = connection.cursor()
                cursor.execute("select 1")  # FAL201
                cache.get(key)  # FAL201
                mongo.app.users.find_one({"key": key})  # FAL201
                sqlite3.connect("app.db")  # FAL201
            """
        ),
        Invalid(
            files={
                "app/db.py": '''
                    import pymysql

                    def fetch_user(user_id):
                        with pymysql.connect(host="db") as connection:
                            with connection.cursor() as cursor:
                                cursor.execute("select * from users where id=%s", (user_id,))
                                return cursor.fetchone()
                    ''',
                "app/main.py": '''
                    from app.db import fetch_user

                    async def user(user_id):
                        return fetch_user(user_id)  # FAL201
                    ''',
            },
            message="fetch_user() -> pymysql.connect",
        ),
        Invalid(
            """
            import clickhouse_connect
            import neo4j

            driver = neo4j.GraphDatabase.driver("neo4j://db", auth=("neo4j", "secret"))

            async def report(day):
                client = clickhouse_connect.get_client(host="clickhouse")  # FAL201
                client.query("select count() from events where day = {day:Date}", parameters={"day": day})  # FAL201
                with driver.session() as session:
                    session.run("MATCH (n) RETURN count(n)")  # FAL201
            """,
            note="clickhouse-connect's client and a neo4j session",
        ),
    ]


RULE = SyncDatabaseDriver
