"""The `schedule`, `timezone` and `alerts` keys of an activation file."""

from __future__ import annotations

from pathlib import Path

import pytest

from hoist.config import load_activation
from hoist.errors import ConfigError

BASE = """\
name: companies
source: {path: warehouse.duckdb}
model: {table: analytics.companies}
destination: {access_token: "${TOKEN}"}
sync: {company_id: account_id}
"""
ENV = {"TOKEN": "tok-SECRET", "SLACK_WEBHOOK_URL": "https://hooks.slack.com/services/T/B/HOOK"}


def write(tmp_path: Path, extra: str) -> Path:
    """An activation file: the base keys plus the YAML text `extra`."""
    file = tmp_path / "activation.yml"
    file.write_text(BASE + extra)
    return file


def problem(tmp_path: Path, extra: str) -> ConfigError:
    """The ConfigError loading the file raises."""
    with pytest.raises(ConfigError) as caught:
        load_activation(write(tmp_path, extra), environ=ENV)
    return caught.value


def test_schedule_timezone_and_alerts_are_optional(tmp_path: Path) -> None:
    """An activation without them is run by hand only: no schedule, UTC, no alerts."""
    config = load_activation(write(tmp_path, ""), environ=ENV)
    assert (config.schedule, config.timezone, config.alerts) == (None, "UTC", ())


def test_a_bare_on_key_works_as_yaml_11_reads_it(tmp_path: Path) -> None:
    """`on:` unquoted (read as the boolean true by YAML 1.1) still sets the events."""
    extra = """\
schedule: "30 2 * * *"
timezone: Europe/Berlin
alerts:
  - webhook: ${SLACK_WEBHOOK_URL}
    on: [failed, recovered]
  - webhook: https://example.com/hook
    on:
      - partial
  - webhook: https://example.com/all
"""
    config = load_activation(write(tmp_path, extra), environ=ENV)
    assert config.schedule == "30 2 * * *"
    assert config.timezone == "Europe/Berlin"
    assert [alert.on for alert in config.alerts] == [
        ("failed", "recovered"),
        ("partial",),
        ("failed", "partial", "recovered"),
    ]
    assert config.alerts[0].webhook.reveal() == ENV["SLACK_WEBHOOK_URL"]


def test_webhook_urls_never_show(tmp_path: Path) -> None:
    """A webhook URL (a Slack URL is a credential) is dumped and printed as ***."""
    file = write(tmp_path, "alerts:\n  - webhook: ${SLACK_WEBHOOK_URL}\n")
    config = load_activation(file, environ=ENV)
    assert "HOOK" not in repr(config) + config.model_dump_json()


@pytest.mark.parametrize(
    ("extra", "key", "fix"),
    [
        ('schedule: "0 * * *"\n', "schedule", "5-field cron expression"),
        ('schedule: "0 25 * * *"\n', "schedule", "bad hour field"),
        ("schedule: every 15 minutes\n", "schedule", 'e.g. "every 30s"'),
        (
            "schedule: every 1h\ntimezone: Europe/Berln\n",
            "timezone",
            "did you mean 'Europe/Berlin'",
        ),
        ("alerts: [{webhook: 'not a url'}]\n", "alerts[0].webhook", "http(s) URL"),
        ("alerts: [{webhook: 'https://x.io/h', on: [failure]}]\n", "alerts[0].on[0]", "'failed'"),
        ("alerts: [{webhook: 'https://x.io/h', on: }]\n", "alerts[0].on", "on: [failed"),
        ("alerts: [{webhok: 'https://x.io/h'}]\n", "alerts[0].webhok", "did you mean 'webhook'"),
        ("alerts: [{on: [failed]}]\n", "alerts[0].webhook", "is required"),
    ],
)
def test_each_mistake_names_the_file_the_key_and_the_fix(
    tmp_path: Path, extra: str, key: str, fix: str
) -> None:
    """Schedule and alert mistakes are config errors naming file, dotted key and a fix."""
    error = problem(tmp_path, extra)
    assert error.file == str(tmp_path / "activation.yml")
    assert key in str(error)
    assert fix in str(error)


def test_a_bad_webhook_url_is_not_echoed(tmp_path: Path) -> None:
    """A malformed webhook value may still hold a secret: the error does not repeat it."""
    error = problem(tmp_path, "alerts: [{webhook: 'hooks.slack.com/services/T/B/HOOKSECRET'}]\n")
    assert "HOOKSECRET" not in str(error)
