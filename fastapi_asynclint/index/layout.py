"""Re-summarise an edited large file from its last summary: only the lines between its unchanged start and
its unchanged end are parsed.

A line added to one route of an 8,600-line module cost the whole module's parse and summary (0.13 s of a
0.7 s run). A large file's summary carries its layout: its top-level statements in blocks (statements that
share a line are one block), each with a digest of its rows and of the blank and comment rows above it,
so that the blocks and the rows after the last one (the tail) tile the file. After an edit, the blocks
whose rows are the same at the start of the file, and at its end moved by the rows added or removed, are
kept; the rows between them are parsed alone, and their records take the old ones' place, the records
below moved by as many rows.

The result is what a whole parse and summary give (a test compares them over edits of every kind), because
it is only used when that is certain:
- The kept blocks are complete top-level statements, so every bracket, string and indentation is closed
  at their edges: the rows between them parse alone as they parse in the file, if they parse alone at all
  (if not, the file is parsed whole, and its problem reported as before).
- A def or class is summarised against the module's bindings (its imports, defs and assignments, read
  from every module-level statement). The old and the new rows between the kept blocks must hold only
  defs and classes, with the same names in the same order: the bindings are then the same.
- The module's own record says whether module-level code awaits or yields, which is not kept per block:
  a module where it does is parsed whole.
"""

from __future__ import annotations

import ast
import hashlib
import sys
import warnings
from dataclasses import replace
from typing import List, NamedTuple, Optional, Sequence, Tuple

from fastapi_asynclint.index.summary import (
    MODULE_SCOPE, ClassInfo, Function, ModuleSummary, Span, Summarizer, _own_nodes, first_row, last_row,
)

# Files at least this large (bytes) carry a layout: below it a whole parse costs a few milliseconds.
LAYOUT_MIN_BYTES = 32_768

_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class Block(NamedTuple):
    """One or more top-level statements; its chunk runs from the row after the block above (row 1 for the
    first) to `last`, taking in the blank and comment rows above the statements."""

    start: int  # first row of its first statement, decorators included
    last: int  # last row of its last statement
    digest: bytes  # of the chunk's rows
    definitions: bool  # it holds only defs and classes
    imports: Tuple[str, ...]  # what its definitions import (Summarizer.imports), each once


class Layout(NamedTuple):
    rows: int  # how many rows the file has (as ast counts them: build.split_rows)
    blocks: Tuple[Block, ...]
    tail: bytes  # digest of the rows after the last block
    module_imports: int  # how many of the summary's imports the module-level statements made


def _digest(rows: Sequence[str]) -> bytes:
    return hashlib.blake2b("\n".join(rows).encode("utf-8", "surrogatepass"), digest_size=12).digest()


def _groups(statements: Sequence[ast.stmt]) -> List[List[ast.stmt]]:
    """Consecutive statements, those sharing a row (`a = 1; b = 2`) in one group."""
    groups: List[List[ast.stmt]] = []
    reach = 0
    for statement in statements:
        if groups and first_row(statement) <= reach:
            groups[-1].append(statement)
        else:
            groups.append([statement])
        reach = max(reach, last_row(statement))
    return groups


def _blocks(
    rows: Sequence[str], statements: Sequence[ast.stmt], imports: Sequence[str], marks: Sequence[int], first: int
) -> List[Block]:
    """The blocks of these statements, the first one's chunk from row `first`. `marks[i]`: how many of
    `imports` the summarizer had made before statement i (and after the last one, at the end)."""
    blocks = []
    position = 0
    for group in _groups(statements):
        last = max(map(last_row, group))
        made = imports[marks[position] : marks[position + len(group)]]
        position += len(group)
        blocks.append(
            Block(
                first_row(group[0]), last, _digest(rows[first - 1 : last]),
                all(isinstance(statement, _DEFINITIONS) for statement in group),
                tuple(dict.fromkeys(map(sys.intern, made))),
            )
        )
        first = last + 1
    return blocks


def layout_of(rows: Sequence[str], tree: ast.Module, summarizer: Summarizer) -> Optional[Layout]:
    """The layout of a file just summarised whole by `summarizer`; None for a file without statements, or
    one whose defs hold a star import (not kept per block)."""
    marks = summarizer.marks
    if not tree.body or marks[-1][1] != marks[0][1]:
        return None
    blocks = _blocks(rows, tree.body, summarizer.imports, [imports for imports, _ in marks], 1)
    module_imports = len(dict.fromkeys(summarizer.imports[: marks[0][0]]))
    return Layout(len(rows), tuple(blocks), _digest(rows[blocks[-1].last :]), module_imports)


class Resummarized(NamedTuple):
    summary: ModuleSummary
    layout: Layout
    spans: Tuple[Tuple[int, int], ...]  # each block's statement rows (build.rows_digest reads them)


def resummarize(rows: Sequence[str], previous: ModuleSummary, layout: Layout) -> Optional[Resummarized]:
    """The summary of the file now made of `rows` (split as build.split_rows does), from the summary and
    layout of an earlier version of it; None when only a whole parse can tell (see the module docstring)."""
    module_record = previous.functions[0] if previous.functions else None
    if module_record is None or module_record.qualname != MODULE_SCOPE or module_record.awaits or module_record.yields:
        return None
    blocks = layout.blocks
    firsts = [1] + [block.last + 1 for block in blocks[:-1]]  # where each block's chunk starts
    count = len(rows)
    delta = count - layout.rows
    head = 0  # blocks kept at the start: blocks[:head]
    while head < len(blocks) and blocks[head].last <= count:
        if _digest(rows[firsts[head] - 1 : blocks[head].last]) != blocks[head].digest:
            break
        head += 1
    floor = blocks[head - 1].last if head else 0  # the last row kept at the start
    end = len(blocks)  # blocks kept at the end: blocks[end:]
    tail_first = blocks[-1].last + 1
    if tail_first + delta > floor and _digest(rows[tail_first - 1 + delta :]) == layout.tail:
        while end > head and firsts[end - 1] + delta > floor:
            if _digest(rows[firsts[end - 1] - 1 + delta : blocks[end - 1].last + delta]) != blocks[end - 1].digest:
                break
            end -= 1
        ceiling = (firsts[end] if end < len(blocks) else tail_first) + delta - 1  # the last row parsed
    else:
        ceiling = count
    old_ceiling = ceiling - delta
    if not all(block.definitions for block in blocks[head:end]):
        return None
    statements = _parse(rows, floor + 1, ceiling)
    if statements is None or not all(isinstance(statement, _DEFINITIONS) for statement in statements):
        return None
    # Top-level defs and classes are the records whose qualified name is their name.
    old_names = [
        (record.span.start, record.qualname)
        for record in (*previous.functions[1:], *previous.classes)
        if floor < record.row <= old_ceiling and "." not in record.qualname
    ]
    if [statement.name for statement in statements] != [name for _, name in sorted(old_names)]:  # type: ignore[attr-defined]
        return None

    kept_functions = [f for f in previous.functions[1:] if f.row <= floor]
    summarizer = Summarizer(previous.module, previous.is_package)
    summarizer.bindings = dict(previous.bindings)
    summarizer.dependency_aliases = dict(previous.dependency_aliases)
    # As in a whole summary, a decorator naming a method sees the functions summarised before it.
    summarizer.functions = list(kept_functions)
    calls, awaits, yields = summarizer.calls_in(list(_own_nodes(statements)))
    if awaits or yields:
        return None
    marks = [0]
    for statement in statements:
        summarizer.walk_definitions([statement], "", None)
        marks.append(len(summarizer.imports))
    if summarizer.star_imports:
        return None
    new_blocks = _blocks(rows, statements, summarizer.imports, marks, floor + 1)

    module_calls = [c for c in module_record.calls if c.row <= floor]
    module_calls += calls
    module_calls += [replace(c, row=c.row + delta) for c in module_record.calls if c.row > old_ceiling]
    functions = [Function(MODULE_SCOPE, 1, False, None, tuple(module_calls))]
    functions += summarizer.functions  # the kept ones, then the new rows'
    functions += [_moved_function(f, delta) for f in previous.functions[1:] if f.row > old_ceiling]
    classes = [c for c in previous.classes if c.row <= floor]
    classes += summarizer.classes
    classes += [_moved_class(c, delta) for c in previous.classes if c.row > old_ceiling]

    kept = [*blocks[:head], *new_blocks, *(_moved_block(block, delta) for block in blocks[end:])]
    if not kept:
        return None
    if end < len(blocks):
        # The first block kept at the end takes in the blank and comment rows above it, new ones included.
        number = head + len(new_blocks)
        first = kept[number - 1].last + 1 if number else 1
        if first != firsts[end] + delta:
            kept[number] = kept[number]._replace(digest=_digest(rows[first - 1 : kept[number].last]))
        tail = layout.tail  # the rows below the blocks kept at the end are the old tail's (checked above)
    else:
        tail = _digest(rows[kept[-1].last :])
    imports = list(previous.imports[: layout.module_imports])
    for block in kept:
        imports += block.imports
    summary = ModuleSummary(
        module=previous.module,
        is_package=previous.is_package,
        bindings=previous.bindings,
        functions=tuple(functions),
        classes=tuple(classes),
        imports=tuple(dict.fromkeys(imports)),
        star_imports=previous.star_imports,
        dependency_aliases=previous.dependency_aliases,
    )
    new_layout = Layout(count, tuple(kept), tail, layout.module_imports)
    return Resummarized(summary, new_layout, tuple((block.start, block.last) for block in kept))


def _parse(rows: Sequence[str], first: int, last: int) -> Optional[List[ast.stmt]]:
    """The statements of rows first..last, parsed alone but numbered as in the file; None if they do not
    parse alone."""
    source = "\n" * (first - 1) + "\n".join(rows[first - 1 : last])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return ast.parse(source).body
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _moved_block(block: Block, delta: int) -> Block:
    return block._replace(start=block.start + delta, last=block.last + delta) if delta else block


def _moved_span(span: Optional[Span], delta: int) -> Optional[Span]:
    return None if span is None else Span(span.start + delta, span.end + delta, span.direct)


def _moved_function(function: Function, delta: int) -> Function:
    if not delta:
        return function
    return replace(
        function,
        row=function.row + delta,
        calls=tuple(replace(call, row=call.row + delta) for call in function.calls),
        decorators=tuple(replace(call, row=call.row + delta) for call in function.decorators),
        span=_moved_span(function.span, delta),
    )


def _moved_class(info: ClassInfo, delta: int) -> ClassInfo:
    if not delta:
        return info
    return replace(info, row=info.row + delta, span=_moved_span(info.span, delta))
