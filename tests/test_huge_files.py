"""Large files stay within bounded time and memory: past the analysis limit a file is a FAL902 finding, not
read; below it, a large focused text is read by the rules in batches of definitions, which find exactly
what one pass over the whole text finds."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import fastapi_asynclint.engine as engine
from fastapi_asynclint.index.build import MAX_FILE_BYTES
from fastapi_asynclint.runner import CheckOptions, run_check
from fastapi_asynclint.settings import CliOptions, build_settings

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def test_a_file_past_the_limit_is_fal902_and_not_read(cli):
    row = "    'key': [1, 2, 3, 'value', {'nested': 1}],\n"
    cli.write({"generated.py": "DATA = {\n" + row * (MAX_FILE_BYTES // len(row) + 10) + "}\n", "app.py": "x = 1\n"})
    found = json.loads(cli("check", "--no-cache", "--output-format", "json", ".").stdout)
    assert [(item["filename"].rsplit("/", 1)[-1], item["code"]) for item in found] == [("generated.py", "FAL902")]
    assert "analysis limit" in found[0]["message"]


def test_batches_find_what_one_pass_finds(tmp_path, monkeypatch):
    project = tmp_path / "example_app"
    shutil.copytree(FIXTURES / "example_app", project)
    settings = build_settings(project, CliOptions(no_cache=True))
    whole = run_check([str(project)], settings, CheckOptions(jobs=1)).diagnostics
    monkeypatch.setattr(engine, "BATCH_LINES", 10)
    batched = run_check([str(project)], settings, CheckOptions(jobs=1)).diagnostics
    assert whole and batched == whole
