"""Summarise one file for the index, recording why it could not be read when it cannot.

The outcome (a summary, or a FAL900/FAL901 problem) is what the cache stores per file content: a file
whose bytes did not change is never decoded or parsed again.
"""

from __future__ import annotations

import ast
import hashlib
import warnings
from dataclasses import dataclass
from typing import Optional

from fastapi_asynclint.index.summary import MODULE_SCOPE, ModuleSummary, summarize
from fastapi_asynclint.source import UndecodableSource, decode_source


@dataclass(frozen=True)
class Problem:
    code: str
    message: str
    row: int = 1
    column: int = 1


@dataclass(frozen=True)
class FileSummary:
    """`summary` is None when the file could not be decoded, or when this interpreter's `ast` cannot parse
    it (newer syntax than the running Python): rules still run on it through libcst, and `problem` then
    only becomes a FAL900 finding if libcst cannot parse it either."""

    digest: str
    summary: Optional[ModuleSummary]
    problem: Optional[Problem] = None
    # A digest of everything the index reads from this file (the summary or the problem): while every
    # file's `facts` stay the same, no file's findings can change except those whose own bytes did.
    facts: str = ""
    # A digest of the part of `facts` that linking reads (see link_facts): while every file's `link` stays
    # the same, the resolutions and the blocking fixpoint of the last run still hold.
    link: str = ""


# CPython's own limits: such a file cannot be imported either, and libcst's native parser could overflow.
_NESTING_LIMITS = ("too many nested parentheses", "too many statically nested blocks", "too many levels of indentation")


def too_deep(reason: str, row: int = 1) -> Problem:
    return Problem("FAL902", f"File is too deeply nested to analyse ({reason})", row, 1)


def content_digest(raw: bytes) -> str:
    return hashlib.blake2b(raw, digest_size=16).hexdigest()


def empty_summary(module: str, is_package: bool) -> ModuleSummary:
    return ModuleSummary(module, is_package, (), (), ())


def summarize_bytes(raw: bytes, module: str, is_package: bool, digest: Optional[str] = None) -> FileSummary:
    digest = digest or content_digest(raw)
    try:
        text = decode_source(raw).text
    except UndecodableSource as exc:
        return FileSummary(digest, None, Problem("FAL901", f"File could not be decoded: {exc}"))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escape sequences and the like are not our findings
            tree = ast.parse(text)
    except SyntaxError as exc:
        message = exc.msg or "invalid syntax"
        if message.startswith(_NESTING_LIMITS):
            return FileSummary(digest, None, too_deep(message, exc.lineno or 1))
        return FileSummary(digest, None, Problem("FAL900", f"SyntaxError: {message}", exc.lineno or 1, exc.offset or 1))
    except (RecursionError, MemoryError):
        return FileSummary(digest, None, too_deep("the parser ran out of stack"))
    except ValueError as exc:
        return FileSummary(digest, None, Problem("FAL900", f"File could not be parsed: {exc}"))
    try:
        summary = summarize(tree, module, is_package)
    except RecursionError:
        return FileSummary(digest, None, too_deep("an expression nests too deeply"))
    # repr is deterministic here: summaries hold only tuples, strings, numbers and None.
    return FileSummary(digest, summary, facts=content_digest(repr(summary).encode()), link=link_facts(summary))


def link_facts(summary: ModuleSummary) -> str:
    """A digest of what resolution and the blocking fixpoint (project.py) read of a module: all of it but
    the bodies of its coroutines, its module-level calls (which FastAPI's model reads, rebuilt every run)
    and the rows of anything but a sync function's calls (which become the rows of call chains). Editing
    a route's body leaves it unchanged."""
    functions = tuple(
        (
            function.qualname,
            function.class_qualname,
            function.is_async,
            function.produces,
            function.yields,
            function.params,
            tuple((d.target, d.attr, d.args, d.keywords, d.first_str, d.alternatives) for d in function.decorators),
            None if function.is_async or function.qualname == MODULE_SCOPE else function.calls,
        )
        for function in summary.functions
    )
    classes = tuple((info.qualname, info.bases, info.attributes) for info in summary.classes)
    shape = (
        summary.module,
        summary.is_package,
        summary.bindings,
        summary.imports,
        summary.star_imports,
        summary.dependency_aliases,
        classes,
        functions,
    )
    return content_digest(repr(shape).encode())
