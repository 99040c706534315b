"""`lsp`: `{file URI: [LSP Diagnostic]}` with 0-based UTF-16 positions, the same shape the server publishes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List

from fastapi_asynclint.diagnostics import Diagnostic, Edit, Location
from fastapi_asynclint.output import pretty_json
from fastapi_asynclint.output.common import SourceLines, url, utf16_column

SOURCE = "fastapi-asynclint"
SEVERITY_ERROR = 1
SEVERITY_WARNING = 2


def position(lines: SourceLines, path: str, location: Location) -> Dict[str, int]:
    line = lines.line(path, location.row)
    return {"line": location.row - 1, "character": utf16_column(line, location.column - 1)}


def lsp_range(lines: SourceLines, path: str, start: Location, end: Location) -> Dict[str, Any]:
    return {"start": position(lines, path, start), "end": position(lines, path, end)}


def uri(path: str) -> str:
    return Path(path).absolute().as_uri()


def text_edit(lines: SourceLines, path: str, edit: Edit) -> Dict[str, Any]:
    return {"range": lsp_range(lines, path, edit.location, edit.end_location), "newText": edit.content}


def related_information(d: Diagnostic, lines: SourceLines) -> List[Dict[str, Any]]:
    """One entry per hop of an indirect finding's chain, at the call that continues it."""
    related = []
    last = len(d.chain) - 2
    for number, hop in enumerate(d.chain[:-1]):
        if not hop.filename:
            continue
        following = d.chain[number + 1].name
        message = f"`{hop.name}()` calls `{following}`" + (" which blocks the event loop" if number == last else "")
        here = Location(hop.row, 1)
        related.append({"location": {"uri": uri(hop.filename), "range": lsp_range(lines, hop.filename, here, here)},
                        "message": message})
    return related


def lsp_diagnostic(d: Diagnostic, lines: SourceLines) -> Dict[str, Any]:
    found: Dict[str, Any] = {
        "range": lsp_range(lines, d.filename, d.location, d.end_location),
        "severity": SEVERITY_ERROR if d.code.startswith("FAL9") else SEVERITY_WARNING,
        "code": d.code,
        "codeDescription": {"href": url(d.code)},
        "source": SOURCE,
        "message": d.message,
    }
    if d.chain:
        found["relatedInformation"] = related_information(d, lines)
    if d.fix is not None:
        found["data"] = {
            "fix": {
                "applicability": d.fix.applicability.value,
                "message": d.fix.message,
                "edits": [text_edit(lines, d.filename, e) for e in d.fix.edits],
            },
            "noqa_row": d.noqa_row,
        }
    return found


def render(result, context) -> None:
    lines = SourceLines(context.sources)
    payload: Dict[str, List[Dict[str, Any]]] = {}
    for d in sorted(result.diagnostics, key=lambda d: d.sort_key):
        payload.setdefault(uri(d.filename), []).append(lsp_diagnostic(d, lines))
    # One write, built by pretty_json: json.dumps with an indent is a pure-Python generator chain.
    context.stream.write(pretty_json.dumps(payload, sort_keys=True))
    context.stream.write("\n")
