"""Crash safety: SIGKILL at random points, Ctrl-C, and two runs of one activation at once."""

from __future__ import annotations

import json
import random
import signal
import time
from collections import Counter
from typing import Any

import pytest

from hoist.state import StateStore
from tests.harness.activation import (
    Activation,
    company_rows,
    expected_companies,
    held_companies,
)
from tests.harness.outages import start_run


def write_log(emulator: Any) -> tuple[Counter[str], Counter[str]]:
    """Per company_id: writes Intercom applied, and write attempts that failed (5xx)."""
    applied: Counter[str] = Counter()
    failed: Counter[str] = Counter()
    for r in emulator.requests():
        if r.method == "POST" and r.path == "/companies":
            (applied if r.status == 200 else failed)[r.json["company_id"]] += 1
    return applied, failed


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_kill_9_at_random_points_loses_and_duplicates_nothing(
    activation: Activation, emulator_factory: Any, seed: int
) -> None:
    """Runs killed with SIGKILL, then rerun, leave Intercom exactly equal to the model."""
    server = emulator_factory(token=activation.token, fail_rate=0.02, seed=seed, latency_ms=2)
    activation.base_url = server.base_url
    activation.configure(mapping={"name": "account_name"}, custom_attributes=["seats"])
    rows = company_rows(5000)
    activation.write_rows(rows)
    rng = random.Random(seed)
    kills = 0
    for _ in range(3):
        process = start_run(activation)
        time.sleep(rng.uniform(0.5, 4.0))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.communicate()
    # Rerun until a run finds everything delivered: in-process (only a kill needs a process of
    # its own), where a 5xx is retried at once instead of after a real backoff.
    for _ in range(5):
        report = activation.run_json()
        if report["status"] == "success" and report["unchanged"] == 5000:
            break
    else:
        pytest.fail(f"runs never converged; last report: {report}")
    assert held_companies(server.emulator) == expected_companies(rows)
    applied, failed = write_log(server.emulator)
    for company_id in expected_companies(rows):
        # One write per change, plus re-sends of requests no run could confirm: those that
        # failed with 5xx and those in flight (or not yet committed) when a run was killed.
        assert applied[company_id] + failed[company_id] <= 1 + failed[company_id] + kills
    assert sum(applied.values()) - 5000 <= kills * 200


def test_ctrl_c_stops_sending_commits_and_reports(
    activation: Activation, emulator_factory: Any
) -> None:
    """SIGINT stops new requests, waits for those in flight, commits them and reports."""
    server = emulator_factory(token=activation.token, latency_ms=100)
    activation.base_url = server.base_url
    activation.configure()
    activation.write_rows(company_rows(600))
    process = start_run(activation)
    deadline = time.monotonic() + 60
    while server.emulator.request_count("POST", "/companies") < 20:  # sending has begun
        assert time.monotonic() < deadline, "the run never started sending"
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=60)
    report = json.loads(out)
    assert process.returncode == 130
    assert report["status"] == "interrupted"
    assert 0 < report["created"] < 600
    assert len(server.emulator.companies()) == report["created"]
    second = activation.run_json()
    assert second["created"] == 600 - report["created"]
    applied, _ = write_log(server.emulator)
    assert sum(applied.values()) == 600  # nothing in flight was lost or sent twice


def test_a_second_run_at_the_same_time_refuses(activation: Activation) -> None:
    """While one run holds an activation's state, another run exits 2 saying so."""
    activation.write_rows(company_rows(2))
    with StateStore.open(activation.state_file):
        done = activation.hoist("run")
    assert done.returncode == 2
    assert "another run of this activation is in progress" in done.stderr
