"""Projects: a folder with hoist.yml holding named destinations, sources, segments, activations.

    from hoist.project import load_project

    project = load_project()                         # found from the cwd upwards
    config = project.activations["paying-eu-to-intercom"]   # a complete ActivationConfig
    problems = project.problems()                    # every problem of every definition

Definitions may also live one per file in ``activations/NAME.yml`` and ``segments/NAME.yml``.
"""

from __future__ import annotations

from hoist.project._problems import Problem, ProjectError
from hoist.project._project import Definitions, Project, load_project
from hoist.project.discovery import KINDS, PROJECT_FILE, Definition, find_project
from hoist.project.placeholders import AnyVariable

__all__ = [
    "KINDS",
    "PROJECT_FILE",
    "AnyVariable",
    "Definition",
    "Definitions",
    "Problem",
    "Project",
    "ProjectError",
    "find_project",
    "load_project",
]
