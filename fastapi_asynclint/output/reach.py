"""What the human formats say of where findings run (reach) and what they share (their blocking root)."""

from __future__ import annotations

from collections import Counter
from typing import List, Optional, Sequence, Tuple

from fastapi_asynclint.diagnostics import Diagnostic

# How the summary names each reach, in the order it lists them.
REACH_PHRASES = (
    ("request", "on request paths"),
    ("background", "in background tasks"),
    ("startup", "at startup"),
    ("unserved", "not reached from an app"),
)
REACH_NOTES = {
    "request": "a route, dependency or middleware runs it on every request it serves",
    "background": "it runs in work a request hands off (a background task, a thread, a task queue)",
    "startup": "it runs once, at startup (lifespan, startup handlers, module code)",
    "unserved": "no route, dependency, middleware, lifespan or task of an app reaches it (a script, a test, a tool)",
}


def reach_breakdown(diagnostics: Sequence[Diagnostic]) -> str:
    """`31 on request paths, 4 in background tasks, 20 not reached from an app` ("" when no finding has a reach)."""
    counts = Counter(d.reach for d in diagnostics if d.reach)
    return ", ".join(f"{counts[reach]} {phrase}" for reach, phrase in REACH_PHRASES if counts[reach])


def top_roots(diagnostics: Sequence[Diagnostic], limit: int = 10) -> List[Tuple[str, int]]:
    """The blocking roots most findings share, with their counts, largest first (shared roots only)."""
    counts = Counter(d.root for d in diagnostics if d.root)
    return [(root, count) for root, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])) if count > 1][:limit]


def root_label(root: str, diagnostics: Sequence[Diagnostic]) -> str:
    """`hash_password (app/security.py:12) -> hashlib.pbkdf2_hmac`: a root with the row its function's call
    stands at, read from one of its findings."""
    where, _, end = root.partition(" -> ")
    path, _, name = where.rpartition(":")
    row = _row_of(root, diagnostics)
    return f"{name} ({path}{f':{row}' if row else ''}) -> {end}"


def _row_of(root: str, diagnostics: Sequence[Diagnostic]) -> Optional[int]:
    for diagnostic in diagnostics:
        if diagnostic.root == root:
            return diagnostic.chain[-2].row if len(diagnostic.chain) >= 2 else diagnostic.location.row
    return None
