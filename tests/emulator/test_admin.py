"""Admin routes under /_emulator/, over real HTTP, without auth."""

from __future__ import annotations

import httpx

from hoist.emulator.testing import EmulatorHandle


def test_state_shows_companies_and_attributes(emulator: EmulatorHandle) -> None:
    """`GET /_emulator/state` returns the companies and data attributes."""
    emulator.emulator.seed_company(company_id="c1", name="Acme")
    state = httpx.get(f"{emulator.base_url}/_emulator/state").json()
    assert [c["company_id"] for c in state["companies"]] == ["c1"]
    assert any(a["name"] == "website" for a in state["data_attributes"])


def test_requests_lists_intercom_calls_only(emulator: EmulatorHandle) -> None:
    """`GET /_emulator/requests` lists Intercom calls with method, path, body and status."""
    httpx.post(
        f"{emulator.base_url}/companies",
        json={"company_id": "c1"},
        headers={"Authorization": "Bearer t", "Intercom-Version": "2.16"},
    )
    log = httpx.get(f"{emulator.base_url}/_emulator/requests").json()
    assert len(log) == 1
    entry = log[0]
    assert (entry["method"], entry["path"], entry["status"]) == ("POST", "/companies", 200)
    assert entry["json"] == {"company_id": "c1"}
    assert entry["intercom_version"] == "2.16"
    assert emulator.emulator.request_count("POST", "/companies") == 1


def test_reset_forgets_everything(emulator: EmulatorHandle) -> None:
    """`POST /_emulator/reset` empties companies and the request log."""
    emulator.emulator.seed_company(company_id="c1")
    httpx.get(f"{emulator.base_url}/me", headers={"Authorization": "Bearer t"})
    assert httpx.post(f"{emulator.base_url}/_emulator/reset").status_code == 200
    assert emulator.emulator.companies() == []
    assert emulator.emulator.requests() == []


def test_config_changes_rate_limit(emulator: EmulatorHandle) -> None:
    """`POST /_emulator/config` changes the config; unknown fields are a 400."""
    response = httpx.post(f"{emulator.base_url}/_emulator/config", json={"rate_limit": 1})
    assert response.json()["rate_limit"] == 1
    headers = {"Authorization": "Bearer t"}
    assert httpx.get(f"{emulator.base_url}/me", headers=headers).status_code == 200
    assert httpx.get(f"{emulator.base_url}/me", headers=headers).status_code == 429
    bad = httpx.post(f"{emulator.base_url}/_emulator/config", json={"nope": 1})
    assert bad.status_code == 400
