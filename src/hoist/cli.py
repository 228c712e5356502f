"""The `hoist` command line: run | plan | runs | emulator.

Exit codes are decided in one place (`_exit_code_for`): 0 success, 1 finished with rejected or
failed companies, 2 the run could not proceed (config, source, state, auth).
"""

from __future__ import annotations

import click

__all__ = ["main"]


@click.group()
@click.version_option(package_name="hoist")
def main() -> None:
    """hoist keeps Intercom Companies in step with company records in your warehouse."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8765, show_default=True, type=int, help="Port to listen on.")
@click.option("--token", default=None, help="The only access token accepted (default: any).")
@click.option("--rate-limit", default=None, type=int, help="Calls allowed per 10-second window.")
@click.option("--latency-ms", default=0.0, type=float, help="Added latency per request.")
@click.option("--fail-rate", default=0.0, type=float, help="Probability of a 5xx before a write.")
@click.option("--seed", default=None, type=int, help="Seed for injected failures.")
def emulator(
    host: str,
    port: int,
    token: str | None,
    rate_limit: int | None,
    latency_ms: float,
    fail_rate: float,
    seed: int | None,
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
    )
