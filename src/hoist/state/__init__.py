"""State: what Intercom confirmed per company and attribute, the run history, record errors.

Every kind of state implements one contract, `StateBackend` (`hoist.state.contract`): the local
DuckDB file per activation (`StateStore`, the default; its schema is versioned and migrated
forward on open) and warehouse-native state (`hoist.state.native`). `open_state(config)` picks
the kind; no code outside this package asks which one it holds.
"""

from __future__ import annotations

from hoist.diff.changes import Confirmation
from hoist.state.contract import Capabilities, Diffed, DiffRequest, StateBackend
from hoist.state.migrations import SCHEMA_VERSION
from hoist.state.opening import (
    ModelRead,
    StateKind,
    open_state,
    opened_state,
    read_state,
    reset_state,
)
from hoist.state.store import StateStore

__all__ = [
    "SCHEMA_VERSION",
    "Capabilities",
    "Confirmation",
    "DiffRequest",
    "Diffed",
    "ModelRead",
    "StateBackend",
    "StateKind",
    "StateStore",
    "open_state",
    "opened_state",
    "read_state",
    "reset_state",
]
