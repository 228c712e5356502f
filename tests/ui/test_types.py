"""One type vocabulary on every page, and type problems found while editing, not at run time."""

from __future__ import annotations

import re
from pathlib import Path

import httpx

from hoist.emulator.testing import EmulatorHandle
from tests.harness.ui import add_project_definitions, csrf_form

WORDS = {"text", "integer", "decimal", "boolean", "date", "timestamp"}
SQL = (
    "SELECT account_id, account_name, mrr, CAST(mrr AS DECIMAL(12, 2)) / 7 AS spend, "
    "health_score, churned, CAST(NOW() AS TIMESTAMP) AS seen_at FROM analytics.companies"
)


def refreshed(client: httpx.Client, pairs: list[tuple[str, str]]) -> httpx.Response:
    """The activation form after a change, with the mapping `pairs` over a SQL model."""
    form = {
        **csrf_form(client, "/activations/new"),
        "name": "typed",
        "model_kind": "sql",
        "source": "warehouse",
        "model_sql": SQL,
        "destination": "intercom",
        "company_id": "account_id",
    }
    for index, (attribute, column) in enumerate(pairs):
        form[f"map.{index}.attribute"] = attribute
        form[f"map.{index}.column"] = column
    return client.post("/activations/refresh", data=form)


def test_columns_and_attributes_are_named_in_one_vocabulary(
    client: httpx.Client, project: Path, emulator: EmulatorHandle
) -> None:
    """Every type the activation form shows for a column or an attribute is one of text,
    integer, decimal, boolean, date, timestamp: no Arrow name, no "float" or "string"."""
    add_project_definitions(project, emulator.base_url)
    html = refreshed(client, [("name", "account_name")]).text
    shown = set(re.findall(r"<option value=\"[^\"]+\"[^>]*>[^<(]*\((\w+)[,)]", html))
    assert shown, html
    assert shown <= WORDS, shown
    assert "decimal128" not in html
    assert "timestamp[" not in html


def test_text_into_an_integer_attribute_is_an_error_beside_its_row(
    client: httpx.Client, project: Path, emulator: EmulatorHandle
) -> None:
    """`size (integer) <- account_name (text)` is flagged on its row before saving, and a save
    is refused with the same message beside the row."""
    add_project_definitions(project, emulator.base_url)
    html = refreshed(client, [("size", "account_name")]).text
    message = "'account_name' is text but Intercom holds 'size' as integer"
    assert message in html.replace("&#39;", "'")
    form = {**csrf_form(client, "/activations/new"), "name": "typed", "model_kind": "sql"}
    form |= {"source": "warehouse", "model_sql": SQL, "destination": "intercom"}
    form |= {"company_id": "account_id", "map.0.attribute": "size", "map.0.column": "account_name"}
    saved = client.post("/activations/save", data=form)
    assert saved.status_code == 400
    assert not (project / "activations").exists()


def test_decimals_into_monthly_spend_is_a_warning_not_an_error(
    client: httpx.Client, project: Path, emulator: EmulatorHandle
) -> None:
    """A decimal column mapped to `monthly_spend` (an integer) warns that decimals are
    truncated, and is not flagged as incompatible."""
    add_project_definitions(project, emulator.base_url)
    html = refreshed(client, [("monthly_spend", "spend")]).text.replace("&#39;", "'")
    assert "decimals are truncated: Intercom holds 'monthly_spend' as integer" in html
    assert "incompatible" not in html
