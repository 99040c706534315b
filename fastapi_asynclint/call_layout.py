"""A call a fix writes, laid out as ruff format (and black) would lay it out, so that fixed code passes the
user's formatter check.

ruff format keeps a call on one line when it fits; otherwise it moves all the arguments to one indented line
between the brackets; when that does not fit either, or an argument spans lines, or the call ends with a
"magic" trailing comma, it puts one argument per line, each followed by a comma.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Optional, Sequence, Tuple

LINE_LENGTH = 88
INDENT = "    "


@dataclass(frozen=True)
class CallText:
    """The call to lay out: `opening` holds everything up to its `(` (`await asyncio.to_thread(`),
    `arguments` each argument's text without its comma (lines after its first relative to the line it
    starts on: see `relative`), `closing` its `)`. `wrappers` are the brackets around it, outermost first,
    as (opening, closing) pairs: `(("(", ")"),)` for `(await f(x)).json()`, whose `.json()` follows."""

    opening: str
    arguments: Sequence[str]
    closing: str = ")"
    magic_trailing_comma: bool = False
    wrappers: Tuple[Tuple[str, str], ...] = ()

    @property
    def breaks(self) -> bool:
        """Whether its arguments must go one per line: an argument spans lines, or a trailing comma says so."""
        return self.magic_trailing_comma or any("\n" in argument for argument in self.arguments)

    def flat(self) -> str:
        inner = f"{self.opening}{', '.join(self.arguments)}{self.closing}"
        return "".join(opening for opening, _ in self.wrappers) + inner + "".join(closing for _, closing in reversed(self.wrappers))


@dataclass(frozen=True)
class Surroundings:
    """What shares the call's first and last lines: the text before it (its indentation and whatever
    precedes the call) and the text after it."""

    before: str
    after: str


def layout(call: CallText, around: Surroundings, line_length: int = LINE_LENGTH) -> str:
    flat = call.flat()
    if not call.breaks and len(around.before) + len(flat) + len(around.after.rstrip()) <= line_length:
        return flat
    base = around.before[: len(around.before) - len(around.before.lstrip())]
    return _split(call, base, line_length)


def _split(call: CallText, base: str, line_length: int) -> str:
    """Break the outermost bracket: its content on lines of their own, one level deeper."""
    inner = base + INDENT
    if call.wrappers:
        (opening, closing), rest = call.wrappers[0], replace(call, wrappers=call.wrappers[1:])
        content = rest.flat()
        if rest.breaks or len(inner) + len(content) > line_length:
            content = _split(rest, inner, line_length)
        return f"{opening}\n{inner}{content}\n{base}{closing}"
    joined = ", ".join(call.arguments)
    if not call.breaks and len(inner) + len(joined) <= line_length:
        return f"{call.opening}\n{inner}{joined}\n{base}{call.closing}"
    exploded = "".join(f"{inner}{_indented(argument, inner)},\n" for argument in call.arguments)
    return f"{call.opening}\n{exploded}{base}{call.closing}"


def relative(text: str, indentation: str) -> Optional[str]:
    """An argument's text with the lines after its first made relative to `indentation`, that of the line
    it starts on; None when one of them is indented less, or a string spans lines (its text cannot move)."""
    lines = text.split("\n")
    if len(lines) == 1:
        return text
    if '"""' in text or "'''" in text or any(line.strip() and not line.startswith(indentation) for line in lines[1:]):
        return None
    return "\n".join([lines[0]] + [line[len(indentation):] if line.strip() else "" for line in lines[1:]])


def _indented(argument: str, indentation: str) -> str:
    return "\n".join(
        [line if position == 0 or not line else indentation + line for position, line in enumerate(argument.split("\n"))]
    )
