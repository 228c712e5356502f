"""Run history: every run of an activation in a table and in charts, and one run's errors,
searchable by company, code or reason."""

from __future__ import annotations

from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from hoist.errors import HoistError
from hoist.ui.charts import line_chart
from hoist.ui.context import ui
from hoist.ui.missing import Page, missing_companies, paged
from hoist.ui.outcomes import OUTCOMES
from hoist.ui.render import page

__all__ = ["routes"]

_SHOWN_RUNS = 100


def _charts(runs: list[dict[str, Any]]) -> list[Any]:
    oldest_first = list(reversed(runs))

    def series(*names: str) -> dict[str, list[float]]:
        labels = dict(OUTCOMES)
        return {labels.get(n, n): [float(r[n] or 0) for r in oldest_first] for n in names}

    times = [r["started_at"] for r in oldest_first if r.get("started_at") is not None]
    times = times if len(times) == len(oldest_first) else []
    outcomes = series(*(key for key, _ in OUTCOMES))
    return [
        line_chart("Companies per run, by outcome", outcomes, times),
        line_chart("Duration of each run (s)", series("duration_s"), times),
        line_chart("API calls per run", series("api_calls"), times),
    ]


async def history(request: Request) -> Response:
    """The activation's runs, newest first, and charts of their counts over time."""
    from hoist.run_api import runs

    name = request.path_params["name"]
    try:
        config = ui(request).project(secrets=False).activation(name)
        shown = await run_in_threadpool(runs, config, limit=_SHOWN_RUNS)
    except HoistError as exc:
        return page(request, "history.html", name=name, runs=[], charts=[], error=str(exc))
    return page(request, "history.html", name=name, runs=shown, charts=_charts(shown), error=None)


def _matches(error: dict[str, Any], query: str) -> bool:
    return any(
        query in str(error.get(key) or "").lower() for key in ("company_id", "code", "message")
    )


async def run_detail(request: Request) -> Response:
    """One run: its counts, the companies it could not sync (filtered by `q`, 50 a page) and,
    for an update-only activation, the companies not in Intercom (filtered by `mq`)."""
    from hoist.run_api import run_errors, runs

    name, run_id = request.path_params["name"], request.path_params["run_id"]
    params = request.query_params
    query = params.get("q", "").strip().lower()
    missing_query = params.get("mq", "").strip().lower()
    shown: dict[str, Any] = {"q": query, "mq": missing_query, "run": None, "missing": None}
    try:
        config = ui(request).project(secrets=False).activation(name)
        every = await run_in_threadpool(runs, config, limit=_SHOWN_RUNS)
        errors = await run_in_threadpool(run_errors, config, run_id)
        run = next((r for r in every if r["run_id"] == run_id), None)
        if run is not None and run.get("not_in_intercom"):
            missing = await run_in_threadpool(missing_companies, config)
            if missing is not None:
                found = [c for c in missing if missing_query in c.lower()]
                shown["missing"] = paged(found, _number(params.get("mpage")))
                shown["missing_total"] = len(missing)
    except HoistError as exc:
        empty: Page[dict[str, Any]] = paged([], 1)
        return page(
            request, "run_detail.html", name=name, errors=empty, total=0, error=str(exc), **shown
        )
    matching = [e for e in errors if _matches(e, query)] if query else errors
    shown["run"] = run
    template = "_errors.html" if request.headers.get("hx-request") else "run_detail.html"
    return page(
        request,
        template,
        name=name,
        errors=paged(matching, _number(params.get("page"))),
        total=len(errors),
        error=None,
        **shown,
    )


def _number(text: str | None) -> int:
    """A page number from the query (1 when absent or not a number)."""
    return int(text) if text and text.isdigit() else 1


routes = [
    Route("/activations/{name}/history", history),
    Route("/activations/{name}/runs/{run_id}", run_detail),
]
