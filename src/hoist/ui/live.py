"""Run now: start a run of an activation, watch it (sent, rate, ETA), stop it.

The run belongs to the server (`RunManager`): the page polls its progress, and reloading the
page, or opening it elsewhere, shows the same run.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from hoist.errors import HoistError
from hoist.ui.context import ui
from hoist.ui.render import page
from hoist.ui.security import checked_form

__all__ = ["routes"]


async def start(request: Request) -> Response:
    """Start the run (or find the one going) and show it."""
    await checked_form(request)
    name = request.path_params["name"]
    try:
        config = ui(request).project().activation(name)
    except HoistError as exc:
        return page(request, "run.html", name=name, live=None, error=str(exc), status=400)
    ui(request).runs.start(config)
    return RedirectResponse(f"/activations/{name}/run", status_code=303)


async def watch(request: Request) -> Response:
    """The run's page: progress while it goes, its report once it ended."""
    name = request.path_params["name"]
    live = ui(request).runs.current(name)
    return page(request, "run.html", name=name, live=live, error=None)


async def progress(request: Request) -> Response:
    """The progress panel alone, polled by the run's page."""
    name = request.path_params["name"]
    return page(request, "_progress.html", name=name, live=ui(request).runs.current(name))


async def stop(request: Request) -> Response:
    """Stop sending; what Intercom confirmed so far is committed."""
    await checked_form(request)
    name = request.path_params["name"]
    ui(request).runs.stop(name)
    return RedirectResponse(f"/activations/{name}/run", status_code=303)


routes = [
    Route("/activations/{name}/run", start, methods=["POST"]),
    Route("/activations/{name}/run", watch, methods=["GET"]),
    Route("/activations/{name}/run/progress", progress),
    Route("/activations/{name}/run/stop", stop, methods=["POST"]),
]
