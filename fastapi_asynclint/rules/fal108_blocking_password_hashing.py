"""## What it does
Checks for deliberately slow, CPU-bound key derivation run by an `async def` function:
`hashlib.pbkdf2_hmac`, `hashlib.scrypt`, `bcrypt.hashpw`/`checkpw`/`kdf`, passlib's `CryptContext.hash`/
`verify` and `passlib.hash.*`, argon2's `PasswordHasher`, pwdlib's `PasswordHash` (the library FastAPI's
security tutorial uses), werkzeug's password helpers, and `cryptography`'s scrypt and PBKDF2, directly or
through sync helpers.

## Why is this bad?
Password hashes are designed to cost tens to hundreds of milliseconds of CPU. Computed on the event loop,
every login stalls all other requests for that long; a burst of logins takes the service down.

## Example
```python
from pwdlib import PasswordHash

password_hash = PasswordHash.recommended()

@app.post("/login")
async def login(form: LoginForm):
    user = await users.get(form.username)
    if not password_hash.verify(form.password, user.hashed_password):
        raise HTTPException(401)
```

## Use instead
```python
from anyio import to_thread

@app.post("/login")
async def login(form: LoginForm):
    user = await users.get(form.username)
    if not await to_thread.run_sync(password_hash.verify, form.password, user.hashed_password):
        raise HTTPException(401)
```

## Fix safety
Both fixes are unsafe. In a route or dependency that never awaits, the fix declares it with `def`, so
FastAPI runs it in its threadpool. Elsewhere the call moves to a worker thread
(`await asyncio.to_thread(f, ...)`, or the file's own `run_in_threadpool` / `anyio.to_thread.run_sync`),
where code that is not thread-safe may behave differently. Calls heading a `with` statement or inside a
comprehension or lambda are left alone.
"""

from fastapi_asynclint.catalog import Category
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._blocking import BlockingCallRule


class BlockingPasswordHashing(BlockingCallRule):
    CODE = "FAL108"
    CATEGORY = Category.HASHING
    MESSAGE = "CPU-heavy password hashing in async function"

    VALID = [
        Valid(
            """
            import bcrypt
            from anyio import to_thread

            async def check(password, hashed):
                return await to_thread.run_sync(bcrypt.checkpw, password, hashed)
            """
        ),
        Valid(
            """
            import hashlib

            async def etag(body: bytes):
                return hashlib.sha256(body).hexdigest()
            """,
            note="near miss: a fast digest is not password hashing",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import hashlib
            import bcrypt
            from passlib.context import CryptContext

            context = CryptContext(schemes=["bcrypt"])

            async def login(password: bytes, hashed: bytes):
                bcrypt.checkpw(password, hashed)  # FAL108
                hashlib.pbkdf2_hmac("sha256", password, b"salt", 600_000)  # FAL108
                context.verify(password, hashed)  # FAL108
            """
        ),
        Invalid(
            files={
                "app/security.py": '''
                    from pwdlib import PasswordHash

                    password_hash = PasswordHash.recommended()

                    def verify_password(plain, hashed):
                        return password_hash.verify(plain, hashed)
                    ''',
                "app/routes.py": '''
                    from app.security import verify_password

                    async def login(plain, hashed):
                        return verify_password(plain, hashed)  # FAL108
                    ''',
            },
            note="a module-level hasher built by a factory classmethod, used through a helper",
        ),
    ]


RULE = BlockingPasswordHashing
