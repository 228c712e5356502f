"""Native state's run history: the runs and their record errors, append-only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from hoist.report import RunReport
from hoist.sql.native_state import (
    ERROR_COLUMNS,
    RUN_COLUMNS,
)
from hoist.state.native_base import NativeBase, _arrow_schema, _naive_utc

__all__ = ["NativeHistory"]


class NativeHistory(NativeBase):
    """The run history: read newest first, appended once per run."""

    def runs(self, limit: int = 20) -> list[dict[str, Any]]:
        """The run history, newest first (times in UTC, as the local state gives them)."""
        if self.tables.name("runs") not in self._exists:
            return []
        rows: list[dict[str, Any]] = self._query(self.tables.runs_query(limit)).to_pylist()
        for row in rows:
            for key in ("started_at", "finished_at"):
                if isinstance(row[key], datetime) and row[key].tzinfo is None:
                    row[key] = row[key].replace(tzinfo=UTC)
        return rows

    def record_errors(self, run_id: str) -> list[dict[str, Any]]:
        """The record errors of one run: company_id, code and message of each."""
        if self.tables.name("record_errors") not in self._exists:
            return []
        rows: list[dict[str, Any]] = self._query(self.tables.errors_query(run_id)).to_pylist()
        return rows

    def record_run(
        self, report: RunReport, *, started_at: datetime, finished_at: datetime, insert: bool
    ) -> None:
        """Append a run to the history, then its record errors."""
        values: dict[str, Any] = {
            **report.to_json(),
            "started_at": _naive_utc(started_at),
            "finished_at": _naive_utc(finished_at),
            "insert_mode": insert,
        }
        run = {name: [values.get(name)] for name, _ in RUN_COLUMNS}
        self._append("runs", pa.table(run, schema=_arrow_schema(RUN_COLUMNS)))
        if report.errors:
            errors = {
                "run_id": [report.run_id] * len(report.errors),
                "company_id": [e.company_id for e in report.errors],
                "code": [e.code for e in report.errors],
                "message": [e.message for e in report.errors],
            }
            self._append("record_errors", pa.table(errors, schema=_arrow_schema(ERROR_COLUMNS)))
