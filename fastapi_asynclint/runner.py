"""One whole check: find files, summarise and link the project, lint, fix, and collect the results.

The project index covers every Python file under the project root (not only the files asked about), so
that a route in one file is reported for a helper two modules away, and a one-file pre-commit run finds
what a full CI run finds. With a cache, each file's summary is kept by content and each checked file's
findings with what they were made of (dependencies.py): a file is linted again only when its own code, or
what its findings read of the rest of the project, changed.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

from fastapi_asynclint.discovery import discover, path_order
from fastapi_asynclint.pool import PARALLEL_THRESHOLD, SHARED, fan_out
from fastapi_asynclint.results import CheckResult, FileReport, internal_error  # CheckResult, FileReport: re-exported
from fastapi_asynclint.settings import Settings, enabled_for

if TYPE_CHECKING:
    from fastapi_asynclint.cache import Cache, FileState, Stat
    from fastapi_asynclint.index.build import FileSummary
    from fastapi_asynclint.index.modules import ModuleMap, ModuleName
    from fastapi_asynclint.index.project import ProjectIndex

# The analysis modules (libcst, the index, process pools) are imported where they are first needed: a run
# served whole from the cache imports none of them.


@dataclass
class CheckOptions:
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    jobs: Optional[int] = None
    stdin_filename: Optional[str] = None
    stdin_bytes: Optional[bytes] = None
    force_analysis: bool = False
    # Told each phase's progress: (phase, done, total).
    progress: Optional[Callable[[str, int, int], None]] = None
    # Return each linted file's text in its report (always with fix, diff and stdin): only `--add-noqa`
    # needs it otherwise, and sending every file's text back to the parent doubled its memory on a large
    # project.
    keep_sources: bool = False

    @property
    def wants_sources(self) -> bool:
        return self.keep_sources or self.fix or self.diff or self.stdin_filename is not None

    def tell(self, phase: str, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(phase, done, total)


@dataclass
class Project:
    """The files of one run and what is known of them."""

    targets: List[str]
    files: List[str]
    root: str
    # What is known of each file; files that could not be read are absent.
    states: Dict[str, "FileState"] = field(default_factory=dict)
    overrides: Dict[str, bytes] = field(default_factory=dict)
    # What discovery saw of the folders it listed (discovery.Discovery.markers).
    markers: Dict[str, FrozenSet[str]] = field(default_factory=dict)
    # Each file's stat, taken before it was read (None: it could not be).
    stats: Dict[str, Optional["Stat"]] = field(default_factory=dict)
    _names: Optional["ModuleMap"] = None

    @property
    def names(self) -> "ModuleMap":
        """The files' module names (made when first asked for: a run answered whole from the cache needs none)."""
        if self._names is None:
            from fastapi_asynclint.index.modules import ModuleMap

            self._names = ModuleMap(self.files, self.root, self.markers)
        return self._names

    def code(self, path: str) -> str:
        """The file's code digest ("" if unknown or unreadable)."""
        found = self.states.get(path)
        return found.code if found is not None else ""


@dataclass
class Linked:
    """The project's summaries and linked index, with the keys of what the index knows."""

    index: "ProjectIndex"
    summaries: Dict[str, "FileSummary"]
    link_key: str
    semantic_key: str = ""

    def semantic(self) -> str:
        """The semantic key (dependencies.semantic_key), computed when first asked for."""
        if not self.semantic_key:
            from fastapi_asynclint.dependencies import semantic_key

            models = self.index.models
            parts = {path: models.digest(path) for path in sorted(self.index.summaries)}
            self.semantic_key = semantic_key(self.link_key, parts)
        return self.semantic_key


# ---------------------------------------------------------------------------- files
def _files(paths: Sequence[str], settings: Settings, options: CheckOptions, result: CheckResult) -> Project:
    overrides: Dict[str, bytes] = {}
    markers: Dict[str, FrozenSet[str]] = {}
    if options.stdin_filename is not None:
        stdin_path = str(Path(options.stdin_filename).absolute())
        targets = [stdin_path]
        overrides[stdin_path] = options.stdin_bytes or b""
    else:
        options.tell("finding files", 0, 0)
        found = discover(paths, settings.root, settings.exclude)
        targets, result.missing, result.unreadable, markers = found.names, found.missing, found.unreadable, found.markers
        _probe(result, [*settings.probes, *found.probes])
    files = _project_files(settings, targets, paths, markers, result)
    return Project(targets, files, str(settings.root), overrides=overrides, markers=markers)


def _project_files(
    settings: Settings, targets: Sequence[str], paths: Sequence[str], markers: Dict[str, FrozenSet[str]], result: CheckResult
) -> List[str]:
    """Every file of the project (the targets and the rest of the root), as text, in Path order; what its
    discovery saw of folders is added to `markers`, what it looked at to the result's probes."""
    if not settings.root_found or any(Path(raw).absolute() == settings.root for raw in paths):
        return list(targets)  # discovered in Path order already
    found = discover([str(settings.root)], settings.root, settings.exclude)
    markers.update(found.markers)
    _probe(result, found.probes)
    return sorted(set(targets) | set(found.names), key=path_order)


def _probe(result: CheckResult, paths: Sequence[str]) -> None:
    """The stat of each path the run's output depends on, taken before anything was read from it."""
    from fastapi_asynclint.cache import file_stat

    for path in paths:
        if path not in result.probes:
            result.probes[path] = file_stat(path)


def _read_states(project: Project, cache: Optional["Cache"]) -> None:
    """Each project file's content digest, and its code digest where the cache knows it: what the cache
    kept while the file's stat is unchanged, else read."""
    from fastapi_asynclint.cache import FileState, content_digest, file_stat

    stats = {path: file_stat(path) for path in project.files if path not in project.overrides}
    project.stats = stats
    known = cache.known_files(stats) if cache is not None else {}
    for path in project.files:
        if path in project.overrides:
            project.states[path] = FileState(None, content_digest(project.overrides[path]))
        elif path in known:
            project.states[path] = known[path]
        else:
            try:
                raw = Path(path).read_bytes()
            except OSError:
                continue
            project.states[path] = FileState(stats[path], content_digest(raw))


def project_key(project: Project, settings: Settings) -> str:
    """A digest of every input of the run's findings: settings, files (by code) and what their module names
    are made of (modules.layout_digest)."""
    from fastapi_asynclint.index.modules import layout_digest

    digest = hashlib.blake2b(settings.fingerprint.encode(), digest_size=16)
    digest.update(layout_digest(project.files, project.root, project.markers).encode())
    for path in project.files:
        digest.update(f"{path}\0{project.code(path)}\n".encode())
    return digest.hexdigest()


# ---------------------------------------------------------------------------- summaries and the index
def _summarize_job(job: Tuple[str, "ModuleName", Optional[bytes]]) -> Tuple[str, Optional["FileSummary"]]:
    from fastapi_asynclint.index.build import summarize_bytes

    path, name, raw = job
    try:
        data = raw if raw is not None else Path(path).read_bytes()
    except OSError:
        return path, None
    return path, summarize_bytes(data, name)


def _summary_key(project: Project, path: str) -> str:
    from fastapi_asynclint.cache import Cache

    name = project.names.name(path)
    return Cache.summary_key(project.states[path].content, name.name, name.is_package, name.renames)


def summaries(
    project: Project, paths: Sequence[str], cache: Optional["Cache"], jobs: Optional[int], options: CheckOptions
) -> Dict[str, "FileSummary"]:
    """The summaries of these readable files, from the cache where it holds them, else made by the workers;
    each file's state then knows its summary's facts (its code digest among them)."""
    found: Dict[str, "FileSummary"] = {}
    missing = []
    keys = {path: _summary_key(project, path) for path in paths}
    for path, key in keys.items():
        state = project.states[path]
        if cache is not None and state.summary_key == key and state.facts is not None:
            found[path] = _kept_summary(project, path, key, state.facts, cache)
            continue
        cached = cache.summary(key) if cache is not None and path not in project.overrides else None
        if cached is not None:
            found[path] = cached
        else:
            missing.append((path, project.names.name(path), project.overrides.get(path)))
    progress = (lambda done, total: options.tell("indexing", done, total)) if options.progress else None
    sizes = [len(raw) if raw is not None else (project.stats.get(path) or (0,))[0] for path, _, raw in missing]
    for path, summary in fan_out(_summarize_job, missing, jobs, progress, sizes, ["fastapi_asynclint.index.build"]):
        if summary is None:
            continue
        found[path] = summary
        if cache is not None and path not in project.overrides:
            cache.put_summary(keys[path], summary)
    if cache is not None:
        cache.flush()
    for path, summary in found.items():
        state = project.states[path]
        if state.summary_key != keys[path] or state.facts is not summary.facts:
            project.states[path] = replace(state, summary_key=keys[path], facts=summary.facts)
    return found


def _kept_summary(project: Project, path: str, key: str, facts, cache: "Cache") -> "FileSummary":
    """The summary the cache keeps for the file, read only when the index first reads it (made again from
    the file if the cache lost it meanwhile)."""
    from fastapi_asynclint.index.build import FileSummary, summarize_bytes

    def load() -> Optional[bytes]:
        kept = cache.summary_bytes(key)
        if kept is not None:
            return kept
        _, made = _summarize_job((path, project.names.name(path), project.overrides.get(path)))
        return made.pickled() if made is not None else summarize_bytes(b"", project.names.name(path)).pickled()

    return FileSummary(facts, load=load) if facts.problem is None else FileSummary(facts)


def link_key(project: Project, summaries_: Dict[str, "FileSummary"], settings: Settings) -> str:
    """What the link state depends on: the settings (the catalogue), module names and every file's link facts."""
    digest = hashlib.blake2b(settings.fingerprint.encode(), digest_size=16)
    for path in sorted(summaries_):
        digest.update(f"{path}\0{project.names.name(path).name}\0{summaries_[path].facts.link}\n".encode())
    for alias, module in sorted(project.names.aliases().items()):
        digest.update(f"A{alias}\0{module}\n".encode())
    return digest.hexdigest()


def link(
    project: Project, settings: Settings, cache: Optional["Cache"], options: CheckOptions, known: Optional[Dict[str, "FileSummary"]] = None
) -> Linked:
    """The project linked: summaries (`known`, the rest read or made) and the index over them."""
    from fastapi_asynclint.catalog import build_catalog
    from fastapi_asynclint.index.project import ProjectIndex, SummaryTable

    found = dict(known or {})
    rest = [path for path in project.files if path in project.states and path not in found]
    found.update(summaries(project, rest, cache, options.jobs, options))
    parsed = {path: summary for path, summary in found.items() if summary.parsed}
    table = SummaryTable(parsed, {path: project.names.name(path).name for path in parsed})
    key = link_key(project, found, settings)
    state = cache.link_state(key) if cache is not None and cache.run_state().link == key else None
    catalog = build_catalog(settings.extra_blocking_calls, settings.extra_offload_wrappers)
    index = ProjectIndex(table, catalog, project.names.aliases(), state, frozenset(settings.extra_nonblocking_calls))
    return Linked(index, found, key)


def link_files(files: Sequence[str], settings: Settings, cache=None, overrides: Optional[Dict[str, bytes]] = None) -> Tuple[Project, Linked]:
    """The linked index of these files (all of a project), in this process: for the language server and tests."""
    project = Project([], sorted(files, key=path_order), str(settings.root), overrides=dict(overrides or {}))
    _read_states(project, cache)
    return project, link(project, settings, cache, CheckOptions(jobs=1))


# ---------------------------------------------------------------------------- linting
@dataclass
class _Job:
    """What a worker needs to lint one file (the linked index is shared with the workers: pool.SHARED)."""

    path: str
    name: "ModuleName"
    enabled: FrozenSet[str]
    raw: Optional[bytes] = None


def _lint_job(job: _Job) -> FileReport:
    """Lint one file in a worker; an unexpected error is this file's FAL903, not the run's end."""
    try:
        return _lint_file(job)
    except Exception as exc:  # noqa: BLE001 - one file's internal error must not stop the others
        return internal_error(job.path, exc, "FAL903" in job.enabled)


def _lint_file(job: _Job) -> FileReport:
    from fastapi_asynclint.engine import lint_text
    from fastapi_asynclint.index.build import summarize_bytes
    from fastapi_asynclint.source import UndecodableSource, decode_source

    linked: Linked = SHARED["linked"]  # type: ignore[assignment]
    settings: Settings = SHARED["settings"]  # type: ignore[assignment]
    options: CheckOptions = SHARED["options"]  # type: ignore[assignment]
    report = FileReport(job.path)
    try:
        raw = job.raw if job.raw is not None else Path(job.path).read_bytes()
    except OSError as exc:
        report.errors.append(f"{job.path}: cannot read: {exc.strerror or exc}")
        return report
    file_summary = linked.summaries.get(job.path) or summarize_bytes(raw, job.name)
    try:
        source = decode_source(raw)
    except UndecodableSource:
        outcome = lint_text(job.path, "", file_summary, job.name, linked.index, settings, job.enabled)
        report.diagnostics, report.errors = outcome.diagnostics, outcome.errors
        return report
    if options.wants_sources:
        report.source = source
    outcome = lint_text(job.path, source.text, file_summary, job.name, linked.index, settings, job.enabled, options.force_analysis)
    report.diagnostics, report.errors, report.analysed = outcome.diagnostics, outcome.errors, outcome.analysed
    if SHARED.get("records") and not outcome.errors:
        from fastapi_asynclint.findings import new_record

        report.record = new_record(job, outcome, file_summary, linked, settings, SHARED["project"])
    if (options.fix or options.diff) and any(d.fix is not None for d in outcome.diagnostics):
        _fix(job, report, source, file_summary, outcome.diagnostics, linked.index, settings, options)
    return report


def _fix(job: _Job, report: FileReport, source, file_summary, diagnostics, index, settings, options) -> None:
    """Apply the file's fixes, relinting after each round (fixes.fix_text)."""
    from fastapi_asynclint.engine import lint_text
    from fastapi_asynclint.fixes import fix_text
    from fastapi_asynclint.index.build import summarize_bytes
    from fastapi_asynclint.index.project import fix_shape

    def relint(text: str):
        if text == source.text:
            return diagnostics
        summary = summarize_bytes(source.encode(text), job.name)
        linked = index
        if fix_shape(summary.summary) != fix_shape(file_summary.summary):
            # A fix changed what the index knows of the file (a route now `def`, a function now cached):
            # relink it. Most fixes only rewrite coroutine bodies and add an import.
            linked = index.updated(job.path, summary.summary)
        return lint_text(job.path, text, summary, job.name, linked, settings, job.enabled, options.force_analysis).diagnostics

    fixed = fix_text(source.text, relint, options.unsafe_fixes, job.path)
    report.original, report.fixed = source.text, fixed.text
    report.applied = fixed.applied
    report.diagnostics = fixed.diagnostics


def run_check(paths: Sequence[str], settings: Settings, options: CheckOptions = CheckOptions(), cache=None) -> CheckResult:
    result = CheckResult()
    project = _files(paths, settings, options, result)
    _read_states(project, cache)
    result.probes.update(project.stats)
    changed = [path for path in project.files if path in project.states and not project.code(path)]
    known = summaries(project, changed, cache, options.jobs, options)
    keeps_findings = cache is not None and not (project.overrides or options.fix or options.diff or options.force_analysis)
    key = project_key(project, settings)
    enabled = {path: enabled_for(settings, path) for path in project.targets}
    if keeps_findings and cache.run_state().project == key:
        from fastapi_asynclint.findings import unchanged

        stored = unchanged(project, cache, enabled, cache.run_state().semantic)
        if stored is not None:
            result.files = [FileReport(path, diagnostics=list(stored[path])) for path in project.targets]
            _store(cache, project, None, key)
            return result
    linked = link(project, settings, cache, options, known)
    jobs = [_Job(path, project.names.name(path), enabled[path], project.overrides.get(path)) for path in project.targets]
    reports = _lint_all(jobs, project, linked, settings, options, cache if keeps_findings else None)
    for report in reports:
        result.errors.extend(report.errors)
    result.files = reports
    if cache is not None:
        _store(cache, project, linked if keeps_findings else None, key)
    return result


def _lint_all(jobs: List[_Job], project: Project, linked: Linked, settings: Settings, options: CheckOptions, cache) -> List[FileReport]:
    """Each job's report: kept findings where they still stand (findings.py), the others linted."""
    from fastapi_asynclint.findings import kept_findings

    reports: Dict[str, FileReport] = {}
    todo: List[_Job] = []
    for job in jobs:
        found = kept_findings(job, project, linked, settings, cache) if cache is not None else None
        if found is not None:
            reports[job.path] = FileReport(job.path, diagnostics=found)
        else:
            todo.append(job)
    if todo:
        _prepare_workers(linked, todo)
    sizes = {job.path: len(job.raw) if job.raw is not None else _size(job.path) for job in todo}
    if len(todo) >= PARALLEL_THRESHOLD:
        # Largest first: a worker meets the big files while its heap is fresh, and the small files at the
        # end even out the workers' finishing times.
        todo.sort(key=lambda job: sizes[job.path], reverse=True)
    if cache is not None:
        linked.semantic()  # in the parent: each worker's records carry it
    SHARED.update(linked=linked, settings=settings, options=options, records=cache is not None, project=project)
    progress = (lambda done, total: options.tell("checking", done, total)) if options.progress else None
    try:
        made_of = ["fastapi_asynclint.diagnostics", "fastapi_asynclint.source", "fastapi_asynclint.findings"]
        for report in fan_out(_lint_job, todo, options.jobs, progress, [sizes[job.path] for job in todo], made_of):
            reports[report.path] = report
            if cache is not None and report.record is not None:
                cache.put_findings(report.path, report.record)
    finally:
        SHARED.clear()
    return [reports[job.path] for job in jobs]


def _prepare_workers(linked: Linked, todo: List[_Job]) -> None:
    """Build, once and before forking, what every worker's lint reads of the index: else each worker would
    build it again (and walking every summary would copy the parent's shared pages into its memory)."""
    index = linked.index
    index.witnesses
    index.fastapi
    if len(todo) >= PARALLEL_THRESHOLD:
        index.context_vars
        index.awaited_functions()
        index.held_contexts()
        index.models.reach  # where each finding runs (engine.py)
        index.models.connection_readers
        index.state_values
        from fastapi_asynclint.engine import preload

        preload(frozenset().union(*(job.enabled for job in todo)))


def _store(cache: "Cache", project: Project, linked: Optional[Linked], key: str) -> None:
    """Keep every file's state, and with a linked project its link state and the run's keys."""
    from fastapi_asynclint.cache import RunState

    cache.put_files(project.states)
    if linked is not None:
        state = cache.run_state()
        if state.link != linked.link_key or state.semantic != linked.semantic():
            cache.put_link_state(linked.link_key, linked.index.link_state())
        cache.put_run_state(RunState(key, linked.semantic(), linked.link_key))
    cache.save()


def _size(path: str) -> int:
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def write_fixes(result: CheckResult) -> List[str]:
    """Write every fixed file back, atomically, in its own encoding, BOM and line endings. Returns the paths."""
    from fastapi_asynclint.writer import write_atomic

    written = []
    for report in result.files:
        if report.changed and report.source is not None and report.fixed is not None:
            write_atomic(Path(report.path), report.source.encode(report.fixed))
            written.append(report.path)
    return written
