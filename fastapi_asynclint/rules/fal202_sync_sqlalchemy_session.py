"""## What it does
Checks for synchronous SQLAlchemy (and SQLModel) used from an `async def` function: a `Session` (from
`sessionmaker()`, `Session(engine)`, or injected with `db: Session = Depends(get_db)`, an
`Annotated[Session, Depends(...)]` alias, or an un-annotated `db=Depends(get_db)` whose dependency yields a
sync session), an `Engine` from `create_engine`, or a `Connection`: every query, `execute`, `commit`,
`refresh`, `Query.all()`/`first()`, `engine.connect()` is reported, directly or through sync helpers.
Session methods that do no I/O (`add`, `add_all`, `expunge`, building a `query`) are not.

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
    ]


RULE = SyncSqlalchemySession
