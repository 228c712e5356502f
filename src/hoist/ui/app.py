"""The web UI's ASGI app: the pages of each group, the static files, the password if any."""

from __future__ import annotations

from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from hoist.project import ProjectError
from hoist.ui import activations, destinations, history, live, overview, segments
from hoist.ui.context import UiContext
from hoist.ui.files import ProjectFiles
from hoist.ui.render import STATIC, page
from hoist.ui.runs import RunManager
from hoist.ui.security import PasswordMiddleware

__all__ = ["create_app"]


def create_app(root: Path, runs: RunManager, *, password: str | None = None) -> Starlette:
    """The UI over the project in `root`; runs go through `runs`; `password`: basic auth."""
    routes = [
        *destinations.routes,
        *segments.routes,
        *activations.routes,  # /activations/new before /activations/{name}
        *live.routes,
        *history.routes,
        *overview.routes,
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    middleware = [Middleware(PasswordMiddleware, password=password)] if password else []
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={ProjectError: _broken_project, HTTPException: _http_error},
    )
    app.state.ui = UiContext(root, ProjectFiles(root), runs)
    return app


async def _broken_project(request: Request, exc: Exception) -> Response:
    """A file of the project cannot be read: say which, and what to fix."""
    assert isinstance(exc, ProjectError)
    return page(request, "broken.html", problems=exc.problems, status=500)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return PlainTextResponse(exc.detail, status_code=exc.status_code)
