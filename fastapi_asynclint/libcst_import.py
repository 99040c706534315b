"""Import libcst with the methods `dataclasses` writes for its node classes compiled once per machine.

Importing libcst defines some 250 dataclasses; for each, `dataclasses` writes the source of `__init__`,
`__repr__`, `__eq__`, `__hash__` and the rest and compiles it with `exec`. Compiling those 1,200 small
functions is most of the import (0.1 s), and the import is most of a run after a one-file edit that has to
lint it. The compiled code only depends on the source text and the interpreter, so it is kept (marshal)
beside the cache and handed to `exec` instead of the text on the next run: the same functions, made from
the same code, without compiling them again.

How: while libcst is imported, `dataclasses` finds a module-level `exec` (its global namespace is searched
before the builtins) that looks the source up first. Nothing else changes, and nothing does without a
cache folder, when libcst is already imported, or on an interpreter whose `dataclasses` does not call
`exec` (the lookup is then never asked).
"""

from __future__ import annotations

import builtins
import marshal
import sys
import threading
from pathlib import Path
from typing import Dict, Optional

_LOCK = threading.Lock()  # `dataclasses.exec` is process-wide while it is set
# A store past this many functions (libcst upgraded several times over) is started again.
_MAX_KEPT = 6_000


def import_libcst(cache_dir: Optional[Path]) -> None:
    """`import libcst` (with the metadata providers the rules use), reusing compiled dataclass methods kept
    under `cache_dir` (None: none are kept)."""
    if "libcst" in sys.modules or cache_dir is None:
        import libcst.metadata  # noqa: F401
        return
    import dataclasses

    store = cache_dir / f"dataclass-code-{sys.implementation.cache_tag}.marshal"
    compiled = _load(store)
    if len(compiled) > _MAX_KEPT:
        compiled = {}
    known = len(compiled)

    def cached_exec(source, globals=None, locals=None):
        if type(source) is str:
            code = compiled.get(source)
            if code is None:
                # dont_inherit: compiled as `exec` would compile it in dataclasses (no __future__ flags of ours).
                code = compiled[source] = compile(source, "<string>", "exec", dont_inherit=True)
            source = code
        return builtins.exec(source, globals, locals)

    with _LOCK:
        if "exec" in vars(dataclasses):  # someone else's: leave it alone
            import libcst.metadata  # noqa: F401
            return
        dataclasses.exec = cached_exec  # type: ignore[attr-defined]
        try:
            import libcst.metadata  # noqa: F401
        finally:
            del dataclasses.exec  # type: ignore[attr-defined]
    if len(compiled) > known:
        _save(store, compiled)


def _load(store: Path) -> Dict[str, object]:
    try:
        found = marshal.loads(store.read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return found if isinstance(found, dict) else {}


def _save(store: Path, compiled: Dict[str, object]) -> None:
    from fastapi_asynclint.writer import write_atomic

    try:
        store.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(store, marshal.dumps(compiled), durable=False)
    except (OSError, ValueError):
        pass  # a read-only cache folder: compiled again next time
