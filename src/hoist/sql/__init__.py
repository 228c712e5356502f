"""The SQL hoist builds for its own tables, as sqlglot expressions (the diff is `hoist.diff`).

- `hoist.sql.build`: quoted identifiers, literals, constant templates filled with nodes, rendering;
- `hoist.sql.model`: a model (query or table) as the query for the source's dialect;
- `hoist.sql.state`: the state tables, the journal, the fold, the run history;
- `hoist.sql.native_state`: warehouse-native state's journal, snapshots and meta;
- `hoist.sql.verify`, `hoist.sql.contacts`: verify's scratch copy; the contacts model as pairs.

Statements are written once and rendered for the dialect that runs them (DuckDB locally; the
warehouse's own in native mode). This package imports only `build` on import: the diff and the
warehouses' dialects import `build` without loading models, configs or drivers.
"""

from __future__ import annotations

from hoist.sql.build import render

__all__ = ["render"]
