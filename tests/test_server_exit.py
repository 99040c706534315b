"""The language server's exit code, as the LSP spec gives it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def _lsp_message(payload: dict) -> bytes:
    body = json.dumps(payload).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


@pytest.mark.parametrize(
    "ending, code",
    [(["shutdown", "exit"], 0), (["exit"], 1), ([], 0)],
    ids=["shutdown then exit", "exit without shutdown", "end of input"],
)
def test_exit_code_follows_the_lsp_spec(tmp_path: Path, ending, code):
    """0 after `shutdown` and `exit`, 1 after an `exit` the client did not announce with `shutdown`."""
    messages = [{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"processId": None, "rootUri": None, "capabilities": {}}}]
    messages.append({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    for number, method in enumerate(ending, 2):
        messages.append({"jsonrpc": "2.0", "id": number, "method": method} if method == "shutdown" else {"jsonrpc": "2.0", "method": method})
    done = subprocess.run(
        [sys.executable, "-m", "fastapi_asynclint", "server"], cwd=tmp_path, capture_output=True, timeout=60,
        input=b"".join(_lsp_message(message) for message in messages),
    )
    assert done.returncode == code, done.stderr[-2000:]
    assert b"Traceback" not in done.stderr
