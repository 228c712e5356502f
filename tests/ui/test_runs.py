"""Run now: progress that survives a reload, Stop, and a run's errors searchable by company."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
import yaml
from playwright.sync_api import Page, expect

from hoist.emulator.testing import EmulatorHandle
from hoist.project import load_project
from hoist.report import RecordIssue, RunReport
from hoist.state import StateStore
from tests.harness.ui import TOKEN, TOKEN_VARIABLE, start_ui

pytestmark = pytest.mark.ui


def with_activation(project: Path, base_url: str, table: str = "analytics.companies") -> None:
    """A destination and an activation `all` (every row of `table`), written as files."""
    document = yaml.safe_load((project / "hoist.yml").read_text())
    document["destinations"] = {
        "intercom": {"access_token": f"${{{TOKEN_VARIABLE}}}", "base_url": base_url}
    }
    document["activations"] = {
        "all": {
            "source": "warehouse",
            "destination": "intercom",
            "model": {"table": table},
            "sync": {"company_id": "account_id", "mapping": {"name": "account_name"}},
        }
    }
    (project / "hoist.yml").write_text(yaml.safe_dump(document))


@pytest.fixture
def ui_over(project: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """Start the UI over `project` with an activation sending to the given Intercom URL."""
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    started = []

    def start(base_url: str, table: str = "analytics.companies") -> str:
        with_activation(project, base_url, table)
        server, thread = start_ui(project)
        started.append((server, thread))
        return f"http://127.0.0.1:{server.port}"

    yield start
    for server, thread in started:
        server.server.should_exit = True
        thread.join(timeout=60)


def test_a_run_goes_on_through_a_reload_and_stops_when_asked(
    ui_over: Callable[..., str],
    emulator_factory: Callable[..., EmulatorHandle],
    project: Path,
    page: Page,
) -> None:
    """A slow run shows its progress after a reload; Stop ends it as interrupted with what
    Intercom confirmed kept, and the history shows it."""
    con = duckdb.connect(str(project / "warehouse.duckdb"))
    con.execute(
        "CREATE TABLE analytics.many AS SELECT 'm-' || i AS account_id, 'M ' || i AS account_name "
        "FROM range(400) t(i)"
    )
    con.close()
    # More companies than requests in flight (64), sent at 20 a second: a run of 20 s.
    slow = emulator_factory(rate_limit=20, window_s=1)
    url = ui_over(slow.base_url, "analytics.many")
    page.goto(f"{url}/activations/all")
    page.get_by_role("button", name="Run now").click()
    expect(page.locator("#run-progress")).to_contain_text("of 400 companies", timeout=30_000)
    page.reload()
    expect(page.locator("#run-status")).to_contain_text("running")
    page.get_by_role("button", name="Stop").click()
    expect(page.locator("#run-status")).to_contain_text("interrupted", timeout=60_000)
    sent = len(slow.emulator.companies())
    assert 0 < sent < 400
    expect(page.locator('[data-count="created"]')).to_have_text(str(sent))
    page.goto(f"{url}/activations/all/history")
    expect(page.locator("#runs tbody tr")).to_have_count(1)
    expect(page.locator("#runs")).to_contain_text("interrupted")


def test_a_runs_errors_can_be_searched(
    ui_over: Callable[..., str], project: Path, page: Page, shots: Path
) -> None:
    """The run page lists every company the run could not sync, with its reason, and the
    search keeps those matching the company, code or reason."""
    url = ui_over("http://127.0.0.1:9")
    config = load_project(project, environ={TOKEN_VARIABLE: TOKEN}).activation("all")
    errors = (
        RecordIssue("acct-001", "parameter_invalid", "website is not a URL"),
        RecordIssue("acct-002", "parameter_invalid", "size must be a number"),
        RecordIssue("acct-017", "server_error", "gave up after 5 attempts"),
    )
    report = RunReport("run-with-errors", "all", "partial", created=37, failed=3, errors=errors)
    now = datetime.now(UTC)
    with StateStore.open(config.state.path) as store:
        store.record_run(report, started_at=now, finished_at=now, insert=True)
    page.goto(f"{url}/activations/all/history")
    page.get_by_role("link", name="run-with-errors").click()
    expect(page.locator("#errors tbody tr")).to_have_count(3)
    page.get_by_label("Search by company, code or reason").fill("not a url")
    expect(page.locator("#errors tbody tr")).to_have_count(1)
    expect(page.locator("#errors")).to_contain_text("acct-001")
    page.screenshot(path=shots / "run-errors.png", full_page=True)
    page.get_by_label("Search by company, code or reason").fill("server_error")
    expect(page.locator("#errors tbody tr")).to_have_count(1)
    expect(page.locator("#errors")).to_contain_text("acct-017")
