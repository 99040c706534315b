"""A file whose syntax is newer than the interpreter running the linter is indexed through its older spelling
(index/newer_syntax.py): a route calling into it keeps its findings, and the file is not a syntax error."""

from __future__ import annotations

import json

import pytest

from fastapi_asynclint.index.newer_syntax import older_spelling

HELPER_BODY = "    time.sleep(1)\n    return x\n"
NEWER = {
    "except without parentheses (3.14)": "def helper(x):\n    try:\n        time.sleep(1)\n    except ValueError, TypeError:\n        pass\n    return x\n",
    "type parameters (3.12)": "def helper[T](x: T) -> T:\n" + HELPER_BODY,
    "type alias (3.12)": "type Number = int\n\ndef helper(x):\n" + HELPER_BODY,
    "template string (3.14)": 'def helper(x):\n    label = t"value {x}"\n' + HELPER_BODY,
}


@pytest.mark.parametrize("name", list(NEWER))
def test_a_route_keeps_its_finding_through_a_helper_in_newer_syntax(cli, name):
    cli.write({"helpers.py": "import time\n\n\n" + NEWER[name], "main.py": "from helpers import helper\n\n\nasync def route():\n    return helper(1)\n"})
    found = json.loads(cli("check", "--no-cache", "--output-format", "json", ".").stdout)
    assert [(item["filename"].rsplit("/", 1)[-1], item["code"]) for item in found] == [("main.py", "FAL101")]


def test_rows_stay_where_they_were():
    text = NEWER["type parameters (3.12)"] + "\n\ndef other():\n    pass\n"
    older = older_spelling(text)
    assert older is not None and older.count("\n") == text.count("\n")
    assert older.splitlines()[-2] == "def other():"


def test_a_file_libcst_cannot_read_either_stays_a_syntax_error(cli):
    cli.write({"broken.py": "def handler(:\n    pass\n"})
    found = json.loads(cli("check", "--no-cache", "--output-format", "json", ".").stdout)
    assert [item["code"] for item in found] == ["FAL900"]
    assert older_spelling("def handler(:\n    pass\n") is None
