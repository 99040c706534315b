"""The persistent cache: one interface, for the runner only.

It keeps five things, each keyed by what it is made of:
- each project file's content and code digests, with the file's stat as git's index keeps it (size, mtime
  and ctime in ns, inode): a file whose stat is unchanged is not read again, unless it was modified so
  close to when the cache was written that a later edit could leave the same stat (git's "racily clean"
  entries);
- summaries, by content digest and module name, one file each (a run after an edit reads the few it
  resolves names in);
- each checked file's findings, with what they were made of (findings.FindingsRecord), each record
  pickled on its own: a run after an edit unpickles the records it reads and pickles the ones it replaced;
- the project's link state (project.LinkState), by the digest of every file's link facts;
- what a run printed, by the command line as typed, with the stat of every path the output was made
  from: a command line run again on an unchanged project is answered before it is even parsed
  (`replayed`).

Like ruff's, it lives in `.fastapi_asynclint_cache/` at the project root (with a `.gitignore` of `*`), in a
folder named after the version and a digest of the package's own source (an edited rule changes it, in an
editable install too), and is written atomically: concurrent runs never read a torn file, the last writer
wins, and a damaged file reads as no cache.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterable, Mapping, Optional, Sequence, Tuple

from fastapi_asynclint import __version__

if TYPE_CHECKING:  # imported by the runs that read or write summaries and findings
    from concurrent.futures import ThreadPoolExecutor

    from fastapi_asynclint.findings import FindingsRecord
    from fastapi_asynclint.index.build import FileFacts, FileSummary

# A file modified less than this before the cache was written may be modified again within the file
# system's timestamp granularity without its stat changing: it is read again next time.
_RACY_NS = 2_000_000_000
# What os.stat gives that identifies a file's content: (size, mtime_ns, ctime_ns, inode).
Stat = Tuple[int, int, int, int]


def file_stat(path: str) -> Optional[Stat]:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


@dataclass(frozen=True)
class FileState:
    """A project file as the run found it."""

    # Its stat before it was read (None: not a file on disk, an editor's buffer or stdin).
    stat: Optional[Stat]
    # The digest of its bytes.
    content: str
    # The key of its summary (Cache.summary_key: content and module name) and the summary's facts, once known.
    summary_key: str = ""
    facts: Optional["FileFacts"] = None

    @property
    def code(self) -> str:
        """Its code digest (build.FileFacts.code_digest), "" until it is known."""
        return self.facts.code_digest if self.facts is not None else ""


@dataclass(frozen=True)
class RunOutput:
    """What a run printed, and its exit code."""

    stdout: str
    stderr: str
    code: int


@dataclass(frozen=True)
class RunState:
    """The last run's keys: a run whose project key is the same has the same semantic key and link state."""

    project: str = ""
    semantic: str = ""
    link: str = ""


def _source_digest() -> str:
    """A digest of the package's own modules (name, size, mtime): any edit of the linter's code changes it."""
    package = Path(__file__).parent
    digest = hashlib.blake2b(digest_size=8)
    for folder, _, names in sorted(os.walk(package)):
        for name in sorted(names):
            if name.endswith(".py"):
                found = os.stat(os.path.join(folder, name))
                digest.update(f"{folder}/{name}:{found.st_size}:{found.st_mtime_ns}\n".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class Replay:
    """What a `check` command line printed, with the stat of every path that output was made from
    (runner: settings files, folders listed, files read; None for a path that was not there)."""

    output: RunOutput
    probes: Tuple[Tuple[str, Optional[Stat]], ...]
    written_ns: int


def _replay_file(argv: Sequence[str]) -> Path:
    """Where the replay of this command line run from this folder is kept: the cache folder of a project
    checked from its root (the default one, or the environment's), under a digest of the command line
    as it was typed (not parsed: any other spelling is simply another command line)."""
    folder = Path(os.environ.get("FASTAPI_ASYNCLINT_CACHE_DIR") or ".fastapi_asynclint_cache")
    key = repr((list(argv), os.getcwd(), sys.version, __version__, _source_digest()))
    return folder.absolute() / "replay" / hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def replayed(argv: Sequence[str]) -> Optional[RunOutput]:
    """What this `check` command line printed last time, if nothing its output was made from has changed
    since, and nothing changed so close to when it was kept that its stat could hide it."""
    if sys.stdout.isatty() or sys.stderr.isatty():
        return None
    try:
        with open(_replay_file(argv), "rb") as handle:
            record = pickle.loads(handle.read())
    except Exception:  # noqa: BLE001 - missing, damaged or foreign: no replay
        return None
    if not isinstance(record, Replay):
        return None
    for path, stat in record.probes:
        if file_stat(path) != stat or (stat is not None and stat[1] + _RACY_NS >= record.written_ns):
            return None
    return record.output


def keep_replay(argv: Sequence[str], cache_folder: Path, output: RunOutput, probes: Mapping[str, Optional[Stat]]) -> None:
    """Keep what a `check` run printed for `replayed`, when its cache folder is where a replay looks."""
    target = _replay_file(argv)
    if target.parent.parent != cache_folder.absolute():
        return
    record = Replay(output, tuple(probes.items()), time.time_ns())
    Cache(cache_folder, Path.cwd())._write_to(target, record)
    _keep_newest(target.parent, _REPLAYS_KEPT)


# So many command lines' replays are kept per cache folder, the most recent.
_REPLAYS_KEPT = 16


def _keep_newest(folder: Path, count: int) -> None:
    try:
        entries = sorted(folder.iterdir(), key=lambda entry: entry.stat().st_mtime_ns, reverse=True)
        for entry in entries[count:]:
            entry.unlink()
    except OSError:
        pass  # another run removed it first


def _unpickled_record(pickled: bytes) -> Optional["FindingsRecord"]:
    from fastapi_asynclint.findings import FindingsRecord

    try:
        found = pickle.loads(pickled)
    except Exception:  # noqa: BLE001 - a damaged record reads as none
        return None
    return found if isinstance(found, FindingsRecord) else None


def _file_name(key: str) -> str:
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class Cache:
    def __init__(self, directory: Path, root: Path) -> None:
        scope = hashlib.blake2b(str(root.resolve()).encode(), digest_size=8).hexdigest()
        self.directory = directory
        tag = f"{__version__}-{_source_digest()}-py{sys.version_info[0]}{sys.version_info[1]}"
        self.folder = directory / tag / scope
        self._files: Optional[Dict[str, FileState]] = None
        self._written_ns = 0
        self._findings: Optional[Dict[str, Optional[bytes]]] = None
        self._records: Dict[str, Optional[FindingsRecord]] = {}
        self._run: Optional[RunState] = None
        self._dirty: set = set()
        self._prepared = False
        # Summaries are written by one thread while the parent waits for the workers that make them.
        self._writer: Optional["ThreadPoolExecutor"] = None

    # ------------------------------------------------------------------ files
    def known_files(self, stats: Mapping[str, Optional[Stat]]) -> Dict[str, FileState]:
        """What was kept of every file whose stat is what it was when it was kept."""
        if self._files is None:
            stored = self._read("files") or ({}, 0)
            self._files, self._written_ns = dict(stored[0]), stored[1]
        known = {}
        for path, stat in stats.items():
            state = self._files.get(path)
            if state is not None and stat is not None and state.stat == stat and stat[1] + _RACY_NS < self._written_ns:
                known[path] = state
        return known

    def put_files(self, states: Mapping[str, FileState]) -> None:
        """Every project file's state, replacing what was kept."""
        kept = {path: state for path, state in states.items() if state.stat is not None and state.facts is not None}
        if kept != self._files or any(state.stat[1] + _RACY_NS >= self._written_ns for state in kept.values()):
            self._files = kept
            self._dirty.add("files")

    # ------------------------------------------------------------------ summaries
    def summary(self, key: str) -> Optional["FileSummary"]:
        """The summary kept under this key, read now."""
        from fastapi_asynclint.index.build import FileSummary

        found = self._read(f"summaries/{_file_name(key)}")
        return FileSummary(found[0], pickled=found[1]) if isinstance(found, tuple) and len(found) == 2 else None

    def summary_bytes(self, key: str) -> Optional[bytes]:
        """The pickled summary kept under this key (what build.FileSummary unpickles when first read)."""
        found = self._read(f"summaries/{_file_name(key)}")
        return found[1] if isinstance(found, tuple) and len(found) == 2 else None

    def put_summary(self, key: str, summary: "FileSummary") -> None:
        if not self._prepared:
            try:
                self._prepare()  # here, not in the thread: one folder creation, before any write
            except OSError:
                pass  # the writes fail too, quietly: a read-only checkout still lints
        if self._writer is None:
            from concurrent.futures import ThreadPoolExecutor  # only runs that make summaries need it

            self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fastapi-asynclint-cache")
        self._writer.submit(self._write, f"summaries/{_file_name(key)}", (summary.facts, summary.pickled()))
        self._dirty.add("summaries")

    def flush(self) -> None:
        """Wait for the summaries being written: before a fork (a child must not inherit a write half
        done) and before saving."""
        if self._writer is not None:
            self._writer.shutdown(wait=True)
            self._writer = None

    @staticmethod
    def summary_key(digest: str, module: str, is_package: bool, renames: Iterable[Tuple[str, str]]) -> str:
        return f"{digest}:{module}:{int(is_package)}:{sorted(renames)}"

    # ------------------------------------------------------------------ findings
    def findings(self, path: str) -> Optional["FindingsRecord"]:
        """The file's findings record. Each is kept pickled on its own and unpickled when first asked for,
        so a run after an edit pickles again only the records it replaced."""
        record = self._records.get(path)
        if record is None:
            pickled = self._pickled_findings().get(path)
            record = self._records[path] = _unpickled_record(pickled) if pickled is not None else None
        return record

    def put_findings(self, path: str, record: "FindingsRecord") -> None:
        self._records[path] = record
        self._pickled_findings()[path] = None
        self._dirty.add("findings")

    def _pickled_findings(self) -> Dict[str, Optional[bytes]]:
        """Path -> its record pickled (None: replaced in this run, pickled when saved)."""
        if self._findings is None:
            found = self._read("findings")
            self._findings = found if isinstance(found, dict) else {}
        return self._findings

    # ------------------------------------------------------------------ the project
    def run_state(self) -> RunState:
        if self._run is None:
            found = self._read("run")
            self._run = found if isinstance(found, RunState) else RunState()
        return self._run

    def put_run_state(self, state: RunState) -> None:
        self._run = state
        self._dirty.add("run")

    def link_state(self, key: str):
        """The project.LinkState stored under this link key, or None. Its parts are read when first asked for."""
        from fastapi_asynclint.index.models import KnownParts

        found = self._read("link")
        if not (isinstance(found, tuple) and len(found) == 3 and found[0] == key):
            return None
        _, state, digests = found

        def parts() -> dict:
            kept = self._read("parts")
            return kept[1] if isinstance(kept, tuple) and len(kept) == 2 and kept[0] == key else {}

        return replace(state, parts=KnownParts(digests, parts))

    def put_link_state(self, key: str, state) -> None:
        """Keep a project.LinkState; its parts (megabytes on a large project) in a file of their own."""
        parts = state.parts
        self._write("link", (key, replace(state, parts=None), dict(parts.digests) if parts is not None else {}))
        if parts is not None:
            self._write("parts", (key, {path: parts.get(path) for path in parts.digests}))

    # ------------------------------------------------------------------ storage
    def save(self) -> None:
        """Write what changed. Summaries of contents no file has any more are dropped then, and so is the
        cache of this version's earlier source (an edited install)."""
        self.flush()
        if self._dirty:
            self._drop_stale_sources()
        if "files" in self._dirty:
            self._write("files", (self._files, time.time_ns()))
        if "summaries" in self._dirty:
            self._drop_summaries({_file_name(state.summary_key) for state in (self._files or {}).values()})
        if "findings" in self._dirty and self._findings is not None:
            self._write("findings", self._live_findings())
        if "run" in self._dirty:
            self._write("run", self._run)
        self._dirty.clear()

    def _live_findings(self) -> Dict[str, bytes]:
        """The records of the files that still exist, each pickled."""
        live = {}
        for path, pickled in (self._findings or {}).items():
            if os.path.exists(path):
                record = self._records.get(path)
                live[path] = pickled if pickled is not None else pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        return live

    def _drop_summaries(self, live: set) -> None:
        """Only summaries some project file has now are worth keeping."""
        try:
            for entry in (self.folder / "summaries").iterdir():
                if entry.name not in live:
                    entry.unlink()
        except OSError:
            pass  # another run got there first

    def _drop_stale_sources(self) -> None:
        import shutil

        tag = self.folder.parent.name
        try:
            stale = [entry for entry in self.directory.iterdir() if entry.name.startswith(f"{__version__}-") and entry.name != tag]
        except OSError:
            return
        for entry in stale:
            shutil.rmtree(entry, ignore_errors=True)

    def _read(self, name: str):
        try:
            with open(self.folder / name, "rb") as handle:
                return pickle.loads(handle.read())
        except Exception:  # noqa: BLE001 - missing, damaged, torn or from another version: no cache
            return None

    def _write(self, name: str, value) -> None:
        self._write_to(self.folder / name, value)

    def _write_to(self, target: Path, value) -> None:
        """Write through a temporary file renamed over `target`: a concurrent run reads the old file or
        the new one, never half of one; the last writer wins."""
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        try:
            payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            if not self._prepared:
                self._prepare()
            target.parent.mkdir(exist_ok=True)
            with open(temporary, "wb") as handle:
                handle.write(payload)
            os.replace(temporary, target)
        except (OSError, RecursionError):
            try:  # a read-only checkout still lints, it just does not cache
                os.unlink(temporary)
            except OSError:
                pass

    def _prepare(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        gitignore = self.directory / ".gitignore"
        if not gitignore.exists():
            gitignore.write_text("# Automatically created by fastapi-asynclint.\n*\n")
        self._prepared = True
