"""What every page of one UI server shares: the project folder, its files, the runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from starlette.requests import Request

from hoist.cli_project import _AnyVariable
from hoist.project import Project, load_project
from hoist.ui.files import ProjectFiles
from hoist.ui.runs import RunManager

__all__ = ["UiContext", "ui"]


@dataclass
class UiContext:
    """The project the UI edits and the runs it started. Files are read again on every page:
    they are the truth, and may be edited beside the UI."""

    root: Path
    files: ProjectFiles
    runs: RunManager

    def project(self, *, secrets: bool = True) -> Project:
        """The project as on disk now; without `secrets`, unset variables do not matter."""
        return load_project(self.root, environ=None if secrets else _AnyVariable())


def ui(request: Request) -> UiContext:
    """The context of the app serving `request`."""
    context: UiContext = request.app.state.ui
    return context
