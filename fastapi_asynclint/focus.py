"""Leave out the definitions no enabled rule needs before libcst reads a file.

libcst's parser and scope metadata cost ~100x the stdlib parser per line (and blank lines are not free
either), so a large module with one suspicious route should not pay for its other thousand functions.
Each rule says which functions it reads (`LintRule.focus`); every other def or class that is a plain
statement of the module or of a class body is dropped whole, decorators included. The kept lines are
unchanged, and `Focus.row` maps their row numbers back, so findings and fix edits land on the original.
Names of dropped definitions still resolve: semantic.py treats an unbound name as a module-level name,
which the project index (built from the whole file) knows.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import FrozenSet, Iterable, List, Optional, Tuple

from fastapi_asynclint.index.summary import ClassInfo, Function, Span
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


# What the rules read of a file's text, given its summary and the linked index (which decide it):
# UNWANTED when no rule wanted the file (its findings do not depend on its text at all), else
# ("focus", kept definitions, digest of the focused text and the file's noqa lines). None: the whole text.
FocusRecord = Tuple
UNWANTED: FocusRecord = ("unwanted",)


def focus_record(text: str, focused_text: str, keep: FrozenSet[str]) -> FocusRecord:
    """The record of a file linted with only `keep` of its definitions (focus.py). The noqa lines count
    wherever they stand: noqa filtering reads the whole file (a file-level directive may sit in a dropped
    definition)."""
    digest = hashlib.blake2b(focused_text.encode("utf-8", "surrogatepass"), digest_size=16)
    for line in text.splitlines():
        if "noqa" in line.lower():
            digest.update(b"\0" + line.encode("utf-8", "surrogatepass"))
    return ("focus", tuple(sorted(keep)), digest.hexdigest())


def reads_the_same(record: FocusRecord, text: str, summary) -> bool:
    """Whether the rules would read of `text` what they read when `record` was made, given the same summary
    and linked index (which decide what they want to read)."""
    if record == UNWANTED:
        return True
    keep = frozenset(record[1])
    return focus_record(text, focus(text, summary.functions, summary.classes, keep).text, keep) == record
