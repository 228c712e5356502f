"""/metrics, /healthz and /readyz in the UI's app: what they answer, behind the UI's guards;
and the access log of UI requests. In-process over ASGI with httpx."""

from __future__ import annotations

import base64
import logging
import time
from pathlib import Path

import httpx
import pytest

from hoist.config import ActivationConfig, parse_activation
from hoist.observe.health import Health
from hoist.observe.metrics import Metrics
from hoist.report import RunReport
from tests.harness.ui import RunningUi
from tests.harness.ui_asgi import in_process


def activation(folder: Path, state: Path | None = None) -> ActivationConfig:
    """A scheduled activation whose state file is `state` (default: in `folder`)."""
    data = {
        "name": "crm",
        "source": {"path": "w.duckdb"},
        "model": {"table": "t"},
        "destination": {"access_token": "tok", "base_url": "http://127.0.0.1:9"},
        "sync": {"company_id": "id", "mapping": {"name": "name"}},
        "schedule": "every 1h",
        "state": {"path": str(state or folder / "crm.duckdb")},
    }
    return parse_activation(data, file=folder / "crm.yml")


def test_healthz_answers_while_readyz_waits_for_the_scheduler(tmp_path: Path) -> None:
    """Before the scheduler runs the process is healthy but not ready, and says why."""
    health = Health(Metrics(), lambda: [activation(tmp_path)])
    with in_process(tmp_path, health=health) as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        waiting = client.get("/readyz")
        assert waiting.status_code == 503
        assert waiting.json()["problems"] == ["the scheduler is not running"]
        with health.scheduling():
            assert client.get("/readyz").json() == {"status": "ready"}
        assert client.get("/readyz").status_code == 503


def test_readyz_names_an_activation_whose_state_cannot_be_written(tmp_path: Path) -> None:
    """A state file in a folder that does not exist: not ready, naming the folder and the fix."""
    missing = tmp_path / "gone" / "crm.duckdb"
    health = Health(Metrics(), lambda: [activation(tmp_path, missing)])
    with in_process(tmp_path, health=health) as client, health.scheduling():
        answer = client.get("/readyz")
    assert answer.status_code == 503
    [problem] = answer.json()["problems"]
    assert problem.startswith("crm: cannot create its state file in ")
    assert str(missing.parent) in problem
    assert "create the folder" in problem


def test_readyz_is_ready_with_a_state_file_from_earlier_runs(tmp_path: Path) -> None:
    """A state file that exists and can be written: ready."""
    state = tmp_path / "crm.duckdb"
    state.write_bytes(b"")
    health = Health(Metrics(), lambda: [activation(tmp_path, state)])
    with in_process(tmp_path, health=health) as client, health.scheduling():
        assert client.get("/readyz").json() == {"status": "ready"}


def test_metrics_are_served_in_prometheus_text_format(tmp_path: Path) -> None:
    """/metrics answers the text format with the runs the scheduler counted."""
    metrics = Metrics()
    metrics.observe_run(RunReport(run_id="r1", activation="crm", status="success", created=2))
    with in_process(tmp_path, health=Health(metrics)) as client:
        answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'hoist_runs_total{activation="crm",status="success"} 1.0' in answer.text
    assert 'hoist_companies_total{activation="crm",outcome="created"} 2.0' in answer.text


def test_with_a_password_the_ops_routes_need_it_too(tmp_path: Path) -> None:
    """A UI with a password asks it for /metrics, /healthz and /readyz as for its pages."""
    with in_process(tmp_path, password="s3cret", health=Health(Metrics())) as client:
        for path in ("/metrics", "/healthz", "/readyz"):
            assert client.get(path).status_code == 401
        basic = base64.b64encode(b"prometheus:s3cret").decode()
        answer = client.get("/metrics", headers={"Authorization": f"Basic {basic}"})
        assert answer.status_code == 200


def test_a_foreign_host_gets_no_metrics(tmp_path: Path) -> None:
    """DNS rebinding: a page of another name that resolves to 127.0.0.1 gets 421."""
    with in_process(tmp_path, health=Health(Metrics())) as client:
        answer = client.get("/metrics", headers={"Host": "evil.example:8600"})
    assert answer.status_code == 421


def test_each_request_is_logged_without_its_query_string(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The access log has method, path, status and time; query values (tokens) never."""
    caplog.set_level(logging.INFO, logger="hoist.access")
    with in_process(tmp_path, health=Health(Metrics())) as client:
        client.get("/healthz?token=hunter2")
        client.get("/nowhere", headers={"Host": "evil.example:8600"})
    lines = [r for r in caplog.records if r.name == "hoist.access"]
    assert [(r.method, r.path, r.status) for r in lines] == [  # type: ignore[attr-defined]
        ("GET", "/healthz", 200),
        ("GET", "/nowhere", 421),
    ]
    assert all(r.event == "http_request" for r in lines)  # type: ignore[attr-defined]
    assert "hunter2" not in caplog.text


def test_the_ui_server_of_hoist_serve_is_ready_and_exports_its_scheduler(ui: RunningUi) -> None:
    """The real `hoist serve` UI server answers /readyz 200 and /metrics over HTTP."""
    deadline = time.monotonic() + 30  # the schedules start in the background with the server
    while (ready := httpx.get(f"{ui.url}/readyz", timeout=30)).status_code != 200:
        assert time.monotonic() < deadline, ready.text
        time.sleep(0.05)
    assert ready.json() == {"status": "ready"}
    metrics = httpx.get(f"{ui.url}/metrics", timeout=30).text
    assert "hoist_scheduler_running 1.0" in metrics
    assert "process_resident_memory_bytes" in metrics
