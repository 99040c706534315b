"""Check one file: prefilter on its index summary, then one libcst traversal with every rule that wants it.

The engine knows nothing of files on disk, processes or output: it takes text and returns findings, so the
CLI, the fixer, the tests and the language server share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, FrozenSet, List, Optional, Sequence, Type

from fastapi_asynclint.diagnostics import Diagnostic, Location
from fastapi_asynclint.focus import UNWANTED, Focus, FocusRecord, focus, focus_record
from fastapi_asynclint.index.build import FileSummary, Problem, empty_summary, too_deep
from fastapi_asynclint.index.project import ProjectIndex
from fastapi_asynclint.noqa import filter_suppressed
from fastapi_asynclint.registry import all_rules
from fastapi_asynclint.reuse import Depends, Memo, Stored, depends_on, holds, memo_key, to_focused, to_original
from fastapi_asynclint.rule import LintRule, RuleInput
from fastapi_asynclint.settings import Settings

# libcst is only imported when a file actually needs its rules (the prefilter usually says no).
_PARSE_ERROR_LIMIT = 200


@dataclass
class LintOutcome:
    diagnostics: List[Diagnostic] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    analysed: bool = False
    # What of the text the rules read (see FocusRecord), for a later run to tell whether an edit could matter.
    focus: Optional[FocusRecord] = None
    # (key, findings in focused rows, depends) to store for reuse (reuse.py), when the lint was given a memo.
    memo: Optional[Stored] = None
    # What the findings read of the index beyond the file's fingerprint, and what it answered:
    # (FileContext.lookups, ProjectIndex.answers), or None when they read nothing more.
    depends: Optional[Depends] = None


_RULE_CLASSES: Dict[str, Type[LintRule]] = {}


def rule_classes(codes: FrozenSet[str]) -> List[Type[LintRule]]:
    table = all_rules()
    classes = []
    for code in sorted(codes):
        info = table.get(code)
        if info is None:
            continue
        rule = _RULE_CLASSES.get(code)
        if rule is None:
            rule = _RULE_CLASSES[code] = info.load()
        if getattr(rule, "ENGINE_REPORTED", False):
            continue  # FAL900/FAL901 are produced by the engine itself
        classes.append(rule)
    return classes


def preload(codes: FrozenSet[str]) -> None:
    """Import what linting a file can need: the rules' modules, the metadata providers they resolve and
    libcst's codemods (fixes that add an import). Called before forking workers, so that each does not
    import them itself (0.2 to 0.4 s of CPU and 15 to 22 MB of its own memory per worker process)."""
    import libcst.codemod.visitors  # noqa: F401
    import libcst.metadata  # noqa: F401

    import fastapi_asynclint.focus  # noqa: F401
    import fastapi_asynclint.semantic  # noqa: F401
    import fastapi_asynclint.source  # noqa: F401

    rule_classes(codes)


def problem_diagnostic(path: str, problem: Problem) -> Diagnostic:
    location = Location(max(problem.row, 1), max(problem.column, 1))
    return Diagnostic(problem.code, problem.message, path, location, location, noqa_row=None)


def lint_text(
    path: str,
    text: str,
    file_summary: FileSummary,
    module_name: str,
    is_package: bool,
    index: ProjectIndex,
    settings: Settings,
    enabled: FrozenSet[str],
    force: bool = False,
    memo: Optional[Memo] = None,
) -> LintOutcome:
    """Findings for one decoded file. `force` skips the prefilter (tests prove it never changes results).
    With a `memo`, findings stored for the same focused text are reused (reuse.py), and the outcome
    carries what to store for next time."""
    outcome = LintOutcome()
    problem = file_summary.problem
    if problem is not None and problem.code in ("FAL901", "FAL902"):
        if problem.code in enabled:
            outcome.diagnostics.append(problem_diagnostic(path, problem))
        return outcome
    if problem is not None and _beyond_parser_limits(text):
        # Not valid for this interpreter and too deep for libcst's native parser to try safely.
        if "FAL902" in enabled:
            outcome.diagnostics.append(problem_diagnostic(path, too_deep("brackets nest too deeply")))
        return outcome
    summary = file_summary.summary or empty_summary(module_name, is_package)
    rule_input = RuleInput(summary, index, settings)
    classes = [rule for rule in rule_classes(enabled) if force or problem is not None or rule.wants(rule_input)]
    if not classes and problem is None:
        outcome.focus = UNWANTED
        return outcome
    focused, keep = Focus(text), None
    if classes and problem is None and not force:
        focused, keep = _focused(text, summary, classes, rule_input)
        if keep is not None:
            outcome.focus = focus_record(text, focused.text, keep)
    key = None
    if memo is not None and keep is not None:
        codes = [rule.CODE for rule in classes]
        fingerprint = index.file_fingerprint(summary, kept=lambda function: focused.focused_row(function.row) is not None)
        key = memo_key(path, module_name, is_package, focused, keep, codes, enabled, settings.fingerprint, fingerprint, summary)
        if key is not None and memo.stored is not None and memo.stored[0] == key and holds(index, memo.stored[2]):
            outcome.analysed, outcome.memo, outcome.depends = True, memo.stored, memo.stored[2]
            outcome.diagnostics = _finished(to_original(memo.stored[1], focused), text)
            return outcome
    import libcst as cst
    from libcst.metadata import MetadataWrapper

    from fastapi_asynclint.rule import FileContext

    try:
        module = cst.parse_module(focused.text)
    except cst.ParserSyntaxError as exc:
        if "FAL900" in enabled:
            outcome.diagnostics.append(problem_diagnostic(path, problem or _libcst_problem(exc)))
        return outcome
    except RecursionError:
        if "FAL902" in enabled:
            outcome.diagnostics.append(problem_diagnostic(path, too_deep("libcst ran out of stack")))
        return outcome
    if not classes:
        return outcome
    outcome.analysed = True
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    context = FileContext(path, text, focused, module, wrapper, module_name, is_package, summary, index, settings)
    companions = []
    for rule in classes:
        for companion in rule.COMPANIONS:
            if companion not in context.memo:
                context.memo[companion] = companion(context)
                companions.append(context.memo[companion])
    rules = [rule(context) for rule in classes]
    try:
        wrapper.visit_batched([*companions, *rules])
    except RecursionError:
        if "FAL902" in enabled:
            outcome.diagnostics.append(problem_diagnostic(path, too_deep("libcst ran out of stack")))
        return outcome
    except Exception as exc:  # noqa: BLE001 - libcst's metadata failing on one file must not stop the run
        if "FAL902" in enabled:
            reason = f"libcst failed: {type(exc).__name__}"
            outcome.diagnostics.append(problem_diagnostic(path, Problem("FAL902", f"File could not be analysed ({reason})")))
        return outcome
    for rule in rules:
        if rule.crash is not None:
            outcome.errors.append(f"{path}: rule {rule.CODE} failed: {type(rule.crash).__name__}: {rule.crash}")
        for report in rule.reports:
            start, end = context.span(report.node)
            outcome.diagnostics.append(
                Diagnostic(
                    code=report.code,
                    message=report.message,
                    filename=path,
                    location=start,
                    end_location=end,
                    fix=report.fix,
                    chain=report.chain,
                    noqa_row=start.row,
                )
            )
    outcome.depends = depends_on(index, context.lookups)
    if key is not None and not outcome.errors:
        moved = to_focused(outcome.diagnostics, focused)
        outcome.memo = (key, moved, outcome.depends) if moved is not None else None
    outcome.diagnostics = _finished(outcome.diagnostics, text)
    return outcome


def _finished(diagnostics: List[Diagnostic], text: str) -> List[Diagnostic]:
    """The findings the file's noqa comments leave, in report order."""
    kept = filter_suppressed(diagnostics, text)
    kept.sort(key=lambda d: d.sort_key)
    return kept


def _focused(text: str, summary, classes: Sequence[Type[LintRule]], rule_input: RuleInput):
    """The text the rules need to read, and the definitions kept in it (None: the whole text)."""
    keep: set = set()
    for rule in classes:
        wanted = rule.focus(rule_input)
        if wanted is None:
            return Focus(text), None
        keep |= wanted
    return focus(text, summary.functions, summary.classes, frozenset(keep)), frozenset(keep)


_MAX_BRACKET_DEPTH = 400
_MAX_LINE = 200_000


def _beyond_parser_limits(text: str) -> bool:
    """A cheap over-estimate of nesting (brackets inside strings count too): libcst's Rust parser
    overflows its stack, killing the process, somewhere past a few thousand levels."""
    depth = deepest = 0
    for char in text:
        if char in "([{":
            depth += 1
            if depth > deepest:
                deepest = depth
        elif char in ")]}":
            depth -= 1
    return deepest > _MAX_BRACKET_DEPTH or any(len(line) > _MAX_LINE for line in text.splitlines())


def _libcst_problem(exc: BaseException) -> Problem:
    row = getattr(exc, "raw_line", 1) or 1
    column = (getattr(exc, "raw_column", 0) or 0) + 1
    message = getattr(exc, "message", None) or str(exc).splitlines()[0][:_PARSE_ERROR_LIMIT]
    return Problem("FAL900", f"SyntaxError: {message}", row, column)
