"""The value types every part of the linter exchanges: findings, fixes, edits and call chains.

Plain frozen dataclasses only, so that they pickle across worker processes and into the cache.
Rows and columns are 1-based and columns count code points, as in ruff's JSON output.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from typing import Optional, Tuple


def _pickled_by_fields(cls):
    """Pickle the record as a call with its field values: a cache of tens of thousands of findings loads
    in half the time the dataclass default (a state dict per object) takes."""
    names = tuple(item.name for item in fields(cls))

    def __reduce__(self):
        return cls, tuple(getattr(self, name) for name in names)

    cls.__reduce__ = __reduce__
    return cls


class Applicability(str, enum.Enum):
    """How sure a fix is (ruff's model): only SAFE fixes are applied by `--fix`."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    DISPLAY_ONLY = "display-only"


@_pickled_by_fields
@dataclass(frozen=True, order=True)
class Location:
    row: int
    column: int


@_pickled_by_fields
@dataclass(frozen=True)
class Edit:
    """Replace the text between two locations (end exclusive) by `content`."""

    content: str
    location: Location
    end_location: Location


@_pickled_by_fields
@dataclass(frozen=True)
class Fix:
    applicability: Applicability
    message: str
    edits: Tuple[Edit, ...]

    def is_applicable(self, unsafe_fixes: bool) -> bool:
        if self.applicability is Applicability.SAFE:
            return True
        return unsafe_fixes and self.applicability is Applicability.UNSAFE


@_pickled_by_fields
@dataclass(frozen=True)
class Hop:
    """One step of an indirect finding's call chain: `name` continues the chain at `filename:row`."""

    name: str
    filename: str
    row: int


@_pickled_by_fields
@dataclass(frozen=True)
class Diagnostic:
    code: str
    message: str
    filename: str
    location: Location
    end_location: Location
    fix: Optional[Fix] = None
    chain: Tuple[Hop, ...] = ()
    noqa_row: Optional[int] = None
    # Lets the LSP hover and the text reporter show a short headline without re-deriving it.
    name: str = field(default="", compare=False)
    # Where the code that holds the finding runs (index/reach.py): request, background, startup, unserved.
    reach: str = ""
    # For a blocking call, its root: the last project function of the chain and the call it blocks on
    # (`app/security.py:hash_password -> hashlib.pbkdf2_hmac`), shared by every finding it causes.
    root: str = ""

    @property
    def sort_key(self) -> tuple:
        return (self.filename, self.location.row, self.location.column, self.code, self.message)
