"""`--add-noqa`: write `# noqa: CODE` on every line with a finding, so a team can adopt the linter on a
legacy code base today and burn the debt down later. Existing noqa codes are kept and merged; a second
run adds nothing."""

from __future__ import annotations

import io
import re
import tokenize
from collections import defaultdict
from pathlib import Path
from typing import Dict, Optional, Set

from fastapi_asynclint.noqa import NOQA
from fastapi_asynclint.source import UndecodableSource, decode_source, physical_lines
from fastapi_asynclint.writer import write_atomic

_LINE_END = re.compile(r"(\r\n|\r|\n)$")


def _comment_columns(text: str) -> Optional[Dict[int, int]]:
    """Row -> column where the row's real comment starts (a `# noqa` inside a string is no comment), or
    None when the file does not tokenize (newer syntax): then the line's text is searched instead."""
    columns: Dict[int, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                columns[token.start[0]] = token.start[1]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return columns


def add_noqa_to_text(text: str, codes_by_row: Dict[int, Set[str]]) -> str:
    # Split where the tokenizer does: str.splitlines() would also split on \x0c, \x1c, \u2028 inside a
    # line, shifting every row below and dropping those characters.
    lines = physical_lines(text)
    comments = _comment_columns(text)
    for row, codes in codes_by_row.items():
        if not 0 < row <= len(lines):
            continue
        line = lines[row - 1]
        ending = _LINE_END.search(line)
        newline = ending.group(1) if ending else ""
        body = line[: len(line) - len(newline)]
        if comments is None:
            match = NOQA.search(body)
        else:
            column = comments.get(row)
            match = NOQA.search(body, column) if column is not None else None
        if match and not match.group("codes"):
            continue  # a bare `# noqa` already silences everything on the line
        if match:
            present = {c.strip().upper() for c in re.split(r"[\s,]+", match.group("codes")) if c.strip()}
            merged = ", ".join(sorted(present | codes))
            body = body[: match.start()] + f"# noqa: {merged}" + body[match.end():]
        else:
            body = body.rstrip() + f"  # noqa: {', '.join(sorted(codes))}"
        lines[row - 1] = body + newline
    return "".join(lines)


def add_noqa_comments(result) -> int:
    """Add the comments for every finding of a check result; returns how many lines were changed."""
    by_file: Dict[str, Dict[int, Set[str]]] = defaultdict(lambda: defaultdict(set))
    for diagnostic in result.diagnostics:
        if diagnostic.code.startswith("FAL9"):
            continue  # a file that does not parse cannot be annotated line by line
        by_file[diagnostic.filename][diagnostic.noqa_row or diagnostic.location.row].add(diagnostic.code)
    # The text each file was linted as (absent for results served from the cache).
    linted = {report.path: report.source.text for report in result.files if getattr(report, "source", None)}
    changed = 0
    for path, rows in by_file.items():
        try:
            source = decode_source(Path(path).read_bytes())
        except (OSError, UndecodableSource):
            continue  # stdin under a name with no file behind it, or a file gone since
        if path in linted and linted[path] != source.text:
            continue  # rows found in other text (stdin, or the file changed meanwhile) would land on wrong lines
        updated = add_noqa_to_text(source.text, rows)
        if updated != source.text:
            changed += sum(1 for a, b in zip(physical_lines(source.text), physical_lines(updated)) if a != b)
            write_atomic(Path(path), source.encode(updated))
    return changed
