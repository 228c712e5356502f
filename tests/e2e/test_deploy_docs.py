"""docs/deploy.md stays true: its Python API example runs, its payload example is the real shape."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import hoist
from hoist.report import RecordIssue, RunReport
from hoist.schedule.alerts import build_payload
from tests.harness.activation import Activation, company_rows

DOC = Path(__file__).parents[2] / "docs" / "deploy.md"


def blocks(language: str) -> list[str]:
    """The doc's fenced code blocks in `language`."""
    return re.findall(rf"```{language}\n(.*?)```", DOC.read_text(), flags=re.DOTALL)


def sync_companies() -> Callable[[str], dict[str, Any]]:
    """The `sync_companies` function exactly as the doc shows it."""
    [source] = [block for block in blocks("python") if "def sync_companies" in block]
    namespace: dict[str, Any] = {}
    exec(compile(source, str(DOC), "exec"), namespace)
    function: Callable[[str], dict[str, Any]] = namespace["sync_companies"]
    return function


def test_the_airflow_callable_syncs_and_returns_the_report(
    activation: Activation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The documented PythonOperator callable runs the activation and returns its counts."""
    monkeypatch.setenv("E2E_INTERCOM_TOKEN", activation.token)
    activation.write_rows(company_rows(7))
    result = sync_companies()(str(activation.file))
    assert result["status"] == "success"
    assert result["created"] == 7
    json.dumps(result)  # an XCom value must be JSON


def test_the_airflow_callable_fails_the_task_when_the_run_cannot_proceed(
    activation: Activation, emulator_factory: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rejected token raises hoist.FatalDestinationError, which fails the Airflow task."""
    server = emulator_factory(token="the-right-token")
    activation.base_url = server.base_url
    activation.configure()
    activation.write_rows(company_rows(2))
    monkeypatch.setenv("E2E_INTERCOM_TOKEN", "a-wrong-token")
    with pytest.raises(hoist.FatalDestinationError):
        sync_companies()(str(activation.file))


def test_the_airflow_callable_fails_the_task_on_rejected_companies(
    activation: Activation, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A partial run (a row without company_id) fails the task with the counts in the message."""
    monkeypatch.setenv("E2E_INTERCOM_TOKEN", activation.token)
    activation.write_rows(company_rows(3, account_id=lambda i: None if i == 0 else f"a{i}"))
    with pytest.raises(RuntimeError, match="partial: 1 rejected, 0 failed"):
        sync_companies()(str(activation.file))


def test_the_documented_payload_has_exactly_the_keys_alerts_send() -> None:
    """The JSON example in the doc lists every key a real alert carries, and no other."""
    [example] = [json.loads(block) for block in blocks("json")]
    report = RunReport(run_id="r", activation="a", status="failed", message="x")
    assert list(example) == list(build_payload(report, "failed"))
    partial = RunReport(
        run_id="r", activation="a", status="partial", errors=(RecordIssue("c", "x", "y"),)
    )
    assert set(build_payload(partial, "partial")["errors"][0]) == {"company_id", "code", "message"}


def test_the_documented_commands_exist(activation: Activation) -> None:
    """Every `hoist serve` option the doc uses is one the command accepts."""
    help_text = activation.hoist("serve", "--help").stdout
    used = set(re.findall(r"hoist serve((?: --[a-z-]+)+)", DOC.read_text()))
    options = {option for group in used for option in group.split()}
    assert options == {"--no-ui", "--once", "--metrics-port", "--log-format"}
    for option in options:
        assert option in help_text
