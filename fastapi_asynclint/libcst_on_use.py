"""libcst for the rule modules, imported when a rule first reads a name from it.

A run decides which rules want a file from its index summary alone (engine.plan), and most files are
wanted by none, or by rules whose findings the cache still holds: such a run need not import libcst at
all, which is a seventh of a second. So the rule modules name libcst (and semantic.py, which resolves
names with libcst's scopes) through these stand-ins, and keep their libcst annotations as strings
(`from __future__ import annotations`). The first name read imports the module; every name read is then
kept on the stand-in, so later reads cost what a module's do.
"""

from __future__ import annotations

import importlib
from typing import Any


class OnUse:
    """A module imported on first use: `OnUse("libcst").Call` is `libcst.Call`."""

    def __init__(self, module: str) -> None:
        object.__setattr__(self, "_module", module)

    def __getattr__(self, name: str) -> Any:
        value = getattr(importlib.import_module(self._module), name)
        object.__setattr__(self, name, value)
        return value

    def __repr__(self) -> str:
        return f"<{self._module}, imported on first use>"


cst: Any = OnUse("libcst")
metadata: Any = OnUse("libcst.metadata")
helpers: Any = OnUse("libcst.helpers")
semantic: Any = OnUse("fastapi_asynclint.semantic")
