"""Helpers for tests: a real-HTTP emulator in a thread, or the app in-process."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx

from hoist.emulator.config import EmulatorConfig
from hoist.emulator.emulator import Emulator
from hoist.emulator.intercom_routes import create_app
from hoist.emulator.uvicorn_server import BackgroundServer

__all__ = ["EmulatorHandle", "FakeClock", "asgi_transport", "running_emulator"]


class FakeClock:
    """A settable Unix clock for `Emulator(clock=...)`: test windows and expiry without sleeping."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move time forward."""
        self.now += seconds


@dataclass(frozen=True)
class EmulatorHandle:
    """A running emulator: where to reach it and its in-process state."""

    base_url: str
    emulator: Emulator


@contextmanager
def running_emulator(
    config: EmulatorConfig | None = None, **kwargs: Any
) -> Iterator[EmulatorHandle]:
    """Serve an emulator over real HTTP on 127.0.0.1 for the duration of the block.

    `kwargs` are `EmulatorConfig` fields (merged over `config`), or `clock=` for the `Emulator`.
    """
    clock = kwargs.pop("clock", None)
    config = (config or EmulatorConfig()).replace(**kwargs)
    emulator = Emulator(config) if clock is None else Emulator(config, clock=clock)
    with BackgroundServer(emulator) as server:
        yield EmulatorHandle(server.base_url, emulator)


def asgi_transport(emulator: Emulator | None = None) -> httpx.ASGITransport:
    """An httpx transport that calls the emulator app in-process (no sockets)."""
    return httpx.ASGITransport(app=create_app(emulator or Emulator()))
