"""The home page: the three steps of a sync, each with its state, then the runs.

1 a destination (its token variable set or not, Test connection), 2 a segment (or a model an
activation names directly), 3 an activation and its runs. An unset token variable is reported as
exactly that: the first thing a new project needs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hoist.project import ProjectError
from hoist.schedule.status import ScheduleStatus, schedule_status
from hoist.ui.context import UiContext, ui
from hoist.ui.destinations import token_variable
from hoist.ui.render import page

__all__ = ["routes"]


@dataclass(frozen=True)
class DestinationStep:
    """A destination as step 1 shows it."""

    name: str
    token_env: str
    token_set: bool


@dataclass(frozen=True)
class ActivationStep:
    """An activation as step 3 shows it: its last run, or why it cannot load."""

    name: str
    status: ScheduleStatus | None
    problem: str | None


async def home(request: Request) -> Response:
    """The three steps and where each stands."""
    context = ui(request)
    definitions = context.files.definitions()
    destinations = [
        DestinationStep(name, variable, bool(variable) and variable in os.environ)
        for name, definition in definitions["destinations"].items()
        for variable in [token_variable(definition.data)]
    ]
    activations = await run_in_threadpool(_activations, context)
    return page(
        request,
        "home.html",
        destinations=destinations,
        segments=list(definitions["segments"]),
        activations=activations,
    )


def _activations(context: UiContext) -> list[ActivationStep]:
    """Each activation's last run (read as the history holds it), or its problem."""
    project = context.project(secrets=False)
    steps = []
    for name in project.activations:
        try:
            config = project.activations[name]
        except ProjectError as exc:
            steps.append(ActivationStep(name, None, "; ".join(p.message for p in exc.problems)))
            continue
        steps.append(ActivationStep(name, schedule_status([config])[0], None))
    return steps


routes = [Route("/", home)]
