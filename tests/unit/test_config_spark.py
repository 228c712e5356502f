"""The Spark source section: master or remote, settings, and a Connect URL that never shows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from hoist.config import SparkSourceConfig
from tests.harness.config import ENV, error, example, load

CONNECT_TOKEN = "dapi-RECOGNISABLE-91c3"


def spark_example(**source: Any) -> dict[str, Any]:
    """The documented example with a Spark source (and a Spark SQL model)."""
    data = example()
    data["source"] = {"type": "spark", **source}
    return data


def test_a_local_session_loads_with_its_settings(tmp_path: Path) -> None:
    """`master` with `conf` loads; YAML booleans and numbers become Spark's strings later."""
    config = load(tmp_path, spark_example(master="local[2]", conf={"spark.driver.memory": "1g"}))
    assert isinstance(config.source, SparkSourceConfig)
    assert (config.source.master, config.source.remote) == ("local[2]", None)
    assert config.source.conf == {"spark.driver.memory": "1g"}


def test_a_connect_url_from_the_environment_never_shows(tmp_path: Path) -> None:
    """`remote` is read from ${VAR}, revealed only on purpose, and dumped as ***."""
    url = f"sc://spark.example:443/;token={CONNECT_TOKEN}"
    data = spark_example(remote="${SPARK_REMOTE_URL}")
    config = load(tmp_path, data, {**ENV, "SPARK_REMOTE_URL": url})
    assert isinstance(config.source, SparkSourceConfig)
    assert config.source.remote is not None
    assert config.source.remote.reveal() == url
    assert CONNECT_TOKEN not in repr(config)
    assert CONNECT_TOKEN not in config.model_dump_json()


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ({}, "set source.master"),
        ({"master": "local[2]", "remote": "sc://h:15002"}, "not both"),
        ({"master": " "}, "source.master: is empty"),
        ({"remote": "http://h:15002"}, "must be a Spark Connect URL"),
        ({"master": "local", "jars": ["x.jar"]}, "allowed keys here: type, master, remote, conf"),
    ],
)
def test_a_wrong_spark_source_names_the_key_and_the_fix(
    tmp_path: Path, source: dict[str, Any], expected: str
) -> None:
    """Each mistake in a Spark source is a config error saying what to write instead."""
    assert expected in error(tmp_path, spark_example(**source))


def test_a_bad_connect_url_is_not_echoed(tmp_path: Path) -> None:
    """A malformed `remote` is reported without repeating it (it may hold a token)."""
    message = error(tmp_path, spark_example(remote=f"grpc://h/;token={CONNECT_TOKEN}"))
    assert "source.remote" in message
    assert CONNECT_TOKEN not in message


def test_spark_messages_never_carry_the_connect_url_or_its_token() -> None:
    """An error text naming the Connect URL, or only its token, shows neither."""
    pytest.importorskip("pyspark")
    from hoist.sources.spark.connector import _scrubbed

    url = f"sc://spark.example:443/;user_id=ana;token={CONNECT_TOKEN}"
    message = _scrubbed(f"cannot reach {url}: bad token {CONNECT_TOKEN}", url)
    assert CONNECT_TOKEN not in message
    assert "spark.example" not in message
