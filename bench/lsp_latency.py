#!/usr/bin/env python3
"""How long the language server takes to clear a fixed finding: from the `didChange` that removes a
blocking call to the `publishDiagnostics` that no longer reports it.

Run from the project root with the interpreter that has fastapi-asynclint installed::

    python bench/lsp_latency.py                 # 500-line file, 9 runs
    python bench/lsp_latency.py --lines 2000 --runs 15

The file is generated into a temporary project (an empty ``[tool.fastapi-asynclint]`` pyproject.toml):
FastAPI routes and helpers, one route of which calls ``time.sleep``. The server is the real one
(``python -m fastapi_asynclint server``), driven over stdio by pygls' client. Each run first re-introduces
the bug and waits for its finding, then times the fix. The time includes the server's ~100 ms debounce,
as an editor would see it. Target: median < 300 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import List, Tuple

from lsprotocol import types
from pygls.lsp.client import LanguageClient

TARGET_MS = 300.0
BLOCKING_LINE = "    time.sleep(0.1)\n"
FIXED_LINE = "    await asyncio.sleep(0.1)\n"

HEADER = """\
import asyncio
import time

from fastapi import APIRouter, FastAPI

app = FastAPI()
router = APIRouter()


@app.get("/slow")
async def slow():
{body}    return {{"ok": True}}

"""
FILLER = '''
def helper_{n}(items):
    """Sum the even items, doubled."""
    total = 0
    for item in items:
        if item % 2 == 0:
            total += item * 2
    return total


@router.get("/items/{n}")
async def read_items_{n}(limit: int = 10):
    await asyncio.sleep(0)
    return {{"total": helper_{n}(range(limit))}}
'''


def generate(lines: int, blocking: bool) -> str:
    text = HEADER.format(body=BLOCKING_LINE if blocking else FIXED_LINE)
    n = 0
    while text.count("\n") < lines:
        text += FILLER.format(n=n)
        n += 1
    return text


class Session:
    """A pygls client talking to the real server, recording when each publishDiagnostics arrives."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.client = LanguageClient("lsp-latency-bench", "1")
        self.published: asyncio.Queue = asyncio.Queue()
        self.version = 0

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_publish(params: types.PublishDiagnosticsParams) -> None:
            self.published.put_nowait((time.perf_counter(), params))

    async def start(self) -> None:
        await self.client.start_io(sys.executable, "-m", "fastapi_asynclint", "server")
        await self.client.initialize_async(
            types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=self.root.as_uri())
        )
        self.client.initialized(types.InitializedParams())

    async def stop(self) -> None:
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    def open(self, uri: str, text: str) -> None:
        self.version = 1
        item = types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(text_document=item))

    def change(self, uri: str, text: str) -> float:
        self.version += 1
        document = types.VersionedTextDocumentIdentifier(uri=uri, version=self.version)
        change = types.TextDocumentContentChangeWholeDocument(text=text)
        sent = time.perf_counter()
        params = types.DidChangeTextDocumentParams(text_document=document, content_changes=[change])
        self.client.text_document_did_change(params)
        return sent

    async def diagnostics_for_current_version(
        self, uri: str, timeout: float = 60.0
    ) -> Tuple[float, List[types.Diagnostic]]:
        while True:
            received, params = await asyncio.wait_for(self.published.get(), timeout)
            if params.uri == uri and params.version == self.version:
                return received, list(params.diagnostics)


def _codes(diagnostics: List[types.Diagnostic]) -> List[str]:
    return sorted(str(d.code) for d in diagnostics)


async def measure(lines: int, runs: int) -> List[float]:
    with tempfile.TemporaryDirectory(prefix="fal-lsp-bench-") as folder:
        root = Path(folder)
        (root / "pyproject.toml").write_text("[tool.fastapi-asynclint]\n")
        path = root / "app.py"
        buggy, fixed = generate(lines, blocking=True), generate(lines, blocking=False)
        path.write_text(buggy)
        uri = path.as_uri()
        session = Session(root)
        await session.start()
        try:
            session.open(uri, buggy)
            _, first = await session.diagnostics_for_current_version(uri)
            assert "FAL101" in _codes(first), f"the generated file should report FAL101, got {_codes(first)}"
            timings = []
            for _ in range(runs):
                session.change(uri, buggy)
                _, found = await session.diagnostics_for_current_version(uri)
                assert "FAL101" in _codes(found)
                sent = session.change(uri, fixed)
                received, found = await session.diagnostics_for_current_version(uri)
                assert "FAL101" not in _codes(found), f"the fix should clear FAL101, got {_codes(found)}"
                timings.append((received - sent) * 1000)
            return timings
        finally:
            await session.stop()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=500, help="size of the generated file (default: 500)")
    parser.add_argument("--runs", type=int, default=9, help="timed fixes (default: 9)")
    options = parser.parse_args()
    timings = asyncio.run(measure(options.lines, options.runs))
    median = statistics.median(timings)
    print(f"didChange (fix) -> publishDiagnostics (cleared), {options.lines}-line file, {options.runs} runs")
    print("runs (ms): " + ", ".join(f"{t:.0f}" for t in timings))
    print(f"median {median:.0f} ms, min {min(timings):.0f} ms, max {max(timings):.0f} ms")
    verdict = "PASS" if median < TARGET_MS else "FAIL"
    print(f"target: median < {TARGET_MS:.0f} ms: {verdict}")
    return 0 if verdict == "PASS" else 1


if __name__ == "__main__":
    sys.exit(main())
