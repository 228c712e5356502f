"""`hoist serve` follows the project's files: a definition saved in the UI, changed in an editor
or by a `git pull` applies within seconds, schedules included, without a restart.

`ProjectWatch` notices a change by the files' names, sizes and modification times (hoist.yml,
``activations/*.yml``, ``segments/*.yml``): cheap enough to look every second. `follow` then
loads the activations again and hands them to the `Service`; a project that does not load at
that moment (a file half written, a typo) keeps the schedules held until it loads again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from hoist.config import ActivationConfig
from hoist.errors import HoistError
from hoist.project import PROJECT_FILE, ProjectError, load_project
from hoist.schedule.service import Service

__all__ = ["ProjectWatch", "follow", "project_activations", "serve_following"]

log = logging.getLogger("hoist.schedule")

#: Seconds between two looks at the files.
INTERVAL_S = 1.0
_FOLDERS = ("activations", "segments")

Signature = frozenset[tuple[str, int, int]]


class ProjectWatch:
    """The project's definition files as last seen; `changed` says whether they moved since."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._seen = self.signature()

    def signature(self) -> Signature:
        """(file, size, mtime in ns) of every definition file of the project."""
        files = [self.root / PROJECT_FILE]
        for folder in _FOLDERS:
            for pattern in ("*.yml", "*.yaml"):
                files += (self.root / folder).glob(pattern)
        found = set()
        for file in files:
            with contextlib.suppress(OSError):  # gone between the listing and the look
                stat = file.stat()
                found.add((str(file), stat.st_size, stat.st_mtime_ns))
        return frozenset(found)

    def changed(self) -> bool:
        """Whether a file was added, removed or written since the last call."""
        now = self.signature()
        if now == self._seen:
            return False
        self._seen = now
        return True


def project_activations(root: Path) -> list[ActivationConfig]:
    """Every activation of the project in `root` that loads; the others are logged (the UI
    shows their problems). Raises `ProjectError` when the project itself cannot be read."""
    project = load_project(root)
    configs = []
    for name in project.activations:
        try:
            configs.append(project.activations[name])
        except ProjectError as exc:
            log.warning("%s: not scheduled: %s", name, exc)
    return configs


async def follow(
    service: Service,
    watch: ProjectWatch,
    stop: asyncio.Event,
    load: Callable[[], Sequence[ActivationConfig]],
    *,
    interval_s: float = INTERVAL_S,
) -> None:
    """Until `stop`: when the project's files change, schedule what `load` returns."""
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval_s)
        if stop.is_set() or not await asyncio.to_thread(watch.changed):
            continue
        try:
            configs = await asyncio.to_thread(load)
        except HoistError as exc:
            log.warning("the project does not load; schedules kept as they were: %s", exc)
            continue
        log.info("the project's files changed: schedules reloaded")
        service.update(configs)


async def serve_following(service: Service, root: Path, stop: asyncio.Event) -> None:
    """Run `service`'s schedules until `stop`, following the project in `root` as it changes."""
    watch = ProjectWatch(root)
    await asyncio.gather(
        service.serve(stop, idle=True),
        follow(service, watch, stop, lambda: project_activations(root)),
    )
