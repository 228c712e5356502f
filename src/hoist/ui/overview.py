"""The activations: the list (schedule, next run, last status), one activation's page, and its
preview: `plan`, the same function as `hoist plan`, which writes nothing anywhere."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hoist.config import ActivationConfig
from hoist.errors import HoistError
from hoist.project import ProjectError
from hoist.schedule.status import ScheduleStatus, schedule_status
from hoist.ui.context import UiContext, ui
from hoist.ui.render import page
from hoist.ui.security import checked_form

__all__ = ["routes"]


async def listing(request: Request) -> Response:
    """Every activation: its schedule, next run and last status, or its problems."""
    project = ui(request).project(secrets=False)
    statuses: list[ScheduleStatus] = []
    problems: dict[str, str] = {}
    for name in project.activations:
        try:
            config = project.activations[name]
        except ProjectError as exc:
            problems[name] = "; ".join(p.message for p in exc.problems)
            continue
        statuses += await run_in_threadpool(schedule_status, [config])
    held = ui(request).next_runs()
    blocked = await run_in_threadpool(_cannot_run, ui(request), [s.activation for s in statuses])
    return page(
        request,
        "activations.html",
        statuses=_held(statuses, held),
        problems=problems,
        blocked=blocked,
    )


def _cannot_run(context: UiContext, names: list[str]) -> dict[str, str]:
    """Why an activation that reads fine cannot run in this server's environment (an unset
    token variable, named as such), by name."""
    try:
        project = context.project()
    except ProjectError as exc:
        return dict.fromkeys(names, "; ".join(p.message for p in exc.problems))
    blocked = {}
    for name in names:
        try:
            project.activations[name]
        except ProjectError as exc:
            blocked[name] = "; ".join(p.message for p in exc.problems)
    return blocked


def _held(statuses: list[ScheduleStatus], held: dict[str, datetime]) -> list[ScheduleStatus]:
    """The next run is the scheduler's own: an activation it does not hold shows none."""
    now = datetime.now(UTC)
    return [
        dataclasses.replace(
            s, next_run=max(held[s.activation], now) if s.activation in held else None
        )
        for s in statuses
    ]


def _config(request: Request, *, secrets: bool = False) -> ActivationConfig:
    return ui(request).project(secrets=secrets).activation(request.path_params["name"])


async def detail(request: Request) -> Response:
    """One activation: what it syncs, where, how; buttons to preview, run and see history."""
    name = request.path_params["name"]
    raw = ui(request).files.raw("activations", name)
    try:
        config: ActivationConfig | None = _config(request)
        error = None
    except HoistError as exc:
        config, error = None, str(exc)
    live = ui(request).runs.current(name)
    return page(
        request, "activation.html", name=name, raw=raw, config=config, error=error, live=live
    )


async def preview(request: Request) -> Response:
    """Plan a run: the counts, the cost and a sample of attribute changes old -> new."""
    await checked_form(request)
    from hoist.run_api import plan

    name = request.path_params["name"]
    try:
        config = _config(request, secrets=True)
        report = await run_in_threadpool(plan, config)
    except HoistError as exc:
        return page(request, "preview.html", name=name, report=None, error=str(exc), status=400)
    return page(
        request,
        "preview.html",
        name=name,
        report=report,
        error=None,
        insert=config.sync.insert,
        on_removal=config.sync.on_removal,
    )


routes = [
    Route("/activations", listing),
    Route("/activations/{name}", detail),
    Route("/activations/{name}/preview", preview, methods=["POST"]),
]
