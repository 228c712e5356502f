"""Delivering an alert: POST the JSON body, retry with backoff, never fail the run.

Retried: network errors, timeouts, 408, 429 (after its Retry-After, capped) and 5xx. Any other
answer is final. Whatever happens, `deliver` returns (True when the receiver took it) and logs a
failure with the receiver's host only: the path of a Slack webhook URL is its credential.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any, Final
from urllib.parse import urlsplit

import httpx

from hoist.intercom.retry import RetryPolicy, backoff_delay, is_testing
from hoist.secret import Secret

__all__ = ["WEBHOOK_RETRY", "deliver"]

log = logging.getLogger("hoist.alerts")

#: Five tries over about half a minute: enough for a receiver's blip, short enough not to pile up.
WEBHOOK_RETRY: Final = RetryPolicy(max_attempts=5, backoff_base_s=1.0, backoff_cap_s=15.0)
_TIMEOUT_S: Final = 10.0
_RETRY_AFTER_CAP_S: Final = 60.0


async def deliver(
    url: Secret,
    payload: dict[str, Any],
    *,
    policy: RetryPolicy = WEBHOOK_RETRY,
    transport: httpx.AsyncBaseTransport | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> bool:
    """POST `payload` to `url` until it is accepted or retries run out; never raises."""
    host = urlsplit(url.reveal()).hostname or "the webhook"
    async with httpx.AsyncClient(transport=transport, timeout=_TIMEOUT_S) as http:
        for attempt in range(1, policy.max_attempts + 1):
            wait, problem = await _attempt(http, url, payload, policy, attempt)
            if problem is None:
                return True
            if wait is None or attempt == policy.max_attempts:
                log.warning("alert to %s not delivered: %s", host, problem)
                return False
            await sleep(wait)
    return False  # unreachable: the last attempt returns above


async def _attempt(
    http: httpx.AsyncClient,
    url: Secret,
    payload: dict[str, Any],
    policy: RetryPolicy,
    attempt: int,
) -> tuple[float | None, str | None]:
    """(seconds to wait before retrying or None if final, problem or None if delivered)."""
    try:
        response = await http.post(url.reveal(), json=payload)
    except httpx.HTTPError as exc:
        # httpx messages can quote the URL; only the exception's kind is reported.
        return backoff_delay(policy, attempt), type(exc).__name__
    if response.is_success:
        return None, None
    problem = f"HTTP {response.status_code}"
    if response.status_code == 429:
        return _retry_after(response) or backoff_delay(policy, attempt), problem
    if response.status_code == 408 or response.status_code >= 500:
        return backoff_delay(policy, attempt), problem
    return None, problem


def _retry_after(response: httpx.Response) -> float | None:
    try:
        seconds = min(float(response.headers.get("retry-after", "")), _RETRY_AFTER_CAP_S)
    except ValueError:
        return None
    return 0.0 if is_testing() else seconds
