"""`--add-noqa`: write `# noqa: CODE` on every line with a finding, so a team can adopt the linter on a
legacy code base today and burn the debt down later. Existing noqa codes are kept and merged; a second
run adds nothing."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path
from typing import Dict, Set

from fastapi_asynclint.noqa import NOQA
from fastapi_asynclint.source import UndecodableSource, decode_source, line_starts
from fastapi_asynclint.writer import write_atomic

_LINE_END = re.compile(r"(\r\n|\r|\n)$")


def add_noqa_to_text(text: str, codes_by_row: Dict[int, Set[str]]) -> str:
    lines = text.splitlines(keepends=True)
    for row, codes in codes_by_row.items():
        if not 0 < row <= len(lines):
            continue
        line = lines[row - 1]
        ending = _LINE_END.search(line)
        newline = ending.group(1) if ending else ""
        body = line[: len(line) - len(newline)]
        match = NOQA.search(body)
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
    changed = 0
    for path, rows in by_file.items():
        raw = Path(path).read_bytes()
        try:
            source = decode_source(raw)
        except UndecodableSource:
            continue
        updated = add_noqa_to_text(source.text, rows)
        if updated != source.text:
            changed += sum(
                1 for a, b in zip(source.text.splitlines(), updated.splitlines()) if a != b
            )
            write_atomic(Path(path), source.encode(updated))
    return changed
