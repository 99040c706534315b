"""`json`: a list with one object per finding in ruff's JSON shape, plus `chain` (an indirect finding's call
chain), `reach` (where the code runs: request, background, startup, unserved) and `root` (the blocking
root a finding shares with others, or null).

Written directly as json.dumps(indent=2, sort_keys=True, ensure_ascii=False) would print the findings as
dicts (tests/test_pretty_json.py builds those dicts and holds the two to the same text)."""

from __future__ import annotations

import os
from collections import Counter
from functools import lru_cache
from typing import Any, Callable, Dict, List, Optional

from fastapi_asynclint.diagnostics import Diagnostic, Edit, Fix, Location
from fastapi_asynclint.output import pretty_json
from fastapi_asynclint.output.pretty_json import encode_basestring
from fastapi_asynclint.output.common import is_fixable, rule_name, url


def _text(value: Optional[str]) -> str:
    return "null" if value is None else encode_basestring(value)


def _location_text(location: Location, indent: str) -> str:
    return f'{{\n{indent}  "column": {int.__repr__(location.column)},\n{indent}  "row": {int.__repr__(location.row)}\n{indent}}}'


def _edit_text(edit: Edit) -> str:
    return (
        f'        {{\n          "content": {_text(edit.content)},\n'
        f'          "end_location": {_location_text(edit.end_location, "          ")},\n'
        f'          "location": {_location_text(edit.location, "          ")}\n        }}'
    )


def _fix_text(fix: Fix) -> str:
    edits = "[\n" + ",\n".join(map(_edit_text, fix.edits)) + "\n      ]" if fix.edits else "[]"
    return (
        f'{{\n      "applicability": {_text(fix.applicability.value)},\n      "edits": {edits},\n'
        f'      "message": {_text(fix.message)}\n    }}'
    )


def _chain_text(diagnostic: Diagnostic, absolute: Callable[[str], str]) -> str:
    if not diagnostic.chain:
        return "[]"
    hops = ",\n".join(
        f'      {{\n        "filename": {_text(absolute(hop.filename) if hop.filename else "")},\n'
        f'        "name": {_text(hop.name)},\n        "row": {int.__repr__(hop.row)}\n      }}'
        for hop in diagnostic.chain
    )
    return f"[\n{hops}\n    ]"


def diagnostic_text(diagnostic: Diagnostic, absolute: Callable[[str], str] = os.path.abspath) -> str:
    """One finding as an item of the report's list (indented one level), written directly: building dicts
    and walking them with pretty_json was most of the time a run after an edit spent on its output (1,000
    findings). `absolute`: how a file name is made absolute (render's remembers each one)."""
    noqa_row = diagnostic.noqa_row
    return (
        f'  {{\n    "cell": null,\n    "chain": {_chain_text(diagnostic, absolute)},\n'
        f'    "code": {_text(diagnostic.code)},\n'
        f'    "end_location": {_location_text(diagnostic.end_location, "    ")},\n'
        f'    "filename": {_text(absolute(diagnostic.filename))},\n'
        f'    "fix": {"null" if diagnostic.fix is None else _fix_text(diagnostic.fix)},\n'
        f'    "location": {_location_text(diagnostic.location, "    ")},\n'
        f'    "message": {_text(diagnostic.message)},\n'
        f'    "noqa_row": {"null" if noqa_row is None else int.__repr__(noqa_row)},\n'
        f'    "reach": {_text(diagnostic.reach or None)},\n'
        f'    "root": {_text(diagnostic.root or None)},\n'
        f'    "url": {_text(url(diagnostic.code))}\n  }}'
    )


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
        # One write, built by pretty_json: json.dumps with an indent is a pure-Python generator chain.
        context.stream.write(pretty_json.dumps(payload, sort_keys=True) + "\n")
        return
    # A project's findings name a few hundred files, many times each: each is made absolute once.
    absolute = lru_cache(maxsize=None)(os.path.abspath)
    items = [diagnostic_text(d, absolute) for d in diagnostics]
    context.stream.write("[\n" + ",\n".join(items) + "\n]\n" if items else "[]\n")
