"""State is bound to one Intercom workspace: the check every run, plan and verify makes first.

State says what one workspace holds. Pointed at another workspace (a new token, another
region, a fresh test app), it would skip every company it calls delivered and report success
while the new workspace stays empty. So the workspace `GET /me` names is recorded in state with
the first confirmed write, and a different one stops the command before anything is read or
sent. `hoist run --reset-state` moves the old state aside to start over.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hoist.errors import WorkspaceMismatchError
from hoist.intercom.identity import WorkspaceIdentity

if TYPE_CHECKING:
    from hoist.state import StateBackend

__all__ = ["check_workspace", "record_workspace", "recorded_workspace"]


def check_workspace(
    recorded: WorkspaceIdentity | None, current: WorkspaceIdentity, *, state_path: Path | str
) -> None:
    """Raise `WorkspaceMismatchError` unless state is unbound or bound to `current`.

    Only the app id and region identify a workspace; its display name may change.
    `state_path` is the state file, or (text) a description of where a warehouse keeps state.
    """
    if recorded is None or (recorded.app_id, recorded.region) == (current.app_id, current.region):
        return
    raise WorkspaceMismatchError(
        f"{_where(state_path)} was delivered to Intercom workspace {recorded}, but the "
        f"access token reaches workspace {current}. If the token is wrong, use a token of "
        f"workspace {recorded.app_id} (destination.access_token). If this activation should "
        f"now sync workspace {current.app_id}, "
        "start its state over with `hoist run FILE --reset-state` (the old state is moved "
        "aside, not deleted), which sends every company to the new workspace."
    )


def _where(state_path: Path | str) -> str:
    return f"the state file {state_path}" if isinstance(state_path, Path) else state_path


# -- where the binding lives: two rows of the state's ``meta`` table ---------------------------

_APP_KEY = "workspace_app_id"
_REGION_KEY = "workspace_region"
_NAME_KEY = "workspace_name"


def recorded_workspace(store: StateBackend) -> WorkspaceIdentity | None:
    """The workspace state was delivered to, or None before its first confirmed write."""
    values = store.meta_values((_APP_KEY, _REGION_KEY, _NAME_KEY))
    if _APP_KEY not in values:
        return None
    return WorkspaceIdentity(values[_APP_KEY], values.get(_REGION_KEY, ""), values.get(_NAME_KEY))


def record_workspace(store: StateBackend, identity: WorkspaceIdentity) -> None:
    """Bind state to `identity` unless it is bound already (the first confirmed write binds)."""
    if recorded_workspace(store) is None:
        values = {_APP_KEY: identity.app_id, _REGION_KEY: identity.region}
        if identity.name:
            values[_NAME_KEY] = identity.name
        store.set_meta_values(values)
