"""What a run gives back: one report per checked file, and what the run could not do.

Kept light (no analysis imports) because the reporters and a run answered from its record (rerun.py)
need these types and nothing else of the runner.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Dict, List, Optional, Tuple

from fastapi_asynclint.diagnostics import Diagnostic

if TYPE_CHECKING:
    from fastapi_asynclint.source import SourceText


@dataclass
class FileReport:
    path: str
    diagnostics: List[Diagnostic] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    applied: Counter = field(default_factory=Counter)
    original: Optional[str] = None
    fixed: Optional[str] = None
    source: Optional[SourceText] = None
    # False when no rule wanted the file (the prefilter), so no libcst analysis ran.
    analysed: bool = True
    # What the rules read of the file (focus.FocusRecord), when known.
    focus: Optional[tuple] = None
    # Findings to keep for reuse (reuse.py): (key, findings in the rows of the focused text, depends).
    memo: Optional[tuple] = None
    # What the findings read of the index beyond the file's fingerprint (reuse.Depends), if anything.
    depends: Optional[tuple] = None

    @property
    def changed(self) -> bool:
        return self.fixed is not None and self.fixed != self.original


@dataclass(frozen=True)
class RunInputs:
    """What a cacheable run read to decide which files to check, for its record (rerun.py): every folder
    it listed or searched up through, the project's files, the files it checked among them and the
    `.gitignore` files it read."""

    folders: Tuple[str, ...]
    project_files: Tuple[str, ...]
    targets: Tuple[str, ...] = ()
    ignore_files: Tuple[str, ...] = ()
    # Each project file's (mtime_ns, size) as the run took them, if it did.
    stats: Optional[Dict[str, Tuple[int, int]]] = None


@dataclass
class CheckResult:
    files: List[FileReport] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    inputs: Optional[RunInputs] = None

    @property
    def diagnostics(self) -> List[Diagnostic]:
        return [d for report in self.files for d in report.diagnostics]

    @property
    def applied(self) -> Counter:
        total: Counter = Counter()
        for report in self.files:
            total.update(report.applied)
        return total

    def diff(self) -> str:
        import difflib

        chunks = []
        for report in self.files:
            if report.changed:
                chunks.extend(
                    difflib.unified_diff(
                        (report.original or "").splitlines(keepends=True),
                        (report.fixed or "").splitlines(keepends=True),
                        fromfile=f"a/{display_path(report.path)}",
                        tofile=f"b/{display_path(report.path)}",
                    )
                )
        return "".join(chunks)


def display_path(path: str) -> str:
    """A path relative to the working directory when below it (as ruff prints them), else absolute."""
    return _display_path(path, os.getcwd())


@lru_cache(maxsize=4096)  # a report names each file once per finding and chain hop
def _display_path(path: str, cwd: str) -> str:
    if path.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(path, cwd)
    return path
