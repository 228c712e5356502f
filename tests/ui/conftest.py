"""Fixtures of the web UI tests: a project with a DuckDB warehouse, the real UI server of
`hoist serve` on 127.0.0.1 (a free port), and Playwright pointed at Debian's chromium."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import yaml
from playwright.sync_api import Browser, Page, sync_playwright

from hoist.emulator.testing import EmulatorHandle
from tests.harness.ui import (
    CHROMIUM,
    SCREENSHOTS,
    TOKEN,
    TOKEN_VARIABLE,
    RunningUi,
    build_warehouse,
    start_ui,
    ui_client,
)


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
def client(
    project: Path, emulator: EmulatorHandle, monkeypatch: pytest.MonkeyPatch
) -> Iterator[httpx.Client]:
    """The UI over `project` in this process (ASGI, no browser), the emulator's token set."""
    monkeypatch.setenv(TOKEN_VARIABLE, TOKEN)
    with ui_client(project) as made:
        yield made


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where screenshots go: docs/ui with HOIST_UI_SCREENSHOTS=1 (to refresh the committed
    ones), else a temporary folder (taken all the same, so every page must render)."""
    if os.environ.get("HOIST_UI_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path / "screenshots"
