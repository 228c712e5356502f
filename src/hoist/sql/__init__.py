"""Every statement hoist runs against its tables, built as sqlglot expressions.

- `hoist.sql.build`: quoted identifiers, literals, constant templates filled with nodes, rendering;
- `hoist.sql.model`: a model (query or table) as the query for the source's dialect;
- `hoist.sql.values`: a column as the JSON text Intercom will store, and why a value is refused;
- `hoist.sql.diff`: staging the model, the touched companies, the changes;
- `hoist.sql.state`: the state tables, the journal, the fold, the run history;
- `hoist.sql.changeset`: `ChangeSet`, which runs the diff and answers for its result.

No module outside this package writes SQL text for these tables. Statements are written once and
rendered for the dialect that runs them (DuckDB locally; the warehouse's own in native mode).
"""

from __future__ import annotations

from hoist.sql.build import render
from hoist.sql.changeset import ChangeSet
from hoist.sql.model import model_query

__all__ = ["ChangeSet", "model_query", "render"]
