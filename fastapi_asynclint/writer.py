"""Atomic writes: a fixed file is written to a temporary sibling, flushed, and renamed over the original,
so a crash or a concurrent reader never sees half a file. Permissions are carried over."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """`durable`: flushed to the disk before the rename, so a crash of the machine cannot leave an empty file
    in place of the old one. Cache files go without it: one lost is computed again, and waiting for the
    disk costs a run after an edit more than that run's linting on a slow one."""
    mode = None
    try:
        mode = stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        pass
    descriptor, temporary = tempfile.mkstemp(dir=str(path.parent), prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
