"""The reporters' JSON writers must print exactly what `json.dumps(indent=2, ensure_ascii=False)` prints."""

import io
import json
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastapi_asynclint.diagnostics import Applicability, Diagnostic, Edit, Fix, Hop, Location
from fastapi_asynclint.output import RenderContext, json_format, pretty_json
from fastapi_asynclint.output.common import url
from fastapi_asynclint.results import CheckResult, FileReport

leaves = st.none() | st.booleans() | st.integers() | st.text()
documents = st.recursive(
    leaves,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4),
    max_leaves=30,
)


@settings(derandomize=True, max_examples=300)
@given(documents, st.booleans())
def test_same_text_as_the_standard_library(document, sort_keys):
    assert pretty_json.dumps(document, sort_keys) == json.dumps(document, indent=2, sort_keys=sort_keys, ensure_ascii=False)


def test_escapes_and_non_ascii_text():
    document = {"b": ['quote " backslash \\ tab \t', "é ✓ \u2028 \x00"], "a": [{}, [], (1, -2)], "c": {"z": None, "y": True}}
    assert pretty_json.dumps(document, True) == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False)


@pytest.mark.parametrize("value", [1.5, {1: "x"}, object()])
def test_unsupported_values_are_refused_not_misprinted(value):
    with pytest.raises(TypeError):
        pretty_json.dumps(value)


locations = st.builds(Location, st.integers(0, 10**6), st.integers(0, 10**4))
edits = st.builds(Edit, st.text(), locations, locations)
fixes = st.builds(Fix, st.sampled_from(list(Applicability)), st.text(), st.lists(edits, max_size=3).map(tuple))
hops = st.builds(Hop, st.text(), st.text() | st.just(""), st.integers(0, 10**6))
diagnostics = st.builds(
    Diagnostic,
    code=st.sampled_from(["FAL101", "FAL201", "FAL900", "X1"]),
    message=st.text(),
    filename=st.sampled_from(["app/main.py", "/abs/é path/x.py", "q\"uote.py"]),
    location=locations,
    end_location=locations,
    fix=st.none() | fixes,
    chain=st.lists(hops, max_size=3).map(tuple),
    noqa_row=st.none() | st.integers(1, 10**6),
    reach=st.sampled_from(["", "request", "unserved"]),
    root=st.sampled_from(["", "app/x.py:load -> time.sleep", "q\"é.py:f -> g"]),
)


def _location_json(location: Location) -> dict:
    return {"column": location.column, "row": location.row}


def _diagnostic_json(diagnostic: Diagnostic) -> dict:
    """A finding in the report's shape (DESIGN.md), as a dict."""
    fix = diagnostic.fix
    return {
        "cell": None,
        "code": diagnostic.code,
        "end_location": _location_json(diagnostic.end_location),
        "filename": os.path.abspath(diagnostic.filename),
        "fix": None if fix is None else {
            "applicability": fix.applicability.value,
            "edits": [
                {"content": e.content, "end_location": _location_json(e.end_location), "location": _location_json(e.location)}
                for e in fix.edits
            ],
            "message": fix.message,
        },
        "location": _location_json(diagnostic.location),
        "message": diagnostic.message,
        "noqa_row": diagnostic.noqa_row,
        "reach": diagnostic.reach or None,
        "root": diagnostic.root or None,
        "url": url(diagnostic.code),
        "chain": [
            {"name": hop.name, "filename": os.path.abspath(hop.filename) if hop.filename else "", "row": hop.row}
            for hop in diagnostic.chain
        ],
    }


@settings(derandomize=True, max_examples=300)
@given(st.lists(diagnostics, max_size=4))
def test_the_json_report_is_the_standard_librarys_text_of_its_records(found):
    """json_format writes each finding directly; it must print what json.dumps prints of it as a dict."""
    stream = io.StringIO()
    json_format.render(CheckResult(files=[FileReport("x.py", diagnostics=found)]), RenderContext(format="json", stream=stream))
    ordered = sorted(found, key=lambda d: d.sort_key)
    expected = json.dumps([_diagnostic_json(d) for d in ordered], indent=2, sort_keys=True, ensure_ascii=False)
    assert stream.getvalue() == expected + "\n"
