"""The diff: what changed between the model and what state says Intercom holds.

- `hoist.diff.changes`: `Change`, `Confirmation`, `DiffCounts`, plain data between the stages;
- `hoist.diff.values`: a column as the JSON text Intercom will store, and why a value is refused;
- `hoist.diff.local`: staging the model in DuckDB, the touched companies, the changes;
- `hoist.diff.local_changeset`: `ChangeSet`, which runs the local diff and answers for its result;
- `hoist.diff.in_warehouse`: the diff the warehouse runs (one query, only changed rows leave it);
- `hoist.diff.in_warehouse_changeset`: a `ChangeSet` landed from the warehouse's diff;
- `hoist.diff.fingerprint`: a model row's 64-bit fingerprint, per dialect;
- `hoist.diff.removals`: companies hoist delivered that left the model.

The diff is data in, data out: SQL built as sqlglot expressions, run by the caller's connection.
"""

from __future__ import annotations

from hoist.diff.local_changeset import ChangeSet

__all__ = ["ChangeSet"]
