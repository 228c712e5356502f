"""`WorkspaceIdentity.from_me`: the workspace read from a `GET /me` body."""

from __future__ import annotations

from typing import Any

import pytest

from hoist.errors import RetriableError
from hoist.intercom import WorkspaceIdentity


def test_reads_id_code_region_and_name() -> None:
    """The identity is `app.id_code` and `app.region` (upper case), plus the app's name."""
    body = {"type": "admin", "app": {"id_code": "abc", "region": "eu", "name": "Acme"}}
    identity = WorkspaceIdentity.from_me(body)
    assert identity == WorkspaceIdentity("abc", "EU", "Acme")
    assert str(identity) == "'Acme' (app id abc, region EU)"


def test_identity_is_equal_for_one_workspace_only() -> None:
    """Two bodies of one workspace give equal identities; another app id differs."""
    one = WorkspaceIdentity.from_me({"app": {"id_code": "a", "region": "US"}})
    assert one == WorkspaceIdentity.from_me({"app": {"id_code": "a", "region": "US"}})
    assert one != WorkspaceIdentity.from_me({"app": {"id_code": "b", "region": "US"}})


@pytest.mark.parametrize("body", [{}, {"app": None}, {"app": {"id_code": ""}}, {"app": []}])
def test_a_body_without_an_app_id_is_an_invalid_response(body: dict[str, Any]) -> None:
    """Without `app.id_code` the workspace is unknown: a retriable invalid response, no guess."""
    with pytest.raises(RetriableError) as caught:
        WorkspaceIdentity.from_me(body)
    assert caught.value.code == "invalid_response"
