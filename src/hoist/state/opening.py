"""`open_state(config)`: the one place that knows which kind of state an activation keeps.

A run reads its model and checks it before state is opened, locked or created, and the two
kinds read differently (local state streams the whole model out of the source; native state
asks the warehouse for the model's columns only and diffs there). So `open_state` returns a
`StateKind`: how to read the model, then how to open the `StateBackend` itself.
`opened_state` is the short way for callers that only read or append history.

Turning `state.in_warehouse` on or off without `--reset-state` is refused when the state a run
opens holds no deliveries while the other kind does. Deliveries, not a file or tables that
exist: a failed attempt creates state to record itself, and delivers nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, Protocol, TypeVar

import pyarrow as pa

from hoist.config import ActivationConfig
from hoist.diff import in_warehouse as native_diff
from hoist.errors import ConfigError, SourceError, StateError, StateLockedError
from hoist.offload import in_daemon_thread
from hoist.sources import open_source
from hoist.sql.build import render
from hoist.state.contract import StateBackend
from hoist.state.lock import acquire_lock, release_lock
from hoist.state.native import (
    NativeStateStore,
    Warehouse,
    holds_native_deliveries,
    holds_native_state,
    native_store,
)
from hoist.state.reset import move_state_aside
from hoist.state.store import StateStore

__all__ = ["ModelRead", "StateKind", "open_state", "opened_state", "read_state", "reset_state"]

T = TypeVar("T")


@dataclass(frozen=True)
class ModelRead:
    """The model as a kind of state reads it before the diff: its columns, maybe its rows."""

    sql: str
    schema: pa.Schema
    #: The rows, streaming (local state diffs them locally); None: the warehouse diffs them.
    reader: pa.RecordBatchReader | None = None


class StateKind(Protocol):
    """How an activation keeps state: read the model, then open the state backend."""

    #: Whether the source opens read-write (native state writes its tables there).
    writable_source: bool

    async def check_source(self, source: Any, command: str) -> None:
        """Refuse a source this state cannot use, or local state switched without a reset."""
        ...

    async def read_model(self, source: Any, sql: str) -> ModelRead:
        """The model's columns (and, where the diff is local, its rows)."""
        ...

    async def open(self, source: Any, *, read_only: bool, command: str) -> StateBackend:
        """Open (writers: create and lock) the activation's state; refuse native state
        switched without a reset."""
        ...

    def problem(self) -> str | None:
        """Why the state cannot be used now, checked without opening it (readiness), or None."""
        ...


def open_state(config: ActivationConfig) -> StateKind:
    """The kind of state `config` keeps: a local DuckDB file, or tables in its warehouse."""
    if config.state.in_warehouse:
        return _Native(config)
    return _Local(config)


class _Local:
    """State in a local DuckDB file: the model streams out of the source into the diff."""

    writable_source = False

    def __init__(self, config: ActivationConfig) -> None:
        self.config = config

    async def check_source(self, source: Any, command: str) -> None:
        """Refuse to start local state from nothing while the warehouse's native state of this
        activation holds what earlier runs delivered (state.in_warehouse was turned off):
        every company would be sent again.

        Asked of what each state holds, not whether it exists (a failed first attempt creates
        state to record itself, and delivers nothing); and before the model streams, as the
        warehouse's answer comes over the same connection.
        """
        if await asyncio.to_thread(_local_deliveries, self.config):
            return
        state = self.config.state
        held = await in_daemon_thread(
            holds_native_deliveries,
            source,
            state.schema_name,
            self.config.name,
            name="hoist-check",
        )
        if not held:
            return
        raise StateError(
            f"state.in_warehouse is off, but schema {state.schema_name!r} of the warehouse "
            f"holds what earlier runs of this activation delivered, and the local state file "
            f"{state.path} holds none; a run would send every company again. To start local "
            f"state over, run `hoist run {command} --reset-state` (the warehouse's tables are "
            "moved aside, not deleted); to keep the warehouse's state, set "
            "state.in_warehouse: true again"
        )

    async def read_model(self, source: Any, sql: str) -> ModelRead:
        """Start streaming the model (off the loop: Ctrl-C still stops a silent warehouse)."""
        reader = await in_daemon_thread(source.read, sql, name="hoist-model-query")
        return ModelRead(sql, reader.schema, reader)

    async def open(self, source: Any, *, read_only: bool, command: str) -> StateBackend:
        """The local state file, opened in a worker thread: it cannot hang, but opening (DuckDB's
        start, checks, migrations) takes 0.1-0.4 s that would stall `hoist serve`'s event loop,
        shared by every activation and the UI (the soak's loop lag came mostly from here)."""
        del source, command
        state = self.config.state
        return await asyncio.to_thread(
            StateStore.open, state.path, read_only=read_only, memory_limit=state.memory_limit
        )

    def problem(self) -> str | None:
        """The state file (or its folder, before the first run) not readable and writable."""
        path = self.config.state.path
        if path.exists():
            if not os.access(path, os.R_OK | os.W_OK):
                return f"cannot read and write its state file {path}; check its permissions"
            return None
        folder = path.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            return f"cannot create its state file in {folder}; create the folder or fix permissions"
        return None


class _Native:
    """State in the source warehouse: the warehouse diffs, only changed rows leave it."""

    writable_source = True

    def __init__(self, config: ActivationConfig) -> None:
        self.config = config

    async def check_source(self, source: Any, command: str) -> None:
        """Refuse a source that cannot hold state (a contacts model is fine: pairs are kept)."""
        del command
        if not isinstance(source, Warehouse):
            raise ConfigError(
                f"state.in_warehouse is not available for source type "
                f"{self.config.source.type!r}; remove it to keep state in a local file",
                file=str(self.config.file),
                key="state.in_warehouse",
            )

    async def read_model(self, source: Any, sql: str) -> ModelRead:
        """Only the model's columns: every statement before sending runs off the loop."""
        schema_sql = render(native_diff.schema_query(sql, source.dialect), source.dialect)
        reader = await in_daemon_thread(source.read, schema_sql, name="hoist-model-query")
        return ModelRead(sql, reader.schema)

    async def open(self, source: Any, *, read_only: bool, command: str) -> StateBackend:
        """The activation's tables in the warehouse, checked not to start from nothing while
        a local state file holds what earlier runs delivered; opened and checked off the loop
        (the warehouse may stop answering)."""
        opening = partial(self._open_checked, source, read_only=read_only, command=command)
        return await in_daemon_thread(opening, name="hoist-state-open")

    def _open_checked(self, source: Any, *, read_only: bool, command: str) -> NativeStateStore:
        state, config = self.config.state, self.config
        store = NativeStateStore.open(
            source,
            state.schema_name,
            config.name,
            read_only=read_only,
            lock_path=state.path,
            memory_limit=state.memory_limit,
        )
        try:
            _check_not_switched(config, store, command)
        except BaseException:
            store.close()
            raise
        return store

    def problem(self) -> str | None:
        """None: the warehouse is reached when a run starts, not by readiness checks."""
        return None


def _check_not_switched(config: ActivationConfig, store: NativeStateStore, command: str) -> None:
    """Refuse to start warehouse-native state from nothing while a local state file holds what
    earlier runs delivered: that would silently send every company again."""
    local = config.state.path
    if store.holds_deliveries() or not _local_deliveries(config):
        return
    raise StateError(
        f"state.in_warehouse is on, but the warehouse holds no state for this activation while "
        f"the local state file {local} holds what earlier runs delivered; a run would send "
        f"every company again. To start the warehouse's state over, run `hoist run "
        f"{command} --reset-state` (the local file is moved aside, not deleted); to "
        "keep the local state, remove state.in_warehouse"
    )


def _local_deliveries(config: ActivationConfig) -> bool:
    """Whether the local state file records companies earlier runs delivered. A file that
    holds only a run history (a failed first attempt creates one to record itself) does not
    count; opened read-only, so it takes no lock and creates nothing."""
    state = config.state
    if not state.path.is_file():
        return False
    try:
        with StateStore.open(state.path, read_only=True, memory_limit=state.memory_limit) as local:
            return local.holds_deliveries()
    except StateLockedError:
        # A run holds the file: it was used, and opening it for this run fails anyway, with
        # the lock's own message (the run in progress and its pid).
        return True


@contextlib.contextmanager
def opened_state(config: ActivationConfig, *, read_only: bool) -> Iterator[StateBackend]:
    """The activation's state, opened outside a run (history, verify, serve's records)."""
    if config.state.in_warehouse:
        with native_store(config, read_only=read_only) as native:
            yield native
        return
    state = config.state
    with StateStore.open(state.path, read_only=read_only, memory_limit=state.memory_limit) as local:
        yield local


def read_state(config: ActivationConfig, read: Callable[[StateBackend], T]) -> T:
    """`read(state)` over the activation's state, opened read-only."""
    with opened_state(config, read_only=True) as store:
        return read(store)


def reset_state(config: ActivationConfig) -> Path | str | None:
    """Move the activation's state aside (never deleted) so the next run starts over.

    Both kinds go aside: the local file, and the warehouse's tables (of native state, or of
    native state left from before `state.in_warehouse` was turned off). Returns where the
    old state went (None: there was none).
    """
    local = move_state_aside(config.state.path)
    if config.state.in_warehouse:
        moved = _warehouse_reset(config)
        if local is not None:
            moved = f"{moved} and {local}" if moved else str(local)
        return moved
    if not _holds_native_state(config):
        return local
    moved = _warehouse_reset(config)
    return f"{moved} and {local}" if local and moved else moved or local


def _holds_native_state(config: ActivationConfig) -> bool:
    try:
        # Writable, as the reset that may follow opens it: one configuration per DuckDB file.
        with open_source(config.source, file=str(config.file), writable=True) as source:
            return holds_native_state(source, config.state.schema_name, config.name)
    except SourceError:  # unreachable now: the next run asks again before it starts over
        return False


def _warehouse_reset(config: ActivationConfig) -> str | None:
    lock = acquire_lock(config.state.path)  # never from under a run in progress
    try:
        with native_store(config, read_only=True) as store:
            moved = store.move_aside(datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    finally:
        release_lock(lock)
    if not moved:
        return None
    return f"tables {', '.join(moved)} of schema {config.state.schema_name!r}"
