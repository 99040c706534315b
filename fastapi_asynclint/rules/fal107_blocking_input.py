"""## What it does
Checks for reads from the console in an `async def` function: `input()`, `getpass.getpass()` and
`sys.stdin.read*()`, directly or through sync helpers.

## Why is this bad?
Reading the terminal waits for a human. In a server there usually is none, so the event loop (and with it
every request) waits forever. flake8-async reports this as ASYNC250.

## Example
```python
@app.on_event("startup")
async def confirm():
    if input("Migrate? [y/N] ") == "y":
        await migrate()
```

## Use instead
```python
@app.on_event("startup")
async def confirm():
    if settings.migrate_on_start:
        await migrate()
```

## Fix safety
No fix replaces the read: the right replacement depends on why the program reads the console, and a
worker thread would only hide a server that waits for a human. In a route or dependency that never
awaits, an unsafe fix declares the function with `def` (FastAPI then runs it in its threadpool).
"""

from fastapi_asynclint.catalog import Category
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._blocking import BlockingCallRule


class BlockingInput(BlockingCallRule):
    CODE = "FAL107"
    CATEGORY = Category.INPUT
    MESSAGE = "Console input in async function"

    VALID = [
        Valid(
            """
            def ask():
                return input("name? ")
            """
        ),
        Valid(
            """
            async def handler(input):
                return input("value")
            """,
            note="near miss: a parameter shadowing the builtin `input`",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import getpass
            import sys

            async def handler():
                input("name? ")  # FAL107
                getpass.getpass()  # FAL107
                sys.stdin.readline()  # FAL107
            """
        ),
    ]


RULE = BlockingInput
