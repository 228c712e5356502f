"""Arrow helpers shared by the connectors: re-chunked, error-translated record batch streams."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

import pyarrow as pa

__all__ = ["stream"]


def stream(
    schema: pa.Schema,
    batches: Iterable[pa.RecordBatch],
    *,
    batch_rows: int,
    translate: Callable[[Exception], Exception | None],
) -> pa.RecordBatchReader:
    """A reader of `batches` cut to at most `batch_rows` rows each.

    An exception raised while the batches are fetched goes through `translate`: when it returns
    an exception, that one is raised instead (from the original), else the original propagates.
    """
    return pa.RecordBatchReader.from_batches(schema, _sliced(batches, batch_rows, translate))


def _sliced(
    batches: Iterable[pa.RecordBatch],
    batch_rows: int,
    translate: Callable[[Exception], Exception | None],
) -> Iterator[pa.RecordBatch]:
    try:
        for batch in batches:
            # Slices are zero-copy views: drivers hand over batches of their own size.
            for offset in range(0, batch.num_rows, batch_rows):
                yield batch.slice(offset, batch_rows)
    except Exception as exc:
        translated = translate(exc)
        if translated is None:
            raise
        raise translated from exc
