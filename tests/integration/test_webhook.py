"""Alert delivery over real HTTP: retried with backoff, never raising, never logging the URL."""

from __future__ import annotations

import asyncio
import logging
import socket

import pytest

from hoist.schedule.webhook import WEBHOOK_RETRY, deliver
from hoist.secret import Secret
from tests.harness.receiver import WebhookReceiver, running_receiver

BODY = {"activation": "companies", "event": "failed", "text": "hi"}


def test_a_delivered_alert_reaches_the_receiver(webhook_receiver: WebhookReceiver) -> None:
    """The JSON body arrives as sent and delivery reports success."""
    assert asyncio.run(deliver(Secret(webhook_receiver.url), BODY)) is True
    assert webhook_receiver.bodies == [BODY]


@pytest.mark.parametrize("status", [429, 500, 503, 408])
def test_transient_failures_are_retried_until_delivered(status: int) -> None:
    """A receiver answering 429/5xx/408 twice gets the alert on the third try."""
    with running_receiver(fail_first=2, fail_status=status) as receiver:
        assert asyncio.run(deliver(Secret(receiver.url), BODY)) is True
    assert receiver.attempts == 3
    assert receiver.bodies == [BODY]


def test_retries_give_up_without_raising(caplog: pytest.LogCaptureFixture) -> None:
    """A receiver that keeps failing gets max_attempts tries; deliver returns False."""
    with running_receiver(fail_first=100) as receiver:
        delivered = asyncio.run(deliver(Secret(receiver.url), BODY))
    assert delivered is False
    assert receiver.attempts == WEBHOOK_RETRY.max_attempts
    assert "HTTP 503" in caplog.text
    assert "SECRET-PATH" not in caplog.text  # the log names the host only


def test_a_refused_alert_is_not_retried() -> None:
    """A 4xx other than 408/429 means the request is wrong: one try only."""
    with running_receiver(fail_first=100, fail_status=404) as receiver:
        assert asyncio.run(deliver(Secret(receiver.url), BODY)) is False
    assert receiver.attempts == 1


def test_an_unreachable_webhook_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    """Nothing listening: delivery fails quietly, logging the error kind but not the URL."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = Secret(f"http://127.0.0.1:{port}/services/T/B/SECRET-PATH")
    with caplog.at_level(logging.WARNING, logger="hoist.alerts"):
        assert asyncio.run(deliver(url, BODY)) is False
    assert "ConnectError" in caplog.text
    assert "SECRET-PATH" not in caplog.text
