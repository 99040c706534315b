"""Where a fix's new import goes, so that the fixed file still passes the user's import sorting.

isort's and ruff's default profiles group a module's leading imports into sections (`__future__`, standard
library, third party, first party, relative), one blank line apart, and order each section with the
`import x` statements before the `from x import y` ones, each kind by module name, ignoring case. The new
import joins its section at its place in that order; a section the file lacks is opened at its place
among the others. Only the leading block (docstring and imports) is read, and nothing in it is moved.
"""

from __future__ import annotations

import ast
import os
import sys
import sysconfig
from dataclasses import dataclass
from functools import lru_cache
from typing import FrozenSet, List, Optional, Tuple

from fastapi_asynclint.diagnostics import Edit, Location
from fastapi_asynclint.source import physical_lines

FUTURE, STANDARD_LIBRARY, THIRD_PARTY, FIRST_PARTY, RELATIVE = range(5)


@dataclass(frozen=True)
class HeaderImport:
    """One import statement of the leading block: its rows, section and sort key."""

    first_row: int
    last_row: int
    section: int
    order: Tuple[int, str]  # (0 for `import x`, 1 for `from x import y`), the module in lower case


@dataclass(frozen=True)
class NewImport:
    statement: str  # `import asyncio`, `from functools import lru_cache`
    module: str
    is_from: bool


@lru_cache(maxsize=1)
def standard_library() -> FrozenSet[str]:
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return frozenset(names)
    found = set(sys.builtin_module_names)  # Python 3.9: what the interpreter's own library folder holds
    for key in ("stdlib", "platstdlib"):
        folder = sysconfig.get_paths().get(key, "")
        for folder in (folder, os.path.join(folder, "lib-dynload")):
            for entry in os.listdir(folder) if os.path.isdir(folder) else ():
                found.add(entry.split(".", 1)[0])
    return frozenset(found - {"site-packages"})


def section_of(module: str, level: int, own_package: str) -> int:
    """isort's section of an import of `module` from a file of the top-level package `own_package`."""
    if level:
        return RELATIVE
    top = module.split(".", 1)[0]
    if top == "__future__":
        return FUTURE
    if top == own_package:
        return FIRST_PARTY
    return STANDARD_LIBRARY if top in standard_library() else THIRD_PARTY


def import_edit(source: str, new: NewImport, own_package: str) -> Optional[Edit]:
    """The edit that adds `new` to the file's leading imports, or None when the file does not parse."""
    try:
        body = ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    lines = physical_lines(source)
    first = lines[0] if lines else "\n"
    newline = first[len(first.rstrip("\r\n")) :] or "\n"
    docstring_end, header = _leading_block(body, own_package)
    section = section_of(new.module, 0, own_package)
    order = (int(new.is_from), new.module.lower())
    same = [item for item in header if item.section == section]
    later = [item for item in header if item.section > section]
    statement = new.statement + newline
    if same:
        following = next((item for item in same if item.order > order), None)
        if following is not None:
            return _insert(lines, _above_comments(lines, following.first_row), statement)
        return _insert(lines, same[-1].last_row + 1, statement)
    if later:
        return _insert(lines, _above_comments(lines, later[0].first_row), statement + newline)
    if header:
        return _insert(lines, header[-1].last_row + 1, newline + statement)
    return _new_block(lines, body, docstring_end, statement, newline)


def _leading_block(body: List[ast.stmt], own_package: str) -> Tuple[int, List[HeaderImport]]:
    """The last row of the module docstring (0: none) and the imports that follow it without a break."""
    docstring_end = 0
    header: List[HeaderImport] = []
    for position, statement in enumerate(body):
        if position == 0 and _is_docstring(statement):
            docstring_end = statement.end_lineno or statement.lineno
            continue
        if isinstance(statement, ast.Import):
            module, level, is_from = statement.names[0].name, 0, False
        elif isinstance(statement, ast.ImportFrom):
            module, level, is_from = statement.module or "", statement.level, True
        else:
            break
        row = statement.end_lineno or statement.lineno
        order = (int(is_from), module.lower())
        header.append(HeaderImport(statement.lineno, row, section_of(module, level, own_package), order))
    return docstring_end, header


def _is_docstring(statement: ast.stmt) -> bool:
    return isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant) and isinstance(statement.value.value, str)


def _above_comments(lines: List[str], row: int) -> int:
    """The first row of the comment lines that sit directly above `row` (they belong to its statement),
    below the file's leading comments (a shebang, an encoding line, a licence header stay first)."""
    floor = _after_leading_comments(lines)
    while row > floor and lines[row - 2].lstrip().startswith("#"):
        row -= 1
    return row


def _after_leading_comments(lines: List[str]) -> int:
    row = 1
    while row <= len(lines) and lines[row - 1].lstrip().startswith("#"):
        row += 1
    return row


def _new_block(lines: List[str], body: List[ast.stmt], docstring_end: int, statement: str, newline: str) -> Edit:
    """A first import: after the docstring (one blank line) or the leading comments, followed by the blank
    lines ruff wants before what comes next (two before a definition, one otherwise)."""
    following = body[1 if docstring_end else 0] if len(body) > (1 if docstring_end else 0) else None
    definition = isinstance(following, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    after = newline * (2 if definition else 1) if following is not None else ""
    if docstring_end:
        start = docstring_end + 1
    else:
        start = _after_leading_comments(lines)
    end = start
    while end <= len(lines) and not lines[end - 1].strip():
        end += 1  # the blank lines there are replaced by the ones the new import needs
    if following is not None and _first_row(following) < end:
        end = start
    before = newline if docstring_end or start > 1 else ""
    edit = _insert(lines, start, before + statement + after)
    return Edit(edit.content, edit.location, Location(end, 1) if end <= len(lines) else edit.end_location)


def _first_row(statement: ast.stmt) -> int:
    decorators = getattr(statement, "decorator_list", None) or []
    return min([statement.lineno] + [decorator.lineno for decorator in decorators])


def _insert(lines: List[str], row: int, content: str) -> Edit:
    """Insert `content` at the start of `row`, or at the end of the file when `row` is past its last line."""
    if row <= len(lines):
        return Edit(content, Location(row, 1), Location(row, 1))
    last = lines[-1] if lines else ""
    if last and not last.endswith(("\n", "\r")):
        content = "\n" + content
    end = Location(max(len(lines), 1), len(last) + 1)
    return Edit(content, end, end)
