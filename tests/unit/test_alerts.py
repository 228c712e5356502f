"""Alerts: which event a run raises, and a webhook body that is useful and holds no secret."""

from __future__ import annotations

import json

import pytest

from hoist.report import RecordIssue, RunReport
from hoist.schedule.alerts import MAX_ERRORS, alert_event, build_payload, redact

TOKEN = "tok-SECRET-1234"
WEBHOOK = "https://hooks.slack.com/services/T0/B0/HOOKSECRET"


@pytest.mark.parametrize(
    ("status", "previous", "event"),
    [
        ("failed", None, "failed"),
        ("failed", "failed", "failed"),
        ("partial", "success", "partial"),
        ("partial", "partial", "partial"),
        ("success", "failed", "recovered"),
        ("success", "partial", "recovered"),
        ("success", "success", None),
        ("success", None, None),
        ("interrupted", "failed", None),
        ("skipped", "failed", None),
    ],
)
def test_the_event_a_run_raises(status: str, previous: str | None, event: str | None) -> None:
    """failed and partial runs alert every time; a success alerts only after a failure."""
    assert alert_event(status, previous) == event


def report(**fields: object) -> RunReport:
    """A run report of activation `companies` with `fields` set."""
    values: dict[str, object] = {"run_id": "r1", "activation": "companies", "status": "partial"}
    values.update(fields)
    return RunReport(**values)  # type: ignore[arg-type]


def test_the_payload_carries_the_run_and_its_counts() -> None:
    """activation, event, run_id, status and every count of `hoist run --json` are present."""
    body = build_payload(report(created=3, updated=4, rejected=1, api_calls=9), "partial")
    assert body["activation"] == "companies"
    assert body["event"] == "partial"
    assert body["run_id"] == "r1"
    assert body["status"] == "partial"
    counts = ("created", "updated", "unchanged", "not_in_intercom", "rejected", "failed")
    assert {name: body[name] for name in counts} == {
        "created": 3,
        "updated": 4,
        "unchanged": 0,
        "not_in_intercom": 0,
        "rejected": 1,
        "failed": 0,
    }
    assert body["api_calls"] == 9
    json.dumps(body)  # JSON-ready as it is


def test_at_most_ten_errors_are_sent_and_the_rest_counted() -> None:
    """A run with 25 record errors sends the first 10 and says 15 more."""
    errors = tuple(RecordIssue(f"c{i}", "parameter_invalid", "bad size") for i in range(25))
    body = build_payload(report(errors=errors, rejected=25), "partial")
    assert len(body["errors"]) == MAX_ERRORS
    assert body["errors"][0] == {
        "company_id": "c0",
        "code": "parameter_invalid",
        "message": "bad size",
    }
    assert body["errors_more"] == 15


@pytest.mark.parametrize(
    ("event", "status", "words"),
    [
        ("failed", "failed", ["*companies*", "failed", "401 unauthorized"]),
        ("partial", "partial", ["*companies*", "partly failed", "2 rejected", "c0"]),
        ("recovered", "success", ["*companies*", "recovered", "5 created"]),
    ],
)
def test_the_text_reads_as_a_slack_message(event: str, status: str, words: list[str]) -> None:
    """`text` names the activation, what happened and why, in Slack mrkdwn."""
    errors = (RecordIssue("c0", "parameter_invalid", "bad"),) if status == "partial" else ()
    run = report(
        status=status,
        message="401 unauthorized",
        rejected=len(errors) * 2,
        created=5,
        errors=errors,
    )
    text = build_payload(run, event)["text"]  # type: ignore[arg-type]
    for word in words:
        assert word in text


def test_secrets_never_appear_in_a_payload() -> None:
    """The token, the webhook URL and passwords in URLs are replaced by *** everywhere."""
    leaky = (
        f"401 for token {TOKEN}; posting to {WEBHOOK} failed; "
        "postgresql://loader:pg-PASSWORD@db:5432/wh?sslmode=require&password=QPASS"
    )
    errors = (RecordIssue("c1", "x", f"echo {TOKEN}"),)
    body = build_payload(
        report(status="failed", message=leaky, errors=errors), "failed", [TOKEN, WEBHOOK]
    )
    text = json.dumps(body)
    for secret in (TOKEN, "HOOKSECRET", "pg-PASSWORD", "QPASS"):
        assert secret not in text
    assert "postgresql://loader:***@db:5432" in body["message"]


def test_redact_keeps_ordinary_text() -> None:
    """Redaction leaves text without secrets alone."""
    assert redact("3 companies rejected: size must be an integer", [TOKEN]) == (
        "3 companies rejected: size must be an integer"
    )
