"""Human output (`text` with a source excerpt, `concise` one line per finding), coloured on a TTY via rich.

Every line is built as styled segments. Rich prints them only when it may colour them; otherwise (output
to a file or a pipe: CI logs, pre-commit) the segments are written as the plain text rich would print,
without importing it: rich's per-line rendering took 0.45 s of a 400-finding run.
"""

from __future__ import annotations

import os
import re
import sys
from collections import Counter
from typing import List, Sequence, Tuple

from fastapi_asynclint.diagnostics import Diagnostic
from fastapi_asynclint.output.common import SourceLines, fix_marker, hidden_unsafe, is_fixable, rule_name
from fastapi_asynclint.output.reach import REACH_NOTES, reach_breakdown, root_label, top_roots
from fastapi_asynclint.results import display_path

_CONTEXT_LINES = 1

# A line of output: (text, rich style) segments.
Line = Tuple[Tuple[str, str], ...]

# What makes rich colour or treat a stream as a terminal besides the stream itself being one.
_RICH_TERMINAL_ENV = ("FORCE_COLOR", "TTY_COMPATIBLE")

# The control codes rich.control.strip_control_codes removes: bell, backspace, vertical tab, form feed, CR.
_RICH_STRIPS = re.compile("[\a\b\v\f\r]")


def _headline(diagnostic: Diagnostic, unsafe_fixes: bool, reach: bool) -> Line:
    """`reach`: end with where the code runs (concise output; text output says it in a note)."""
    return (
        (display_path(diagnostic.filename), "bold"),
        (f":{diagnostic.location.row}:{diagnostic.location.column}:", "cyan"),
        (" ", ""),
        (diagnostic.code, "bold red"),
        (" ", ""),
        (fix_marker(diagnostic, unsafe_fixes), "cyan"),
        (diagnostic.message, ""),
        *((((f" [{diagnostic.reach}]", "magenta"),) if reach and diagnostic.reach else ())),
    )


def _excerpt(diagnostic: Diagnostic, lines: SourceLines) -> List[Line]:
    start, end = diagnostic.location, diagnostic.end_location
    source = lines.lines(diagnostic.filename)
    if not source or start.row > len(source):
        return []
    first = max(1, start.row - _CONTEXT_LINES)
    last = min(len(source), start.row + _CONTEXT_LINES)
    width = len(str(last))
    gutter = " " * width + " |"
    out: List[Line] = [((gutter, "blue"),)]
    for row in range(first, last + 1):
        line = source[row - 1]
        out.append(((f"{row:>{width}} | ", "blue"), (line.expandtabs(4), "")))
        if row == start.row:
            end_column = end.column if end.row == start.row else len(line) + 1
            offset = len(line[: start.column - 1].expandtabs(4))
            carets = max(1, len(line[: end_column - 1].expandtabs(4)) - offset)
            out.append(((gutter + " " + " " * offset, "blue"), ("^" * carets + " " + diagnostic.code, "bold red")))
    out.append(((gutter, "blue"),))
    return out


def _notes(diagnostic: Diagnostic) -> List[Line]:
    notes: List[Line] = []
    if diagnostic.fix is not None:
        label = {"safe": "help", "unsafe": "help (unsafe fix)", "display-only": "suggestion"}[
            diagnostic.fix.applicability.value
        ]
        notes.append(((f"  = {label}: {diagnostic.fix.message}", "cyan"),))
    if diagnostic.chain:
        hops = [f"{hop.name} ({display_path(hop.filename)}:{hop.row})" for hop in diagnostic.chain[:-1]]
        hops.append(diagnostic.chain[-1].name)
        notes.append((("  = chain: " + " -> ".join(hops), "cyan"),))
    if diagnostic.reach:
        notes.append(((f"  = runs: {diagnostic.reach}: {REACH_NOTES[diagnostic.reach]}", "cyan"),))
    return notes


def _summary(result, context) -> List[Line]:
    diagnostics = result.diagnostics
    fixed = sum(result.applied.values())
    if not diagnostics and not fixed:
        if context.quiet or result.missing or result.errors:
            return []  # a path that does not exist or a file that could not be checked is no pass
        files = len(result.files)
        return [((f"All checks passed! ({files} file{'s' if files != 1 else ''} checked)", "green"),)]
    if context.quiet:
        return []
    errors = len(diagnostics)
    noun = "error" if errors + fixed == 1 else "errors"
    breakdown = reach_breakdown(diagnostics)
    if fixed:
        out: List[Line] = [((f"Found {errors + fixed} {noun} ({fixed} fixed, {errors} remaining).", ""),)]
    else:
        out = [((f"Found {errors} {noun}{': ' + breakdown if breakdown else ''}.", ""),)]
    roots = top_roots(diagnostics, limit=1)
    if roots and roots[0][1] >= 3:
        root, count = roots[0]
        out.append(((f"{count} findings share one root: {root_label(root, diagnostics)}", ""),))
    fixable = sum(1 for d in diagnostics if is_fixable(d, context.unsafe_fixes))
    hidden = sum(1 for d in diagnostics if hidden_unsafe(d, context.unsafe_fixes))
    if fixable and not context.fix:
        out.append(((f"[*] {fixable} fixable with the `--fix` option.", "cyan"),))
    if hidden:
        out.append(((f"({hidden} hidden fixes can be enabled with the `--unsafe-fixes` option.)", ""),))
    return out


def _show_fixes(result) -> List[Line]:
    fixed = [(report, report.applied) for report in result.files if report.applied]
    if not fixed:
        return []
    total = sum(sum(applied.values()) for _, applied in fixed)
    out: List[Line] = [(), ((f"Fixed {total} error{'s' if total != 1 else ''}:", ""),)]
    for report, applied in fixed:
        out.append(((f"- {display_path(report.path)}:", "bold"),))
        for code, count in sorted(applied.items()):
            out.append(((f"    {count} × {code} ({rule_name(code)})", ""),))
    return out


def render_statistics(stream, diagnostics: List[Diagnostic], unsafe_fixes: bool) -> None:
    """ruff's `--statistics` table: count, code, fixability (`[*]` fixable, `[-]` only with
    `--unsafe-fixes`, `[ ]` no fix), rule name (tab-separated, no colour); then the blocking roots most
    findings share."""
    counts = Counter(d.code for d in diagnostics)
    fixable = {d.code for d in diagnostics if is_fixable(d, unsafe_fixes)}
    unsafe = {d.code for d in diagnostics if hidden_unsafe(d, unsafe_fixes)}
    width = max((len(str(n)) for n in counts.values()), default=1)
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        marker = "[*]" if code in fixable else "[-]" if code in unsafe else "[ ]"
        stream.write(f"{count:>{width}}\t{code}\t{marker} {rule_name(code)}\n")
    roots = top_roots(diagnostics)
    if roots:
        stream.write("\nFindings that share a blocking root:\n")
        for root, count in roots:
            stream.write(f"{count:>{width}}\t{root_label(root, diagnostics)}\n")


def render(result, context) -> None:
    diagnostics = sorted(result.diagnostics, key=lambda d: d.sort_key)
    out: List[Line] = []
    if context.statistics:
        render_statistics(context.stream, diagnostics, context.unsafe_fixes)
    else:
        lines = SourceLines(context.sources)
        for diagnostic in diagnostics:
            out.append(_headline(diagnostic, context.unsafe_fixes, reach=context.format == "concise"))
            if context.format == "text":
                out.extend(_excerpt(diagnostic, lines))
                out.extend(_notes(diagnostic))
                out.append(())
    if context.show_fixes:
        out.extend(_show_fixes(result))
    out.extend(_summary(result, context))
    if _rich_may_style(context):
        _print_styled(out, context)
    else:
        _write_plain(out, context.stream)


def _rich_may_style(context) -> bool:
    """Whether rich could print anything but the plain text: colour asked for, a terminal, or an
    environment that makes rich treat the stream as one."""
    if context.color is not None:
        return bool(context.color)
    if any(os.environ.get(name) for name in _RICH_TERMINAL_ENV) or "IPython" in sys.modules:
        return True
    isatty = getattr(context.stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream: rich would not style it either
        return False


def _print_styled(out: Sequence[Line], context) -> None:
    from rich.console import Console
    from rich.text import Text

    console = Console(
        file=context.stream,
        highlight=False,
        soft_wrap=True,
        force_terminal=context.color,
        no_color=context.color is False,
        emoji=False,
    )
    for line in out:
        console.print(Text.assemble(*line))


def _write_plain(out: Sequence[Line], stream) -> None:
    """What rich prints for these lines when it cannot style them: the text with its control codes
    removed (rich.text.Text does), then tabs expanded to 8 columns (rich's default), in one write."""
    text = "".join("".join(part for part, _ in line) + "\n" for line in out)
    if _RICH_STRIPS.search(text):  # rare, and rich's str.translate costs 0.1 s on a 1 MB report
        from rich.control import strip_control_codes

        text = strip_control_codes(text)
    if "\t" in text:
        text = "\n".join(line.expandtabs(8) for line in text.split("\n"))
    stream.write(text)
