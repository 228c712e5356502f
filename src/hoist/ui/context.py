"""What every page of one UI server shares: the project folder, its files, the runs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from starlette.requests import Request

from hoist.project import AnyVariable, Project, load_project
from hoist.ui.files import ProjectFiles
from hoist.ui.runs import RunManager

__all__ = ["NextRuns", "UiContext", "ui"]

#: The activations a scheduler holds, each with when it is next due.
NextRuns = Callable[[], Mapping[str, datetime]]


@dataclass
class UiContext:
    """The project the UI edits and the runs it started. Files are read again on every page:
    they are the truth, and may be edited beside the UI."""

    root: Path
    files: ProjectFiles
    runs: RunManager
    schedules: NextRuns | None = None
    """When each activation the scheduler of this process holds is next due; None: none runs."""

    def next_runs(self) -> dict[str, datetime]:
        """The scheduler's next run of each activation it holds (none without a scheduler)."""
        return dict(self.schedules()) if self.schedules is not None else {}

    def project(self, *, secrets: bool = True) -> Project:
        """The project as on disk now; without `secrets`, unset variables do not matter."""
        environ = None if secrets else AnyVariable.for_project(self.root)
        return load_project(self.root, environ=environ)


def ui(request: Request) -> UiContext:
    """The context of the app serving `request`."""
    context: UiContext = request.app.state.ui
    return context
