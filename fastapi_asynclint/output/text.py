"""Human output (`text` with a source excerpt, `concise` one line per finding), coloured on a TTY via rich."""

from __future__ import annotations

from collections import Counter
from typing import List

from rich.console import Console
from rich.text import Text

from fastapi_asynclint.diagnostics import Diagnostic
from fastapi_asynclint.output.common import SourceLines, fix_marker, hidden_unsafe, is_fixable, rule_name
from fastapi_asynclint.results import display_path

_CONTEXT_LINES = 1


def _console(context) -> Console:
    return Console(
        file=context.stream,
        highlight=False,
        soft_wrap=True,
        force_terminal=context.color,
        no_color=context.color is False,
        emoji=False,
    )


def _headline(diagnostic: Diagnostic, unsafe_fixes: bool) -> Text:
    line = Text()
    line.append(display_path(diagnostic.filename), style="bold")
    line.append(f":{diagnostic.location.row}:{diagnostic.location.column}:", style="cyan")
    line.append(" ")
    line.append(diagnostic.code, style="bold red")
    line.append(" ")
    marker = fix_marker(diagnostic, unsafe_fixes)
    if marker:
        line.append(marker, style="cyan")
    line.append(diagnostic.message)
    return line


def _excerpt(diagnostic: Diagnostic, lines: SourceLines) -> List[Text]:
    start, end = diagnostic.location, diagnostic.end_location
    source = lines.lines(diagnostic.filename)
    if not source or start.row > len(source):
        return []
    first = max(1, start.row - _CONTEXT_LINES)
    last = min(len(source), start.row + _CONTEXT_LINES)
    width = len(str(last))
    gutter = " " * width + " |"
    out = [Text(gutter, style="blue")]
    for row in range(first, last + 1):
        line = source[row - 1]
        text = Text(f"{row:>{width}} | ", style="blue")
        text.append(line.expandtabs(4))
        out.append(text)
        if row == start.row:
            end_column = end.column if end.row == start.row else len(line) + 1
            offset = len(line[: start.column - 1].expandtabs(4))
            carets = max(1, len(line[: end_column - 1].expandtabs(4)) - offset)
            pointer = Text(gutter + " " + " " * offset, style="blue")
            pointer.append("^" * carets + " " + diagnostic.code, style="bold red")
            out.append(pointer)
    out.append(Text(gutter, style="blue"))
    return out


def _notes(diagnostic: Diagnostic) -> List[Text]:
    notes = []
    if diagnostic.fix is not None:
        label = {"safe": "help", "unsafe": "help (unsafe fix)", "display-only": "suggestion"}[
            diagnostic.fix.applicability.value
        ]
        notes.append(Text(f"  = {label}: {diagnostic.fix.message}", style="cyan"))
    if diagnostic.chain:
        hops = [f"{hop.name} ({display_path(hop.filename)}:{hop.row})" for hop in diagnostic.chain[:-1]]
        hops.append(diagnostic.chain[-1].name)
        notes.append(Text("  = chain: " + " -> ".join(hops), style="cyan"))
    return notes


def _summary(console: Console, result, context) -> None:
    diagnostics = result.diagnostics
    fixed = sum(result.applied.values())
    if not diagnostics and not fixed:
        if not context.quiet:
            console.print(Text("All checks passed!", style="green"))
        return
    if context.quiet:
        return
    errors = len(diagnostics)
    noun = "error" if errors + fixed == 1 else "errors"
    if fixed:
        console.print(f"Found {errors + fixed} {noun} ({fixed} fixed, {errors} remaining).")
    else:
        console.print(f"Found {errors} {noun}.")
    fixable = sum(1 for d in diagnostics if is_fixable(d, context.unsafe_fixes))
    hidden = sum(1 for d in diagnostics if hidden_unsafe(d, context.unsafe_fixes))
    if fixable and not context.fix:
        console.print(Text(f"[*] {fixable} fixable with the `--fix` option.", style="cyan"))
    if hidden:
        console.print(f"({hidden} hidden fixes can be enabled with the `--unsafe-fixes` option.)")


def _show_fixes(console: Console, result) -> None:
    fixed = [(report, report.applied) for report in result.files if report.applied]
    if not fixed:
        return
    total = sum(sum(applied.values()) for _, applied in fixed)
    console.print(f"\nFixed {total} error{'s' if total != 1 else ''}:")
    for report, applied in fixed:
        console.print(Text(f"- {display_path(report.path)}:", style="bold"))
        for code, count in sorted(applied.items()):
            console.print(f"    {count} × {code} ({rule_name(code)})")


def render_statistics(stream, diagnostics: List[Diagnostic], unsafe_fixes: bool) -> None:
    """ruff's `--statistics` table: count, code, fixability, rule name (tab-separated, no colour)."""
    counts = Counter(d.code for d in diagnostics)
    fixable = {d.code for d in diagnostics if is_fixable(d, unsafe_fixes)}
    width = max((len(str(n)) for n in counts.values()), default=1)
    for code, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        marker = "[*]" if code in fixable else "[ ]"
        stream.write(f"{count:>{width}}\t{code}\t{marker} {rule_name(code)}\n")


def render(result, context) -> None:
    console = _console(context)
    diagnostics = sorted(result.diagnostics, key=lambda d: d.sort_key)
    if context.statistics:
        render_statistics(context.stream, diagnostics, context.unsafe_fixes)
    else:
        lines = SourceLines(context.sources)
        for diagnostic in diagnostics:
            console.print(_headline(diagnostic, context.unsafe_fixes))
            if context.format == "text":
                for text in _excerpt(diagnostic, lines) + _notes(diagnostic):
                    console.print(text)
                console.print()
    if context.show_fixes:
        _show_fixes(console, result)
    _summary(console, result, context)
