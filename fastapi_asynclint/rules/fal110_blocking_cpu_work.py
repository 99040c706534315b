"""## What it does
Checks for CPU-heavy library calls run by an `async def` function: model inference and loading
(sentence-transformers' `SentenceTransformer.encode` and `CrossEncoder.predict`, a transformers
`pipeline(...)` called on its input, `from_pretrained`/`generate`, onnxruntime's `InferenceSession.run`,
`torch.load`, `joblib.load`), scikit-learn estimators' `fit`/`predict`/`predict_proba`/`transform` where the
estimator's type is known from its construction (`LogisticRegression()`, not any `.predict`), Pillow's
`resize`/`thumbnail`/`save` on an image from `Image.open`, pandas' `read_csv`/`read_excel`/`read_parquet` and
`DataFrame.to_excel`/`to_csv`/`to_parquet`, PDF rendering (weasyprint's `HTML(...).write_pdf()`, reportlab's
`Canvas.save()` and `SimpleDocTemplate.build()`), and `lzma`/`bz2` compression, directly or through
sync helpers.

## Why is this bad?
These calls hold the CPU for tens of milliseconds to seconds. Run on the event loop, every other request of
the worker waits for them: one embedding of a long document or one PDF export stalls health checks, other
users' requests and streaming responses alike. Most of them release the GIL (numpy, torch, onnxruntime,
Pillow, zlib), so a worker thread runs them while the loop keeps serving.

## Example
```python
from sentence_transformers import SentenceTransformer

model = SentenceTransformer("all-MiniLM-L6-v2")

@app.post("/embed")
async def embed(body: Texts):
    return model.encode(body.texts).tolist()
```

## Use instead
```python
from anyio import to_thread

@app.post("/embed")
async def embed(body: Texts):
    vectors = await to_thread.run_sync(model.encode, body.texts)
    return vectors.tolist()
```
or a process pool for work that holds the GIL (`anyio.to_process.run_sync`), or a separate inference service.

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


class BlockingCpuWork(BlockingCallRule):
    CODE = "FAL110"
    CATEGORY = Category.CPU
    MESSAGE = "CPU-heavy work in async function"

    VALID = [
        Valid(
            """
            import base64
            import zlib

            async def vector(row: dict):
                return zlib.decompress(base64.b64decode(row["vector"]))
            """,
            note="near miss: zlib and gzip are fast; one stored value costs microseconds",
        ),
        Valid(
            """
            import asyncio
            from sentence_transformers import SentenceTransformer

            model = SentenceTransformer("all-MiniLM-L6-v2")

            async def embed(texts):
                return await asyncio.to_thread(model.encode, texts)
            """,
            note="near miss: the encode runs in a worker thread",
        ),
        Valid(
            """
            import io
            from fastapi.concurrency import run_in_threadpool
            from PIL import Image

            def make_thumbnail(data: bytes) -> bytes:
                image = Image.open(io.BytesIO(data))
                image.thumbnail((128, 128))
                out = io.BytesIO()
                image.save(out, format="PNG")
                return out.getvalue()

            async def upload(data: bytes):
                return await run_in_threadpool(make_thumbnail, data)
            """,
            note="near miss: a helper doing image work, handed to run_in_threadpool",
        ),
        Valid(
            """
            import joblib

            async def score(model, features):
                return model.predict(features)
            """,
            note="near miss: `.predict` on an object of unknown type is not assumed to be an estimator",
        ),
        Valid(
            """
            from PIL import Image
            from sklearn.linear_model import LogisticRegression

            classifier = LogisticRegression(max_iter=200)

            async def describe(path_to_image):
                image = Image.open(path_to_image)
                return {"size": image.size, "mode": image.mode, "params": classifier.get_params()}
            """,
            note="near miss: building an estimator, and reading an image's header and attributes, is cheap",
        ),
    ]

    INVALID = [
        Invalid(
            files={
                "app/models.py": '''
                    from sentence_transformers import SentenceTransformer

                    MODELS = {name: SentenceTransformer(name) for name in ("all-MiniLM-L6-v2", "all-mpnet-base-v2")}
                    ''',
                "app/main.py": '''
                    from fastapi import FastAPI
                    from app.models import MODELS

                    app = FastAPI()

                    @app.post("/embed/{model}")
                    async def embed(model: str, texts: list[str]):
                        await audit(model)
                        return MODELS[model].encode(texts).tolist()  # FAL110
                    ''',
            },
            note="a registry of models whose values are all one class",
        ),
        Invalid(
            """
            import io
            import pandas as pd
            from PIL import Image
            from sentence_transformers import CrossEncoder, SentenceTransformer
            from sklearn.linear_model import LogisticRegression
            from transformers import pipeline

            embedder = SentenceTransformer("all-MiniLM-L6-v2")
            reranker = CrossEncoder("cross-encoder/ms-marco-MiniLM-L-6-v2")
            classifier = pipeline("sentiment-analysis")
            model = LogisticRegression()

            async def handler(texts, pairs, upload: bytes, features):
                embedder.encode(texts)  # FAL110
                reranker.predict(pairs)  # FAL110
                classifier(texts)  # FAL110
                model.predict_proba(features)  # FAL110
                Image.open(io.BytesIO(upload)).resize((64, 64))  # FAL110
                pd.read_csv(io.BytesIO(upload)).to_excel("report.xlsx")  # FAL110
            """,
            note="module-level models and estimators, a pipeline called on its input, chained image and table work",
        ),
        Invalid(
            """
            import onnxruntime
            import weasyprint
            from reportlab.pdfgen import canvas
            from reportlab.platypus import SimpleDocTemplate

            session = onnxruntime.InferenceSession("model.onnx")

            async def render(html, story, inputs):
                session.run(None, inputs)  # FAL110
                weasyprint.HTML(string=html).write_pdf("out.pdf")  # FAL110
                SimpleDocTemplate("out.pdf").build(story)  # FAL110
                pdf = canvas.Canvas("page.pdf")
                pdf.drawString(72, 720, "Invoice")
                pdf.save()  # FAL110
            """,
            note="inference sessions and PDF rendering",
        ),
        Invalid(
            """
            import lzma
            import pandas as pd
            import torch
            from PIL import Image
            from sklearn.ensemble import RandomForestClassifier
            from transformers import AutoModelForCausalLM

            async def train_and_render(rows, labels, path, blob: bytes, inputs):
                forest = RandomForestClassifier(n_estimators=500)
                forest.fit(rows, labels)  # FAL110
                frame = pd.read_excel(path)  # FAL110
                frame.to_parquet("out.parquet")  # FAL110
                image = Image.open(path)
                image.thumbnail((256, 256))  # FAL110
                image.save("thumb.webp")  # FAL110
                lzma.decompress(blob)  # FAL110
                weights = torch.load("weights.pt")  # FAL110
                model = AutoModelForCausalLM.from_pretrained("gpt2")  # FAL110
                model.generate(**inputs)  # FAL110
                return weights
            """,
            note="estimators typed by their construction, tables, images, compression, model loading and generation",
        ),
        Invalid(
            files={
                "app/__init__.py": "",
                "app/search.py": '''
                    from sentence_transformers import SentenceTransformer

                    model = SentenceTransformer("all-MiniLM-L6-v2")

                    def embed_query(text):
                        return model.encode([text])[0]
                    ''',
                "app/routes.py": '''
                    from app.search import embed_query

                    async def search(q: str):
                        return embed_query(q).tolist()  # FAL110
                    ''',
            },
            message="embed_query() -> sentence_transformers.SentenceTransformer.encode (CPU-heavy work)",
            note="through a helper in another module",
        ),
    ]


RULE = BlockingCpuWork
