"""A rich progress bar on stderr for long runs on a terminal (never for short runs, pipes or machine formats)."""

from __future__ import annotations

from typing import Optional

# Runs over fewer files than this finish before a bar would be worth drawing.
MIN_FILES = 300


class ProgressBar:
    def __init__(self) -> None:
        self._progress = None
        self._task: Optional[int] = None

    def update(self, done: int, total: int) -> None:
        if total < MIN_FILES:
            return
        if self._progress is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                TextColumn("checking"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task("check", total=total)
        self._progress.update(self._task, completed=done)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
