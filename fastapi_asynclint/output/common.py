"""What several reporters need: file lines for excerpts, UTF-16 columns, and rule metadata."""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List, Optional

from fastapi_asynclint.diagnostics import Applicability, Diagnostic
from fastapi_asynclint.registry import docs_url, rule_info
from fastapi_asynclint.source import UndecodableSource, decode_source, split_lines


class SourceLines:
    """Lines of the reported files (read once each; stdin text comes from `sources`)."""

    def __init__(self, sources: Optional[Dict[str, str]] = None) -> None:
        self._sources = dict(sources or {})
        self._lines: Dict[str, List[str]] = {}

    def lines(self, path: str) -> List[str]:
        found = self._lines.get(path)
        if found is None:
            text = self._sources.get(path)
            if text is None:
                try:
                    text = decode_source(Path(path).read_bytes()).text
                except (OSError, UndecodableSource):
                    text = ""
            found = self._lines[path] = split_lines(text)
        return found

    def line(self, path: str, row: int) -> str:
        lines = self.lines(path)
        return lines[row - 1] if 0 < row <= len(lines) else ""


def utf16_column(line: str, column: int) -> int:
    """A 0-based code-point column as the 0-based UTF-16 column LSP positions use."""
    prefix = line[:column]
    return column + sum(1 for char in prefix if ord(char) > 0xFFFF)


def rule_name(code: str) -> str:
    info = rule_info(code)
    return info.name if info else code


def url(code: str) -> str:
    return docs_url(code)


def is_fixable(diagnostic: Diagnostic, unsafe_fixes: bool) -> bool:
    return diagnostic.fix is not None and diagnostic.fix.is_applicable(unsafe_fixes)


def fix_marker(diagnostic: Diagnostic, unsafe_fixes: bool) -> str:
    return "[*] " if is_fixable(diagnostic, unsafe_fixes) else ""


def hidden_unsafe(diagnostic: Diagnostic, unsafe_fixes: bool) -> bool:
    return (
        not unsafe_fixes and diagnostic.fix is not None and diagnostic.fix.applicability is Applicability.UNSAFE
    )
