"""Summarise one file for the index, recording why it could not be read when it cannot.

The outcome (a summary, or a FAL900/FAL901 problem) is what the cache keeps per file content: a file whose
bytes did not change is never decoded or parsed again.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import pickle
import re
import warnings
from dataclasses import dataclass
from typing import Callable, Iterable, List, Optional, Sequence, Tuple

from fastapi_asynclint.index.modules import ModuleName
from fastapi_asynclint.index.summary import MODULE_SCOPE, Call, Function, ModuleSummary, Summarizer, first_row, last_row
from fastapi_asynclint.source import UndecodableSource, decode_source


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    row: int = 1
    column: int = 1


@dataclass(frozen=True)
class FileFacts:
    """What the runner and the index know of a file without reading its summary."""

    # What identifies the file's findings: code_digest for a parsed file (an edit to comments between
    # statements keeps it), else the digest of its bytes.
    code_digest: str
    # A digest of what linking reads of the file (link_facts): while every file's stays the same, so do
    # the resolutions and the blocking fixpoint.
    link: str = ""
    # A digest of the summary but where things stand (shape_facts): what the project-wide models read.
    shape: str = ""
    problem: Optional[Problem] = None


class FileSummary:
    """A file's facts and its summary. The summary is None when the file could not be decoded, or when this
    interpreter's `ast` cannot parse it: rules still run on it through libcst, and `problem` then only
    becomes a FAL900 finding if libcst cannot parse it either. Made from its pickled form (what a worker
    or the cache hands over), the summary is unpickled when first read: a run after an edit reads the
    summaries of the few modules it resolves names in, not the whole project's."""

    __slots__ = ("facts", "_summary", "_pickled", "_load")

    def __init__(
        self,
        facts: FileFacts,
        summary: Optional[ModuleSummary] = None,
        pickled: Optional[bytes] = None,
        load: Optional[Callable[[], bytes]] = None,
    ) -> None:
        """`load`: gives the pickled summary when it is first read (from the cache), for a summary the
        caller knows exists (its facts say it parsed)."""
        self.facts = facts
        self._summary = summary
        self._pickled = pickled
        self._load = load

    @property
    def summary(self) -> Optional[ModuleSummary]:
        if self._load is not None:
            self._pickled, self._load = self._load(), None
        if self._pickled is not None:
            enabled = gc.isenabled()
            gc.disable()  # a large module's records are thousands of objects, none of them garbage
            try:
                self._summary = pickle.loads(self._pickled)
            finally:
                if enabled:
                    gc.enable()
            self._pickled = None
        return self._summary

    @property
    def parsed(self) -> bool:
        """Whether there is a summary (known without unpickling it)."""
        return self._summary is not None or self._pickled is not None or self._load is not None

    @property
    def problem(self) -> Optional[Problem]:
        return self.facts.problem

    def pickled(self) -> Optional[bytes]:
        """The summary pickled, as `FileSummary(facts, pickled=...)` takes it back."""
        if self._load is not None:
            self._pickled, self._load = self._load(), None
        if self._pickled is not None:
            return self._pickled
        return None if self._summary is None else pickle.dumps(self._summary, protocol=pickle.HIGHEST_PROTOCOL)

    def __reduce__(self):
        return FileSummary, (self.facts, None, self.pickled())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileSummary) and (self.facts, self.summary) == (other.facts, other.summary)

    def __hash__(self) -> int:
        return hash(self.facts)

    def __repr__(self) -> str:
        return f"FileSummary({self.facts!r})"


# CPython's own limits: such a file cannot be imported either, and libcst's native parser could overflow.
_NESTING_LIMITS = ("too many nested parentheses", "too many statically nested blocks", "too many levels of indentation")


def too_deep(reason: str, row: int = 1) -> Problem:
    return Problem("FAL902", f"File is too deeply nested to analyse ({reason})", row, 1)


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


_LINE_BREAK = re.compile(r"\r\n|\r|\n")  # the tokenizer's line ends (ast rows count these)


def split_rows(text: str) -> List[str]:
    """The text's rows as ast numbers them (row n is item n - 1), without their line ends."""
    return _LINE_BREAK.split(text)


def code_digest(text: str, tree: ast.Module) -> str:
    """The digest of a parsed file that identifies it for the cache: its text with the blank and comment
    lines *between* top-level statements blanked, and blank lines at the end dropped. Such lines belong to
    no statement, so no finding, message or fix can read them, and every row and column of the code stays
    where it was: a comment added above a function or at the end of the file leaves the digest, and so the
    cached summary and findings, as they are. A comment inside a statement changes it, as does any line
    that holds a `noqa` (line or file level), and rows 1-2 (where an encoding is declared)."""
    return rows_digest(split_rows(text), _spans(tree))


def _spans(tree: ast.Module) -> List[Tuple[int, int]]:
    """The (first, last) rows of each top-level statement."""
    return [(first_row(statement), last_row(statement)) for statement in tree.body]


def rows_digest(rows: Sequence[str], spans: Iterable[Tuple[int, int]]) -> str:
    """code_digest of a file split into rows, given the (first, last) rows of its top-level statements."""
    owned = bytearray(len(rows) + 1)
    owned[1:3] = b"\x01\x01"
    for first, last in spans:
        owned[first : last + 1] = b"\x01" * (last + 1 - first)
    kept = [
        line
        if owned[row] or _holds_code_or_directive(line)
        else ""
        for row, line in enumerate(rows, 1)
    ]
    while kept and not kept[-1]:
        kept.pop()
    return "code:" + hashlib.blake2b("\n".join(kept).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _holds_code_or_directive(line: str) -> bool:
    stripped = line.lstrip(" \t\f")
    if not stripped:
        return False
    if not stripped.startswith("#"):
        return True
    # Both `# noqa` and the file-level `# fastapi-asynclint: noqa` (noqa.py) say "noqa".
    return "noqa" in stripped.lower()


def empty_summary(module: str, is_package: bool) -> ModuleSummary:
    return ModuleSummary(module, is_package, (), (), ())


# Larger files are not analysed (FAL902): the syntax tree of one takes about 150 bytes of memory per byte
# of source (a worker summarises one large file at a time: pool.py's heavy slots).
MAX_FILE_BYTES = 4_000_000


def summarize_bytes(raw: bytes, name: ModuleName) -> FileSummary:
    if len(raw) > MAX_FILE_BYTES:
        size = f"{len(raw) / 1_000_000:.1f} MB"
        return _unparsed(raw, Problem("FAL902", f"File is larger than the analysis limit ({size} > 4 MB): not analysed"))
    try:
        text, tree = _parse(raw)
    except UndecodableSource as exc:
        return _unparsed(raw, Problem("FAL901", f"File could not be decoded: {exc}"))
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if message.startswith(_NESTING_LIMITS):
            return _unparsed(raw, too_deep(message, exc.lineno or 1))
        newer = _newer_syntax(raw)
        if newer is None:
            return _unparsed(raw, Problem("FAL900", f"SyntaxError: {message}", exc.lineno or 1, exc.offset or 1))
        text, tree = newer
    except (RecursionError, MemoryError):
        return _unparsed(raw, too_deep("the parser ran out of stack"))
    except ValueError as exc:
        return _unparsed(raw, Problem("FAL900", f"File could not be parsed: {exc}"))
    digest = code_digest(text, tree)
    try:
        summary = Summarizer(name.name, name.is_package, name.renames).summarize(tree)
    except RecursionError:
        return _unparsed(raw, too_deep("an expression nests too deeply"), digest)
    return FileSummary(FileFacts(digest, link_facts(summary), shape_facts(summary)), summary)


def _unparsed(raw: bytes, problem: Problem, digest: str = "") -> FileSummary:
    return FileSummary(FileFacts(digest or content_digest(raw), problem=problem))


def _newer_syntax(raw: bytes):
    """(text, tree) of a file whose syntax is newer than this interpreter's, read through its older
    spelling (newer_syntax.py); None if it is no such file."""
    from fastapi_asynclint.index.newer_syntax import older_spelling

    text = decode_source(raw).text
    older = older_spelling(text)
    if older is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return text, ast.parse(older)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _parse(raw: bytes):
    text = decode_source(raw).text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our findings
        return text, ast.parse(text)


def link_facts(summary: ModuleSummary) -> str:
    """A digest of what resolution and the blocking fixpoint (project.py) read of a module: all of it but
    the bodies of its coroutines, its module-level calls (which only the project-wide models read: see
    shape_facts) and rows and columns (a chain reads its rows from the summary as it is now: Witness.call). Editing a
    route's body, or adding a line above a helper, leaves it unchanged."""
    functions = tuple(
        (
            function.qualname,
            function.class_qualname,
            function.is_async,
            function.produces,
            function.yields,
            function.params,
            function.runs,
            function.environment,
            tuple((d.target, d.attr, d.args, d.keywords, d.first_str, d.alternatives) for d in function.decorators),
            None if function.is_async or function.qualname == MODULE_SCOPE else tuple(map(placeless_call, function.calls)),
        )
        for function in summary.functions
    )
    return content_digest(repr(_module_facts(summary, functions)).encode())


def shape_facts(summary: ModuleSummary) -> str:
    """A digest of the summary but its rows, columns and spans: what the project-wide models (FastAPI's,
    the context vars', the awaited functions, the held contexts) read of a module. No model holds a row:
    a line added above a route leaves it unchanged."""
    return content_digest(repr(_module_facts(summary, tuple(map(function_shape, summary.functions)))).encode())


def function_shape(function: Function) -> str:
    """A digest of a function's record but where it stands: what its parts of the models are computed
    from (parts.py)."""
    record = (
        function.qualname,
        function.is_async,
        function.class_qualname,
        tuple(map(placeless_call, function.calls)),
        tuple(map(placeless_call, function.decorators)),
        function.params,
        function.awaits,
        function.yields,
        function.produces,
        function.contexts,
        function.runs,
        function.environment,
    )
    return hashlib.blake2b(repr(record).encode("utf-8", "surrogatepass"), digest_size=12).hexdigest()


def _module_facts(summary: ModuleSummary, functions: tuple) -> tuple:
    """A module's own records (all but rows) with what a digest reads of its functions."""
    classes = tuple((info.qualname, info.bases, info.attributes) for info in summary.classes)
    return (
        summary.module,
        summary.is_package,
        summary.bindings,
        summary.imports,
        summary.star_imports,
        summary.dependency_aliases,
        summary.state_values,
        classes,
        functions,
    )


# Where a record stands: left out of shape_facts (a test checks every other field is in).
PLACE_FIELDS = frozenset({"row", "col", "span"})


def placeless_call(call: Call) -> tuple:
    """A call's fields but where it stands."""
    return (call.target, call.attr, call.awaited, call.args, call.keywords, call.first_str, call.alternatives,
            call.guards, call.passes, call.once, call.prompt, call.keyword_values)
