"""A long-lived project for the language server: the index is kept, unsaved buffers override files on
disk, and a change to one file re-summarises that file only and says which other files' findings may
change.

The CLI runs `runner.run_check` per invocation; the server keeps one `Workspace` per project and asks it
to lint the text of a buffer, which goes through exactly the same engine and configuration.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Dict, Optional, Set

from fastapi_asynclint.engine import LintOutcome, lint_text
from fastapi_asynclint.index.build import FileSummary, summarize_bytes
from fastapi_asynclint.index.modules import ModuleMap
from fastapi_asynclint.index.project import ProjectIndex
from fastapi_asynclint.discovery import discover
from fastapi_asynclint.runner import link_files
from fastapi_asynclint.settings import Settings, enabled_for


class Workspace:
    def __init__(self, settings: Settings, cache=None) -> None:
        self.settings = settings
        self.cache = cache
        self._lock = threading.RLock()
        self._overrides: Dict[str, bytes] = {}
        self._names: Optional[ModuleMap] = None
        self._summaries: Dict[str, FileSummary] = {}
        self._index: Optional[ProjectIndex] = None

    # ------------------------------------------------------------------ index
    def index(self) -> ProjectIndex:
        with self._lock:
            if self._index is None:
                files = set(self._overrides)
                if self.settings.root_found:
                    files.update(discover([str(self.settings.root)], self.settings.root, self.settings.exclude).names)
                project, linked = link_files(sorted(files), self.settings, self.cache, self._overrides)
                self._names, self._index, self._summaries = project.names, linked.index, linked.summaries
                if self.cache is not None:
                    self.cache.save()
            return self._index

    def _name(self, path: str):
        self.index()
        assert self._names is not None
        return self._names.name(path)

    def _refresh(self, path: str) -> Set[str]:
        """Re-read one file into the index; the files whose findings may change as a result."""
        index = self.index()
        if path not in set(self._names.paths()) and Path(path).exists():  # type: ignore[union-attr]
            self._index = None  # a new file: module names are made again with it
            return {path, *self._summaries}
        before = self._summaries.get(path)
        after = self._resummarize(path)
        if after is None:
            self._summaries.pop(path, None)
        else:
            self._summaries[path] = after
        if before is not None and after is not None and before.facts.code_digest == after.facts.code_digest:
            return {path}
        self._index = index.updated(path, after.summary if after else None)
        if before is not None and after is not None and before.summary == after.summary:
            return {path}
        return {path} | self._importers({s.summary.module for s in (before, after) if s is not None and s.summary is not None})

    def _resummarize(self, path: str) -> Optional[FileSummary]:
        raw = self._overrides.get(path)
        if raw is None:
            try:
                raw = Path(path).read_bytes()
            except OSError:
                return None
        return summarize_bytes(raw, self._name(path))

    def _importers(self, changed: Set[str]) -> Set[str]:
        """Every file that imports one of these modules, directly or not."""
        affected: Set[str] = set()
        frontier = set(changed)
        while frontier:
            reached = set()
            for other, summary in self._summaries.items():
                if other in affected or summary.summary is None:
                    continue
                if any(name == module or name.startswith(module + ".") for name in summary.summary.imports for module in frontier):
                    affected.add(other)
                    reached.add(summary.summary.module)
            frontier = reached - changed
            changed |= reached
        return affected

    def set_text(self, path: str, text: Optional[str]) -> Set[str]:
        """An editor buffer's text (None: closed, use the disk). Returns the files whose findings may change."""
        with self._lock:
            if text is None:
                self._overrides.pop(path, None)
            else:
                self._overrides[path] = text.encode("utf-8")
            return self._refresh(path)

    def file_changed(self, path: str) -> Set[str]:
        """A file changed on disk (saved, created, deleted)."""
        with self._lock:
            return self._refresh(path)

    # ------------------------------------------------------------------ linting
    def lint(self, path: str, text: str) -> LintOutcome:
        """Findings for a buffer: the same engine, configuration and codes as the CLI."""
        with self._lock:
            if self._overrides.get(path) != text.encode("utf-8"):
                self._overrides[path] = text.encode("utf-8")
                self._refresh(path)
            index = self.index()
            name = self._name(path)
            file_summary = self._summaries.get(path) or summarize_bytes(text.encode("utf-8"), name)
            return lint_text(path, text, file_summary, name, index, self.settings, enabled_for(self.settings, path))

    def lint_candidate(self, path: str, text: str) -> LintOutcome:
        """Findings for a text the buffer might become (a fix being tried): the index sees it in place of
        the buffer for this one lint, and nothing is stored."""
        with self._lock:
            index = self.index()
            name = self._name(path)
            candidate = summarize_bytes(text.encode("utf-8"), name)
            linked = index.updated(path, candidate.summary)
            return lint_text(path, text, candidate, name, linked, self.settings, enabled_for(self.settings, path))
