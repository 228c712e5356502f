"""State: what Intercom confirmed per company and attribute, the run history, record errors.

`StateStore` keeps it in one local DuckDB file per activation (the default). The statements it
runs are built in `hoist.sql.state`; the schema is versioned (`SCHEMA_VERSION`) and migrated
forward on open.
"""

from __future__ import annotations

from hoist.changes import Confirmation
from hoist.state.store import StateStore
from hoist.state.versions import SCHEMA_VERSION

__all__ = ["SCHEMA_VERSION", "Confirmation", "StateStore"]
