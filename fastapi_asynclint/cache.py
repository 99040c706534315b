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

_FORMAT = 26
_MAX_RESULTS = 200_000
_MAX_SNAPSHOTS = 8
# The journal is folded into the main file once it holds more than this many entries or 1/20 of them.
_JOURNAL_MIN = 64


@contextmanager
def _collector_paused(freeze: bool = False) -> Iterator[None]:
    """Unpickling a large project's summaries creates hundreds of thousands of objects, none of them
    garbage: left on, the cycle collector runs over them again and again (2.5x the load time). With
    `freeze` they are then moved out of its reach too, or the first collections after the load still walk
    them all (75 ms of a changed-file run on prefect). Frozen objects are still freed by reference
    counting; the records hold no cycles."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if enabled:
            gc.enable()


# A cache file: this tag, the lengths of the main pickle and of the buffer table (8 bytes each, little-endian),
# the main pickle, the table (the buffers' lengths, pickled) and the buffers. The buffers are the values
# pickled on their own (each file's summary, each module's parts): kept out of the main pickle (protocol 5
# out-of-band buffers), they are read back as views of the file, mapped, instead of copied twice over
# (the file read, then each value made): 34 of litellm's 37 MB of summaries cost 25 ms that way.
_TAG = b"FALC"


def _reduce_view(view: memoryview):
    return memoryview, (pickle.PickleBuffer(view),)


def _dumps(data: dict) -> bytes:
    """Pickle a cache file. Each file's summary is pickled on its own (FileSummary.packed), so that loading
    the cache unpickles none of them until a run reads one; it and every memoryview in `data` are written
    as out-of-band buffers (see _TAG), and come back as memoryviews."""
    import copyreg
    import io

    buffer = io.BytesIO()
    buffers: List[pickle.PickleBuffer] = []
    pickler = pickle.Pickler(buffer, protocol=5, buffer_callback=buffers.append)
    dispatch = {**copyreg.dispatch_table, memoryview: _reduce_view}
    build = sys.modules.get("fastapi_asynclint.index.build")
    if build is not None:  # (no summary can be in the data otherwise)
        dispatch[build.FileSummary] = _reduce_summary
    pickler.dispatch_table = dispatch
    pickler.dump(data)
    main = buffer.getvalue()
    raws = [view.raw() for view in buffers]
    table = pickle.dumps([len(raw) for raw in raws], protocol=pickle.HIGHEST_PROTOCOL)
    return b"".join((_TAG, len(main).to_bytes(8, "little"), len(table).to_bytes(8, "little"), main, table, *raws))


def _reduce_summary(summary):
    digest, stored, *rest = summary.packed()
    return type(summary).stored, (digest, None if stored is None else pickle.PickleBuffer(stored), *rest)


def _loads(file: Path, mapped: bool = True) -> object:
    """Unpickle a cache file written by _dumps; the buffers are views of the file mapped into memory, or
    of the file read whole if not `mapped` or on Windows (where a mapped file cannot be replaced by
    another run's write)."""
    with open(file, "rb") as handle:
        if not mapped or os.name == "nt":
            return _unframe(memoryview(handle.read()))
        import mmap

        return _unframe(memoryview(mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)))


def read_back(value: dict) -> object:
    """What a cache file of `value` gives a later run (tests stand for a write and a read with it)."""
    return _unframe(memoryview(_dumps(value)))


def _unframe(view: memoryview) -> object:
    if view[:4] != _TAG:
        raise ValueError("not a cache file")
    main_length = int.from_bytes(view[4:12], "little")
    table_length = int.from_bytes(view[12:20], "little")
    start = 20 + main_length
    lengths = pickle.loads(view[start : start + table_length])
    at = start + table_length
    buffers = []
    for length in lengths:
        buffers.append(view[at : at + length])
        at += length
    if at != len(view):
        raise ValueError("a torn cache file")
    return pickle.loads(view[20:start], buffers=buffers)


def _pickled(value: object) -> bytes:
    return value if type(value) is bytes else pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)  # type: ignore[return-value]


class _Packed:
    """A value pickled once, however many cache files hold it; it unpickles as the value itself."""

    __slots__ = ("value", "_pickled")

    def __init__(self, value: object) -> None:
        self.value = value
        self._pickled: Optional[bytes] = None

    def pickled(self) -> bytes:
        if self._pickled is None:
            with _collector_paused():
                self._pickled = pickle.dumps(self.value, protocol=pickle.HIGHEST_PROTOCOL)
        return self._pickled

    def __reduce__(self):
        return pickle.loads, (self.pickled(),)


class _Packer:
    """One _Packed per value (by identity) for one save."""

    def __init__(self) -> None:
        self._packed: Dict[int, _Packed] = {}

    def __call__(self, value: object) -> _Packed:
        found = self._packed.get(id(value))
        if found is None or found.value is not value:
            found = self._packed[id(value)] = _Packed(value)
        return found


class Cache:
    def __init__(self, directory: Path, root: Path, freeze_loads: bool = False) -> None:
        """`freeze_loads`: for a process that ends with the run (the CLI). A long-lived one (the language
        server) must not freeze, or cyclic garbage alive at each load would never be collected, nor map the
        cache files (a file truncated in place under a map kills the process that reads it: a CLI run's
        maps last one run)."""
        scope = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
        self.directory = directory
        self.freeze_loads = freeze_loads
        self.file = directory / f"{__version__}-py{sys.version_info[0]}{sys.version_info[1]}" / f"{scope}.pickle"
        # path -> (mtime_ns, size, module, is_package, FileSummary)
        self._summaries: Dict[str, Tuple[int, int, str, bool, FileSummary]] = {}
        # path -> (result key, diagnostics, own key, project facts, index facts, focus record, depends): see
        # result(), fresh_result(), focus() and depends()
        self._results: Dict[str, tuple] = {}
        self._by_digest: Dict[Tuple[str, str, bool], FileSummary] = {}
        self._dirty = False
        self._loaded = False
        # Entries changed since the main file was written, kept in a small journal file beside it: a run
        # that re-linted one file rewrites the journal, not every summary of the project.
        self.journal_file = self.file.with_suffix(".journal.pickle")
        self._generation = ""  # the main file's token; a journal applies only to the main file it extends
        self._journal_summaries: Dict[str, Tuple[int, int, str, bool, FileSummary]] = {}
        self._journal_results: Dict[str, tuple] = {}
        # path -> (key, findings in the rows of the focused text, depends), or those pickled (see memo()): see
        # reuse.py. The journal's are always pickled.
        self._memos: Dict[str, object] = {}
        self._journal_memos: Dict[str, bytes] = {}
        # project facts -> the index facts they were found to give (see confirm())
        self._confirmed: Dict[str, str] = {}
        # Whole runs, small and read first, one file per project state: a run whose inputs are all
        # unchanged reads that one file and nothing else.
        self.snapshot_dir = self.file.with_suffix(".runs")
        self.link_file = self.file.with_suffix(".link.pickle")
        # The project-wide models and the modules' parts they were merged from, under the link state's key.
        self.models_file = self.file.with_suffix(".models.pickle")
        # The resolutions a run after an edit made, under the link state's key: the next edit of the same
        # files resolves the same names.
        self.resolved_file = self.file.with_suffix(".resolved.pickle")
        # The resolutions each large file's fingerprint asked for in a run that linked from scratch, under
        # the link state's key, each pickled on its own (an out-of-band buffer: see _TAG): the first edit of
        # one after a full run unpickles its own (some hundred kB) instead of resolving its calls again
        # through the summaries of every module they name. All of them are too many to unpickle for one file.
        self.file_resolutions_file = self.file.with_suffix(".by-file.pickle")
        self._file_resolutions: Dict[str, dict] = {}  # path -> record, to write under _file_resolutions_key
        self._file_resolutions_key = ""
        self._file_resolutions_read: Optional[Tuple[str, dict]] = None  # (key, {path: record pickled}) read
        self._link_written = ""  # the key of the link state this run wrote
        # (project state, {path: (enabled codes, findings)} or None) of the state last asked about
        self._snapshot: Optional[Tuple[str, Optional[Dict[str, Tuple[str, Tuple[Diagnostic, ...]]]]]] = None
        self._snapshots_dirty = False
        # The last full run's code digests and findings (see runner._code_unchanged), read on demand.
        self.last_run_file = self.file.with_suffix(".last.pickle")
        self._last_run: Optional[dict] = None
        self._last_run_dirty = False

    @property
    def folder(self) -> Path:
        """Where this interpreter's and version's cache files are (other stores may keep theirs there)."""
        return self.file.parent

    def _read(self, file: Path) -> Optional[dict]:
        try:
            with _collector_paused(freeze=self.freeze_loads):
                data = _loads(file, mapped=self.freeze_loads)
        except Exception:  # missing, damaged, torn or foreign: as if there were none
            return None
        return data if isinstance(data, dict) and data.get("format") == _FORMAT else None

    def _load(self) -> None:
        if self._loaded:
            return
        self._loaded = True
        data = self._read(self.file)
        if data is None:
            return
        self._summaries = data.get("summaries", {})
        self._results = data.get("results", {})
        self._memos = data.get("memos", {})
        self._generation = data.get("generation", "")
        self._confirmed = data.get("confirmed", {})
        journal = self._read(self.journal_file)
        if journal is not None and journal.get("generation") == self._generation:
            self._journal_summaries = journal.get("summaries", {})
            self._journal_results = journal.get("results", {})
            self._journal_memos = journal.get("memos", {})
            self._summaries.update(self._journal_summaries)
            self._results.update(self._journal_results)
            self._memos.update(self._journal_memos)
            self._confirmed = journal.get("confirmed", {})
        for _, _, module, is_package, summary in self._summaries.values():
            self._by_digest[(summary.digest, module, is_package)] = summary

    # ------------------------------------------------------------------ summaries
    def summary(
        self, path: str, module: str, is_package: bool, stat: Optional[Tuple[int, int]] = None
    ) -> Optional[FileSummary]:
        """The summary stored for the file as it is now, or for identical content. `stat`: its (mtime_ns,
        size) if the run took them already."""
        self._load()
        entry = self._summaries.get(path)
        if stat is None:
            try:
                found_stat = os.stat(path)
            except OSError:
                return None
            stat = (found_stat.st_mtime_ns, found_stat.st_size)
        if entry is not None and entry[:4] == (*stat, module, is_package):
            return entry[4]
        if not self._by_digest:
            return None
        from fastapi_asynclint.index.build import digest_of

        try:
            with open(path, "rb") as handle:
                digest = digest_of(handle.read())
        except OSError:
            return None
        found = self._by_digest.get((digest, module, is_package))
        if found is not None:
            self.put_summary(path, module, is_package, stat, found)
        return found

    def previous_summary(self, path: str, module: str, is_package: bool) -> Optional[FileSummary]:
        """The summary last stored for this path under this module name, whatever the file holds now."""
        self._load()
        entry = self._summaries.get(path)
        return entry[4] if entry is not None and entry[2:4] == (module, is_package) else None

    def put_summary(self, path: str, module: str, is_package: bool, stat: Tuple[int, int], summary: FileSummary) -> None:
        self._load()
        entry = (stat[0], stat[1], module, is_package, summary)
        self._summaries[path] = self._journal_summaries[path] = entry
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
        if entry is None or entry[2] != own_key:
            return None
        if entry[3] == project or (entry[4] and self._confirmed.get(project) == entry[4]):
            return entry[1]
        return None

    def confirm(self, project: str, index_facts: str) -> None:
        """Record that these project facts give these index facts: the findings stored under the index
        facts then stand as fresh for the project facts too, without a write per file."""
        self._load()
        if self._confirmed.get(project) != index_facts:
            self._confirmed.pop(project, None)
            self._confirmed[project] = index_facts
            while len(self._confirmed) > _MAX_SNAPSHOTS:
                self._confirmed.pop(next(iter(self._confirmed)))
            self._dirty = True

    def settled_result(self, path: str, own_key: str, index_facts: str) -> Optional[Tuple[Diagnostic, ...]]:
        """The stored findings if the file's own key matches and what every file's findings read from the
        linked index (runner._index_facts) is what it was: some file changed, but not so as to matter."""
        self._load()
        entry = self._results.get(path)
        return entry[1] if entry is not None and entry[2] == own_key and entry[4] == index_facts else None

    def has_result_for(self, path: str, own_key: str) -> bool:
        """Whether findings are stored for this very content, settings and codes (under whatever index)."""
        self._load()
        entry = self._results.get(path)
        return entry is not None and entry[2] == own_key

    def memo(self, path: str) -> Optional[tuple]:
        """The findings last stored for reuse for `path` (reuse.Stored)."""
        self._load()
        stored = self._memos.get(path)
        if type(stored) is bytes:  # kept pickled until the file is linted again (put_memo)
            try:
                stored = pickle.loads(stored)
            except Exception:
                stored = None
            self._memos[path] = stored  # type: ignore[assignment]
        return stored

    def put_memo(self, path: str, stored: tuple) -> None:
        """Keep `stored` for `path`, pickled on its own: a run loads every file's memo with the cache but
        reads only those of the files it lints."""
        self._load()
        if self.memo(path) != stored:
            self._memos[path] = stored
            self._journal_memos[path] = _pickled(stored)
            self._dirty = True

    def focus(self, path: str) -> Optional[tuple]:
        """What the rules read of the file whose findings are stored for `path` (focus.FocusRecord)."""
        self._load()
        entry = self._results.get(path)
        return entry[5] if entry is not None else None

    def depends(self, path: str) -> Optional[tuple]:
        """What the findings stored for `path` read of the index beyond its fingerprint (reuse.Depends)."""
        self._load()
        entry = self._results.get(path)
        return entry[6] if entry is not None else None

    def put_result(
        self,
        path: str,
        key: str,
        diagnostics: Sequence[Diagnostic],
        own_key: str = "",
        project: str = "",
        index_facts: str = "",
        focus: Optional[tuple] = None,
        depends: Optional[tuple] = None,
    ) -> None:
        self._load()
        entry = (key, tuple(diagnostics), own_key, project, index_facts, focus, depends)
        if self._results.get(path) != entry:
            self._results[path] = self._journal_results[path] = entry
            self._dirty = True

    # ------------------------------------------------------------------ whole runs
    def _snapshot_path(self, key: str) -> Path:
        return self.snapshot_dir / f"{key}.pickle"

    def snapshot(self, key: str) -> Optional[Dict[str, Tuple[str, Tuple[Diagnostic, ...]]]]:
        if self._snapshot is None or self._snapshot[0] != key:
            data = self._read(self._snapshot_path(key))
            self._snapshot = (key, data.get("findings") if data is not None else None)
        return self._snapshot[1]

    def put_snapshot(self, key: str, findings: Dict[str, Tuple[str, Tuple[Diagnostic, ...]]]) -> None:
        stored = self.snapshot(key)  # one-file runs add to the full run's entry
        merged = {**stored, **findings} if stored else findings
        self._snapshot = (key, merged)
        self._snapshots_dirty = True

    def _save_snapshot(self, packed: "_Packer") -> None:
        assert self._snapshot is not None
        key, findings = self._snapshot
        self._write(self._snapshot_path(key), {"format": _FORMAT, "findings": packed(findings)})
        try:  # the newest few stay: a full run and the one-file runs since
            kept = sorted(self.snapshot_dir.glob("*.pickle"), key=lambda path: path.stat().st_mtime, reverse=True)
            for stale in kept[_MAX_SNAPSHOTS:]:
                stale.unlink()
        except OSError:
            pass

    # ------------------------------------------------------------------ the last full run
    def last_run(self) -> Optional[dict]:
        if self._last_run is None:
            self._last_run = self._read(self.last_run_file) or {}
        return self._last_run or None

    def last_run_findings(self) -> Optional[dict]:
        """The last full run's findings, {path: (codes, findings)}. Its record keeps them pickled until a run
        asks for them: one whose edit changed what the index or the rules read does not."""
        state = self.last_run()
        if state is None:
            return None
        found = state.get("findings")
        if type(found) is bytes:
            try:
                found = state["findings"] = pickle.loads(found)
            except Exception:
                found = state["findings"] = None
        return found if isinstance(found, dict) else None

    def put_last_run(self, state: dict) -> None:
        self._last_run = {"format": _FORMAT, **state}
        self._last_run_dirty = True

    def summary_identity(self, path: str) -> Optional[Tuple[int, int, str, bool]]:
        """(mtime_ns, size) of the file when its stored summary was made, as read before its bytes, and the
        module name and package flag it was made with."""
        self._load()
        entry = self._summaries.get(path)
        return entry[:4] if entry is not None else None

    # ------------------------------------------------------------------ link state
    # One entry per file, the last run's, under the key of the link facts it was computed with: a second
    # project state would be a second full copy of the link.
    def _keyed(self, file: Path, key: str) -> Optional[dict]:
        data = self._read(file)
        found = data.get("value") if data is not None and data.get("key") == key else None
        return found if isinstance(found, dict) else None

    def _put_keyed(self, file: Path, key: str, value: dict) -> bool:
        return self._write(file, {"format": _FORMAT, "key": key, "value": value})

    def link_state(self, key: str) -> Optional[dict]:
        """The index's link state (ProjectIndex.link_state) stored under `key`, the project's link facts."""
        return self._keyed(self.link_file, key)

    def put_link_state(self, key: str, state: dict) -> None:
        if self._put_keyed(self.link_file, key, state):
            self._link_written = key

    def models(self, key: str) -> Optional[dict]:
        """The project-wide models and their parts (ProjectIndex.stored_models) kept under `key`, the link
        state's."""
        return self._keyed(self.models_file, key)

    def put_models(self, key: str, models: dict) -> None:
        self._put_keyed(self.models_file, key, models)

    def resolutions(self, key: str) -> Optional[dict]:
        """Resolutions (ProjectIndex.resolutions) kept under `key`, the link state's."""
        return self._keyed(self.resolved_file, key)

    def put_resolutions(self, key: str, resolved: dict) -> None:
        self._put_keyed(self.resolved_file, key, resolved)

    def file_resolutions(self, key: str, path: str) -> Optional[dict]:
        """The resolutions kept for `path` under `key`, the link state's (put_file_resolutions). The file is
        read once per key: its records stay views of it, each unpickled when asked for."""
        if self._file_resolutions_read is None or self._file_resolutions_read[0] != key:
            self._file_resolutions_read = (key, self._keyed(self.file_resolutions_file, key) or {})
        stored = self._file_resolutions_read[1].get(path)
        if stored is None:
            return None
        try:
            with _collector_paused(freeze=self.freeze_loads):
                found = pickle.loads(stored)
        except Exception:  # a damaged record: the fingerprint resolves what it needs, as without one
            return None
        shaped = isinstance(found, dict) and all(isinstance(found.get(part), dict) for part in ("targets", "aliases"))
        return found if shaped else None

    def put_file_resolutions(self, key: str, path: str, record: dict) -> None:
        """Keep one file's resolutions (ProjectIndex.recorded_fingerprint) under the link state's key, to be
        written by save() if this run wrote that link state (else none could be read). The file then
        holds only the records this run kept: those under another key could no longer be read, and those
        of large files this run did not fingerprint under the same key are dropped too."""
        if key != self._file_resolutions_key:
            self._file_resolutions, self._file_resolutions_key = {}, key
        self._file_resolutions[path] = record

    def _save_file_resolutions(self) -> None:
        """Each record pickled on its own, as a view (an out-of-band buffer of the file): a run unpickles
        its file's record, not the others."""
        with _collector_paused():
            records = {
                path: memoryview(pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))
                for path, record in self._file_resolutions.items()
            }
        self._put_keyed(self.file_resolutions_file, self._file_resolutions_key, records)

    # ------------------------------------------------------------------ persistence
    def save(self) -> None:
        # A full run's snapshot and its last-run record hold the same findings: pickled once for both.
        packed = _Packer()
        if self._snapshots_dirty:
            self._save_snapshot(packed)
            self._snapshots_dirty = False
        if self._last_run_dirty and self._last_run is not None:
            state = self._last_run
            if "findings" in state and type(state["findings"]) is not bytes:
                state = {**state, "findings": packed(state["findings"]).pickled()}  # see last_run_findings
            self._write(self.last_run_file, state)
            self._last_run_dirty = False
        if self._file_resolutions and self._file_resolutions_key == self._link_written:
            self._save_file_resolutions()
        self._file_resolutions = {}
        if not self._dirty:
            return
        self._dirty = False
        changed = len(self._journal_summaries) + len(self._journal_results) + len(self._journal_memos)
        if self._generation and changed <= max(_JOURNAL_MIN, (len(self._summaries) + len(self._results)) // 20):
            journal = {
                "summaries": self._journal_summaries, "results": self._journal_results, "memos": self._journal_memos,
                "confirmed": self._confirmed,
            }
            self._write(self.journal_file, {"format": _FORMAT, "generation": self._generation, **journal})
            return
        live = {path for path in self._summaries if os.path.exists(path)}
        self._generation = os.urandom(8).hex()
        data = {
            "format": _FORMAT,
            "generation": self._generation,
            "summaries": {path: entry for path, entry in self._summaries.items() if path in live},
            "results": dict(list(self._results.items())[-_MAX_RESULTS:]),
            "memos": {path: _pickled(stored) for path, stored in self._memos.items() if path in live},
            "confirmed": self._confirmed,
        }
        self._write(self.file, data)
        self._journal_summaries, self._journal_results, self._journal_memos = {}, {}, {}
        # The new main file holds everything: a journal left behind names the old generation, so is ignored.

    def _write(self, file: Path, data: dict) -> bool:
        """Write `data` pickled to `file`, atomically; False if it could not be (nothing is raised)."""
        if not self._prepare(file):
            return False  # nothing pickled for a folder that cannot be made
        try:
            with _collector_paused():
                payload = _dumps(data)
        except RecursionError:
            return False  # a call chain too long to pickle: the state is recomputed next time
        finally:
            summary_module = sys.modules.get("fastapi_asynclint.index.summary")
            if summary_module is not None:
                summary_module.forget_shared_values()
        return self._write_bytes(file, payload)

    def _prepare(self, file: Path) -> bool:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            gitignore = self.directory / ".gitignore"
            if not gitignore.exists():
                gitignore.write_text("# Automatically created by fastapi-asynclint.\n*\n")
        except OSError:
            return False  # a read-only checkout still lints, it just does not cache
        return True

    def _write_bytes(self, file: Path, payload: bytes) -> bool:
        from fastapi_asynclint.writer import write_atomic  # tempfile: only a run that writes imports it

        try:
            write_atomic(file, payload, durable=False)
        except OSError:
            return False
        return True
