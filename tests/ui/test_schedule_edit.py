"""A schedule set in the UI applies without restarting `hoist serve`: the activation runs."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from hoist.emulator.testing import EmulatorHandle
from tests.harness.ui import RunningUi, add_activation, add_project_definitions

pytestmark = pytest.mark.ui


def test_a_schedule_edited_in_the_ui_then_runs(
    ui: RunningUi, page: Page, project: Path, emulator: EmulatorHandle
) -> None:
    """An activation run by hand gets `every 1h` in its form: the server holds it within
    seconds, runs it (it never ran), and Intercom holds the segment's companies."""
    add_project_definitions(project, emulator.base_url)
    add_activation(project, "eu-to-intercom")
    page.goto(f"{ui.url}/activations/eu-to-intercom/edit")
    page.get_by_label("Schedule (optional)").fill("every 1h")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(
        f"{ui.url}/activations/eu-to-intercom?saved=activations%2Feu-to-intercom.yml"
    )
    deadline = time.monotonic() + 90
    page.goto(f"{ui.url}/activations")
    while not page.locator("span.status.success").count():
        assert time.monotonic() < deadline, page.content()
        time.sleep(0.5)
        page.reload()
    expect(page.locator("td.next-run")).to_contain_text("UTC")
    eu = {f"acct-{i:03d}" for i in range(40) if i % 3 == 0}
    assert {c["company_id"] for c in emulator.emulator.companies()} == eu
