"""Whether Intercom still answers: a run gives up once no call has succeeded for a while.

Retries make each call patient (retry.py), which is right for a blip and wrong for an outage:
with every company retried six times, a dead Intercom turns one run into hours and a schedule
skips its next slots. Any answer that is not a failure of Intercom itself (2xx, 4xx, 429) ends
an outage; network errors, timeouts and 5xx continue it. When an outage has lasted
`destination.give_up_after`, the next failing call raises `UnreachableError`, which stops the
run as failed (exit 2); the next run resumes where it stopped.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from hoist.errors import RetriableError, UnreachableError

__all__ = ["Reachability"]


class Reachability:
    """When the current outage began (None: Intercom answers); shared by a client's calls."""

    def __init__(self, give_up_after_s: float, *, clock: Callable[[], float] = time.time) -> None:
        self.give_up_after_s = give_up_after_s
        self.outage_since: float | None = None
        self._clock = clock

    def answered(self) -> None:
        """Intercom answered (even with a record error or a 429): no outage."""
        self.outage_since = None

    def failed(self, error: RetriableError) -> UnreachableError | None:
        """Count one failed call; the error to stop the run with once it is time to give up."""
        now = self._clock()
        if self.outage_since is None:
            self.outage_since = now
        if now - self.outage_since < self.give_up_after_s:
            return None
        since = datetime.fromtimestamp(self.outage_since, UTC).isoformat(" ", "seconds")
        return UnreachableError(
            f"Intercom has not answered for {_seconds(now - self.outage_since)} (since {since}; "
            f"destination.give_up_after is {_seconds(self.give_up_after_s)}); last error: "
            f"{error}. The next run resumes where this one stopped",
            status=None,
            code=error.code or "unreachable",
            request_id=error.request_id,
        )


def _seconds(value: float) -> str:
    """A duration as people say it: 45 s, 2 min 5 s."""
    whole = round(value)
    if whole < 60:
        return f"{whole} s"
    minutes, seconds = divmod(whole, 60)
    return f"{minutes} min {seconds} s" if seconds else f"{minutes} min"
