"""A loaded project: its definitions validated on use and resolved into complete configs.

Each definition is validated the first time it is asked for, so running one activation needs
only its own destination's token in the environment; `Project.problems` validates them all.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from hoist.config import (
    ActivationConfig,
    ActivationDefinition,
    AlertConfig,
    ContactsConfig,
    ContactsDefinition,
    DestinationConfig,
    ModelConfig,
    ModelDefinition,
    OwnerDefinition,
    SegmentConfig,
    SegmentDefinition,
    SourceConfig,
    SourceDefinition,
    StateConfig,
    StateDefinition,
    SyncConfig,
    anchored,
    describe_errors,
    substitute,
    written_secrets,
)
from hoist.errors import ConfigError
from hoist.project._problems import Problem, ProjectError
from hoist.project.discovery import KINDS, PROJECT_FILE, Definition, find_project, read_definitions
from hoist.suggest import did_you_mean

__all__ = ["Project", "load_project"]

T = TypeVar("T")
_Sections = Mapping[tuple[str, ...], type[BaseModel]]


def load_project(
    path: str | Path | None = None, *, environ: Mapping[str, str] | None = None
) -> Project:
    """The project in `path` (a folder or its hoist.yml); default: found from the cwd upwards.

    Raises `ConfigError` when there is no project, `ProjectError` when its files cannot be read.
    """
    root = _root(path)
    return Project(root, read_definitions(root), os.environ if environ is None else environ)


def _root(path: str | Path | None) -> Path:
    if path is None:
        found = find_project()
        if found is None:
            raise ConfigError(
                f"no {PROJECT_FILE} here or in any folder above {Path.cwd()}; run hoist inside "
                "a project, pass --project DIR, or create one with hoist init"
            )
        return found
    given = Path(path).expanduser().absolute()
    root = given.parent if given.name == PROJECT_FILE else given
    if not (root / PROJECT_FILE).is_file():
        raise ConfigError(f"{root} holds no {PROJECT_FILE}; give the folder of a project")
    return root


class Definitions(Mapping[str, T]):
    """Definitions of one kind by name, each validated and resolved when first read."""

    def __init__(self, names: list[str], resolve: Callable[[str], T]) -> None:
        self._names = names
        self._resolve = resolve
        self._done: dict[str, T] = {}

    def __getitem__(self, name: str) -> T:
        if name not in self._names:
            raise KeyError(name)
        if name not in self._done:
            self._done[name] = self._resolve(name)
        return self._done[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


class Project:
    """A folder with hoist.yml: named destinations, sources, segments and activations.

    ``project.activations[name]`` is a complete `ActivationConfig` (raising `ProjectError`
    with that activation's problems); ``project.problems()`` lists every problem of every
    definition, without touching the warehouse.
    """

    def __init__(
        self,
        root: Path,
        definitions: dict[str, dict[str, Definition]],
        environ: Mapping[str, str],
    ) -> None:
        self.root = root
        self.file = root / PROJECT_FILE
        self._definitions = definitions
        self._environ = environ
        self.destinations: Definitions[DestinationConfig] = self._kind(
            "destinations", self._destination
        )
        self.sources: Definitions[SourceConfig] = self._kind("sources", self._source)
        self.segments: Definitions[SegmentConfig] = self._kind("segments", self._segment)
        self.activations: Definitions[ActivationConfig] = self._kind(
            "activations", self._activation
        )

    def _kind(self, kind: str, resolve: Callable[[Definition], T]) -> Definitions[T]:
        defined = self._definitions[kind]
        return Definitions(list(defined), lambda name: resolve(defined[name]))

    def activation(self, name: str) -> ActivationConfig:
        """The activation `name`; a `ConfigError` naming the known ones when there is none."""
        return self.activations[self._known("activations", name)]

    def segment(self, name: str) -> SegmentConfig:
        """The segment `name`; a `ConfigError` naming the known ones when there is none."""
        return self.segments[self._known("segments", name)]

    def _known(self, kind: str, name: str) -> str:
        if name in self._definitions[kind]:
            return name
        raise ProjectError([self._missing(kind, name, self.file, kind)])

    @property
    def owner(self) -> OwnerDefinition | None:
        """Who answers for the project (``owner:`` in hoist.yml), if it says."""
        definition = self._definitions.get("settings", {}).get("owner")
        if definition is None:
            return None
        return _validated(definition, OwnerDefinition, self._environ)

    def problems(self) -> list[Problem]:
        """Every problem of every definition, each once, in the order of the files."""
        found: dict[Problem, None] = {}
        try:
            self.owner  # noqa: B018 - validates it
        except ProjectError as exc:
            found.update(dict.fromkeys(exc.problems))
        for kind in KINDS:
            mapping: Mapping[str, Any] = getattr(self, kind)
            for name in mapping:
                try:
                    mapping[name]
                except ProjectError as exc:
                    found.update(dict.fromkeys(exc.problems))
        return list(found)

    # -- resolving one definition ----------------------------------------------------------

    def _destination(self, definition: Definition) -> DestinationConfig:
        _refuse_written_secrets(definition)
        return _validated(definition, DestinationConfig, self._environ)

    def _source(self, definition: Definition) -> SourceConfig:
        _refuse_written_secrets(definition)
        # Relative paths mean "in the project folder", wherever the definition is written.
        data = anchored(definition.data, self.root)
        holder = _validated(
            Definition(definition.kind, definition.name, {"source": data}, definition.file),
            _SourceHolder,
            self._environ,
            strip="source",
        )
        return holder.source

    def _segment(self, definition: Definition) -> SegmentConfig:
        written = _validated(definition, SegmentDefinition, self._environ)
        source = self._reference(definition, "source", written.source)
        return SegmentConfig.model_validate(
            {
                "name": definition.name,
                "file": definition.file,
                "source": source,
                "from": written.from_,
                "where": written.where,  # validated already: kept as it is
            }
        )

    def _activation(self, definition: Definition) -> ActivationConfig:
        try:
            written = _validated(
                definition, ActivationDefinition, self._environ, sections=_ACTIVATION
            )
        except ProjectError as exc:
            # Report broken references too, so one validate lists everything to fix.
            raise ProjectError([*exc.problems, *self._dangling(definition)]) from None
        problems: list[Problem] = []
        model, segment_source = self._model(definition, written.model, problems)
        source = self._activation_source(definition, written, segment_source, problems)
        destination = self._collect(
            problems, lambda: self._reference(definition, "destination", written.destination)
        )
        contacts = self._contacts(definition, written.contacts, source, problems)
        if problems or source is None or destination is None or model is None:
            raise ProjectError(problems)
        return ActivationConfig(
            name=definition.name,
            source=source,
            model=model,
            destination=destination,
            sync=written.sync,
            state=self._state(definition.name, written.state),
            schedule=written.schedule,
            timezone=written.timezone,
            alerts=written.alerts,
            file=definition.file,
            contacts=contacts,
        )

    def _dangling(self, definition: Definition) -> list[Problem]:
        """Names in an activation (as written) that refer to nothing."""
        data = definition.data
        model = data.get("model")
        refs = [("source", data.get("source")), ("destination", data.get("destination"))]
        refs.append(("model.segment", model.get("segment") if isinstance(model, Mapping) else None))
        contacts = data.get("contacts")
        pairs = contacts.get("model") if isinstance(contacts, Mapping) else None
        segment = pairs.get("segment") if isinstance(pairs, Mapping) else None
        refs.append(("contacts.model.segment", segment))
        problems = []
        for key, name in refs:
            kind = _KIND_OF[key]
            if isinstance(name, str) and name not in self._definitions[kind]:
                problems.append(
                    self._missing(kind, name, definition.file, f"{definition.key}.{key}")
                )
        return problems

    def _model(
        self,
        definition: Definition,
        model: ModelDefinition,
        problems: list[Problem],
        key: str = "model.segment",
    ) -> tuple[ModelConfig | None, SourceConfig | None]:
        if model.segment is None:
            return ModelConfig(sql=model.sql, table=model.table, dbt=model.dbt), None
        name = model.segment
        segment = self._collect(problems, lambda: self._reference(definition, key, name))
        if segment is None:
            return None, None
        return ModelConfig(segment=segment), segment.source

    def _contacts(
        self,
        definition: Definition,
        written: ContactsDefinition | None,
        source: SourceConfig | None,
        problems: list[Problem],
    ) -> ContactsConfig | None:
        """The contacts config, its segment resolved; it must read the activation's source."""
        if written is None:
            return None
        key = "contacts.model.segment"
        model, segment_source = self._model(definition, written.model, problems, key)
        if segment_source is not None and source is not None and segment_source != source:
            message = (
                f"segment {written.model.segment!r} reads another source than the activation; "
                "the contacts model is read from the activation's source: name a segment of "
                "that source, or use contacts.model.sql / contacts.model.table"
            )
            problems.append(Problem(definition.file, f"{definition.key}.{key}", message))
        if model is None:
            return None
        keys = written.model_dump(exclude={"model"})
        return ContactsConfig.model_validate({**keys, "model": model})

    def _activation_source(
        self,
        definition: Definition,
        written: ActivationDefinition,
        segment_source: SourceConfig | None,
        problems: list[Problem],
    ) -> SourceConfig | None:
        key = f"{definition.key}.source"
        if written.source is None:
            if segment_source is None and written.model.segment is None:
                problems.append(
                    Problem(
                        definition.file,
                        key,
                        "is required; name a source of the project, e.g. source: warehouse",
                    )
                )
            return segment_source
        name = written.source
        source = self._collect(problems, lambda: self._reference(definition, "source", name))
        if source is not None and segment_source is not None and source != segment_source:
            segment = written.model.segment
            message = (
                f"differs from the source of segment {segment!r}; remove it (an activation "
                "of a segment reads the segment's source)"
            )
            problems.append(Problem(definition.file, key, message))
        return source

    def _state(self, name: str, state: StateDefinition) -> StateConfig:
        path = state.path if state.path is not None else Path(".hoist") / f"{name}.duckdb"
        return StateConfig(
            path=anchored({"path": path}, self.root)["path"],
            memory_limit=state.memory_limit,
            in_warehouse=state.in_warehouse,
            schema=state.schema_name,
        )

    def _reference(self, definition: Definition, key: str, name: str) -> Any:
        """What `name` (written at `key` of `definition`) refers to, resolved."""
        kind = _KIND_OF[key]
        mapping: Mapping[str, Any] = getattr(self, kind)
        if name not in mapping:
            raise ProjectError(
                [self._missing(kind, name, definition.file, f"{definition.key}.{key}")]
            )
        return mapping[name]

    def _missing(self, kind: str, name: str, file: Path, key: str) -> Problem:
        known = list(self._definitions[kind])
        if not known:
            return Problem(
                file,
                key,
                f"no {kind[:-1]} named {name!r}: the project defines no {kind}; "
                f"add one under {kind} in {PROJECT_FILE}",
            )
        hint = did_you_mean(name, known)
        return Problem(
            file,
            key,
            f"no {kind[:-1]} named {name!r};{hint} the project's {kind}: {', '.join(known)}",
        )

    @staticmethod
    def _collect(problems: list[Problem], resolve: Callable[[], T]) -> T | None:
        try:
            return resolve()
        except ProjectError as exc:
            problems.extend(exc.problems)
            return None


class _SourceHolder(BaseModel):
    """Validates a source under the key ``source``, which the loader knows to untag."""

    source: SourceDefinition


#: The kind of definition each reference of an activation names.
_KIND_OF = {
    "source": "sources",
    "destination": "destinations",
    "model.segment": "segments",
    "contacts.model.segment": "segments",
}

_ACTIVATION: _Sections = {
    (): ActivationDefinition,
    ("model",): ModelDefinition,
    ("sync",): SyncConfig,
    ("state",): StateDefinition,
    ("alerts",): AlertConfig,
    ("contacts",): ContactsDefinition,
    ("contacts", "model"): ModelDefinition,
}

M = TypeVar("M", bound=BaseModel)


def _validated(
    definition: Definition,
    model: type[M],
    environ: Mapping[str, str],
    *,
    sections: _Sections | None = None,
    strip: str = "",
) -> M:
    """`definition` with ``${VAR}`` substituted, validated as `model`; problems under its key."""
    data, missing, secrets = substitute(definition.data, environ)
    problems = [(key, f"set {name} in the environment") for key, name in missing]
    if not problems:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            problems = describe_errors(exc, secrets, sections or {(): model})
    raise ProjectError(
        Problem(definition.file, _under(definition.key, key, strip), message)
        for key, message in problems
    )


def _refuse_written_secrets(definition: Definition) -> None:
    """A password or token written into a project file (kept in Git) is refused."""
    problems = written_secrets(definition.kind, definition.data)
    if problems:
        raise ProjectError(
            Problem(definition.file, f"{definition.key}.{key}", message)
            for key, message in problems
        )


def _under(prefix: str, key: str, strip: str) -> str:
    """`key` (relative to a definition) as a key of the project: ``activations.NAME.sync``."""
    if strip and (key == strip or key.startswith(f"{strip}.")):
        key = key[len(strip) + 1 :]
    return f"{prefix}.{key}" if key else prefix
