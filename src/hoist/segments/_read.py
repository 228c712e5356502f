"""A segment against its warehouse: the table's real columns, the checked query, a preview."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pyarrow as pa
from sqlglot import exp

from hoist.config import DbtRef, SegmentConfig
from hoist.errors import SourceError
from hoist.segments._compile import segment_query, table_expression
from hoist.sources import Source

__all__ = ["SegmentPreview", "preview", "render", "segment_sql", "table_columns"]


def render(query: exp.Expr, dialect: str) -> str:
    """`query` as SQL text for `dialect` (names quoted wherever quoting could matter)."""
    return query.sql(dialect=dialect, identify="safe")


def table_columns(segment: SegmentConfig, source: Source) -> pa.Schema:
    """The columns (and Arrow types) of the segment's table, read from the warehouse."""
    table = table_expression(segment, source.dialect)
    table_name = segment.from_text
    probe = exp.select(exp.Star()).from_(table).limit(0)
    try:
        reader = source.read(render(probe, source.dialect))
        schema: pa.Schema = reader.schema
        reader.read_all()
    except SourceError as exc:
        what = (
            segment.from_text if isinstance(segment.from_, DbtRef) else f"the table {table_name!r}"
        )
        raise SourceError(
            f"{segment.file}: {segment.key}.from: cannot read {what} "
            f"({exc}); check that it exists and that the source can read it"
        ) from exc
    return schema


def segment_sql(segment: SegmentConfig, source: Source, *, now: datetime | None = None) -> str:
    """The segment's query for `source`, checked against the table's real columns."""
    query = segment_query(segment, table_columns(segment, source), source.dialect, now=now)
    return render(query, source.dialect)


@dataclass(frozen=True)
class SegmentPreview:
    """How many rows a segment holds, and the first few of them."""

    count: int
    rows: pa.Table
    sql: str


def preview(segment: SegmentConfig, source: Source, *, limit: int = 10) -> SegmentPreview:
    """Count the segment's rows and read the first `limit` of them."""
    columns = table_columns(segment, source)
    query = segment_query(segment, columns, source.dialect)
    counted = exp.select(exp.Count(this=exp.Star()).as_("n")).from_(query.subquery("segment"))
    count = source.read(render(counted, source.dialect)).read_all().column(0)[0].as_py()
    rows = source.read(render(query.limit(limit), source.dialect)).read_all()
    return SegmentPreview(count=int(count), rows=rows, sql=render(query, source.dialect))
