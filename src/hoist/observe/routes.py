"""The routes `/metrics`, `/healthz` and `/readyz`; they read `app.state.health` (a `Health`).

They are mounted in the UI's app (behind its host check and password) and, with
`hoist serve --no-ui --metrics-port N`, in an app of their own with the same guards
(`opsserver.py`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from hoist.observe.health import Health
from hoist.observe.metrics import CONTENT_TYPE

__all__ = ["routes"]


def _health(request: Request) -> Health:
    health: Health = request.app.state.health
    return health


async def metrics(request: Request) -> Response:
    """Every metric in Prometheus' text format."""
    return Response(_health(request).metrics.exposition(), media_type=CONTENT_TYPE)


async def healthz(request: Request) -> Response:
    """200 as long as the process answers."""
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    """200 when the scheduler runs and every state is usable; else 503 with the problems."""
    problems = _health(request).problems()
    if problems:
        return JSONResponse({"status": "not ready", "problems": problems}, status_code=503)
    return JSONResponse({"status": "ready"})


routes = [
    Route("/metrics", metrics, methods=["GET"]),
    Route("/healthz", healthz, methods=["GET"]),
    Route("/readyz", readyz, methods=["GET"]),
]
