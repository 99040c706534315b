"""Summary records as pickled between processes and into the cache (index/summary.py `_record`)."""

import dataclasses
import pickle

import pytest

from fastapi_asynclint.index.summary import Call, Function, Param, Span


def _call(row: int) -> Call:
    # Built from fresh strings, as two files' summaries would be.
    return Call(
        "".join(["fastapi", ".Depends"]),
        None,
        row,
        4,
        args=("".join(["se", "lf"]), None),
        keywords=("".join(["time", "out"]),),
        passes=(("0", "".join(["oth", "er"]), ""),),
    )


def test_a_record_round_trips_equal_and_stays_frozen():
    function = Function("f", 1, True, None, (_call(2),), (), (Param("db", None, "x()"),), True, False, None, Span(1, 3, True), ())
    loaded = pickle.loads(pickle.dumps(function, protocol=pickle.HIGHEST_PROTOCOL))
    assert loaded == function and type(loaded.calls[0]) is Call
    with pytest.raises(dataclasses.FrozenInstanceError):
        loaded.calls[0].row = 9  # type: ignore[misc]


def test_equal_names_and_tuples_unpickle_as_one_object():
    first, second = pickle.loads(pickle.dumps([_call(1), _call(2)], protocol=pickle.HIGHEST_PROTOCOL))
    assert first.target is second.target
    assert first.args is second.args and first.keywords is second.keywords
    assert first.passes is second.passes
    assert (first.row, second.row) == (1, 2)


def test_empty_and_none_fields_pickle_as_they_are():
    call = Call(None, "get", 1, 0)
    loaded = pickle.loads(pickle.dumps(call, protocol=pickle.HIGHEST_PROTOCOL))
    assert loaded == call and loaded.target is None and loaded.args == ()
