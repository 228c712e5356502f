"""What the UI asks Intercom: which workspace a destination reaches and its company attributes.

The same client the runs use, with the token read from the environment in this process: the
browser only ever sees the variable's name.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

from hoist.company_attributes import CUSTOM_PREFIX, STANDARD_ATTRIBUTES
from hoist.config import DestinationConfig
from hoist.intercom import IntercomClient, WorkspaceIdentity
from hoist.intercom.retry import RetryPolicy

__all__ = ["Attribute", "Workspace", "attribute_choices", "describe_workspace"]

#: Seconds a page waits for Intercom before it says what went wrong.
_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Attribute:
    """An attribute a column can be mapped to: its mapping key, label and Intercom type."""

    key: str
    label: str
    type: str
    custom: bool


@dataclass(frozen=True)
class Workspace:
    """The workspace a token reaches and its company data attributes."""

    identity: WorkspaceIdentity
    attributes: tuple[dict[str, Any], ...]


def describe_workspace(destination: DestinationConfig) -> Workspace:
    """Ask Intercom (`GET /me`, `GET /data_attributes?model=company`); raises `HoistError`."""
    return asyncio.run(_describe(destination))


async def _describe(destination: DestinationConfig) -> Workspace:
    # A person waits for this answer: one try, a short timeout; a run's retries are for runs.
    async with IntercomClient(
        base_url=destination.url,
        token=destination.access_token,
        api_version=destination.api_version,
        retry=RetryPolicy(max_attempts=1),
        timeout_s=_TIMEOUT_S,
        give_up_after_s=_TIMEOUT_S,
    ) as client:
        identity = await client.workspace()
        attributes = await client.list_data_attributes("company")
    return Workspace(identity, tuple(attributes))


def attribute_choices(workspace: Workspace | None) -> list[Attribute]:
    """The attributes hoist can write: the standard ones, then the workspace's custom ones."""
    choices = [
        Attribute(name, name, kind, custom=False) for name, kind in STANDARD_ATTRIBUTES.items()
    ]
    for attribute in workspace.attributes if workspace else ():
        if attribute.get("custom") and not attribute.get("archived"):
            name = str(attribute["name"])
            kind = str(attribute.get("data_type", "string"))
            choices.append(Attribute(f"{CUSTOM_PREFIX}{name}", name, kind, custom=True))
    return choices
