"""Summary records as pickled between processes and into the cache (index/summary.py `_record`)."""

import dataclasses
import pickle

import pytest

from fastapi_asynclint.index.build import PLACE_FIELDS, function_shape, shape_facts
from fastapi_asynclint.index.summary import Call, ClassInfo, Function, ModuleSummary, Param, Span


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


class _Reads:
    """Stands for a record and notes which of its fields are read."""

    def __init__(self, kind, read):
        self._kind, self._read = kind, read

    def __getattr__(self, name):
        self._read.setdefault(self._kind, set()).add(name)
        if name in ("calls", "decorators"):
            return (_Reads(Call, self._read),)
        if name == "functions":
            return (_Reads(Function, self._read),)
        if name == "classes":
            return (_Reads(ClassInfo, self._read),)
        return ()


@pytest.mark.parametrize("digest", ["shape_facts", "function_shape"])
def test_a_shape_digest_reads_every_field_but_where_a_record_stands(digest):
    """FileSummary.shape and function_shape decide when kept model parts are taken over: a field
    they leave out would let a stale part stand. Only the place fields (rows, columns, spans) may be left out."""
    read: dict = {}
    if digest == "shape_facts":
        shape_facts(_Reads(ModuleSummary, read))
        kinds = (ModuleSummary, Function, ClassInfo, Call)
    else:
        function_shape(_Reads(Function, read))
        kinds = (Function, Call)
    for kind in kinds:
        expected = {field.name for field in dataclasses.fields(kind)} - PLACE_FIELDS
        assert read[kind] == expected, kind.__name__
