"""Findings kept from an earlier run (FindingsRecord, in the cache), and whether they still stand.

A record stands for a file when the rows its chains show in other files are unchanged, and either the
file's code is the same (comments between statements aside) and the semantic key or the file's own
fingerprint is too, or an edit left what the rules read of the file (its focused text, the records of the
code kept in it, and their fingerprint) as it was: the findings then move with the rows (focus.py).
See dependencies.py for the keys.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Dict, FrozenSet, List, Optional, Tuple

from fastapi_asynclint.dependencies import chain_files, combined, focus_key, function_facts
from fastapi_asynclint.diagnostics import Diagnostic


@dataclass(frozen=True)
class FindingsRecord:
    """One file's findings and what they were made of (see dependencies.py and findings.py)."""

    # The file's code digest (build.FileFacts.code_digest) and its enabled codes.
    code_digest: str
    enabled: str
    # The project's semantic key when they were made: while it is the same, nothing they read of other
    # files has changed but rows.
    semantic: str
    # What the file's code reads of other files (dependencies.fingerprint), for when the semantic key
    # changed; and the functions the rules read (None: the whole file).
    fingerprint: str
    kept: Optional[Tuple[str, ...]]
    # (path, code digest) of the other files whose rows the findings show (their call chains).
    chain_files: Tuple[Tuple[str, str], ...]
    # After noqa, in the file's rows.
    findings: Tuple[Diagnostic, ...]
    # What the rules read of the file (dependencies.focus_key) and their findings before noqa, in the rows
    # of that focused text: an edit outside what they read keeps them, moved with the rows.
    focus_key: str = ""
    focused: Tuple[Diagnostic, ...] = ()


def codes(enabled: FrozenSet[str]) -> str:
    return ",".join(sorted(enabled))


def _only(kept: Optional[Tuple[str, ...]]):
    return None if kept is None else (lambda function, names=frozenset(kept): function.qualname in names)


def _identity(job, rules, settings) -> Tuple[str, ...]:
    return (job.path, job.name.name, str(job.name.is_package), *sorted(rule.CODE for rule in rules), codes(job.enabled), settings.fingerprint)


def _chains_stand(record: FindingsRecord, project) -> bool:
    return all(project.code(path) == digest for path, digest in record.chain_files)


def new_record(job, outcome, file_summary, linked, settings, project) -> FindingsRecord:
    """The record of a file just linted (`outcome`: engine.LintOutcome)."""
    from fastapi_asynclint.index.build import empty_summary

    summary = file_summary.summary or empty_summary(job.name.name, job.name.is_package)
    plan = outcome.plan
    kept = plan.kept_functions(summary) if plan is not None and plan.keep is not None else None
    facts = function_facts(linked.index, summary)
    chains = tuple((path, project.code(path)) for path in chain_files(job.path, outcome.diagnostics))
    key = ""
    if plan is not None and outcome.focused is not None:
        records = plan.records(summary)
        if records is not None:
            read = combined(linked.index, facts, summary, _only(kept))
            key = focus_key(_identity(job, plan.rules, settings), plan.focused.text, records, read)
    return FindingsRecord(
        code_digest=file_summary.facts.code_digest, enabled=codes(job.enabled), semantic=linked.semantic_key,
        fingerprint=combined(linked.index, facts, summary), kept=kept, chain_files=chains,
        findings=tuple(outcome.diagnostics), focus_key=key, focused=outcome.focused or (),
    )


def unchanged(project, cache, enabled, semantic: str) -> Optional[Dict[str, Tuple[Diagnostic, ...]]]:
    """Every target's kept findings, for a run whose project key is the last run's (so is its semantic
    key); None unless every target has a record for its content and codes."""
    found = {}
    for path in project.targets:
        record = cache.findings(path)
        if record is None or record.code_digest != project.code(path) or record.semantic != semantic:
            return None
        if record.enabled != codes(enabled[path]) or not _chains_stand(record, project):
            return None
        found[path] = record.findings
    return found


def kept_findings(job, project, linked, settings, cache) -> Optional[List[Diagnostic]]:
    """The file's kept findings if they still stand (see the module docstring), else None."""
    record = cache.findings(job.path)
    file_summary = linked.summaries.get(job.path)
    if record is None or file_summary is None or record.enabled != codes(job.enabled) or not _chains_stand(record, project):
        return None
    if record.code_digest != file_summary.facts.code_digest:
        return _refocused(job, record, file_summary, linked, settings, cache)
    semantic = linked.semantic()
    if record.semantic != semantic:
        summary = file_summary.summary
        if summary is None or combined(linked.index, function_facts(linked.index, summary), summary) != record.fingerprint:
            return None
    if record.semantic != semantic:
        cache.put_findings(job.path, replace(record, semantic=semantic))
    return list(record.findings)


def _refocused(job, record: FindingsRecord, file_summary, linked, settings, cache) -> Optional[List[Diagnostic]]:
    """The findings of an edited file whose rules read what they read before, moved with its rows."""
    from pathlib import Path

    from fastapi_asynclint.engine import finished, plan
    from fastapi_asynclint.focus import to_original
    from fastapi_asynclint.source import UndecodableSource, decode_source

    summary = file_summary.summary
    if summary is None or not record.focus_key:
        return None
    try:
        text = decode_source(Path(job.path).read_bytes()).text
    except (OSError, UndecodableSource):
        return None
    found = plan(text, file_summary, job.name, linked.index, settings, job.enabled)
    kept = found.kept_functions(summary) if found.keep is not None else None
    records = found.records(summary)
    if not found.rules or records is None:
        return None
    facts = function_facts(linked.index, summary)
    read = combined(linked.index, facts, summary, _only(kept))
    if focus_key(_identity(job, found.rules, settings), found.focused.text, records, read) != record.focus_key:
        return None
    diagnostics = finished(to_original(record.focused, found.focused), text)
    cache.put_findings(job.path, replace(
        record, code_digest=file_summary.facts.code_digest, semantic=linked.semantic(),
        fingerprint=combined(linked.index, facts, summary), kept=kept, findings=tuple(diagnostics),
    ))
    return diagnostics
