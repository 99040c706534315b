"""## What it does
Checks for blocking file-system calls made by an `async def` function: `open()` (and `io.open`,
`codecs.open`, `tempfile` files and directories), `os` calls that read, write or list (`os.read`,
`os.listdir`, `os.walk`, ...), `pathlib.Path` methods that read, write or list (`read_text`,
`write_bytes`, `iterdir`, `glob`, ...), `shutil` copies, moves and tree removals, `glob`, `zipfile` and
`tarfile`, directly or through sync helpers (with the call chain). Of a `ZipFile` only the members that read
or write the archive are reported (not `namelist`, `infolist` or `getinfo`, which read the directory its
constructor loaded). Paths written under `/proc/` or `/sys/` (`open(f"/proc/{pid}/stat")`) and the null
device (`os.devnull`, `/dev/null`) are not reported: the kernel answers them from memory. Calls that only
check a path or change one directory entry (`os.path.exists`, `mkdir`, `unlink`, `rename`, ...) are FAL111,
off by default.

## Why is this bad?
Disk access blocks the calling thread; on network file systems, under load, or for large files it can take
milliseconds to seconds, during which an async server handles nothing else. flake8-async (ASYNC230/240)
and ruff report the same calls.

## Example
```python
@app.get("/report")
async def report():
    with open("report.csv") as handle:
        return handle.read()
```

## Use instead
```python
import anyio

@app.get("/report")
async def report():
    return await anyio.Path("report.csv").read_text()
```
or read the file once at start-up (see FAL502) or in a worker thread (`await anyio.to_thread.run_sync(...)`).

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


# Shared by a near miss and a positive example: helpers whose file access depends on their arguments.
_PLUGINS = """
import tempfile

def fetch_remote(value):
    if value.startswith("s3://") or value.startswith("gcs://"):
        with tempfile.NamedTemporaryFile() as handle:
            return handle.name
    return value

def load_local(value, config_file_path=None):
    if config_file_path is None:
        raise ValueError("modules load only from the config file")
    with open(config_file_path) as handle:
        return handle.read() + value

def compatible():
    with open("callbacks.json") as handle:
        return handle.read()

def register(callback):
    if isinstance(callback, str):
        callback = callback if callback in compatible() else None
    return callback
"""


# Shared by a near miss and a positive example: methods that test what the constructor was given.
_LOGS = """
import os
from pathlib import Path

class Logging:
    def __init__(self, model, dynamic_callbacks=None):
        self.model = model
        self.dynamic_callbacks: list | None = dynamic_callbacks
        self.process()

    def process(self):
        self.dynamic_callbacks = self._process_list(
            self.dynamic_callbacks,
        )

    def _process_list(self, callback_list):
        if callback_list is None:
            return None
        return [name for name in callback_list if name in os.listdir(".")]

class PromptManager:
    def __init__(self, prompt_file=None):
        self.prompt_file = prompt_file
        self.prompts = self._load()

    def _load(self):
        if self.prompt_file:
            return Path(self.prompt_file).read_text()
        return ""
"""


class BlockingFileIO(BlockingCallRule):
    CODE = "FAL103"
    CATEGORY = Category.FILE
    MESSAGE = "Blocking file I/O in async function"

    VALID = [
        Valid(
            files={
                "app/config.py": '''
                    import json
                    import os
                    from pathlib import Path

                    _translations: dict = {}

                    def _load_translations():
                        _translations["en"] = json.loads(Path("locales/en.json").read_text())

                    def translate(key: str) -> str:
                        if not _translations:
                            _load_translations()
                        return _translations["en"].get(key, key)

                    def endpoint_config(name: str, store=None):
                        if store is None:
                            store = os.listdir("stores")
                        return store
                    ''',
                "app/main.py": '''
                    import asyncio
                    import os
                    import tempfile
                    from fastapi import FastAPI
                    from app.config import endpoint_config, translate

                    app = FastAPI()

                    def get_store():
                        return {"default": "memory"}

                    @app.get("/greeting")
                    async def greeting():
                        return {"text": translate("hello"), "store": endpoint_config("chat", store=get_store())}

                    @app.put("/upload")
                    async def upload(data: bytes):
                        descriptor, path = await asyncio.to_thread(tempfile.mkstemp)
                        handle = os.fdopen(descriptor, "wb")
                        await asyncio.to_thread(handle.write, data)
                        return path
                    ''',
            },
            note="near misses: a loader that fills a private module global once; a `store=None` fallback the "
            "caller fills with a call's result; `os.fdopen` wraps a descriptor already open",
        ),
        Valid(
            files={
                "app/db.py": '''
                    import os

                    def prepare(url: str):
                        if ":memory:" in url:
                            return url
                        os.listdir("data")
                        return url

                    def connect(url: str, mode: str = "memory"):
                        if mode != "memory":
                            os.listdir("data")
                        return url
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI
                    from app.db import connect, prepare

                    app = FastAPI()

                    @app.get("/health")
                    async def health():
                        prepare("sqlite+aiosqlite:///:memory:")
                        return connect("sqlite+aiosqlite://")
                    ''',
            },
            note="near miss: the literals the route passes rule out the branch that lists the folder",
        ),
        Valid(
            """
            import zipfile

            async def manifest(archive: zipfile.ZipFile):
                names = archive.namelist()
                sizes = {info.filename: info.file_size for info in archive.infolist()}
                return names, sizes, archive.getinfo("SKILL.md").file_size
            """,
            note="near miss: a ZipFile's directory listing is in memory once the archive is open",
        ),
        Valid(
            """
            import tempfile
            import zipfile


            class Export:
                def __init__(self):
                    self.file = tempfile.SpooledTemporaryFile(max_size=10_000_000)
                    self.archive = zipfile.ZipFile(self.file, mode="w")

                def close(self):
                    self.archive.writestr("manifest.json", "{}")
                    self.archive.close()
                    return self.file


            async def export():
                spool = tempfile.SpooledTemporaryFile()
                with zipfile.ZipFile(spool, "w") as archive:
                    archive.writestr("notes.txt", "hello")
                return Export().close()
            """,
            note="near miss: an archive over a `SpooledTemporaryFile` is written in memory, like one over `io.BytesIO`",
        ),
        Valid(
            """
            import io
            import zipfile


            def zip_export(names):
                output, seen = io.BytesIO(), set()
                with zipfile.ZipFile(output, "w") as archive:
                    for name in names:
                        if name not in seen:
                            seen.add(name)
                            archive.writestr(name, "")
                return output.getvalue()


            async def export(names: list):
                return zip_export(names)
            """,
            note="near miss: a buffer bound by unpacking (`output, seen = io.BytesIO(), set()`) is still in memory",
        ),
        Valid(
            files={
                "secrets.py": """
                    import os

                    def get_secret(name):
                        name = name.replace("os.environ/", "")
                        if name.startswith("oidc/file/"):
                            with open(name.removeprefix("oidc/file/")) as handle:
                                return handle.read()
                        return os.environ.get(name)

                    def get_secret_str(secret_name, default=None):
                        return get_secret(secret_name) or default
                    """,
                "app.py": """
                    from secrets import get_secret, get_secret_str

                    async def provider_key():
                        return get_secret("OPENAI_API_KEY"), get_secret_str(secret_name="os.environ/GROQ_KEY")
                    """,
            },
            note="near miss: the helper opens a file only for `oidc/file/` names, and these literals are not",
        ),
        Valid(
            files={
                "secrets.py": """
                    import os

                    def get_secret(name):
                        if name.startswith("oidc/file/"):
                            with open(name.removeprefix("oidc/file/")) as handle:
                                return handle.read()
                        return os.environ.get(name)
                    """,
                "app.py": """
                    from secrets import get_secret

                    async def configured(settings, name: str):
                        return get_secret(settings.api_key), get_secret(name), get_secret(*settings.names)
                    """,
            },
            note="near miss: a branch that needs one particular value is not taken for values the linter cannot see",
        ),
        Valid(
            files={
                "secrets.py": """
                    def resolve(name):
                        if name.startswith("file:"):
                            with open(name[5:]) as handle:
                                return handle.read()
                        return name

                    def credentials(tenant, client):
                        tenant_id = resolve(tenant) if tenant.startswith("env:") else tenant
                        if client.startswith("env:"):
                            return tenant_id, resolve(client)
                        return tenant_id, client
                    """,
                "app.py": """
                    from secrets import credentials

                    async def connect(settings):
                        return credentials("env:TENANT", settings.client)
                    """,
            },
            note="near miss: each argument's path is kept under its own guard, and neither is met here",
        ),
        Valid(
            files={
                "audio.py": """
                    import io
                    from os import PathLike

                    def read_all(content):
                        if isinstance(content, (bytes, bytearray)):
                            return io.BytesIO(content).read()
                        if isinstance(content, PathLike):
                            with open(content, "rb") as handle:
                                return handle.read()

                    def duration(content: bytes):
                        return len(read_all(content))
                    """,
                "app.py": """
                    import base64
                    from audio import duration, read_all

                    async def handler(body: bytes, encoded: str):
                        return duration(body), read_all(base64.b64decode(encoded)), read_all(b"RIFF")
                    """,
            },
            note="near miss: the file is opened only for a `PathLike`, and bytes are passed",
        ),
        Valid(
            """
            import os
            import tempfile
            from pathlib import Path

            class Storage:
                def __init__(self):
                    self.base = Path.cwd()

            async def handler(name: str):
                here = Path(name).absolute().expanduser()
                buffer = tempfile.SpooledTemporaryFile(max_size=1_000_000)
                return os.getcwd(), Path.home(), here, buffer, Storage()
            """,
            note="near miss: path arithmetic and the working directory ask the process, not the disk",
        ),
        Valid(
            """
            import anyio

            async def read(path):
                return await anyio.Path(path).read_text()
            """
        ),
        Valid(
            """
            import os

            def sync_helper(path):
                return os.path.exists(path)
            """,
            note="a sync function is not on the event loop",
        ),
        Valid(
            """
            import os.path

            async def join(base, name):
                return os.path.join(base, name)
            """,
            note="near miss: `os.path.join` is string manipulation, not I/O",
        ),
        Valid(
            """
            from pathlib import Path

            async def name_of(path: Path):
                return path.with_suffix(".txt").name
            """,
            note="near miss: pure `pathlib` methods do not touch the disk",
        ),
        Valid(
            """
            import os
            import tempfile
            from pathlib import Path

            def ensure_folder(path: str) -> str:
                os.makedirs(path, exist_ok=True)
                return path

            async def rotate(path: str):
                ensure_folder(os.path.dirname(path))
                Path(path).unlink(missing_ok=True)
                return tempfile.mkdtemp(dir=path)
            """,
            note="near miss: creating a folder or removing one entry is FAL111 (off by default)",
        ),
        Valid(
            """
            import aiofiles

            async def read(path):
                async with aiofiles.open(path) as handle:
                    return await handle.read()
            """,
            note="near miss: `aiofiles.open` is the async spelling",
        ),
        Valid(
            files={
                "plugins.py": """
                    import importlib
                    import os

                    def get_instance(value, config_file_path=None):
                        module_file_path = None
                        if config_file_path is not None:
                            module_file_path = os.path.join(os.path.dirname(config_file_path), value + ".py")
                        if module_file_path is not None and os.path.exists(module_file_path):
                            return module_file_path
                        return importlib.import_module(value)

                    class Exporter:
                        def __init__(self, callback_name=None):
                            if callback_name:
                                with open("callbacks.json") as handle:
                                    self.config = handle.read()
                    """,
                "app.py": """
                    from plugins import Exporter, get_instance

                    async def route(target: str):
                        return get_instance(target), Exporter()
                    """,
            },
            note="near miss: the file is touched only when an argument the calls omit (default None) is given",
        ),
        Valid(
            files={
                "providers.py": """
                    import os

                    def provider_info(model):
                        provider = model.split("/", 1)[0]
                        if provider == "local":
                            provider = "ollama"
                        elif provider == "copilot":
                            os.listdir(os.path.expanduser("~/.config/copilot"))
                        return provider
                    """,
                "app.py": """
                    from providers import provider_info

                    async def route(request_model: str):
                        return provider_info("openai/gpt-4o"), provider_info(request_model)
                    """,
            },
            note="near miss: a local derived from the parameter (`model.split(\"/\", 1)[0]`) selects the branch",
        ),
        Valid(
            files={
                "plugins.py": _PLUGINS,
                "app.py": """
                    from plugins import fetch_remote, load_local, register

                    async def route(name: str):
                        return fetch_remote(name), load_local(name), register(b"hook"), fetch_remote("pkg.mod")
                    """,
            },
            note="near miss: an `or` of prefixes, an early `raise` when a None-default argument is omitted, "
            "and a test made before the parameter is rebound",
        ),
        Valid(
            files={
                "logs.py": _LOGS,
                "app.py": """
                    from logs import Logging, PromptManager

                    async def handler():
                        return Logging("gpt-4o"), PromptManager()
                    """,
            },
            note="near miss: the methods test attributes the constructor set from arguments these calls omit",
        ),
        Valid(
            """
            import os
            from pathlib import Path


            def start_ticks(pid):
                with open(f"/proc/{pid}/stat", "rb") as handle:
                    return handle.read().rsplit(b")", 1)[1].split()[19]


            async def process_identity(pid: int):
                boot_id = Path("/proc/sys/kernel/random/boot_id").read_text().strip()
                limited = os.path.exists("/sys/fs/cgroup/cpu.max")
                return boot_id, start_ticks(pid), limited
            """,
            note="paths under /proc/ and /sys/: the kernel answers from memory, no disk is waited for",
        ),
        Valid(
            """
            import os


            def detach_stderr():
                sink = os.open(os.devnull, os.O_WRONLY)
                os.dup2(sink, 2)


            async def launch(command):
                detach_stderr()
                with open("/dev/null", "wb") as quiet:
                    return quiet
            """,
            note="near miss: the null device is answered by the kernel, like /proc",
        ),
        Valid(
            """
            from typing import Optional


            class Config:
                @classmethod
                def load(cls) -> "Config":
                    return cls()


            def selected(config: Optional[Config] = None):
                if config is None:
                    with open("config.json") as handle:
                        return handle.read()
                return config


            async def get_config(make):
                config = make()
                return selected(config)
            """,
            note="a local bound once, to what a call returns, is never None: the helper's None branch cannot run",
        ),
        Valid(
            """
            from pathlib import Path


            class DbStore:
                def __init__(self, db=None, db_url=None):
                    if db is not None:
                        self.engine = db.engine
                    else:
                        Path(db_url).write_bytes(b"")


            def as_store(source):
                if hasattr(source, "engine"):
                    return DbStore(db=source)
                raise TypeError(source)


            async def open_store(handle):
                return as_store(handle)
            """,
            note="`hasattr(source, ...)` held, so `source` is not None: the store's `db is None` branch cannot run",
        ),
        Valid(
            """
            from pathlib import Path


            class Engine:
                def __init__(self, name: str):
                    self.name = name
                    self._dirty = True
                    self._refresh()

                def _refresh(self):
                    self.profile = Path(self.name).read_text()
                    self._dirty = False

                def _ensure(self):
                    if not self._dirty:
                        return
                    self._refresh()

                def config(self):
                    self._ensure()
                    return self.profile


            ENGINE = Engine("profile.txt")


            async def settings():
                return ENGINE.config()
            """,
            note="near miss: a cache on `self` the constructor fills, read again only when a stale flag is set",
        ),
        Valid(
            """
            from pathlib import Path

            def store_path(name: str, *, create: bool = False, depth: int = 0) -> Path:
                path = Path("/data") / name
                if create:
                    path.write_text("")
                if depth:
                    path.read_text()
                return path

            def kb_path(name: str, *, create: bool = False) -> Path:
                return store_path(name, create=create)

            async def ingest(name: str):
                return kb_path(name), store_path(name)
            """,
            note="near miss: a flag whose default is False (or 0), omitted by every caller, also when an "
            "annotated keyword forwards it",
        ),
        Valid(
            files={
                "app/stores.py": """
                    import json
                    import os

                    def default_store():
                        with open(os.environ.get("STORE_CONFIG", "store.json")) as handle:
                            return json.load(handle)

                    def endpoint(name, store=None):
                        if store is None:
                            store = default_store()
                        return store[name]
                    """,
                "app/main.py": """
                    from fastapi import FastAPI
                    from app.stores import endpoint

                    app = FastAPI()

                    @app.get("/endpoints/{name}")
                    async def read_endpoint(name: str):
                        store = dict(chat="gpt")
                        return endpoint(name, store=store)
                    """,
            },
            note="near miss: a parameter rebound from a call without arguments is still the caller's argument when tested",
        ),
    ]

    INVALID = [
        Invalid(
            files={
                "app/exports.py": '''
                    from pathlib import Path

                    def save_export(folder: Path, body: str) -> Path:
                        folder.mkdir(parents=True, exist_ok=True)
                        target = folder / "export.csv"
                        target.write_text(body)
                        return target
                    ''',
                "app/main.py": '''
                    from pathlib import Path
                    from fastapi import FastAPI
                    from app.exports import save_export

                    app = FastAPI()

                    @app.post("/exports")
                    async def export(body: str):
                        return save_export(Path("/srv/exports"), body)  # FAL103
                    ''',
            },
            message="`save_export()` blocks the event loop in async function `export`: save_export() -> pathlib.Path.write_text (file I/O)",
            note="a helper that creates its folder and then writes is named by the write",
        ),
        Invalid(
            """
            import zipfile


            def zip_export(names):
                output, seen = "export.zip", set()
                with zipfile.ZipFile(output, "w") as archive:
                    for name in names:
                        archive.writestr(name, "")


            async def export(names: list):
                zip_export(names)  # FAL103
            """,
            note="near miss: an archive over a path bound by unpacking writes a file",
        ),
        Invalid(
            """
            from typing import Optional


            def selected(config: Optional[dict] = None):
                if config is None:
                    with open("config.json") as handle:
                        return handle.read()
                return config


            async def from_settings(settings: dict):
                config = settings.get("config")
                return selected(config)  # FAL103


            async def rebound(make):
                config = make()
                config = None
                return selected(config)  # FAL103
            """,
            note="near miss: a call that may give None (`.get()`), and a local bound twice",
        ),
        Invalid(
            """
            from pathlib import Path


            class DbStore:
                def __init__(self, db=None, db_url=None):
                    if db is not None:
                        self.engine = db.engine
                    else:
                        Path(db_url).write_bytes(b"")


            def as_store(source):
                if not hasattr(source, "engine"):
                    return DbStore(db=source)
                return source


            async def open_store(handle):
                return as_store(handle)  # FAL103
            """,
            note="near miss: `hasattr` failed, which says nothing of whether `source` is None",
        ),
        Invalid(
            """
            from pathlib import Path


            class Engine:
                def __init__(self, name: str):
                    self.name = name
                    self._dirty = True

                def _refresh(self):
                    self.profile = Path(self.name).read_text()
                    self._dirty = False

                def _ensure(self):
                    if not self._dirty:
                        return
                    self._refresh()

                def config(self):
                    self._ensure()
                    return self.profile


            async def settings(engine: Engine):
                return engine.config()  # FAL103
            """,
            note="near miss: the constructor leaves the cache stale, so the first call on each instance reads",
        ),
        Invalid(
            """
            import tempfile
            import zipfile


            class Export:
                def __init__(self):
                    self.file = tempfile.TemporaryFile()
                    self.archive = zipfile.ZipFile(self.file, mode="w")


            async def export():
                spool = tempfile.TemporaryFile()  # FAL103
                with zipfile.ZipFile(spool, "w") as archive:  # FAL103
                    archive.writestr("notes.txt", "hello")  # FAL103
                return Export()  # FAL103
            """,
            note="near miss: a `TemporaryFile` is a file on disk from the start",
        ),
        Invalid(
            """
            from pathlib import Path


            async def read_state(root: str):
                with open(f"{root}/proc/stat") as handle:  # FAL103
                    handle.read()
                return Path("/processes/current").read_text()  # FAL103
            """,
            note="near miss: a path that only contains /proc, and one that starts with /proc but not /proc/",
        ),
        Invalid(
            """
            import asyncio


            def read_the_token_of_the_service_account(path):
                with open(path) as handle:
                    return handle.read()


            async def handler():
                return {"Authorization": f"Bearer {read_the_token_of_the_service_account('/run/secrets/token')}"}  # FAL103
            """,
            fixed="""
            import asyncio


            def read_the_token_of_the_service_account(path):
                with open(path) as handle:
                    return handle.read()


            async def handler():
                return {"Authorization": f"Bearer {await asyncio.to_thread(read_the_token_of_the_service_account, '/run/secrets/token')}"}  # FAL103
            """,
            unsafe=True,
            note="fixed inside an f-string's braces on one line, however long: a line break there is a syntax error",
        ),
        Invalid(
            files={
                "app/db.py": '''
                    import os

                    def prepare(url: str):
                        if ":memory:" in url:
                            return url
                        os.listdir("data")
                        return url
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI
                    from app.db import prepare

                    app = FastAPI()

                    @app.get("/health")
                    async def health(url: str):
                        prepare("sqlite+aiosqlite:///data/app.db")  # FAL103
                        return prepare(url)  # FAL103
                    ''',
            },
            message="may block the event loop (when `url` does not contain ':memory:')",
            note="a file URL takes the branch; a URL the request decides may, and the message says when",
        ),
        Invalid(
            files={
                "app/debug.py": """
                    import json
                    import os

                    DUMP_ENV = "APP_DUMP_DIR"

                    def dump(name, payload):
                        dump_dir = os.environ.get(DUMP_ENV)
                        if not dump_dir:
                            return
                        with open(os.path.join(dump_dir, f"{name}.jsonl"), "a") as handle:
                            handle.write(json.dumps(payload))
                    """,
                "app/main.py": """
                    from fastapi import FastAPI
                    from app.debug import dump

                    app = FastAPI()

                    @app.post("/orders")
                    async def create_order(order: dict):
                        dump("orders", order)  # FAL103
                        return order
                    """,
            },
            message="may block the event loop (when environment variable `APP_DUMP_DIR` is set)",
            note="a dump the deployment turns on with an environment variable: the message says when it runs",
        ),
        Invalid(
            files={
                "app/tracing.py": """
                    import os

                    def is_tracing_enabled():
                        return bool(os.getenv("TRACE_DIR", "").strip())

                    def commit_trace(text):
                        with open("trace.log", "a") as handle:
                            handle.write(text)

                    def record(text):
                        if is_tracing_enabled():
                            commit_trace(text)
                    """,
                "app/main.py": """
                    import os
                    from fastapi import FastAPI
                    from app.tracing import commit_trace, is_tracing_enabled, record

                    app = FastAPI()

                    @app.post("/chat")
                    async def chat(text: str):
                        record(text)  # FAL103
                        if "KEEP_TRANSCRIPTS" in os.environ:
                            open("transcripts.log", "a").write(text)  # FAL103
                        if not is_tracing_enabled():
                            record(text)
                        return text
                    """,
            },
            message="may block the event loop (when `is_tracing_enabled()` is true)",
            note="a function that reads the environment is a switch too; the route's own call under "
            "`not is_tracing_enabled()` never reaches the helper's write (near miss)",
        ),
        Invalid(
            files={
                "app/store.py": """
                    _loaded = {}

                    def cache_is_cold():
                        return not _loaded

                    def load():
                        with open("catalogue.json") as handle:
                            _loaded["catalogue"] = handle.read()

                    def refresh():
                        if cache_is_cold():
                            load()
                    """,
                "app/main.py": """
                    from fastapi import FastAPI
                    from app.store import refresh

                    app = FastAPI()

                    @app.get("/catalogue")
                    async def catalogue():
                        refresh()  # FAL103
                        return {}
                    """,
            },
            message="`refresh()` blocks the event loop",
            note="near miss: a test of a function that reads no environment variable does not make the finding conditional",
        ),
        Invalid(
            code="""
            import os
            from fastapi import FastAPI

            app = FastAPI()

            @app.get("/data")
            async def load_data():
                if os.getenv("STORAGE", "local") == "local":
                    return open("data.json").read()  # FAL103
            """,
            message="in async function `load_data`; use",
            note="near miss: a test that holds where the deployment sets nothing (the variable's default) runs as written",
        ),
        Invalid(
            code="""
            import os
            from fastapi import FastAPI

            app = FastAPI()

            def advanced_auth():
                return os.environ.get("AUTH_ADVANCED", "true").lower() not in ("0", "false")

            @app.get("/users")
            async def load_users():
                if advanced_auth():
                    return open("users.json").read()  # FAL103
            """,
            message="in async function `load_users`; use",
            note="near miss: a function on by default (`\"true\"` unless set otherwise) is no switch",
        ),
        Invalid(
            code="""
            import os
            from fastapi import FastAPI

            app = FastAPI()

            @app.post("/items")
            async def create_item(item: dict):
                if os.getenv("DEBUG", "false").lower() == "true":
                    open("debug.log", "a").write(str(item))  # FAL103
                return item
            """,
            message="(when environment variable `DEBUG` is 'true')",
            note="a flag off by default (`\"false\"`) is a switch the deployment turns on",
        ),
        Invalid(
            files={
                "secrets.py": """
                    import os

                    def get_secret(name):
                        if name.startswith("oidc/file/"):
                            with open(name.removeprefix("oidc/file/")) as handle:
                                return handle.read()
                        return os.environ.get(name)

                    def get_secret_str(secret_name):
                        return get_secret(secret_name)
                    """,
                "loader.py": """
                    def load(source, mode="file"):
                        if mode == "file":
                            with open(source) as handle:
                                return handle.read()
                        return source
                    """,
                "app.py": """
                    from loader import load
                    from secrets import get_secret_str

                    async def token():
                        return get_secret_str("oidc/file/token")  # FAL103

                    async def template(name: str):
                        return load(name)  # FAL103
                    """,
            },
            note="a literal that passes the helper's guard, and an omitted argument whose default passes it",
        ),
        Invalid(
            files={
                "secrets.py": """
                    def resolve(name):
                        if name.startswith("file:"):
                            with open(name[5:]) as handle:
                                return handle.read()
                        return name

                    def credentials(tenant, client):
                        tenant_id = resolve(tenant) if tenant.startswith("env:") else tenant
                        if client.startswith("file:"):
                            return tenant_id, resolve(client)
                        return tenant_id, client
                    """,
                "app.py": """
                    from secrets import credentials

                    async def connect(settings):
                        return credentials(settings.tenant, "file:/run/secrets/client")  # FAL103
                    """,
            },
            note="the second argument's guarded path is met, though the first's is not",
        ),
        Invalid(
            files={
                "audio.py": """
                    from os import PathLike

                    def read_all(content):
                        if isinstance(content, PathLike):
                            with open(content, "rb") as handle:
                                return handle.read()
                        return content
                    """,
                "app.py": """
                    from pathlib import Path
                    from audio import read_all

                    async def handler(upload):
                        return read_all(upload), read_all(Path("sample.wav"))  # FAL103
                    """,
            },
            note="an argument of unknown type may be a path: an `isinstance` test is not a value selection",
        ),
        Invalid(
            """
            import os
            import shutil
            from pathlib import Path

            async def handler(path: Path, target: str):
                with open(path) as handle:  # FAL103
                    handle.read()
                path.read_text()  # FAL103
                Path("/tmp/x").write_bytes(b"")  # FAL103
                os.path.exists(target)  # FAL111
                os.listdir(target)  # FAL103
                shutil.copy(path, target)  # FAL103
            """
        ),
        Invalid(
            """
            import json

            def load_config(path):
                with open(path) as handle:
                    return json.load(handle)

            class Repository:
                def settings(self):
                    return load_config("settings.json")

            async def handler(repository: Repository):
                return repository.settings()  # FAL103
            """,
            message="repository.settings()` blocks the event loop in async function `handler`: "
            "Repository.settings() -> load_config() -> builtins.open",
            note="through a method of an annotated parameter",
        ),
        Invalid(
            files={
                "providers.py": """
                    import os

                    def provider_info(model, config_file_path=None):
                        provider = model.split("/", 1)[0]
                        if provider == "copilot":
                            os.listdir(os.path.expanduser("~/.config/copilot"))
                        if config_file_path:
                            open(config_file_path).close()
                        return provider
                    """,
                "app.py": """
                    from providers import provider_info

                    async def route(settings):
                        provider_info("copilot/gpt-4o")  # FAL103
                        provider_info("openai/gpt-4o", config_file_path=settings.path)  # FAL103
                    """,
            },
            note="a literal whose derived prefix selects the branch, and an argument that may be set",
        ),
        Invalid(
            files={
                "plugins.py": _PLUGINS,
                "app.py": """
                    from plugins import fetch_remote, load_local, register

                    async def route(name: str, settings):
                        fetch_remote("gcs://bucket/module.py")  # FAL103
                        load_local(name, config_file_path="config.yaml")  # FAL103
                        register(settings.callback)  # FAL103
                    """,
            },
            note="the prefix matches, the argument is given, and the callback may be a string",
        ),
        Invalid(
            files={
                "logs.py": _LOGS,
                "app.py": """
                    from logs import Logging, PromptManager

                    async def handler(names):
                        Logging("gpt-4o", dynamic_callbacks=names)  # FAL103
                        PromptManager("prompts.txt")  # FAL103
                    """,
            },
            note="the constructor's arguments reach the methods' tests through `self`",
        ),
        Invalid(
            """
            from pathlib import Path

            def store_path(name: str, *, create: bool = False) -> Path:
                path = Path("/data") / name
                if create:
                    path.write_text("")
                return path

            def kb_path(name: str, *, create: bool = False) -> Path:
                return store_path(name, create=create)

            async def create_kb(name: str):
                return kb_path(name, create=True)  # FAL103
            """,
            note="the flag set by the caller, through an annotated keyword",
        ),
    ]


RULE = BlockingFileIO
