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
    """Enter in the low input of the last condition (a "between") saves the segment with
    every condition and both bounds."""
    page.goto(f"{ui.url}/segments/new")
    page.get_by_label("Name", exact=True).fill("pro-big")
    builder = waiting(page, "/segments/builder")
    page.get_by_label("Table").fill("analytics.companies")
    builder(lambda: page.get_by_label("Table").press("Tab"))
    conditions = (
        ("r.0", "plan_name", "eq", {"value": "Pro"}),
        ("r.1", "mrr", "gte", {"value": "1"}),
        ("r.2", "health_score", "between", {"low": "10", "high": "90"}),
    )
    for path, column, op, inputs in conditions:
        builder(lambda: page.get_by_role("button", name="+ condition").click())
        node = page.locator(f'[data-path="{path}"]')
        builder(partial(node.locator("select[aria-label=column]").select_option, column))
        builder(partial(node.locator("select[aria-label=operator]").select_option, op))
        for label, value in inputs.items():
            node.locator(f"input[aria-label={label}]").fill(value)
    page.locator('[data-path="r.2"] input[aria-label=low]').press("Enter")
    expect(page).to_have_url(re.compile(r"/segments(\?.*)?$"))
    saved = yaml.safe_load((project / "segments" / "pro-big.yml").read_text())
    rules = saved["where"]["all"]
    assert [rule["column"] for rule in rules] == ["plan_name", "mrr", "health_score"]
    assert rules[2]["value"] == [10, 90]


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
