"""Direct tests of the blocking-call catalogue's lookups: wildcards reach requests, not the data objects SDKs
hand back; conditional entries block only with the arguments that make them wait; `constructed()` tells
apart the constructions whose type decides what blocks (a bounded queue, an archive in memory)."""

from __future__ import annotations

import pytest

from fastapi_asynclint.catalog import (
    CATEGORY_CODES,
    CATEGORY_LABELS,
    Category,
    all_names,
    build_catalog,
    constructed,
    returns,
)

CATALOG = build_catalog()


def code(name):
    hit = CATALOG.lookup(name)
    return CATEGORY_CODES[hit.category] if hit is not None else None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # stripe: resources' requests, not the StripeObject (a dict) they return.
        ("stripe.Charge.create", "FAL109"),
        ("stripe.Charge.retrieve", "FAL109"),
        ("stripe.Charge.capture", "FAL109"),
        ("stripe.Customer.list_payment_methods", "FAL109"),
        ("stripe.checkout.Session.create", "FAL109"),
        ("stripe.PaymentIntent.create_async", None),
        ("stripe.Charge.metadata.get", None),
        ("stripe.Price.get", None),
        ("stripe.Charge.update", None),
        ("stripe.Charge.to_dict", None),
        ("stripe.StripeClient.customers.create", "FAL109"),
        ("stripe.StripeClient.construct_event", None),
        # boto3 resources: actions, collections and `meta.client`; not handles or attributes.
        ("boto3.resources.base.ServiceResource.Object", None),
        ("boto3.resources.base.ServiceResource.Table", None),
        ("boto3.resources.base.ServiceResource.put", "FAL109"),
        ("boto3.resources.base.ServiceResource.objects.filter", "FAL109"),
        ("boto3.resources.base.ServiceResource.metadata.get", None),
        ("boto3.resources.base.ServiceResource.key.endswith", None),
        ("boto3.resources.base.ServiceResource.batch_writer", None),
        ("boto3.resources.base.ServiceResource.meta.client.upload_file", "FAL109"),
        ("boto3.resources.base.ServiceResource.meta.client.generate_presigned_url", None),
        ("botocore.client.BaseClient.get_object", "FAL109"),
        ("botocore.waiter.Waiter.wait", "FAL109"),
        # OpenAI-style clients: request namespaces, not the client's local helpers.
        ("openai.OpenAI.chat.completions.create", "FAL109"),
        ("openai.OpenAI.with_options", None),
        ("openai.OpenAI.base_url.copy_with", None),
        ("openai.OpenAI.webhooks.verify_signature", None),
        # Slack's WebClient: its API methods, not its attributes (`headers` is a dict).
        ("slack_sdk.WebClient.chat_postMessage", "FAL109"),
        ("slack_sdk.WebClient.headers.update", None),
        ("slack_sdk.WebClient.logger.info", None),
        ("slack_bolt.App.client.chat_postMessage", "FAL109"),
        # Fluent SDKs: only the verbs that send.
        ("twilio.rest.Client.messages.create", "FAL109"),
        ("twilio.rest.Client.messages.fetch", "FAL109"),
        ("twilio.rest.Client.messages", None),
        ("twilio.rest.Client.messages.get", None),
        ("twilio.rest.Client.account_sid.startswith", None),
        ("sendgrid.SendGridAPIClient.client.mail.send.post", "FAL109"),
        ("sendgrid.SendGridAPIClient.client.version", None),
        ("googleapiclient.discovery.Resource.files.list.execute", "FAL109"),
        ("googleapiclient.discovery.Resource.files.list", None),
        # Azure: handles are local, their transfers are not.
        ("azure.storage.blob.BlobServiceClient.get_blob_client", None),
        ("azure.storage.blob.BlobServiceClient.from_connection_string", None),
        ("azure.storage.blob.BlobClient.upload_blob", "FAL109"),
        # docker, PyGithub, resend, vector stores, kubernetes.
        ("docker.from_env", "FAL109"),
        ("docker.DockerClient.containers.run", "FAL109"),
        ("docker.DockerClient.api.create_host_config", None),
        ("github.Repository.Repository.get_issue", "FAL109"),
        ("resend.Emails.send", "FAL109"),
        ("resend.Emails.send_async", None),
        ("resend.Emails.SendParams", None),
        ("qdrant_client.QdrantClient.query_points", "FAL109"),
        ("qdrant_client.AsyncQdrantClient.query_points", None),
        ("weaviate.WeaviateClient.collections.get", None),
        ("weaviate.collections.Collection.query.near_text", "FAL109"),
        ("kubernetes.client.CoreV1Api.list_namespaced_pod", "FAL109"),
        # stdlib protocol clients and archives: local members are exempt.
        ("smtplib.SMTP.has_extn", None),
        ("smtplib.SMTP.send_message", "FAL109"),
        ("ftplib.FTP.getwelcome", None),
        ("zipfile.ZipFile.namelist", None),
        ("zipfile.ZipFile.read", "FAL103"),
        ("passlib.hash.bcrypt.using", None),
        ("passlib.hash.bcrypt.hash", "FAL108"),
        # Database drivers.
        ("neo4j.Driver.session", None),
        ("neo4j.Session.run", "FAL201"),
        ("psycopg2.extensions.cursor.execute", "FAL201"),
        ("psycopg2.extensions.cursor.fetchall", None),
        ("sqlite3.Cursor.fetchall", "FAL201"),
        ("pymongo.MongoClient.app.users.find", None),
        ("pymongo.MongoClient.app.users.find_one", "FAL201"),
        # CPU-heavy work: estimators typed by their construction only.
        ("sentence_transformers.SentenceTransformer.encode", "FAL110"),
        ("sklearn.linear_model.LogisticRegression.predict_proba", "FAL110"),
        ("sklearn.linear_model.LogisticRegression.get_params", None),
        ("PIL.Image.Image.thumbnail", "FAL110"),
        ("PIL.Image.Image.getpixel", None),
        ("lzma.compress", "FAL110"),
        ("zlib.compress", None),  # fast: one small value costs microseconds
        ("zlib.crc32", None),
    ],
)
def test_lookup(name, expected):
    assert code(name) == expected


def test_queue_put_blocks_only_on_a_bounded_queue():
    assert code("queue.Queue.put") is None
    assert code("queue.Queue.get") == "FAL106"
    assert code("queue.Queue(maxsize).put") == "FAL106"
    bounded_put = CATALOG.lookup("queue.Queue(maxsize).put")
    assert bounded_put.blocks(1, ())
    assert not bounded_put.blocks(1, ("timeout",))
    assert not bounded_put.blocks(1, ("block",))
    assert code("queue.LifoQueue.get") == "FAL106"  # a subclass with the same waits


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({}, "queue.Queue"),
        ({"maxsize": 0}, "queue.Queue"),
        ({"0": -1}, "queue.Queue"),
        ({"maxsize": 10}, "queue.Queue(maxsize)"),
        ({"0": 3}, "queue.Queue(maxsize)"),
        ({"maxsize": None}, "queue.Queue(maxsize)"),  # a size from settings: assume bounded
        ({"maxsize": "app.settings.queue_size"}, "queue.Queue(maxsize)"),
    ],
)
def test_constructed_queue(arguments, expected):
    assert constructed("queue.Queue", arguments) == expected


def test_constructed_archives():
    assert constructed("zipfile.ZipFile", {"0": "io.BytesIO()", "1": None}) == "zipfile.ZipFile(BytesIO)"
    assert constructed("zipfile.ZipFile", {"file": "io.BytesIO()"}) == "zipfile.ZipFile(BytesIO)"
    assert constructed("zipfile.ZipFile", {"0": "fastapi.UploadFile().file"}) == "zipfile.ZipFile"
    assert constructed("zipfile.ZipFile", {"0": None}) == "zipfile.ZipFile"
    assert constructed("tarfile.open", {"fileobj": "io.BytesIO()", "mode": None}) == "tarfile.open(BytesIO)"
    assert constructed("tarfile.open", {"0": None}) == "tarfile.open"
    assert constructed("httpx.Client", {"0": "io.BytesIO()"}) == "httpx.Client"
    # The in-memory archive: its constructor and reads do no file I/O, extracting still writes files.
    assert code("zipfile.ZipFile(BytesIO)") is None
    assert code("zipfile.ZipFile(BytesIO).read") is None
    assert code("zipfile.ZipFile(BytesIO).extractall") == "FAL103"
    assert code("zipfile.ZipFile") == "FAL103"
    assert returns("tarfile.open(BytesIO)") == "tarfile.TarFile(BytesIO)"
    assert code("tarfile.TarFile(BytesIO).getmembers") is None
    assert code("tarfile.TarFile.getmembers") == "FAL103"


def test_conditional_entries():
    get_user = CATALOG.lookup("github.Github.get_user")
    assert get_user.blocks(1, ()) and get_user.blocks(0, ("login",))
    assert not get_user.blocks(0, ())
    connection = CATALOG.lookup("ldap3.Connection")
    assert connection.blocks(2, ("auto_bind",)) and not connection.blocks(3, ())
    index = CATALOG.lookup("pinecone.Pinecone.Index")
    assert index.blocks(1, ()) and not index.blocks(0, ("host",))
    pods = CATALOG.lookup("kubernetes.client.CoreV1Api.list_namespaced_pod")
    assert pods.blocks(1, ()) and not pods.blocks(1, ("async_req",))
    app = CATALOG.lookup("slack_bolt.App")
    assert app.blocks(0, ("token", "signing_secret")) and not app.blocks(0, ("token", "authorize"))


def test_factories_type_their_clients():
    assert returns("docker.from_env") == "docker.DockerClient"
    assert returns("github.Github.get_repo") == "github.Repository.Repository"
    assert returns("chromadb.HttpClient") == "chromadb.api.ClientAPI"
    assert returns("boto3.resources.base.ServiceResource.Bucket") == "boto3.resources.base.ServiceResource"
    # Fluent chains hand back the chain until a verb sends it; a response is not followed.
    assert returns("twilio.rest.Client.messages") == "twilio.rest.Client.messages"
    assert returns("twilio.rest.Client.messages.create") is None
    assert returns("googleapiclient.discovery.Resource.files.list.execute") is None


def test_cpu_category_is_wired():
    assert CATEGORY_CODES[Category.CPU] == "FAL110"
    assert CATEGORY_LABELS[Category.CPU]
    assert all(category in CATEGORY_CODES and category in CATEGORY_LABELS for category in Category)
    assert any(category is Category.CPU for _, category in all_names())


def test_no_entry_is_listed_twice():
    names = [name for name, _ in all_names()]
    assert len(names) == len(set(names)), sorted({name for name in names if names.count(name) > 1})
