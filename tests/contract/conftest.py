"""The official OpenAPI description, loaded once per session, and response validation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

SPEC = Path(__file__).resolve().parents[2] / "docs" / "intercom" / "api.intercom.io.yaml"


class Spec:
    """Validators over the loaded description."""

    def __init__(self, openapi: Any) -> None:
        self.openapi = openapi

    def response(self, response: httpx.Response, path_pattern: str | None = None) -> None:
        """Validate a response against its documented operation and status."""
        validate(self.openapi, response, path_pattern)

    def schema(self, name: str, value: Any, **relax: Any) -> None:
        """Validate a body against a component schema."""
        validate_schema(self.openapi, name, value, **relax)


@pytest.fixture(scope="session")
def spec() -> Spec:
    """Intercom's 2.16 description (its own spec check is off: the file fails it elsewhere)."""
    from openapi_core import Config, OpenAPI

    return Spec(OpenAPI.from_file_path(str(SPEC), config=Config(spec_validator_cls=None)))


def validate(openapi: Any, response: httpx.Response, path_pattern: str | None = None) -> None:
    """Validate one emulator response against the operation and status the spec documents."""
    from openapi_core.testing import MockRequest, MockResponse

    request = response.request
    mock_request = MockRequest(
        "https://api.intercom.io",
        request.method.lower(),
        request.url.path,
        path_pattern=path_pattern,
        args=dict(request.url.params),
    )
    mock_response = MockResponse(
        response.content, status_code=response.status_code, content_type="application/json"
    )
    result = openapi.unmarshal_response(mock_request, mock_response)
    assert not result.errors, (
        f"{request.method} {request.url.path} {response.status_code}: {result.errors}"
    )


def validate_schema(openapi: Any, name: str, value: Any, **relax: Any) -> None:
    """Validate `value` against component schema `name`; `relax` overrides properties."""
    from jsonschema_path import SchemaPath
    from openapi_core.validation.schemas import oas30_read_schema_validators_factory

    schema = (openapi.spec / "components" / "schemas" / name).read_value()
    if relax:
        schema = {**schema, "properties": {**schema["properties"], **relax}}
    path = SchemaPath.from_dict(
        {"components": openapi.spec["components"].read_value(), "s": schema}
    )
    oas30_read_schema_validators_factory.create(path, path / "s").validate(value)
