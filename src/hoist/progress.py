"""Progress of a run: a bar on a terminal, plain log lines otherwise, nothing for the API.

Progress goes to stderr, so `--json` output on stdout stays one JSON object.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Protocol

__all__ = ["LogProgress", "NullProgress", "Progress", "progress_for"]


class Progress(Protocol):
    """What the engine reports while a run goes on."""

    def stage(self, text: str) -> None:
        """A stage finished or started (reading, diffing, resolving)."""

    def planned(self, total: int) -> None:
        """`total` companies are about to be sent."""

    def advance(self, *, sent: int = 0, failed: int = 0) -> None:
        """Some companies were confirmed (`sent`) or failed."""

    def close(self) -> None:
        """The run is over."""


class NullProgress:
    """Reports nothing (the Python API's default)."""

    def stage(self, text: str) -> None:
        """Ignore the stage."""

    def planned(self, total: int) -> None:
        """Ignore the total."""

    def advance(self, *, sent: int = 0, failed: int = 0) -> None:
        """Ignore the advance."""

    def close(self) -> None:
        """Nothing to close."""


class LogProgress:
    """Plain lines for logs and CI: stages, then a line every `every_s` seconds while sending."""

    def __init__(self, stream: IO[str], every_s: float = 5.0) -> None:
        self._stream = stream
        self._every = every_s
        self._total = self._sent = self._failed = 0
        self._start = self._last = time.monotonic()

    def stage(self, text: str) -> None:
        """Print the stage."""
        self._line(text)

    def planned(self, total: int) -> None:
        """Remember the total and restart the clock for the rate."""
        self._total = total
        self._start = self._last = time.monotonic()
        if total:
            self._line(f"sending {total:,} companies")

    def advance(self, *, sent: int = 0, failed: int = 0) -> None:
        """Count, and print a line when the last one is old enough."""
        self._sent += sent
        self._failed += failed
        if time.monotonic() - self._last >= self._every:
            self._line(self._status())

    def close(self) -> None:
        """Print the final count if anything was sent."""
        if self._total:
            self._line(self._status())

    def _status(self) -> str:
        elapsed = max(time.monotonic() - self._start, 1e-9)
        done = self._sent + self._failed
        return (
            f"sent {self._sent:,}/{self._total:,}, failed {self._failed:,}, "
            f"{done / elapsed:,.1f} companies/s"
        )

    def _line(self, text: str) -> None:
        self._last = time.monotonic()
        print(f"hoist: {text}", file=self._stream, flush=True)


class BarProgress:
    """A rich progress bar on a terminal."""

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        self._console = Console(file=stream)
        self._bar = RichProgress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TaskProgressColumn(),
            TextColumn("failed {task.fields[failed]}"),
            TimeRemainingColumn(),
            console=self._console,
            transient=True,
        )
        self._task = self._bar.add_task("sending", total=None, failed=0, visible=False)
        self._failed = 0

    def stage(self, text: str) -> None:
        """Print the stage above the bar."""
        self._console.print(f"hoist: {text}", highlight=False, markup=False)

    def planned(self, total: int) -> None:
        """Show the bar sized to `total`."""
        if total:
            self._bar.start()
            self._bar.update(self._task, total=total, visible=True)

    def advance(self, *, sent: int = 0, failed: int = 0) -> None:
        """Move the bar."""
        self._failed += failed
        self._bar.update(self._task, advance=sent + failed, failed=self._failed)

    def close(self) -> None:
        """Remove the bar."""
        self._bar.stop()


def progress_for(stream: IO[str] | None = None) -> Progress:
    """A bar when `stream` (default stderr) is a terminal, plain log lines otherwise."""
    stream = stream or sys.stderr
    if stream.isatty():
        return BarProgress(stream)
    return LogProgress(stream)
