"""What every warehouse's `source:` config shares: the connection URL, the `dbt:` key, errors.

Each warehouse's own model is in its folder (`hoist.sources.<name>.config`); the registry
(`hoist.sources.registry`) puts them together into the union config validates `source:` with.

A connection URL is a `SecretUrl` from the moment it is validated: it prints with its password
masked, in messages, reprs and dumps. The password itself must come from the environment
(``${PGPASSWORD}``); the loader refuses a password written into the file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    PlainValidator,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from hoist.secret import SecretUrl

__all__ = [
    "FROZEN",
    "DbtProject",
    "Url",
    "dbt_field",
    "problem",
    "require_scheme",
    "url_scheme",
    "written_password",
]

#: Every config model is frozen and refuses keys it does not know.
FROZEN = ConfigDict(frozen=True, extra="forbid")
_VARIABLE = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*(:-[^}]*)?\}")
_CREDENTIAL_PARAMS = ("password", "passwd", "pwd", "token", "secret")


def problem(message: str, key: str = "") -> PydanticCustomError:
    """A validation error for `key` (relative to the validated value), saying `message`."""
    return PydanticCustomError("hoist", message, {"issues": [(key, message)]})


def _to_url(value: Any) -> SecretUrl:
    # Never echo the value: it may hold the password.
    if isinstance(value, SecretUrl):
        return value
    if not isinstance(value, str) or not value.strip():
        raise problem("must be a connection URL such as postgresql://user:${PGPASSWORD}@host/db")
    try:
        parts = urlsplit(value)
        parts.port  # noqa: B018 - raises on a malformed port
    except ValueError:
        raise problem(
            "is not a valid URL; percent-encode special characters in the user or password "
            "(@ as %40, : as %3A, / as %2F)"
        ) from None
    if not parts.scheme:
        raise problem("has no scheme; write it as scheme://user:${PASSWORD}@host/database")
    return SecretUrl(value)


#: A connection URL: validated without echoing it, dumped and printed with the password masked.
Url = Annotated[
    SecretUrl,
    PlainValidator(_to_url),
    PlainSerializer(str, return_type=str),
    WithJsonSchema({"type": "string", "format": "uri", "writeOnly": True}),
]


def written_password(url: str) -> bool:
    """Whether `url`, as written in the file, holds a password that is not a ``${VAR}``."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:
        return False  # the validator reports a malformed URL
    values = [password] if password else []
    for pair in parts.query.split("&"):
        name, sep, value = pair.partition("=")
        if sep and value and any(word in name.lower() for word in _CREDENTIAL_PARAMS):
            values.append(value)
    return any(not _VARIABLE.fullmatch(value) for value in values)


def url_scheme(url: SecretUrl) -> str:
    """The scheme of `url`, lower case (``postgresql``)."""
    return urlsplit(url.reveal()).scheme.lower()


def require_scheme(url: SecretUrl, allowed: tuple[str, ...], example: str) -> SecretUrl:
    """`url`, if its scheme is one of `allowed`; else the error shows `example`."""
    if url_scheme(url) not in allowed:
        raise problem(f"must start with {' or '.join(s + '://' for s in allowed)}, e.g. {example}")
    return url


class DbtProject(BaseModel):
    """The dbt project that builds a source's models: ``dbt: {project_dir: PATH}``.

    Relative paths are read from the folder of the file that holds them (hoist.yml or the
    activation file); hoist reads only the manifest (JSON) and never runs dbt.
    """

    model_config = FROZEN

    project_dir: Path = Field(description="the dbt project's folder (holding dbt_project.yml)")
    manifest: Path | None = Field(
        default=None, description="dbt's manifest.json (default: PROJECT_DIR/target/manifest.json)"
    )

    @property
    def manifest_path(self) -> Path:
        """The manifest hoist reads: `manifest`, else ``target/manifest.json`` of the project."""
        return self.manifest or self.project_dir / "target" / "manifest.json"


def dbt_field() -> Any:
    """The optional `dbt:` key of every warehouse's config."""
    return Field(default=None, description="the dbt project building the models (optional)")
