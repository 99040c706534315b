"""The text reporter writes plain output itself when rich could not style it: that output must be
exactly what rich prints to a plain stream, and styling must still happen whenever rich would style."""

from __future__ import annotations

import io
from collections import Counter

import pytest

from fastapi_asynclint.diagnostics import Applicability, Diagnostic, Edit, Fix, Hop, Location
from fastapi_asynclint.output import RenderContext
from fastapi_asynclint.output import text as text_output
from fastapi_asynclint.results import CheckResult, FileReport

# Tabs, a form feed, a bell, an escape and a carriage return in the source and the message: the
# characters rich's plain printing treats specially.
SOURCE = (
    "import time\n"
    "\n"
    "async def route():\n"
    "\tx = 1\x0c\t# tab\x07bell\n"
    "\ttime.sleep(1)\t\x1b[31mred\x1b[0m\n"
    "\treturn x\r\n"
)


def _result(path: str) -> CheckResult:
    fix = Fix(
        Applicability.UNSAFE,
        "Use `await asyncio.sleep(...)`",
        (Edit("await asyncio.sleep", Location(5, 2), Location(5, 12)),),
    )
    diagnostics = [
        Diagnostic("FAL101", "`time.sleep` blocks\tthe event loop\x0c", path, Location(5, 2), Location(5, 15), fix=fix),
        Diagnostic(
            "FAL110",
            "blocking call through `helper`",
            path,
            Location(4, 2),
            Location(4, 7),
            chain=(Hop("helper", path, 4), Hop("time.sleep", path, 5)),
        ),
    ]
    report = FileReport(path, diagnostics=diagnostics, applied=Counter({"FAL501": 2}))
    return CheckResult(files=[report])


@pytest.fixture
def source_file(tmp_path):
    path = tmp_path / "app.py"
    path.write_bytes(SOURCE.encode())
    return str(path)


# The rule code's bold red; the source above carries a plain red escape of its own.
BOLD_RED = "\x1b[1;31m"


def _render(result, **options) -> str:
    stream = io.StringIO()
    text_output.render(result, RenderContext(stream=stream, **options))
    return stream.getvalue()


def _render_through_rich(result, monkeypatch, **options) -> str:
    """The same lines printed by rich onto a plain stream, as every run printed them before."""
    stream = io.StringIO()
    monkeypatch.setattr(text_output, "_rich_may_style", lambda context: True)
    text_output.render(result, RenderContext(stream=stream, **options))
    return stream.getvalue()


@pytest.mark.parametrize(
    "options",
    [
        {"format": "text"},
        {"format": "concise"},
        {"format": "text", "show_fixes": True, "fix": True},
        {"format": "text", "unsafe_fixes": True},
        {"format": "text", "quiet": True},
    ],
    ids=["text", "concise", "show-fixes", "unsafe-fixes", "quiet"],
)
def test_plain_output_is_what_rich_prints_to_a_plain_stream(source_file, monkeypatch, options):
    for name in text_output._RICH_TERMINAL_ENV:
        monkeypatch.delenv(name, raising=False)
    plain = _render(_result(source_file), **options)
    assert plain == _render_through_rich(_result(source_file), monkeypatch, **options)
    # rich drops bell, form feed and carriage return, and expands tabs; it keeps ESC.
    assert "\x07" not in plain and "\x0c" not in plain and "\t" not in plain


def test_plain_output_shape(source_file, monkeypatch):
    for name in text_output._RICH_TERMINAL_ENV:
        monkeypatch.delenv(name, raising=False)
    out = _render(_result(source_file), format="text", show_fixes=True, fix=True)
    lines = out.splitlines()
    assert lines[0].endswith(":4:2: FAL110 blocking call through `helper`")
    assert any(line.strip().startswith("= chain: helper (") for line in lines)
    # --show-fixes: a blank line, then the fixed counts, before the summary.
    fixed_at = lines.index("Fixed 2 errors:")
    assert lines[fixed_at - 1] == ""
    assert lines[fixed_at + 2].strip() == "2 × FAL501 (" + text_output.rule_name("FAL501") + ")"
    assert lines[-2:] == [
        "Found 4 errors (2 fixed, 2 remaining).",
        "(1 hidden fixes can be enabled with the `--unsafe-fixes` option.)",
    ]


@pytest.mark.parametrize(
    "color, environment",
    [(True, {}), (None, {"FORCE_COLOR": "1"})],
    ids=["--color", "FORCE_COLOR"],
)
def test_styles_whenever_rich_would(source_file, monkeypatch, color, environment):
    for name in text_output._RICH_TERMINAL_ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    out = _render(_result(source_file), format="text", color=color)
    assert BOLD_RED in out


def test_no_colour_on_a_plain_stream_or_when_refused(source_file, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")
    assert BOLD_RED not in _render(_result(source_file), format="text", color=False)
    monkeypatch.delenv("FORCE_COLOR")
    assert BOLD_RED not in _render(_result(source_file), format="text")


def test_a_terminal_stream_is_styled(source_file, monkeypatch):
    for name in text_output._RICH_TERMINAL_ENV:
        monkeypatch.delenv(name, raising=False)

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    stream = Terminal()
    text_output.render(_result(source_file), RenderContext(format="text", stream=stream))
    assert BOLD_RED in stream.getvalue()


def test_the_control_codes_looked_for_are_the_ones_rich_strips():
    from rich.control import strip_control_codes

    stripped = {chr(code) for code in range(0x3000) if strip_control_codes(chr(code)) == ""}
    looked_for = {chr(code) for code in range(0x3000) if text_output._RICH_STRIPS.match(chr(code))}
    assert looked_for == stripped
