"""The statements of warehouse-native state, for engines without cheap row updates or MERGE.

Every table lives in the state schema of the warehouse (``state.schema``, default ``hoist``)
and is named after the activation, ``<name>`` below: the activation's name when it is only
letters, digits and underscores, else ``my.act`` becomes ``my_act_<hash>`` (a dot is a path in
BigQuery), so activations can share a schema:

- ``<name>__journal``: confirmations, append-only. A row holds the JSON text of the attributes
  Intercom confirmed in it (NULL: not part of this confirmation) and ``_forget`` (the company
  was dropped: what came before no longer counts). On engines without DELETE (Spark's Parquet
  tables), where a folded journal cannot be pruned, each compaction starts a fresh journal
  instead, ``<name>__journal_<g>`` beside the snapshot of generation ``g``, so reads cover only
  the confirmations since the last compaction.
- ``<name>__snapshot_<g>``: the compacted state of generation ``g``: per company its Intercom id
  and the last confirmed text of each attribute. Rebuilt whole by ``CREATE TABLE AS``, never
  updated in place.
- ``<name>__meta``: append-only; the row with the highest generation says which snapshot is
  current and through which journal sequence number it is folded. Writing that row is the
  commit point of a compaction, so a crash anywhere leaves either the old or the new state.
- ``<name>__runs`` and ``<name>__record_errors``: the history, append-only.
- ``<name>__missing``: append-only; per company the newest row (by ``seq``) says whether an
  update-only run last did not find it in Intercom (``_found`` false, with the hash of its row
  then) or found it after all (``_found`` true).
- ``<name>__settings``: append-only (key, value) rows, the newest per key wins: the workspace
  state is bound to (`hoist.pipeline.binding`).
- ``<name>__contact_pairs``: append-only events over the contact pairs of a ``contacts:``
  model (``_op``: ``record`` a pair attached or not found at ``checked_at``, ``forget`` one
  pair, ``forget_company`` every pair of a company), replayed in order to read the pairs.

The journal also carries the ``user_count`` Intercom answered with (as text, overlaid like an
attribute), so ``without_contacts`` is counted as with local state.

What Intercom holds = the current snapshot overlaid by the journal rows after its folded
sequence number: per attribute the newest non-null text, cut at the newest ``_forget``.
Statements use only portable SQL (window functions, UNION ALL, CREATE TABLE AS, INSERT,
DELETE) and are rendered for the warehouse's dialect.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from sqlglot import exp

from hoist.diff.fingerprint import FINGERPRINT_COLUMN
from hoist.diff.local import state_column
from hoist.sql.build import column, identifier, literal, table, template

__all__ = [
    "ERROR_COLUMNS",
    "NATIVE_VERSION",
    "PAIR_EVENT_COLUMNS",
    "RUN_COLUMNS",
    "USER_COUNT",
    "NativeTables",
]

#: The schema version of warehouse-native state, recorded in every meta row. 2: confirmations
#: carry the row's fingerprint (``_fp``); a hoist that would append them without it (and so let
#: an older fingerprint stand for values it changed) must refuse the state. 3: a generation's
#: journal may be its own table (``journal_<g>``), which an older hoist would not read.
NATIVE_VERSION: Final = 3

#: The run history's columns, in table order (DuckDB type names; rendered per dialect).
RUN_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("run_id", "VARCHAR"),
    ("started_at", "TIMESTAMP"),
    ("finished_at", "TIMESTAMP"),
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
)
ERROR_COLUMNS: Final = (
    ("run_id", "VARCHAR"),
    ("company_id", "VARCHAR"),
    ("code", "VARCHAR"),
    ("message", "VARCHAR"),
)
_KEY: Final = (("company_id", "VARCHAR"), ("intercom_id", "VARCHAR"))
_JOURNAL: Final = (
    ("seq", "BIGINT"),
    *_KEY,
    ("_forget", "BOOLEAN"),
    (FINGERPRINT_COLUMN, "VARCHAR"),
)
_MISSING: Final = (
    ("seq", "BIGINT"),
    ("company_id", "VARCHAR"),
    ("row_hash", "VARCHAR"),
    ("_found", "BOOLEAN"),
)
_SETTINGS: Final = (("seq", "BIGINT"), ("key", "VARCHAR"), ("value", "VARCHAR"))
#: The contact pair events' columns, in table order.
PAIR_EVENT_COLUMNS: Final[tuple[tuple[str, str], ...]] = (
    ("seq", "BIGINT"),
    ("company_id", "VARCHAR"),
    ("contact_key", "VARCHAR"),
    ("contact_id", "VARCHAR"),
    ("checked_at", "TIMESTAMP"),
    ("_op", "VARCHAR"),
)
#: The journal's column of the `user_count` Intercom answered with (text, like attributes).
USER_COUNT: Final = "user_count"
_META: Final = (
    ("generation", "BIGINT"),
    ("folded_seq", "BIGINT"),
    ("schema_version", "BIGINT"),
    ("compacted_at", "TIMESTAMP"),
)


@dataclass(frozen=True)
class NativeTables:
    """Every statement over one activation's tables in the warehouse schema `schema`."""

    schema: str
    activation: str

    def table(self, name: str) -> exp.Table:
        """The activation's table `name` (``journal``, ``meta``, ``snapshot_3`` ...)."""
        return table(self.name(name), self.schema)

    def name(self, name: str) -> str:
        """The unqualified table name of the activation's table `name`."""
        return f"{_stem(self.activation)}__{name}"

    def create_schema(self) -> exp.Expr:
        """The state schema, if it does not exist (the one write a plan may make)."""
        return exp.Create(this=table(self.schema), kind="SCHEMA", exists=True)

    def create_statements(self) -> list[exp.Expr]:
        """The append-only tables (existing ones are left as they are)."""
        return [
            _create(self.table("journal"), _JOURNAL),
            _create(self.table("meta"), _META),
            _create(self.table("runs"), RUN_COLUMNS),
            _create(self.table("record_errors"), ERROR_COLUMNS),
            _create(self.table("missing"), _MISSING),
            _create(self.table("settings"), _SETTINGS),
            _create(self.table("contact_pairs"), PAIR_EVENT_COLUMNS),
        ]

    def names(self) -> list[str]:
        """The unqualified names of the activation's fixed tables (snapshots aside)."""
        kinds = (
            "journal",
            "meta",
            "runs",
            "record_errors",
            "missing",
            "settings",
            "contact_pairs",
        )
        return [self.name(kind) for kind in kinds]

    def rename(self, old: str, new: str) -> exp.Expr:
        """Rename table `old` of the schema to `new` (moving state aside)."""
        return exp.Alter(
            this=table(old, self.schema),
            kind="TABLE",
            actions=[exp.AlterRename(this=table(new))],
        )

    def missing_relation(self) -> exp.Expr:
        """(company_id, row_hash) of the companies last not found in Intercom."""
        newest = template(
            "SELECT company_id, row_hash, _found, "
            "row_number() OVER (PARTITION BY company_id ORDER BY seq DESC) AS _n FROM $t",
            t=self.table("missing"),
        )
        assert isinstance(newest, exp.Select)
        query = template(
            "SELECT company_id, row_hash FROM $newest AS n WHERE _n = 1 AND NOT _found",
            newest=newest.subquery(),
        )
        assert isinstance(query, exp.Select)
        return query.subquery()

    def max_seq_query(self, name: str) -> exp.Expr:
        """The highest ``seq`` of the activation's table `name` (0: empty)."""
        return template("SELECT coalesce(max(seq), 0) FROM $t", t=self.table(name))

    def pair_events_query(self) -> exp.Expr:
        """Every contact pair event, oldest first."""
        names = [column(name) for name, _ in PAIR_EVENT_COLUMNS[1:]]
        query = exp.select(*names).from_(self.table("contact_pairs"))
        return query.order_by(column("seq"))

    def without_contacts_query(self, relation: exp.Expr) -> exp.Expr:
        """How many companies of `relation` with an Intercom id last had no contact."""
        return template(
            "SELECT count(*) FROM $r AS r WHERE r.intercom_id IS NOT NULL AND r.user_count = '0'",
            r=relation,
        )

    def settings_query(self) -> exp.Expr:
        """Every (key, value) of the settings, oldest first."""
        return template("SELECT key, value FROM $t ORDER BY seq", t=self.table("settings"))

    def tables_query(self) -> exp.Expr:
        """The names of the tables in the state schema."""
        return template(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = $schema",
            schema=literal(self.schema),
        )

    def columns_query(self, name: str) -> exp.Expr:
        """The column names of the activation's table `name`."""
        return template(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = $schema AND table_name = $name",
            schema=literal(self.schema),
            name=literal(self.name(name)),
        )

    def add_column(self, name: str, journal: str = "journal") -> exp.Expr:
        """Give the journal the text column `name` (snapshots gain it when next rebuilt)."""
        return exp.Alter(
            this=self.table(journal),
            kind="TABLE",
            actions=[exp.ColumnDef(this=identifier(name), kind=exp.DataType.build("VARCHAR"))],
        )

    def meta_query(self) -> exp.Expr:
        """The current generation and its folded sequence number (no row: no snapshot yet)."""
        return template(
            "SELECT generation, folded_seq, schema_version FROM $meta "
            "ORDER BY generation DESC, schema_version DESC LIMIT 1",
            meta=self.table("meta"),
        )

    def journal_tail_query(self, folded_seq: int, journal: str = "journal") -> exp.Expr:
        """(rows after `folded_seq`, highest sequence number) of the journal."""
        return template(
            "SELECT count(*), coalesce(max(seq), $f) FROM $j WHERE seq > $f",
            j=self.table(journal),
            f=literal(folded_seq),
        )

    def snapshot_rows_query(self, generation: int) -> exp.Expr:
        """How many companies the snapshot of `generation` holds."""
        return template("SELECT count(*) FROM $s", s=self.table(f"snapshot_{generation}"))

    def snapshot_relation(
        self,
        attributes: Sequence[str],
        generation: int,
        present: set[str],
        extra: Sequence[str] = (),
    ) -> exp.Expr:
        """The snapshot of `generation` alone (no journal to overlay)."""
        names = [*_state_columns(attributes), *extra]
        query = exp.select(
            column("company_id"), column("intercom_id"), *(_or_null(n, present) for n in names)
        )
        return query.from_(self.table(f"snapshot_{generation}")).subquery()

    def relation(
        self,
        attributes: Sequence[str],
        *,
        generation: int | None,
        snapshot_columns: set[str],
        journal_columns: set[str],
        after: int,
        through: int | None = None,
        journal: str = "journal",
        extra: Sequence[str] = (),
    ) -> exp.Expr:
        """What Intercom confirmed: a row per company, a text column per attribute.

        The snapshot of `generation` (None: none yet) overlaid by the journal rows with
        ``after < seq <= through``; attributes a table lacks read as NULL (never recorded).
        The fingerprint (``_fp``) overlays like an attribute: a confirmation that cannot vouch
        for the whole row records '' rather than NULL, so an older fingerprint never outlives it.
        `extra` text columns (``user_count``) overlay the same way.
        """
        names = [*_state_columns(attributes), *extra]
        latest = self._journal_latest(names, journal_columns, after, through, journal)
        if generation is None:
            kept = exp.select(column("company_id"), *(column(n) for n in ["intercom_id", *names]))
            return kept.from_(latest).where(template("NOT _gone")).subquery()
        snapshot = exp.select(
            column("company_id"),
            column("intercom_id"),
            *(_or_null(n, snapshot_columns) for n in names),
        ).from_(self.table(f"snapshot_{generation}"))
        # After a forget, the snapshot's values no longer count: only the journal's do.
        merged = [
            template(
                "CASE WHEN j._forgotten THEN $j ELSE coalesce($j, $s) END",
                j=column(n, "j"),
                s=column(n, "s"),
            ).as_(identifier(n))
            for n in ["intercom_id", *names]
        ]
        query = template(
            "SELECT coalesce(j.company_id, s.company_id) AS company_id "
            "FROM $snapshot AS s FULL JOIN $journal AS j ON s.company_id = j.company_id "
            "WHERE j.company_id IS NULL OR NOT j._gone",
            snapshot=snapshot.subquery(),
            journal=latest,
        )
        assert isinstance(query, exp.Select)
        return query.select(*merged, append=True).subquery()

    def _journal_latest(
        self,
        names: Sequence[str],
        present: set[str],
        after: int,
        through: int | None,
        journal: str,
    ) -> exp.Expr:
        """Per company in the journal, the newest non-null text of each column since its
        newest ``_forget``; ``_forgotten``: there was one (older state is void); ``_gone``:
        nothing came after it (the company is not in state)."""
        window = template("max(CASE WHEN _forget THEN seq END) OVER (PARTITION BY company_id)").as_(
            "_cut"
        )
        rows = exp.select(
            column("seq"),
            column("company_id"),
            column("intercom_id"),
            *(_or_null(n, present) for n in names),
            window,
        ).from_(self.table(journal))
        rows = rows.where(template("seq > $a", a=literal(after)))
        if through is not None:
            rows = rows.where(template("seq <= $t", t=literal(through)))
        live = template(
            "SELECT * FROM $rows AS r WHERE _cut IS NULL OR seq >= _cut", rows=rows.subquery()
        )
        latest = [_newest(n) for n in ["intercom_id", *names]]
        query = template(
            "SELECT company_id, max(_cut) IS NOT NULL AS _forgotten, "
            "max(_cut) IS NOT NULL AND count(*) = 1 AS _gone FROM $live AS l GROUP BY company_id",
            live=_with_ranks(live, ["intercom_id", *names]),
        )
        assert isinstance(query, exp.Select)
        return query.select(*latest, append=True).subquery()

    def drop_snapshot(self, generation: int) -> exp.Expr:
        """Drop the snapshot of `generation`, if it exists."""
        return exp.Drop(tables=[self.table(f"snapshot_{generation}")], kind="TABLE", exists=True)

    def drop_table(self, name: str) -> exp.Expr:
        """Drop the activation's table `name`, if it exists."""
        return exp.Drop(tables=[self.table(name)], kind="TABLE", exists=True)

    def create_empty_like(self, name: str, like: str) -> exp.Expr:
        """The activation's table `name`, empty, with the columns of its table `like`."""
        query = exp.select("*").from_(self.table(like)).where(exp.false())
        return exp.Create(this=self.table(name), kind="TABLE", expression=query)

    def create_snapshot(self, generation: int, relation: exp.Expr) -> exp.Expr:
        """The snapshot of `generation`, built whole from `relation` (CREATE TABLE AS)."""
        query = exp.select("*").from_(relation.copy())
        return exp.Create(this=self.table(f"snapshot_{generation}"), kind="TABLE", expression=query)

    def meta_insert(self, generation: int, folded_seq: int) -> exp.Expr:
        """The commit point of a compaction: `generation` is current through `folded_seq`."""
        return template(
            "INSERT INTO $meta (generation, folded_seq, schema_version, compacted_at) "
            "VALUES ($g, $f, $v, CURRENT_TIMESTAMP)",
            meta=self.table("meta"),
            g=literal(generation),
            f=literal(folded_seq),
            v=literal(NATIVE_VERSION),
        )

    def prune_journal(self, folded_seq: int) -> exp.Expr:
        """Delete journal rows a committed snapshot holds (optional housekeeping)."""
        return template(
            "DELETE FROM $j WHERE seq <= $f", j=self.table("journal"), f=literal(folded_seq)
        )

    def errors_query(self, run_id: str) -> exp.Expr:
        """The record errors of one run (company_id, code, message)."""
        query = exp.select(*(column(c) for c, _ in ERROR_COLUMNS[1:]))
        query = query.from_(self.table("record_errors"))
        return query.where(template("run_id = $r", r=literal(run_id)))

    def runs_query(self, limit: int) -> exp.Expr:
        """The newest `limit` runs."""
        query = exp.select(*(column(name) for name, _ in RUN_COLUMNS)).from_(self.table("runs"))
        return query.order_by(exp.Ordered(this=column("started_at"), desc=True)).limit(limit)


def _stem(activation: str) -> str:
    """`activation` as a table-name prefix every engine accepts (BigQuery reads a dot in a
    quoted name as a path): letters, digits and underscores, plus a short hash when that
    changed the name, so two activations never share tables."""
    if re.fullmatch(r"[A-Za-z0-9_]+", activation):
        return activation
    digest = hashlib.sha1(activation.encode()).hexdigest()[:8]
    return f"{re.sub(r'[^A-Za-z0-9_]', '_', activation)}_{digest}"


def _create(target: exp.Table, columns: Sequence[tuple[str, str]]) -> exp.Expr:
    schema = exp.Schema(
        this=target,
        expressions=[
            exp.ColumnDef(this=identifier(c), kind=exp.DataType.build(kind, dialect="duckdb"))
            for c, kind in columns
        ],
    )
    return exp.Create(this=schema, kind="TABLE", exists=True)


def _state_columns(attributes: Sequence[str]) -> list[str]:
    """The per-company text columns of state: one per attribute, then the fingerprint."""
    return [*(state_column(a) for a in attributes), FINGERPRINT_COLUMN]


def _or_null(name: str, present: set[str]) -> exp.Expr:
    if name in present:
        return column(name)
    return exp.cast(exp.null(), "VARCHAR").as_(identifier(name))


def _rank(name: str) -> str:
    return f"_r:{name}"


def _with_ranks(live: exp.Expr, names: Sequence[str]) -> exp.Expr:
    """`live` plus, per column, the rank of each row among the company's rows by recency,
    non-null values first (rank 1 = the newest non-null text)."""
    ranks = [
        template(
            "row_number() OVER (PARTITION BY company_id "
            "ORDER BY CASE WHEN $c IS NULL THEN 1 ELSE 0 END, seq DESC)",
            c=column(n),
        ).as_(identifier(_rank(n)))
        for n in names
    ]
    assert isinstance(live, exp.Select)
    return exp.select("*", *ranks).from_(live.subquery()).subquery()


def _newest(name: str) -> exp.Expr:
    newest = template("max(CASE WHEN $r = 1 THEN $c END)", r=column(_rank(name)), c=column(name))
    return newest.as_(identifier(name))
