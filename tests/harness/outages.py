"""Helpers for the outage and signal tests: wait for a condition, collect a run that must end,
rerun until Intercom equals the model."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Callable
from typing import Any

import pytest

from hoist.emulator import Emulator
from tests.harness.activation import Activation
from tests.harness.cli import HOIST

#: Longest a stopped or failing run may take to end before the test calls it a hang. The
#: runs end within seconds; this is generous for a machine shared with other test runs.
HANG_S = 90


def wait_until(condition: Callable[[], bool], what: str, timeout_s: float = 60) -> None:
    """Poll `condition` until it holds; fail naming `what` if it never does."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.05)


def ended(process: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Exit status, stdout and stderr of `process`, failing the test if it hangs."""
    try:
        out, err = process.communicate(timeout=HANG_S)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"the run hung; stderr so far:\n{err}")
    return process.returncode, out, err


def converge(activation: Activation, rows: int) -> dict[str, Any]:
    """Rerun until a run finds every company delivered; that run's report."""
    report: dict[str, Any] = {}
    for _ in range(4):
        report = activation.run_json()
        if report["status"] == "success" and report["unchanged"] == rows:
            return report
    pytest.fail(f"runs never converged; last report: {report}")


def posts(emulator: Emulator) -> int:
    """Write requests the emulator has answered so far."""
    return emulator.request_count("POST", "/companies")


def start_run(activation: Activation) -> subprocess.Popen[str]:
    """Start `hoist run --json` in the background."""
    env = {**os.environ, "E2E_INTERCOM_TOKEN": activation.token}
    return subprocess.Popen(
        [HOIST, "run", "--json", str(activation.file)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
