"""The metrics of `hoist serve` and its JSON log lines, on reports and limiters in memory."""

from __future__ import annotations

import json
import logging
import sys

from prometheus_client.parser import text_string_to_metric_families

from hoist.intercom.limiter import RateLimiter
from hoist.observe.jsonlog import JsonFormatter
from hoist.observe.metrics import Metrics, destination_labels
from hoist.report import RunReport
from hoist.secret import Secret

URL = "https://api.intercom.io"
TOKEN = Secret("tok-very-secret-123")


def samples(metrics: Metrics) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition: (name, sorted labels) -> value."""
    text = metrics.exposition().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_run_is_counted_by_status_outcome_calls_and_duration() -> None:
    """After one partial run the counters hold its status, its companies and its calls."""
    metrics = Metrics()
    report = RunReport(
        run_id="r1", activation="crm", status="partial", created=3, updated=2, rejected=1,
        api_calls=7, duration_s=4.0,
    )  # fmt: skip
    metrics.observe_run(report)
    found = samples(metrics)
    assert found[("hoist_runs_total", (("activation", "crm"), ("status", "partial")))] == 1
    outcome = (("activation", "crm"), ("outcome", "created"))
    assert found[("hoist_companies_total", outcome)] == 3
    rejected = (("activation", "crm"), ("outcome", "rejected"))
    assert found[("hoist_companies_total", rejected)] == 1
    assert found[("hoist_api_calls_total", (("activation", "crm"),))] == 7
    bucket = (("activation", "crm"), ("le", "5.0"))
    assert found[("hoist_run_duration_seconds_bucket", bucket)] == 1
    # Only a success moves the time of the last success.
    assert not any(name == "hoist_last_success_timestamp_seconds" for name, _ in found)


def test_a_success_sets_the_time_of_the_last_success_and_skips_are_runs() -> None:
    """A success records when it ended; a skipped slot counts as a run with status skipped."""
    metrics = Metrics()
    metrics.observe_run(RunReport(run_id="r1", activation="crm", status="success"))
    metrics.observe_skip("crm")
    found = samples(metrics)
    assert found[("hoist_last_success_timestamp_seconds", (("activation", "crm"),))] > 1.7e9
    assert found[("hoist_runs_total", (("activation", "crm"), ("status", "skipped")))] == 1


def test_rate_limits_are_read_from_each_destinations_limiter_without_the_token() -> None:
    """429s, headroom and the window's limit appear per destination; the token never does."""
    limiter = RateLimiter()
    headers = {"X-RateLimit-Limit": "1000", "X-RateLimit-Remaining": "640"}
    limiter.observe({**headers, "X-RateLimit-Reset": "4102444800"})
    limiter.observe({**headers, "X-RateLimit-Reset": "4102444800"}, rate_limited=True)
    limiter.observe({**headers, "X-RateLimit-Reset": "4102444810"})
    metrics = Metrics(lambda: {(URL, TOKEN): limiter})
    labels = tuple(
        zip(("destination", "token_sha256"), destination_labels(URL, TOKEN), strict=True)
    )
    found = samples(metrics)
    assert found[("hoist_rate_limited_total", labels)] == 1
    assert found[("hoist_rate_limit_remaining", labels)] == 640
    assert found[("hoist_rate_limit_limit", labels)] == 1000
    assert TOKEN.reveal() not in metrics.exposition().decode()


def test_a_destination_never_heard_from_has_no_headroom_yet() -> None:
    """Before Intercom answered, the 429 count is 0 and no headroom is made up."""
    metrics = Metrics(lambda: {(URL, TOKEN): RateLimiter()})
    names = {name for name, _ in samples(metrics)}
    assert "hoist_rate_limited_total" in names
    assert "hoist_rate_limit_remaining" not in names


def test_json_log_lines_carry_the_run_fields_given_as_extra() -> None:
    """A run's log line is one JSON object with time, level, activation, run_id, event, counts."""
    record = logging.LogRecord(
        "hoist.schedule", logging.INFO, __file__, 1, "%s: run %s", ("crm", "r1"), None
    )
    fields = {
        "event": "run_finished",
        "activation": "crm",
        "run_id": "r1",
        "counts": {"created": 2},
    }
    record.__dict__.update(fields)
    line = JsonFormatter().format(record)
    assert "\n" not in line
    parsed = json.loads(line)
    assert parsed["message"] == "crm: run r1"
    assert parsed["level"] == "info"
    assert parsed["time"].endswith("+00:00")
    assert {key: parsed[key] for key in fields} == fields


def test_json_log_lines_of_plain_messages_and_exceptions() -> None:
    """A message logged without fields is event "log"; a traceback stays inside the object."""
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord(
            "hoist.schedule", logging.ERROR, __file__, 1, "crashed", (), sys.exc_info()
        )
    parsed = json.loads(JsonFormatter().format(record))
    assert (parsed["event"], parsed["level"]) == ("log", "error")
    assert "ValueError: boom" in parsed["exception"]
    assert "activation" not in parsed
