"""`hoist serve` for real: schedules in real time, alerts to a real local webhook, SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.harness.activation import Activation, company_rows
from tests.harness.cli import HOIST
from tests.harness.receiver import WebhookReceiver

GOOD = "good-token-SECRET-7f3a"
BAD = "bad-token-SECRET-0c1d"


def schedule(activation: Activation, every: str, alerts_yaml: str = "") -> None:
    """Add `schedule` (and an `alerts` block written as YAML text) to the activation file."""
    document = yaml.safe_load(activation.file.read_text())
    document["schedule"] = every
    text = yaml.safe_dump(document, sort_keys=False) + alerts_yaml
    activation.file.write_text(text)


def start_serve(activation: Activation, token: str, *args: str) -> subprocess.Popen[str]:
    """Start `hoist serve` on the activation in the background."""
    env = {**os.environ, "E2E_INTERCOM_TOKEN": token}
    return subprocess.Popen(
        [HOIST, "serve", "--no-ui", *args, str(activation.file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    """SIGTERM the process and return its output once it exited."""
    process.send_signal(signal.SIGTERM)
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, err
    return out, err


def wait_until(check: Callable[[], bool], what: str, timeout_s: float = 90.0) -> None:
    """Poll `check()` until it is true."""
    deadline = time.monotonic() + timeout_s
    while not check():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def history(activation: Activation) -> list[dict[str, Any]]:
    """`hoist runs --json` once serve has stopped, newest first."""
    done = activation.hoist("runs", "--json", "--limit", "100", token=GOOD)
    assert done.returncode == 0, done.stderr
    runs: list[dict[str, Any]] = json.loads(done.stdout)
    return runs


def test_serve_runs_an_every_2s_activation_again_and_again(
    activation: Activation, emulator: Any
) -> None:
    """With `schedule: every 2s`, serve syncs at once and keeps running until SIGTERM."""
    activation.write_rows(company_rows(5))
    schedule(activation, "every 2s")
    process = start_serve(activation, GOOD)
    # Each run lists the data attributes of both models (company and contact) once.
    wait_until(lambda: emulator.emulator.request_count("GET", "/data_attributes") >= 6, "runs")
    out, err = stop(process)
    runs = history(activation)
    # On a slow machine a run can outlast 2 s: the slot it overlaps is recorded as skipped.
    skipped = [run for run in runs if run["status"] == "skipped"]
    assert all("still going" in run["message"] for run in skipped)
    ran = [run for run in runs if run["status"] != "skipped"]
    assert len(ran) >= 3
    # The run SIGTERM caught, if any, stopped early; every other one succeeded.
    assert [run["status"] for run in ran[1:]] == ["success"] * (len(ran) - 1)
    assert ran[0]["status"] in ("success", "interrupted")
    assert ran[-1]["created"] == 5
    assert all(run["created"] == 0 for run in ran[:-1])
    assert GOOD not in out + err


ALERTS = """\
alerts:
  - webhook: {url}
    on:
      - failed
      - recovered
"""


def test_a_bad_token_alerts_failed_and_the_fix_alerts_recovered_after_a_restart(
    activation: Activation, emulator_factory: Any, webhook_receiver: WebhookReceiver
) -> None:
    """A 401 posts `failed`; serve restarted with the right token posts `recovered` once."""
    server = emulator_factory(token=GOOD)
    activation.base_url = server.base_url
    activation.configure()
    activation.write_rows(company_rows(3))
    schedule(activation, "every 2s", ALERTS.format(url=webhook_receiver.url))

    failing = start_serve(activation, BAD)
    wait_until(lambda: webhook_receiver.events()[:1] == ["failed"], "a failed alert")
    stop(failing)
    failed = webhook_receiver.bodies[0]
    assert failed["activation"] == "e2e"
    assert failed["status"] == "failed"
    assert "401" in failed["text"]
    assert failed["run_id"]

    fixed = start_serve(activation, GOOD)
    wait_until(lambda: "recovered" in webhook_receiver.events(), "a recovered alert")
    wait_until(lambda: server.emulator.request_count("GET", "/data_attributes") >= 3, "runs")
    stop(fixed)
    events = webhook_receiver.events()
    assert events[-1] == "recovered"
    assert events.count("recovered") == 1  # later successes say nothing
    assert set(events[:-1]) == {"failed"}
    recovered = webhook_receiver.bodies[-1]
    assert recovered["status"] == "success"
    assert recovered["created"] == 3
    everything = json.dumps(webhook_receiver.bodies)
    assert BAD not in everything
    assert GOOD not in everything
    assert "SECRET-PATH" not in everything  # the webhook URL itself


def test_recovered_is_sent_by_the_same_serve_once_intercom_accepts_the_token(
    activation: Activation, emulator_factory: Any, webhook_receiver: WebhookReceiver
) -> None:
    """Failing runs keep alerting; the first success in the same process alerts `recovered`."""
    server = emulator_factory(token="not-yet")
    activation.base_url = server.base_url
    activation.configure()
    activation.write_rows(company_rows(2))
    schedule(activation, "every 2s", ALERTS.format(url=webhook_receiver.url))
    process = start_serve(activation, GOOD)
    wait_until(lambda: webhook_receiver.events()[:1] == ["failed"], "a failed alert")
    server.emulator.configure(token=GOOD)  # the workspace now accepts the token
    wait_until(lambda: "recovered" in webhook_receiver.events(), "a recovered alert")
    stop(process)
    assert webhook_receiver.events()[-1] == "recovered"


def test_once_runs_what_is_due_then_nothing_until_the_next_slot(activation: Activation) -> None:
    """`serve --once` runs a never-run hourly activation, and a second call finds nothing due."""
    activation.write_rows(company_rows(4))
    schedule(activation, "0 * * * *")
    env = {**os.environ, "E2E_INTERCOM_TOKEN": GOOD}
    command = [HOIST, "serve", "--once", str(activation.file)]
    first = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert first.returncode == 0, first.stderr
    assert "ran 1 due activation(s): e2e" in first.stdout
    second = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert "ran 0 due activation(s)" in second.stdout
    assert second.returncode == 0
    assert [run["created"] for run in history(activation)] == [4]


def test_once_exits_2_when_a_due_run_fails(activation: Activation, emulator_factory: Any) -> None:
    """A cron-driven `serve --once` whose run is refused (401) exits 2 and says failed."""
    server = emulator_factory(token=GOOD)
    activation.base_url = server.base_url
    activation.configure()
    schedule(activation, "every 1h")
    env = {**os.environ, "E2E_INTERCOM_TOKEN": BAD}
    command = [HOIST, "serve", "--once", str(activation.file)]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 2
    assert "e2e: failed" in done.stdout
    assert BAD not in done.stdout + done.stderr


def test_sigterm_lets_the_running_activation_commit_what_intercom_confirmed(
    activation: Activation, emulator_factory: Any
) -> None:
    """SIGTERM mid-run: serve exits after committing; state holds exactly what Intercom holds."""
    server = emulator_factory(latency_ms=100)
    activation.base_url = server.base_url
    activation.configure()
    activation.write_rows(company_rows(600))
    schedule(activation, "every 1h")
    process = start_serve(activation, GOOD)
    wait_until(lambda: server.emulator.request_count("POST", "/companies") >= 20, "sending")
    stop(process)
    [run] = history(activation)
    assert run["status"] == "interrupted"
    held = len(server.emulator.companies())
    assert 0 < run["created"] == held < 600
    assert activation.run_json()["created"] == 600 - held  # the rest, nothing twice


def numbered(prefix: str) -> Callable[[int], str]:
    """company_ids `prefix-0`, `prefix-1`, ... for row numbers."""
    return lambda i: f"{prefix}-{i}"


def test_two_activations_on_one_destination_share_its_rate_limit(
    tmp_path: Path, emulator_factory: Any
) -> None:
    """Run together under a 100-per-10 s limit, two activations never get a 429 between them."""
    server = emulator_factory(rate_limit=100, window_s=10.0)
    files = []
    for name in ("accounts", "customers"):
        folder = tmp_path / name
        folder.mkdir()
        made = Activation(folder, server.base_url, folder / "warehouse.duckdb", folder / "a.yml")
        made.configure()
        made.write_rows(company_rows(90, account_id=numbered(name)))
        document = yaml.safe_load(made.file.read_text())
        made.file.write_text(yaml.safe_dump({**document, "name": name, "schedule": "every 1h"}))
        files.append(str(made.file))
    env = {**os.environ, "E2E_INTERCOM_TOKEN": GOOD}
    done = subprocess.run(
        [HOIST, "serve", "--once", *files], capture_output=True, text=True, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "ran 2 due activation(s)" in done.stdout
    statuses = [r.status for r in server.emulator.requests()]
    assert statuses.count(429) == 0
    assert len(server.emulator.companies()) == 180
