"""A save the UI refuses says, beside the field, what is wrong and how to fix it."""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest

from hoist.emulator.testing import EmulatorHandle
from tests.harness.ui import add_project_definitions, csrf_form

SQL = (
    "SELECT account_id, account_name, plan_name AS industry, region AS website "
    "FROM analytics.companies"
)


def activation_form(client: httpx.Client, **fields: str) -> dict[str, str]:
    """The new-activation form (a SQL model over the test warehouse) with `fields` set."""
    form = {
        **csrf_form(client, "/activations/new"),
        "name": "sql-to-intercom",
        "model_kind": "sql",
        "source": "warehouse",
        "model_sql": SQL,
        "destination": "intercom",
        "insert": "1",
        "company_id": "account_id",
        "map.0.attribute": "name",
        "map.0.column": "account_name",
    }
    return {**form, **fields}


@pytest.mark.parametrize("column", ["industry", "website"])
def test_a_standard_attribute_ticked_as_custom_is_named_with_the_fix(
    client: httpx.Client, project: Path, emulator: EmulatorHandle, column: str
) -> None:
    """Ticking `industry` (a standard attribute) as custom answers 400 with the fix beside the
    custom attributes; nothing is written."""
    add_project_definitions(project, emulator.base_url)
    answer = client.post("/activations/save", data=activation_form(client, custom=column))
    assert answer.status_code == 400
    message = re.search(r'id="error-custom"[^>]*>([^<]*)<', answer.text)
    assert message is not None, answer.text
    assert message.group(1) == (
        f"&#39;{column}&#39; is a standard Intercom attribute: map it under Fields mapping"
    )
    assert not (project / "activations").exists()
