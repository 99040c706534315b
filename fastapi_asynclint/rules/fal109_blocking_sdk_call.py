"""## What it does
Checks for calls into synchronous third-party SDKs from an `async def` function: boto3/botocore clients,
resources and waiters, `smtplib`, stripe, the sync LLM clients (OpenAI, Anthropic, google-genai, Groq,
Mistral, Cohere, Ollama, litellm, Hugging Face's `InferenceClient`), google-cloud-storage and Firestore,
paramiko and pysftp, pika's `BlockingConnection`, kafka-python, Slack (`slack_sdk.WebClient`, slack_bolt's
sync `App`), SendGrid, Twilio, Resend, firebase-admin, docker-py, PyGithub, google-api-python-client's
`.execute()`, the Kubernetes sync client, MinIO, Azure Blob Storage, hvac, ldap3, and the sync vector-store
clients (Qdrant, Chroma, Pinecone, Weaviate, Milvus); plus every name listed in `extra-blocking-calls`.
Calls are found directly, through aliases, on module-level clients, and through sync helpers in any module
(the finding names the chain).

Only the methods that send a request are reported, not what the SDKs hand back: stripe's objects are
dicts (`charge.metadata.get("order_id")`), boto3 responses are dicts, `s3.Object("bucket", key)` and
`twilio.messages(sid)` are lazy handles, and presigning a URL is local.

## Why is this bad?
Each of these SDK calls is a network round trip made with a blocking HTTP or socket client. On the event
loop it stalls every other request for its whole duration (seconds, for an LLM completion or an upload).

## Example
```python
import boto3

s3 = boto3.client("s3")

@app.post("/upload")
async def upload(file: UploadFile):
    s3.upload_fileobj(file.file, "bucket", file.filename)
```

## Use instead
```python
from anyio import to_thread

@app.post("/upload")
async def upload(file: UploadFile):
    await to_thread.run_sync(s3.upload_fileobj, file.file, "bucket", file.filename)
```
or the SDK's async client (`openai.AsyncOpenAI`, `anthropic.AsyncAnthropic`, `aioboto3`,
`slack_sdk.web.async_client.AsyncWebClient`, `qdrant_client.AsyncQdrantClient`, `azure.storage.blob.aio`,
google-genai's `client.aio`, stripe's and twilio's `*_async` methods).

## Configuration
`extra-blocking-calls = ["mycorp.sdk.fetch", "mycorp.legacy.*"]` declares more blocking callables
(exact qualified names, or a prefix followed by `.*`).

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


class BlockingSdkCall(BlockingCallRule):
    CODE = "FAL109"
    CATEGORY = Category.SDK
    MESSAGE = "Blocking SDK call in async function"

    VALID = [
        Valid(
            files={
                "hooks/openai/__init__.py": "",
                "hooks/openai/moderations.py": """
                    class ModerationGuardrail:
                        def check(self, response):
                            if response["flagged"]:
                                raise ValueError("flagged")

                        async def apply(self, response):
                            self.check(response)
                            return response
                    """,
            },
            note="near miss: a project package named like an SDK (`hooks/openai/`) is project code",
        ),
        Valid(
            """
            from openai import AsyncOpenAI

            client = AsyncOpenAI()

            async def complete(prompt):
                return await client.chat.completions.create(model="m", messages=[prompt])
            """
        ),
        Valid(
            """
            import boto3

            s3 = boto3.client("s3")

            async def link(key):
                return s3.generate_presigned_url("get_object", Params={"Key": key})
            """,
            note="near miss: presigning a URL is local computation",
        ),
        Valid(
            """
            import stripe

            async def charge(amount):
                return await stripe.PaymentIntent.create_async(amount=amount, currency="eur")
            """,
            note="near miss: stripe's async variant",
        ),
        Valid(
            """
            from openai import AzureOpenAI

            def get_client(api_version):
                client = AzureOpenAI(api_key="k", azure_endpoint="https://x", api_version="v")
                client._custom_query.setdefault("api-version", api_version)
                return client

            async def transcribe(api_version):
                return get_client(api_version)
            """,
            note="near miss: a dict method on the client's private state is not an SDK request",
        ),
        Valid(
            """
            import asyncio
            import boto3
            import stripe

            s3 = boto3.client("s3")
            s3_resource = boto3.resource("s3")

            async def webhook(charge: stripe.Charge, price: stripe.Price, key: str):
                order = charge.metadata.get("order_id")
                currency = price.get("currency")
                charge.update({"seen": True})
                handle = s3_resource.Object("bucket", key)
                link = s3_resource.meta.client.generate_presigned_url("get_object", Params={"Key": key})
                response = await asyncio.to_thread(s3.get_object, Bucket="bucket", Key=key)
                kind = response.get("ContentType")
                return order, currency, handle.key.endswith(".csv"), link, kind
            """,
            note="near miss: stripe objects and boto3 responses are dicts; a resource handle is lazy; presigning is local",
        ),
        Valid(
            """
            import resend
            from github import Github
            from googleapiclient.discovery import build
            from twilio.rest import Client

            twilio = Client("sid", "token")
            gh = Github()
            drive = build("drive", "v3")

            async def prepare(sid, to):
                message = twilio.messages(sid)
                params = resend.Emails.SendParams(to=[to], subject="hi")
                me = gh.get_user()
                request = drive.files().list(q="trashed = false")
                return message, params, me, request
            """,
            note="near miss: handles, parameter dicts, a lazy user and an unsent request do no I/O",
        ),
        Valid(
            """
            import asyncio
            from azure.storage.blob import generate_blob_sas
            from azure.storage.blob.aio import BlobServiceClient
            from qdrant_client import AsyncQdrantClient
            from slack_sdk.web.async_client import AsyncWebClient

            qdrant = AsyncQdrantClient(url="http://qdrant:6333")
            slack = AsyncWebClient(token="x")
            blobs = BlobServiceClient.from_connection_string("conn")

            async def publish(vector, key):
                task = asyncio.create_task(slack.chat_postMessage(channel="#ops", text="done"))
                hits = await asyncio.gather(qdrant.query_points("docs", query=vector))
                blob = blobs.get_blob_client("container", key)
                await blob.upload_blob(b"data")
                sas = generate_blob_sas("account", "container", key, account_key="k")
                return task, hits, sas
            """,
            note="near miss: async clients' calls return coroutines (here handed to create_task and gather)",
        ),
        Valid(
            """
            import ldap3
            from google import genai
            from minio import Minio
            from pinecone import Pinecone

            gemini = genai.Client()
            store = Minio("minio:9000", region="eu-west-1")
            pc = Pinecone(api_key="k")

            async def setup(key, prompt):
                chat = gemini.chats.create(model="gemini-2.5-flash")
                url = store.presigned_get_object("bucket", key)
                index = pc.Index(host="https://docs-abc.svc.pinecone.io")
                conn = ldap3.Connection(ldap3.Server("ldap://ldap"), "cn=reader", "secret")
                reply = await gemini.aio.models.generate_content(model="gemini-2.5-flash", contents=prompt)
                return chat, url, index, conn, reply
            """,
            note="near miss: a chat session, a presigned URL, an index handle given its host, an unbound connection",
        ),
        Valid(
            """
            import asyncio
            from ldap3 import AUTO_BIND_NONE, Connection, Server

            async def login(user: str, password: str):
                server = Server("ldap://ldap")
                first = Connection(server, user, password, auto_bind="NONE")
                second = Connection(server, user, password, auto_bind=False)
                third = Connection(server, user, password, AUTO_BIND_NONE)
                await asyncio.to_thread(first.bind)
                return second, third
            """,
            note="near miss: `auto_bind` set to not bind (\"NONE\", False, AUTO_BIND_NONE) opens no connection; "
            "the bind runs in a worker thread",
        ),
    ]

    INVALID = [
        Invalid(
            files={
                "app/storage.py": '''
                    import enum
                    import boto3

                    class Kind(enum.Enum):
                        avatars = "avatars"
                        exports = "exports"

                    class BlobStore:
                        def __init__(self, bucket: str):
                            self.s3 = boto3.client("s3")
                            self.bucket = bucket

                        def upload(self, key: str, data: bytes) -> None:
                            self.s3.put_object(Bucket=self.bucket, Key=key, Body=data)

                    STORES = {Kind.avatars: BlobStore("avatars"), Kind.exports: BlobStore("exports")}
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI, UploadFile
                    from app.storage import STORES, Kind

                    app = FastAPI()

                    @app.post("/upload/{kind}")
                    async def upload(kind: Kind, file: UploadFile):
                        data = await file.read()
                        STORES[kind].upload(file.filename, data)  # FAL109
                        for store in STORES.values():
                            store.upload("latest", data)  # FAL109
                    ''',
            },
            note="a container of clients: a subscript, and a loop over its values",
        ),
        Invalid(
            """
            import boto3
            import smtplib
            import stripe
            from openai import OpenAI

            s3 = boto3.client("s3")
            llm = OpenAI()

            async def handler(body):
                s3.put_object(Bucket="b", Key="k", Body=body)  # FAL109
                llm.chat.completions.create(model="m", messages=[])  # FAL109
                stripe.Customer.create(email="a@example.com")  # FAL109
                with smtplib.SMTP("localhost") as smtp:  # FAL109
                    smtp.send_message(body)  # FAL109
            """
        ),
        Invalid(
            files={
                "app/clients.py": '''
                    import boto3

                    class Storage:
                        def __init__(self):
                            self.s3 = boto3.resource("s3")

                        def save(self, key, data):
                            self.s3.Object("bucket", key).put(Body=data)

                    storage = Storage()
                    ''',
                "app/routes.py": '''
                    from app.clients import storage

                    async def upload(key, data):
                        storage.save(key, data)  # FAL109
                    ''',
            },
            message="Storage.save() -> boto3.resources.base.ServiceResource",
            note="a module-level instance of a project class whose method calls an SDK resource",
        ),
        Invalid(
            """
            import boto3
            import stripe

            s3 = boto3.client("s3")
            s3_resource = boto3.resource("s3")

            async def settle(charge: stripe.Charge, key: str):
                charge.capture()  # FAL109
                stripe.checkout.Session.create(mode="payment")  # FAL109
                for item in s3_resource.Bucket("bucket").objects.filter(Prefix=key):  # FAL109
                    s3_resource.Object("bucket", item.key).delete()  # FAL109
                s3_resource.meta.client.upload_file("report.csv", "bucket", key)  # FAL109
                s3.get_waiter("object_exists").wait(Bucket="bucket", Key=key)  # FAL109
            """,
            note="the requests of stripe resources, boto3 resources, collections, waiters and `meta.client`",
        ),
        Invalid(
            """
            import docker
            from github import Auth, Github
            from googleapiclient.discovery import build
            from kubernetes import client

            gh = Github(auth=Auth.Token("token"))
            drive = build("drive", "v3")
            core = client.CoreV1Api()

            async def handler(repo_name: str, number: int):
                docker.from_env().containers.run("alpine", "true", detach=True)  # FAL109
                repo = gh.get_repo(repo_name)  # FAL109
                repo.get_issue(number).create_comment("thanks")  # FAL109
                drive.files().list(q="trashed = false").execute()  # FAL109
                core.list_namespaced_pod("default")  # FAL109
            """,
            note="docker-py, PyGithub, google-api-python-client and the Kubernetes sync client",
        ),
        Invalid(
            """
            import resend
            from firebase_admin import auth, messaging
            from sendgrid import SendGridAPIClient
            from slack_bolt import App
            from slack_sdk import WebClient
            from twilio.rest import Client

            sg = SendGridAPIClient("key")
            twilio = Client("sid", "token")
            slack = WebClient(token="x")
            bolt = App(token="x", signing_secret="s")

            async def notify(user: str, message, sid: str, id_token: str):
                auth.verify_id_token(id_token)  # FAL109
                resend.Emails.send({"to": [user], "subject": "hi", "html": message})  # FAL109
                sg.send(message)  # FAL109
                sg.client.mail.send.post(request_body=message)  # FAL109
                twilio.messages.create(to=user, from_="+15550000000", body=message)  # FAL109
                twilio.messages(sid).fetch()  # FAL109
                slack.chat_postMessage(channel="#ops", text=message)  # FAL109
                bolt.client.chat_postMessage(channel="#ops", text=message)  # FAL109
                messaging.send(message)  # FAL109
            """,
            note="messaging SDKs: Resend, SendGrid, Twilio, Slack, firebase-admin",
        ),
        Invalid(
            """
            import hvac
            import ldap3
            import pysftp
            from azure.storage.blob import BlobServiceClient
            from minio import Minio

            blobs = BlobServiceClient.from_connection_string("conn")
            store = Minio("minio:9000")
            vault = hvac.Client(url="http://vault:8200")

            async def handler(key: str, data: bytes, user: str, password: str):
                blobs.get_blob_client("container", key).upload_blob(data)  # FAL109
                store.put_object("bucket", key, data, len(data))  # FAL109
                vault.secrets.kv.v2.read_secret_version(path="app")  # FAL109
                conn = ldap3.Connection(ldap3.Server("ldap://ldap"), user, password, auto_bind=True)  # FAL109
                conn.search("dc=example,dc=com", f"(uid={user})")  # FAL109
                lazy = ldap3.Connection(ldap3.Server("ldap://ldap"), user, password, auto_bind="NONE")
                lazy.bind()  # FAL109
                with pysftp.Connection("sftp.example.com", username=user, password=password) as sftp:  # FAL109
                    sftp.put(key)  # FAL109
            """,
            note="storage, secrets and directory clients: Azure Blob Storage, MinIO, hvac, ldap3, pysftp",
        ),
        Invalid(
            """
            import chromadb
            import litellm
            import ollama
            import weaviate
            from google import genai
            from mistralai import Mistral
            from pinecone import Pinecone
            from pymilvus import MilvusClient
            from qdrant_client import QdrantClient

            qdrant = QdrantClient(url="http://qdrant:6333")
            chroma = chromadb.HttpClient(host="chroma")
            pc = Pinecone(api_key="k")
            milvus = MilvusClient(uri="http://milvus:19530")
            gemini = genai.Client()
            mistral = Mistral(api_key="k")

            async def answer(vector, text, messages):
                qdrant.query_points("docs", query=vector, limit=5)  # FAL109
                chroma.get_collection("docs").query(query_embeddings=[vector])  # FAL109
                pc.Index(host="https://docs-abc.svc.pinecone.io").query(vector=vector, top_k=5)  # FAL109
                milvus.search("docs", data=[vector], limit=5)  # FAL109
                with weaviate.connect_to_local() as client:  # FAL109
                    client.collections.get("Docs").query.near_text(text)  # FAL109
                gemini.models.generate_content(model="gemini-2.5-flash", contents=text)  # FAL109
                mistral.chat.complete(model="mistral-small-latest", messages=messages)  # FAL109
                litellm.completion(model="gpt-4o-mini", messages=messages)  # FAL109
                ollama.chat(model="llama3", messages=messages)  # FAL109
            """,
            note="sync vector-store clients (Qdrant, Chroma, Pinecone, Milvus, Weaviate) and LLM SDKs",
        ),
        Invalid(
            """
            import anthropic
            import cohere
            import groq
            import ollama
            from databricks.sdk import WorkspaceClient
            from firebase_admin import db, firestore
            from google import genai
            from huggingface_hub import InferenceClient, hf_hub_download

            claude = anthropic.Anthropic()
            co = cohere.ClientV2()
            fast = groq.Groq()
            local = ollama.Client(host="http://ollama:11434")
            hf = InferenceClient()
            workspace = WorkspaceClient()
            store = firestore.client()
            gemini = genai.Client()

            async def handler(uid: str, messages, text: str):
                claude.messages.create(model="claude-sonnet-4-5", max_tokens=512, messages=messages)  # FAL109
                co.embed(texts=[text], model="embed-v4.0", input_type="search_query")  # FAL109
                fast.chat.completions.create(model="llama-3.3-70b-versatile", messages=messages)  # FAL109
                local.chat(model="llama3", messages=messages)  # FAL109
                hf.chat_completion(messages=messages)  # FAL109
                hf_hub_download("gpt2", "config.json")  # FAL109
                workspace.clusters.list()  # FAL109
                store.collection("users").document(uid).get()  # FAL109
                db.reference("/profiles").child(uid).set({"seen": True})  # FAL109
                gemini.chats.create(model="gemini-2.5-flash").send_message(text)  # FAL109
            """,
            note="more LLM clients, Hugging Face Hub, databricks-sdk, Firestore and the Realtime Database",
        ),
        Invalid(
            files={
                "app/__init__.py": "",
                "app/store.py": '''
                    from qdrant_client import QdrantClient

                    class VectorStore:
                        def __init__(self):
                            self._client = QdrantClient(url="http://qdrant:6333")

                        def search(self, vector):
                            return self._client.query_points("docs", query=vector, limit=5).points
                    ''',
                "app/routes.py": '''
                    from app.store import VectorStore

                    store = VectorStore()

                    async def search(vector: list):
                        return store.search(vector)  # FAL109
                    ''',
            },
            message="VectorStore.search() -> qdrant_client.QdrantClient.query_points",
            note="a sync vector-store client held by a project class, reached through its method",
        ),
    ]


RULE = BlockingSdkCall
