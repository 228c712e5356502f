"""The whole workflow in a real browser, as a new user walks it: destination, segment,
activation, preview, run, history; then Intercom holds exactly the segment's companies."""

from __future__ import annotations

from functools import partial
from pathlib import Path

import duckdb
import pytest
import yaml
from playwright.sync_api import Page, expect

from hoist.emulator.testing import EmulatorHandle
from tests.harness.ui import TOKEN_VARIABLE, RunningUi, waiting

pytestmark = pytest.mark.ui


def segment_ids(project: Path) -> set[str]:
    """The companies the segment built below selects, read straight from the warehouse."""
    con = duckdb.connect(str(project / "warehouse.duckdb"), read_only=True)
    rows = con.execute(
        "SELECT account_id FROM analytics.companies "
        "WHERE plan_name IN ('Pro', 'Enterprise') AND mrr >= 100 AND lower(region) = 'eu'"
    ).fetchall()
    con.close()
    return {row[0] for row in rows}


def add_destination(page: Page, ui: RunningUi, emulator: EmulatorHandle, shots: Path) -> None:
    page.goto(f"{ui.url}/destinations/new")
    page.get_by_label("Name", exact=True).fill("intercom")
    page.get_by_label("Token variable").fill(TOKEN_VARIABLE)
    page.get_by_label("Base URL (optional)").fill(emulator.base_url)
    page.get_by_role("button", name="Test connection").click()
    expect(page.locator("#connection-ok")).to_contain_text("Connected to 'hoist emulator'")
    page.screenshot(path=shots / "destination.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{ui.url}/destinations?saved=hoist.yml")
    expect(page.locator("#saved")).to_have_text("Saved in hoist.yml.")
    expect(page.locator("table")).to_contain_text(TOKEN_VARIABLE)
    page.screenshot(path=shots / "destinations.png", full_page=True)


def rule(page: Page, path: str, column: str, op: str, value: str) -> None:
    """Add a condition to the root group and set it; each change redraws the builder."""
    builder = waiting(page, "/segments/builder")
    builder(lambda: page.get_by_role("button", name="+ condition").last.click())
    node = f'[data-path="{path}"]'
    builder(lambda: page.locator(f"{node} select[aria-label=column]").select_option(column))
    builder(lambda: page.locator(f"{node} select[aria-label=operator]").select_option(op))
    page.locator(f"{node} [aria-label=value]").fill(value)


def build_segment(page: Page, ui: RunningUi, expected: int, shots: Path) -> None:
    page.goto(f"{ui.url}/segments/new")
    page.get_by_label("Name", exact=True).fill("pro-eu")
    table = page.get_by_label("Table")
    table.fill("analytics.companies")
    waiting(page, "/segments/builder")(lambda: table.press("Tab"))
    rule(page, "r.0", "plan_name", "in", "Pro\nEnterprise")
    rule(page, "r.1", "mrr", "gte", "100")
    rule(page, "r.2", "region", "eq", "EU")
    waiting(page, "/segments/preview")(
        lambda: page.locator('[data-path="r.2"] input[type=checkbox]').check()
    )
    expect(page.locator("#segment-count")).to_have_text(str(expected))
    expect(page.locator("#segment-sql")).to_contain_text("LOWER")
    expect(page.locator("#segment-sample tbody tr")).to_have_count(min(expected, 5))
    page.screenshot(path=shots / "segment.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(f"{ui.url}/segments?saved=segments%2Fpro-eu.yml")
    expect(page.locator("#saved")).to_have_text("Saved in segments/pro-eu.yml.")


def create_activation(page: Page, ui: RunningUi, shots: Path) -> None:
    page.goto(f"{ui.url}/activations/new")
    refresh = waiting(page, "/activations/refresh")
    page.get_by_label("Name", exact=True).fill("pro-eu-to-intercom")
    refresh(lambda: page.get_by_label("Segment", exact=True).select_option("pro-eu"))
    page.get_by_label("Insert new companies").check()
    refresh(lambda: page.locator("#company_id").select_option("account_id"))
    for index, (attribute, column) in enumerate(
        [("name", "account_name"), ("monthly_spend", "mrr")]
    ):
        refresh(lambda: page.get_by_role("button", name="+ mapping").click())
        row = page.locator(f'[data-row="{index}"]')
        refresh(partial(row.locator("select").first.select_option, attribute))
        refresh(partial(row.locator("select").last.select_option, column))
    page.locator('input[name=custom][value="health_score"]').check()
    expect(page.locator("#custom")).to_contain_text("health_score")
    expect(page.locator("#custom")).to_contain_text("Intercom type decimal")
    expect(page.locator(".flagged")).to_have_count(0)
    page.screenshot(path=shots / "activation-form.png", full_page=True)
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(
        f"{ui.url}/activations/pro-eu-to-intercom?saved=activations%2Fpro-eu-to-intercom.yml"
    )
    expect(page.locator("#contacts-note")).to_contain_text("only once a contact is attached")
    page.screenshot(path=shots / "activation.png", full_page=True)


def preview_run_and_history(page: Page, ui: RunningUi, expected: int, shots: Path) -> None:
    page.get_by_role("button", name="Preview").click()
    expect(page.locator('[data-count="created"]')).to_have_text(str(expected))
    expect(page.locator("#changes")).to_contain_text("monthly_spend")
    page.screenshot(path=shots / "preview.png", full_page=True)
    page.get_by_role("button", name="Run now").click()
    expect(page.locator("#run-status")).to_contain_text("success", timeout=60_000)
    expect(page.locator('[data-count="created"]')).to_have_text(str(expected))
    # No contacts model: every company created is one Intercom will not show, and the page says why.
    expect(page.locator("#without-contacts")).to_contain_text(
        f"{expected:,} companies have no contact attached"
    )
    page.screenshot(path=shots / "run.png", full_page=True)
    page.get_by_role("link", name="Run history").click()
    expect(page.locator("#runs tbody tr")).to_have_count(1)
    expect(page.locator('#runs [data-col="created"]')).to_have_text(str(expected))
    expect(page.locator("svg.chart")).to_have_count(3)
    page.screenshot(path=shots / "history.png", full_page=True)


def test_a_new_user_syncs_a_segment_to_intercom_from_the_browser(
    page: Page, ui: RunningUi, emulator: EmulatorHandle, project: Path, shots: Path
) -> None:
    """Destination, a three-condition segment, an activation (insert mode, two mapped and one
    custom attribute), preview, run and history: Intercom holds exactly the segment."""
    expected = segment_ids(project)
    assert 0 < len(expected) < 40
    add_destination(page, ui, emulator, shots)
    build_segment(page, ui, len(expected), shots)
    create_activation(page, ui, shots)
    preview_run_and_history(page, ui, len(expected), shots)
    page.goto(f"{ui.url}/")
    expect(page.locator("#step-activation")).to_contain_text("success")
    page.screenshot(path=shots / "home.png", full_page=True)
    companies = emulator.emulator.companies()
    assert {c["company_id"] for c in companies} == expected
    company = next(c for c in companies if c["company_id"] == min(expected))
    assert company["name"].startswith("Company ")
    assert set(company["custom_attributes"]) == {"health_score"}
    activation = yaml.safe_load((project / "activations" / "pro-eu-to-intercom.yml").read_text())
    assert activation["sync"] == {
        "insert": True,
        "company_id": "account_id",
        "mapping": {"name": "account_name", "monthly_spend": "mrr"},
        "custom_attributes": ["health_score"],
    }
    assert (project / "hoist.yml").read_text().startswith("# The team's project")
