"""The Prometheus metrics of `hoist serve`: one registry per process, updated by the scheduler.

Runs are counted by activation and status (skipped slots too), companies by outcome, calls to
Intercom by activation; each destination's rate limit is read from its shared `RateLimiter`
when scraped (429s received, calls left in the window, the window's size). A destination is
labelled by its API URL and the first 8 hex digits of its token's SHA-256: two apps on one URL
stay apart, and the token itself never leaves the process.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Final

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from hoist.intercom.limiter import RateLimiter
from hoist.report import RunReport
from hoist.secret import Secret

__all__ = ["CONTENT_TYPE", "OUTCOMES", "Limiters", "Metrics", "destination_labels"]

#: What `/metrics` answers with (Prometheus' text exposition format 0.0.4).
CONTENT_TYPE: Final = "text/plain; version=0.0.4; charset=utf-8"
#: The report counts exported as `hoist_companies_total{outcome=...}`.
OUTCOMES: Final = (
    "created",
    "updated",
    "unchanged",
    "not_in_intercom",
    "rejected",
    "failed",
    "removed",
)
#: Runs last from seconds (a few changed rows) to hours (a first sync of millions).
_DURATION_BUCKETS: Final = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200, float("inf"))

#: The rate limiters of a process, one per (API URL, access token).
Limiters = Mapping[tuple[str, Secret], RateLimiter]


def destination_labels(url: str, token: Secret) -> tuple[str, str]:
    """(API URL, first 8 hex digits of the token's SHA-256): a destination's labels."""
    return url, hashlib.sha256(token.reveal().encode()).hexdigest()[:8]


class Metrics:
    """The instruments of one `hoist serve` process, in a registry of its own."""

    def __init__(self, limiters: Callable[[], Limiters] = dict) -> None:
        self.registry = CollectorRegistry()
        by_activation = ["activation"]
        self.runs = Counter(
            "hoist_runs", "Runs by activation and status.", ["activation", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.companies = Counter(
            "hoist_companies", "Companies by the outcome of their run.", ["activation", "outcome"],
            registry=self.registry,
        )  # fmt: skip
        self.api_calls = Counter(
            "hoist_api_calls", "Calls to Intercom by runs of the activation.", by_activation,
            registry=self.registry,
        )  # fmt: skip
        self.duration = Histogram(
            "hoist_run_duration_seconds", "How long runs took.", by_activation,
            buckets=_DURATION_BUCKETS, registry=self.registry,
        )  # fmt: skip
        self.last_success = Gauge(
            "hoist_last_success_timestamp_seconds",
            "Unix time the activation's last successful run ended.", by_activation,
            registry=self.registry,
        )  # fmt: skip
        self.loop_lag = Gauge(
            "hoist_event_loop_lag_seconds",
            "How late the scheduler's event loop woke a timer, lately (0: idle loop).",
            registry=self.registry,
        )
        self.scheduler_up = Gauge(
            "hoist_scheduler_running", "1 while the scheduler runs.", registry=self.registry
        )
        self.registry.register(_LimiterCollector(limiters))
        # process_resident_memory_bytes, process_open_fds, process_start_time_seconds (Linux):
        # what a process up for weeks is watched for.
        ProcessCollector(registry=self.registry)

    def observe_run(self, report: RunReport) -> None:
        """Count one finished run: its status, companies by outcome, calls and duration."""
        name = report.activation
        self.runs.labels(name, report.status).inc()
        for outcome in OUTCOMES:
            self.companies.labels(name, outcome).inc(getattr(report, outcome))
        self.api_calls.labels(name).inc(report.api_calls)
        self.duration.labels(name).observe(report.duration_s)
        if report.status == "success":
            self.last_success.labels(name).set(time.time())

    def observe_skip(self, activation: str) -> None:
        """Count a slot skipped because the activation's previous run was still going."""
        self.runs.labels(activation, "skipped").inc()

    def exposition(self) -> bytes:
        """Every metric in Prometheus' text format."""
        return generate_latest(self.registry)


class _LimiterCollector(Collector):
    """Reads each destination's `RateLimiter` at scrape time."""

    def __init__(self, limiters: Callable[[], Limiters]) -> None:
        self._limiters = limiters

    def collect(self) -> Iterator[Metric]:
        labels = ["destination", "token_sha256"]
        limited = CounterMetricFamily(
            "hoist_rate_limited", "429 answers from Intercom, by destination.", labels=labels
        )
        remaining = GaugeMetricFamily(
            "hoist_rate_limit_remaining",
            "Calls left in the current rate-limit window (headroom), by destination.",
            labels=labels,
        )
        limit = GaugeMetricFamily(
            "hoist_rate_limit_limit", "Calls allowed per rate-limit window.", labels=labels
        )
        for (url, token), limiter in list(self._limiters().items()):
            values = list(destination_labels(url, token))
            limited.add_metric(values, limiter.rate_limited)
            if limiter.remaining is not None:
                remaining.add_metric(values, limiter.remaining)
            if limiter.limit is not None:
                limit.add_metric(values, limiter.limit)
        yield from (limited, remaining, limit)
