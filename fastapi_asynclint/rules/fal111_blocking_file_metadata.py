"""## What it does
Checks for calls made by an `async def` function that ask the file system about a path or change one
directory entry, directly or through sync helpers (with the call chain):
- checks: `os.path.exists`-style functions (`isfile`, `isdir`, `getsize`, `getmtime`, `realpath`, ...),
  `os.stat`, `os.access`, `pathlib.Path.exists`, `is_file`, `is_dir`, `stat`, `resolve`, `samefile`,
  `shutil.which`;
- changes to one entry: `os.mkdir`/`makedirs`, `os.remove`/`unlink`, `os.rename`/`replace`, `rmdir`,
  `chmod`, `chown`, `symlink`, `utime`, the same `pathlib.Path` methods (`mkdir`, `unlink`, `touch`,
  `rename`, ...), `shutil.copymode`/`copystat`, `tempfile.mkdtemp`.

**Off by default.** Turn it on with `extend-select = ["FAL111"]` (or a selector that names it, such as
`select = ["FAL1"]`). Each of these calls is one system call (a few for `makedirs`, `realpath`, `resolve`
and `which`) that reads and writes no file contents; a local disk answers it in microseconds, so a single
one in a route is rarely worth a change. Calls that read, write, list, copy or move files, or remove a
tree, are FAL103 and stay on; a helper that creates a folder and then writes a file in it is reported
there, under the write.

## Why is this bad?
On a network file system (NFS, SMB, a FUSE mount of object storage), on a disk under load, or in a loop
over many paths, each check can wait for milliseconds, and the event loop waits with it. flake8-async
(ASYNC240) and ruff (ASYNC240, in preview) report the same calls.

## Example
```python
@app.get("/avatars/{name}")
async def avatar(name: str):
    path = AVATARS / name
    if not path.is_file():
        raise HTTPException(404)
    return FileResponse(path)
```

## Use instead
```python
import anyio

@app.get("/avatars/{name}")
async def avatar(name: str):
    path = anyio.Path(AVATARS / name)
    if not await path.is_file():
        raise HTTPException(404)
    return FileResponse(path)
```
or run the check in a worker thread (`await anyio.to_thread.run_sync(...)`).

## Fix safety
As for FAL103, both fixes are unsafe. In a route or dependency that never awaits, the fix declares it
with `def`, so FastAPI runs it in its threadpool. Elsewhere the call moves to a worker thread
(`await asyncio.to_thread(f, ...)`, or the file's own `run_in_threadpool` / `anyio.to_thread.run_sync`).
"""

from fastapi_asynclint.catalog import Category
from fastapi_asynclint.rule import Invalid, Valid
from fastapi_asynclint.rules._blocking import BlockingCallRule


class BlockingFileMetadata(BlockingCallRule):
    CODE = "FAL111"
    CATEGORY = Category.METADATA
    MESSAGE = "Blocking file-system metadata call in async function"

    VALID = [
        Valid(
            """
            import os
            from pathlib import Path

            def has_config(root):
                return os.path.exists(os.path.join(root, "config.toml"))

            async def handler(root: str):
                path = Path(root).absolute().expanduser()
                return os.path.join(root, "a"), os.path.basename(root), path.name, path.suffix
            """,
            note="a sync helper nothing async calls, and path arithmetic that asks no disk",
        ),
        Valid(
            """
            import asyncio
            import os

            async def handler(path: str):
                return await asyncio.to_thread(os.path.exists, path)
            """,
            note="near miss: the check runs in a worker thread",
        ),
        Valid(
            """
            import os

            async def handler(pid: int):
                return os.stat(f"/proc/{pid}/stat")
            """,
            note="near miss: a kernel pseudo-file, answered from memory",
        ),
        Valid(
            """
            import shutil
            from pathlib import Path

            async def handler(path: str):
                shutil.rmtree(path + ".old")
                return Path(path).read_text()
            """,
            note="near miss: a read, and the removal of a whole tree, are FAL103, not one entry",
        ),
    ]

    INVALID = [
        Invalid(
            """
            import os
            import shutil
            from pathlib import Path

            async def handler(path: str):
                if os.path.isfile(path) and Path(path).resolve().is_relative_to("/srv"):  # FAL111
                    return os.stat(path).st_size  # FAL111
                return shutil.which("ffmpeg")  # FAL111
            """
        ),
        Invalid(
            files={
                "app/paths.py": '''
                    from pathlib import Path

                    def is_inside(parent: Path, child: Path) -> bool:
                        return child.resolve().is_relative_to(parent.resolve())
                    ''',
                "app/main.py": '''
                    from pathlib import Path
                    from fastapi import FastAPI
                    from app.paths import is_inside

                    app = FastAPI()

                    @app.get("/assets/{name}")
                    async def asset(name: str):
                        return is_inside(Path("assets"), Path("assets") / name)  # FAL111
                    ''',
            },
            message="`is_inside()` blocks the event loop in async function `asset`: is_inside() -> pathlib.Path.resolve (file metadata); use `anyio.Path`, or run it in a worker thread",
            note="through a helper in another module, with the call chain",
        ),
        Invalid(
            files={
                "app/storage.py": '''
                    import os
                    import tempfile
                    from pathlib import Path

                    def scratch_dir(user: str) -> str:
                        os.makedirs(f"/srv/scratch/{user}", exist_ok=True)
                        return tempfile.mkdtemp(dir=f"/srv/scratch/{user}")

                    def forget(path: str) -> None:
                        Path(path).unlink(missing_ok=True)
                    ''',
                "app/main.py": '''
                    import os
                    from fastapi import FastAPI
                    from app.storage import forget, scratch_dir

                    app = FastAPI()

                    @app.post("/jobs/{user}")
                    async def start(user: str):
                        folder = scratch_dir(user)  # FAL111
                        os.rename(folder, folder + ".ready")  # FAL111
                        forget(folder + ".lock")  # FAL111
                        return folder
                    ''',
            },
            note="creating, renaming and removing one entry, directly and through helpers",
        ),
        Invalid(
            """
            import asyncio
            import os

            async def handler(path: str):
                await asyncio.sleep(0)
                return os.path.getsize(path)  # FAL111
            """,
            fixed="""
            import asyncio
            import os

            async def handler(path: str):
                await asyncio.sleep(0)
                return await asyncio.to_thread(os.path.getsize, path)  # FAL111
            """,
            unsafe=True,
            note="moved to a worker thread",
        ),
    ]


RULE = BlockingFileMetadata
