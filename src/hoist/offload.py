"""Run a blocking call (a warehouse commit) off the event loop, in a thread that never holds
the process up.

`asyncio.to_thread` uses the loop's executor, whose threads the interpreter joins at exit: a
call stuck on a warehouse that stopped answering would keep a stopped run alive for ever. Here
each call gets a daemon thread, so the loop keeps handling signals while the call blocks, the
caller may stop waiting (cancel), and the process can exit even if the call never returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["in_daemon_thread"]

T = TypeVar("T")


async def in_daemon_thread(call: Callable[..., T], *args: Any, name: str = "hoist-call") -> T:
    """`call(*args)` in a daemon thread; its result or exception. Cancelling stops the wait,
    not the call: the caller must not use what the call uses until it has returned."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(result: T | None, error: BaseException | None) -> None:
        if future.done():  # the caller stopped waiting
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(result)  # type: ignore[arg-type]

    def target() -> None:
        try:
            result, error = call(*args), None
        except BaseException as exc:  # handed to the caller, whatever it is
            result, error = None, exc
        with contextlib.suppress(RuntimeError):  # the loop has closed: nobody is waiting
            loop.call_soon_threadsafe(settle, result, error)

    threading.Thread(target=target, name=name, daemon=True).start()
    return await future
