"""`json`: a list with one object per finding in ruff's JSON shape (plus `chain` for indirect findings)."""

from __future__ import annotations

import os
from collections import Counter
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional

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


def diagnostic_json(diagnostic: Diagnostic, absolute: Callable[[str], str] = os.path.abspath) -> Dict[str, Any]:
    """`absolute`: how a file name is made absolute (render's remembers each one)."""
    return {
        "cell": None,
        "code": diagnostic.code,
        "end_location": _location(diagnostic.end_location),
        "filename": absolute(diagnostic.filename),
        "fix": fix_json(diagnostic.fix),
        "location": _location(diagnostic.location),
        "message": diagnostic.message,
        "noqa_row": diagnostic.noqa_row,
        "url": url(diagnostic.code),
        "chain": [
            {"name": hop.name, "filename": absolute(hop.filename) if hop.filename else "", "row": hop.row}
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
        # A project's findings name a few hundred files, many times each: each is made absolute once.
        absolute = lru_cache(maxsize=None)(os.path.abspath)
        payload = [diagnostic_json(d, absolute) for d in diagnostics]
    # One write, built by pretty_json: json.dumps with an indent is a pure-Python generator chain.
    context.stream.write(pretty_json.dumps(payload, sort_keys=True))
    context.stream.write("\n")
