"""The emulator's knobs: auth, rate limit, latency and fault injection."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

__all__ = ["UNLIMITED", "EmulatorConfig"]

#: `X-RateLimit-Limit` announced when no limit is configured. Real Intercom always sends the
#: headers on authenticated responses, so clients that pace from them keep working unchanged.
UNLIMITED = 1_000_000


@dataclass(frozen=True)
class EmulatorConfig:
    """How the emulated workspace behaves; change it at runtime with `Emulator.configure`."""

    token: str | None = None
    """The only bearer token accepted; None accepts any non-empty token."""
    rate_limit: int | None = None
    """Calls allowed per window; None means unlimited."""
    window_s: float = 10.0
    """Length of a rate-limit window (Intercom: 10 s); tests use 1 s."""
    latency_ms: float = 0
    """Added to every Intercom call before it is answered."""
    fail_rate: float = 0
    """Probability that a write fails with 500/503 before it is applied."""
    seed: int | None = None
    """Seeds the fault injector so a failure sequence is reproducible."""
    app_id: str | None = None
    """The workspace's id (`GET /me` app.id_code); None gives each `Emulator` a random one, so
    two emulators are two workspaces."""
    region: str = "US"
    """The workspace's region as `GET /me` reports it (US, EU or AU)."""

    def __post_init__(self) -> None:
        if self.rate_limit is not None and self.rate_limit < 0:
            raise ValueError("rate_limit must be >= 0 or None")
        if self.window_s <= 0:
            raise ValueError("window_s must be > 0")
        if self.latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        if not 0 <= self.fail_rate <= 1:
            raise ValueError("fail_rate must be between 0 and 1")
        if self.app_id is not None and not self.app_id:
            raise ValueError("app_id must be a non-empty string or None")

    def replace(self, **changes: Any) -> EmulatorConfig:
        """Return a copy with `changes` applied; unknown names raise TypeError."""
        names = {f.name for f in dataclasses.fields(self)}
        unknown = sorted(set(changes) - names)
        if unknown:
            raise TypeError(f"unknown EmulatorConfig field(s): {', '.join(unknown)}")
        return dataclasses.replace(self, **changes)
