"""Golden tests: every output format on one small project (direct, indirect and fixable findings).

Regenerate after an intended change with `UPDATE_GOLDEN=1 pytest tests/test_formats.py`, and review the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from fastapi_asynclint.registry import all_rules

GOLDEN = Path(__file__).parent / "golden"
FILES = {
    "app/__init__.py": "",
    "app/helpers.py": """\
import requests


def fetch_json(url):
    return requests.get(url).json()


def load_profile(user_id):
    return fetch_json(f"/users/{user_id}")
""",
    "app/main.py": """\
import time

from fastapi import FastAPI

from app.helpers import load_profile

app = FastAPI()


@app.get("/users/{user_id}")
async def profile(user_id: int):
    time.sleep(0.1)
    return load_profile(user_id)
""",
}


def _normalise(text: str, root: Path) -> str:
    text = text.replace(root.as_uri(), "file://<ROOT>")
    return text.replace(str(root), "<ROOT>")


@pytest.mark.parametrize("output_format", ["text", "concise", "json", "sarif", "github", "lsp"])
def test_output_format_golden(cli, output_format):
    cli.write(FILES)
    result = cli("check", "--no-cache", "--output-format", output_format, ".")
    assert result.exit_code == 1
    output = _normalise(result.stdout, cli.root.resolve())
    if output_format == "sarif":
        # Rule help is the rules' documentation, tested elsewhere; keep the golden file about the results.
        document = json.loads(output)
        driver = document["runs"][0]["tool"]["driver"]
        assert [rule["id"] for rule in driver["rules"]] == list(all_rules())
        driver["rules"] = "<every rule>"
        driver["version"] = driver["semanticVersion"] = "<VERSION>"
        output = json.dumps(document, indent=2) + "\n"
    golden = GOLDEN / f"{output_format}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(output)
    assert output == golden.read_text()


def test_machine_formats_parse_and_carry_the_chain(cli):
    cli.write(FILES)
    findings = json.loads(cli("check", "--no-cache", "--output-format", "json", ".").stdout)
    indirect = next(f for f in findings if f["code"] == "FAL102")
    assert [hop["name"] for hop in indirect["chain"]] == ["load_profile", "fetch_json", "requests.get"]
    assert indirect["location"] == {"row": 13, "column": 12}
    assert indirect["url"].endswith("/docs/rules/FAL102.md")
    lsp = json.loads(cli("check", "--no-cache", "--output-format", "lsp", ".").stdout)
    (diagnostics,) = lsp.values()
    related = next(d for d in diagnostics if d["code"] == "FAL102")["relatedInformation"]
    assert [r["location"]["range"]["start"]["line"] for r in related] == [8, 4]
    assert all(d["source"] == "fastapi-asynclint" for d in diagnostics)
