"""Intercom's official Python SDK (python-intercom 5.0.1) against the emulator over real HTTP."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import httpx
import pytest

from hoist.emulator.testing import EmulatorHandle

pytestmark = pytest.mark.contract
intercom = pytest.importorskip("intercom")


@pytest.fixture
def sdk() -> Iterator[Callable[[EmulatorHandle], Any]]:
    """Make SDK clients pinned to 2.16 (it sends no version by itself, NOTES §7); closed after."""
    with ExitStack() as stack:

        def make(handle: EmulatorHandle) -> Any:
            http = stack.enter_context(httpx.Client())
            return intercom.Intercom(
                token="sdk-token",
                base_url=handle.base_url,
                headers={"Intercom-Version": "2.16"},
                httpx_client=http,
            )

        yield make


def upsert(**fields: Any) -> Any:
    """The SDK's create_or_update request model."""
    return intercom.CreateOrUpdateCompanyRequest(**fields)


def new_attribute(**fields: Any) -> Any:
    """The SDK's request model for a non-list data attribute."""
    from intercom.types.create_data_attribute_request_one import CreateDataAttributeRequestOne

    return CreateDataAttributeRequestOne(**fields)


def test_create_update_and_find_company(emulator: EmulatorHandle, sdk: Any) -> None:
    """create_or_update creates then updates; retrieve and find return the company."""
    client = sdk(emulator)
    created = client.companies.create_or_update(
        request=upsert(company_id="c1", name="Acme", plan="Pro")
    )
    updated = client.companies.create_or_update(request=upsert(company_id="c1", industry="Tools"))
    assert updated.id == created.id
    assert client.companies.find(created.id).industry == "Tools"
    assert client.companies.retrieve(company_id="c1").id == created.id
    versions = {r.intercom_version for r in emulator.emulator.requests()}
    assert versions == {"2.16"}


def test_create_and_list_data_attributes(emulator: EmulatorHandle, sdk: Any) -> None:
    """data_attributes.create makes a custom attribute that list returns, usable on a company."""
    client = sdk(emulator)
    attr = client.data_attributes.create(
        request=new_attribute(name="seats", model="company", data_type="integer")
    )
    names = [a.name for a in client.data_attributes.list(model="company").data]
    assert attr.full_name == "custom_attributes.seats"
    assert "seats" in names
    company = client.companies.create_or_update(
        request=upsert(company_id="c1", custom_attributes={"seats": 4})
    )
    assert company.custom_attributes == {"seats": 4}


def test_429_surfaces_as_api_error_with_headers(
    emulator_factory: Callable[..., EmulatorHandle], sdk: Any
) -> None:
    """Past the rate limit the SDK raises ApiError 429 carrying the X-RateLimit headers."""
    from intercom.core.api_error import ApiError

    client = sdk(emulator_factory(rate_limit=1, window_s=10))
    client.companies.create_or_update(request=upsert(company_id="c1"))
    with pytest.raises(ApiError) as caught:
        client.companies.create_or_update(request=upsert(company_id="c2"))
    assert caught.value.status_code == 429
    headers = {k.lower(): v for k, v in (caught.value.headers or {}).items()}
    assert headers["x-ratelimit-limit"] == "1"
    assert headers["x-ratelimit-remaining"] == "0"
    assert "x-ratelimit-reset" in headers
