"""The base class of every rule, the per-file context rules read, and the example types rules declare.

A rule is a batched libcst visitor (Fixit's model): its `visit_*`/`leave_*` methods, and those of every
other enabled rule of a file, run in one traversal over one `MetadataWrapper` (engine.py hands them to
libcst). Its prefilter (`wants`) and focus read only the index summary, so deciding that no rule wants a
file imports no libcst (libcst_on_use.py). Its docstring is its documentation (ruff's sections: What it does / Why is this
bad? / Example / Use instead / Fix safety), and its `VALID`/`INVALID` examples are run by one generic test.
Expected findings are marked in the examples by trailing comments: `time.sleep(1)  # FAL101` (or
`# FAL101:5` to pin the 1-based column).
"""

from __future__ import annotations

import inspect
import sys
import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, ClassVar, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from fastapi_asynclint.diagnostics import Applicability, Edit, Fix, Hop, Location
from fastapi_asynclint.libcst_on_use import cst, helpers, metadata

if TYPE_CHECKING:
    from libcst.metadata import CodeRange, MetadataWrapper

    from fastapi_asynclint.focus import Focus
    from fastapi_asynclint.index.modules import ModuleName
    from fastapi_asynclint.index.project import ProjectIndex
    from fastapi_asynclint.index.summary import ModuleSummary
    from fastapi_asynclint.semantic import Semantics
    from fastapi_asynclint.settings import Settings


@dataclass(frozen=True)
class Valid:
    """Code the rule must stay silent on. Start `note` with "near miss" for look-alikes of a finding."""

    code: str = ""
    files: Mapping[str, str] = field(default_factory=dict)
    note: str = ""

    def sources(self) -> Dict[str, str]:
        return _sources(self.code, self.files)


@dataclass(frozen=True)
class Invalid:
    """Code the rule must report where its `# FALnnn` comments say; `fixed` is the text after `--fix`."""

    code: str = ""
    files: Mapping[str, str] = field(default_factory=dict)
    fixed: Optional[str] = None
    fixed_files: Mapping[str, str] = field(default_factory=dict)
    unsafe: bool = False
    message: Optional[str] = None
    note: str = ""

    def sources(self) -> Dict[str, str]:
        return _sources(self.code, self.files)

    def expected_fixes(self) -> Dict[str, str]:
        if self.fixed is not None:
            return {"example.py": textwrap.dedent(self.fixed).lstrip("\n")}
        return {path: textwrap.dedent(code).lstrip("\n") for path, code in self.fixed_files.items()}


def _sources(code: str, files: Mapping[str, str]) -> Dict[str, str]:
    if files:
        return {path: textwrap.dedent(text).lstrip("\n") for path, text in files.items()}
    return {"example.py": textwrap.dedent(code).lstrip("\n")}


@dataclass
class Report:
    code: str
    node: cst.CSTNode
    message: str
    fix: Optional[Fix] = None
    chain: Tuple[Hop, ...] = ()
    root: str = ""


class FileContext:
    """Everything a rule may read about the file being checked. Rules never write to it except `memo`."""

    def __init__(
        self,
        path: str,
        source: str,
        focus: "Focus",
        module: cst.Module,
        wrapper: MetadataWrapper,
        name: "ModuleName",
        summary: "ModuleSummary",
        index: "ProjectIndex",
        settings: "Settings",
    ) -> None:
        self.path = path
        self.source = source
        self.focus = focus
        self.module = module
        self.wrapper = wrapper
        self.name = name
        self.module_name = name.name
        self.is_package = name.is_package
        self.summary = summary
        self.index = index
        self.settings = settings
        self.memo: Dict[Any, Any] = {}
        self._semantics: Optional["Semantics"] = None

    @property
    def semantics(self) -> "Semantics":
        if self._semantics is None:
            from fastapi_asynclint.semantic import Semantics, summary_classes

            classes = summary_classes(self.summary) if self.summary is not None else {}
            self._semantics = Semantics(self.wrapper, self.module_name, self.is_package, self.name.renames, classes)
        return self._semantics

    def shared(self, key: Any, build: Callable[[], Any]) -> Any:
        """A per-file computation several rules use (built once, by whichever rule asks first)."""
        if key not in self.memo:
            self.memo[key] = build()
        return self.memo[key]

    # ------------------------------------------------------------------ positions and edits
    def code_range(self, node: cst.CSTNode) -> CodeRange:
        return self.wrapper.resolve(metadata.PositionProvider)[node]

    def span(self, node: cst.CSTNode) -> Tuple[Location, Location]:
        """A node's start and end in the original file (1-based rows and columns)."""
        code_range = self.code_range(node)
        return (
            Location(self.focus.row(code_range.start.line), code_range.start.column + 1),
            Location(self.focus.row(code_range.end.line), code_range.end.column + 1),
        )

    def lines(self) -> List[str]:
        """The file's lines as the tokenizer splits them, with their endings (row r is `lines()[r - 1]`)."""
        from fastapi_asynclint.source import physical_lines

        return self.shared("physical-lines", lambda: physical_lines(self.source))

    def original_text(self, node: cst.CSTNode) -> str:
        """A node's text as the file spells it, indentation of continuation lines included (libcst's
        `code_for_node` renders a nested node without the indentation of its enclosing block)."""
        start, end = self.span(node)
        lines = self.lines()
        if start.row == end.row:
            return lines[start.row - 1][start.column - 1 : end.column - 1]
        middle = lines[start.row : end.row - 1]
        return "".join([lines[start.row - 1][start.column - 1 :], *middle, lines[end.row - 1][: end.column - 1]])

    def replace(self, node: cst.CSTNode, replacement: cst.CSTNode) -> Edit:
        start, end = self.span(node)
        return Edit(self.module.code_for_node(replacement), start, end)

    def import_edit(self, module: str, obj: Optional[str] = None) -> Optional[Edit]:
        """The edit that adds `import module` (or `from module import obj`) in its isort section, unless the
        file imports it already (import_placement.py)."""
        key = ("import-edit", module, obj)
        if key not in self.memo:
            self.memo[key] = None if self._imported(module, obj) else self._import_edit(module, obj)
        return self.memo[key]

    def _imported(self, module: str, obj: Optional[str]) -> bool:
        scope = self.wrapper.resolve(metadata.ScopeProvider).get(self.module)
        name = obj or module
        if not isinstance(scope, metadata.GlobalScope) or name not in scope.assignments:
            return False
        for assignment in scope.assignments[name]:
            if isinstance(assignment, metadata.ImportAssignment):
                node = assignment.node
                if obj is None and isinstance(node, cst.Import):
                    if any(alias.asname is None and _dotted(alias.name) == module for alias in node.names):
                        return True
                if obj is not None and isinstance(node, cst.ImportFrom) and node.module is not None:
                    if _dotted(node.module) == module and not node.relative:
                        return True
        return False

    def _import_edit(self, module: str, obj: Optional[str]) -> Optional[Edit]:
        from fastapi_asynclint.import_placement import NewImport, import_edit

        statement = f"from {module} import {obj}" if obj else f"import {module}"
        own_package = self.module_name.split(".", 1)[0]
        return import_edit(self.source, NewImport(statement, module, obj is not None), own_package)

    def fix(self, applicability: Applicability, message: str, edits: Sequence[Optional[Edit]]) -> Fix:
        return Fix(applicability, message, tuple(edit for edit in edits if edit is not None))

    def has_comments(self, node: cst.CSTNode) -> bool:
        """Whether a node's own text holds a comment (a fix that rewrites it would drop the comment)."""
        return "#" in self.module.code_for_node(node) and any(
            isinstance(child, cst.Comment) for child in walk(node)
        )


def _dotted(node: cst.CSTNode) -> str:
    return helpers.get_full_name_for_node(node) or ""


def walk(node: cst.CSTNode):
    """The node and every node under it."""
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(current.children)


_VISITOR_NAMES: Dict[type, Tuple[str, ...]] = {}


def visitor_names(visitor: object) -> Tuple[str, ...]:
    """The names of a visitor's `visit_*`/`leave_*` methods (what libcst's `BatchableCSTVisitor.get_visitors`
    collects), found once per class rather than by `inspect.getmembers` on every instance."""
    kind = type(visitor)
    names = _VISITOR_NAMES.get(kind)
    if names is None:
        names = _VISITOR_NAMES[kind] = tuple(
            sorted(name for name in dir(kind) if name.startswith(("visit_", "leave_")) and callable(getattr(kind, name)))
        )
    return names


class LintRule:
    """Subclass, set CODE and MESSAGE, write the docstring, visit nodes, call `self.report`."""

    CODE: ClassVar[str] = ""
    MESSAGE: ClassVar[str] = ""
    # Batched visitors several rules read (one instance per file, in `context.memo[cls]`), run in the same
    # traversal; rules read their results in `leave_Module`.
    COMPANIONS: ClassVar[Tuple[type, ...]] = ()
    VALID: ClassVar[Sequence[Valid]] = ()
    INVALID: ClassVar[Sequence[Invalid]] = ()

    def __init__(self, context: FileContext) -> None:
        self.context = context
        self.reports: List[Report] = []
        self.crash: Optional[BaseException] = None

    @classmethod
    def wants(cls, context: "RuleInput") -> bool:
        """Prefilter on the file's index summary: False when this file cannot hold a finding of this rule."""
        return True

    @classmethod
    def focus(cls, context: "RuleInput") -> Optional[FrozenSet[str]]:
        """The qualnames of the functions whose bodies this rule reads; None for the whole file."""
        return None

    @classmethod
    def documentation(cls) -> str:
        """The rule's documentation: its module's docstring (markdown)."""
        return inspect.cleandoc(sys.modules[cls.__module__].__doc__ or "")

    @classmethod
    def summary_line(cls) -> str:
        """The first sentence of "What it does", for tables."""
        text = cls.documentation().split("## What it does", 1)[-1].strip()
        first = " ".join(text.split("\n\n", 1)[0].split())
        in_code = False
        for position, char in enumerate(first):
            in_code ^= char == "`"
            if char == "." and not in_code and first[position + 1 : position + 2] in ("", " "):
                first = first[:position]
                break
        return first.rstrip(".:") + "."

    def report(
        self,
        node: cst.CSTNode,
        message: Optional[str] = None,
        *,
        fix: Optional[Fix] = None,
        chain: Tuple[Hop, ...] = (),
        root: str = "",
    ) -> None:
        """`root`: for a blocking call, the root it shares with other findings (Diagnostic.root)."""
        self.reports.append(Report(self.CODE, node, message or self.MESSAGE, fix, chain, root))

    def get_visitors(self):
        """Each visitor method guarded: a crashing rule stops itself, never the other rules or the run."""
        return {name: self._guard(getattr(self, name)) for name in visitor_names(self)}

    def _guard(self, method):
        def guarded(node):
            if self.crash is not None:
                return None
            try:
                return method(node)
            except Exception as exc:  # noqa: BLE001 - reported as an internal error of this rule
                self.crash = exc
                return None

        return guarded


@dataclass(frozen=True)
class RuleInput:
    """What a rule's prefilter sees: the file's index summary and the linked project index."""

    summary: "ModuleSummary"
    index: "ProjectIndex"
    settings: "Settings"
