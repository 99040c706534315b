"""## What it does
Checks for synchronous SQLAlchemy (and SQLModel) used from an `async def` function: a `Session` (from
`sessionmaker()`, `Session(engine)`, or injected with `db: Session = Depends(get_db)`, an
`Annotated[Session, Depends(...)]` alias, or an un-annotated `db=Depends(get_db)` whose dependency yields a
sync session), an `Engine` from `create_engine`, or a `Connection`: every query, `execute`, `commit`,
`refresh`, `Query.all()`/`first()`, `engine.connect()`, and reflection (`inspect(engine).get_table_names()`,
`metadata.reflect(bind=engine)`, `metadata.create_all(engine)`) is reported, directly or through sync helpers.
Session methods that do no I/O (`add`, `add_all`, `expunge`, building a `query`) are not.

A session kept on a state object is followed too: `request.state.db = SessionLocal()` in a middleware or
dependency, or `app.state.db = ...` in a lifespan, in any module, gives `request.state.db` (and
`request.app.state.db`, `app.state.db`) that type wherever it is read, as long as the project stores one
kind of value under that name.

## Why is this bad?
This is FastAPI's most common performance bug: the SQL tutorial's `get_db` dependency yields a *sync*
session, and declaring a route `async def` makes every query run on the event loop. While a query waits
on the database, no other request is served; under load the whole API serialises behind the database.

## Example
```python
@app.get("/users/{user_id}")
async def read_user(user_id: int, db: Session = Depends(get_db)):
    return db.query(User).filter(User.id == user_id).first()
```

## Use instead
```python
@app.get("/users/{user_id}")
def read_user(user_id: int, db: Session = Depends(get_db)):
    return db.query(User).filter(User.id == user_id).first()
```
(FastAPI runs a `def` route in its threadpool), or use `AsyncSession` from `create_async_engine` and
`await db.execute(...)`.

## Fix safety
When the `async def` route or dependency never awaits, an unsafe fix declares it with `def`. It is unsafe
because it moves the function to the threadpool (with its size limit) and because code that awaited the
function directly would break (the fix is not offered when the project does that).
"""

from fastapi_asynclint.catalog import Category
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._blocking import BlockingCallRule

_DEPS = '''
from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

engine = create_engine("sqlite:///app.db")
SessionLocal = sessionmaker(bind=engine)

def get_db():
    db = SessionLocal()
    try:
        yield db
    finally:
        db.close()
'''


class SyncSqlalchemySession(BlockingCallRule):
    CODE = "FAL202"
    CATEGORY = Category.ORM
    MESSAGE = "Sync SQLAlchemy session used in async function"

    VALID = [
        Valid(
            """
            from fastapi import FastAPI
            from sqlalchemy import inspect

            app = FastAPI()

            @app.get("/fields")
            async def fields():
                return [attribute.key for attribute in inspect(User).attrs]
            """,
            note="near miss: `inspect()` of a mapped class reads its mapping, not the database",
        ),
        Valid(
            files={
                "app/deps.py": _DEPS,
                "app/main.py": '''
                    from fastapi import Depends, FastAPI
                    from sqlalchemy.orm import Session
                    from app.deps import get_db

                    app = FastAPI()

                    @app.get("/users")
                    def users(db: Session = Depends(get_db)):
                        return db.query(User).all()
                    ''',
            },
            note="a `def` route runs in the threadpool",
        ),
        Valid(
            """
            from fastapi import Depends
            from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

            async def users(db: AsyncSession = Depends(get_session)):
                result = await db.execute(select(User))
                return result.scalars().all()
            """,
            note="AsyncSession is awaited",
        ),
        Valid(
            files={
                "app/state.py": '''
                    from fastapi import FastAPI
                    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

                    AsyncSessionLocal = async_sessionmaker(create_async_engine("sqlite+aiosqlite://"))

                    async def lifespan(app: FastAPI):
                        app.state.db = AsyncSessionLocal()
                        yield
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI, Request
                    from app.state import lifespan

                    app = FastAPI(lifespan=lifespan)

                    @app.get("/users")
                    async def users(request: Request):
                        await request.app.state.db.commit()
                        return await request.app.state.db.execute("select 1")
                    ''',
            },
            note="near miss: the session kept on `app.state` is an AsyncSession",
        ),
        Valid(
            """
            from fastapi import Depends
            from sqlalchemy.orm import Session

            async def create(item, db: Session = Depends(get_db)):
                db.add(item)
                return item
            """,
            note="near miss: `Session.add` does no I/O",
        ),
    ]

    INVALID = [
        Invalid(
            files={
                "app/db.py": '''
                    from sqlalchemy import MetaData, create_engine, inspect

                    engine = create_engine("postgresql://db/app")
                    metadata = MetaData()

                    def tenant_schemas():
                        return set(inspect(engine).get_schema_names())
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI, Request
                    from app.db import engine, metadata, tenant_schemas

                    app = FastAPI()

                    @app.middleware("http")
                    async def tenant(request: Request, call_next):
                        if request.headers.get("x-tenant") not in tenant_schemas():  # FAL202
                            return None
                        return await call_next(request)

                    @app.post("/admin/reflect")
                    async def reflect():
                        metadata.reflect(bind=engine)  # FAL202
                        return await audit(list(metadata.tables))
                    ''',
            },
            note="reflection reads the database's catalogue on every request",
        ),
        Invalid(
            files={
                "app/deps.py": _DEPS,
                "app/main.py": '''
                    from typing import Annotated
                    from fastapi import Depends, FastAPI
                    from sqlalchemy.orm import Session
                    from app.deps import SessionLocal, engine, get_db

                    app = FastAPI()
                    SessionDep = Annotated[Session, Depends(get_db)]

                    @app.get("/users/{user_id}")
                    async def read_user(user_id: int, db: Session = Depends(get_db)):
                        await audit(user_id)
                        return db.query(User).filter(User.id == user_id).first()  # FAL202

                    @app.post("/users")
                    async def create_user(user, db: SessionDep):
                        db.add(user)
                        await audit(user)
                        db.commit()  # FAL202
                        db.refresh(user)  # FAL202

                    @app.get("/plain")
                    async def plain(db=Depends(get_db)):
                        await audit(None)
                        return db.execute("select 1")  # FAL202

                    async def report():
                        with SessionLocal() as session:
                            session.execute("select 1")  # FAL202
                        with engine.connect() as connection:  # FAL202
                            connection.execute("select 1")  # FAL202
                    ''',
            },
        ),
        Invalid(
            files={
                "app/deps.py": _DEPS,
                "app/main.py": '''
                    from fastapi import Depends, FastAPI
                    from sqlalchemy.orm import Session
                    from app.deps import get_db

                    app = FastAPI()

                    @app.get("/users")
                    async def users(db: Session = Depends(get_db)):
                        return db.query(User).all()  # FAL202
                    ''',
            },
            fixed_files={
                "app/main.py": '''
                    from fastapi import Depends, FastAPI
                    from sqlalchemy.orm import Session
                    from app.deps import get_db

                    app = FastAPI()

                    @app.get("/users")
                    def users(db: Session = Depends(get_db)):
                        return db.query(User).all()  # FAL202
                    ''',
            },
            unsafe=True,
            note="the route never awaits: declared `def` by the unsafe fix",
        ),
        Invalid(
            files={
                "app/deps.py": _DEPS,
                "app/middleware.py": '''
                    from fastapi import Request
                    from app.deps import SessionLocal

                    async def db_session(request: Request, call_next):
                        request.state.db = SessionLocal()
                        response = await call_next(request)
                        request.state.db.commit()  # FAL202
                        return response
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI, Request
                    from app.middleware import db_session

                    app = FastAPI()
                    app.middleware("http")(db_session)

                    @app.get("/users")
                    async def users(request: Request):
                        await audit(None)
                        return request.state.db.query(User).all()  # FAL202
                    ''',
            },
            note="a session a middleware in another module keeps on `request.state`",
        ),
        Invalid(
            """
            from sqlalchemy import inspect


            class Store:
                def __init__(self, engine):
                    self.engine = engine
                    self._has_owner = None

                def _owner_exists(self) -> bool:
                    if self._has_owner is None:
                        columns = inspect(self.engine).get_columns("items")
                        self._has_owner = any(column["name"] == "user_id" for column in columns)
                    return self._has_owner

                def _require_owner(self, user_id):
                    if not self._owner_exists() and user_id is not None:
                        raise ValueError("the table has no user_id column")


                async def insert(self, rows, user_id=None):
                    self._require_owner(user_id)  # FAL202
                    for row in rows:
                        if self._owner_exists():
                            row["user_id"] = user_id
                    return rows

                async def count(self, rows, check: bool):
                    if check:
                        self._require_owner(None)  # FAL202
                    return self._owner_exists(), len(rows)  # FAL202

                async def upsert(self, rows, user_id=None):
                    self._require_owner(user_id)  # FAL202
                    await self._upsert(rows)

                async def _upsert(self, rows):
                    return [row for row in rows if self._owner_exists()]

                async def _total(self, rows):
                    return self._owner_exists()  # FAL202

                async def total(self, rows, check: bool):
                    if check:
                        self._require_owner(None)  # FAL202
                    return await self._total(rows)
            """,
            note="the first call of a memo fills its slot on `self`; the later calls in the same coroutine, and "
            "in a private one the class calls only after it, read the slot (not reported), unless the first "
            "call sits in a branch",
        ),
    ]


RULE = SyncSqlalchemySession
