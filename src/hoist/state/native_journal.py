"""Native state's journal: confirmations appended as they arrive, compacted into snapshots
(see `hoist.state.native` for why each step is safe to interrupt)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import pyarrow as pa

from hoist.diff.changes import Confirmation
from hoist.diff.fingerprint import FINGERPRINT_COLUMN
from hoist.diff.local import state_column
from hoist.sql.native_state import (
    NATIVE_VERSION,
    USER_COUNT,
)
from hoist.state.native_base import NativeBase, _Meta, _text

__all__ = ["NativeJournal"]

#: The tables a compaction makes per generation (``snapshot_<g>``, ``journal_<g>``).
_GENERATIONS = ("snapshot", "journal")

#: Compact when the journal holds at least this share of the snapshot's companies.
_COMPACT_SHARE = 0.05


class NativeJournal(NativeBase):
    """Writing what Intercom confirmed, and compacting it."""

    def add_attribute_columns(self, attributes: Sequence[str]) -> None:
        """Give the journal a column for every mapped attribute it lacks (and the fingerprint,
        which journals written before it existed lack)."""
        self._attributes = list(attributes)
        present = self._columns(self._journal)
        for name in [*map(state_column, attributes), FINGERPRINT_COLUMN, USER_COUNT]:
            if name not in present:
                self._execute(self.tables.add_column(name, self._journal))
        meta = self._meta
        if meta.generation is not None and meta.version < NATIVE_VERSION:
            # Stamp the current generation with this version, so older hoists refuse to write.
            self._execute(self.tables.meta_insert(meta.generation, meta.folded_seq))
            self._meta = _Meta(meta.generation, meta.folded_seq)

    def commit(self, confirmations: Sequence[Confirmation], attributes: Sequence[str]) -> None:
        """Append confirmed results to the journal in one bulk append."""
        if not confirmations:
            return
        first = self._last_seq + 1
        rows = {
            "seq": pa.array(range(first, first + len(confirmations)), pa.int64()),
            "company_id": pa.array([c.company_id for c in confirmations], pa.string()),
            "intercom_id": pa.array([c.intercom_id for c in confirmations], pa.string()),
            "_forget": pa.array([False] * len(confirmations), pa.bool_()),
            # '' (not NULL): this confirmation voids an older fingerprint it cannot vouch for.
            FINGERPRINT_COLUMN: pa.array([c.fingerprint or "" for c in confirmations], pa.string()),
            USER_COUNT: pa.array([_text(c.user_count) for c in confirmations], pa.string()),
            **{
                state_column(a): pa.array([c.texts.get(a) for c in confirmations], pa.string())
                for a in attributes
            },
        }
        self._append("journal", pa.table(rows))

    def forget_intercom_ids(self, company_ids: Sequence[str]) -> None:
        """Forget companies Intercom no longer knows (404 by id), so they are resolved again."""
        if not company_ids:
            return
        first = self._last_seq + 1
        rows = {
            "seq": pa.array(range(first, first + len(company_ids)), pa.int64()),
            "company_id": pa.array(list(company_ids), pa.string()),
            "intercom_id": pa.array([None] * len(company_ids), pa.string()),
            "_forget": pa.array([True] * len(company_ids), pa.bool_()),
        }
        self._append("journal", pa.table(rows))

    def fold(self, *, force: bool = False) -> bool:
        """Compact the journal into a new snapshot when it has grown (or `force`).

        The snapshot holds the attributes given to `add_attribute_columns`. Returns whether it
        compacted. Each step is safe to interrupt (see the module doc).
        """
        if self.read_only or not self._journal_rows:
            return False
        # Every attribute state holds, not only those of this run: a compaction must never
        # drop the values of an attribute (verify --repair maps none of its own).
        held = {c[2:] for c in self._columns(self._journal) if c.startswith("a:")}
        mapped = {name.lower() for name in self._attributes}  # Spark's catalog lower-cases
        attributes = [*self._attributes, *sorted(h for h in held if h.lower() not in mapped)]
        if not force and not self._worth_compacting():
            return False
        old = self._meta.generation
        new = (old or 0) + 1
        through = self._last_seq
        self._execute(self.tables.drop_snapshot(new))  # a half-built one from a crash
        journal_columns = self._columns(self._journal)
        relation = self.tables.relation(
            attributes,
            generation=old,
            snapshot_columns=self._columns(f"snapshot_{old}") if old else set(),
            journal_columns=journal_columns,
            after=self._meta.folded_seq,
            through=through,
            journal=self._journal,
            extra=[USER_COUNT] if USER_COUNT in journal_columns else [],
        )
        self._execute(self.tables.create_snapshot(new, relation))
        rotate = not getattr(self.warehouse, "can_delete", True)  # Parquet tables (Spark)
        if rotate:
            self._execute(self.tables.drop_table(f"journal_{new}"))  # a crash's, uncommitted
            self._execute(self.tables.create_empty_like(f"journal_{new}", self._journal))
        self._execute(self.tables.meta_insert(new, through))  # the commit point
        self._meta = _Meta(new, through)
        self._journal_rows = 0
        self._exists.add(self.tables.name(f"snapshot_{new}"))
        if old is not None:
            self._execute(self.tables.drop_snapshot(old))
            self._forget_table(f"snapshot_{old}")
        if rotate:
            self._retire_journal(f"journal_{new}")
        else:
            self._execute(self.tables.prune_journal(through))
        return True

    def _retire_journal(self, fresh: str) -> None:
        """Make `fresh` the journal and drop the folded one (its rows are in the snapshot). The
        first journal is recreated empty: its name marks where the activation's state lives."""
        folded, self._journal = self._journal, fresh
        self._exists.add(self.tables.name(fresh))
        self._execute(self.tables.drop_table(folded))
        self._forget_table(folded)
        if folded == "journal":
            self._execute(self.tables.create_statements()[0])
            self._exists.add(self.tables.name(folded))
        self._drop_leftovers()

    def _drop_leftovers(self) -> None:
        """Drop the snapshots and journals of older generations that a crash after their
        compaction's commit point left behind."""
        generation = self._meta.generation
        current = {self.tables.name(f"{kind}_{generation}").lower() for kind in _GENERATIONS}
        stem_name = self.tables.name("").lower()
        pattern = re.compile(re.escape(stem_name) + "(" + "|".join(_GENERATIONS) + r")_[0-9]+")
        for name in sorted(self._exists):
            if pattern.fullmatch(name.lower()) and name.lower() not in current:
                self._execute(self.tables.drop_table(name[len(stem_name) :]))
                self._exists.discard(name)

    def _worth_compacting(self) -> bool:
        generation = self._meta.generation
        if generation is None:
            return True
        snapshot = self._query(self.tables.snapshot_rows_query(generation)).column(0)[0].as_py()
        return bool(self._journal_rows >= _COMPACT_SHARE * int(snapshot or 0))
