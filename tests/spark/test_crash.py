"""Crash safety on Spark: `hoist run` killed with SIGKILL mid-send, then rerun, converges."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from tests.harness.activation import TOKEN
from tests.harness.cli import HOIST
from tests.harness.spark import SMALL_SPARK, write_parquet
from tests.harness.twins import SPARK_COLUMNS, Twins, model_rows

pytestmark = [pytest.mark.spark, pytest.mark.slow]

_ROWS = 3000
_REPOSITORY = Path(__file__).resolve().parents[2]  # where `-m tests.harness.rerun` is found


def _start(file: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "E2E_INTERCOM_TOKEN": TOKEN}
    return subprocess.Popen(
        [HOIST, "run", "--json", str(file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


def _kill_while_sending(process: subprocess.Popen[str], emulator: Any) -> list[psutil.Process]:
    """SIGKILL `process` once it has sent a few hundred writes; return its children then."""
    deadline = time.monotonic() + 600  # a JVM on two busy cores takes a while to start
    while emulator.request_count("POST", "/companies") < 300:
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never started sending"
        time.sleep(0.05)
    children: list[psutil.Process] = psutil.Process(process.pid).children(recursive=True)
    process.send_signal(signal.SIGKILL)
    process.communicate()
    return children


# With native state only: it covers what the local-state run did (the JVM dies with hoist, the
# rerun converges) and state read back from the metastore by new processes; one Spark crash
# test keeps the suite's time in bounds (each starts two driver JVMs).
@pytest.mark.parametrize("twins", ["native"], indirect=True)
@pytest.mark.timeout(1800)  # two Spark driver JVMs start one after another
def test_kill_9_mid_run_then_rerun_matches_the_duckdb_run(
    twins: Twins, spark: Any, tmp_path: Path
) -> None:
    """A Spark run (native state) killed with SIGKILL and rerun leaves Intercom as one DuckDB
    run does."""
    rows = model_rows(_ROWS)
    twins.write_rows(rows)
    twins.duck.report()
    # A new process starts its own Spark, which reads the same rows from their Parquet files.
    model = tmp_path / "model.parquet"
    write_parquet(spark, model, rows, SPARK_COLUMNS)
    twins.spark.source = {"type": "spark", "master": "local[1]", "conf": SMALL_SPARK}
    twins.spark.model = {"sql": f"SELECT * FROM parquet.`{model}`"}
    twins.spark.configure()
    twins.spark.emulator.configure(latency_ms=5)
    children = _kill_while_sending(_start(twins.spark.file), twins.spark.emulator)
    # The driver JVM dies with the process that started it: nothing is left running.
    _, alive = psutil.wait_procs(children, timeout=120)
    assert alive == [], f"left running after kill -9: {[p.name() for p in alive]}"
    assert 0 < len(twins.spark.emulator.companies()) < _ROWS
    # A new process reruns (its own JVM, state read back from the metastore), then confirms in
    # the same process that nothing is left to send.
    rerun = subprocess.run(
        [sys.executable, "-m", "tests.harness.rerun", str(twins.spark.file), "3"],
        capture_output=True,
        text=True,
        env={**os.environ, "E2E_INTERCOM_TOKEN": TOKEN},
        timeout=900,
        check=False,
        cwd=_REPOSITORY,
    )
    reports = [json.loads(line) for line in rerun.stdout.splitlines()]
    assert rerun.returncode == 0, (reports, rerun.stderr[-3000:])
    assert (reports[-1]["status"], reports[-1]["unchanged"]) == ("success", _ROWS), reports
    twins.assert_same_companies()
    applied = sum(
        1
        for r in twins.spark.emulator.requests()
        if r.method == "POST" and r.path == "/companies" and r.status == 200
    )
    # Every company once, plus at most the writes in flight or uncommitted at the kill: 64 in
    # flight, a commit of up to 100 confirmations (+ 64 that joined it) running in its thread
    # while sending goes on, and 64 waiting for it (hoist.pipeline.executor).
    assert _ROWS <= applied <= _ROWS + 300
