"""`/healthz` and `/readyz`: is the process alive, and is it doing its job.

- healthy: the process answers (nothing else is checked: a restart would not fix the rest);
- ready: the scheduler runs, and every scheduled activation's state can be read: a local state
  file that exists is readable and writable, or its folder is where the first run creates it.
  Warehouse-native state lives behind a connection the probe does not open every few seconds:
  a run that cannot reach it fails, and `hoist_runs_total{status="failed"}` shows it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence

from hoist.config import ActivationConfig
from hoist.observe.metrics import Metrics
from hoist.state import open_state

__all__ = ["Health"]


class Health:
    """What `/metrics`, `/healthz` and `/readyz` answer from, for one `hoist serve` process."""

    def __init__(
        self, metrics: Metrics, configs: Callable[[], Sequence[ActivationConfig]] = list
    ) -> None:
        self.metrics = metrics
        #: The activations scheduled now (`hoist serve` may reload them).
        self.configs = configs
        self.scheduler_running = False

    @contextlib.contextmanager
    def scheduling(self) -> Iterator[None]:
        """Mark the scheduler running for the duration of the block."""
        self.scheduler_running = True
        self.metrics.scheduler_up.set(1)
        try:
            yield
        finally:
            self.scheduler_running = False
            self.metrics.scheduler_up.set(0)

    def problems(self) -> list[str]:
        """Why the process is not ready (none: ready)."""
        found = [] if self.scheduler_running else ["the scheduler is not running"]
        for config in self.configs():
            problem = _state_problem(config)
            if problem:
                found.append(f"{config.name}: {problem}")
        return found


def _state_problem(config: ActivationConfig) -> str | None:
    """Why the activation's state cannot be used, or None (`StateKind.problem`)."""
    return open_state(config).problem()
