"""`hoist emulator`: a local Intercom REST API for tests and demos."""

from __future__ import annotations

from pathlib import Path

import click

from hoist.cli.options import project_option

__all__ = ["emulator"]


@click.command("emulator")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on.")
@click.option("--token", default=None, help="The only access token accepted (default: any).")
@click.option("--rate-limit", default=None, type=int, help="Calls allowed per 10-second window.")
@click.option("--latency-ms", default=0.0, type=float, help="Added latency per request.")
@click.option("--fail-rate", default=0.0, type=float, help="Probability of a 5xx before a write.")
@click.option("--seed", default=None, type=int, help="Seed for injected failures.")
@click.option("--app-id", default=None, help="Workspace id for GET /me (default: random).")
@click.option("--region", default="US", show_default=True, help="Region for GET /me.")
@project_option
def emulator(
    project: Path | None,
    host: str,
    port: int,
    token: str | None,
    rate_limit: int | None,
    latency_ms: float,
    fail_rate: float,
    seed: int | None,
    app_id: str | None,
    region: str,
) -> None:
    """Serve a local Intercom REST API (companies, data attributes) for tests and demos."""
    from hoist.emulator import serve

    serve(
        host=host,
        port=port,
        token=token,
        rate_limit=rate_limit,
        latency_ms=latency_ms,
        fail_rate=fail_rate,
        seed=seed,
        app_id=app_id,
        region=region,
    )
