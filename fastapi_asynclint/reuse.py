"""Findings kept in the rows of the focused text, so that an edit the rules cannot see is not linted again.

What libcst and the rules produce for a file (before noqa filtering) is a function of the focused text
(focus.py), of which rules wanted the file and which definitions they kept, of the file's path, module
and enabled codes, of the settings, of what the linked index tells about the kept code (its fingerprint,
ProjectIndex.file_fingerprint) and of the summary records of the kept code. Taken relative to the
focused text, none of these changes when the edit lies in a definition no rule reads, even when it moves
every row below it: the findings are then those stored, moved with the focused text's runs, and noqa is
applied to the new text. What the findings read of the index beyond the fingerprint (a chain's rows in
another file, a context variable's chain) is recorded with them and checked again (`holds`).
"""

from __future__ import annotations

import hashlib
from dataclasses import replace
from typing import FrozenSet, Iterable, List, NamedTuple, Optional, Sequence, Tuple

from fastapi_asynclint.diagnostics import Diagnostic, Edit, Location
from fastapi_asynclint.focus import Focus

# (lookups, what they answered, the files whose facts they read rows from, ProjectIndex.lookup_token):
# see FileContext.lookups and ProjectIndex.answers
Depends = Tuple[FrozenSet[Tuple[str, object]], str, Tuple[Tuple[str, str], ...], str]
# (key, findings in focused rows, what they depend on beyond the key)
Stored = Tuple[str, Tuple[Diagnostic, ...], Optional[Depends]]


class Memo(NamedTuple):
    """Asks a lint to reuse the findings last stored for the file (key, findings in focused rows), if they
    are for the same key, and to give back what to store for next time."""

    stored: Optional[Stored] = None


def depends_on(index, lookups) -> Optional[Depends]:
    """What findings that made these lookups (beyond the file's fingerprint) depend on; None for none."""
    if not lookups:
        return None
    return (frozenset(lookups), *index.answers(lookups))


def holds(index, depends: Optional[Depends]) -> bool:
    """Whether findings that made these index lookups beyond the file's fingerprint still stand: the files
    their answers take rows from, the files modules are and the context vars' model they read are
    unchanged, or asked again they answer the same. (Whether the link state is the same, every way of reusing findings checks for itself.)"""
    if depends is None:
        return True
    lookups, answers, watched, token = depends
    if all(index.facts.get(path, "") == facts for path, facts in watched) and index.lookup_token(lookups) == token:
        return True
    return index.answers(lookups)[0] == answers


def memo_key(
    path: str,
    module: str,
    is_package: bool,
    focused: Focus,
    keep: Iterable[str],
    codes: Sequence[str],
    enabled: Iterable[str],
    settings: str,
    fingerprint: str,
    summary,
) -> Optional[str]:
    """The digest of everything the findings are made of (see the module docstring), or None when a kept
    record's rows cannot be placed in the focused text."""
    records = _kept_records(summary, focused)
    if records is None:
        return None
    digest = hashlib.blake2b(digest_size=16)
    identity = (path, module, is_package, sorted(keep), sorted(codes), sorted(enabled), settings, fingerprint)
    digest.update(repr(identity).encode("utf-8", "surrogatepass"))
    digest.update(repr(records).encode("utf-8", "surrogatepass"))
    digest.update(focused.text.encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _kept_records(summary, focused: Focus) -> Optional[list]:
    """The summary records of the definitions (and module code) left in the focused text, every row taken
    in the focused text's numbering. Spans are left out: a kept class's span ends in whatever methods
    follow, dropped or not, and what the spans decide (what is kept) is in the focused text itself."""

    def row(original: int) -> int:
        found = focused.focused_row(original)
        if found is None:
            raise LookupError(original)
        return found

    def call(record):
        return replace(record, row=row(record.row))

    kept: list = []
    try:
        for function in summary.functions:
            if focused.focused_row(function.row) is None:
                continue
            calls = tuple(call(item) for item in function.calls if focused.focused_row(item.row) is not None)
            decorators = tuple(call(item) for item in function.decorators)
            kept.append(replace(function, row=row(function.row), calls=calls, decorators=decorators, span=None))
        for klass in summary.classes:
            if focused.focused_row(klass.row) is not None:
                kept.append(replace(klass, row=row(klass.row), span=None))
    except LookupError:
        return None
    return kept


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
