"""Summarise one file for the index, recording why it could not be read when it cannot.

The outcome (a summary, or a FAL900/FAL901 problem) is what the cache stores per file content: a file
whose bytes did not change is never decoded or parsed again.
"""

from __future__ import annotations

import ast
import gc
import hashlib
import pickle
import re
import warnings
from dataclasses import dataclass
from typing import Iterable, List, Optional, Sequence, Tuple

from fastapi_asynclint.index.layout import LAYOUT_MIN_BYTES, Layout, layout_of, resummarize
from fastapi_asynclint.index.summary import MODULE_SCOPE, Call, Function, ModuleSummary, Summarizer, first_row, last_row
from fastapi_asynclint.source import UndecodableSource, decode_source


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    row: int = 1
    column: int = 1


class FileSummary:
    """What the index knows of one file. `summary` is None when the file could not be decoded, or when this
    interpreter's `ast` cannot parse it (newer syntax than the running Python): rules still run on it
    through libcst, and `problem` then only becomes a FAL900 finding if libcst cannot parse it either.

    Read back from the cache (`stored`), the summary (with the layout) stays pickled until something reads
    it: a run after a one-file edit unpickles the summaries of the few modules it resolves names in, not the
    whole project's."""

    __slots__ = ("digest", "problem", "facts", "link", "shape", "_layout", "_summary", "_stored")

    def __init__(
        self,
        digest: str,
        summary: Optional[ModuleSummary],
        problem: Optional[Problem] = None,
        facts: str = "",
        link: str = "",
        shape: str = "",
        layout: Optional[Layout] = None,
    ) -> None:
        # What identifies the file's findings: code_digest for a parsed file (so an edit to comments between
        # statements keeps it), else the digest of its bytes.
        self.digest = digest
        self.problem = problem
        # A digest of everything the index reads from this file (the summary or the problem): while every
        # file's `facts` stay the same, no file's findings can change except those whose own bytes did.
        self.facts = facts
        # A digest of the part of `facts` that linking reads (see link_facts): while every file's `link` stays
        # the same, the resolutions and the blocking fixpoint of the last run still hold.
        self.link = link
        # A digest of `facts` but where things stand (rows, columns, spans; see shape_facts): what the
        # project-wide models read of the file. A line added in a coroutine leaves it unchanged.
        self.shape = shape
        # Where a large file's top-level statements stand (layout.py): an edit inside its defs is then
        # summarised from this summary without parsing the whole file again. None for other files.
        self._layout = layout
        self._summary = summary
        self._stored: Optional[bytes] = None  # or a memoryview of the cache file (cache._loads)

    @classmethod
    def stored(
        cls,
        digest: str,
        stored: Optional[bytes],
        problem: Optional[Problem],
        facts: str,
        link: str,
        shape: str,
    ) -> "FileSummary":
        """A summary as the cache keeps it (see `packed`): unpickled when first read."""
        found = cls(digest, None, problem, facts, link, shape)
        found._stored = stored
        return found

    def packed(self) -> tuple:
        """The arguments of `stored` that give this summary back, the summary and layout pickled on their own
        (26,000 blocks of layout took 12 ms to unpickle with the rest of a large project's cache)."""
        stored = self._stored
        if stored is None and self._summary is not None:
            stored = pickle.dumps((self._summary, self._layout), protocol=pickle.HIGHEST_PROTOCOL)
        return self.digest, stored, self.problem, self.facts, self.link, self.shape

    def _unpack(self) -> None:
        enabled = gc.isenabled()
        gc.disable()  # a large module's records are thousands of objects, none of them garbage
        try:
            self._summary, self._layout = pickle.loads(self._stored)  # type: ignore[arg-type]
        finally:
            if enabled:
                gc.enable()
        self._stored = None

    @property
    def summary(self) -> Optional[ModuleSummary]:
        if self._stored is not None:
            self._unpack()
        return self._summary

    @property
    def layout(self) -> Optional[Layout]:
        if self._stored is not None:
            self._unpack()
        return self._layout

    @property
    def parsed(self) -> bool:
        """Whether there is a summary (known without unpickling it)."""
        return self._summary is not None or self._stored is not None

    def _fields(self) -> tuple:
        return self.digest, self.summary, self.problem, self.facts, self.link, self.shape, self.layout

    def __reduce__(self):
        return FileSummary, self._fields()

    def __eq__(self, other: object) -> bool:
        return isinstance(other, FileSummary) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash((self.digest, self.facts))

    def __repr__(self) -> str:
        return f"FileSummary(digest={self.digest!r}, facts={self.facts!r}, problem={self.problem!r})"


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


def summarize_bytes(raw: bytes, module: str, is_package: bool) -> FileSummary:
    try:
        text, tree = _parse(raw)
    except UndecodableSource as exc:
        return FileSummary(content_digest(raw), None, Problem("FAL901", f"File could not be decoded: {exc}"))
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if message.startswith(_NESTING_LIMITS):
            return FileSummary(content_digest(raw), None, too_deep(message, exc.lineno or 1))
        problem = Problem("FAL900", f"SyntaxError: {message}", exc.lineno or 1, exc.offset or 1)
        return FileSummary(content_digest(raw), None, problem)
    except (RecursionError, MemoryError):
        return FileSummary(content_digest(raw), None, too_deep("the parser ran out of stack"))
    except ValueError as exc:
        return FileSummary(content_digest(raw), None, Problem("FAL900", f"File could not be parsed: {exc}"))
    rows = split_rows(text)
    digest = rows_digest(rows, _spans(tree))
    summarizer = Summarizer(module, is_package)
    try:
        summary = summarizer.summarize(tree)
    except RecursionError:
        return FileSummary(digest, None, too_deep("an expression nests too deeply"))
    layout = layout_of(rows, tree, summarizer) if len(raw) >= LAYOUT_MIN_BYTES else None
    return _parsed(digest, summary, layout)


def _parsed(digest: str, summary: ModuleSummary, layout: Optional[Layout]) -> FileSummary:
    # repr is deterministic here: summaries hold only tuples, strings, numbers and None.
    facts = content_digest(repr(summary).encode())
    return FileSummary(digest, summary, None, facts, link_facts(summary), shape_facts(summary), layout)


def resummarize_bytes(raw: bytes, previous: FileSummary, module: str, is_package: bool) -> Optional[FileSummary]:
    """What summarize_bytes(raw, module, is_package) gives, made from the summary of an earlier version of
    the file without parsing all of it (layout.py); None when the file has to be parsed whole."""
    if previous.layout is None or len(raw) < LAYOUT_MIN_BYTES:
        return None
    old = previous.summary
    if old is None or old.module != module or old.is_package != is_package:
        return None
    try:
        text = decode_source(raw).text
    except UndecodableSource:
        return None
    rows = split_rows(text)
    try:
        found = resummarize(rows, old, previous.layout)
    except RecursionError:
        return None
    if found is None:
        return None
    return _parsed(rows_digest(rows, found.spans), found.summary, found.layout)


def digest_of(raw: bytes) -> Optional[str]:
    """The digest a summary of these bytes would carry (None if they do not parse): what the cache looks a
    changed file up by. The parse is kept for a summarize_bytes of the same bytes after it."""
    try:
        text, tree = _parse(raw, keep=True)
    except (UndecodableSource, SyntaxError, RecursionError, MemoryError, ValueError):
        return None
    return code_digest(text, tree)


# [(raw, text, tree)]: the parse of the last digest_of, for a summarize_bytes of the same bytes after it
# (which takes it: a worker must not carry a large file's tree through the rest of its run).
_last_parse: list = []


def _parse(raw: bytes, keep: bool = False):
    if _last_parse and _last_parse[0][0] == raw:
        _, text, tree = _last_parse[0] if keep else _last_parse.pop()
        return text, tree
    _last_parse.clear()
    text = decode_source(raw).text
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our findings
        tree = ast.parse(text)
    if keep:
        _last_parse.append((raw, text, tree))
    return text, tree


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
        classes,
        functions,
    )


# Where a record stands: left out of shape_facts (a test checks every other field is in).
PLACE_FIELDS = frozenset({"row", "col", "span"})


def placeless_call(call: Call) -> tuple:
    """A call's fields but where it stands."""
    return (call.target, call.attr, call.awaited, call.args, call.keywords, call.first_str, call.alternatives,
            call.guards, call.passes)
