"""Segments: companies filtered without SQL, compiled to one sqlglot query per dialect.

    from hoist.segments import segment_query, segment_sql

    select = segment_query(segment, columns, "postgres")  # a sqlglot SELECT; columns: Arrow
    sql = segment_sql(segment, source)                     # checked against the real table

A segment is checked against its table's real columns and types before anything runs; every
problem is reported at once, each under the key of its condition.
"""

from __future__ import annotations

from hoist.segments._columns import Kind, fitting_operators, kind_of
from hoist.segments._compile import segment_problems, segment_query, table_expression
from hoist.segments._read import SegmentPreview, preview, render, segment_sql, table_columns

__all__ = [
    "Kind",
    "SegmentPreview",
    "fitting_operators",
    "kind_of",
    "preview",
    "render",
    "segment_problems",
    "segment_query",
    "segment_sql",
    "table_columns",
    "table_expression",
]
