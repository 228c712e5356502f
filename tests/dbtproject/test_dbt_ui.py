"""The web UI with a dbt project (in-process over ASGI): the model picker lists the project's
built dbt models with their descriptions; the mapping shows dbt's column descriptions."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from hoist.emulator.testing import EmulatorHandle
from hoist.ui.app import create_app
from hoist.ui.runs import Background, RunManager
from tests.harness.dbt_project import COMPANIES, TOKEN, write_project

pytestmark = pytest.mark.dbt


@pytest.fixture
def background() -> Iterator[Background]:
    """The UI's run loop (idle here), closed after the test."""
    loop = Background()
    yield loop
    loop.close()


def page(root: Path, background: Background, path: str) -> str:
    """GET `path` from the UI over the project in `root`, in-process."""
    app = create_app(root, RunManager(background, {}))

    async def fetch() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            return await client.get(path)

    response = asyncio.run(fetch())
    assert response.status_code == 200, response.text
    return response.text


def test_the_model_picker_lists_dbt_models_and_the_mapping_their_column_docs(
    dbt_duckdb: Path,
    emulator: EmulatorHandle,
    background: Background,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Editing an activation of a dbt model offers every built model with its description (not
    the ephemeral one) and shows dbt's description beside each mapped column."""
    monkeypatch.setenv("DBT_TEST_TOKEN", TOKEN)
    source = {"path": "warehouse.duckdb", "dbt": {"project_dir": "dbt"}}
    write_project(dbt_duckdb, source, {"companies": COMPANIES}, base_url=emulator.base_url)

    html = page(dbt_duckdb, background, "/activations/companies/edit")
    assert 'value="dbt" checked' in html
    assert (
        '<option value="companies" selected>companies: One row per paying account, ready for '
        "Intercom.</option>"
    ) in html
    assert "stg_companies: Companies as the billing system exports them, typed." in html
    assert "int_paying" not in html
    assert '<span class="help column-doc">The company&#39;s display name.</span>' in html
    assert "The plan in capitals (FREE, PRO, ENTERPRISE)." in html


def test_a_source_without_a_dbt_project_says_what_to_add(
    dbt_duckdb: Path,
    emulator: EmulatorHandle,
    background: Background,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Choosing a dbt model on a source without `dbt:` says to add the dbt project to it."""
    monkeypatch.setenv("DBT_TEST_TOKEN", TOKEN)
    source = {"path": "warehouse.duckdb"}
    write_project(dbt_duckdb, source, {"companies": COMPANIES}, base_url=emulator.base_url)

    html = page(dbt_duckdb, background, "/activations/companies/edit")
    assert '<p class="warning" id="dbt-problem">this source has no dbt project: add dbt:' in html
