"""The blocking-call catalogue: one table of what blocks the event loop, and the lookups over it.

Sources: the union of flake8-async's and ruff's ASYNC2xx rules and of what the `blockbuster` runtime detector
patches, plus sync SDKs and database drivers (see `_TABLE` below for each group). Names are qualified as
the import system spells them, with these wildcard forms:

* `Type.method`       a method of an instance of `Type` (the instance's type comes from `RETURNS` or from
                       calling a class: `httpx.Client().get` is `httpx.Client.get`);
* `Type.*`            any method called directly on an instance;
* `Type.**`           any call reached through attributes of an instance (`client.db.users.find_one()`);
* `package.**`        any function reached through a module path (`stripe.Customer.create`).

`EXEMPT` lists the members of a wildcard that do not block (`get_paginator`, `*_async`), `RETURNS` what
factories and methods hand back, so that chains like `boto3.client("s3").put_object()` resolve, and
`ALIASES` folds re-exports (`requests.api.get`) onto one spelling.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Optional, Sequence, Tuple


class Category(str, enum.Enum):
    SLEEP = "sleep"
    HTTP = "http"
    FILE = "file"
    PROCESS = "process"
    SOCKET = "socket"
    LOCK = "lock"
    INPUT = "input"
    HASHING = "hashing"
    SDK = "sdk"
    DB = "db"
    ORM = "orm"


# Which rule reports which category (direct or through helpers).
CATEGORY_CODES: Dict[Category, str] = {
    Category.SLEEP: "FAL101",
    Category.HTTP: "FAL102",
    Category.FILE: "FAL103",
    Category.PROCESS: "FAL104",
    Category.SOCKET: "FAL105",
    Category.LOCK: "FAL106",
    Category.INPUT: "FAL107",
    Category.HASHING: "FAL108",
    Category.SDK: "FAL109",
    Category.DB: "FAL201",
    Category.ORM: "FAL202",
}

CATEGORY_LABELS: Dict[Category, str] = {
    Category.SLEEP: "sleep",
    Category.HTTP: "sync HTTP",
    Category.FILE: "file I/O",
    Category.PROCESS: "subprocess",
    Category.SOCKET: "socket/DNS",
    Category.LOCK: "thread synchronisation",
    Category.INPUT: "console input",
    Category.HASHING: "CPU-heavy hashing",
    Category.SDK: "sync SDK",
    Category.DB: "sync database driver",
    Category.ORM: "sync SQLAlchemy",
}


@dataclass(frozen=True)
class Blocking:
    """A catalogue hit: what was matched, and when a call of it does not block after all."""

    name: str
    category: Category
    # `lock.acquire(timeout=1)` / `lock.acquire(False)` / `queue.get(block=False)` return promptly, and so
    # does `os.waitpid(pid, os.WNOHANG)`: a flag constant an argument names counts as a keyword here
    # (see NONBLOCKING_FLAGS).
    unless_keywords: FrozenSet[str] = frozenset()
    unless_positional: bool = False
    # True for names the user listed in `extra-blocking-calls`.
    declared: bool = False

    def blocks(self, positional: int, keywords: Iterable[str]) -> bool:
        if self.unless_positional and positional:
            return False
        return not (self.unless_keywords and self.unless_keywords.intersection(keywords))


# Flag constants that make a call return at once; the summary and the rules report them with the call's
# keyword names when an argument mentions one (`os.waitpid(pid, os.WNOHANG | os.WUNTRACED)`).
NONBLOCKING_FLAGS = frozenset({"WNOHANG"})
_NONBLOCKING_WAITS = ("os.wait3", "os.wait4", "os.waitid", "os.waitpid")

_HTTP_VERBS = ("get", "options", "head", "post", "put", "patch", "delete", "request")
_SUBPROCESS = ("run", "call", "check_call", "check_output", "getoutput", "getstatusoutput", "Popen")
_OS_PROCESS = (
    "system", "popen", "posix_spawn", "posix_spawnp", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv",
    "spawnve", "spawnvp", "spawnvpe", "wait", "wait3", "wait4", "waitid", "waitpid",
)
_OS_FILE = (
    "listdir", "scandir", "walk", "fwalk", "stat", "lstat", "mkdir", "makedirs", "remove", "removedirs", "rename",
    "renames", "replace", "rmdir", "unlink", "chmod", "chown", "lchown", "link", "symlink", "readlink", "truncate",
    "access", "utime", "statvfs", "sendfile", "read", "write", "pread", "pwrite", "readv", "writev", "fsync",
    "fdatasync", "open", "fdopen", "mkfifo",
)
_OS_PATH = (
    "exists", "lexists", "isfile", "isdir", "islink", "ismount", "isjunction", "getsize", "getatime", "getmtime",
    "getctime", "samefile", "sameopenfile", "samestat", "realpath",
)
_PATH_METHODS = (
    "open", "read_text", "read_bytes", "write_text", "write_bytes", "touch", "mkdir", "rmdir", "unlink",
    "rename", "replace", "stat", "lstat", "exists", "is_dir", "is_file", "is_symlink", "is_mount", "is_socket",
    "is_fifo", "is_block_device", "is_char_device", "iterdir", "glob", "rglob", "walk", "chmod", "lchmod",
    "owner", "group", "readlink", "resolve", "samefile", "symlink_to", "hardlink_to", "link_to", "copy",
    "copy_into", "move", "move_into",
)
# Not blocking: `Path.cwd()`, `absolute()`, `expanduser()`, `home()` and `os.getcwd()` ask the process, not the
# disk (one cheap syscall at most), and a SpooledTemporaryFile stays in memory until it grows past max_size.
_SHUTIL = (
    "copy", "copy2", "copyfile", "copyfileobj", "copymode", "copystat", "copytree", "rmtree", "move", "chown",
    "disk_usage", "make_archive", "unpack_archive", "which",
)
_SOCKET_FUNCTIONS = (
    "create_connection", "create_server", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr",
    "getnameinfo", "getfqdn",
)
_SOCKET_METHODS = (
    "connect", "connect_ex", "accept", "recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg",
    "recvmsg_into", "send", "sendall", "sendto", "sendmsg", "sendfile",
)
_REDIS_EXEMPT = frozenset({"pipeline", "pubsub", "lock", "get_encoder", "get_connection_kwargs", "register_script"})
_SESSION_EXEMPT = frozenset(
    {
        "add", "add_all", "expunge", "expunge_all", "expire", "expire_all", "is_modified", "in_transaction",
        "in_nested_transaction", "get_bind", "query", "begin", "begin_nested", "enable_relationship_loading",
        "info", "bind", "no_autoflush", "object_session", "identity_key",
    }
)

# (names, category) groups. Keep each group's source in the comment above it.
_TABLE: List[Tuple[Sequence[str], Category]] = [
    # flake8-async ASYNC251 / ruff ASYNC251 / blockbuster
    (["time.sleep"], Category.SLEEP),
    # flake8-async ASYNC210/211/212, ruff ASYNC210/212, blockbuster (socket-level)
    (
        [f"requests.{verb}" for verb in _HTTP_VERBS]
        + [f"requests.Session.{verb}" for verb in (*_HTTP_VERBS, "send")]
        + [f"httpx.{verb}" for verb in (*_HTTP_VERBS, "stream")]
        + [f"httpx.Client.{verb}" for verb in (*_HTTP_VERBS, "send", "stream")]
        + [
            "urllib.request.urlopen", "urllib.request.urlretrieve", "urllib.request.OpenerDirector.open",
            "urllib3.request", "urllib3.PoolManager.request", "urllib3.PoolManager.urlopen",
            "urllib3.PoolManager.request_encode_url", "urllib3.PoolManager.request_encode_body",
            "urllib3.HTTPConnectionPool.request", "urllib3.HTTPConnectionPool.urlopen",
            "urllib3.HTTPSConnectionPool.request", "urllib3.HTTPSConnectionPool.urlopen",
            "http.client.HTTPConnection.request", "http.client.HTTPConnection.getresponse",
            "http.client.HTTPConnection.connect", "http.client.HTTPConnection.endheaders",
            "http.client.HTTPConnection.send", "http.client.HTTPSConnection.request",
            "http.client.HTTPSConnection.getresponse", "http.client.HTTPSConnection.connect",
            "http.client.HTTPSConnection.endheaders", "http.client.HTTPSConnection.send",
            "xmlrpc.client.ServerProxy.**",
        ],
        Category.HTTP,
    ),
    # flake8-async ASYNC230/231/240, ruff ASYNC230/240, blockbuster (os, io, builtins.open)
    (
        ["builtins.open", "io.open", "io.open_code", "codecs.open", "tempfile.TemporaryFile",
         "tempfile.NamedTemporaryFile", "tempfile.mkstemp", "tempfile.mkdtemp",
         "tempfile.TemporaryDirectory", "glob.glob", "glob.iglob", "fileinput.input", "os.fdopen"]
        + [f"os.{name}" for name in _OS_FILE]
        + [f"os.path.{name}" for name in _OS_PATH]
        + [f"pathlib.Path.{name}" for name in _PATH_METHODS]
        + [f"shutil.{name}" for name in _SHUTIL]
        + ["zipfile.ZipFile", "zipfile.ZipFile.*", "tarfile.open", "tarfile.TarFile.*"],
        Category.FILE,
    ),
    # flake8-async ASYNC220/221/222, ruff ASYNC220/221/222, blockbuster (os.* process calls)
    (
        [f"subprocess.{name}" for name in _SUBPROCESS]
        + ["subprocess.Popen.wait", "subprocess.Popen.communicate"]
        + [f"os.{name}" for name in _OS_PROCESS],
        Category.PROCESS,
    ),
    # blockbuster (socket, ssl, select), flake8-async ASYNC2xx socket helpers
    (
        [f"socket.{name}" for name in _SOCKET_FUNCTIONS]
        + [f"socket.socket.{name}" for name in _SOCKET_METHODS]
        + [f"ssl.SSLSocket.{name}" for name in (*_SOCKET_METHODS, "do_handshake", "read", "write")]
        + ["select.select", "select.poll.poll", "select.epoll.poll", "select.kqueue.control",
           "selectors.BaseSelector.select", "selectors.DefaultSelector.select", "selectors.SelectSelector.select",
           "selectors.PollSelector.select", "selectors.EpollSelector.select", "selectors.KqueueSelector.select",
           "ftplib.FTP", "ftplib.FTP.*", "ftplib.FTP_TLS", "ftplib.FTP_TLS.*",
           "imaplib.IMAP4", "imaplib.IMAP4.*", "imaplib.IMAP4_SSL", "imaplib.IMAP4_SSL.*",
           "poplib.POP3", "poplib.POP3.*", "poplib.POP3_SSL", "poplib.POP3_SSL.*"],
        Category.SOCKET,
    ),
    # flake8-async ASYNC250, blockbuster (builtins.input)
    (["builtins.input", "getpass.getpass", "sys.stdin.read", "sys.stdin.readline", "sys.stdin.readlines"],
     Category.INPUT),
    # password hashing: deliberately slow key derivation
    (
        ["hashlib.pbkdf2_hmac", "hashlib.scrypt", "bcrypt.hashpw", "bcrypt.checkpw", "bcrypt.kdf",
         "passlib.context.CryptContext.hash", "passlib.context.CryptContext.verify",
         "passlib.context.CryptContext.verify_and_update", "passlib.context.CryptContext.encrypt",
         "passlib.context.CryptContext.needs_update", "passlib.hash.**",
         "argon2.PasswordHasher.hash", "argon2.PasswordHasher.verify", "argon2.hash_password",
         "argon2.verify_password", "pwdlib.PasswordHash.hash", "pwdlib.PasswordHash.verify",
         "pwdlib.PasswordHash.verify_and_update", "werkzeug.security.generate_password_hash",
         "werkzeug.security.check_password_hash", "cryptography.hazmat.primitives.kdf.scrypt.Scrypt.derive",
         "cryptography.hazmat.primitives.kdf.pbkdf2.PBKDF2HMAC.derive"],
        Category.HASHING,
    ),
    # sync SDKs that do network I/O on every call
    (
        ["boto3.client", "boto3.resource", "boto3.session.Session.client", "boto3.session.Session.resource",
         "botocore.client.BaseClient.*", "boto3.resources.base.ServiceResource.**",
         "smtplib.SMTP", "smtplib.SMTP.*", "smtplib.SMTP_SSL", "smtplib.SMTP_SSL.*", "smtplib.LMTP",
         "smtplib.LMTP.*",
         "stripe.StripeClient.**", "stripe.Account.**", "stripe.Balance.**", "stripe.BalanceTransaction.**",
         "stripe.Charge.**", "stripe.Customer.**", "stripe.Event.**", "stripe.Invoice.**",
         "stripe.InvoiceItem.**", "stripe.PaymentIntent.**", "stripe.PaymentMethod.**", "stripe.Payout.**",
         "stripe.Price.**", "stripe.Product.**", "stripe.Refund.**", "stripe.SetupIntent.**",
         "stripe.Subscription.**", "stripe.SubscriptionItem.**", "stripe.Transfer.**", "stripe.Coupon.**",
         "stripe.checkout.**", "stripe.billing_portal.**", "stripe.PaymentLink.**", "stripe.Plan.**",
         "openai.OpenAI.**", "openai.AzureOpenAI.**", "openai.ChatCompletion.**", "openai.Completion.**",
         "openai.Embedding.**", "openai.Image.**", "openai.Moderation.**", "openai.chat.**",
         "openai.completions.**", "openai.embeddings.**", "openai.images.**", "openai.audio.**",
         "openai.files.**", "openai.models.**", "openai.moderations.**", "openai.responses.**",
         "openai.fine_tuning.**", "openai.batches.**", "openai.beta.**",
         "anthropic.Anthropic.**", "anthropic.AnthropicBedrock.**", "anthropic.AnthropicVertex.**",
         "google.cloud.storage.Client.*", "google.cloud.storage.Bucket.*", "google.cloud.storage.Blob.*",
         "paramiko.SSHClient.connect", "paramiko.SSHClient.exec_command", "paramiko.SSHClient.open_sftp",
         "paramiko.SFTPClient.*", "paramiko.Transport.connect", "paramiko.SFTPClient.from_transport",
         "pika.BlockingConnection", "pika.BlockingConnection.*",
         "pika.adapters.blocking_connection.BlockingChannel.*",
         "kafka.KafkaProducer", "kafka.KafkaProducer.*", "kafka.KafkaConsumer", "kafka.KafkaConsumer.*",
         "kafka.KafkaAdminClient", "kafka.KafkaAdminClient.*",
         "slack_sdk.WebClient.**", "slack_sdk.webhook.WebhookClient.*", "slack.WebClient.**",
         "twilio.rest.Client.**", "sendgrid.SendGridAPIClient.**", "docker.DockerClient.**",
         "docker.from_env", "hvac.Client.**", "minio.Minio.*", "azure.storage.blob.BlobServiceClient.**",
         "azure.storage.blob.BlobClient.*", "azure.storage.blob.ContainerClient.*"],
        Category.SDK,
    ),
    # sync database drivers (FAL201)
    (
        ["psycopg2.connect", "psycopg2.extensions.connection.*", "psycopg2.extensions.cursor.*",
         "psycopg2.pool.SimpleConnectionPool.*", "psycopg2.pool.ThreadedConnectionPool.*",
         "psycopg.connect", "psycopg.Connection.connect", "psycopg.Connection.*", "psycopg.Cursor.*",
         "psycopg_pool.ConnectionPool.*",
         "pymysql.connect", "pymysql.connections.Connection.*", "pymysql.cursors.Cursor.*",
         "MySQLdb.connect", "MySQLdb.connections.Connection.*", "MySQLdb.cursors.Cursor.*",
         "mysql.connector.connect", "mysql.connector.MySQLConnection.*", "mysql.connector.cursor.MySQLCursor.*",
         "sqlite3.connect", "sqlite3.Connection.*", "sqlite3.Cursor.*",
         "pymongo.MongoClient.**", "pymongo.database.Database.**", "pymongo.collection.Collection.*",
         "redis.Redis.*", "redis.client.Pipeline.execute", "redis.client.PubSub.*", "redis.lock.Lock.acquire",
         "redis.cluster.RedisCluster.*", "redis.sentinel.Sentinel.*",
         "cassandra.cluster.Cluster.connect", "cassandra.cluster.Session.execute",
         "cassandra.cluster.Session.prepare", "cassandra.cluster.Session.set_keyspace",
         "elasticsearch.Elasticsearch.**", "opensearchpy.OpenSearch.**", "pyodbc.connect", "pyodbc.Connection.*",
         "pyodbc.Cursor.*", "cx_Oracle.connect", "oracledb.connect", "oracledb.Connection.*",
         "oracledb.Cursor.*", "clickhouse_driver.Client.*", "neo4j.Driver.*", "neo4j.Session.*"],
        Category.DB,
    ),
    # sync SQLAlchemy / SQLModel (FAL202)
    (
        ["sqlalchemy.orm.Session.*", "sqlalchemy.orm.scoped_session.*", "sqlalchemy.engine.Engine.connect",
         "sqlalchemy.engine.Engine.begin", "sqlalchemy.engine.Engine.execute", "sqlalchemy.engine.Engine.raw_connection",
         "sqlalchemy.engine.Connection.*", "sqlalchemy.orm.Query.all", "sqlalchemy.orm.Query.first",
         "sqlalchemy.orm.Query.one", "sqlalchemy.orm.Query.one_or_none", "sqlalchemy.orm.Query.scalar",
         "sqlalchemy.orm.Query.count", "sqlalchemy.orm.Query.get", "sqlalchemy.orm.Query.delete",
         "sqlalchemy.orm.Query.update", "sqlalchemy.orm.Query.paginate"],
        Category.ORM,
    ),
]

# Members of a wildcard that return promptly (local objects, URL signing, pipelines, async variants).
EXEMPT: Dict[str, FrozenSet[str]] = {
    "botocore.client.BaseClient": frozenset(
        {"get_paginator", "get_waiter", "can_paginate", "generate_presigned_url", "generate_presigned_post",
         "close"}
    ),
    "redis.Redis": _REDIS_EXEMPT,
    "redis.cluster.RedisCluster": _REDIS_EXEMPT,
    "sqlalchemy.orm.Session": _SESSION_EXEMPT,
    "sqlalchemy.orm.scoped_session": _SESSION_EXEMPT | {"remove", "configure"},
    "sqlalchemy.engine.Connection": frozenset({"begin", "begin_nested", "info", "closed", "invalidated"}),
    "psycopg2.extensions.connection": frozenset({"cursor", "set_session", "get_dsn_parameters"}),
    "psycopg.Connection": frozenset({"cursor", "transaction", "pipeline"}),
    "pymysql.connections.Connection": frozenset({"cursor"}),
    "MySQLdb.connections.Connection": frozenset({"cursor"}),
    "mysql.connector.MySQLConnection": frozenset({"cursor"}),
    "sqlite3.Connection": frozenset({"cursor", "create_function", "create_aggregate", "row_factory"}),
    "pymongo.MongoClient": frozenset({"get_database", "get_default_database", "with_options", "get_collection"}),
    "pymongo.database.Database": frozenset({"get_collection", "with_options"}),
    "pymongo.collection.Collection": frozenset({"with_options", "find", "aggregate_raw_batches"}),
    "google.cloud.storage.Client": frozenset({"bucket", "batch"}),
    "google.cloud.storage.Bucket": frozenset({"blob", "copy"}),
    "google.cloud.storage.Blob": frozenset({"generate_signed_url"}),
    "stripe.**": frozenset({"construct_event", "construct_from", "refresh_from", "to_dict", "verify_header"}),
}
# A wildcard member ending like this is the SDK's own async variant (stripe `create_async`).
ASYNC_SUFFIXES = ("_async",)

# What a factory or method returns, so calls made on the result resolve (`X()` means "instance of X").
RETURNS: Dict[str, str] = {
    # Classes whose names are not capitalised: calling them gives an instance of them.
    "socket.socket": "socket.socket",
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.scoped_session": "sqlalchemy.orm.scoped_session",
    "boto3.client": "botocore.client.BaseClient",
    "boto3.resource": "boto3.resources.base.ServiceResource",
    "boto3.session.Session.client": "botocore.client.BaseClient",
    "boto3.session.Session.resource": "boto3.resources.base.ServiceResource",
    "psycopg2.connect": "psycopg2.extensions.connection",
    "psycopg2.extensions.connection.cursor": "psycopg2.extensions.cursor",
    "psycopg2.pool.SimpleConnectionPool.getconn": "psycopg2.extensions.connection",
    "psycopg2.pool.ThreadedConnectionPool.getconn": "psycopg2.extensions.connection",
    "psycopg.connect": "psycopg.Connection",
    "psycopg.Connection.connect": "psycopg.Connection",
    "psycopg.Connection.cursor": "psycopg.Cursor",
    "psycopg_pool.ConnectionPool.connection": "psycopg.Connection",
    "psycopg_pool.ConnectionPool.getconn": "psycopg.Connection",
    "pymysql.connect": "pymysql.connections.Connection",
    "pymysql.connections.Connection.cursor": "pymysql.cursors.Cursor",
    "MySQLdb.connect": "MySQLdb.connections.Connection",
    "MySQLdb.connections.Connection.cursor": "MySQLdb.cursors.Cursor",
    "mysql.connector.connect": "mysql.connector.MySQLConnection",
    "mysql.connector.MySQLConnection.cursor": "mysql.connector.cursor.MySQLCursor",
    "sqlite3.connect": "sqlite3.Connection",
    "sqlite3.Connection.cursor": "sqlite3.Cursor",
    "pymongo.MongoClient.get_database": "pymongo.database.Database",
    "pymongo.MongoClient.get_default_database": "pymongo.database.Database",
    "pymongo.database.Database.get_collection": "pymongo.collection.Collection",
    "redis.from_url": "redis.Redis",
    "redis.Redis.from_url": "redis.Redis",
    "redis.Redis.pipeline": "redis.client.Pipeline",
    "redis.Redis.pubsub": "redis.client.PubSub",
    "redis.Redis.lock": "redis.lock.Lock",
    "cassandra.cluster.Cluster.connect": "cassandra.cluster.Session",
    "sqlalchemy.create_engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.engine.create_engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.engine.Engine.connect": "sqlalchemy.engine.Connection",
    "sqlalchemy.engine.Engine.begin": "sqlalchemy.engine.Connection",
    "sqlalchemy.orm.sessionmaker.__call__": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.sessionmaker.begin": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.scoped_session.__call__": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.Session.query": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.filter": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.filter_by": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.order_by": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.join": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.outerjoin": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.options": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.limit": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.offset": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.group_by": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.where": "sqlalchemy.orm.Query",
    "sqlalchemy.orm.Query.distinct": "sqlalchemy.orm.Query",
    "google.cloud.storage.Client.bucket": "google.cloud.storage.Bucket",
    "google.cloud.storage.Client.get_bucket": "google.cloud.storage.Bucket",
    "google.cloud.storage.Bucket.blob": "google.cloud.storage.Blob",
    "google.cloud.storage.Bucket.get_blob": "google.cloud.storage.Blob",
    "paramiko.SSHClient.open_sftp": "paramiko.SFTPClient",
    "paramiko.SFTPClient.from_transport": "paramiko.SFTPClient",
    "pika.BlockingConnection.channel": "pika.adapters.blocking_connection.BlockingChannel",
    "socket.create_connection": "socket.socket",
    "socket.socket.accept": "socket.socket",
    "socket.fromfd": "socket.socket",
    "ssl.SSLContext.wrap_socket": "ssl.SSLSocket",
    "ssl.wrap_socket": "ssl.SSLSocket",
    "select.poll": "select.poll",
    "select.epoll": "select.epoll",
    "urllib.request.build_opener": "urllib.request.OpenerDirector",
    "urllib3.PoolManager.connection_from_url": "urllib3.HTTPConnectionPool",
    "urllib3.connection_from_url": "urllib3.HTTPConnectionPool",
    "asyncio.get_event_loop": "asyncio.AbstractEventLoop",
    "asyncio.get_running_loop": "asyncio.AbstractEventLoop",
    "asyncio.new_event_loop": "asyncio.AbstractEventLoop",
    "threading.Lock": "threading.Lock",
    "threading.RLock": "threading.RLock",
    "pathlib.Path.joinpath": "pathlib.Path",
    "pathlib.Path.with_name": "pathlib.Path",
    "pathlib.Path.with_suffix": "pathlib.Path",
    "pathlib.Path.with_stem": "pathlib.Path",
    "pathlib.Path.resolve": "pathlib.Path",
    "pathlib.Path.absolute": "pathlib.Path",
    "pathlib.Path.expanduser": "pathlib.Path",
    "pathlib.Path.relative_to": "pathlib.Path",
    "pathlib.Path.cwd": "pathlib.Path",
    "pathlib.Path.home": "pathlib.Path",
    "pymongo.MongoClient.start_session": "pymongo.client_session.ClientSession",
    "pwdlib.PasswordHash.recommended": "pwdlib.PasswordHash",
    "passlib.context.CryptContext.from_string": "passlib.context.CryptContext",
}

# Thread primitives: blocking only without a timeout / with blocking=True (positional `blocking` argument).
_LOCKS = [
    ("threading.Lock.acquire", frozenset({"timeout", "blocking"}), True),
    ("threading.RLock.acquire", frozenset({"timeout", "blocking"}), True),
    ("threading.Semaphore.acquire", frozenset({"timeout", "blocking"}), True),
    ("threading.BoundedSemaphore.acquire", frozenset({"timeout", "blocking"}), True),
    ("threading.Condition.acquire", frozenset({"timeout", "blocking"}), True),
    ("threading.Event.wait", frozenset({"timeout"}), True),
    ("threading.Condition.wait", frozenset({"timeout"}), True),
    ("threading.Condition.wait_for", frozenset({"timeout"}), False),
    ("threading.Barrier.wait", frozenset({"timeout"}), True),
    ("threading.Thread.join", frozenset({"timeout"}), True),
    ("queue.Queue.get", frozenset({"timeout", "block"}), True),
    ("queue.Queue.put", frozenset({"timeout", "block"}), False),
    ("queue.Queue.join", frozenset(), False),
    ("queue.SimpleQueue.get", frozenset({"timeout", "block"}), True),
    ("concurrent.futures.Future.result", frozenset({"timeout"}), True),
    ("concurrent.futures.Future.exception", frozenset({"timeout"}), True),
    ("concurrent.futures.wait", frozenset({"timeout"}), False),
    ("concurrent.futures.ThreadPoolExecutor.shutdown", frozenset(), False),
    ("multiprocessing.Process.join", frozenset({"timeout"}), True),
    ("multiprocessing.pool.Pool.map", frozenset(), False),
    ("multiprocessing.pool.Pool.apply", frozenset(), False),
    ("multiprocessing.pool.Pool.starmap", frozenset(), False),
    ("multiprocessing.pool.AsyncResult.get", frozenset({"timeout"}), True),
]

# Spellings folded onto the catalogue's (longest matching prefix wins).
ALIASES: Dict[str, str] = {
    "requests.api": "requests",
    "requests.sessions.Session": "requests.Session",
    "requests.session": "requests.Session",
    "httpx._api": "httpx",
    "httpx._client.Client": "httpx.Client",
    "urllib3.poolmanager.PoolManager": "urllib3.PoolManager",
    "urllib3.connectionpool.HTTPConnectionPool": "urllib3.HTTPConnectionPool",
    "urllib3.connectionpool.HTTPSConnectionPool": "urllib3.HTTPSConnectionPool",
    "posixpath": "os.path",
    "ntpath": "os.path",
    "pathlib.PosixPath": "pathlib.Path",
    # Attributes that hand back the same type.
    "pathlib.Path.parent": "pathlib.Path",
    "pathlib.WindowsPath": "pathlib.Path",
    "pathlib.PurePath": "pathlib.PurePath",
    "boto3.Session": "boto3.session.Session",
    "botocore.client.S3": "botocore.client.BaseClient",
    "redis.StrictRedis": "redis.Redis",
    "redis.client.Redis": "redis.Redis",
    "redis.client.StrictRedis": "redis.Redis",
    "redis.RedisCluster": "redis.cluster.RedisCluster",
    "pymongo.mongo_client.MongoClient": "pymongo.MongoClient",
    "pymysql.Connect": "pymysql.connect",
    "pymysql.Connection": "pymysql.connections.Connection",
    "MySQLdb.Connect": "MySQLdb.connect",
    "MySQLdb.Connection": "MySQLdb.connections.Connection",
    "mysql.connector.connection.MySQLConnection": "mysql.connector.MySQLConnection",
    "psycopg2.extensions.connection": "psycopg2.extensions.connection",
    "psycopg.connection.Connection": "psycopg.Connection",
    "sqlalchemy.orm.session.Session": "sqlalchemy.orm.Session",
    "sqlalchemy.orm.session.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "sqlalchemy.orm.scoping.scoped_session": "sqlalchemy.orm.scoped_session",
    "sqlalchemy.orm.query.Query": "sqlalchemy.orm.Query",
    "sqlalchemy.Engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.engine.base.Engine": "sqlalchemy.engine.Engine",
    "sqlalchemy.Connection": "sqlalchemy.engine.Connection",
    "sqlalchemy.engine.base.Connection": "sqlalchemy.engine.Connection",
    "sqlmodel.Session": "sqlalchemy.orm.Session",
    "sqlmodel.orm.session.Session": "sqlalchemy.orm.Session",
    "sqlmodel.create_engine": "sqlalchemy.create_engine",
    "elasticsearch.client.Elasticsearch": "elasticsearch.Elasticsearch",
    "opensearchpy.client.OpenSearch": "opensearchpy.OpenSearch",
    "slack_sdk.web.WebClient": "slack_sdk.WebClient",
    "slack_sdk.web.client.WebClient": "slack_sdk.WebClient",
    "openai.Client": "openai.OpenAI",
    "anthropic.Client": "anthropic.Anthropic",
    "google.cloud.storage.client.Client": "google.cloud.storage.Client",
    "google.cloud.storage.bucket.Bucket": "google.cloud.storage.Bucket",
    "google.cloud.storage.blob.Blob": "google.cloud.storage.Blob",
    "paramiko.client.SSHClient": "paramiko.SSHClient",
    "paramiko.sftp_client.SFTPClient": "paramiko.SFTPClient",
    "pika.adapters.blocking_connection.BlockingConnection": "pika.BlockingConnection",
    "kafka.producer.KafkaProducer": "kafka.KafkaProducer",
    "kafka.consumer.KafkaConsumer": "kafka.KafkaConsumer",
    "passlib.apps": "passlib.apps",
    "argon2.PasswordHasher": "argon2.PasswordHasher",
    "stripe.http_client": "stripe.http_client",
    "subprocess.Popen": "subprocess.Popen",
    "asyncio.events.AbstractEventLoop": "asyncio.AbstractEventLoop",
    "asyncio.base_events.BaseEventLoop": "asyncio.AbstractEventLoop",
    "asyncio.BaseEventLoop": "asyncio.AbstractEventLoop",
    "uvloop.Loop": "asyncio.AbstractEventLoop",
}

# Functions that run their callable argument off the event loop: handing them a blocking callable is the fix.
OFFLOAD_WRAPPERS: FrozenSet[str] = frozenset(
    {
        "asyncio.to_thread",
        "asyncio.AbstractEventLoop.run_in_executor",
        "anyio.to_thread.run_sync",
        "anyio.to_process.run_sync",
        "starlette.concurrency.run_in_threadpool",
        "fastapi.concurrency.run_in_threadpool",
        "asyncer.asyncify",
        "asgiref.sync.sync_to_async",
        "trio.to_thread.run_sync",
        "concurrent.futures.ThreadPoolExecutor.submit",
        "concurrent.futures.Executor.submit",
    }
)


@dataclass(frozen=True)
class Catalog:
    """The table indexed for lookups, extended by the user's `extra-blocking-calls`."""

    exact: Dict[str, Blocking]
    members: Dict[str, Blocking]  # "Type" -> any method ("Type.*")
    deep: Dict[str, Blocking]  # "prefix" -> anything below ("prefix.**")
    user_prefixes: Tuple[Tuple[str, Blocking], ...] = ()
    offload: FrozenSet[str] = OFFLOAD_WRAPPERS

    def canonical(self, name: str) -> str:
        return canonical_name(name)

    def lookup(self, name: str) -> Optional[Blocking]:
        """A dotted name (`requests.get`, `httpx.Client.get`, `stripe.Customer.create`) -> its entry."""
        name = canonical_name(name)
        hit = self.exact.get(name)
        if hit is not None:
            return hit
        for prefix, entry in self.user_prefixes:
            if name == prefix or name.startswith(prefix + "."):
                return entry
        head, _, last = name.rpartition(".")
        if head:
            hit = self.members.get(head)
            if hit is not None and not _exempt(head, last):
                return hit
        parts = name.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:cut])
            hit = self.deep.get(prefix)
            if hit is not None:
                if any(_private(part) for part in parts[cut:-1]):
                    return None  # a method of the SDK's private state (`client._custom_query.setdefault`)
                return None if _exempt(prefix, last) or _exempt(f"{parts[0]}.**", last) else hit
        return None

    def is_offload(self, name: str) -> bool:
        return canonical_name(name) in self.offload


def _private(part: str) -> bool:
    return part.startswith("_") and not part.endswith("__")


def _exempt(owner: str, member: str) -> bool:
    return member in EXEMPT.get(owner, ()) or member.endswith(ASYNC_SUFFIXES)


@lru_cache(maxsize=65536)
def canonical_name(name: str) -> str:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        prefix = ".".join(parts[:cut])
        replacement = ALIASES.get(prefix)
        if replacement is not None:
            return ".".join([replacement, *parts[cut:]])
    return name


def returns(name: str) -> Optional[str]:
    """The type a call of `name` hands back, when the catalogue knows it (or `Class.from_*()` builds one)."""
    name = canonical_name(name)
    found = RETURNS.get(name)
    if found is None:
        owner, _, method = name.rpartition(".")
        if method.startswith("from_") and owner.rpartition(".")[2][:1].isupper():
            return owner  # alternative constructors: `Redis.from_url()`, `Config.from_env()`
    return found


def _build(extra_blocking: Sequence[str], extra_offload: Sequence[str]) -> Catalog:
    exact: Dict[str, Blocking] = {}
    members: Dict[str, Blocking] = {}
    deep: Dict[str, Blocking] = {}
    for names, category in _TABLE:
        for name in names:
            entry = Blocking(name, category)
            if name.endswith(".**"):
                deep[name[:-3]] = entry
            elif name.endswith(".*"):
                members[name[:-2]] = entry
            else:
                exact[name] = entry
    for name, keywords, positional in _LOCKS:
        exact[name] = Blocking(name, Category.LOCK, keywords, positional)
    for name in _NONBLOCKING_WAITS:
        exact[name] = Blocking(name, Category.PROCESS, frozenset({"WNOHANG"}))
    user_prefixes = []
    for name in extra_blocking:
        entry = Blocking(name, Category.SDK, declared=True)
        if name.endswith(".*"):
            user_prefixes.append((name[:-2], entry))
        else:
            exact[name] = entry
    return Catalog(exact, members, deep, tuple(user_prefixes), OFFLOAD_WRAPPERS | frozenset(extra_offload))


@lru_cache(maxsize=8)
def build_catalog(extra_blocking: Tuple[str, ...] = (), extra_offload: Tuple[str, ...] = ()) -> Catalog:
    return _build(extra_blocking, extra_offload)


def all_names() -> List[Tuple[str, Category]]:
    """Every catalogue entry as written (documentation and tests)."""
    rows = [(name, category) for names, category in _TABLE for name in names]
    rows += [(name, Category.LOCK) for name, _, _ in _LOCKS]
    return rows
