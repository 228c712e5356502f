"""`Intercom-Version`: the spec's versions and `Preview` are accepted, anything else is a 400."""

from __future__ import annotations

import httpx
import pytest

from hoist.emulator.api_versions import ACCEPTED_VERSIONS


@pytest.mark.parametrize("version", ["1.0", "2.4", "2.15", "2.16", "Preview"])
def test_known_versions_are_accepted(client: httpx.Client, version: str) -> None:
    """Every version of the spec's `intercom_version` enum, and `Preview`, is served."""
    assert client.get("/me", headers={"Intercom-Version": version}).status_code == 200


@pytest.mark.parametrize("version", ["2.99", "3.0", "preview", "latest", "2.16 "])
def test_an_unknown_version_is_400_intercom_version_invalid(
    client: httpx.Client, version: str
) -> None:
    """An unknown version is answered 400 `intercom_version_invalid`, with rate-limit headers.

    The code is the spec's (L13611) and intercom-ruby's (PR #459); `preview` in lowercase is
    refused as Intercom refuses it (Intercom-OpenAPI PR #669).
    """
    response = client.get("/me", headers={"Intercom-Version": version})
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "error.list"
    assert body["errors"][0]["code"] == "intercom_version_invalid"
    assert "x-ratelimit-limit" in response.headers


def test_a_request_without_the_header_uses_the_app_version(client: httpx.Client) -> None:
    """No `Intercom-Version` header is not an error: the app's own version applies."""
    request = client.build_request("GET", "/me")
    del request.headers["Intercom-Version"]
    assert client.send(request).status_code == 200


def test_the_accepted_versions_are_the_spec_enum_and_preview() -> None:
    """1.0-1.4, 2.0-2.16 and Preview: 22 versions of the 2.16 spec plus Preview."""
    assert len(ACCEPTED_VERSIONS) == 23
    assert {"1.4", "2.0", "2.16", "Preview"} <= ACCEPTED_VERSIONS
