"""`json`: a list with one object per finding in ruff's JSON shape (plus `chain` for indirect findings)."""

from __future__ import annotations

import os
from collections import Counter
from typing import Any, Dict, List, Optional

from fastapi_asynclint.diagnostics import Diagnostic, Edit, Fix, Location
from fastapi_asynclint.output import pretty_json
from fastapi_asynclint.output.common import is_fixable, rule_name, url


def _location(location: Location) -> Dict[str, int]:
    return {"column": location.column, "row": location.row}


def _edit(edit: Edit) -> Dict[str, Any]:
    return {"content": edit.content, "end_location": _location(edit.end_location), "location": _location(edit.location)}


def fix_json(fix: Optional[Fix]) -> Optional[Dict[str, Any]]:
    if fix is None:
        return None
    return {"applicability": fix.applicability.value, "edits": [_edit(e) for e in fix.edits], "message": fix.message}


def diagnostic_json(diagnostic: Diagnostic) -> Dict[str, Any]:
    return {
        "cell": None,
        "code": diagnostic.code,
        "end_location": _location(diagnostic.end_location),
        "filename": os.path.abspath(diagnostic.filename),
        "fix": fix_json(diagnostic.fix),
        "location": _location(diagnostic.location),
        "message": diagnostic.message,
        "noqa_row": diagnostic.noqa_row,
        "url": url(diagnostic.code),
        "chain": [
            {"name": hop.name, "filename": os.path.abspath(hop.filename) if hop.filename else "", "row": hop.row}
            for hop in diagnostic.chain
        ],
    }


def render(result, context) -> None:
    diagnostics = sorted(result.diagnostics, key=lambda d: d.sort_key)
    if context.statistics:
        counts = Counter(d.code for d in diagnostics)
        fixable = Counter(d.code for d in diagnostics if is_fixable(d, context.unsafe_fixes))
        payload: List[Dict[str, Any]] = [
            {"code": code, "name": rule_name(code), "count": count, "fixable": fixable[code] > 0,
             "fixable_count": fixable[code]}
            for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
        ]
    else:
        payload = [diagnostic_json(d) for d in diagnostics]
    # One write, built by pretty_json: json.dumps with an indent is a pure-Python generator chain.
    context.stream.write(pretty_json.dumps(payload, sort_keys=True))
    context.stream.write("\n")
