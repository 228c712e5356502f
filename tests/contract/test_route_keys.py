"""The keys hoist lets each company write route carry are the keys the spec's schemas take."""

from __future__ import annotations

from typing import Any

from hoist.company_attributes import PUT_ATTRIBUTES, STANDARD_ATTRIBUTES, UPDATE_KEYS, UPSERT_KEYS
from hoist.emulator.companies import CREATE_FIELDS, UPDATE_FIELDS


def _properties(spec: Any, name: str) -> set[str]:
    schema = (spec.openapi.spec / "components" / "schemas" / name).read_value()
    return set(schema["properties"])


def _body_schema(spec: Any, path: str, method: str) -> str:
    operation = (spec.openapi.spec / "paths" / path / method).read_value()
    ref: str = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return ref.rsplit("/", 1)[1]


def test_upsert_keys_are_create_or_update_company_request(spec: Any) -> None:
    """`POST /companies` may carry exactly the keys of its documented request schema."""
    assert _body_schema(spec, "/companies", "post") == "create_or_update_company_request"
    assert _properties(spec, "create_or_update_company_request") == UPSERT_KEYS


def test_update_keys_are_update_company_request(spec: Any) -> None:
    """`PUT /companies/{id}` may carry exactly the keys of `update_company_request`."""
    assert _body_schema(spec, "/companies/{company_id}", "put") == "update_company_request"
    assert _properties(spec, "update_company_request") == UPDATE_KEYS
    assert "remote_created_at" not in PUT_ATTRIBUTES


def test_standard_attributes_are_upsert_keys_and_the_emulator_uses_the_same_sets() -> None:
    """Every mappable standard attribute is an upsert key; the emulator enforces these sets."""
    assert set(STANDARD_ATTRIBUTES) <= UPSERT_KEYS
    assert (CREATE_FIELDS, UPDATE_FIELDS) == (UPSERT_KEYS, UPDATE_KEYS)
