"""Check one file: prefilter on its index summary, then one libcst traversal with every rule that wants it.

The engine knows nothing of files on disk, processes, caches or output: it takes text and returns
findings, so the CLI, the fixer, the tests and the language server share it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Dict, FrozenSet, List, Optional, Tuple, Type

from fastapi_asynclint.diagnostics import Diagnostic, Location
from fastapi_asynclint.focus import Focus, focus, kept_records, to_focused
from fastapi_asynclint.index.build import FileSummary, Problem, empty_summary, too_deep
from fastapi_asynclint.index.summary import MODULE_SCOPE
from fastapi_asynclint.index.modules import ModuleName
from fastapi_asynclint.index.project import ProjectIndex
from fastapi_asynclint.noqa import filter_suppressed
from fastapi_asynclint.registry import all_rules
from fastapi_asynclint.rule import LintRule, RuleInput
from fastapi_asynclint.settings import Settings

# libcst is only imported when a file actually needs its rules (the prefilter usually says no).
_PARSE_ERROR_LIMIT = 200


@dataclass
class LintOutcome:
    diagnostics: List[Diagnostic] = field(default_factory=list)
    errors: List[str] = field(default_factory=list)
    analysed: bool = False
    # The plan the lint followed (what the rules read of the file), when it got that far.
    plan: Optional["Plan"] = None
    # The findings before noqa, in the rows of the plan's focused text (None: one lies outside it).
    focused: Optional[Tuple[Diagnostic, ...]] = None


@dataclass(frozen=True)
class Plan:
    """What linting a file reads: the rules that want it and the text they need (focus.py)."""

    rules: Tuple[Type[LintRule], ...]
    focused: Focus
    # The definitions the rules asked for; None: the whole text.
    keep: Optional[FrozenSet[str]]

    def kept_functions(self, summary) -> Tuple[str, ...]:
        """The qualnames of the functions left in the focused text."""
        return tuple(f.qualname for f in summary.functions if self.focused.focused_row(f.row) is not None)

    def records(self, summary) -> Optional[list]:
        return kept_records(summary, self.focused)


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

    import fastapi_asynclint.semantic  # noqa: F401
    import fastapi_asynclint.source  # noqa: F401

    rule_classes(codes)


def problem_diagnostic(path: str, problem: Problem) -> Diagnostic:
    location = Location(max(problem.row, 1), max(problem.column, 1))
    return Diagnostic(problem.code, problem.message, path, location, location, noqa_row=None)


def plan(
    text: str, file_summary: FileSummary, name: ModuleName, index: ProjectIndex, settings: Settings,
    enabled: FrozenSet[str], force: bool = False,
) -> Plan:
    """The rules that want the file and what they read of it. `force` skips the prefilter and the focus
    (tests prove they never change results)."""
    summary = file_summary.summary or empty_summary(name.name, name.is_package)
    rule_input = RuleInput(summary, index, settings)
    unreadable = file_summary.problem is not None
    rules = tuple(rule for rule in rule_classes(enabled) if force or unreadable or rule.wants(rule_input))
    if not rules or unreadable or force:
        return Plan(rules, Focus(text), None)
    keep: set = set()
    for rule in rules:
        wanted = rule.focus(rule_input)
        if wanted is None:
            return Plan(rules, Focus(text), None)
        keep |= wanted
    return Plan(rules, focus(text, summary.functions, summary.classes, frozenset(keep)), frozenset(keep))


def lint_text(
    path: str,
    text: str,
    file_summary: FileSummary,
    name: ModuleName,
    index: ProjectIndex,
    settings: Settings,
    enabled: FrozenSet[str],
    force: bool = False,
) -> LintOutcome:
    """Findings for one decoded file."""
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
    outcome.plan = found = plan(text, file_summary, name, index, settings, enabled, force)
    if not found.rules and problem is None:
        outcome.focused = ()
        return outcome
    diagnostics = _run_rules(path, text, found, file_summary, name, index, settings, enabled, outcome)
    if diagnostics is None:
        return outcome
    if settings.reach is not None:
        diagnostics = [d for d in diagnostics if not d.reach or d.reach in settings.reach]
    if not outcome.errors:
        outcome.focused = to_focused(diagnostics, found.focused)
    outcome.diagnostics = finished(diagnostics, text)
    return outcome


# The rules read a large focused text in batches of definitions of about so many lines, each a libcst tree
# of its own: a generated module with thousands of routes is read in bounded memory, in linear time.
BATCH_LINES = 4000


def _run_rules(path, text, found: Plan, file_summary, name, index, settings, enabled, outcome) -> Optional[List[Diagnostic]]:
    """The rules' findings before noqa; None when libcst could not read the file (its FAL9xx is added)."""
    diagnostics: List[Diagnostic] = []
    for focused in _batches(text, found, file_summary):
        batch = _run_batch(path, text, focused, found, file_summary, name, index, settings, enabled, outcome)
        if batch is None:
            return None
        diagnostics.extend(batch)
    return diagnostics


def _batches(text: str, found: Plan, file_summary) -> List[Focus]:
    """The plan's focused text, or for a large one, the same text cut into batches of kept definitions."""
    if found.keep is None or found.focused.text.count("\n") <= BATCH_LINES:
        return [found.focused]
    summary = file_summary.summary
    tops: Dict[str, int] = {}
    for function in (*summary.functions, *summary.classes):
        top = function.qualname.partition(".")[0]
        if function.span is not None and function.span.direct and "." not in function.qualname:
            tops[top] = function.span.end - function.span.start + 1
    batches: List[set] = [set()]
    lines = 0
    for kept in sorted(found.keep):
        top = kept.partition(".")[0]
        size = tops.get(top, 1)
        if lines and lines + size > BATCH_LINES and not any(item.partition(".")[0] == top for item in batches[-1]):
            batches.append(set())
            lines = 0
        batches[-1].add(kept)
        lines += size
    return [focus(text, summary.functions, summary.classes, frozenset(batch)) for batch in batches]


def _run_batch(path, text, focused: Focus, found: Plan, file_summary, name, index, settings, enabled, outcome):
    import libcst as cst
    from libcst.metadata import MetadataWrapper

    from fastapi_asynclint.rule import FileContext

    try:
        module = cst.parse_module(focused.text)
    except cst.ParserSyntaxError as exc:
        if "FAL900" in enabled:
            outcome.diagnostics.append(problem_diagnostic(path, file_summary.problem or _libcst_problem(exc)))
        return None
    except RecursionError:
        if "FAL902" in enabled:
            outcome.diagnostics.append(problem_diagnostic(path, too_deep("libcst ran out of stack")))
        return None
    if not found.rules:
        return None
    outcome.analysed = True
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    summary = file_summary.summary or empty_summary(name.name, name.is_package)
    context = FileContext(path, text, focused, module, wrapper, name, summary, index, settings)
    companions = []
    for rule in found.rules:
        for companion in rule.COMPANIONS:
            if companion not in context.memo:
                context.memo[companion] = companion(context)
                companions.append(context.memo[companion])
    rules = [rule(context) for rule in found.rules]
    try:
        wrapper.visit_batched([_batched(visitor) for visitor in (*companions, *rules)])
    except RecursionError:
        if "FAL902" in enabled:
            outcome.diagnostics.append(problem_diagnostic(path, too_deep("libcst ran out of stack")))
        return None
    except Exception as exc:  # noqa: BLE001 - libcst's metadata failing on one file must not stop the run
        if "FAL902" in enabled:
            reason = f"libcst failed: {type(exc).__name__}"
            outcome.diagnostics.append(problem_diagnostic(path, Problem("FAL902", f"File could not be analysed ({reason})")))
        return None
    diagnostics = []
    for rule in rules:
        if rule.crash is not None:
            message = f"Internal error: rule {rule.CODE} failed: {type(rule.crash).__name__}: {rule.crash}"
            outcome.errors.append(f"{path}: {message}")
            if "FAL903" in enabled:
                diagnostics.append(problem_diagnostic(path, Problem("FAL903", message)))
        for report in rule.reports:
            start, end = context.span(report.node)
            reach = index.reach_of(f"{summary.module}.{enclosing_function(summary, start.row)}")
            diagnostics.append(
                Diagnostic(
                    report.code, report.message, path, start, end, report.fix, report.chain, noqa_row=start.row,
                    reach=reach, root=report.root,
                )
            )
    return diagnostics


@lru_cache(maxsize=None)
def _batched_class() -> type:
    import libcst as cst
    from libcst.metadata import ScopeProvider

    class Batched(cst.BatchableCSTVisitor):
        """What libcst traverses with: a rule's or companion's visit methods (they resolve names with the
        scope metadata, FileContext.semantics)."""

        METADATA_DEPENDENCIES = (ScopeProvider,)

        def __init__(self, visitor) -> None:
            super().__init__()
            self.visitor = visitor

        def get_visitors(self):
            return self.visitor.get_visitors()

    return Batched


def _batched(visitor) -> object:
    """A rule or companion as libcst's batched traversal takes it (rules import no libcst to be planned)."""
    return _batched_class()(visitor)


def enclosing_function(summary, row: int) -> str:
    """The qualname of the innermost function whose definition holds `row` (module code: MODULE_SCOPE)."""
    found, start = MODULE_SCOPE, 0
    for function in summary.functions:
        span = function.span
        if span is not None and span.start <= row <= span.end and span.start >= start:
            found, start = function.qualname, span.start
    return found


def finished(diagnostics: List[Diagnostic], text: str) -> List[Diagnostic]:
    """The findings the file's noqa comments leave, in report order."""
    kept = filter_suppressed(diagnostics, text)
    kept.sort(key=lambda d: d.sort_key)
    return kept


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
