"""`github`: GitHub Actions workflow commands, one `::error ...::message` annotation per finding."""

from __future__ import annotations

from fastapi_asynclint.results import display_path


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render(result, context) -> None:
    for d in sorted(result.diagnostics, key=lambda d: d.sort_key):
        path = _escape_property(display_path(d.filename))
        properties = (
            f"file={path},line={d.location.row},col={d.location.column},"
            f"endLine={d.end_location.row},endColumn={d.end_location.column},title={_escape_property(d.code)}"
        )
        context.stream.write(f"::error {properties}::{_escape_data(f'{d.code} {d.message}')}\n")
