"""The client names the workspace its token reaches (`GET /me`), against the emulator."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from hoist.emulator.testing import EmulatorHandle
from hoist.intercom import IntercomClient, WorkspaceIdentity
from hoist.secret import Secret


def _identity(handle: EmulatorHandle) -> WorkspaceIdentity:
    async def go() -> WorkspaceIdentity:
        async with IntercomClient(base_url=handle.base_url, token=Secret("t")) as client:
            return await client.workspace()

    return asyncio.run(go())


def test_workspace_reads_app_id_and_region(emulator_factory: Callable[..., EmulatorHandle]) -> None:
    """`workspace()` returns the app id and region of the emulated workspace, in one call."""
    handle = emulator_factory(app_id="ws1", region="EU")
    identity = _identity(handle)
    assert (identity.app_id, identity.region) == ("ws1", "EU")
    assert handle.emulator.request_count("GET", "/me") == 1


def test_two_emulators_have_different_identities(
    emulator_factory: Callable[..., EmulatorHandle],
) -> None:
    """Two fresh emulators are told apart by their identities."""
    assert _identity(emulator_factory()) != _identity(emulator_factory())
