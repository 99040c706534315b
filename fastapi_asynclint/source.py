"""Read a Python file's bytes into text the way the interpreter would, remembering how to write it back.

The encoding comes from the BOM or the PEP 263 cookie (tokenize.detect_encoding), the newline style from
the first line ending: an autofix must give back a file with the same encoding, BOM and line endings.
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass
from typing import List

# Python's own line endings; str.splitlines() would also split on \x0c, \x1c, \u2028 ... inside lines.
_LINE_END = re.compile(r"\r\n|\r|\n")


class UndecodableSource(Exception):
    """The bytes are not text in the encoding the file declares (reported as FAL901)."""


@dataclass(frozen=True)
class SourceText:
    text: str
    encoding: str
    newline: str

    def encode(self, text: str) -> bytes:
        # "utf-8-sig" writes the BOM back; every other codec round-trips as declared.
        return text.encode(self.encoding)


def decode_source(raw: bytes) -> SourceText:
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(raw).readline)
    except SyntaxError as exc:  # undecodable first lines, an unknown codec, a cookie contradicting the BOM
        message = str(exc)
        if message.startswith("invalid or missing encoding declaration"):
            message = "not valid UTF-8, and no encoding declaration says otherwise"
        raise UndecodableSource(message) from None
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise UndecodableSource(f"cannot decode as {encoding}: {exc}") from None
    if encoding == "utf-8-sig" and text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        raise UndecodableSource("file contains NUL bytes; it is not Python source")
    return SourceText(text=text, encoding=encoding, newline=detect_newline(text))


def detect_newline(text: str) -> str:
    match = _LINE_END.search(text)
    return match.group(0) if match else "\n"


def split_lines(text: str) -> List[str]:
    """Lines without their endings, split exactly where the tokenizer splits them."""
    if "\r" not in text:  # the common case, at a tenth of the regular expression's cost
        return text.split("\n")
    return _LINE_END.split(text)


_PHYSICAL_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n|$)")


def physical_lines(text: str) -> List[str]:
    """Lines with their endings, split exactly where the tokenizer splits them."""
    lines = _PHYSICAL_LINE.findall(text)
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def line_starts(text: str) -> List[int]:
    """Offset of the first character of every line (row r starts at line_starts[r - 1])."""
    starts = [0]
    starts.extend(match.end() for match in _LINE_END.finditer(text))
    return starts
