"""`# noqa` suppression, read from real comment tokens (a `# noqa` inside a string does not count).

Line level:  `# noqa` (every code) or `# noqa: FAL101, FAL102` on the reported line.
File level:  `# fastapi-asynclint: noqa` or `# fastapi-asynclint: noqa: FAL101` anywhere in the file (as ruff's
`# ruff: noqa`).  Built from tokenize rather than from libcst parents: a ParentNodeProvider costs more than
the rules it would serve.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Dict, FrozenSet, Iterable, Iterator, Optional, Tuple

from fastapi_asynclint.source import split_lines

ALL: FrozenSet[str] = frozenset({"*"})

_CODE_LIST = r"[A-Za-z]+[0-9]+(?:[\s,]+[A-Za-z]+[0-9]+)*"
NOQA = re.compile(rf"#\s*noqa(?::\s*(?P<codes>{_CODE_LIST}))?", re.IGNORECASE)
FILE_NOQA = re.compile(rf"#\s*fastapi-asynclint:\s*noqa(?::\s*(?P<codes>{_CODE_LIST}))?", re.IGNORECASE)


def parse_codes(text: Optional[str]) -> FrozenSet[str]:
    if not text:
        return ALL
    return frozenset(code.upper() for code in re.split(r"[\s,]+", text.strip()) if code)


@dataclass
class NoqaMap:
    lines: Dict[int, FrozenSet[str]] = field(default_factory=dict)
    file_codes: FrozenSet[str] = frozenset()

    def suppresses(self, code: str, row: int) -> bool:
        codes = self.lines.get(row, frozenset())
        return any("*" in found or code in found for found in (self.file_codes, codes))


def _comments(text: str) -> Iterator[Tuple[int, str]]:
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type == tokenize.COMMENT:
                yield token.start[0], token.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        # Newer syntax than this interpreter tokenizes: fall back to a plain scan of comment-looking text.
        for row, line in enumerate(text.splitlines(), start=1):
            position = line.find("#")
            if position >= 0:
                yield row, line[position:]


def build_noqa_map(text: str) -> NoqaMap:
    noqa = NoqaMap()
    lowered = text.lower()
    if "noqa" not in lowered:
        return noqa
    file_codes: set = set()
    for row, comment in _comments(text):
        file_match = FILE_NOQA.search(comment)
        if file_match:
            file_codes.update(parse_codes(file_match.group("codes")))
            continue
        match = NOQA.search(comment)
        if match:
            noqa.lines[row] = parse_codes(match.group("codes"))
    noqa.file_codes = frozenset(file_codes)
    return noqa


def _line_comment(line: str) -> Optional[str]:
    """The comment of one physical line that starts outside any string (tokenizing that line alone)."""
    try:
        for token in tokenize.generate_tokens(io.StringIO(line).readline):
            if token.type == tokenize.COMMENT:
                return token.string
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass  # an unclosed bracket at the end of the line: the comment, if any, was already seen
    return None


def _may_continue(line: str) -> bool:
    """Whether a line may end inside a string or a backslash continuation (its noqa goes further down)."""
    return '"""' in line or "'''" in line or line.rstrip().endswith("\\")


def filter_suppressed(diagnostics: Iterable, text: str) -> list:
    """Set each diagnostic's noqa_row and drop those that a noqa comment suppresses.

    Only the reported lines are tokenized, unless a finding sits on a line that continues a string or a
    backslash, or the file has a file-level directive: then the whole file is."""
    from dataclasses import replace

    diagnostics = list(diagnostics)
    if not diagnostics:
        return diagnostics
    lines = split_lines(text)
    whole: Optional[NoqaMap] = None
    moved: Optional[Dict[int, int]] = None
    if "fastapi-asynclint:" in text:
        whole = build_noqa_map(text)
    kept = []
    for diagnostic in diagnostics:
        row = diagnostic.location.row
        line = lines[row - 1] if 0 < row <= len(lines) else ""
        if _may_continue(line):
            moved = comment_rows(text) if moved is None else moved
            row = moved.get(row, row)
        if whole is None and _may_continue(line):
            # The line cannot be tokenized alone (it may close a string): read the comments of the file.
            whole = build_noqa_map(text)
        if whole is not None:
            suppressed = whole.suppresses(diagnostic.code, row)
        else:
            comment = _line_comment(line) if "noqa" in line.lower() else None
            match = NOQA.search(comment) if comment else None
            codes = parse_codes(match.group("codes")) if match else frozenset()
            suppressed = "*" in codes or diagnostic.code in codes
        if not suppressed:
            kept.append(replace(diagnostic, noqa_row=row) if diagnostic.noqa_row != row else diagnostic)
    return kept


def comment_rows(text: str) -> Dict[int, int]:
    """Rows where no comment can go (inside a multi-line string, or ending in a backslash), mapped to the
    row where the comment for them belongs: where the string or the continued line ends (ruff's noqa_row)."""
    moved: Dict[int, int] = {}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            start, end = token.start[0], token.end[0]
            if end > start and token.type in _MULTILINE_TOKENS:
                for row in range(start, end):
                    moved[row] = end
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    lines = text.splitlines()
    for row in range(len(lines), 0, -1):
        if lines[row - 1].rstrip().endswith("\\") and row not in moved:
            moved[row] = moved.get(row + 1, row + 1)
    # Follow chains (a string that ends on a continued line, and so on).
    for row in sorted(moved, reverse=True):
        target = moved[row]
        while target in moved and moved[target] != target:
            target = moved[target]
        moved[row] = target
    return moved


_MULTILINE_TOKENS = {tokenize.STRING}
for _name in ("FSTRING_END", "TSTRING_END"):
    if hasattr(tokenize, _name):
        _MULTILINE_TOKENS.add(getattr(tokenize, _name))
