"""Bearer auth, `/me` and the `Intercom-Version` header, over real HTTP."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from hoist.emulator.testing import EmulatorHandle


def test_me_returns_admin_with_app_region(emulator: EmulatorHandle) -> None:
    """`GET /me` returns the admin and its app, including the region."""
    response = httpx.get(f"{emulator.base_url}/me", headers={"Authorization": "Bearer any"})
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "admin"
    assert body["app"]["region"] == "US"


def test_missing_token_is_401_without_rate_limit_headers(emulator: EmulatorHandle) -> None:
    """A call without a token gets Intercom's 401 envelope and no X-RateLimit headers."""
    response = httpx.post(f"{emulator.base_url}/companies", json={"company_id": "a"})
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "error.list"
    assert body["request_id"]
    assert body["errors"] == [{"code": "unauthorized", "message": "Access Token Invalid"}]
    assert "x-ratelimit-limit" not in response.headers
    assert emulator.emulator.companies() == []


def test_wrong_token_is_rejected_when_a_token_is_configured(
    emulator_factory: Callable[..., EmulatorHandle],
) -> None:
    """With a configured token, any other bearer token gets 401 and the right one 200."""
    handle = emulator_factory(token="secret")
    wrong = httpx.get(f"{handle.base_url}/me", headers={"Authorization": "Bearer nope"})
    right = httpx.get(f"{handle.base_url}/me", headers={"Authorization": "Bearer secret"})
    assert (wrong.status_code, right.status_code) == (401, 200)


def test_intercom_version_header_is_recorded(emulator: EmulatorHandle) -> None:
    """Each logged request carries the `Intercom-Version` it was sent with."""
    headers = {"Authorization": "Bearer t", "Intercom-Version": "2.16"}
    httpx.get(f"{emulator.base_url}/me", headers=headers)
    httpx.get(f"{emulator.base_url}/me", headers={"Authorization": "Bearer t"})
    versions = [r.intercom_version for r in emulator.emulator.requests()]
    assert versions == ["2.16", None]


def test_unknown_path_is_404_error_list(emulator: EmulatorHandle) -> None:
    """Unknown paths and unsupported methods answer 404 in Intercom's error envelope."""
    headers = {"Authorization": "Bearer t"}
    unknown = httpx.get(f"{emulator.base_url}/nothing", headers=headers)
    wrong_method = httpx.patch(f"{emulator.base_url}/me", headers=headers)
    assert unknown.status_code == wrong_method.status_code == 404
    assert unknown.json()["errors"][0]["code"] == "not_found"
