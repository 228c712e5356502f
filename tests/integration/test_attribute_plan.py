"""Custom attributes as Intercom really has them: archived ones, reserved names and the cap.

Planned against the emulator's listings (both models, archived included), so every refusal is a
plan-time config error naming the key, before anything is written.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pyarrow as pa
import pytest

from hoist.config import SyncConfig
from hoist.emulator import Emulator
from hoist.emulator.testing import EmulatorHandle
from hoist.errors import ConfigError
from hoist.intercom import IntercomClient
from hoist.pipeline.custom_attributes import (
    MAX_CUSTOM_ATTRIBUTES,
    AttributePlan,
    fetch_attributes,
    plan_custom_attributes,
)
from hoist.secret import Secret

SCHEMA = pa.schema([("id", pa.string()), ("tier", pa.string()), ("Email", pa.string())])


def add_attribute(
    emulator: Emulator, name: str, model: str = "company", archived: bool = False
) -> None:
    """Create a custom attribute in the emulated workspace, archived if asked."""
    body = {"name": name, "model": model, "data_type": "string"}
    attr = emulator.run(lambda ws: ws.attributes.create(body, 0))
    if archived:
        emulator.run(lambda ws: ws.attributes.update(str(attr["id"]), {"archived": True}, 0))


def plan(handle: EmulatorHandle, **sync: Any) -> AttributePlan:
    """Plan the custom attributes of a sync section against the emulator's listings."""

    async def go() -> AttributePlan:
        async with IntercomClient(base_url=handle.base_url, token=Secret("t")) as client:
            existing = await fetch_attributes(client)
        config = SyncConfig(company_id="id", **sync)
        return plan_custom_attributes(config, SCHEMA, existing, file="a.yml")

    return asyncio.run(go())


def test_an_archived_attribute_to_create_is_a_plan_time_error(emulator: EmulatorHandle) -> None:
    """A listed column whose attribute is archived in Intercom asks to unarchive or rename."""
    add_attribute(emulator.emulator, "tier", archived=True)
    with pytest.raises(ConfigError) as caught:
        plan(emulator, custom_attributes=("tier",))
    assert caught.value.key == "sync.custom_attributes"
    assert "archived" in str(caught.value)
    assert "unarchive it in Intercom" in str(caught.value)


def test_an_archived_mapped_attribute_is_a_plan_time_error(emulator: EmulatorHandle) -> None:
    """Mapping onto an archived custom attribute names the mapping key."""
    add_attribute(emulator.emulator, "tier", archived=True)
    with pytest.raises(ConfigError) as caught:
        plan(emulator, mapping={"custom_attributes.tier": "tier"})
    assert caught.value.key == "sync.mapping.custom_attributes.tier"
    assert "archived" in str(caught.value)


def test_a_standard_contact_name_in_another_case_collides(emulator: EmulatorHandle) -> None:
    """A column named `Email` collides with the contacts' standard `email`."""
    with pytest.raises(ConfigError) as caught:
        plan(emulator, custom_attributes=("Email",))
    assert "standard contact attribute" in str(caught.value)


def test_a_custom_name_in_another_case_or_model_collides(emulator: EmulatorHandle) -> None:
    """`tier` collides with a contact custom attribute `Tier`."""
    add_attribute(emulator.emulator, "Tier", model="contact")
    with pytest.raises(ConfigError, match="contact custom attribute 'Tier'"):
        plan(emulator, custom_attributes=("tier",))


def test_the_plan_says_how_many_custom_attributes_remain(emulator: EmulatorHandle) -> None:
    """With 10 live and 1 archived attributes, creating one leaves 250 - 10 - 1 places."""
    for i in range(10):
        add_attribute(emulator.emulator, f"c{i}", model=("company", "contact")[i % 2])
    add_attribute(emulator.emulator, "gone", archived=True)
    planned = plan(emulator, custom_attributes=("tier",))
    assert planned.to_create == (("tier", "string"),)
    assert planned.remaining == MAX_CUSTOM_ATTRIBUTES - 11


def test_an_activation_that_would_pass_the_cap_is_refused(emulator: EmulatorHandle) -> None:
    """With 250 custom attributes in use, creating one more is refused before any write."""
    for i in range(MAX_CUSTOM_ATTRIBUTES):
        add_attribute(emulator.emulator, f"c{i}")
    with pytest.raises(ConfigError, match="limit of 250") as caught:
        plan(emulator, custom_attributes=("tier",))
    assert caught.value.key == "sync.custom_attributes"
    assert emulator.emulator.request_count("POST", "/data_attributes") == 0
