"""The reporters' JSON writer must print exactly what `json.dumps(indent=2, ensure_ascii=False)` prints."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastapi_asynclint.output import pretty_json

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
