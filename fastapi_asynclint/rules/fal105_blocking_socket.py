"""## What it does
Checks for blocking network primitives used by an `async def` function: `socket.create_connection`, DNS
lookups (`socket.getaddrinfo`, `gethostbyname`, ...), blocking `socket`/`ssl` socket methods (`connect`,
`recv`, `sendall`, `accept`, ...), `select.select` and `selectors`, and the stdlib protocol clients built
on them (`ftplib`, `imaplib`, `poplib`), directly or through sync helpers.

## Why is this bad?
Each of these waits for the network while holding the event loop; a DNS lookup alone can take seconds when
a resolver is slow, and every request on the worker waits with it.

## Example
```python
import socket

@app.get("/health/db")
async def database_health():
    socket.create_connection(("db", 5432), timeout=1).close()
```

## Use instead
```python
import asyncio

@app.get("/health/db")
async def database_health():
    reader, writer = await asyncio.wait_for(asyncio.open_connection("db", 5432), timeout=1)
    writer.close()
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


class BlockingSocket(BlockingCallRule):
    CODE = "FAL105"
    CATEGORY = Category.SOCKET
    MESSAGE = "Blocking socket call in async function"

    VALID = [
        Valid(
            """
            import asyncio

            async def probe(host, port):
                reader, writer = await asyncio.open_connection(host, port)
                writer.close()
            """
        ),
        Valid(
            """
            import socket

            async def hostname():
                return socket.gethostname()
            """,
            note="near miss: `gethostname` reads a local value",
        ),
        Valid(
            """
            async def relay(sock):
                return await sock.recv(1024)
            """,
            note="near miss: an untyped `sock` whose `recv` is awaited",
        ),
        Valid(
            """
            import ftplib
            import imaplib

            async def describe(ftp: ftplib.FTP, mailbox: imaplib.IMAP4):
                ftp.set_pasv(True)
                return ftp.getwelcome(), mailbox.response("CAPABILITY")
            """,
            note="near miss: settings and replies the protocol clients already hold",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import socket

            async def probe(host):
                socket.getaddrinfo(host, 443)  # FAL105
                connection = socket.create_connection((host, 443))  # FAL105
                connection.sendall(b"ping")  # FAL105
                raw = socket.socket()
                raw.connect((host, 80))  # FAL105
            """
        ),
    ]


RULE = BlockingSocket
