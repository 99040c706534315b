"""The persistent cache: index summaries per file content and findings per (content, settings, index facts).

Like ruff's, it lives in `.fastapi_asynclint_cache/` at the project root (with a `.gitignore` of `*`), is keyed
by the tool version, and is written atomically (temporary file + rename), so concurrent runs never read a
torn file: the last writer wins and the others' work is simply redone next time. A file whose size and
mtime are unchanged is not even read; one that changed is read and hashed, and a summary of identical
content is reused.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

from fastapi_asynclint import __version__
from fastapi_asynclint.diagnostics import Diagnostic

if TYPE_CHECKING:
    from fastapi_asynclint.index.build import FileSummary

_FORMAT = 12
_MAX_RESULTS = 200_000
_MAX_SNAPSHOTS = 8


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Unpickling a large project's summaries creates hundreds of thousands of objects, none of them
    garbage: left on, the cycle collector runs over them again and again (2.5x the load time)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Cache:
    def __init__(self, directory: Path, root: Path) -> None:
        scope = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
        self.directory = directory
        self.file = directory / f"{__version__}-py{sys.version_info[0]}{sys.version_info[1]}" / f"{scope}.pickle"
        # path -> (mtime_ns, size, module, is_package, FileSummary)
        self._summaries: Dict[str, Tuple[int, int, str, bool, FileSummary]] = {}
        # path -> (result key, diagnostics, own key, project facts): see result() and fresh_result()
        self._results: Dict[str, Tuple[str, Tuple[Diagnostic, ...], str, str]] = {}
        self._by_digest: Dict[Tuple[str, str, bool], FileSummary] = {}
        self._dirty = False
        self._loaded = False
        # Whole runs, small and read first: a run whose inputs are all unchanged needs nothing else.
        self.snapshot_file = self.file.with_suffix(".runs.pickle")
        # project state -> {path: (enabled codes, findings)}; one-file runs add to a full run's entry.
        self._snapshots: Optional[Dict[str, Dict[str, Tuple[str, Tuple[Diagnostic, ...]]]]] = None
        self._snapshots_dirty = False

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        try:
            with open(self.file, "rb") as handle, _collector_paused():
                data = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
            return
        if not isinstance(data, dict) or data.get("format") != _FORMAT:
            return
        self._summaries = data.get("summaries", {})
        self._results = data.get("results", {})
        for _, _, module, is_package, summary in self._summaries.values():
            self._by_digest[(summary.digest, module, is_package)] = summary

    # ------------------------------------------------------------------ summaries
    def summary(self, path: str, module: str, is_package: bool) -> Optional[FileSummary]:
        self._load()
        entry = self._summaries.get(path)
        try:
            stat = os.stat(path)
        except OSError:
            return None
        if entry is not None and entry[:4] == (stat.st_mtime_ns, stat.st_size, module, is_package):
            return entry[4]
        if not self._by_digest:
            return None
        from fastapi_asynclint.index.build import content_digest

        try:
            with open(path, "rb") as handle:
                digest = content_digest(handle.read())
        except OSError:
            return None
        found = self._by_digest.get((digest, module, is_package))
        if found is not None:
            self.put_summary(path, module, is_package, (stat.st_mtime_ns, stat.st_size), found)
        return found

    def put_summary(self, path: str, module: str, is_package: bool, stat: Tuple[int, int], summary: FileSummary) -> None:
        self._load()
        self._summaries[path] = (stat[0], stat[1], module, is_package, summary)
        self._by_digest[(summary.digest, module, is_package)] = summary
        self._dirty = True

    # ------------------------------------------------------------------ results
    @staticmethod
    def result_key(digest: str, settings: str, index_facts: str, enabled: FrozenSet[str]) -> str:
        text = "|".join((digest, settings, index_facts, ",".join(sorted(enabled))))
        return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()

    def result(self, path: str, key: str) -> Optional[Tuple[Diagnostic, ...]]:
        """The stored findings if `key` (content, settings, index facts the file depends on) matches."""
        self._load()
        entry = self._results.get(path)
        return entry[1] if entry is not None and entry[0] == key else None

    def fresh_result(self, path: str, own_key: str, project: str) -> Optional[Tuple[Diagnostic, ...]]:
        """The stored findings if the file's own key (content, settings, codes) matches and the whole
        project's index facts are those they were computed or last confirmed with."""
        self._load()
        entry = self._results.get(path)
        return entry[1] if entry is not None and entry[2:] == (own_key, project) else None

    def put_result(
        self, path: str, key: str, diagnostics: Sequence[Diagnostic], own_key: str = "", project: str = ""
    ) -> None:
        self._load()
        entry = (key, tuple(diagnostics), own_key, project)
        if self._results.get(path) != entry:
            self._results[path] = entry
            self._dirty = True

    # ------------------------------------------------------------------ whole runs
    def _load_snapshots(self) -> Dict[str, Dict[str, Tuple[str, Tuple[Diagnostic, ...]]]]:
        if self._snapshots is None:
            self._snapshots = {}
            try:
                with open(self.snapshot_file, "rb") as handle, _collector_paused():
                    data = pickle.load(handle)
                if isinstance(data, dict) and data.get("format") == _FORMAT:
                    self._snapshots = data["runs"]
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError, KeyError):
                pass
        return self._snapshots

    def snapshot(self, key: str) -> Optional[Dict[str, Tuple[str, Tuple[Diagnostic, ...]]]]:
        return self._load_snapshots().get(key)

    def put_snapshot(self, key: str, findings: Dict[str, Tuple[str, Tuple[Diagnostic, ...]]]) -> None:
        runs = self._load_snapshots()
        merged = runs.pop(key, {})
        merged.update(findings)
        runs[key] = merged
        while len(runs) > _MAX_SNAPSHOTS:  # the oldest go first: a full run and a few one-file runs fit
            runs.pop(next(iter(runs)))
        self._snapshots_dirty = True

    # ------------------------------------------------------------------ persistence
    def save(self) -> None:
        if self._snapshots_dirty:
            self._write(self.snapshot_file, {"format": _FORMAT, "runs": self._snapshots})
            self._snapshots_dirty = False
        if not self._dirty:
            return
        live = {path for path in self._summaries if os.path.exists(path)}
        data = {
            "format": _FORMAT,
            "summaries": {path: entry for path, entry in self._summaries.items() if path in live},
            "results": dict(list(self._results.items())[-_MAX_RESULTS:]),
        }
        self._write(self.file, data)
        self._dirty = False

    def _write(self, file: Path, data: dict) -> None:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.directory / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# Automatically created by fastapi-asynclint.\n*\n")
            from fastapi_asynclint.writer import write_atomic  # tempfile: only a run that writes imports it

            with _collector_paused():
                payload = pickle.dumps(data, protocol=pickle.HIGHEST_PROTOCOL)
            write_atomic(file, payload)
        except OSError:
            pass  # a read-only checkout still lints, it just does not cache
