"""Fixtures of the web UI tests: a project with a DuckDB warehouse, the real UI server of
`hoist serve` on 127.0.0.1 (a free port), and Playwright pointed at Debian's chromium."""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
import yaml
from playwright.sync_api import Browser, Page, sync_playwright

from hoist.emulator.testing import EmulatorHandle
from hoist.ui.server import UiServer

#: The token the UI's destination names by variable; it must never reach a page or a file.
TOKEN = "ui-test-token-7f3a9c1e5b"
TOKEN_VARIABLE = "HOIST_UI_TEST_INTERCOM_TOKEN"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Where the tests' screenshots go (committed; shown in the README).
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "ui"


@pytest.fixture
def browser() -> Iterator[Browser]:
    """Debian's chromium, headless (Playwright's own builds cannot be downloaded here); as
    root without the sandbox, which Chromium refuses to use for root.

    One browser per test, not per session: Playwright's sync API runs an event loop in the
    test's thread while it is open, and the tests after these ones call `asyncio.run` there.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed: run bash .ci/system-packages")
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser context (no cookies) and a page in it."""
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.set_default_timeout(30_000)
    yield context.new_page()
    context.close()


def build_warehouse(path: Path) -> None:
    """40 companies over plans, regions and sizes: enough for a segment of three conditions."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA analytics")
    con.execute(
        """
        CREATE TABLE analytics.companies AS
        SELECT 'acct-' || lpad(i::VARCHAR, 3, '0') AS account_id,
               'Company ' || i AS account_name,
               ['Starter', 'Pro', 'Enterprise', 'Pro'][i % 4 + 1] AS plan_name,
               (i * 37 % 500)::INTEGER AS mrr,
               ['eu', 'us', 'apac'][i % 3 + 1] AS region,
               (i * 7 % 100)::DOUBLE AS health_score,
               i % 5 = 0 AS churned
        FROM range(40) t(i)
        """
    )
    con.close()


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project holding only a source: the UI adds the rest."""
    root = tmp_path / "project"
    root.mkdir()
    build_warehouse(root / "warehouse.duckdb")
    document = {"sources": {"warehouse": {"type": "duckdb", "path": "warehouse.duckdb"}}}
    (root / "hoist.yml").write_text(
        "# The team's project; the UI must keep this comment.\n"
        + yaml.safe_dump(document, sort_keys=False),
        encoding="utf-8",
    )
    return root


@dataclass(frozen=True)
class RunningUi:
    """A running UI server: its URL and the server object."""

    url: str
    server: UiServer


def start_ui(root: Path, *, password: str | None = None) -> tuple[UiServer, threading.Thread]:
    """Start the UI server of `hoist serve` on a free port, in a thread; wait until it listens."""
    server = UiServer(root, [], host="127.0.0.1", port=0, password=password)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.server.started:
        assert thread.is_alive(), "the UI server stopped while starting"
        assert time.monotonic() < deadline, "the UI server did not start"
        time.sleep(0.05)
    return server, thread


@pytest.fixture
def ui(
    project: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> Iterator[RunningUi]:
    """The UI over `project`, with the emulator's token in this process's environment."""
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    server, thread = start_ui(project)
    yield RunningUi(f"http://127.0.0.1:{server.port}", server)
    server.server.should_exit = True
    thread.join(timeout=60)


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/ui with HOIST_UI_SCREENSHOTS=1 (to refresh the committed
    ones), else a temporary folder (taken all the same, so every page must render)."""
    if os.environ.get("HOIST_UI_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path / "screenshots"
