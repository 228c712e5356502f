"""Failing well: an Intercom outage ends a run promptly (exit 2), and signals end a run in
every wait it can be in, after which a rerun leaves Intercom equal to the model."""

from __future__ import annotations

import json
import signal
import time
from typing import Any

import pytest
import yaml

from hoist.emulator import Emulator, EmulatorConfig
from hoist.emulator.uvicorn_server import BackgroundServer
from tests.harness.activation import Activation, company_rows, expected_companies, held_companies
from tests.harness.outages import converge, ended, posts, start_run, wait_until

SIGNALS = [signal.SIGINT, signal.SIGTERM]


def set_destination(activation: Activation, **keys: Any) -> None:
    """Rewrite keys of the activation file's destination section."""
    document = yaml.safe_load(activation.file.read_text())
    document["destination"].update(keys)
    activation.file.write_text(yaml.safe_dump(document, sort_keys=False))


def test_intercom_going_away_mid_run_ends_it_failed_and_a_rerun_converges(
    activation: Activation,
) -> None:
    """With Intercom unreachable for destination.give_up_after, the run stops failed (exit 2)
    naming the outage, instead of retrying every company for hours; the next run resumes."""
    emulator = Emulator(EmulatorConfig(token=activation.token, rate_limit=100, window_s=1))
    first = BackgroundServer(emulator)
    first.start()
    activation.base_url = first.base_url
    activation.configure(mapping={"name": "account_name"}, custom_attributes=["seats"])
    set_destination(activation, give_up_after="2s")
    rows = company_rows(1500)
    activation.write_rows(rows)
    process = start_run(activation)
    wait_until(lambda: posts(emulator) >= 200, "the run started sending")
    first.stop()  # every connection refused from now on

    code, out, err = ended(process)

    assert code == 2
    assert json.loads(out)["status"] == "failed"
    assert "Intercom has not answered for" in err
    assert "destination.give_up_after is 2 s" in err
    assert 0 < len(emulator.companies()) < 1500
    emulator.configure(rate_limit=None)  # the pacing only made the run long enough to cut
    with BackgroundServer(emulator) as second:
        activation.base_url = second.base_url
        activation.configure(mapping={"name": "account_name"}, custom_attributes=["seats"])
        converge(activation, 1500)
    assert held_companies(emulator) == expected_companies(rows)


@pytest.mark.parametrize("signum", SIGNALS, ids=["SIGINT", "SIGTERM"])
@pytest.mark.parametrize(
    "wait",
    ["sending", "full queue", "429 reset", "retry backoff"],
)
def test_a_signal_ends_a_run_whatever_it_waits_on(
    activation: Activation, emulator_factory: Any, signum: signal.Signals, wait: str
) -> None:
    """SIGINT or SIGTERM ends a run within seconds (exit 130, interrupted) while it sends,
    while its queue is full, while it waits for a 429's reset or a retry's backoff; a rerun
    then leaves Intercom equal to the model."""
    settings: dict[str, dict[str, Any]] = {
        "sending": {"latency_ms": 200},
        "full queue": {"latency_ms": 3000},
        # A 60-second window: after its 8 calls every request waits for the reset.
        "429 reset": {"rate_limit": 8, "window_s": 60},
        # Every write fails with a 5xx: each company waits out backoffs of up to 30 s.
        "retry backoff": {"fail_rate": 1.0, "seed": 1},
    }
    server = emulator_factory(token=activation.token, **settings[wait])
    emulator: Emulator = server.emulator
    activation.base_url = server.base_url
    activation.configure(mapping={"name": "account_name"}, custom_attributes=[])
    rows = company_rows(400)
    activation.write_rows(rows)
    process = start_run(activation)
    wait_until(lambda: emulator.request_count("POST", "/companies") >= 2, "sending")
    time.sleep(0.5)  # well inside the wait: a 429's window is 60 s away, a backoff 0.5-30 s

    process.send_signal(signum)
    code, out, err = ended(process)

    assert code == 130, err
    assert json.loads(out)["status"] == "interrupted"
    emulator.configure(latency_ms=0, rate_limit=None, fail_rate=0)
    converge(activation, 400)
    held = {c["company_id"]: c["name"] for c in emulator.companies()}
    assert held == {r["account_id"]: r["account_name"] for r in rows}
