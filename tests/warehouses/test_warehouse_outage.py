"""A warehouse outage during a warehouse-native run ends it promptly (exit 2, the warehouse's
error, masked), signals still end it, `hoist serve` still exits, and a rerun converges."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import yaml

from tests.harness.activation import company_rows, expected_companies, held_companies
from tests.harness.cli import HOIST
from tests.harness.outages import converge, ended, posts, wait_until
from tests.harness.postgres_server import (
    PASSWORD,
    PostgresServer,
    freeze,
    running_postgres,
    start,
    stop,
    thaw,
)
from tests.harness.warehouses import NATIVE, PostgresActivation

pytestmark = pytest.mark.postgres


@pytest.fixture
def own_postgres() -> Iterator[PostgresServer]:
    """A Postgres server of this test's own, which the test may stop or freeze."""
    with running_postgres() as server:
        yield server


def postgres_activation(
    folder: Path, base_url: str, server: PostgresServer, state: dict[str, Any]
) -> PostgresActivation:
    """An activation whose model is `analytics.companies` on `server`, state as given."""
    return PostgresActivation(
        folder=folder,
        base_url=base_url,
        warehouse=folder / "unused.duckdb",
        file=folder / "activation.yml",
        url=server.url(),
        state=state,
    )


@pytest.fixture
def native(tmp_path: Path, own_postgres: PostgresServer, emulator_factory: Any) -> Any:
    """A warehouse-native activation on `own_postgres`, 2,000 rows, an emulator paced to
    about 150 writes a second so that a run lasts long enough to be cut."""
    server = emulator_factory(rate_limit=150, window_s=1)
    made = postgres_activation(tmp_path, server.base_url, own_postgres, NATIVE)
    made.configure(mapping={"name": "account_name"}, custom_attributes=["seats"])
    rows = company_rows(2000)
    made.write_rows(rows)
    return made, server.emulator, rows


def start_command(activation: PostgresActivation, *args: str) -> subprocess.Popen[str]:
    """Start `hoist <args> FILE` in the background with the warehouse password set."""
    env = {**os.environ, "E2E_INTERCOM_TOKEN": activation.token}
    env["E2E_PGPASSWORD"] = activation.password
    return subprocess.Popen(
        [HOIST, *args, str(activation.file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def test_postgres_stopped_mid_run_ends_it_failed_and_a_rerun_converges(
    native: Any, own_postgres: PostgresServer
) -> None:
    """`pg_ctl stop -m fast` while a native run sends: the run ends at once with exit 2 and
    the warehouse's error (no password in it); once Postgres is back, reruns converge."""
    activation, emulator, rows = native
    process = start_command(activation, "run", "--json")
    wait_until(lambda: posts(emulator) >= 300, "the run started sending")
    stop(own_postgres)

    code, out, err = ended(process)

    assert code == 2, err
    assert json.loads(out)["status"] == "failed"
    assert "Postgres" in err
    assert PASSWORD not in err
    assert activation.password not in err
    start(own_postgres)
    emulator.configure(rate_limit=None)  # the pacing only made the run long enough to cut
    converge(activation, 2000)
    assert held_companies(emulator) == expected_companies(rows)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_ends_a_run_waiting_on_a_warehouse_that_stopped_answering(
    native: Any, own_postgres: PostgresServer, signum: signal.Signals
) -> None:
    """With Postgres frozen (its commits never return), SIGINT or SIGTERM still ends the run
    within seconds, exit 2 saying the commit did not return and that what it held is resent;
    a rerun after Postgres recovers converges."""
    activation, emulator, rows = native
    process = start_command(activation, "run", "--json")
    wait_until(lambda: posts(emulator) >= 300, "the run started sending")
    freeze(own_postgres)
    try:
        time.sleep(2)  # commits go at least once a second: one is stuck by now
        process.send_signal(signum)
        code, out, err = ended(process)
    finally:
        thaw(own_postgres)

    assert code == 2, err
    assert json.loads(out)["status"] == "failed"
    assert "the state commit did not return" in err
    assert "the next run sends them again" in err
    emulator.configure(rate_limit=None)  # the pacing only made the run long enough to cut
    converge(activation, 2000)
    assert held_companies(emulator) == expected_companies(rows)


def test_serve_exits_after_sigterm_while_a_run_commit_hangs(
    native: Any, own_postgres: PostgresServer
) -> None:
    """`hoist serve` stops within its grace period on SIGTERM even when a running activation's
    state commit hangs on a frozen warehouse (systemd would otherwise kill it, no alert)."""
    activation, emulator, _ = native
    document = activation.file.read_text() + 'schedule: "every 1h"\n'
    activation.file.write_text(document)
    process = start_command(activation, "serve", "--no-ui")
    wait_until(lambda: posts(emulator) >= 300, "the scheduled run started sending")
    freeze(own_postgres)
    try:
        time.sleep(2)  # commits go at least once a second: one is stuck by now
        process.send_signal(signal.SIGTERM)
        code, _, err = ended(process)
    finally:
        thaw(own_postgres)

    assert code == 0, err
    assert re.search(r"e2e: run \w+ failed: .*the state commit did not return", err), err


def model_query_running(server: PostgresServer) -> bool:
    """Whether a client's statement has been running in the warehouse for over a second (the
    model query: `pg_stat_activity` cuts long texts, so the statement is not matched by text)."""
    with psycopg.connect(server.url(), autocommit=True) as con:
        row = con.execute(
            "select count(*) from pg_stat_activity where state = 'active'"
            " and backend_type = 'client backend' and pid <> pg_backend_pid()"
            " and now() - query_start > interval '1 second'"
        ).fetchone()
    return row is not None and row[0] > 0


@pytest.mark.parametrize("state", [NATIVE, {}], ids=["native", "local"])
def test_ctrl_c_ends_a_run_whose_model_query_never_returns(
    tmp_path: Path,
    own_postgres: PostgresServer,
    emulator_factory: Any,
    state: dict[str, Any],
) -> None:
    """Ctrl-C ends a run while the warehouse is still computing its model (before anything is
    sent): exit 130 within seconds, with local and with warehouse-native state."""
    server = emulator_factory()
    made = postgres_activation(tmp_path, server.base_url, own_postgres, state)
    made.configure(mapping={"name": "account_name"})
    made.write_rows(company_rows(20))
    document = yaml.safe_load(made.file.read_text())
    # An hour per row: the warehouse never answers within the test.
    document["model"] = {
        "sql": "select * from analytics.companies where pg_sleep(3600) is not null"
    }
    made.file.write_text(yaml.safe_dump(document, sort_keys=False))
    process = start_command(made, "run", "--json")
    wait_until(
        lambda: process.poll() is not None or model_query_running(own_postgres),
        "the model query is running",
    )
    assert process.poll() is None, ended(process)[2]

    process.send_signal(signal.SIGINT)
    code, _, err = ended(process)

    assert code == 130, err
    assert posts(server.emulator) == 0


def test_a_first_native_run_against_a_frozen_warehouse_ends_without_hanging_on_its_record(
    tmp_path: Path, own_postgres: PostgresServer, emulator_factory: Any
) -> None:
    """With Postgres frozen before a new native activation's first run, the run ends with
    exit 2 and the warehouse's error; recording the failed run, which needs that warehouse,
    gives up with a warning instead of holding the process."""
    server = emulator_factory()
    made = postgres_activation(tmp_path, server.base_url, own_postgres, NATIVE)
    made.configure(mapping={"name": "account_name"})
    made.write_rows(company_rows(5))
    freeze(own_postgres)
    try:
        code, _, err = ended(start_command(made, "run"))
    finally:
        thaw(own_postgres)

    assert code == 2, err
    assert "cannot connect to Postgres" in err
    assert "could not record the failed run" in err
    assert made.password not in err
    assert posts(server.emulator) == 0
