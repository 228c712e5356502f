"""Config that would leak or overload, refused before anything is sent (exit 2): credentials
written into project files, URLs with user info or clear text off the machine, YAML alias bombs
and oversized files, segments too deep or with too long a list. Each message names the file
and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

from hoist.cli import main
from hoist.config import load_activation
from hoist.config._yaml import MAX_FILE_BYTES
from hoist.errors import ConfigError
from hoist.project import ProjectError, load_project

ENV = {"INTERCOM_TOKEN": "tok-7a1", "PGPASSWORD": "pg-secret-3b"}


def project_with(tmp_path: Path, document: dict[str, Any]) -> Path:
    """A project folder whose hoist.yml is `document`."""
    (tmp_path / "hoist.yml").write_text(yaml.safe_dump(document))
    return tmp_path


def problems(root: Path) -> list[str]:
    """Every problem of the project, as `hoist validate` prints them."""
    return [str(p) for p in load_project(root, environ=ENV).problems()]


def test_a_password_or_token_written_into_hoist_yml_is_refused(tmp_path: Path) -> None:
    """Sources and destinations in hoist.yml take credentials only as ${VAR}; the message
    names the file and key, never the value."""
    root = project_with(
        tmp_path,
        {
            "sources": {"pg": {"type": "postgres", "url": "postgresql://me:hunter2@db/x"}},
            "destinations": {
                "literal": {"access_token": "tok-literal-value-99"},
                "defaulted": {"access_token": "${INTERCOM_TOKEN:-tok-default-value}"},
                "good": {"access_token": "${INTERCOM_TOKEN}"},
            },
        },
    )
    found = problems(root)
    assert len(found) == 3
    text = "\n".join(found)
    assert "hoist.yml: sources.pg.url: holds a password written into the file" in text
    assert "destinations.literal.access_token: holds a token written into the file" in text
    assert "destinations.defaulted.access_token" in text
    for secret in ("hunter2", "tok-literal-value-99", "tok-default-value"):
        assert secret not in text


def test_a_definition_file_is_held_to_the_same_rule(tmp_path: Path) -> None:
    """A credential in a destination of hoist.yml is named with that file; a source's
    password read from the environment is fine."""
    root = project_with(
        tmp_path,
        {
            "sources": {"pg": {"type": "postgres", "url": "postgresql://me:${PGPASSWORD}@db/x"}},
            "destinations": {"bad": {"access_token": "plain"}},
        },
    )
    assert [p for p in problems(root) if "sources.pg" in p] == []
    assert any(
        p.startswith(f"{root / 'hoist.yml'}: destinations.bad.access_token") for p in problems(root)
    )


@pytest.mark.parametrize(
    ("base_url", "message"),
    [
        ("https://me:pw-in-url-4c@api.example.com", "holds a user name or password"),
        ("http://api.intercom.io", "use https://"),
        ("http://10.0.0.8:8765", "use https://"),
        ("http://127.0.0.1:99999", "is not a valid URL"),
    ],
)
def test_a_base_url_that_would_leak_the_token_is_a_config_error(
    tmp_path: Path, base_url: str, message: str
) -> None:
    """User info, plain http off this machine and a malformed port stop the activation
    before anything is sent, naming destination.base_url and never echoing a password."""
    data = {
        "name": "a",
        "source": {"path": "w.duckdb"},
        "model": {"table": "t"},
        "destination": {"access_token": "${INTERCOM_TOKEN}", "base_url": base_url},
        "sync": {"company_id": "id"},
    }
    (tmp_path / "a.yml").write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as caught:
        load_activation(tmp_path / "a.yml", environ=ENV)
    assert "destination.base_url" in str(caught.value)
    assert message in str(caught.value)
    assert "pw-in-url-4c" not in str(caught.value)


@pytest.mark.parametrize(
    "base_url",
    ["http://127.0.0.1:8765", "http://localhost:1", "http://[::1]:2", "https://x.example"],
)
def test_loopback_http_and_any_https_are_accepted(tmp_path: Path, base_url: str) -> None:
    """The emulator on this machine over http, and any host over https, are fine."""
    root = project_with(
        tmp_path,
        {"destinations": {"d": {"access_token": "${INTERCOM_TOKEN}", "base_url": base_url}}},
    )
    assert problems(root) == []


def test_validate_exits_2_for_a_clear_text_url(tmp_path: Path) -> None:
    """`hoist validate` reports the key and exits 2."""
    root = project_with(
        tmp_path,
        {
            "destinations": {
                "d": {"access_token": "${INTERCOM_TOKEN}", "base_url": "http://x.example"}
            }
        },
    )
    result = CliRunner().invoke(main, ["validate", "--project", str(root), "--offline"], env=ENV)
    assert result.exit_code == 2, result.output
    assert "destinations.d.base_url" in result.output


# -- YAML limits ----------------------------------------------------------------------------


def alias_bomb() -> str:
    """Ten anchors of nine aliases each: 700 bytes, billions of values once expanded."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    return "\n".join(lines) + "\n"


def test_an_alias_bomb_in_hoist_yml_is_refused_at_once(tmp_path: Path) -> None:
    """`hoist validate` names the file and the aliases, and exits 2, instead of expanding."""
    (tmp_path / "hoist.yml").write_text(alias_bomb())
    assert len(alias_bomb()) < 800
    result = CliRunner().invoke(main, ["validate", "--project", str(tmp_path)], env=ENV)
    assert result.exit_code == 2, result.output
    assert str(tmp_path / "hoist.yml") in result.output
    assert "aliases (*name) expand to more than 100,000 values" in result.output


def test_an_alias_bomb_in_an_activation_file_is_a_config_error(tmp_path: Path) -> None:
    """A single activation file is read with the same limits."""
    (tmp_path / "a.yml").write_text(alias_bomb())
    with pytest.raises(ConfigError, match=r"a\.yml: not valid YAML: its aliases"):
        load_activation(tmp_path / "a.yml", environ=ENV)


def test_a_file_over_1_mb_is_refused_naming_it(tmp_path: Path) -> None:
    """A project file over 1 MB is not parsed; the problem names it."""
    big = tmp_path / "segments" / "huge.yml"
    big.parent.mkdir()
    big.write_text("# " + "x" * MAX_FILE_BYTES + "\n")
    (tmp_path / "hoist.yml").write_text("sources: {}\n")
    with pytest.raises(ProjectError) as caught:
        load_project(tmp_path, environ=ENV)
    assert str(caught.value) == f"{big}: not valid YAML: the file is larger than 1 MB; {SPLIT}"


SPLIT = "a hoist file holds definitions, not data: split it or move the data into the warehouse"


def test_ordinary_aliases_still_work(tmp_path: Path) -> None:
    """A block reused with an alias (a shared mapping) is read as before."""
    (tmp_path / "hoist.yml").write_text(
        "destinations:\n  a: &d {access_token: '${INTERCOM_TOKEN}', region: eu}\n  b: *d\n"
    )
    project = load_project(tmp_path, environ=ENV)
    assert project.destinations["b"].region == "eu"


# -- segment trees --------------------------------------------------------------------------


def segment_project(tmp_path: Path, where: str) -> Path:
    """A project with one segment `s` whose where is the YAML text `where`."""
    (tmp_path / "hoist.yml").write_text(
        "sources: {w: {type: duckdb, path: w.duckdb}}\n"
        f"segments: {{s: {{source: w, from: analytics.companies, where: {where}}}}}\n"
    )
    return tmp_path


def nested(depth: int) -> str:
    """A condition of `depth` groups, one inside the other, in YAML's flow style."""
    return "{all: [" * depth + "{column: mrr, op: gt, value: 1}" + "]}" * depth


def test_a_segment_nested_too_deep_gets_a_message(tmp_path: Path) -> None:
    """40 nested groups are a problem naming the segment's where; 1,000 are refused by the
    YAML reader, naming the file; neither is a RecursionError; 31 are fine."""
    assert problems(segment_project(tmp_path, nested(31))) == []
    found = problems(segment_project(tmp_path, nested(40)))
    assert len(found) == 1
    assert "segments.s.where: the conditions nest more than 32 groups deep" in found[0]
    with pytest.raises(ProjectError) as caught:
        load_project(segment_project(tmp_path, nested(1000)), environ=ENV)
    assert str(caught.value).startswith(f"{tmp_path / 'hoist.yml'}: not valid YAML: ")
    assert "nested too deeply" in str(caught.value)


def test_an_in_list_over_10000_values_gets_a_message(tmp_path: Path) -> None:
    """An `in` list of 100,000 values is refused with the way out (a table and SQL)."""
    values = ", ".join(str(i) for i in range(100_000))
    where = f"{{column: account_id, op: in, value: [{values}]}}"
    found = problems(segment_project(tmp_path, where))
    assert len(found) == 1
    assert "the in list has 100,000 values, more than 10,000" in found[0]
    assert "segments.s.where.value" in found[0]
