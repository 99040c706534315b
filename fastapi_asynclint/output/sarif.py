"""`sarif`: SARIF 2.1.0 with one run, every rule with its help, and results with locations, the call chain
as related locations, fixes, and partial fingerprints that survive unrelated edits (GitHub code scanning)."""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List
from urllib.parse import quote

from fastapi_asynclint import __version__
from fastapi_asynclint.diagnostics import Applicability, Diagnostic, Location
from fastapi_asynclint.output import pretty_json
from fastapi_asynclint.output.common import SourceLines, url
from fastapi_asynclint.registry import all_rules

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/fastapi-asynclint/fastapi-asynclint"
FINGERPRINT_KEY = "fastapiAsynclint/v1"


def _uri(path: str, root: str) -> str:
    absolute = os.path.abspath(path)
    relative = os.path.relpath(absolute, root)
    if relative.startswith(".."):
        return Path(absolute).as_uri()
    # A URI reference, so spaces and non-ASCII characters are percent-encoded (as `as_uri()` does).
    return quote(Path(relative).as_posix(), safe="/")


def _artifact(path: str, root: str) -> Dict[str, Any]:
    uri = _uri(path, root)
    found: Dict[str, Any] = {"uri": uri}
    if not uri.startswith("file:"):
        found["uriBaseId"] = "%SRCROOT%"
    return found


def _region(start: Location, end: Location) -> Dict[str, int]:
    return {"startLine": start.row, "startColumn": start.column, "endLine": end.row, "endColumn": end.column}


def rule_descriptors() -> List[Dict[str, Any]]:
    descriptors = []
    for code, info in all_rules().items():
        rule = info.load()
        documentation = rule.documentation()
        descriptors.append(
            {
                "id": code,
                "name": info.name,
                "shortDescription": {"text": rule.summary_line()},
                "fullDescription": {"text": documentation.split("## Why is this bad?")[0].replace("## What it does", "").strip()},
                "help": {"text": documentation, "markdown": documentation},
                "helpUri": url(code),
                "defaultConfiguration": {"level": "error" if code.startswith("FAL9") else "warning"},
                "properties": {"tags": ["async", "fastapi"], "precision": "high"},
            }
        )
    return descriptors


def _fingerprint(d: Diagnostic, root: str, lines: SourceLines, seen: Counter) -> str:
    """Hash of rule, file, and the reported line's text (not its number), numbered among equal lines."""
    text = " ".join(lines.line(d.filename, d.location.row).split())
    base = f"{d.code}\0{_uri(d.filename, root)}\0{text}"
    seen[base] += 1
    return hashlib.sha256(f"{base}\0{seen[base]}".encode()).hexdigest()[:32]


def _result(d: Diagnostic, index: Dict[str, int], root: str, lines: SourceLines, seen: Counter) -> Dict[str, Any]:
    found: Dict[str, Any] = {
        "ruleId": d.code,
        "ruleIndex": index[d.code],
        "level": "error" if d.code.startswith("FAL9") else "warning",
        "message": {"text": d.message},
        "locations": [
            {"physicalLocation": {"artifactLocation": _artifact(d.filename, root), "region": _region(d.location, d.end_location)}}
        ],
        "partialFingerprints": {FINGERPRINT_KEY: _fingerprint(d, root, lines, seen)},
    }
    properties = {name: value for name, value in (("reach", d.reach), ("root", d.root)) if value}
    if properties:
        found["properties"] = properties
    if d.chain:
        found["relatedLocations"] = [
            {
                "id": number,
                "message": {"text": f"{hop.name}() calls {d.chain[number + 1].name}"},
                "physicalLocation": {"artifactLocation": _artifact(hop.filename, root), "region": {"startLine": hop.row}},
            }
            for number, hop in enumerate(d.chain[:-1])
            if hop.filename
        ]
    if d.fix is not None and d.fix.applicability is not Applicability.DISPLAY_ONLY:
        found["fixes"] = [
            {
                "description": {"text": d.fix.message + (" (unsafe)" if d.fix.applicability is Applicability.UNSAFE else "")},
                "artifactChanges": [
                    {
                        "artifactLocation": _artifact(d.filename, root),
                        "replacements": [
                            {"deletedRegion": _region(e.location, e.end_location), "insertedContent": {"text": e.content}}
                            for e in d.fix.edits
                        ],
                    }
                ],
            }
        ]
    return found


def sarif_document(result, root: str, sources=None) -> Dict[str, Any]:
    rules = rule_descriptors()
    index = {rule["id"]: number for number, rule in enumerate(rules)}
    lines = SourceLines(sources)
    seen: Counter = Counter()
    results = [_result(d, index, root, lines, seen) for d in sorted(result.diagnostics, key=lambda d: d.sort_key)]
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fastapi-asynclint",
                        "version": __version__,
                        "semanticVersion": __version__,
                        "informationUri": INFORMATION_URI,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {"%SRCROOT%": {"uri": Path(os.path.abspath(root)).as_uri() + "/"}},
                "results": results,
                "columnKind": "unicodeCodePoints",
            }
        ],
    }


def render(result, context) -> None:
    # One write, built by pretty_json: json.dumps with an indent is a pure-Python generator chain.
    context.stream.write(pretty_json.dumps(sarif_document(result, os.getcwd(), context.sources)))
    context.stream.write("\n")
