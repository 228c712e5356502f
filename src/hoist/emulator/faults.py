"""Seeded fault injection: some writes fail with 500/503 before they are applied."""

from __future__ import annotations

import random

from hoist.emulator.error_envelope import ApiError

__all__ = ["FaultInjector"]

_FAULTS = (
    (500, "server_error", "An internal server error occurred."),
    (503, "service_unavailable", "Service unavailable, retry later."),
)


class FaultInjector:
    """Decides, write by write, whether to fail; the same seed gives the same sequence.

    Randomness is drawn only for writes and only when `fail_rate` > 0, so reads never shift the
    sequence. The caller holds the emulator's lock, which keeps draws ordered.
    """

    def __init__(self, fail_rate: float, seed: int | None) -> None:
        self._fail_rate = fail_rate
        self._random = random.Random(seed)

    def draw(self) -> ApiError | None:
        """Return the error this write should fail with, or None to let it through."""
        if self._fail_rate <= 0:
            return None
        if self._random.random() >= self._fail_rate:
            return None
        status, code, message = self._random.choice(_FAULTS)
        return ApiError(status, code, message)
