"""Applying fixes: pick non-overlapping ones, apply their edits, check the result still compiles, repeat.

A fix is a set of text edits against one version of the file (ruff's model). Overlapping fixes are
resolved by re-linting the edited text and applying what is still applicable, for a bounded number of
rounds, so that fixes nested in or next to each other all land and a second run changes nothing.
"""

from __future__ import annotations

import warnings
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, List, Sequence, Set, Tuple

from fastapi_asynclint.diagnostics import Diagnostic, Edit, Fix
from fastapi_asynclint.source import line_starts

MAX_ROUNDS = 10


def _offsets(text: str, edits: Sequence[Edit]) -> List[Tuple[int, int, str]]:
    starts = line_starts(text)

    def offset(row: int, column: int) -> int:
        row = min(max(row, 1), len(starts))
        return min(starts[row - 1] + column - 1, len(text))

    return [
        (offset(e.location.row, e.location.column), offset(e.end_location.row, e.end_location.column), e.content)
        for e in edits
    ]


def apply_edits(text: str, edits: Sequence[Edit]) -> str:
    """Apply non-overlapping edits (all expressed against `text`)."""
    spans = sorted(set(_offsets(text, edits)), key=lambda span: (span[0], span[1]))
    pieces, position = [], 0
    for start, end, content in spans:
        if start < position:
            raise ValueError("overlapping edits")
        pieces.append(text[position:start])
        pieces.append(content)
        position = end
    pieces.append(text[position:])
    return "".join(pieces)


def _conflicts(a: Tuple[int, int, str], b: Tuple[int, int, str]) -> bool:
    if a == b:
        return False  # the same edit wanted by two fixes (typically one added import)
    (start_a, end_a, _), (start_b, end_b, _) = a, b
    if start_a == end_a and start_b == end_b:
        return start_a == start_b  # two different insertions at one point: their order would be a guess
    if start_a == end_a:
        return start_b < start_a < end_b
    if start_b == end_b:
        return start_a < start_b < end_a
    return start_a < end_b and start_b < end_a


def choose_fixes(text: str, candidates: Iterable[Tuple[Diagnostic, Fix]]) -> List[Tuple[Diagnostic, Fix]]:
    """The candidates, in file order, that do not overlap an earlier chosen one."""
    chosen: List[Tuple[Diagnostic, Fix]] = []
    taken: List[Tuple[int, int, str]] = []
    for diagnostic, fix in sorted(candidates, key=lambda pair: pair[0].sort_key):
        spans = _offsets(text, fix.edits)
        if any(_conflicts(span, other) for span in spans for other in taken):
            continue
        chosen.append((diagnostic, fix))
        taken.extend(spans)
    return chosen


def still_valid(before: str, after: str, filename: str) -> bool:
    """The fixed text must compile if the original did (libcst's parse when this Python cannot compile it)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            compile(before, filename, "exec", dont_inherit=True)
        except (SyntaxError, ValueError):
            pass
        else:
            try:
                compile(after, filename, "exec", dont_inherit=True)
                return True
            except (SyntaxError, ValueError):
                return False
    import libcst as cst

    try:
        cst.parse_module(after)
        return True
    except Exception:  # noqa: BLE001 - any parser failure means the fix broke the file
        return False


@dataclass
class FixResult:
    text: str
    applied: Counter = field(default_factory=Counter)
    diagnostics: List[Diagnostic] = field(default_factory=list)
    rejected: int = 0


def fix_text(
    text: str,
    lint: Callable[[str], List[Diagnostic]],
    unsafe_fixes: bool,
    filename: str = "<file>",
    max_rounds: int = MAX_ROUNDS,
) -> FixResult:
    result = FixResult(text)
    diagnostics = lint(text)
    broken: Set[Tuple[str, Tuple[str, ...]]] = set()  # fixes that broke the file, by what they write
    for _ in range(max_rounds):
        candidates = [
            (d, d.fix)
            for d in diagnostics
            if d.fix is not None and d.fix.is_applicable(unsafe_fixes) and _identity(d) not in broken
        ]
        if not candidates:
            break
        chosen = choose_fixes(result.text, candidates)
        candidate = apply_edits(result.text, [edit for _, fix in chosen for edit in fix.edits])
        if not still_valid(result.text, candidate, filename):
            chosen, candidate = _without_broken(result, chosen, filename, broken)
            if not chosen:
                break
        if candidate == result.text:
            break
        result.text = candidate
        result.applied.update(diagnostic.code for diagnostic, _ in chosen)
        diagnostics = lint(result.text)
    result.diagnostics = diagnostics
    return result


def _identity(diagnostic: Diagnostic) -> Tuple[str, Tuple[str, ...]]:
    """What a fix writes, which stays the same while other fixes move it around the file."""
    return diagnostic.code, tuple(edit.content for edit in diagnostic.fix.edits)


def _without_broken(
    result: FixResult, chosen: List[Tuple[Diagnostic, Fix]], filename: str, broken: Set[Tuple[str, Tuple[str, ...]]]
) -> Tuple[List[Tuple[Diagnostic, Fix]], str]:
    """The chosen fixes that are valid on their own, applied together (or the first of them alone when
    together they are not); the others are dropped for good."""
    valid = []
    for pair in chosen:
        if still_valid(result.text, apply_edits(result.text, pair[1].edits), filename):
            valid.append(pair)
        else:
            broken.add(_identity(pair[0]))
            result.rejected += 1
    together = apply_edits(result.text, [edit for _, fix in valid for edit in fix.edits])
    if valid and not still_valid(result.text, together, filename):
        valid = valid[:1]
        together = apply_edits(result.text, list(valid[0][1].edits))
    return valid, together
