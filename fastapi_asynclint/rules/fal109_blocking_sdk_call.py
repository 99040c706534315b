"""## What it does
Checks for calls into synchronous third-party SDKs from an `async def` function: boto3/botocore clients
and resources, `smtplib`, stripe, the sync OpenAI and Anthropic clients, google-cloud-storage, paramiko,
pika's `BlockingConnection`, kafka-python, slack_sdk's `WebClient`, and others in the catalogue; plus every
name listed in `extra-blocking-calls`. Calls are found directly, through aliases, on module-level clients,
and through sync helpers in any module (the finding names the chain).

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
`slack_sdk.web.async_client.AsyncWebClient`, stripe's `*_async` methods).

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
    ]

    INVALID = [
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
    ]


RULE = BlockingSdkCall
