"""The public entry points of a run: `run`, `plan` and `runs`.

`run` writes to Intercom and state; `plan` computes the same counts and a sample of changes
without writing anything anywhere. Both return a `RunReport`; errors that stop a run before it
can proceed are raised (see `hoist.errors`), with nothing marked as synced; a run's are also
recorded in its history as a failed run (`hoist.attempts`). The stages live in `hoist.pipeline`.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import httpx

from hoist import attempts
from hoist.config import ActivationConfig, load_activation
from hoist.intercom.limiter import RateLimiter
from hoist.pipeline.apply import DEFAULT_CONCURRENCY, apply_run
from hoist.pipeline.plan import plan_run
from hoist.pipeline.stages import RunContext
from hoist.progress import NullProgress, Progress
from hoist.report import RunReport
from hoist.state import read_state
from hoist.state import reset_state as move_state_aside

__all__ = ["plan", "reset_state", "run", "run_async", "run_errors", "runs"]


def run(
    activation: ActivationConfig | str | Path,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
    full_resync: bool = False,
    recheck_missing: bool = False,
) -> RunReport:
    """Run the activation: send Intercom what changed since the last successful run.

    With `full_resync`, send every mapped attribute of every company, ignoring what state says
    was delivered, and rebuild state from Intercom's confirmations. `recheck_missing`: look up
    again the companies earlier update-only runs did not find in Intercom, even those whose row
    has not changed since.
    """
    config = _config(activation)
    since = attempts.now()
    ctx = RunContext(config, transport, progress or NullProgress(), full_resync=full_resync)
    ctx.recheck_missing = recheck_missing
    return asyncio.run(attempts.recorded(config, apply_run(ctx, concurrency=concurrency), since))


async def run_async(
    activation: ActivationConfig | str | Path,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    concurrency: int = DEFAULT_CONCURRENCY,
    progress: Progress | None = None,
    limiter: RateLimiter | None = None,
    stop: asyncio.Event | None = None,
) -> RunReport:
    """`run` inside a running event loop, for callers that run several activations at once.

    `limiter` is shared by runs that send to the same destination, so together they keep to
    its rate limit; `stop`, when given, stops sending (what Intercom confirmed is committed)
    and the caller owns the signals.
    """
    config = _config(activation)
    since = attempts.now()
    ctx = RunContext(config, transport, progress or NullProgress(), limiter=limiter, stop=stop)
    return await attempts.recorded(config, apply_run(ctx, concurrency=concurrency), since)


def plan(
    activation: ActivationConfig | str | Path,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: Progress | None = None,
    full_resync: bool = False,
    recheck_missing: bool = False,
) -> RunReport:
    """Compute what a run would do (its cost included), writing nothing to Intercom or state."""
    config = _config(activation)
    ctx = RunContext(config, transport, progress or NullProgress(), full_resync=full_resync)
    ctx.recheck_missing = recheck_missing
    return asyncio.run(plan_run(ctx))


def reset_state(activation: ActivationConfig | str | Path) -> Path | str | None:
    """Move the activation's state aside (never deleted) so the next run starts over.

    Returns where the old state went: a file, or the renamed warehouse tables of
    warehouse-native state (None: there was none). The next run binds the new state to the
    workspace it then reaches and sends it every company.
    """
    return move_state_aside(_config(activation))


def runs(activation: ActivationConfig | str | Path, *, limit: int = 20) -> list[dict[str, Any]]:
    """The activation's run history, newest first."""
    return read_state(_config(activation), lambda store: store.runs(limit))


def run_errors(activation: ActivationConfig | str | Path, run_id: str) -> list[dict[str, Any]]:
    """The companies one run could not sync, each with its company_id, code and reason."""
    return read_state(_config(activation), lambda store: store.record_errors(run_id))


def _config(activation: ActivationConfig | str | Path) -> ActivationConfig:
    if isinstance(activation, ActivationConfig):
        return activation
    return load_activation(activation)
