"""What a run gives back: one report per checked file, and what the run could not do.

Kept light (no analysis imports): the reporters need these types and nothing else of the runner.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Dict, List, Optional

if TYPE_CHECKING:
    from fastapi_asynclint.diagnostics import Diagnostic
    from fastapi_asynclint.source import SourceText


@dataclass
class FileReport:
    path: str
    diagnostics: List["Diagnostic"] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    applied: Counter = field(default_factory=Counter)
    original: Optional[str] = None
    fixed: Optional[str] = None
    source: Optional[SourceText] = None
    # False when no rule wanted the file (the prefilter), so no libcst analysis ran.
    analysed: bool = True
    # What the cache keeps of the findings (cache.FindingsRecord), when the run keeps them.
    record: Optional[object] = None

    @property
    def changed(self) -> bool:
        return self.fixed is not None and self.fixed != self.original


@dataclass
class CheckResult:
    files: List[FileReport] = field(default_factory=list)
    missing: List[str] = field(default_factory=list)
    # Folders that could not be listed, with why.
    unreadable: List[str] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    # The stat of every path the run's output was made from (cache.Stat, None for a path that was not
    # there): settings files, folders listed, files read.
    probes: Dict[str, Optional[tuple]] = field(default_factory=dict)

    @property
    def diagnostics(self) -> List["Diagnostic"]:
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


def internal_error(path: str, exc: BaseException, report: bool) -> FileReport:
    """A file whose check failed with an unexpected error: the error (so the run exits 2) and, if FAL903
    is enabled, a finding that says so, for the consumers of JSON and SARIF."""
    import traceback

    from fastapi_asynclint.diagnostics import Diagnostic, Location

    where = traceback.extract_tb(exc.__traceback__)[-1] if exc.__traceback__ else None
    at = f" (at {os.path.basename(where.filename)}:{where.lineno})" if where else ""
    message = f"Internal error while checking this file: {type(exc).__name__}: {exc}{at}"
    found = FileReport(path, errors=[f"{path}: {message}"])
    if report:
        start = Location(1, 1)
        found.diagnostics.append(Diagnostic("FAL903", message, path, start, start, noqa_row=None))
    return found


def display_path(path: str) -> str:
    """A path relative to the working directory when below it (as ruff prints them), else absolute."""
    return _display_path(path, os.getcwd())


@lru_cache(maxsize=4096)  # a report names each file once per finding and chain hop
def _display_path(path: str, cwd: str) -> str:
    if path.startswith(cwd.rstrip(os.sep) + os.sep):
        return os.path.relpath(path, cwd)
    return path
