"""Enter in a field of the segment builder or of the activation form saves what is on the
page: it never presses a row's remove button."""

from __future__ import annotations

import re
from functools import partial
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from hoist.emulator.testing import EmulatorHandle
from tests.harness.ui import RunningUi, add_project_definitions, waiting

pytestmark = pytest.mark.ui


def test_enter_in_a_condition_value_saves_every_condition(
    ui: RunningUi, page: Page, project: Path
) -> None:
    """Enter in the second condition's value saves the segment with both conditions."""
    page.goto(f"{ui.url}/segments/new")
    page.get_by_label("Name", exact=True).fill("pro-big")
    builder = waiting(page, "/segments/builder")
    page.get_by_label("Table").fill("analytics.companies")
    builder(lambda: page.get_by_label("Table").press("Tab"))
    for path, column, op, value in (("r.0", "plan_name", "eq", "Pro"), ("r.1", "mrr", "gte", "1")):
        builder(lambda: page.get_by_role("button", name="+ condition").click())
        node = page.locator(f'[data-path="{path}"]')
        builder(partial(node.locator("select[aria-label=column]").select_option, column))
        builder(partial(node.locator("select[aria-label=operator]").select_option, op))
        node.locator("input[aria-label=value]").fill(value)
    page.locator('[data-path="r.1"] input[aria-label=value]').press("Enter")
    expect(page).to_have_url(re.compile(r"/segments(\?.*)?$"))
    saved = yaml.safe_load((project / "segments" / "pro-big.yml").read_text())
    assert [rule["column"] for rule in saved["where"]["all"]] == ["plan_name", "mrr"]


def test_enter_in_the_schedule_field_saves_every_mapping(
    ui: RunningUi, page: Page, project: Path, emulator: EmulatorHandle
) -> None:
    """Enter in the schedule field saves the activation with its mapping rows and schedule."""
    add_project_definitions(project, emulator.base_url)
    page.goto(f"{ui.url}/activations/new")
    refresh = waiting(page, "/activations/refresh")
    page.get_by_label("Name", exact=True).fill("eu-to-intercom")
    refresh(lambda: page.locator("#company_id").select_option("account_id"))
    for index, (attribute, column) in enumerate((("name", "account_name"), ("plan", "plan_name"))):
        refresh(lambda: page.get_by_role("button", name="+ mapping").click())
        row = page.locator(f'[data-row="{index}"]')
        refresh(partial(row.locator("select").first.select_option, attribute))
        refresh(partial(row.locator("select").last.select_option, column))
    page.get_by_label("Schedule (optional)").fill("every 1h")
    page.get_by_label("Schedule (optional)").press("Enter")
    expect(page).to_have_url(re.compile(r"/activations/eu-to-intercom(\?.*)?$"))
    saved = yaml.safe_load((project / "activations" / "eu-to-intercom.yml").read_text())
    assert saved["sync"]["mapping"] == {"name": "account_name", "plan": "plan_name"}
    assert saved["schedule"] == "every 1h"
