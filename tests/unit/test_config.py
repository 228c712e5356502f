"""The activation file: what loads, what each rule rejects, and that the token never shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hoist.config import (
    DuckDBSourceConfig,
    load_activation,
    parse_activation,
)
from hoist.errors import ConfigError
from hoist.secret import Secret
from tests.harness.config import ENV, EXAMPLE, TOKEN, error, example, load


def test_the_documented_example_loads_with_paths_beside_the_file(tmp_path: Path) -> None:
    """The README example loads; relative paths are resolved against the file's folder."""
    file = tmp_path / "activation.yml"
    file.write_text(EXAMPLE)
    config = load_activation(file, environ=ENV)
    assert config.file == file
    assert isinstance(config.source, DuckDBSourceConfig)
    assert config.source.path == tmp_path / "warehouse.duckdb"
    assert config.state.path == tmp_path / ".hoist" / "companies-to-intercom.duckdb"
    assert config.destination.access_token.reveal() == TOKEN
    assert config.destination.url == "http://127.0.0.1:8765"
    assert config.sync.fields() == (
        ("name", "account_name"),
        ("plan", "plan_name"),
        ("monthly_spend", "mrr"),
        ("custom_attributes.tier", "tier"),
        ("custom_attributes.health_score", "health_score"),
        ("custom_attributes.seats", "seats"),
    )


def test_defaults_are_region_us_insert_on_and_state_beside_the_file(tmp_path: Path) -> None:
    """Without region, base_url and state, hoist talks to the US API and keeps state in .hoist/."""
    data = example()
    del data["destination"]["region"], data["destination"]["base_url"], data["state"]
    del data["sync"]["insert"]
    config = load(tmp_path, data)
    assert config.destination.region == "us"
    assert config.destination.url == "https://api.intercom.io"
    assert config.destination.api_version == "2.16"
    assert config.sync.insert is True
    assert config.state.path == tmp_path / ".hoist" / "companies-to-intercom.duckdb"


@pytest.mark.parametrize(
    ("region", "url"), [("eu", "https://api.eu.intercom.io"), ("au", "https://api.au.intercom.io")]
)
def test_each_region_has_its_api_url(tmp_path: Path, region: str, url: str) -> None:
    """The eu and au regions point at their own Intercom hosts."""
    data = example()
    data["destination"]["region"] = region
    del data["destination"]["base_url"]
    assert load(tmp_path, data).destination.url == url


def test_base_url_loses_its_trailing_slash(tmp_path: Path) -> None:
    """A base_url written with a trailing slash is used without it."""
    data = example()
    data["destination"]["base_url"] = "http://localhost:9000/"
    assert load(tmp_path, data).destination.url == "http://localhost:9000"


def test_config_is_frozen(tmp_path: Path) -> None:
    """A loaded config cannot be changed in place."""
    config = load(tmp_path, example())
    with pytest.raises(ValueError, match="frozen"):
        config.name = "other"


def test_environment_variables_are_substituted_anywhere(tmp_path: Path) -> None:
    """${VAR} works in any string value, and ${VAR:-default} falls back when VAR is unset."""
    data = example()
    data["model"] = {"table": "${SCHEMA}.companies"}
    data["destination"]["region"] = "${REGION:-eu}"
    config = load(tmp_path, data, {**ENV, "SCHEMA": "analytics"})
    assert config.model.table == "analytics.companies"
    assert config.destination.region == "eu"


def test_a_doubled_dollar_keeps_a_literal_variable_reference(tmp_path: Path) -> None:
    """$${VAR} stands for the text ${VAR}, not for a variable."""
    data = example()
    data["model"]["sql"] = "select '$${HOME}' as x"
    assert load(tmp_path, data).model.sql == "select '${HOME}' as x"


def test_an_unset_variable_names_the_key_and_the_variable(tmp_path: Path) -> None:
    """A reference to an unset variable says which key uses it and what to set."""
    message = error(tmp_path, example(), environ={})
    assert "activation.yml" in message
    assert "destination.access_token" in message
    assert "set INTERCOM_ACCESS_TOKEN in the environment" in message


def test_a_literal_token_is_accepted(tmp_path: Path) -> None:
    """A token written straight into the file (as emulator users do) is accepted."""
    data = example()
    data["destination"]["access_token"] = "literal-token"
    assert load(tmp_path, data).destination.access_token == Secret("literal-token")


def test_the_token_never_shows_in_repr_dump_or_json(tmp_path: Path) -> None:
    """repr, model_dump and JSON show *** where the token is."""
    config = load(tmp_path, example())
    assert TOKEN not in repr(config)
    assert TOKEN not in str(config.model_dump())
    assert TOKEN not in config.model_dump_json()
    assert config.model_dump()["destination"]["access_token"] == "***"


def test_the_token_never_shows_in_errors(tmp_path: Path) -> None:
    """Even when the substituted token lands in an invalid place, errors show *** instead."""
    data = example()
    data["destination"]["region"] = "${INTERCOM_ACCESS_TOKEN}"
    data["sync"]["custom_attributes"] = ["${INTERCOM_ACCESS_TOKEN}", "name"]
    data["destination"]["access_token"] = 12345
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, data)
    text = f"{caught.value} {caught.value!r} {caught.value.__cause__} {caught.value.__context__}"
    assert TOKEN not in text
    assert "destination.region" in text
    assert "***" in text


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    """Loading a file that does not exist names it."""
    with pytest.raises(ConfigError, match="not found") as caught:
        load_activation(tmp_path / "nope.yml", environ=ENV)
    assert caught.value.file == str(tmp_path / "nope.yml")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name: [unclosed", "not valid YAML"),
        ("- a\n- b\n", "not list"),
        ("", "not nothing"),
    ],
)
def test_a_file_that_is_not_a_yaml_mapping_is_rejected(
    tmp_path: Path, text: str, expected: str
) -> None:
    """Broken YAML, a list or an empty file each give an error naming the file."""
    file = tmp_path / "bad.yml"
    file.write_text(text)
    with pytest.raises(ConfigError, match=expected) as caught:
        load_activation(file, environ=ENV)
    assert "bad.yml" in str(caught.value)


def test_all_problems_of_a_file_are_reported_together(tmp_path: Path) -> None:
    """Several mistakes give one error listing each key with its fix."""
    data = example()
    data["name"] = "-bad name"
    data["destination"]["region"] = "eu-west"
    data["sync"]["mapping"]["sizee"] = "employees"
    message = error(tmp_path, data)
    assert "3 problems" in message
    assert "name: '-bad name' is not a valid activation name" in message
    assert "destination.region: unknown region 'eu-west'" in message
    assert "use one of us, eu, au" in message
    assert "sync.mapping.sizee: unknown Intercom attribute" in message


def test_many_problems_are_capped(tmp_path: Path) -> None:
    """A file with dozens of mistakes shows the first twenty and counts the rest."""
    data = example()
    data["sync"]["mapping"] = {f"bogus{i}": "x" for i in range(25)}
    message = error(tmp_path, data)
    assert "25 problems" in message
    assert "... and 5 more" in message


@pytest.mark.parametrize(
    ("change", "key", "fix"),
    [
        (lambda d: d.update(name="has space"), "name", "only letters, digits"),
        (lambda d: d["model"].update(table="t"), "model", "not both"),
        (lambda d: d["model"].pop("sql"), "model", "set model.sql (a query) or model.table"),
        (lambda d: d["destination"].update(region="US"), "destination.region", "'us'?"),
        (lambda d: d["destination"].update(base_url="localhost:8765"), "base_url", "http(s)"),
        (lambda d: d["destination"].update(type="hubspot"), "destination.type", "'intercom'"),
        (lambda d: d["source"].update(type="duckbd"), "source.type", "did you mean 'duckdb'?"),
        (lambda d: d["sync"].pop("company_id"), "sync.company_id", "name the column"),
        (lambda d: d["sync"].update(company_id=" "), "sync.company_id", "is empty"),
        (lambda d: d.pop("destination"), "destination", "is required"),
        (lambda d: d["sync"].update(maping={}), "sync.maping", "did you mean 'mapping'?"),
        (lambda d: d.update(extra=1), "extra", "allowed keys here: name, source"),
    ],
)
def test_each_rule_names_the_key_and_the_fix(
    tmp_path: Path, change: Any, key: str, fix: str
) -> None:
    """Each rule's error names the file, the dotted key and what to do about it."""
    data = example()
    change(data)
    message = error(tmp_path, data)
    assert "activation.yml" in message
    assert key in message
    assert fix in message


def test_an_unknown_attribute_suggests_the_closest_and_lists_allowed(tmp_path: Path) -> None:
    """A misspelt attribute gets a did-you-mean and the list of names Intercom accepts."""
    data = example()
    data["sync"]["mapping"] = {"sizee": "employees"}
    message = error(tmp_path, data)
    assert "sync.mapping.sizee" in message
    assert "did you mean 'size'?" in message
    assert "remote_created_at" in message
    assert "custom_attributes.<name>" in message


def test_company_id_in_the_mapping_points_at_sync_company_id(tmp_path: Path) -> None:
    """Mapping company_id is refused with a pointer to sync.company_id."""
    data = example()
    data["sync"]["mapping"]["company_id"] = "account_id"
    message = error(tmp_path, data)
    assert "sync.mapping.company_id" in message
    assert "set by sync.company_id" in message


def test_two_attributes_may_come_from_one_column(tmp_path: Path) -> None:
    """The same column may feed several attributes."""
    data = example()
    data["sync"]["mapping"] = {"name": "account_name", "website": "account_name"}
    assert load(tmp_path, data).sync.mapping["website"] == "account_name"


@pytest.mark.parametrize(
    ("custom", "mapping", "key", "fix"),
    [
        (["seats", "seats"], {}, "sync.custom_attributes", "listed twice"),
        (["plan"], {}, "sync.custom_attributes[0]", "map it under sync.mapping"),
        (["a/b"], {}, "sync.custom_attributes[0]", "rename the column"),
        (["tier"], {"custom_attributes.tier": "tier"}, "custom_attributes.tier", "keep one"),
        ([], {"custom_attributes.a.b": "x"}, "sync.mapping.custom_attributes.a.b", "valid"),
        ([], {"name": ""}, "sync.mapping.name", "is empty"),
    ],
)
def test_custom_attribute_rules(
    tmp_path: Path, custom: list[str], mapping: dict[str, str], key: str, fix: str
) -> None:
    """Custom attributes need valid, unique, non-standard names listed in one place only."""
    data = example()
    data["sync"]["custom_attributes"] = custom
    data["sync"]["mapping"] = mapping
    message = error(tmp_path, data)
    assert key in message
    assert fix in message


def test_update_only_cannot_map_remote_created_at(tmp_path: Path) -> None:
    """insert: false with remote_created_at mapped explains that PUT cannot set it."""
    data = example()
    data["sync"]["insert"] = False
    data["sync"]["mapping"]["remote_created_at"] = "signed_up_at"
    message = error(tmp_path, data)
    assert "sync.mapping.remote_created_at" in message
    assert "PUT /companies/{id} cannot set remote_created_at" in message
    assert "use insert: true" in message


def test_update_only_accepts_other_attributes(tmp_path: Path) -> None:
    """insert: false with only PUT-able attributes loads."""
    data = example()
    data["sync"]["insert"] = False
    assert load(tmp_path, data).sync.insert is False


def test_absolute_paths_are_kept(tmp_path: Path) -> None:
    """Absolute source and state paths are used as written."""
    data = example()
    data["source"]["path"] = str(tmp_path / "elsewhere" / "w.duckdb")
    data["state"]["path"] = str(tmp_path / "state.duckdb")
    config = load(tmp_path, data)
    assert isinstance(config.source, DuckDBSourceConfig)
    assert config.source.path == tmp_path / "elsewhere" / "w.duckdb"
    assert config.state.path == tmp_path / "state.duckdb"


def test_parse_activation_anchors_paths_on_the_given_file(tmp_path: Path) -> None:
    """parse_activation resolves relative paths against the file it is told about."""
    config = parse_activation(example(), file=tmp_path / "sub" / "a.yml", environ=ENV)
    assert isinstance(config.source, DuckDBSourceConfig)
    assert config.source.path == tmp_path / "sub" / "warehouse.duckdb"


def test_source_type_defaults_to_duckdb(tmp_path: Path) -> None:
    """A source with only a path is the embedded DuckDB warehouse."""
    data = example()
    del data["source"]["type"]
    assert load(tmp_path, data).source.type == "duckdb"


def test_state_memory_limit_defaults_and_can_be_set_without_a_path(tmp_path: Path) -> None:
    """`state.memory_limit` caps the diff's working memory; the state path keeps its default."""
    file = tmp_path / "a.yml"
    document = {
        "name": "mem",
        "source": {"type": "duckdb", "path": "w.duckdb"},
        "model": {"table": "t"},
        "destination": {"access_token": "literal"},
        "sync": {"company_id": "id"},
    }
    assert parse_activation(document, file=file, environ={}).state.memory_limit == "512MB"
    tuned = parse_activation({**document, "state": {"memory_limit": "2GB"}}, file=file, environ={})
    assert tuned.state.memory_limit == "2GB"
    assert tuned.state.path == tmp_path / ".hoist" / "mem.duckdb"
    with pytest.raises(ConfigError, match=r"state\.memory_limit"):
        parse_activation({**document, "state": {"memory_limit": "lots"}}, file=file, environ={})


def test_removal_policy_defaults_to_keep_with_a_ten_percent_guard(tmp_path: Path) -> None:
    """`sync.on_removal` is `keep` and `sync.max_removals` 10% of delivered, rounded up."""
    sync = load(tmp_path, example()).sync
    assert (sync.on_removal, sync.max_removals) == ("keep", "10%")
    assert [sync.removal_limit(n) for n in (0, 3, 10, 1000)] == [0, 1, 1, 100]


@pytest.mark.parametrize(("value", "limit"), [(25, 25), ("50%", 500), ("0%", 0), (0, 0)])
def test_max_removals_takes_a_count_or_a_percentage(
    tmp_path: Path, value: int | str, limit: int
) -> None:
    """`max_removals` is a number of companies or a share of the 1,000 delivered."""
    data = example()
    data["sync"].update(on_removal="delete", max_removals=value)
    sync = load(tmp_path, data).sync
    assert sync.on_removal == "delete"
    assert sync.removal_limit(1000) == limit


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("on_removal", "archive", "sync.on_removal"),
        ("max_removals", "lots", "sync.max_removals"),
        ("max_removals", "150%", "sync.max_removals"),
        ("max_removals", -1, "sync.max_removals"),
    ],
)
def test_removal_keys_name_themselves_when_wrong(
    tmp_path: Path, key: str, value: Any, expected: str
) -> None:
    """A wrong removal policy or guard names its key."""
    data = example()
    data["sync"][key] = value
    assert expected in error(tmp_path, data)


def test_nulls_defaults_to_clear_and_takes_keep(tmp_path: Path) -> None:
    """`sync.nulls` is `clear` unless the file says `keep`."""
    assert load(tmp_path, example()).sync.nulls == "clear"
    data = example()
    data["sync"]["nulls"] = "keep"
    assert load(tmp_path, data).sync.nulls == "keep"


def test_a_misspelt_nulls_value_names_the_key_and_the_choices(tmp_path: Path) -> None:
    """`nulls: skip` is refused with the file, `sync.nulls` and the two values it takes."""
    data = example()
    data["sync"]["nulls"] = "skip"
    message = error(tmp_path, data)
    assert "activation.yml" in message
    assert "sync.nulls" in message
    assert "'clear'" in message
    assert "'keep'" in message
