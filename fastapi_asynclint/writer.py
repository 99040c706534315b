"""Write a file's new bytes without damaging what the user owns.

A file is written to a temporary sibling, flushed, given the original's mode, owner and group, and
renamed over it, so a crash or a concurrent reader never sees half a file. A symlink is written through
to its target (the link stays a link). A file with several hard links, or whose owner the rename could
not keep, or in a folder that cannot take a new file, is rewritten in place instead, so that every link
sees the new text and nothing is re-owned. A file the user cannot write, or that is read-only, is not
changed at all: that is an error.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path


class UnwritableFile(PermissionError):
    pass


def write_atomic(path: Path, data: bytes, durable: bool = True) -> None:
    """`durable`: flushed to the disk before the rename, so a crash of the machine cannot leave an empty file
    in place of the old one. Cache files go without it: one lost is computed again."""
    target = Path(os.path.realpath(path))
    try:
        info = os.stat(target)
    except FileNotFoundError:
        info = None
    if info is not None:
        if not (info.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)) or not os.access(target, os.W_OK):
            raise UnwritableFile(f"{path}: the file is read-only; it was not changed")
        if info.st_nlink > 1 or not os.access(target.parent, os.W_OK | os.X_OK):
            _write_in_place(target, data, durable)
            return
    if not _replace(target, data, durable, info):
        _write_in_place(target, data, durable)


def _replace(target: Path, data: bytes, durable: bool, info) -> bool:
    """Write through a temporary sibling and a rename; False (nothing changed) if the original's owner
    could not be kept."""
    descriptor, temporary = tempfile.mkstemp(dir=str(target.parent), prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            if durable:
                os.fsync(handle.fileno())
        if info is not None:
            os.chmod(temporary, stat.S_IMODE(info.st_mode))
            created = os.stat(temporary)
            if (created.st_uid, created.st_gid) != (info.st_uid, info.st_gid):
                try:
                    os.chown(temporary, info.st_uid, info.st_gid)
                except PermissionError:
                    os.unlink(temporary)
                    return False
        os.replace(temporary, target)
    except BaseException:
        try:
            os.unlink(temporary)
        except FileNotFoundError:
            pass
        raise
    return True


def _write_in_place(target: Path, data: bytes, durable: bool) -> None:
    with open(target, "r+b") as handle:
        handle.write(data)
        handle.truncate()
        handle.flush()
        if durable:
            os.fsync(handle.fileno())
