"""The blocking-call catalogue: one table of what blocks the event loop, and the lookups over it.

Sources: the union of flake8-async's and ruff's ASYNC2xx rules and of what the `blockbuster` runtime detector
patches, plus sync SDKs and database drivers (see `_TABLE` below for each group). Names are qualified as
the import system spells them, with these wildcard forms:

* `Type.method`       a method of an instance of `Type` (the instance's type comes from `RETURNS` or from
                       calling a class: `httpx.Client().get` is `httpx.Client.get`);
* `Type.*`            any method called directly on an instance;
* `Type.**`           any call reached through attributes of an instance (`client.db.users.find_one()`);
* `package.**`        any function reached through a module path (`openai.chat.completions.create`);
* `Type.**.method`    the method `method` reached through any attributes and calls of an instance
                       (`twilio.rest.Client.**.fetch` matches `client.messages(sid).fetch()`): for fluent
                       SDKs whose attribute chains build a request that one of a few verbs sends.

A wildcard must only reach what does I/O: SDK responses are data objects (stripe's objects subclass `dict`,
so `charge.metadata.get("order_id")` is a dict lookup), so resources whose members mix requests and data
are listed method by method (`stripe.Charge.create`), and `**` is kept for namespaces that are all requests
(`openai.OpenAI.chat.**`). `EXEMPT` lists the members of a wildcard that do not block (`get_paginator`,
`*_async`), `RETURNS` what factories and methods hand back, so that chains like
`boto3.client("s3").put_object()` resolve, `ALIASES` folds re-exports (`requests.api.get`) onto one
spelling, and `constructed()` names the narrower type some constructions stand for (a `queue.Queue` built
with a `maxsize`, a `zipfile.ZipFile` over an `io.BytesIO`, a path under `/proc/`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, FrozenSet, Iterable, List, Mapping, Optional, Sequence, Tuple


class Category(str, enum.Enum):
    SLEEP = "sleep"
    HTTP = "http"
    FILE = "file"
    METADATA = "metadata"
    PROCESS = "process"
    SOCKET = "socket"
    LOCK = "lock"
    INPUT = "input"
    HASHING = "hashing"
    SDK = "sdk"
    DB = "db"
    ORM = "orm"
    CPU = "cpu"


# Which rule reports which category (direct or through helpers).
CATEGORY_CODES: Dict[Category, str] = {
    Category.SLEEP: "FAL101",
    Category.HTTP: "FAL102",
    Category.FILE: "FAL103",
    Category.METADATA: "FAL111",
    Category.PROCESS: "FAL104",
    Category.SOCKET: "FAL105",
    Category.LOCK: "FAL106",
    Category.INPUT: "FAL107",
    Category.HASHING: "FAL108",
    Category.SDK: "FAL109",
    Category.DB: "FAL201",
    Category.ORM: "FAL202",
    Category.CPU: "FAL110",
}

CATEGORY_LABELS: Dict[Category, str] = {
    Category.SLEEP: "sleep",
    Category.HTTP: "sync HTTP",
    Category.FILE: "file I/O",
    Category.METADATA: "file metadata",
    Category.PROCESS: "subprocess",
    Category.SOCKET: "socket/DNS",
    Category.LOCK: "thread synchronisation",
    Category.INPUT: "console input",
    Category.HASHING: "CPU-heavy hashing",
    Category.SDK: "sync SDK",
    Category.DB: "sync database driver",
    Category.ORM: "sync SQLAlchemy",
    Category.CPU: "CPU-heavy work",
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
    # The opposite: calls that block only when given one of these keywords (or, with `needs_positional`,
    # a positional argument): `ldap3.Connection(server, auto_bind=True)` binds, `Connection(server)` does
    # not; `Github().get_user("octocat")` fetches a user, `get_user()` builds a lazy one.
    needs_keywords: FrozenSet[str] = frozenset()
    needs_positional: bool = False

    def blocks(self, positional: int, keywords: Iterable[str]) -> bool:
        keywords = frozenset(keywords)
        if self.unless_positional and positional:
            return False
        if self.unless_keywords and self.unless_keywords & keywords:
            return False
        if self.needs_keywords or self.needs_positional:
            return bool((self.needs_positional and positional) or self.needs_keywords & keywords)
        return True


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
    "listdir", "scandir", "walk", "fwalk", "truncate", "sendfile", "read", "write", "pread", "pwrite", "readv",
    "writev", "fsync", "fdatasync", "open",
)
_PATH_METHODS = (
    "open", "read_text", "read_bytes", "write_text", "write_bytes", "iterdir", "glob", "rglob", "walk", "copy",
    "copy_into", "move", "move_into",
)
# File metadata (FAL111): calls that ask about a path (a stat, a few for `realpath` or `which`) or change one
# directory entry (create or remove a directory or an empty file, rename, unlink, change mode or owner). They
# read and write no file contents, and each costs microseconds on a local disk, so they get their own, opt-in
# code. Listing a directory, copying, removing a tree and every read or write stay FAL103.
_OS_METADATA = (
    "stat", "lstat", "access", "readlink", "statvfs", "mkdir", "makedirs", "remove", "removedirs", "rename",
    "renames", "replace", "rmdir", "unlink", "chmod", "chown", "lchown", "link", "symlink", "utime", "mkfifo",
)
_OS_PATH = (
    "exists", "lexists", "isfile", "isdir", "islink", "ismount", "isjunction", "getsize", "getatime", "getmtime",
    "getctime", "samefile", "sameopenfile", "samestat", "realpath",
)
_PATH_METADATA = (
    "stat", "lstat", "exists", "is_dir", "is_file", "is_symlink", "is_mount", "is_socket", "is_fifo",
    "is_block_device", "is_char_device", "owner", "group", "readlink", "resolve", "samefile", "touch", "mkdir",
    "rmdir", "unlink", "rename", "replace", "chmod", "lchmod", "symlink_to", "hardlink_to", "link_to",
)
_SHUTIL_METADATA = ("which", "disk_usage", "copymode", "copystat", "chown")
# `mkstemp` stays FAL103: the file it creates is written through a descriptor (`os.fdopen`, `os.write`) whose
# writes are not followed, so the create is what a chain can name.
_TEMPFILE_METADATA = ("mkdtemp",)
# Not blocking: `Path.cwd()`, `absolute()`, `expanduser()`, `home()` and `os.getcwd()` ask the process, not the
# disk (one cheap syscall at most), and a SpooledTemporaryFile stays in memory until it grows past max_size.
_SHUTIL = (
    "copy", "copy2", "copyfile", "copyfileobj", "copytree", "rmtree", "move", "make_archive", "unpack_archive",
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

# zipfile: the members that read or write the archive's file (`namelist`, `infolist`, `getinfo` read the
# central directory the constructor loaded). Over an `io.BytesIO` (see `constructed`) only the members that
# touch other files remain: `extract*` write to disk, `write` reads a path.
_ZIPFILE = ("open", "read", "extract", "extractall", "write", "writestr", "close", "testzip", "mkdir")
_ZIP_IN_MEMORY = ("extract", "extractall", "write")
_TAR_IN_MEMORY = ("extract", "extractall", "add", "gettarinfo")

# stripe's module-level resources (stripe-python 2.x to 16.x): the class methods every resource has through
# its base classes (APIResource, Createable-, Listable-, Updateable-, Deletable-, SearchableAPIResource), and
# each resource's own endpoints, read from the package's `_<resource>.py` sources. Their results are
# StripeObjects (dict subclasses): `charge.metadata.get(...)`, `charge.get("amount")`, `.update()`,
# `.to_dict()` are local and must not be matched.
_STRIPE_COMMON = (
    "create", "retrieve", "refresh", "list", "auto_paging_iter", "modify", "save", "delete", "search",
    "search_auto_paging_iter",
)
_STRIPE_RESOURCES: Dict[str, str] = {
    "Account": "create_external_account create_login_link create_person delete_external_account delete_person "
    "list_capabilities list_external_accounts list_persons modify_capability modify_external_account "
    "modify_person persons reject retrieve_capability retrieve_external_account retrieve_person unreject",
    "AccountLink": "",
    "Balance": "",
    "BalanceTransaction": "",
    "Charge": "capture list_refunds retrieve_refund",
    "Coupon": "",
    "CreditNote": "list_lines preview preview_lines void_credit_note",
    "Customer": "create_balance_transaction create_funding_instructions create_source create_tax_id delete_discount "
    "delete_source delete_tax_id list_balance_transactions list_cash_balance_transactions list_payment_methods "
    "list_sources list_tax_ids modify_balance_transaction modify_cash_balance modify_source "
    "retrieve_balance_transaction retrieve_cash_balance retrieve_cash_balance_transaction "
    "retrieve_payment_method retrieve_source retrieve_tax_id",
    "CustomerSession": "",
    "Dispute": "close",
    "EphemeralKey": "",
    "Event": "",
    "File": "",
    "FileLink": "",
    "Invoice": "add_lines attach_payment create_preview finalize_invoice list_lines mark_uncollectible pay "
    "remove_lines send_invoice update_lines void_invoice upcoming",
    "InvoiceItem": "",
    "Mandate": "",
    "PaymentIntent": "apply_customer_balance cancel capture confirm increment_authorization "
    "list_amount_details_line_items verify_microdeposits",
    "PaymentLink": "list_line_items",
    "PaymentMethod": "attach detach",
    "Payout": "cancel reverse",
    "Plan": "",
    "Price": "",
    "Product": "create_feature delete_feature list_features retrieve_feature",
    "PromotionCode": "",
    "Quote": "accept cancel finalize_quote list_computed_upfront_line_items list_line_items pdf",
    "Refund": "cancel",
    "SetupAttempt": "",
    "SetupIntent": "cancel confirm verify_microdeposits",
    "ShippingRate": "",
    "Source": "list_source_transactions verify",
    "Subscription": "cancel delete_discount migrate pause resume",
    "SubscriptionItem": "",
    "SubscriptionSchedule": "cancel release",
    "TaxRate": "",
    "Token": "",
    "Transfer": "create_reversal list_reversals modify_reversal retrieve_reversal",
    "billing_portal.Configuration": "",
    "billing_portal.Session": "",
    "checkout.Session": "expire list_line_items",
    "identity.VerificationSession": "cancel redact",
}
_STRIPE = [
    f"stripe.{resource}.{method}"
    for resource, own in _STRIPE_RESOURCES.items()
    for method in (*_STRIPE_COMMON, *own.split())
]

# The request namespaces of the OpenAI-style clients (openai, groq): everything called below them is a
# request. Not the client itself: `client.with_options()`, `client.copy()`, `client.base_url.copy_with()`
# and `client.webhooks.verify_signature()` are local.
_OPENAI_RESOURCES = (
    "chat", "completions", "embeddings", "files", "images", "audio", "moderations", "models", "fine_tuning",
    "vector_stores", "beta", "batches", "uploads", "responses", "evals", "containers", "conversations",
    "videos", "realtime", "with_raw_response", "with_streaming_response",
)
_LOW_LEVEL_HTTP = ("get", "post", "put", "patch", "delete", "request", "get_api_list")
_ANTHROPIC_RESOURCES = ("messages", "completions", "models", "beta", "with_raw_response", "with_streaming_response")
_MISTRAL_RESOURCES = (
    "chat", "embeddings", "fim", "agents", "files", "models", "fine_tuning", "batch", "classifiers", "ocr", "beta",
    "audio", "responses", "workflows",
)
_GENAI_RESOURCES = ("models", "files", "caches", "batches", "tunings", "operations", "file_search_stores", "interactions")

# Fluent SDKs: attribute chains and calls build a request that one of these verbs sends.
_TWILIO_VERBS = (
    "create", "fetch", "update", "delete", "list", "stream", "page", "get_page", "create_with_http_info",
    "fetch_with_http_info", "update_with_http_info", "delete_with_http_info", "list_with_http_info",
    "stream_with_http_info", "page_with_http_info",
)
_HTTP_CLIENT_VERBS = ("get", "post", "put", "patch", "delete")  # python_http_client (sendgrid's `sg.client`)
_FIRESTORE_VERBS = ("get", "set", "update", "delete", "create", "add", "stream", "list_documents", "collections", "get_all")
_FIREBASE_DB_VERBS = ("get", "set", "push", "update", "delete", "transaction", "get_if_changed", "set_if_unchanged")
_BOTO3_COLLECTION_VERBS = ("all", "filter", "limit", "page_size", "iterator", "delete")

# docker-py's `DockerClient` (docker 7): `docker.from_env()` and `DockerClient()` ask the daemon for its API
# version; `client.containers.get(id)` returns a Container whose methods are all requests.
_KUBERNETES_APIS = (
    "CoreV1Api", "AppsV1Api", "BatchV1Api", "CustomObjectsApi", "NetworkingV1Api", "RbacAuthorizationV1Api",
    "StorageV1Api", "AutoscalingV1Api", "AutoscalingV2Api", "PolicyV1Api", "ApiextensionsV1Api", "EventsV1Api",
    "CoordinationV1Api", "DiscoveryV1Api", "SchedulingV1Api", "NodeV1Api", "CertificatesV1Api",
    "AdmissionregistrationV1Api", "VersionApi", "CoreApi",
)
_FIREBASE_AUTH = (
    "verify_id_token", "create_session_cookie", "verify_session_cookie", "revoke_refresh_tokens", "get_user",
    "get_user_by_email", "get_user_by_phone_number", "get_users", "list_users", "create_user", "update_user",
    "set_custom_user_claims", "delete_user", "delete_users", "import_users", "generate_password_reset_link",
    "generate_email_verification_link", "generate_sign_in_with_email_link",
)
_FIREBASE_MESSAGING = (
    "send", "send_each", "send_each_for_multicast", "send_all", "send_multicast", "subscribe_to_topic",
    "unsubscribe_from_topic",
)
_RESEND = {
    "Emails": "send get list cancel update share metrics",
    "Batch": "send",
    "Domains": "create get list remove update verify",
    "ApiKeys": "create list remove update",
    "Audiences": "create get list remove",
    "Contacts": "create get list remove update",
    "Broadcasts": "create get list remove update send cancel duplicate recipients clicked_links",
    "Segments": "create get list remove update",
    "Templates": "create duplicate get list publish remove update",
}
_LDAP3 = (
    "bind", "rebind", "unbind", "search", "compare", "add", "delete", "modify", "modify_dn", "abandon",
    "extended", "start_tls", "do_sasl_bind", "do_ntlm_bind", "refresh_server_info",
)

# CPU-heavy work (FAL110). scikit-learn estimators are matched only where the estimator's type is known from
# its construction (`LogisticRegression().fit`), never as any `.predict`.
_SKLEARN_ESTIMATORS = (
    "linear_model.LogisticRegression", "linear_model.LinearRegression", "linear_model.Ridge",
    "linear_model.Lasso", "linear_model.ElasticNet", "linear_model.SGDClassifier", "linear_model.SGDRegressor",
    "ensemble.RandomForestClassifier", "ensemble.RandomForestRegressor", "ensemble.GradientBoostingClassifier",
    "ensemble.GradientBoostingRegressor", "ensemble.ExtraTreesClassifier", "ensemble.ExtraTreesRegressor",
    "ensemble.HistGradientBoostingClassifier", "ensemble.HistGradientBoostingRegressor",
    "ensemble.IsolationForest", "svm.SVC", "svm.SVR", "svm.LinearSVC", "neighbors.KNeighborsClassifier",
    "neighbors.KNeighborsRegressor", "neighbors.NearestNeighbors", "tree.DecisionTreeClassifier",
    "tree.DecisionTreeRegressor", "cluster.KMeans", "cluster.MiniBatchKMeans", "cluster.DBSCAN",
    "naive_bayes.GaussianNB", "naive_bayes.MultinomialNB", "decomposition.PCA", "decomposition.TruncatedSVD",
    "neural_network.MLPClassifier", "neural_network.MLPRegressor", "pipeline.Pipeline",
    "feature_extraction.text.TfidfVectorizer", "feature_extraction.text.CountVectorizer",
)
_SKLEARN_METHODS = (
    "fit", "predict", "predict_proba", "predict_log_proba", "decision_function", "fit_predict", "fit_transform",
    "transform", "score", "kneighbors",
)
_TRANSFORMERS_MODELS = (
    "AutoModel", "AutoModelForCausalLM", "AutoModelForSeq2SeqLM", "AutoModelForSequenceClassification",
    "AutoModelForTokenClassification", "AutoModelForQuestionAnswering",
)
_PIL_CPU = ("resize", "thumbnail", "save", "rotate", "transform", "filter", "quantize")

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
         "tempfile.NamedTemporaryFile", "tempfile.mkstemp", "tempfile.TemporaryDirectory", "glob.glob",
         "glob.iglob", "fileinput.input"]
        + [f"os.{name}" for name in _OS_FILE]
        + [f"pathlib.Path.{name}" for name in _PATH_METHODS]
        + [f"shutil.{name}" for name in _SHUTIL]
        + ["zipfile.ZipFile", "tarfile.open", "tarfile.TarFile", "tarfile.TarFile.*"]
        + [f"zipfile.ZipFile.{name}" for name in _ZIPFILE]
        + [f"zipfile.ZipFile(BytesIO).{name}" for name in _ZIP_IN_MEMORY]
        + [f"tarfile.TarFile(BytesIO).{name}" for name in _TAR_IN_MEMORY],
        Category.FILE,
    ),
    # flake8-async ASYNC240, ruff ASYNC240 (preview: off unless selected, as FAL111 is), blockbuster (os.mkdir,
    # os.unlink, os.rename, ...)
    (
        [f"os.{name}" for name in _OS_METADATA]
        + [f"os.path.{name}" for name in _OS_PATH]
        + [f"pathlib.Path.{name}" for name in _PATH_METADATA]
        + [f"shutil.{name}" for name in _SHUTIL_METADATA]
        + [f"tempfile.{name}" for name in _TEMPFILE_METADATA],
        Category.METADATA,
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
    # sync SDKs that do network I/O on every call. The names were checked against the packages' sources
    # (boto3/botocore, stripe 16, openai/anthropic 1.x, docker 7, PyGithub 2, resend 2, slack_sdk 3,
    # slack_bolt 1, sendgrid 6, twilio 9, google-api-python-client 2, firebase-admin 7, kubernetes 37,
    # minio 7, azure-storage-blob 12, hvac 2, ldap3 2.9, pysftp 0.2, qdrant-client 1, chromadb 1,
    # pinecone 10, weaviate-client 4).
    (
        ["boto3.client", "boto3.resource", "boto3.session.Session.client", "boto3.session.Session.resource",
         "botocore.client.BaseClient.*", "botocore.waiter.Waiter.wait", "botocore.paginate.Paginator.paginate",
         "boto3.resources.base.ServiceResource.*"]
        + [f"boto3.resources.base.ServiceResource.**.{verb}" for verb in _BOTO3_COLLECTION_VERBS]
        + ["smtplib.SMTP", "smtplib.SMTP.*", "smtplib.SMTP_SSL", "smtplib.SMTP_SSL.*", "smtplib.LMTP",
           "smtplib.LMTP.*",
           "stripe.StripeClient.**"]
        + _STRIPE
        + [f"openai.{client}.{resource}.**" for client in ("OpenAI", "AzureOpenAI") for resource in _OPENAI_RESOURCES]
        + [f"openai.{client}.{verb}" for client in ("OpenAI", "AzureOpenAI") for verb in _LOW_LEVEL_HTTP]
        # openai < 1.0 module-level resources, then the module-level client of openai >= 1.0.
        + ["openai.ChatCompletion.create", "openai.Completion.create", "openai.Embedding.create",
           "openai.Image.create", "openai.Image.create_edit", "openai.Image.create_variation",
           "openai.Moderation.create", "openai.Audio.transcribe", "openai.Audio.translate", "openai.chat.**", "openai.completions.**",
           "openai.embeddings.**", "openai.images.**", "openai.audio.**", "openai.files.**", "openai.models.**",
           "openai.moderations.**", "openai.responses.**", "openai.fine_tuning.**", "openai.batches.**",
           "openai.beta.**", "openai.vector_stores.**", "openai.uploads.**"]
        + [f"anthropic.{client}.{resource}.**" for client in ("Anthropic", "AnthropicBedrock", "AnthropicVertex")
           for resource in _ANTHROPIC_RESOURCES]
        + [f"groq.Groq.{resource}.**" for resource in _OPENAI_RESOURCES]
        + [f"mistralai.Mistral.{resource}.**" for resource in _MISTRAL_RESOURCES]
        + [f"google.genai.Client.{resource}.**" for resource in _GENAI_RESOURCES]
        + ["google.genai.chats.Chat.send_message", "google.genai.chats.Chat.send_message_stream",
           "cohere.Client.*", "cohere.ClientV2.*", "ollama.Client.*",
           "ollama.chat", "ollama.generate", "ollama.embed", "ollama.embeddings", "ollama.pull", "ollama.push",
           "ollama.list", "ollama.show", "ollama.create", "ollama.delete", "ollama.copy", "ollama.ps",
           "ollama.web_search", "ollama.web_fetch",
           "litellm.completion", "litellm.text_completion", "litellm.embedding", "litellm.image_generation",
           "litellm.transcription", "litellm.speech", "litellm.moderation", "litellm.rerank", "litellm.responses",
           "litellm.Router.completion", "litellm.Router.embedding", "litellm.Router.text_completion",
           "huggingface_hub.InferenceClient.*", "huggingface_hub.InferenceClient.chat.completions.create",
           "huggingface_hub.hf_hub_download", "huggingface_hub.snapshot_download", "huggingface_hub.upload_file",
           "huggingface_hub.upload_folder",
           "google.cloud.storage.Client.*", "google.cloud.storage.Bucket.*", "google.cloud.storage.Blob.*",
           "paramiko.SSHClient.connect", "paramiko.SSHClient.exec_command", "paramiko.SSHClient.open_sftp",
           "paramiko.SFTPClient.*", "paramiko.Transport.connect", "paramiko.SFTPClient.from_transport",
           "pysftp.Connection", "pysftp.Connection.*",
           "pika.BlockingConnection", "pika.BlockingConnection.*",
           "pika.adapters.blocking_connection.BlockingChannel.*",
           "kafka.KafkaProducer", "kafka.KafkaProducer.*", "kafka.KafkaConsumer", "kafka.KafkaConsumer.*",
           "kafka.KafkaAdminClient", "kafka.KafkaAdminClient.*",
           "slack_sdk.WebClient.*", "slack_sdk.webhook.WebhookClient.*", "slack.WebClient.*",
           "slack_bolt.App", "slack_bolt.App.dispatch",
           "sendgrid.SendGridAPIClient.send"]
        + [f"sendgrid.SendGridAPIClient.client.**.{verb}" for verb in _HTTP_CLIENT_VERBS]
        + [f"python_http_client.Client.**.{verb}" for verb in _HTTP_CLIENT_VERBS]
        + [f"twilio.rest.Client.**.{verb}" for verb in _TWILIO_VERBS]
        + ["twilio.rest.Client.request"]
        + [f"resend.{resource}.{method}" for resource, methods in _RESEND.items() for method in methods.split()]
        + ["docker.from_env", "docker.DockerClient", "docker.DockerClient.**",
           "docker.models.containers.Container.*", "docker.models.images.Image.*",
           "github.Github.*", "github.Github.get_user", "github.Repository.Repository.*", "github.Issue.Issue.*",
           "github.PullRequest.PullRequest.*", "github.NamedUser.NamedUser.*",
           "github.AuthenticatedUser.AuthenticatedUser.*", "github.Organization.Organization.*",
           "github.ContentFile.ContentFile.*",
           "googleapiclient.discovery.build", "googleapiclient.discovery.Resource.**.execute",
           "googleapiclient.http.HttpRequest.execute", "googleapiclient.http.HttpRequest.next_chunk",
           "googleapiclient.http.BatchHttpRequest.execute", "googleapiclient.http.MediaIoBaseDownload.next_chunk"]
        + [f"firebase_admin.auth.{name}" for name in _FIREBASE_AUTH]
        + [f"firebase_admin.messaging.{name}" for name in _FIREBASE_MESSAGING]
        + [f"firebase_admin.db.Reference.**.{verb}" for verb in _FIREBASE_DB_VERBS]
        + [f"google.cloud.firestore.Client.**.{verb}" for verb in _FIRESTORE_VERBS]
        + ["google.cloud.firestore.WriteBatch.commit", "google.cloud.firestore.Transaction.get"]
        + [f"kubernetes.client.{api}.*" for api in _KUBERNETES_APIS]
        + ["kubernetes.watch.Watch.stream", "kubernetes.stream.stream",
           "minio.Minio.*", "hvac.Client.**",
           "azure.storage.blob.BlobServiceClient.*", "azure.storage.blob.ContainerClient.*",
           "azure.storage.blob.BlobClient.*", "azure.storage.blob.StorageStreamDownloader.*",
           "ldap3.Connection", "ldap3.Connection.extend.**"]
        + [f"ldap3.Connection.{method}" for method in _LDAP3]
        + ["qdrant_client.QdrantClient.*",
           "chromadb.HttpClient", "chromadb.CloudClient", "chromadb.PersistentClient", "chromadb.api.ClientAPI.*",
           "chromadb.api.models.Collection.Collection.*",
           "pinecone.Pinecone.index", "pinecone.Pinecone.Index", "pinecone.Pinecone.*",
           "pinecone.Pinecone.indexes.**", "pinecone.Pinecone.collections.**", "pinecone.Pinecone.backups.**",
           "pinecone.Pinecone.inference.**", "pinecone.Pinecone.assistants.**", "pinecone.Index.*",
           "pinecone.Index.documents.*",
           "weaviate.connect_to_local", "weaviate.connect_to_weaviate_cloud", "weaviate.connect_to_wcs",
           "weaviate.connect_to_custom", "weaviate.connect_to_embedded", "weaviate.WeaviateClient.*",
           "weaviate.WeaviateClient.collections.*", "weaviate.collections.Collection.*",
           "weaviate.collections.Collection.query.**", "weaviate.collections.Collection.data.**",
           "weaviate.collections.Collection.aggregate.**", "weaviate.collections.Collection.generate.**",
           "weaviate.collections.Collection.tenants.**", "weaviate.collections.Collection.config.**",
           "pymilvus.MilvusClient", "pymilvus.MilvusClient.*",
           # databricks-sdk: every service of the workspace and account clients is a REST API.
           "databricks.sdk.WorkspaceClient.**", "databricks.sdk.AccountClient.**"],
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
         "oracledb.Cursor.*", "clickhouse_driver.Client.*", "neo4j.Driver.*", "neo4j.Session.*",
         "clickhouse_connect.get_client", "clickhouse_connect.create_client",
         "clickhouse_connect.driver.client.Client.*"],
        Category.DB,
    ),
    # sync SQLAlchemy / SQLModel (FAL202)
    (
        ["sqlalchemy.orm.Session.*", "sqlalchemy.orm.scoped_session.*", "sqlalchemy.engine.Engine.connect",
         "sqlalchemy.engine.Engine.begin", "sqlalchemy.engine.Engine.execute", "sqlalchemy.engine.Engine.raw_connection",
         "sqlalchemy.engine.Connection.*", "sqlalchemy.orm.Query.all", "sqlalchemy.orm.Query.first",
         "sqlalchemy.orm.Query.one", "sqlalchemy.orm.Query.one_or_none", "sqlalchemy.orm.Query.scalar",
         "sqlalchemy.orm.Query.count", "sqlalchemy.orm.Query.get", "sqlalchemy.orm.Query.delete",
         "sqlalchemy.orm.Query.update", "sqlalchemy.orm.Query.paginate",
         # Reflection reads the database's catalogue: `inspect(engine).get_table_names()`, `metadata.reflect(engine)`.
         *(f"sqlalchemy.engine.reflection.Inspector.{method}" for method in (
             "get_schema_names", "get_table_names", "get_view_names", "get_materialized_view_names",
             "get_temp_table_names", "get_sequence_names", "get_columns", "get_pk_constraint", "get_foreign_keys",
             "get_indexes", "get_unique_constraints", "get_check_constraints", "get_table_comment",
             "get_table_options", "get_view_definition", "get_multi_columns", "get_multi_indexes",
             "get_multi_foreign_keys", "has_table", "has_schema", "has_index", "has_sequence", "reflect_table",
         )),
         "sqlalchemy.schema.MetaData.reflect", "sqlalchemy.schema.MetaData.create_all",
         "sqlalchemy.schema.MetaData.drop_all", "sqlalchemy.schema.Table.create", "sqlalchemy.schema.Table.drop"],
        Category.ORM,
    ),
    # CPU-heavy work (FAL110): model inference and loading, image processing, table parsing and spreadsheet
    # writing, PDF rendering, and the slow compressors. Only calls whose receiver's type is known from its
    # construction (`SentenceTransformer(...)`, `Image.open(...)`, `pd.read_csv(...)`).
    (
        ["sentence_transformers.SentenceTransformer", "sentence_transformers.SentenceTransformer.encode",
         "sentence_transformers.SentenceTransformer.encode_query",
         "sentence_transformers.SentenceTransformer.encode_document",
         "sentence_transformers.SentenceTransformer.encode_multi_process", "sentence_transformers.CrossEncoder",
         "sentence_transformers.CrossEncoder.predict", "sentence_transformers.CrossEncoder.rank",
         # A module-level `classifier = pipeline(...)` called as `classifier(texts)` resolves to the instance,
         # spelled like its class; `pipeline(...)(texts)` to its `__call__`.
         "transformers.pipeline", "transformers.Pipeline", "transformers.Pipeline.__call__", "torch.load",
         "torch.jit.load",
         "onnxruntime.InferenceSession", "onnxruntime.InferenceSession.run", "joblib.load"]
        + [f"transformers.{model}.from_pretrained" for model in _TRANSFORMERS_MODELS]
        + [f"transformers.{model}.generate" for model in _TRANSFORMERS_MODELS]
        + [f"sklearn.{estimator}.{method}" for estimator in _SKLEARN_ESTIMATORS for method in _SKLEARN_METHODS]
        + [f"PIL.Image.Image.{method}" for method in _PIL_CPU]
        + ["pandas.read_csv", "pandas.read_excel", "pandas.read_parquet", "pandas.read_json", "pandas.read_table",
           "pandas.DataFrame.to_excel", "pandas.DataFrame.to_csv", "pandas.DataFrame.to_parquet",
           "weasyprint.HTML.write_pdf", "weasyprint.HTML.render", "reportlab.pdfgen.canvas.Canvas.save",
           "reportlab.platypus.SimpleDocTemplate.build", "reportlab.platypus.BaseDocTemplate.build",
           # zlib and gzip run at hundreds of MB/s: one small value (a stored vector) costs microseconds.
           "lzma.compress", "lzma.decompress", "bz2.compress", "bz2.decompress"],
        Category.CPU,
    ),
]

# Members of a wildcard that return promptly (local objects, URL signing, pipelines, async variants).
_BOTO3_LOCAL = frozenset(
    {"get_paginator", "get_waiter", "can_paginate", "generate_presigned_url", "generate_presigned_post", "close"}
)
_OPENAI_LOCAL = frozenset({"with_options", "copy", "close", "is_closed"})
# Client-side cursors hold the whole result after `execute()`: fetching from them reads memory.
_BUFFERED_CURSOR = frozenset({"fetchone", "fetchmany", "fetchall", "mogrify", "scroll", "setinputsizes", "setoutputsize"})
EXEMPT: Dict[str, FrozenSet[str]] = {
    "botocore.client.BaseClient": _BOTO3_LOCAL,
    # `table.batch_writer()` buffers (its `__exit__` sends); `get_available_subresources()` reads the model.
    "boto3.resources.base.ServiceResource": frozenset({"batch_writer", "get_available_subresources"}),
    "redis.Redis": _REDIS_EXEMPT,
    "redis.cluster.RedisCluster": _REDIS_EXEMPT,
    "sqlalchemy.orm.Session": _SESSION_EXEMPT,
    "sqlalchemy.orm.scoped_session": _SESSION_EXEMPT | {"remove", "configure"},
    "sqlalchemy.engine.Connection": frozenset({"begin", "begin_nested", "info", "closed", "invalidated"}),
    "psycopg2.extensions.connection": frozenset({"cursor", "set_session", "get_dsn_parameters"}),
    "psycopg2.extensions.cursor": _BUFFERED_CURSOR,
    "psycopg.Connection": frozenset({"cursor", "transaction", "pipeline"}),
    "psycopg.Cursor": _BUFFERED_CURSOR,
    "pymysql.connections.Connection": frozenset({"cursor"}),
    "pymysql.cursors.Cursor": _BUFFERED_CURSOR,
    "MySQLdb.connections.Connection": frozenset({"cursor"}),
    "MySQLdb.cursors.Cursor": _BUFFERED_CURSOR,
    "mysql.connector.MySQLConnection": frozenset({"cursor"}),
    "sqlite3.Connection": frozenset({"cursor", "create_function", "create_aggregate", "row_factory"}),
    "pymongo.MongoClient": frozenset(
        {"get_database", "get_default_database", "with_options", "get_collection", "find", "aggregate_raw_batches"}
    ),
    "pymongo.database.Database": frozenset({"get_collection", "with_options", "find", "aggregate_raw_batches"}),
    "pymongo.collection.Collection": frozenset({"with_options", "find", "aggregate_raw_batches"}),
    "neo4j.Driver": frozenset({"session"}),
    "neo4j.Session": frozenset({"last_bookmark", "last_bookmarks"}),
    "elasticsearch.Elasticsearch": frozenset({"options"}),
    "clickhouse_connect.driver.client.Client": frozenset(
        {"create_query_context", "create_insert_context", "close", "close_connections", "set_client_setting",
         "get_client_setting", "set_access_token", "min_version"}
    ),
    "google.cloud.storage.Client": frozenset(
        {"bucket", "batch", "close", "generate_signed_post_policy_v4", "from_service_account_info",
         "create_anonymous_client"}
    ),
    "google.cloud.storage.Bucket": frozenset(
        {"blob", "copy", "notification", "generate_signed_url", "generate_upload_policy", "get_logging",
         "enable_logging", "disable_logging", "configure_website", "disable_website", "clear_lifecycle_rules",
         "add_lifecycle_delete_rule", "add_lifecycle_set_storage_class_rule",
         "add_lifecycle_abort_incomplete_multipart_upload_rule", "from_string", "from_uri"}
    ),
    "google.cloud.storage.Blob": frozenset({"generate_signed_url", "from_string", "from_uri"}),
    "stripe.**": frozenset(
        {"construct_event", "construct_event_without_verification", "construct_from", "refresh_from", "to_dict",
         "verify_header", "deserialize", "parse_event_notification", "parse_event_notification_without_verification",
         "notification_handler", "notification_handler_without_verification", "async_notification_handler",
         "async_notification_handler_without_verification", "with_stripe_context"}
    ),
    "openai.OpenAI": _OPENAI_LOCAL,
    "openai.AzureOpenAI": _OPENAI_LOCAL,
    # Local settings and lookups of the stdlib protocol clients (`SMTP.has_extn` reads the EHLO reply).
    "smtplib.SMTP": frozenset({"set_debuglevel", "has_extn"}),
    "smtplib.SMTP_SSL": frozenset({"set_debuglevel", "has_extn"}),
    "smtplib.LMTP": frozenset({"set_debuglevel", "has_extn"}),
    "ftplib.FTP": frozenset({"set_debuglevel", "debug", "set_pasv", "getwelcome", "sanitize"}),
    "ftplib.FTP_TLS": frozenset({"set_debuglevel", "debug", "set_pasv", "getwelcome", "sanitize"}),
    "imaplib.IMAP4": frozenset({"response", "socket", "print_log"}),
    "imaplib.IMAP4_SSL": frozenset({"response", "socket", "print_log"}),
    "poplib.POP3": frozenset({"getwelcome", "set_debuglevel"}),
    "poplib.POP3_SSL": frozenset({"getwelcome", "set_debuglevel"}),
    "paramiko.SFTPClient": frozenset({"getcwd", "get_channel"}),
    "pika.BlockingConnection": frozenset({"add_callback_threadsafe", "call_later", "remove_timeout"}),
    "pika.adapters.blocking_connection.BlockingChannel": frozenset(
        {"add_on_cancel_callback", "add_on_return_callback"}
    ),
    "kafka.KafkaProducer": frozenset({"metrics"}),
    "kafka.KafkaConsumer": frozenset(
        {"subscribe", "unsubscribe", "assign", "assignment", "subscription", "seek", "seek_to_beginning",
         "seek_to_end", "pause", "resume", "paused", "metrics"}
    ),
    # passlib handlers: configuring and recognising a hash is cheap; hashing and verifying are not.
    "passlib.hash": frozenset({"using", "identify", "genconfig", "parsehash", "needs_update", "from_string", "to_string"}),
    "docker.DockerClient": frozenset(
        {"create_host_config", "create_networking_config", "create_endpoint_config", "create_container_config",
         "prepare_model", "close"}
    ),
    "github.Github": frozenset(
        {"close", "requester", "create_from_raw_data", "dump", "load", "get_oauth_application", "withLazy"}
    ),
    "github.Repository.Repository": frozenset({"as_url_param"}),
    "hvac.Client": frozenset({"close"}),
    "minio.Minio": frozenset(
        # presigning signs locally once the bucket's region is known (given to `Minio(region=...)` or cached)
        {"set_app_info", "trace_on", "trace_off", "enable_accelerate_endpoint", "disable_accelerate_endpoint",
         "enable_dualstack_endpoint", "disable_dualstack_endpoint", "enable_virtual_style_endpoint",
         "disable_virtual_style_endpoint", "presigned_get_object", "presigned_put_object", "presigned_post_policy",
         "get_presigned_url"}
    ),
    "azure.storage.blob.BlobServiceClient": frozenset(
        {"get_container_client", "get_blob_client", "from_connection_string", "close"}
    ),
    "azure.storage.blob.ContainerClient": frozenset(
        {"get_blob_client", "from_connection_string", "from_container_url", "close"}
    ),
    "azure.storage.blob.BlobClient": frozenset({"from_connection_string", "from_blob_url", "close"}),
    "qdrant_client.QdrantClient": frozenset(
        {"close", "get_fastembed_vector_params", "get_fastembed_sparse_vector_params", "set_model", "set_sparse_model",
         "get_embedding_size", "list_text_models", "list_image_models", "list_sparse_models",
         "list_late_interaction_text_models", "list_late_interaction_multimodal_models"}
    ),
    "chromadb.api.ClientAPI": frozenset({"get_settings", "set_tenant", "set_database", "close"}),
    "pinecone.Pinecone": frozenset({"IndexAsyncio", "close"}),
    "pinecone.Index": frozenset({"close"}),
    "weaviate.WeaviateClient": frozenset({"is_connected"}),
    "weaviate.WeaviateClient.collections": frozenset({"get", "use"}),
    "weaviate.collections.Collection": frozenset({"with_tenant", "with_consistency_level", "iterator"}),
    "pymilvus.MilvusClient": frozenset({"prepare_index_params", "create_schema", "create_field_schema", "session", "close"}),
    "cohere.Client": frozenset({"close"}),
    # Builders of other clients configured from the workspace's credentials.
    "databricks.sdk.WorkspaceClient": frozenset({"get_open_ai_client", "get_langchain_chat_open_ai_client"}),
    "cohere.ClientV2": frozenset({"close"}),
}
# Owners whose capitalised members build a lazy handle of the same kind: in boto3 every sub-resource
# (`s3.Bucket("b")`, `s3.Object("b", "k")`, `dynamodb.Table("t")`) is a ServiceResource that sends nothing
# until an action (`.put()`, `.load()`) is called on it.
SUBRESOURCES: FrozenSet[str] = frozenset({"boto3.resources.base.ServiceResource"})
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
    # `inspect(engine)` gives an Inspector; `inspect()` of anything else gives objects without its `get_*`.
    "sqlalchemy.inspect": "sqlalchemy.engine.reflection.Inspector",
    "sqlalchemy.inspection.inspect": "sqlalchemy.engine.reflection.Inspector",
    "sqlalchemy.engine.reflection.Inspector.from_engine": "sqlalchemy.engine.reflection.Inspector",
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
    # What the constructions of `constructed()` stand for.
    "tarfile.open": "tarfile.TarFile",
    "tarfile.open(BytesIO)": "tarfile.TarFile(BytesIO)",
    "ldap3.Connection(unbound)": "ldap3.Connection",
    # SDK factories and handles.
    "botocore.client.BaseClient.get_waiter": "botocore.waiter.Waiter",
    "botocore.client.BaseClient.get_paginator": "botocore.paginate.Paginator",
    "openai.OpenAI.with_options": "openai.OpenAI",
    "openai.OpenAI.copy": "openai.OpenAI",
    "openai.AzureOpenAI.with_options": "openai.AzureOpenAI",
    "openai.AzureOpenAI.copy": "openai.AzureOpenAI",
    "anthropic.Anthropic.with_options": "anthropic.Anthropic",
    "elasticsearch.Elasticsearch.options": "elasticsearch.Elasticsearch",
    "neo4j.GraphDatabase.driver": "neo4j.Driver",
    "neo4j.Driver.session": "neo4j.Session",
    "clickhouse_connect.get_client": "clickhouse_connect.driver.client.Client",
    "clickhouse_connect.create_client": "clickhouse_connect.driver.client.Client",
    "google.genai.Client.chats.create": "google.genai.chats.Chat",
    "docker.from_env": "docker.DockerClient",
    "docker.DockerClient.containers.get": "docker.models.containers.Container",
    "docker.DockerClient.containers.create": "docker.models.containers.Container",
    "docker.DockerClient.images.get": "docker.models.images.Image",
    "docker.DockerClient.images.pull": "docker.models.images.Image",
    "github.Github.get_repo": "github.Repository.Repository",
    "github.Github.get_user": "github.NamedUser.NamedUser",
    "github.Github.get_organization": "github.Organization.Organization",
    "github.Organization.Organization.get_repo": "github.Repository.Repository",
    "github.NamedUser.NamedUser.get_repo": "github.Repository.Repository",
    "github.Repository.Repository.get_issue": "github.Issue.Issue",
    "github.Repository.Repository.create_issue": "github.Issue.Issue",
    "github.Repository.Repository.get_pull": "github.PullRequest.PullRequest",
    "github.Repository.Repository.create_pull": "github.PullRequest.PullRequest",
    "github.Repository.Repository.get_contents": "github.ContentFile.ContentFile",
    "googleapiclient.discovery.build": "googleapiclient.discovery.Resource",
    "firebase_admin.db.reference": "firebase_admin.db.Reference",
    "firebase_admin.firestore.client": "google.cloud.firestore.Client",
    "firebase_admin.storage.bucket": "google.cloud.storage.Bucket",
    "google.cloud.firestore.Client.batch": "google.cloud.firestore.WriteBatch",
    "google.cloud.firestore.Client.transaction": "google.cloud.firestore.Transaction",
    "azure.storage.blob.BlobServiceClient.get_container_client": "azure.storage.blob.ContainerClient",
    "azure.storage.blob.BlobServiceClient.get_blob_client": "azure.storage.blob.BlobClient",
    "azure.storage.blob.ContainerClient.get_blob_client": "azure.storage.blob.BlobClient",
    "azure.storage.blob.BlobClient.download_blob": "azure.storage.blob.StorageStreamDownloader",
    "azure.storage.blob.ContainerClient.download_blob": "azure.storage.blob.StorageStreamDownloader",
    "chromadb.HttpClient": "chromadb.api.ClientAPI",
    "chromadb.CloudClient": "chromadb.api.ClientAPI",
    "chromadb.PersistentClient": "chromadb.api.ClientAPI",
    "chromadb.EphemeralClient": "chromadb.api.ClientAPI",
    "chromadb.Client": "chromadb.api.ClientAPI",
    "chromadb.api.ClientAPI.get_collection": "chromadb.api.models.Collection.Collection",
    "chromadb.api.ClientAPI.create_collection": "chromadb.api.models.Collection.Collection",
    "chromadb.api.ClientAPI.get_or_create_collection": "chromadb.api.models.Collection.Collection",
    "pinecone.Pinecone.index": "pinecone.Index",
    "pinecone.Pinecone.Index": "pinecone.Index",
    "weaviate.connect_to_local": "weaviate.WeaviateClient",
    "weaviate.connect_to_weaviate_cloud": "weaviate.WeaviateClient",
    "weaviate.connect_to_wcs": "weaviate.WeaviateClient",
    "weaviate.connect_to_custom": "weaviate.WeaviateClient",
    "weaviate.connect_to_embedded": "weaviate.WeaviateClient",
    "weaviate.WeaviateClient.collections.get": "weaviate.collections.Collection",
    "weaviate.WeaviateClient.collections.use": "weaviate.collections.Collection",
    "weaviate.WeaviateClient.collections.create": "weaviate.collections.Collection",
    "weaviate.collections.Collection.with_tenant": "weaviate.collections.Collection",
    "weaviate.collections.Collection.with_consistency_level": "weaviate.collections.Collection",
    # CPU-heavy objects (FAL110).
    "transformers.pipeline": "transformers.Pipeline",
    "PIL.Image.open": "PIL.Image.Image",
    "PIL.Image.new": "PIL.Image.Image",
    "PIL.Image.fromarray": "PIL.Image.Image",
    "PIL.Image.Image.convert": "PIL.Image.Image",
    "PIL.Image.Image.copy": "PIL.Image.Image",
    "PIL.Image.Image.crop": "PIL.Image.Image",
    "PIL.Image.Image.resize": "PIL.Image.Image",
    "PIL.Image.Image.rotate": "PIL.Image.Image",
    "PIL.Image.Image.transpose": "PIL.Image.Image",
    "PIL.ImageOps.exif_transpose": "PIL.Image.Image",
    "pandas.read_csv": "pandas.DataFrame",
    "pandas.read_excel": "pandas.DataFrame",
    "pandas.read_parquet": "pandas.DataFrame",
    "pandas.read_json": "pandas.DataFrame",
    "pandas.read_table": "pandas.DataFrame",
    "pandas.concat": "pandas.DataFrame",
    "pandas.json_normalize": "pandas.DataFrame",
    "weasyprint.HTML.render": "weasyprint.document.Document",
}

# Fluent SDKs (see `Type.**.method` above): calling a link of the chain hands back the chain itself
# (`client.messages(sid)` is the message's context, `service.files().list()` a request), except the verbs
# that send it, whose results are responses the catalogue does not follow.
FLUENT: FrozenSet[str] = frozenset(
    {"twilio.rest.Client", "sendgrid.SendGridAPIClient.client", "python_http_client.Client",
     "googleapiclient.discovery.Resource", "firebase_admin.db.Reference", "google.cloud.firestore.Client"}
)
_FLUENT_VERBS: Dict[str, FrozenSet[str]] = {
    prefix: frozenset(
        name.partition(".**.")[2] for names, _ in _TABLE for name in names if name.startswith(prefix + ".**.")
    )
    for prefix in FLUENT
}

# Entries whose calls block only with some arguments (see Blocking).
_CONDITIONS: Dict[str, Dict[str, object]] = {
    # `async_req=True` hands the request to the client's thread pool and returns at once.
    **{f"kubernetes.client.{api}.*": {"unless_keywords": frozenset({"async_req"})} for api in _KUBERNETES_APIS},
    # A host skips the describe request that resolves it from the index name.
    "pinecone.Pinecone.index": {"unless_keywords": frozenset({"host"})},
    "pinecone.Pinecone.Index": {"unless_keywords": frozenset({"host"})},
    # `App(token=...)` calls `auth.test` unless verification is off or an OAuth flow authorises each request.
    "slack_bolt.App": {
        "unless_keywords": frozenset(
            {"token_verification_enabled", "authorize", "oauth_settings", "oauth_flow", "installation_store"}
        )
    },
    "ldap3.Connection": {"needs_keywords": frozenset({"auto_bind"})},
    # `get_user()` without a login is the authenticated user, fetched lazily.
    "github.Github.get_user": {"needs_keywords": frozenset({"login"}), "needs_positional": True},
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
    # `put` waits only on a full queue: one built with a positive `maxsize` (`constructed()` names it
    # `queue.Queue(maxsize)`); a queue built without one never fills.
    ("queue.Queue.get", frozenset({"timeout", "block"}), True),
    ("queue.Queue.join", frozenset(), False),
    ("queue.Queue(maxsize).get", frozenset({"timeout", "block"}), True),
    ("queue.Queue(maxsize).put", frozenset({"timeout", "block"}), False),
    ("queue.Queue(maxsize).join", frozenset(), False),
    ("queue.SimpleQueue.get", frozenset({"timeout", "block"}), True),
    ("concurrent.futures.Future.result", frozenset({"timeout"}), True),
    ("concurrent.futures.Future.exception", frozenset({"timeout"}), True),
    ("concurrent.futures.wait", frozenset({"timeout"}), False),
    # `shutdown(wait=False)` returns at once (the summary records a keyword given False as `name=False`).
    ("concurrent.futures.ThreadPoolExecutor.shutdown", frozenset({"wait=False"}), False),
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
    "sqlalchemy.MetaData": "sqlalchemy.schema.MetaData",
    "sqlalchemy.sql.schema.MetaData": "sqlalchemy.schema.MetaData",
    "sqlalchemy.Table": "sqlalchemy.schema.Table",
    "sqlalchemy.sql.schema.Table": "sqlalchemy.schema.Table",
    "sqlalchemy.Inspector": "sqlalchemy.engine.reflection.Inspector",
    "sqlalchemy.engine.Inspector": "sqlalchemy.engine.reflection.Inspector",
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
    "queue.LifoQueue": "queue.Queue",
    "queue.PriorityQueue": "queue.Queue",
    "zipfile._ZipFile": "zipfile.ZipFile",
    "tarfile.TarFile.open": "tarfile.open",
    # A sub-resource's or the service resource's `meta.client` is the low-level client.
    "boto3.resources.base.ServiceResource.meta.client": "botocore.client.BaseClient",
    "botocore.waiter.S3Waiter": "botocore.waiter.Waiter",
    "slack_bolt.app.App": "slack_bolt.App",
    "slack_bolt.app.app.App": "slack_bolt.App",
    "slack_bolt.App.client": "slack_sdk.WebClient",
    "sendgrid.sendgrid.SendGridAPIClient": "sendgrid.SendGridAPIClient",
    "twilio.rest.client.Client": "twilio.rest.Client",
    "docker.client.DockerClient": "docker.DockerClient",
    "docker.client.from_env": "docker.from_env",
    "docker.DockerClient.from_env": "docker.from_env",
    "github.MainClass.Github": "github.Github",
    "apiclient.discovery": "googleapiclient.discovery",
    "google.cloud.firestore_v1.client.Client": "google.cloud.firestore.Client",
    "google.cloud.firestore_v1.Client": "google.cloud.firestore.Client",
    "google.cloud.firestore_v1.batch.WriteBatch": "google.cloud.firestore.WriteBatch",
    "kubernetes.client.api.core_v1_api.CoreV1Api": "kubernetes.client.CoreV1Api",
    "kubernetes.client.api.apps_v1_api.AppsV1Api": "kubernetes.client.AppsV1Api",
    "kubernetes.client.api.batch_v1_api.BatchV1Api": "kubernetes.client.BatchV1Api",
    "kubernetes.client.api.custom_objects_api.CustomObjectsApi": "kubernetes.client.CustomObjectsApi",
    "kubernetes.watch.watch.Watch": "kubernetes.watch.Watch",
    "minio.api.Minio": "minio.Minio",
    "hvac.v1.Client": "hvac.Client",
    "azure.storage.blob._blob_service_client.BlobServiceClient": "azure.storage.blob.BlobServiceClient",
    "azure.storage.blob._container_client.ContainerClient": "azure.storage.blob.ContainerClient",
    "azure.storage.blob._blob_client.BlobClient": "azure.storage.blob.BlobClient",
    "azure.storage.blob._download.StorageStreamDownloader": "azure.storage.blob.StorageStreamDownloader",
    "ldap3.core.connection.Connection": "ldap3.Connection",
    "qdrant_client.qdrant_client.QdrantClient": "qdrant_client.QdrantClient",
    "chromadb.api.client.Client": "chromadb.api.ClientAPI",
    "pinecone._client.Pinecone": "pinecone.Pinecone",
    "pinecone.index.Index": "pinecone.Index",
    "pinecone.data.Index": "pinecone.Index",
    "pinecone.db_data.Index": "pinecone.Index",
    "weaviate.client.WeaviateClient": "weaviate.WeaviateClient",
    "weaviate.collections.collection.Collection": "weaviate.collections.Collection",
    "pymilvus.milvus_client.MilvusClient": "pymilvus.MilvusClient",
    # The clients' configuration is local: fold it out of the `**` of their services.
    "databricks.sdk.WorkspaceClient.config": "databricks.sdk.core.Config",
    "databricks.sdk.AccountClient.config": "databricks.sdk.core.Config",
    "pymilvus.milvus_client.milvus_client.MilvusClient": "pymilvus.MilvusClient",
    "clickhouse_connect.driver.create_client": "clickhouse_connect.create_client",
    "mistralai.client.Mistral": "mistralai.Mistral",
    "mistralai.client.sdk.Mistral": "mistralai.Mistral",
    "mistralai.sdk.Mistral": "mistralai.Mistral",
    "google.genai.client.Client": "google.genai.Client",
    "groq.Client": "groq.Groq",
    "cohere.client.Client": "cohere.Client",
    "cohere.client_v2.ClientV2": "cohere.ClientV2",
    "ollama._client.Client": "ollama.Client",
    "litellm.main": "litellm",
    "litellm.router.Router": "litellm.Router",
    "huggingface_hub.inference._client.InferenceClient": "huggingface_hub.InferenceClient",
    "huggingface_hub.file_download.hf_hub_download": "huggingface_hub.hf_hub_download",
    "huggingface_hub._snapshot_download.snapshot_download": "huggingface_hub.snapshot_download",
    # CPU-heavy work (FAL110).
    "sentence_transformers.sentence_transformer.model.SentenceTransformer": "sentence_transformers.SentenceTransformer",
    "sentence_transformers.SentenceTransformer.SentenceTransformer": "sentence_transformers.SentenceTransformer",
    "sentence_transformers.cross_encoder.CrossEncoder": "sentence_transformers.CrossEncoder",
    "sentence_transformers.cross_encoder.model.CrossEncoder": "sentence_transformers.CrossEncoder",
    "sentence_transformers.cross_encoder.CrossEncoder.CrossEncoder": "sentence_transformers.CrossEncoder",
    "transformers.pipelines.pipeline": "transformers.pipeline",
    "transformers.pipelines.Pipeline": "transformers.Pipeline",
    "transformers.pipelines.base.Pipeline": "transformers.Pipeline",
    "onnxruntime.capi.onnxruntime_inference_collection.InferenceSession": "onnxruntime.InferenceSession",
    "pandas.core.frame.DataFrame": "pandas.DataFrame",
    "pandas.io.parsers.readers.read_csv": "pandas.read_csv",
    "reportlab.platypus.doctemplate.SimpleDocTemplate": "reportlab.platypus.SimpleDocTemplate",
    "reportlab.platypus.doctemplate.BaseDocTemplate": "reportlab.platypus.BaseDocTemplate",
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
    verbs: Dict[str, Dict[str, Blocking]] = field(default_factory=dict)  # "prefix" -> {"fetch": ...} ("prefix.**.fetch")

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
            verbs = self.verbs.get(prefix)
            if verbs is not None and last in verbs:
                return verbs[last]
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
    if owner in SUBRESOURCES and member[:1].isupper():
        return True  # a lazy sub-resource handle (`s3.Object("bucket", "key")`)
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
        if owner in SUBRESOURCES and method[:1].isupper():
            return owner  # `s3.Bucket("b")` is itself a resource
        if method.startswith("from_") and owner.rpartition(".")[2][:1].isupper():
            return owner  # alternative constructors: `Redis.from_url()`, `Config.from_env()`
        for prefix in _prefixes(owner):
            if prefix in FLUENT:
                verbs = _FLUENT_VERBS.get(prefix, frozenset())
                return None if method in verbs else name  # a link of the chain, or a response
    return found


def _prefixes(name: str) -> Iterable[str]:
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        yield ".".join(parts[:cut])


# Constructions that stand for a narrower catalogue type, told apart by what the call passes (see
# `constructed`). In-memory buffers: an archive over one reads and writes no file.
_MEMORY_BUFFERS = frozenset({"io.BytesIO()", "_io.BytesIO()", "tempfile.SpooledTemporaryFile()"})
# Kernel pseudo-file systems and the null device: the kernel answers from memory, no disk is ever waited
# for (`/proc/<pid>/stat`, `/sys/fs/cgroup/...`, `os.devnull`). An argument that is a string literal, or an
# f-string whose text starts so, is described as PSEUDO_FILE; `os.devnull` is the target of its name.
PSEUDO_FILE_PREFIXES = ("/proc/", "/sys/", "/dev/null")
PSEUDO_FILE = "<pseudo-file path>"
_PSEUDO_FILES = frozenset({PSEUDO_FILE, "os.devnull"})
_PATH_TAKERS = frozenset(
    {"builtins.open", "io.open", "pathlib.Path", "os.open"}
    | {f"os.{name}" for name in ("listdir", "scandir", "stat", "lstat", "readlink", "access")}
    | {f"os.path.{name}" for name in ("exists", "isfile", "isdir", "islink", "getsize", "realpath")}
)
# The (canonical) callees `constructed` may narrow: a caller need only describe the arguments of these.
CONSTRUCTED: FrozenSet[str] = (
    frozenset({"queue.Queue", "zipfile.ZipFile", "tarfile.open", "tarfile.TarFile", "ldap3.Connection"}) | _PATH_TAKERS
)
# `ldap3.Connection(..., auto_bind=...)` values that open no connection.
_NO_BIND = frozenset({"NONE", False, "ldap3.AUTO_BIND_NONE"})


@dataclass(frozen=True)
class Text:
    """A string argument as `constructed` reads it: the text a literal (or an f-string) starts with."""

    start: str


def literal_argument(text: str) -> object:
    """How `constructed` reads a string argument starting with `text`: PSEUDO_FILE for a path in a
    kernel pseudo-file system or the null device, else its Text."""
    return PSEUDO_FILE if text.startswith(PSEUDO_FILE_PREFIXES) else Text(text)


def constructed(name: str, arguments: Mapping[str, object]) -> str:
    """The catalogue name a call of `name` stands for, given what it passes (`arguments`: slot -> value, a
    slot being a position "0", "1", ... or a keyword; a value an int or bool for such a literal, for a
    string PSEUDO_FILE or its Text (see `literal_argument`), the target string of a name, attribute or call
    (`"io.BytesIO()"`), else None; slots the call does not pass are absent).

    `queue.Queue(maxsize=8)` is a bounded queue, `queue.Queue(maxsize)`, whose `put` waits when it is full
    (`queue.Queue()` and `maxsize <= 0` never fill); `zipfile.ZipFile(io.BytesIO(data))` and
    `tarfile.open(fileobj=io.BytesIO(data))` are archives in memory (`zipfile.ZipFile(BytesIO)`), as are
    those over a `tempfile.SpooledTemporaryFile` (in memory up to its `max_size`), whose
    construction and reads touch no file; `open(f"/proc/{pid}/stat")` and `Path("/proc/...")` name a
    kernel pseudo-file (`builtins.open(pseudo-file)`), which no disk serves, as does `os.devnull`;
    `ldap3.Connection(server, auto_bind="NONE")` (or False) opens no connection (`ldap3.Connection(unbound)`,
    whose methods are a connection's). Any other call stands for `name` itself.

    Meant to be applied where a call's target is formed (the value of `queue.Queue(8)` is
    `queue.Queue(maxsize)()`, the call `zipfile.ZipFile(io.BytesIO(b))` targets `zipfile.ZipFile(BytesIO)`),
    so that the catalogue tells these types apart by name alone; callers describe the arguments only of
    callees whose canonical name is in `CONSTRUCTED`."""
    canonical = canonical_name(name)
    if canonical not in CONSTRUCTED:
        return name
    if canonical in _PATH_TAKERS:
        return f"{canonical}(pseudo-file)" if _argument(arguments, "0", "file") in _PSEUDO_FILES else name
    if canonical == "queue.Queue":
        size = _argument(arguments, "0", "maxsize")
        if size is _ABSENT or (isinstance(size, int) and not isinstance(size, bool) and size <= 0):
            return name
        return "queue.Queue(maxsize)"
    if canonical == "zipfile.ZipFile":
        if _argument(arguments, "0", "file") in _MEMORY_BUFFERS:
            return "zipfile.ZipFile(BytesIO)"
        return name
    if canonical in ("tarfile.open", "tarfile.TarFile"):
        if _argument(arguments, "2", "fileobj") in _MEMORY_BUFFERS:  # a `name` beside it only names it
            return f"{canonical}(BytesIO)"
        return name
    if canonical == "ldap3.Connection":
        bind = _argument(arguments, "3", "auto_bind")
        bind = bind.start if isinstance(bind, Text) else bind
        return "ldap3.Connection(unbound)" if bind is not _ABSENT and bind in _NO_BIND else name
    return name


_ABSENT = object()


def _argument(arguments: Mapping[str, object], position: str, keyword: str) -> object:
    if keyword in arguments:
        return arguments[keyword]
    return arguments.get(position, _ABSENT)


def _build(extra_blocking: Sequence[str], extra_offload: Sequence[str]) -> Catalog:
    exact: Dict[str, Blocking] = {}
    members: Dict[str, Blocking] = {}
    deep: Dict[str, Blocking] = {}
    verbs: Dict[str, Dict[str, Blocking]] = {}
    for names, category in _TABLE:
        for name in names:
            entry = Blocking(name, category, **_CONDITIONS.get(name, {}))  # type: ignore[arg-type]
            if ".**." in name:
                prefix, _, verb = name.partition(".**.")
                verbs.setdefault(prefix, {})[verb] = entry
            elif name.endswith(".**"):
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
    return Catalog(exact, members, deep, tuple(user_prefixes), OFFLOAD_WRAPPERS | frozenset(extra_offload), verbs)


@lru_cache(maxsize=8)
def build_catalog(extra_blocking: Tuple[str, ...] = (), extra_offload: Tuple[str, ...] = ()) -> Catalog:
    return _build(extra_blocking, extra_offload)


def all_names() -> List[Tuple[str, Category]]:
    """Every catalogue entry as written (documentation and tests)."""
    rows = [(name, category) for names, category in _TABLE for name in names]
    rows += [(name, Category.LOCK) for name, _, _ in _LOCKS]
    return rows
