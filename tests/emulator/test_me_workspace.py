"""Each emulator is its own workspace: `GET /me` names it, companies carry its id."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from hoist.emulator.testing import EmulatorHandle

AUTH = {"Authorization": "Bearer t", "Intercom-Version": "2.16"}


def _app(handle: EmulatorHandle) -> dict[str, str]:
    app: dict[str, str] = httpx.get(f"{handle.base_url}/me", headers=AUTH).json()["app"]
    return app


def test_two_emulators_are_two_workspaces(
    emulator_factory: Callable[..., EmulatorHandle],
) -> None:
    """Two emulator instances report different app ids in `GET /me`."""
    first, second = emulator_factory(), emulator_factory()
    assert _app(first)["id_code"] != _app(second)["id_code"]
    assert _app(first)["id_code"] == _app(first)["id_code"]


def test_app_id_and_region_are_settable(emulator_factory: Callable[..., EmulatorHandle]) -> None:
    """`app_id` and `region` in the config are what `GET /me` and companies report."""
    handle = emulator_factory(app_id="acme123", region="EU")
    assert (_app(handle)["id_code"], _app(handle)["region"]) == ("acme123", "EU")
    company = httpx.post(f"{handle.base_url}/companies", json={"company_id": "c1"}, headers=AUTH)
    assert company.json()["app_id"] == "acme123"


def test_admin_config_swaps_the_workspace_id(emulator: EmulatorHandle) -> None:
    """`POST /_emulator/config {"app_id": ...}` changes the id `GET /me` reports."""
    httpx.post(f"{emulator.base_url}/_emulator/config", json={"app_id": "other"})
    assert _app(emulator)["id_code"] == "other"


def test_reset_keeps_the_workspace_id(emulator: EmulatorHandle) -> None:
    """A reset empties the workspace but does not turn it into another one."""
    before = _app(emulator)["id_code"]
    httpx.post(f"{emulator.base_url}/_emulator/reset")
    assert _app(emulator)["id_code"] == before


def test_empty_app_id_is_refused(emulator: EmulatorHandle) -> None:
    """An empty app id is a config error (400), and the old id stays."""
    before = _app(emulator)["id_code"]
    response = httpx.post(f"{emulator.base_url}/_emulator/config", json={"app_id": ""})
    assert response.status_code == 400
    assert _app(emulator)["id_code"] == before
