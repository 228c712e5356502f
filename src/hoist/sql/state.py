"""The statements over the state tables: what Intercom confirmed, the journal, the run history.

The tables live in one schema (the attached ``state`` database locally; a schema of the
warehouse in warehouse-native mode):

- ``companies``: per company its Intercom id, the JSON text of each attribute Intercom
  confirmed (``a:<attribute>``; NULL: never delivered) and the last `user_count` Intercom
  answered with;
- ``journal``: confirmations appended while a run goes on, folded into ``companies`` once per run
  (appending costs the same at any state size, a MERGE into ten million rows does not);
- ``missing``: company_ids an update-only run did not find in Intercom, with the hash of their
  row then, so they are looked up again only when the row changes (or on ``--recheck-missing``);
- ``runs`` and ``record_errors``: the history;
- ``contact_pairs``: per (company, contact key) the Intercom contact attached to the company, or
  NULL when Intercom had no such contact at ``checked_at``;
- ``meta``: the schema version, so an older state is migrated and a newer one refused; the
  workspace state is bound to (``workspace_app_id``, ``workspace_region``, ``workspace_name``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlglot import exp

from hoist.diff.local import state_column
from hoist.sql.build import column, identifier, join_and, literal, table, template

__all__ = ["PAIR_COLUMNS", "RUN_COLUMNS", "V4_COLUMNS", "StateTables"]

#: The run history's columns, in table order.
RUN_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("run_id", "VARCHAR"),
    ("started_at", "TIMESTAMPTZ"),
    ("finished_at", "TIMESTAMPTZ"),
    ("status", "VARCHAR"),
    ("insert_mode", "BOOLEAN"),
    ("created", "BIGINT"),
    ("updated", "BIGINT"),
    ("unchanged", "BIGINT"),
    ("not_in_intercom", "BIGINT"),
    ("rejected", "BIGINT"),
    ("failed", "BIGINT"),
    ("api_calls", "BIGINT"),
    ("rows_fetched", "BIGINT"),
    ("duration_s", "DOUBLE"),
    ("message", "VARCHAR"),
    ("without_contacts", "BIGINT"),
    ("contacts_attached", "BIGINT"),
    ("contacts_not_found", "BIGINT"),
)
#: The (table, column) pairs schema 4 added to tables that existed before it; all BIGINT.
V4_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("companies", "user_count"),
    ("journal", "user_count"),
    ("runs", "without_contacts"),
    ("runs", "contacts_attached"),
    ("runs", "contacts_not_found"),
)
#: The contact pairs' columns, in table order.
PAIR_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("company_id", "VARCHAR"),
    ("contact_key", "VARCHAR"),
    ("contact_id", "VARCHAR"),
    ("checked_at", "TIMESTAMPTZ"),
)
_MISSING_COLUMNS: Final = (("company_id", "VARCHAR"), ("row_hash", "UBIGINT"))
_ERROR_COLUMNS: Final = (
    ("run_id", "VARCHAR"),
    ("company_id", "VARCHAR"),
    ("code", "VARCHAR"),
    ("message", "VARCHAR"),
)


@dataclass(frozen=True)
class StateTables:
    """Every statement over the state tables of one schema."""

    schema: str = "state"

    def table(self, name: str) -> exp.Table:
        """A state table, qualified by the schema."""
        return table(name, self.schema)

    def create_statements(self) -> list[exp.Expr]:
        """The tables of a new state (existing tables are left as they are)."""
        key = (("company_id", "VARCHAR"), ("intercom_id", "VARCHAR"), ("user_count", "BIGINT"))
        return [
            _create("companies", self.table("companies"), key),
            _create("journal", self.table("journal"), (("seq", "BIGINT"), *key)),
            _create("runs", self.table("runs"), RUN_COLUMNS),
            _create("record_errors", self.table("record_errors"), _ERROR_COLUMNS),
            _create("meta", self.table("meta"), (("key", "VARCHAR"), ("value", "VARCHAR"))),
            _create("missing", self.table("missing"), _MISSING_COLUMNS),
            _create("contact_pairs", self.table("contact_pairs"), PAIR_COLUMNS),
        ]

    def add_bigint_columns_statements(self, columns: Sequence[tuple[str, str]]) -> list[exp.Expr]:
        """Give each listed (table, column) of an older state a BIGINT column."""
        return [
            template(
                "ALTER TABLE $t ADD COLUMN IF NOT EXISTS $c BIGINT",
                t=self.table(name),
                c=identifier(name_of_column),
            )
            for name, name_of_column in columns
        ]

    def add_column_statements(self, attribute: str) -> list[exp.Expr]:
        """Give ``companies`` and ``journal`` a column for `attribute`."""
        return [
            template(
                "ALTER TABLE $t ADD COLUMN IF NOT EXISTS $c VARCHAR",
                t=self.table(name),
                c=identifier(state_column(attribute)),
            )
            for name in ("companies", "journal")
        ]

    def columns_query(self, name: str) -> exp.Expr:
        """The column names of state table `name`, in order."""
        return template(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_catalog = $schema AND table_name = $name ORDER BY ordinal_position",
            schema=literal(self.schema),
            name=literal(name),
        )

    def tables_query(self) -> exp.Expr:
        """The names of the tables in the state schema."""
        return template(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = $schema",
            schema=literal(self.schema),
        )

    def version_query(self) -> exp.Expr:
        """The recorded schema version (no row: a state from before versions were recorded)."""
        return template(
            "SELECT value FROM $meta WHERE key = 'schema_version'", meta=self.table("meta")
        )

    def set_version_statements(self, version: int) -> list[exp.Expr]:
        """Record `version` as the state's schema version."""
        meta = self.table("meta")
        return [
            template("DELETE FROM $meta WHERE key = 'schema_version'", meta=meta),
            template(
                "INSERT INTO $meta VALUES ('schema_version', $v)",
                meta=meta,
                v=literal(str(version)),
            ),
        ]

    def meta_query(self, keys: Sequence[str]) -> exp.Expr:
        """The (key, value) rows of ``meta`` for `keys`."""
        query = exp.select(column("key"), column("value")).from_(self.table("meta"))
        return query.where(column("key").isin(*(literal(k) for k in keys)))

    def set_meta_statements(self, key: str, value: str) -> list[exp.Expr]:
        """Record `value` under `key` in ``meta`` (replacing what was there)."""
        meta = self.table("meta")
        return [
            template("DELETE FROM $meta WHERE key = $k", meta=meta, k=literal(key)),
            template(
                "INSERT INTO $meta VALUES ($k, $v)", meta=meta, k=literal(key), v=literal(value)
            ),
        ]

    def next_seq_query(self) -> exp.Expr:
        """The sequence number the next journal row takes."""
        return template("SELECT coalesce(max(seq), 0) + 1 FROM $j", j=self.table("journal"))

    def deliveries_query(self) -> exp.Expr:
        """Whether any company is recorded, folded or still in the journal (stops at the first)."""
        return template(
            "SELECT EXISTS (SELECT 1 FROM $c) OR EXISTS (SELECT 1 FROM $j)",
            c=self.table("companies"),
            j=self.table("journal"),
        )

    def journal_count_query(self) -> exp.Expr:
        """How many confirmations wait in the journal."""
        return template("SELECT count(*) FROM $j", j=self.table("journal"))

    def journal_insert(self, columns: Sequence[str], batch: str) -> exp.Expr:
        """Append the rows of the registered relation `batch` (same column names) to the journal."""
        names = [identifier(c) for c in columns]
        select = exp.select(*(column(c) for c in columns)).from_(table(batch))
        return exp.Insert(
            this=exp.Schema(this=self.table("journal"), expressions=names), expression=select
        )

    def journal_latest(self, columns: Sequence[str]) -> exp.Expr:
        """Per company, the latest journalled value of each column (NULL: not confirmed)."""
        latest = [
            template("arg_max($c, seq) FILTER (WHERE $c IS NOT NULL)", c=column(name)).as_(
                identifier(name)
            )
            for name in columns
        ]
        query = exp.select(column("company_id"), *latest).from_(self.table("journal"))
        return query.group_by(column("company_id")).subquery()

    def fold_statements(self, columns: Sequence[str]) -> list[exp.Expr]:
        """Merge the journal into ``companies`` and empty it (run inside one transaction)."""
        target = self.table("companies")
        keep = [
            exp.EQ(
                this=column(c),
                expression=exp.func("coalesce", column(c, "b"), self._target_column(c)),
            )
            for c in columns
        ]
        names = [identifier(c) for c in ("company_id", *columns)]
        values = [column(c, "b") for c in ("company_id", *columns)]
        merge = template(
            "MERGE INTO $target USING $latest AS b ON $target.company_id = b.company_id "
            "WHEN MATCHED THEN UPDATE SET company_id = b.company_id "
            "WHEN NOT MATCHED THEN INSERT (company_id) VALUES (b.company_id)",
            target=target,
            latest=self.journal_latest(columns),
        )
        whens = merge.args["whens"].expressions
        whens[0].args["then"].set("expressions", keep)
        whens[1].args["then"].set("this", exp.Tuple(expressions=names))
        whens[1].args["then"].set("expression", exp.Tuple(expressions=values))
        return [merge, template("DELETE FROM $j", j=self.table("journal"))]

    def _target_column(self, name: str) -> exp.Column:
        return exp.column(
            identifier(name), table=identifier("companies"), db=identifier(self.schema)
        )

    def relation(
        self, attributes: Sequence[str], present: set[str], *, with_journal: bool
    ) -> exp.Expr:
        """What Intercom confirmed, a column per attribute (NULL: never recorded).

        `present` names the attribute columns the tables have; `with_journal` reads the
        journal (left by a killed run, for a plan that cannot fold) on top of ``companies``.
        """
        listed = [
            column(c) if c in present else exp.cast(exp.null(), "VARCHAR").as_(identifier(c))
            for c in map(state_column, attributes)
        ]
        companies = (
            exp.select(column("company_id"), column("intercom_id"), *listed)
            .from_(self.table("companies"))
            .subquery()
        )
        if not with_journal:
            return companies
        journalled = ["intercom_id", *(c for c in map(state_column, attributes) if c in present)]
        merged = [
            exp.func("coalesce", column(c, "j"), column(c, "c")).as_(identifier(c))
            for c in journalled
        ]
        others = [column(c, "c") for c in map(state_column, attributes) if c not in present]
        both = template(
            "SELECT coalesce(j.company_id, c.company_id) AS company_id FROM $companies AS c "
            "FULL JOIN $latest AS j ON c.company_id = j.company_id",
            companies=companies,
            latest=self.journal_latest(journalled),
        )
        assert isinstance(both, exp.Select)
        return both.select(*merged, *others, append=True).subquery()

    def blank_relation(
        self, attributes: Sequence[str], companies: exp.Expr, *, keep_ids: bool
    ) -> exp.Expr:
        """`companies` (a `relation`) as if nothing had been delivered: every attribute NULL.

        The company_ids stay, so a full resync still counts known companies as updates; the
        Intercom ids stay only with `keep_ids`.
        """
        ids = column("intercom_id", "r") if keep_ids else exp.cast(exp.null(), "VARCHAR")
        blanks = [
            exp.cast(exp.null(), "VARCHAR").as_(identifier(c))
            for c in map(state_column, attributes)
        ]
        query = template("SELECT r.company_id FROM $companies AS r", companies=companies)
        assert isinstance(query, exp.Select)
        return query.select(ids.as_(identifier("intercom_id")), *blanks, append=True).subquery()

    def delivered_count_query(self, attribute: str) -> exp.Expr:
        """How many companies hold a delivered value of `attribute` other than null."""
        return template(
            "SELECT count(*) FROM $t WHERE $c <> 'null'",
            t=self.table("companies"),
            c=column(state_column(attribute)),
        )

    def remember_missing_statements(self, batch: str) -> list[exp.Expr]:
        """Record (company_id, row_hash) pairs of the registered `batch` as not in Intercom."""
        return [
            self.forget_missing_statement(batch),
            template(
                "INSERT INTO $t SELECT company_id, row_hash FROM $batch",
                t=self.table("missing"),
                batch=table(batch),
            ),
        ]

    def forget_missing_statement(self, batch: str) -> exp.Expr:
        """Drop the company_ids of the registered `batch` from ``missing``."""
        return template(
            "DELETE FROM $t WHERE company_id IN (SELECT company_id FROM $batch)",
            t=self.table("missing"),
            batch=table(batch),
        )

    def without_contacts_query(self, *, with_journal: bool) -> exp.Expr:
        """How many companies with an Intercom id have a last known `user_count` of 0.

        `with_journal` reads the journal (a plan after a killed run) on top of ``companies``.
        """
        companies: exp.Expr = exp.select(
            column("company_id"), column("intercom_id"), column("user_count")
        ).from_(self.table("companies"))
        if with_journal:
            companies = template(
                "SELECT coalesce(j.intercom_id, c.intercom_id) AS intercom_id, "
                "coalesce(j.user_count, c.user_count) AS user_count FROM $companies AS c "
                "FULL JOIN $latest AS j ON c.company_id = j.company_id",
                companies=exp.paren(companies),
                latest=self.journal_latest(["intercom_id", "user_count"]),
            )
        return template(
            "SELECT count(*) FROM $companies AS s "
            "WHERE s.intercom_id IS NOT NULL AND s.user_count = 0",
            companies=exp.paren(companies),
        )

    def pairs_relation(self, *, present: bool) -> exp.Expr:
        """The ``contact_pairs`` rows; an empty relation of the same columns if not `present`."""
        if present:
            return exp.select("*").from_(self.table("contact_pairs")).subquery()
        empty = [exp.cast(exp.null(), kind).as_(identifier(name)) for name, kind in PAIR_COLUMNS]
        return exp.select(*empty).where(exp.false()).subquery()

    def record_pairs_statements(self, batch: str) -> list[exp.Expr]:
        """Remember the pairs in the registered relation `batch` (``PAIR_COLUMNS``).

        A pair's earlier "not found" row gives way to what the batch says now.
        """
        pairs = self.table("contact_pairs")
        return [
            template(
                "DELETE FROM $pairs AS p WHERE p.contact_id IS NULL AND EXISTS (SELECT 1 "
                "FROM $batch AS b WHERE b.company_id = p.company_id "
                "AND b.contact_key = p.contact_key)",
                pairs=pairs,
                batch=table(batch),
            ),
            exp.insert(
                exp.select(*(column(c) for c, _ in PAIR_COLUMNS)).from_(table(batch)), pairs
            ),
        ]

    def forget_pairs_statement(self, batch: str) -> exp.Expr:
        """Forget the pairs (company_id, contact_key, contact_id) in the relation `batch`."""
        return template(
            "DELETE FROM $pairs AS p WHERE EXISTS (SELECT 1 FROM $batch AS b "
            "WHERE b.company_id = p.company_id AND b.contact_key = p.contact_key "
            "AND b.contact_id IS NOT DISTINCT FROM p.contact_id)",
            pairs=self.table("contact_pairs"),
            batch=table(batch),
        )

    def forget_pairs_of_statement(self, batch: str) -> exp.Expr:
        """Forget every pair of the company_ids listed in the registered relation `batch`."""
        return template(
            "DELETE FROM $t WHERE company_id IN (SELECT company_id FROM $batch)",
            t=self.table("contact_pairs"),
            batch=table(batch),
        )

    def forget_statement(self, batch: str) -> exp.Expr:
        """Drop from ``companies`` the company_ids listed in the registered relation `batch`."""
        return template(
            "DELETE FROM $t WHERE company_id IN (SELECT company_id FROM $batch)",
            t=self.table("companies"),
            batch=table(batch),
        )

    def run_insert(self) -> exp.Expr:
        """Append one run (values as positional parameters, in `RUN_COLUMNS` order)."""
        names = [identifier(name) for name, _ in RUN_COLUMNS]
        values = exp.values([tuple(exp.Placeholder() for _ in RUN_COLUMNS)])
        return exp.Insert(
            this=exp.Schema(this=self.table("runs"), expressions=names), expression=values
        )

    def errors_insert(self, batch: str) -> exp.Expr:
        """Append the record errors in the registered relation `batch`."""
        select = exp.select(*(column(c) for c, _ in _ERROR_COLUMNS)).from_(table(batch))
        return exp.insert(select, self.table("record_errors"))

    def runs_query(self, limit: int, present: set[str]) -> exp.Expr:
        """The newest `limit` runs; columns not `present` (an older state in a plan) are NULL."""
        listed = [
            column(name) if name in present else exp.cast(exp.null(), kind).as_(identifier(name))
            for name, kind in RUN_COLUMNS
        ]
        query = exp.select(*listed).from_(self.table("runs"))
        return query.order_by(exp.Ordered(this=column("started_at"), desc=True)).limit(limit)

    def errors_query(self, run_id: str) -> exp.Expr:
        """The record errors of one run."""
        query = exp.select(*(column(c) for c, _ in _ERROR_COLUMNS[1:]))
        query = query.from_(self.table("record_errors"))
        return query.where(join_and([template("run_id = $r", r=literal(run_id))]))


def _create(name: str, target: exp.Table, columns: Sequence[tuple[str, str]]) -> exp.Expr:
    schema = exp.Schema(
        this=target,
        expressions=[
            exp.ColumnDef(this=identifier(c), kind=exp.DataType.build(kind, dialect="duckdb"))
            for c, kind in columns
        ],
    )
    return exp.Create(this=schema, kind="TABLE", exists=True)
