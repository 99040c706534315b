"""Leave out the definitions no enabled rule needs before libcst reads a file.

libcst's parser and scope metadata cost ~100x the stdlib parser per line (and blank lines are not free
either), so a large module with one suspicious route should not pay for its other thousand functions.
Each rule says which functions it reads (`LintRule.focus`); every other def or class that is a plain
statement of the module or of a class body is dropped whole, decorators included. The kept lines are
unchanged, and `Focus.row` maps their row numbers back, so findings and fix edits land on the original.
Names of dropped definitions still resolve: semantic.py treats an unbound name as a module-level name,
which the project index (built from the whole file) knows.

Findings taken in the rows of the focused text (`to_focused`) are a function of that text and of the
summary records of the code kept in it (`kept_records`): an edit in a definition no rule reads leaves
both, and the findings move with the rows (`to_original`).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field, fields, replace
from typing import FrozenSet, Iterable, List, Optional, Tuple

from fastapi_asynclint.diagnostics import Diagnostic, Edit, Location
from fastapi_asynclint.index.summary import Call, ClassInfo, Function, Span
from fastapi_asynclint.source import physical_lines


@dataclass(frozen=True)
class Focus:
    text: str
    # (first focused row, first original row) of each run of kept lines, ascending.
    runs: Tuple[Tuple[int, int], ...] = ((1, 1),)
    # How many lines the focused text has (0: not counted, the whole text is kept).
    size: int = 0
    # The original rows whose definitions were dropped, each leaving a `pass` in its place.
    placeholders: FrozenSet[int] = frozenset()
    # The first original row of each run, for focused_row.
    _originals: Tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_originals", tuple(original for _, original in self.runs))

    def row(self, focused_row: int) -> int:
        position = bisect_right(self.runs, (focused_row, float("inf"))) - 1
        start, original = self.runs[max(position, 0)]
        return original + focused_row - start

    def focused_row(self, original_row: int) -> Optional[int]:
        """The inverse of `row`: where an original row stands in the focused text; None if it was dropped
        (a dropped definition's first row included: a `pass` stands there instead)."""
        if original_row in self.placeholders:
            return None
        position = bisect_right(self._originals, original_row) - 1
        if position < 0:
            return None
        start, original = self.runs[position]
        focused = start + original_row - original
        following = self.runs[position + 1][0] if position + 1 < len(self.runs) else self.size + 1
        return focused if focused < following or not self.size else None


def _placeholder(line: str) -> str:
    indentation = line[: len(line) - len(line.lstrip(" \t"))]
    ending = "\r\n" if line.endswith("\r\n") else "\n"
    return f"{indentation}pass{ending}"


def _prefixes(qualname: str) -> List[str]:
    parts = qualname.split(".")
    return [".".join(parts[:cut]) for cut in range(1, len(parts))]


def focus(
    text: str, functions: Iterable[Function], classes: Iterable[ClassInfo], keep: FrozenSet[str]
) -> Focus:
    """`text` without the direct defs and classes that are not in `keep` and hold nothing in it."""
    dropped: List[Tuple[int, int]] = []
    definitions: List[Tuple[str, Optional[Span]]] = [(f.qualname, f.span) for f in functions]
    definitions += [(c.qualname, c.span) for c in classes]
    enclosing = {prefix for kept in keep for prefix in _prefixes(kept)}
    for qualname, span in definitions:
        if span is None or not span.direct or qualname in keep or qualname in enclosing:
            continue
        if any(prefix in keep for prefix in _prefixes(qualname)):
            continue  # inside a kept function
        dropped.append((span.start, span.end))
    if not dropped:
        return Focus(text)
    lines = physical_lines(text)
    skip = bytearray(len(lines) + 2)
    for start, end in dropped:
        for row in range(start, min(end, len(lines)) + 1):
            skip[row] = 1
        # Blank lines next to a dropped definition lie between statements, never inside a string.
        row = end + 1
        while row <= len(lines) and not skip[row] and not lines[row - 1].strip():
            skip[row] = 1
            row += 1
        row = start - 1
        while row >= 1 and not skip[row] and not lines[row - 1].strip():
            skip[row] = 1
            row -= 1
    # A dropped definition leaves a `pass` in its place: it may have been the only statement of a block
    # (a class under `if TYPE_CHECKING:`), and an empty block does not parse.
    placeholders = {}
    reach = 0
    for start, end in sorted(dropped, key=lambda span: (span[0], -span[1])):
        if start > reach and start <= len(lines):  # not inside a definition already dropped
            placeholders[start] = _placeholder(lines[start - 1])
        reach = max(reach, end)
    kept: List[str] = []
    runs: List[Tuple[int, int]] = []
    previous_kept = False
    for row, line in enumerate(lines, start=1):
        if row in placeholders:
            runs.append((len(kept) + 1, row))
            kept.append(placeholders[row])
            previous_kept = False
            continue
        if skip[row]:
            previous_kept = False
            continue
        if not previous_kept:
            runs.append((len(kept) + 1, row))
        kept.append(line)
        previous_kept = True
    if not runs:
        runs.append((1, len(lines) + 1))
    return Focus("".join(kept), tuple(runs), len(kept), frozenset(placeholders))


def kept_records(summary, focused: Focus) -> Optional[list]:
    """The summary records of the definitions (and module code) left in the focused text, every row taken
    in the focused text's numbering: with the focused text, what the rules' findings are made of. Spans
    are left out: a kept class's span ends in whatever methods follow, dropped or not, and what the spans
    decide (what is kept) is in the focused text itself. Each record is a tuple of its fields (a key is
    made of their repr, which for tuples costs a fraction of a dataclass's). None when a kept record's rows
    cannot be placed."""

    def row(original: int) -> int:
        found = focused.focused_row(original)
        if found is None:
            raise LookupError(original)
        return found

    def call(record) -> tuple:
        return (row(record.row), *(getattr(record, name) for name in _CALL_FIELDS))

    kept: list = []
    try:
        for function in summary.functions:
            if focused.focused_row(function.row) is None:
                continue
            calls = tuple(call(item) for item in function.calls if focused.focused_row(item.row) is not None)
            decorators = tuple(call(item) for item in function.decorators)
            kept.append((row(function.row), calls, decorators, *(getattr(function, name) for name in _FUNCTION_FIELDS)))
        for klass in summary.classes:
            if focused.focused_row(klass.row) is not None:
                kept.append((row(klass.row), *(getattr(klass, name) for name in _CLASS_FIELDS)))
    except LookupError:
        return None
    return kept


# The fields a kept record is made of besides its row (and a function's calls and decorators).
_CALL_FIELDS = tuple(f.name for f in fields(Call) if f.name not in ("row", "span"))
_FUNCTION_FIELDS = tuple(f.name for f in fields(Function) if f.name not in ("row", "calls", "decorators", "span"))
_CLASS_FIELDS = tuple(f.name for f in fields(ClassInfo) if f.name not in ("row", "span"))


def to_focused(diagnostics: Iterable[Diagnostic], focused: Focus) -> Optional[Tuple[Diagnostic, ...]]:
    """The findings with their rows (and their fixes' rows) in the focused text; None if one lies outside it."""
    try:
        return tuple(_moved(diagnostic, focused.focused_row) for diagnostic in diagnostics)
    except LookupError:
        return None


def to_original(diagnostics: Iterable[Diagnostic], focused: Focus) -> List[Diagnostic]:
    return [_moved(diagnostic, focused.row) for diagnostic in diagnostics]


def _moved(diagnostic: Diagnostic, place) -> Diagnostic:
    def row(value: int) -> int:
        found = place(value)
        if found is None:
            raise LookupError(value)
        return found

    def location(value: Location) -> Location:
        return Location(row(value.row), value.column)

    fix = diagnostic.fix
    if fix is not None:
        edits = tuple(Edit(edit.content, location(edit.location), location(edit.end_location)) for edit in fix.edits)
        fix = replace(fix, edits=edits)
    return replace(
        diagnostic,
        location=location(diagnostic.location),
        end_location=location(diagnostic.end_location),
        fix=fix,
        noqa_row=None if diagnostic.noqa_row is None else row(diagnostic.noqa_row),
    )
