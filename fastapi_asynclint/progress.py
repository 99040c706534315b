"""A rich progress bar on stderr for long runs on a terminal (never for short runs, pipes or machine formats).

It names the phase the run is in (finding files, indexing the project, checking files) and moves with the
work of each: a run over a large project shows what it is doing from its first second.
"""

from __future__ import annotations

import time
from typing import Optional

# Runs over fewer files than this finish before a bar would be worth drawing.
MIN_FILES = 300
# A phase without a count (finding files) is shown once it has taken this long.
_QUIET_SECONDS = 0.5


class ProgressBar:
    def __init__(self) -> None:
        self._progress = None
        self._task: Optional[int] = None
        self._phase = ""
        self._started = time.monotonic()

    def update(self, phase: str, done: int, total: int) -> None:
        if total and total < MIN_FILES:
            return
        if not total and self._progress is None and time.monotonic() - self._started < _QUIET_SECONDS:
            return
        if self._progress is None:
            self._start()
        if phase != self._phase:
            self._phase = phase
            self._progress.reset(self._task, total=total or None, description=phase)  # type: ignore[union-attr]
        self._progress.update(self._task, completed=done, total=total or None)  # type: ignore[union-attr]

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task = self._progress.add_task("", total=None)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
