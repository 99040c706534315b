"""Reporters: one module per output format, each a `render(result, context)` that writes to a stream.

Machine formats (json, sarif, github, lsp) write only their document to stdout; human formats add a
summary. Modules are imported on demand, so a JSON run never imports rich.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import IO, Dict, Optional

FORMATS: Dict[str, str] = {
    "text": "fastapi_asynclint.output.text",
    "concise": "fastapi_asynclint.output.text",
    "json": "fastapi_asynclint.output.json_format",
    "sarif": "fastapi_asynclint.output.sarif",
    "github": "fastapi_asynclint.output.github",
    "lsp": "fastapi_asynclint.output.lsp_format",
}
MACHINE_FORMATS = frozenset({"json", "sarif", "github", "lsp"})


@dataclass
class RenderContext:
    format: str
    stream: IO[str]
    fix: bool = False
    unsafe_fixes: bool = False
    quiet: bool = False
    show_fixes: bool = False
    statistics: bool = False
    color: Optional[bool] = None
    root: str = "."
    # Source text for files not on disk (stdin), by absolute path.
    sources: Dict[str, str] = field(default_factory=dict)


def render(result, context: RenderContext) -> None:
    module = importlib.import_module(FORMATS[context.format])
    module.render(result, context)
