"""Problems are shown inline, beside the field they are about, and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Page, expect

from hoist.emulator.testing import EmulatorHandle
from tests.harness.ui import TOKEN, TOKEN_VARIABLE, RunningUi, waiting

pytestmark = pytest.mark.ui


def add_definitions(project: Path, emulator: EmulatorHandle) -> None:
    """A destination on the emulator, written into hoist.yml as a team would."""
    document = yaml.safe_load((project / "hoist.yml").read_text())
    document["destinations"] = {
        "intercom": {"access_token": f"${{{TOKEN_VARIABLE}}}", "base_url": emulator.base_url}
    }
    (project / "hoist.yml").write_text(yaml.safe_dump(document))


def test_a_destination_shows_each_problem_beside_its_field(ui: RunningUi, page: Page) -> None:
    """A bad variable name and a bad URL are named beside their fields; nothing is written."""
    before = (ui.server.app.state.ui.root / "hoist.yml").read_text()
    page.goto(f"{ui.url}/destinations/new")
    page.get_by_label("Name", exact=True).fill("bad name!")
    page.get_by_label("Token variable").fill("my token")
    page.get_by_label("Base URL (optional)").fill("ftp://example.com")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#error-name")).to_contain_text("not a valid name")
    expect(page.locator("#error-token_env")).to_contain_text("name of the environment variable")
    expect(page.locator("#error-base_url")).to_contain_text("http(s) URL")
    assert (ui.server.app.state.ui.root / "hoist.yml").read_text() == before


def test_an_activation_shows_problems_inline_and_flags_incompatible_pairs(
    ui: RunningUi, page: Page, project: Path, emulator: EmulatorHandle
) -> None:
    """No name and no company ID are named beside their fields; a boolean column mapped to an
    integer attribute is flagged on its row."""
    add_definitions(project, emulator)
    page.goto(f"{ui.url}/activations/new")
    refresh = waiting(page, "/activations/refresh")
    refresh(lambda: page.get_by_label("a table").check())
    table = page.get_by_label("Table", exact=True)
    table.fill("analytics.companies")
    refresh(lambda: table.press("Tab"))
    refresh(lambda: page.get_by_role("button", name="+ mapping").click())
    row = page.locator('[data-row="0"]')
    refresh(lambda: row.locator("select").first.select_option("monthly_spend"))
    refresh(lambda: row.locator("select").last.select_option("churned"))
    expect(row).to_contain_text("incompatible")
    expect(row).to_contain_text(
        "'churned' is boolean but Intercom holds 'monthly_spend' as integer"
    )
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#error-name")).to_contain_text("give it a name")
    expect(page.locator("#error-company_id")).to_be_visible()
    assert not (project / "activations").exists()


def test_a_segment_value_that_does_not_fit_its_column_is_named_on_its_condition(
    ui: RunningUi, page: Page, project: Path
) -> None:
    """Saving a condition ``mrr >= lots`` shows why beside that condition; nothing is saved."""
    page.goto(f"{ui.url}/segments/new")
    page.get_by_label("Name", exact=True).fill("broken")
    builder = waiting(page, "/segments/builder")
    page.get_by_label("Table").fill("analytics.companies")
    builder(lambda: page.get_by_label("Table").press("Tab"))
    builder(lambda: page.get_by_role("button", name="+ condition").click())
    builder(
        lambda: page.locator('[data-path="r.0"] select[aria-label=column]').select_option("mrr")
    )
    builder(
        lambda: page.locator('[data-path="r.0"] select[aria-label=operator]').select_option("gte")
    )
    page.locator('[data-path="r.0"] input[aria-label=value]').fill("lots")
    page.get_by_role("button", name="Save").click()
    expect(page.locator("#error-r-0-value")).to_contain_text(
        "'lots' is text but the column is integer"
    )
    assert not (project / "segments").exists()


def test_test_connection_shows_intercoms_exact_error(
    ui: RunningUi, page: Page, emulator_factory: Callable[..., EmulatorHandle]
) -> None:
    """A workspace that refuses the token: Test connection shows Intercom's answer, not the
    token; an unset variable is named."""
    strict = emulator_factory(token="only-this-one")
    page.goto(f"{ui.url}/destinations/new")
    page.get_by_label("Token variable").fill(TOKEN_VARIABLE)
    page.get_by_label("Base URL (optional)").fill(strict.base_url)
    page.get_by_role("button", name="Test connection").click()
    error = page.locator("#connection-error")
    expect(error).to_contain_text("401")
    assert TOKEN not in page.content()
    page.get_by_label("Token variable").fill("HOIST_UI_TEST_UNSET_INTERCOM_TOKEN")
    page.get_by_role("button", name="Test connection").click()
    expect(error).to_contain_text("HOIST_UI_TEST_UNSET_INTERCOM_TOKEN is not set")
