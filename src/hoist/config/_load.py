"""Reading an activation file: YAML, ``${VAR}`` substitution, validation, one clear error.

Every problem found by validation is reported together in one `ConfigError` (capped), each line
naming the dotted key and the fix. Values read from the environment never appear in a message:
they may be the token, and messages end up in logs and CI output.
"""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from hoist.config._schedule import AlertConfig
from hoist.config._schema import (
    ActivationConfig,
    ContactsConfig,
    DestinationConfig,
    ModelConfig,
    StateConfig,
    SyncConfig,
)
from hoist.config._segment import NOT_A_CONDITION
from hoist.config._yaml import YamlLimitError, read_yaml_file
from hoist.errors import ConfigError
from hoist.secret import redact
from hoist.sources.registry import SOURCE_MODELS, SOURCE_TYPES
from hoist.sources.shared_config import DbtProject, written_password
from hoist.suggest import did_you_mean

__all__ = [
    "config_error",
    "describe_errors",
    "dotted_key",
    "load_activation",
    "parse_activation",
    "substitute",
    "written_secrets",
    "yaml_problem",
]

_MAX_SHOWN = 20
# ${VAR} or ${VAR:-default}; $${VAR} stands for a literal ${VAR}.
_VARIABLE = re.compile(r"\$(\$)?\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")

_SECTIONS: dict[tuple[str, ...], type[BaseModel]] = {
    (): ActivationConfig,
    ("model",): ModelConfig,
    ("destination",): DestinationConfig,
    ("sync",): SyncConfig,
    ("state",): StateConfig,
    ("alerts",): AlertConfig,
    ("contacts",): ContactsConfig,
    ("contacts", "model"): ModelConfig,
}
# The keys allowed under `source` depend on its type.
_SOURCE_SECTIONS: dict[str, type[BaseModel]] = SOURCE_MODELS
_REQUIRED = {
    "name": "name the activation, e.g. name: companies-to-intercom",
    "source": "add a source, e.g. source: {type: duckdb, path: warehouse.duckdb}",
    "source.path": "give the warehouse file (relative to the activation file)",
    "source.url": "give the connection URL, e.g. postgresql://user:${PGPASSWORD}@host:5432/db",
    "source.project": "name the Google Cloud project that runs the queries",
    "source.dbt.project_dir": "give the dbt project's folder (the one holding dbt_project.yml)",
    "model": "add model: {sql: select ...} or model: {table: schema.table}",
    "destination": "add destination: {type: intercom, access_token: ${INTERCOM_ACCESS_TOKEN}}",
    "destination.access_token": "add access_token: ${INTERCOM_ACCESS_TOKEN}",
    "sync": "add a sync section with at least company_id",
    "sync.company_id": "name the column holding the Intercom company_id",
    "contacts.model": "add model: {sql: select account_id, email from ...} or model: {table: ...}",
    "contacts.company_id": "name the column holding the company_id each contact belongs to",
    "contacts.match": "say how contacts are found in Intercom: match: email or external_id",
    "contacts.column": "name the column holding each contact's email or external_id",
}


def load_activation(
    path: str | Path, *, environ: Mapping[str, str] | None = None
) -> ActivationConfig:
    """Read, substitute and validate the activation file at `path`.

    Raises `ConfigError` naming the file (and the key) for any problem.
    """
    file = Path(path).expanduser().absolute()
    try:
        data = read_yaml_file(file)
    except FileNotFoundError:
        raise ConfigError("activation file not found; check the path", file=str(file)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read the activation file: {exc}", file=str(file)) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"not valid YAML: {yaml_problem(exc)}", file=str(file)) from None
    if not isinstance(data, Mapping):
        raise ConfigError(
            f"the file must hold a mapping of keys (name, source, model, destination, sync), "
            f"not {'nothing' if data is None else type(data).__name__}",
            file=str(file),
        )
    return parse_activation(data, file=file, environ=environ)


def parse_activation(
    data: Mapping[str, Any], *, file: Path, environ: Mapping[str, str] | None = None
) -> ActivationConfig:
    """Validate an activation already parsed from `file` (which anchors relative paths)."""
    file = Path(file).expanduser().absolute()
    environ = os.environ if environ is None else environ
    if "file" in data:
        raise ConfigError("unknown key; remove it", file=str(file), key="file")
    _refuse_written_password(data, file)
    substituted, missing, secrets = substitute(data, environ)
    if missing:
        raise config_error([(key, f"set {name} in the environment") for key, name in missing], file)
    problems: list[tuple[str, str]] = []
    try:
        return ActivationConfig.model_validate({**substituted, "file": file})
    except ValidationError as exc:
        # Formatted outside the except block: the ValidationError shows input values (the
        # token among them) and must not travel along as __context__.
        problems = describe_errors(exc, secrets)
    raise config_error(problems, file)


def _refuse_written_password(data: Mapping[str, Any], file: Path) -> None:
    # Checked before substitution: only here is a ${VAR} told apart from its value.
    source = data.get("source")
    url = source.get("url") if isinstance(source, Mapping) else None
    if isinstance(url, str) and written_password(url):
        raise ConfigError(_WRITTEN_PASSWORD, file=str(file), key="source.url")


_WRITTEN_PASSWORD = (
    "holds a password written into the file; credentials come only from the "
    "environment: write it as scheme://user:${PASSWORD_VAR}@host/... and export "
    "PASSWORD_VAR (e.g. postgresql://user:${PGPASSWORD}@host:5432/db)"
)
_LITERAL_TOKEN = (
    "holds a token written into the file; a project file is kept in Git: write "
    "access_token: ${INTERCOM_ACCESS_TOKEN} and export INTERCOM_ACCESS_TOKEN"
)
_REFERENCE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


def written_secrets(kind: str, data: Any) -> list[tuple[str, str]]:
    """(key, fix) for each credential written into a project's source or destination
    definition (`kind` "sources" or "destinations") instead of read from the environment.

    Checked before substitution: only here is a ``${VAR}`` told apart from its value.
    """
    if not isinstance(data, Mapping):
        return []
    if kind == "sources":
        url = data.get("url")
        written = isinstance(url, str) and written_password(url)
        return [("url", _WRITTEN_PASSWORD)] if written else []
    if kind == "destinations" and "access_token" in data:
        token = data["access_token"]
        if not (isinstance(token, str) and _REFERENCE.fullmatch(token.strip())):
            return [("access_token", _LITERAL_TOKEN)]
    return []


def describe_errors(
    exc: ValidationError,
    secrets: Collection[str] = (),
    sections: Mapping[tuple[str, ...], type[BaseModel]] | None = None,
) -> list[tuple[str, str]]:
    """(dotted key, message) for every problem in `exc`, with the values of `secrets` masked.

    `sections` maps a key prefix to the model validated there, for "allowed keys" hints.
    """
    known = _SECTIONS if sections is None else sections
    return [_redact(p, secrets) for e in exc.errors() for p in _describe(e, known)]


def config_error(problems: list[tuple[str, str]], file: Path) -> ConfigError:
    """One error for all `problems`: the key and fix of each, the first few if there are many."""
    if len(problems) == 1:
        return ConfigError(problems[0][1], file=str(file), key=problems[0][0] or None)
    lines = [f"  {key or '(top level)'}: {message}" for key, message in problems[:_MAX_SHOWN]]
    if len(problems) > _MAX_SHOWN:
        lines.append(f"  ... and {len(problems) - _MAX_SHOWN} more")
    return ConfigError(f"{len(problems)} problems:\n" + "\n".join(lines), file=str(file))


def substitute(
    data: Any, environ: Mapping[str, str]
) -> tuple[Any, list[tuple[str, str]], set[str]]:
    """`data` with ``${VAR}`` replaced in every string; the unset variables; the values used."""
    missing: list[tuple[str, str]] = []
    used: set[str] = set()

    def walk(value: Any, loc: tuple[str | int, ...]) -> Any:
        if isinstance(value, Mapping):
            return {k: walk(v, (*loc, str(k))) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v, (*loc, i)) for i, v in enumerate(value)]
        if not isinstance(value, str):
            return value

        def replace(match: re.Match[str]) -> str:
            escaped, name, default = match.groups()
            if escaped:
                return match.group(0)[1:]
            if name in environ:
                used.add(environ[name])
                return environ[name]
            if default is None:
                missing.append((dotted_key(loc), name))
            return default or ""

        return _VARIABLE.sub(replace, value)

    return walk(data, ()), missing, used


def _describe(
    error: ErrorDetails, sections: Mapping[tuple[str, ...], type[BaseModel]]
) -> list[tuple[str, str]]:
    """(dotted key, message) pairs for one pydantic error, messages saying what to do."""
    # "[key]" and "<tag>" parts are pydantic's and hoist's variant tags, not keys the user wrote.
    loc = [part for part in error["loc"] if part != "[key]" and not _is_tag(part)]
    section: type[BaseModel] | None = None
    if len(loc) > 1 and loc[0] == "source" and loc[1] in SOURCE_TYPES:
        section = _SOURCE_SECTIONS[str(loc[1])]
        del loc[1]  # the discriminator's tag is not a key the user wrote
        if len(loc) > 2 and loc[1] == "dbt":
            section = DbtProject
    key = dotted_key(tuple(loc))
    ctx = error.get("ctx") or {}
    if error["type"] == "hoist":
        return [
            (dotted_key((*loc, sub)) if sub else key, message) for sub, message in ctx["issues"]
        ]
    if error["type"] == "condition":
        return [(key, NOT_A_CONDITION)]
    if error["type"] == "too_short" and loc and loc[-1] in ("all", "any"):
        return [(key, f"the {loc[-1]} group is empty; list at least one condition")]
    if error["type"] == "missing":
        return [(key, f"is required; {_REQUIRED.get(key, 'add it')}")]
    if error["type"] == "extra_forbidden":
        return [(key, _unknown_key(loc, section or sections.get(_prefix(loc))))]
    message = error["msg"].replace("Input should be", "should be")
    return [(key, message[:1].lower() + message[1:])]


def _is_tag(part: str | int) -> bool:
    return isinstance(part, str) and part.startswith("<") and part.endswith(">")


def _prefix(loc: list[str | int]) -> tuple[str, ...]:
    # List positions (alerts[0]) do not change which section a key belongs to.
    return tuple(str(part) for part in loc[:-1] if not isinstance(part, int))


def _unknown_key(loc: list[str | int], section: type[BaseModel] | None) -> str:
    if section is None:
        return "unknown key; remove it"
    allowed = [
        field.alias or name for name, field in section.model_fields.items() if name != "file"
    ]
    hint = did_you_mean(str(loc[-1]), allowed)
    return f"unknown key;{hint} allowed keys here: {', '.join(allowed)}"


def dotted_key(loc: tuple[str | int, ...]) -> str:
    """``("where", "all", 2, "value")`` as ``where.all[2].value``."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _redact(problem: tuple[str, str], secrets: Collection[str]) -> tuple[str, str]:
    key, message = problem
    return key, redact(message, secrets)


def yaml_problem(exc: yaml.YAMLError) -> str:
    """What is wrong with a YAML text, and where, as a fix to make."""
    if isinstance(exc, YamlLimitError):
        return exc.problem
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or "syntax error"
    if mark is None:
        return f"{problem}; fix the syntax"
    return f"{problem} at line {mark.line + 1}, column {mark.column + 1}; fix the syntax there"
