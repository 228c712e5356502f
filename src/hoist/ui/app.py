"""The web UI's ASGI app: the pages of each group, the static files, the password if any."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from pathlib import Path

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from hoist.observe import routes as observe
from hoist.observe.health import Health
from hoist.observe.jsonlog import AccessLogMiddleware
from hoist.observe.metrics import Metrics
from hoist.project import ProjectError
from hoist.ui import activations, destinations, history_pages, home, live, overview, segments
from hoist.ui.context import NextRuns, UiContext
from hoist.ui.files import ProjectFiles, UnsafeNameError
from hoist.ui.guard import GuardMiddleware
from hoist.ui.render import STATIC, page
from hoist.ui.runs import RunManager
from hoist.ui.security import PasswordMiddleware

__all__ = ["create_app"]


def create_app(
    root: Path,
    runs: RunManager,
    *,
    password: str | None = None,
    host: str = "127.0.0.1",
    allowed_hosts: Sequence[str] = (),
    schedules: NextRuns | None = None,
    health: Health | None = None,
) -> Starlette:
    """The UI over the project in `root`; runs go through `runs`; `password`: basic auth.

    `host` is the address listened on and `allowed_hosts` the further names the UI answers
    to (`guard.GuardMiddleware`); CSRF tokens are signed with a secret of this app alone.
    `schedules` tells when each activation the scheduler holds is next due (None: no scheduler
    runs beside this UI, so no next run is shown).
    `health` answers /metrics, /healthz and /readyz (`hoist.observe`), behind the same guards.
    """
    routes = [
        *observe.routes,
        *destinations.routes,
        *segments.routes,
        *activations.routes,  # /activations/new before /activations/{name}
        *live.routes,
        *history_pages.routes,
        *overview.routes,
        *home.routes,
        Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
    ]
    secret = secrets.token_bytes(32)
    # The access log is outermost, so refused requests are logged too; then the guard: a
    # foreign Host or Origin is refused before anything else.
    middleware = [
        Middleware(AccessLogMiddleware),
        Middleware(GuardMiddleware, secret=secret, bound=host, extra_hosts=allowed_hosts),
    ]
    if password:
        middleware.append(Middleware(PasswordMiddleware, password=password))
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={
            ProjectError: _broken_project,
            HTTPException: _http_error,
            UnsafeNameError: _unsafe_name,
        },
    )
    app.state.ui = UiContext(root, ProjectFiles(root), runs, schedules)
    app.state.csrf_secret = secret
    app.state.health = health or Health(Metrics())
    return app


async def _broken_project(request: Request, exc: Exception) -> Response:
    """A file of the project cannot be read: say which, and what to fix."""
    assert isinstance(exc, ProjectError)
    return page(request, "broken.html", problems=exc.problems, status=500)


async def _unsafe_name(request: Request, exc: Exception) -> Response:
    """A name that would leave the project: refused before any file is touched."""
    return PlainTextResponse(str(exc), status_code=400)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return PlainTextResponse(exc.detail, status_code=exc.status_code)
