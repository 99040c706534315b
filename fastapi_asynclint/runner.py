"""One whole check: find files, build (or load) the project index, lint, fix, and collect the results.

The project index covers every Python file under the project root (not only the files asked about),
so that a route in one file is reported for a helper two modules away, and a one-file pre-commit run
finds what a full CI run finds. Per-file work (summaries, linting, fixing) fans out over worker
processes; the results come back in a deterministic order whatever the number of jobs.
"""

from __future__ import annotations

import hashlib
import os
from contextlib import nullcontext
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, Iterator, List, Optional, Sequence, Tuple

from fastapi_asynclint.discovery import discover, path_order
from fastapi_asynclint.results import CheckResult, FileReport, RunInputs  # CheckResult, FileReport: re-exported
from fastapi_asynclint.settings import Settings, enabled_for

if TYPE_CHECKING:
    from multiprocessing.pool import Pool

    from fastapi_asynclint.engine import LintOutcome
    from fastapi_asynclint.index.build import FileSummary
    from fastapi_asynclint.index.modules import ModuleMap
    from fastapi_asynclint.index.project import ProjectIndex
    from fastapi_asynclint.rerun import Inputs
    from fastapi_asynclint.reuse import Memo

# The analysis modules (libcst, the index, process pools) are imported where they are first needed: a run
# served whole from the cache imports none of them.

# At most so many resolutions are kept for the next run (a run after a one-file edit makes a few thousand).
_KEPT_RESOLUTIONS = 50_000

# A run that took the link state over reads the resolutions kept for at most so many large files.
_RECORDED_FILES_READ = 8

# Below this many files, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 48


@dataclass
class CheckOptions:
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    jobs: Optional[int] = None
    stdin_filename: Optional[str] = None
    stdin_bytes: Optional[bytes] = None
    force_analysis: bool = False
    progress: Optional[Callable[[int, int], None]] = None
    # Return each linted file's text in its report (always with fix, diff and stdin): only `--add-noqa`
    # needs it otherwise, and sending every file's text back to the parent doubled its memory on a large
    # project.
    keep_sources: bool = False
    # What the record of the same command line says the run will find to check (rerun.Inputs), when only
    # file contents changed since: the files are not looked for again, nor stat'ed.
    known: Optional["Inputs"] = None

    @property
    def wants_sources(self) -> bool:
        return self.keep_sources or self.fix or self.diff or self.stdin_filename is not None


@dataclass
class _Job:
    """What a worker needs to lint one file (the index itself is shared with the workers)."""

    path: str
    module: str
    is_package: bool
    enabled: FrozenSet[str]
    raw: Optional[bytes] = None
    memo: Optional[Memo] = None


# Set in the parent before workers fork, so the linked index is shared copy-on-write, never pickled.
_SHARED: Dict[str, object] = {}


# Work goes to the workers in chunks of so many files or bytes of source, and a worker process is replaced
# after so many chunks (see _tasks): at most 96 files, or about 600 kB of source unless its files are larger.
# (Since workers no longer import libcst themselves, a fork costs little: two chunks rather than three per
# worker lowered litellm's peak from 484 to 434 MB for 2% more time.)
_CHUNK_FILES = 48
_CHUNK_BYTES = 300_000
_CHUNKS_PER_WORKER = 2
_WORKER_GC_THRESHOLD = 20_000


def _worker_count(jobs: Optional[int], tasks: int) -> int:
    available = jobs or os.cpu_count() or 1
    return max(1, min(available, tasks))


def _pool(workers: int, heavy_slots: int) -> Optional[Pool]:
    if workers <= 1:
        return None
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" not in methods:
        return None  # without fork the index would have to be pickled to every worker: stay in-process
    import gc

    # Workers share the parent's index copy-on-write; a frozen heap is not walked by their collectors,
    # so those pages stay shared instead of being copied into every worker.
    gc.freeze()
    context = multiprocessing.get_context("fork")
    # A worker's heap only grows (libcst trees, whose freed memory the allocator keeps; pages of the
    # shared index it touched and so copied): each handles one task (one heavy file, or a few chunks)
    # and is replaced by a fresh fork, which starts again from the parent's shared pages.
    return context.Pool(workers, initializer=_start_worker, initargs=(context.Semaphore(heavy_slots),), maxtasksperchild=1)


# In a worker: the slots for heavy files (see _heavy_slots), shared by all the pool's workers.
_HEAVY_SLOTS = None


def _start_worker(heavy_slots) -> None:
    import gc

    global _HEAVY_SLOTS
    _HEAVY_SLOTS = heavy_slots
    # A worker allocates hundreds of thousands of short-lived objects per file (libcst nodes, ast nodes);
    # at the default threshold (700) the youngest generation is collected thousands of times per file.
    gc.set_threshold(_WORKER_GC_THRESHOLD, 20, 20)


def _run_task(function: Callable, task: Tuple[bool, Sequence]) -> List:
    heavy, chunk = task
    with _HEAVY_SLOTS if heavy and _HEAVY_SLOTS is not None else nullcontext():
        return [function(item) for item in chunk]


def _heavy_slots(workers: int) -> int:
    """How many workers may hold a heavy file (_CHUNK_BYTES or more) at a time: half of them. Two workers
    each holding the tree of a 20,000-line file were a large project's memory peak."""
    return max(1, workers // 2)


def _map(
    function: Callable, items: Sequence, jobs: Optional[int], progress=None, weights: Optional[Sequence[int]] = None
) -> List:
    """`map` over processes when there is enough work, in order. `weights` (bytes of source per item)
    size the chunks, and so how much one worker process handles before it is replaced."""
    results: List = []
    workers = _worker_count(jobs, len(items)) if len(items) >= PARALLEL_THRESHOLD else 1
    pool = _pool(workers, _heavy_slots(workers))
    if pool is None:
        for number, item in enumerate(items, 1):
            results.append(function(item))
            if progress:
                progress(number, len(items))
        return results
    from functools import partial

    tasks = _tasks(list(range(len(items))), weights, workers)
    done: Dict[int, object] = {}
    with pool:
        work = [(heavy, [items[number] for number in numbers]) for heavy, numbers in tasks]
        for (_, numbers), task_results in zip(tasks, pool.imap(partial(_run_task, function), work)):
            done.update(zip(numbers, task_results))
            if progress:
                progress(len(done), len(items))
    return [done[number] for number in range(len(items))]


def _tasks(numbers: List[int], weights: Optional[Sequence[int]], workers: int) -> List[Tuple[bool, List[int]]]:
    """What each worker process does before it is replaced: one heavy file, or up to _CHUNKS_PER_WORKER
    chunks of the others. The heavy files come first, largest first, each followed by as much other work
    as the workers that are not on a heavy file can do meanwhile (by bytes), so that a heavy file
    rarely waits for a slot and the heavy files are still spread over the run's first half."""
    heavy: List[int] = []
    light: List[int] = []
    for number in numbers:
        (heavy if weights and weights[number] >= _CHUNK_BYTES else light).append(number)
    chunks = list(_chunks(light, [weights[number] for number in light] if weights else None))
    # The last chunks go one per task, so that no worker is left with a long task at the end. Without
    # weights (summarizing: the parent holds no index yet, so a fork costs little) every chunk does.
    grouped = max(0, len(chunks) - 2 * workers) if weights else 0
    light_tasks = [
        (False, [number for chunk in chunks[start : min(start + _CHUNKS_PER_WORKER, grouped)] for number in chunk])
        for start in range(0, grouped, _CHUNKS_PER_WORKER)
    ] + [(False, list(chunk)) for chunk in chunks[grouped:]]
    tasks: List[Tuple[bool, List[int]]] = []
    pending = iter(light_tasks)
    light_workers = max(1, workers - _heavy_slots(workers))
    for number in heavy:  # (only with weights)
        tasks.append((True, [number]))
        budget = weights[number] * light_workers  # type: ignore[index]
        while budget > 0:
            task = next(pending, None)
            if task is None:
                break
            tasks.append(task)
            budget -= sum(weights[item] for item in task[1])  # type: ignore[index]
    tasks.extend(pending)
    return tasks


def _chunks(items: Sequence, weights: Optional[Sequence[int]]) -> Iterator[Sequence]:
    """Consecutive runs of items, each up to _CHUNK_FILES items or _CHUNK_BYTES of weight."""
    start = weight = 0
    for end in range(len(items)):
        weight += weights[end] if weights else 0
        if end + 1 - start >= _CHUNK_FILES or weight >= _CHUNK_BYTES:
            yield items[start : end + 1]
            start, weight = end + 1, 0
    if start < len(items):
        yield items[start:]


# ---------------------------------------------------------------------------- summaries
def _summarize_job(job: Tuple[str, str, bool]) -> Tuple[str, Optional[FileSummary], Optional[Tuple[int, int]]]:
    from fastapi_asynclint.index.build import summarize_bytes

    path, module, is_package = job
    try:
        stat = os.stat(path)
        raw = Path(path).read_bytes()
    except OSError:
        return path, None, None
    return path, summarize_bytes(raw, module, is_package), (stat.st_mtime_ns, stat.st_size)


def build_index(
    project_files: Sequence[Path],
    module_map: ModuleMap,
    settings: Settings,
    cache,
    overrides: Dict[str, bytes],
    jobs: Optional[int],
    stats: Optional[Dict[str, Tuple[int, int]]] = None,
) -> Tuple[ProjectIndex, Dict[str, FileSummary]]:
    """The linked index of the project and each file's summary, from the cache where it holds them.
    `stats`: each file's (mtime_ns, size) as the run took them, so that the cache stats none again."""
    from fastapi_asynclint.catalog import build_catalog
    from fastapi_asynclint.index.build import summarize_bytes
    from fastapi_asynclint.index.project import ProjectIndex, SummaryTable

    summaries: Dict[str, FileSummary] = {}
    missing: List[Tuple[str, str, bool]] = []
    for path in project_files:
        key = os.fspath(path)
        module, is_package = module_map.canonical(key)
        if key in overrides:
            summaries[key] = summarize_bytes(overrides[key], module, is_package)
            continue
        cached = cache.summary(key, module, is_package, stats.get(key) if stats else None) if cache is not None else None
        if cached is not None:
            summaries[key] = cached
        else:
            missing.append((key, module, is_package))
    for key, summary, stat in _map(_summarize_job, missing, jobs):
        if summary is None:
            continue
        summaries[key] = summary
        if cache is not None and stat is not None:
            module, is_package = module_map.canonical(key)
            cache.put_summary(key, module, is_package, stat, summary)
    # Summaries read from the cache stay pickled until the index reads them (FileSummary.summary).
    parsed = {path: found for path, found in summaries.items() if found.parsed}
    linked = SummaryTable(parsed, {path: module_map.canonical(path)[0] for path in parsed})
    aliases = module_map.aliases()
    catalog = build_catalog(settings.extra_blocking_calls, settings.extra_offload_wrappers)
    facts = {path: found.facts for path, found in parsed.items()}
    shapes = {path: found.shape for path, found in parsed.items()}
    return ProjectIndex(linked, catalog, aliases, facts, shapes), summaries


# ---------------------------------------------------------------------------- linting
def _lint_job(job: _Job) -> FileReport:
    # Imported here: a run served from the cache never loads libcst.
    from fastapi_asynclint.engine import lint_text
    from fastapi_asynclint.index.build import summarize_bytes
    from fastapi_asynclint.index.project import fix_shape
    from fastapi_asynclint.source import UndecodableSource, decode_source

    index: ProjectIndex = _SHARED["index"]  # type: ignore[assignment]
    settings: Settings = _SHARED["settings"]  # type: ignore[assignment]
    options: CheckOptions = _SHARED["options"]  # type: ignore[assignment]
    summaries: Dict[str, FileSummary] = _SHARED["summaries"]  # type: ignore[assignment]
    report = FileReport(job.path)
    try:
        raw = job.raw if job.raw is not None else Path(job.path).read_bytes()
    except OSError as exc:
        report.errors.append(f"{job.path}: cannot read: {exc.strerror or exc}")
        return report
    file_summary = summaries.get(job.path) or summarize_bytes(raw, job.module, job.is_package)
    try:
        source = decode_source(raw)
    except UndecodableSource:
        outcome = lint_text(job.path, "", file_summary, job.module, job.is_package, index, settings, job.enabled)
        report.diagnostics, report.errors = outcome.diagnostics, outcome.errors
        return report
    if options.wants_sources:
        report.source = source

    def lint(text: str, summary: FileSummary = file_summary, linked: ProjectIndex = index, memo=None) -> LintOutcome:
        return lint_text(
            job.path, text, summary, job.module, job.is_package, linked, settings, job.enabled, options.force_analysis, memo
        )

    outcome = lint(source.text, memo=job.memo)
    report.diagnostics, report.errors, report.analysed = outcome.diagnostics, outcome.errors, outcome.analysed
    report.focus, report.memo, report.depends = outcome.focus, outcome.memo, outcome.depends
    if (options.fix or options.diff) and any(d.fix is not None for d in outcome.diagnostics):
        from fastapi_asynclint.fixes import fix_text

        def relint(text: str):
            if text == source.text:
                return outcome.diagnostics
            summary = summarize_bytes(source.encode(text), job.module, job.is_package)
            linked = index
            if fix_shape(summary.summary) != fix_shape(file_summary.summary):
                # A fix changed what the index knows of the file (a route now `def`, a function now
                # cached): relink it. Most fixes only rewrite coroutine bodies and add an import, and
                # relinking a large project for each of those would dominate `--fix`.
                linked = index.updated(job.path, summary.summary)
            return lint(text, summary, linked).diagnostics

        fixed = fix_text(source.text, relint, options.unsafe_fixes, job.path)
        report.original, report.fixed = source.text, fixed.text
        report.applied = fixed.applied
        report.diagnostics = fixed.diagnostics
    return report


def run_check(paths: Sequence[str], settings: Settings, options: CheckOptions = CheckOptions(), cache=None) -> CheckResult:
    result = CheckResult()
    overrides: Dict[str, bytes] = {}
    folders: List[str] = []
    ignore_files: List[str] = []
    known = options.known if options.stdin_filename is None else None
    # Files are handled as text until a run needs more than its snapshot.
    if options.stdin_filename is not None:
        stdin_path = str(Path(options.stdin_filename).absolute())
        target_names = [stdin_path]
        overrides[stdin_path] = options.stdin_bytes or b""
        project_names = _project_files(settings, target_names, paths)
    elif known is not None:
        target_names, project_names = list(known.targets), list(known.project_files)
        folders.extend(known.folders)
        ignore_files.extend(known.ignore_files)
    else:
        found = discover(paths, settings.root, settings.exclude)
        target_names, result.missing = found.names, found.missing
        folders.extend(found.folders)
        ignore_files.extend(found.ignore_files)
        project_names = _project_files(settings, target_names, paths, folders, ignore_files)
    if options.stdin_filename is None:
        result.inputs = RunInputs(
            tuple(dict.fromkeys(folders)), tuple(project_names), tuple(target_names), tuple(dict.fromkeys(ignore_files))
        )
    snapshot_key = None
    packages: Tuple[str, ...] = ()
    naming = None
    stats: Optional[Dict[str, Tuple[int, int]]] = None
    enabled_by_path = {path: enabled_for(settings, path) for path in target_names}
    # What a snapshot records of each file's enabled codes (a stable text, comparable across runs).
    codes_of = {enabled: ",".join(sorted(enabled)) for enabled in set(enabled_by_path.values())}
    codes_by_path = {path: codes_of[enabled] for path, enabled in enabled_by_path.items()}
    if cache is not None and not (overrides or options.fix or options.diff or options.force_analysis):
        stats = known.stats if known is not None else _file_stats(project_names)
        if result.inputs is not None and stats is not None:
            result.inputs = replace(result.inputs, stats=stats)
        packages = _package_folders(settings, project_names)
        snapshot_key = _project_state(settings, stats, packages) if stats is not None else None
        stored = cache.snapshot(snapshot_key) if snapshot_key else None
        if stored is not None and all(stored.get(path, (None,))[0] == codes for path, codes in codes_by_path.items()):
            result.files = [FileReport(path, diagnostics=list(stored[path][1])) for path in codes_by_path]
            return result
        found, naming = _code_unchanged(cache, settings, stats, packages, codes_by_path) if stats is not None else (None, None)
        if found is not None:
            result.files = [FileReport(path, diagnostics=list(found[path])) for path in codes_by_path]
            cache.put_snapshot(snapshot_key, {path: (codes_by_path[path], found[path]) for path in codes_by_path})
            return result
    from fastapi_asynclint.index.modules import ModuleMap

    if naming is not None:
        module_map = ModuleMap.restored(settings.root, *naming)
    else:
        module_map = ModuleMap(settings.root)
        for name in project_names:
            module_map.add(name)
    index, summaries = build_index(project_names, module_map, settings, cache, overrides, options.jobs, stats)
    _SHARED.update(index=index, settings=settings, options=options, summaries=summaries)
    jobs = []
    for key in target_names:
        module, is_package = module_map.canonical(key)
        jobs.append(_Job(key, module, is_package, enabled_by_path[key], overrides.get(key)))
    try:
        reports = _lint_all(jobs, index, settings, options, summaries, cache)
    finally:
        _SHARED.clear()
    for report in reports:
        result.errors.extend(report.errors)
    result.files = reports
    if snapshot_key and not result.errors:
        findings = {report.path: (codes_by_path[report.path], tuple(report.diagnostics)) for report in reports}
        cache.put_snapshot(snapshot_key, findings)
        focus = {report.path: report.focus for report in reports}
        _put_last_run(cache, settings, project_names, summaries, packages, findings, focus, module_map.aliases())
    return result


def _code_unchanged(
    cache, settings: Settings, stats: Dict[str, Tuple[int, int]], packages: Tuple[str, ...], codes_by_path: Dict[str, str]
):
    """The last full run's findings of these targets, {path: findings}, when no project file has changed
    since in a way that could change them; None otherwise. It reads no stored summary and loads no index.
    With them, how that run named the project's modules ({path: (module, is_package)}, aliases) if the
    files and package folders are the same, so the same names (module naming asks the file system).

    Findings are a function of the files, the folders of packages, the settings and, per file, of its
    summary and the linked index (which decide what each rule reads of it) and of what the rules read.
    So a file either untouched or with the same code_digest (comments or blank lines edited between
    statements, a file saved again) leaves them as they were; so does a code edit that leaves the file's
    summary as it was (the index is then the same) and the text the rules read of it too (focus.py): a
    message reworded in a function no rule looks at. `stats`: each project file's (mtime_ns, size), in
    order."""
    state = cache.last_run()
    if state is None or state.get("paths") != tuple(stats) or state["packages"] != packages:
        return None, None
    files = state["files"]
    aliases = state.get("aliases")
    naming = ({path: (entry[3], entry[4]) for path, entry in files.items()}, aliases) if aliases is not None else None
    if state.get("fingerprint") != settings.fingerprint:
        return None, naming
    stored_codes = state.get("codes", {})
    if any(stored_codes.get(path) != codes for path, codes in codes_by_path.items()):
        return None, naming
    changed = {}
    for path, stat in stats.items():
        mtime, size, digest, *identity = files[path]
        if stat == (mtime, size):
            continue
        try:
            with open(path, "rb") as handle:
                raw = handle.read()
        except OSError:
            return None, naming
        from fastapi_asynclint.index.build import LAYOUT_MIN_BYTES, digest_of, resummarize_bytes, summarize_bytes

        module, is_package, facts, focus = identity
        summary = None
        if len(raw) >= LAYOUT_MIN_BYTES:  # a large file: re-summarised from its last summary if it can be
            previous = cache.previous_summary(path, module, is_package)
            summary = resummarize_bytes(raw, previous, module, is_package) if previous is not None else None
        now = summary.digest if summary is not None else digest_of(raw)
        if digest is None or now is None:
            return None, naming
        if now != digest:
            summary = summary or summarize_bytes(raw, module, is_package)
            if not _reads_the_same(summary, facts, focus, raw, path in codes_by_path):
                cache.put_summary(path, module, is_package, stat, summary)  # the full run that follows reads it
                return None, naming
        changed[path] = (*stat, now, *identity)  # the stat taken before the read
    findings = cache.last_run_findings()
    if findings is None:
        return None, naming
    if changed:
        cache.put_last_run({**state, "files": {**files, **changed}})
    return {path: findings[path][1] for path in codes_by_path}, naming


def _reads_the_same(summary, facts: str, focus, raw: bytes, target: bool) -> bool:
    """Whether an edited file still gives the index and the rules what it gave them: the same summary (its
    facts) and, for a file whose findings are asked for, the same focused text (`focus`: the record of its
    last lint)."""
    if not facts or summary.facts != facts:
        return False
    if not target:
        return True
    if focus is None:
        return False
    from fastapi_asynclint.focus import reads_the_same
    from fastapi_asynclint.source import decode_source

    return reads_the_same(focus, decode_source(raw).text, summary.summary)


def _put_last_run(cache, settings: Settings, project_names, summaries, packages, findings, focus, aliases) -> None:
    files = {}
    for path in project_names:
        stored, summary = cache.summary_identity(path), summaries.get(path)
        if stored is None or summary is None:
            return  # a file that could not be read: nothing to compare the next run with
        mtime, size, module, is_package = stored
        # Only a parsed file's digest can be recomputed from its bytes alone (digest_of).
        digest = summary.digest if summary.digest.startswith("code:") else None
        files[path] = (mtime, size, digest, module, is_package, summary.facts, focus.get(path))
    state = {"fingerprint": settings.fingerprint, "paths": tuple(project_names), "files": files}
    codes = {path: entry[0] for path, entry in findings.items()}
    cache.put_last_run({**state, "packages": packages, "codes": codes, "findings": findings, "aliases": aliases})


def _file_stats(project_files: Sequence[str]) -> Optional[Dict[str, Tuple[int, int]]]:
    """Each project file's (mtime_ns, size), in order; None if one cannot be read."""
    stats = {}
    for path in project_files:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        stats[path] = (stat.st_mtime_ns, stat.st_size)
    return stats


def _package_folders(settings: Settings, project_files: Sequence[str]) -> Tuple[str, ...]:
    """The folders holding an `__init__.py` among all that module naming can ask about (ModuleMap): each
    project file's folder and those above it up to the root. One may be excluded or lie outside the
    project, and module names, so findings, change with them."""
    root = str(settings.root)
    folders = set()
    for path in project_files:
        folder = os.path.dirname(path)
        while folder not in folders:
            folders.add(folder)
            parent = os.path.dirname(folder)
            if folder == root or parent == folder:
                break
            folder = parent
    return tuple(sorted(folder for folder in folders if os.path.isfile(os.path.join(folder, "__init__.py"))))


def _project_state(settings: Settings, stats: Dict[str, Tuple[int, int]], packages: Tuple[str, ...]) -> str:
    """What every file's findings depend on besides its enabled codes: the settings, each project file's
    size and modification time (ruff's cache test) and the package folders."""
    digest = hashlib.blake2b(settings.fingerprint.encode(), digest_size=16)
    for path, (mtime, size) in stats.items():
        digest.update(f"P{path}\0{mtime}\0{size}\n".encode())
    for folder in packages:
        digest.update(f"I{folder}\n".encode())
    return digest.hexdigest()


def _lint_all(jobs, index, settings, options, summaries, cache) -> List[FileReport]:
    from fastapi_asynclint.focus import UNWANTED
    from fastapi_asynclint.index.build import LAYOUT_MIN_BYTES
    from fastapi_asynclint.reuse import Memo, holds

    reports: Dict[str, FileReport] = {}
    todo: List[_Job] = []
    # path -> (own key, linked key): what a file that missed the fresh result is stored under once linted.
    keys: Dict[str, Tuple[str, str]] = {}
    cacheable = cache is not None and not (options.fix or options.diff or options.force_analysis)
    project = _project_facts(summaries) if cacheable else ""
    link_key = _link_key(summaries, index, settings) if cache is not None else ""
    link_adopted = False
    links_afresh = False  # no link state stored for these link facts: this run computes it
    seeded = 0  # resolutions taken over with the link state
    # What of the models the cache kept and this run took over (see ProjectIndex.adopt_models).
    adopted_models: FrozenSet[str] = frozenset()
    stored_facts = ""

    def link() -> None:
        """Take the last run's resolutions and blocking fixpoint if the project's link facts are the same
        (a route body edited, a comment added); else they are computed on first use, and stored below.
        With them, its project-wide models, if their parts are still what they were merged from."""
        nonlocal link_adopted, adopted_models, stored_facts, seeded, links_afresh
        if cache is not None and not (link_adopted or links_afresh) and index.link_state() is None:
            state = cache.link_state(link_key)
            links_afresh = state is None
            if state is not None:
                index.adopt_link_state(state)
                link_adopted = True
                index.adopt_resolutions(cache.resolutions(link_key) or {})
                seeded = index.resolution_count()
                stored = cache.models(link_key)
                if stored is not None and index.adopt_models(stored):
                    adopted_models = frozenset(index.models())
                    stored_facts = stored.get("index_facts", "")

    fingerprinted_large = 0

    def fingerprint(path: str, summary) -> str:
        """The file's fingerprint. A run that links from scratch records the resolutions a large file's
        fingerprint asks for, to be kept; one that took the link state over reads them back for the first
        few large files it fingerprints (a file or two edited: those are what it resolves; a run that
        fingerprints many files resolves most of the project anyway)."""
        nonlocal fingerprinted_large, seeded
        if _size_of(path) < LAYOUT_MIN_BYTES:
            return index.file_fingerprint(summary)
        fingerprinted_large += 1
        if links_afresh:
            found, record = index.recorded_fingerprint(summary)
            cache.put_file_resolutions(link_key, path, record)
            return found
        if link_adopted and fingerprinted_large <= _RECORDED_FILES_READ:
            before = index.resolution_count()
            index.adopt_resolutions(cache.file_resolutions(link_key, path) or {})
            seeded += index.resolution_count() - before  # taken over, as those of the link state
        return index.file_fingerprint(summary)

    def linked_key(job: _Job, file_summary) -> str:
        link()
        found = fingerprint(job.path, file_summary.summary) if file_summary.summary else ""
        return cache.result_key(file_summary.digest, settings.fingerprint, found, job.enabled)

    def unwanted_key(job: _Job, file_summary) -> str:
        """The key of a file that no rule wanted: what the prefilter reads (its summary and the linked
        index), not the file's bytes. An edit that leaves the summary as it was (comments or blank lines
        added after the code, a docstring reworded in place) is then settled without importing libcst.
        "" for a file with a problem (FAL9xx)."""
        if file_summary.problem is not None or not file_summary.facts:
            return ""
        return cache.result_key(f"summary {file_summary.facts}", settings.fingerprint, index_facts(), job.enabled)

    def still_holds(path: str) -> bool:
        """Whether the lookups the stored findings made beyond the file's fingerprint answer the same."""
        depends = cache.depends(path)
        if depends is None:
            return True
        link()
        return holds(index, depends)

    settled = ""

    def index_facts() -> str:
        nonlocal settled
        if not settled:
            link()
            settled = stored_facts or _index_facts(index, link_key)
        return settled

    for job in jobs:
        file_summary = summaries.get(job.path)
        if cacheable and file_summary is not None and job.raw is None:
            own = cache.result_key(file_summary.digest, settings.fingerprint, "", job.enabled)
            # While nothing the index reads has changed, a stored result stands without relinking; then
            # while nothing that the linked index gives any file has changed (one file's coroutine bodies
            # edited); else if the index facts this file depends on (its fingerprint) are the same. Each
            # only for the same content (own key) and if what the findings looked up still answers the same.
            hit = None
            stands = cache.has_result_for(job.path, own) and still_holds(job.path)
            if stands:
                hit = cache.fresh_result(job.path, own, project)
                if hit is None:
                    hit = cache.settled_result(job.path, own, index_facts())
                    if hit is not None:
                        cache.confirm(project, settled)
            if hit is None:
                linked = linked_key(job, file_summary)
                keys[job.path] = (own, linked)
                hit = cache.result(job.path, linked) if stands else None
                if hit is not None:
                    focus, depends = cache.focus(job.path), cache.depends(job.path)
                    cache.put_result(job.path, linked, hit, own, project, settled, focus, depends)
            if hit is None:
                unwanted = unwanted_key(job, file_summary)
                hit = cache.result(job.path, unwanted) if unwanted else None
                if hit is not None:
                    cache.put_result(job.path, unwanted, hit, own, project, settled, UNWANTED)
            if hit is not None:
                reports[job.path] = FileReport(job.path, diagnostics=list(hit), focus=cache.focus(job.path))
                continue
        if cacheable and file_summary is not None and job.raw is None:
            # To be linted: what it found for the same code the rules read may stand (reuse.py).
            job.memo = Memo(cache.memo(job.path))
        todo.append(job)
    if todo:
        from fastapi_asynclint.libcst_import import import_libcst

        import_libcst(cache.folder if cache is not None else None)
        # Link once in the parent, before forking, so no worker repeats the fixpoint.
        link()
        index.witnesses
        index.fastapi
        if len(todo) >= PARALLEL_THRESHOLD:
            # Project-wide passes the rules may ask for: done once here, not once per worker (and each
            # worker walking every summary would copy the parent's shared pages into its own memory).
            index.context_vars
            index.awaited_functions()
            index.held_contexts()
            from fastapi_asynclint.engine import preload

            preload(frozenset().union(*(job.enabled for job in todo)))
    sizes = {job.path: _size(job) for job in todo}
    if len(todo) >= PARALLEL_THRESHOLD:
        # Largest first: a worker meets the big files (a 20k-line module holds 150 MB of libcst tree) while
        # its heap is fresh, instead of on top of what a long run has grown it to; and the small files
        # at the end even out the workers' finishing times.
        todo.sort(key=lambda job: sizes[job.path], reverse=True)

    def recorded_facts() -> str:
        # A run that linked from scratch pays little more for the models index_facts reads; one that took
        # the stored link (a file or two edited) does not build them only to record them: its files then
        # settle by their fingerprints next time.
        return index_facts() if settled or not link_adopted else ""

    job_of = {job.path: job for job in todo}
    for report in _map(_lint_job, todo, options.jobs, options.progress, [sizes[job.path] for job in todo]):
        reports[report.path] = report
        if report.path in keys and not report.errors:
            if report.memo is not None:
                cache.put_memo(report.path, report.memo)
            own, linked = keys[report.path]
            if not report.analysed and not report.diagnostics:
                linked = unwanted_key(job_of[report.path], summaries[report.path]) or linked
            cache.put_result(
                report.path, linked, report.diagnostics, own, project, recorded_facts(), report.focus, report.depends
            )
    state = index.link_state()
    if cache is not None and not link_adopted and state is not None:
        cache.put_link_state(link_key, state)
    # A run that took the link state over (a file or two edited) keeps what it resolved, for the next edit;
    # one that linked from scratch resolved the whole project, more than is worth loading for one file.
    if cache is not None and link_adopted and seeded < index.resolution_count() <= _KEPT_RESOLUTIONS:
        cache.put_resolutions(link_key, index.resolutions())
    # The models are kept once built, or when this run built more of them than it took over.
    if cache is not None and state is not None and (set(index.models()) - adopted_models or settled not in ("", stored_facts)):
        stored = index.stored_models()
        if stored is not None:
            cache.put_models(link_key, {**stored, "index_facts": settled} if settled else stored)
    return [reports[job.path] for job in jobs]


def _index_facts(index: "ProjectIndex", link_key: str) -> str:
    """What any file's findings read from the linked index besides its own summary: the link state (by
    its key), FastAPI's routes and dependencies, the awaited functions and the context-var model. A
    superset of every file's fingerprint (ProjectIndex.file_fingerprint)."""
    model = index.fastapi
    parts = (
        link_key,
        sorted(model.routes.items()),
        sorted(model.dependencies),
        sorted(model.middleware),
        sorted(model.cached),
        sorted(index.awaited_functions()),
        sorted(index.held_contexts().items()),
        index.context_facts(),
    )
    return hashlib.blake2b(repr(parts).encode(), digest_size=16).hexdigest()


def _link_key(summaries: Dict[str, "FileSummary"], index: "ProjectIndex", settings: Settings) -> str:
    """What the index's link state depends on: the settings (the catalogue), module names, and every
    project file's link facts (FileSummary.link)."""
    digest = hashlib.blake2b(settings.fingerprint.encode(), digest_size=16)
    for path in sorted(summaries):
        digest.update(f"{path}\0{summaries[path].link}\n".encode())
    for alias, canonical in sorted(index.aliases.items()):
        digest.update(f"A{alias}\0{canonical}\n".encode())
    return digest.hexdigest()


def _size(job: _Job) -> int:
    return len(job.raw) if job.raw is not None else _size_of(job.path)


def _size_of(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _project_facts(summaries: Dict[str, "FileSummary"]) -> str:
    """A digest of what the index reads from every project file (see FileSummary.facts)."""
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(summaries):
        digest.update(f"{path}\0{summaries[path].facts}\n".encode())
    return digest.hexdigest()


def write_fixes(result: CheckResult) -> List[str]:
    """Write every fixed file back, atomically, in its own encoding, BOM and line endings. Returns the paths."""
    from fastapi_asynclint.writer import write_atomic

    written = []
    for report in result.files:
        if report.changed and report.source is not None and report.fixed is not None:
            write_atomic(Path(report.path), report.source.encode(report.fixed))
            written.append(report.path)
    return written


def _project_files(
    settings: Settings,
    targets: Sequence[str],
    paths: Sequence[str] = (),
    folders: Optional[List[str]] = None,
    ignore_files: Optional[List[str]] = None,
) -> List[str]:
    """Every file of the project (the targets and the rest of the root), as text, in Path order; the
    folders listed to find them are added to `folders`, the .gitignore files read to `ignore_files`."""
    if not settings.root_found or any(Path(raw).absolute() == settings.root for raw in paths):
        return list(targets)  # discovered in Path order already
    files = set(targets)
    found = discover([str(settings.root)], settings.root, settings.exclude)
    files.update(found.names)
    if folders is not None:
        folders.extend(found.folders)
    if ignore_files is not None:
        ignore_files.extend(found.ignore_files)
    return sorted(files, key=path_order)
