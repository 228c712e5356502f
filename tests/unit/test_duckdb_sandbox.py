"""A model never reads the machine's files through DuckDB: external access, extension
downloads and reconfiguration are off on every connection over a user's warehouse, unless the
source names folders in `allowed_paths`."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest
import yaml

from hoist.errors import SourceError
from hoist.project import load_project
from hoist.segments import segment_problems
from hoist.sources import open_source
from hoist.sources.duckdb.connector import DuckDBSource

SECRET = "root:x:0:0:the-secret-line"


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """A DuckDB warehouse with one table, and a file beside it no model may read."""
    path = tmp_path / "warehouse.duckdb"
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE companies AS SELECT 'c1' AS id")
    con.close()
    (tmp_path / "private.csv").write_text(f"line\n{SECRET}\n")
    return path


@pytest.mark.parametrize(
    "sql",
    [
        "SELECT content FROM read_text('{file}')",
        "SELECT * FROM read_csv('{file}')",
        "SELECT * FROM '{file}'",  # a replacement scan: a table named by a path
    ],
)
def test_a_model_cannot_read_a_file(warehouse: Path, sql: str) -> None:
    """Reading any file fails with a source error naming allowed_paths, showing nothing of it."""
    with DuckDBSource(warehouse) as source, pytest.raises(SourceError) as caught:
        source.read(sql.format(file=warehouse.parent / "private.csv")).read_all()
    assert "allowed_paths" in str(caught.value)
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize(
    "statement",
    [
        "INSTALL httpfs",
        "SET enable_external_access = true",
        "SET autoinstall_known_extensions = true",
        "SET allowed_directories = ['/']",
        f"ATTACH '{Path('/tmp/hoist-other.duckdb')}' AS other",
    ],
)
def test_a_model_cannot_fetch_code_or_unlock_the_sandbox(warehouse: Path, statement: str) -> None:
    """Installing an extension, reopening external access or attaching another file fails."""
    with closing(DuckDBSource(warehouse)) as source, pytest.raises(SourceError):
        source.execute(statement)


def test_the_warehouse_itself_is_read_and_every_connection_is_locked(warehouse: Path) -> None:
    """The warehouse file opens and reads; a second connection in the process is as locked."""
    with closing(DuckDBSource(warehouse)) as first, closing(DuckDBSource(warehouse)) as second:
        assert first.query("SELECT id FROM companies").to_pylist() == [{"id": "c1"}]
        settings = second.query(
            "SELECT current_setting('enable_external_access') AS external, "
            "current_setting('autoload_known_extensions') AS autoload, "
            "current_setting('lock_configuration') AS locked"
        ).to_pylist()
    assert settings == [{"external": False, "autoload": False, "locked": True}]


def test_allowed_paths_opens_only_the_named_folders(tmp_path: Path, warehouse: Path) -> None:
    """With `allowed_paths: [data/]` (relative to the project) a model reads files there and
    nowhere else."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "plans.csv").write_text("id,plan\nc1,pro\n")
    (tmp_path / "hoist.yml").write_text(
        yaml.safe_dump(
            {
                "sources": {
                    "w": {"type": "duckdb", "path": warehouse.name, "allowed_paths": ["data/"]}
                }
            }
        )
    )
    source = load_project(tmp_path, environ={}).sources["w"]
    with open_source(source) as opened:
        rows = opened.read(f"SELECT * FROM read_csv('{tmp_path / 'data' / 'plans.csv'}')")
        assert rows.read_all().to_pylist() == [{"id": "c1", "plan": "pro"}]
        with pytest.raises(SourceError, match="allowed_paths"):
            opened.read(f"SELECT * FROM read_text('{tmp_path / 'private.csv'}')").read_all()


@pytest.mark.parametrize("table", ['"/etc/passwd"', "'private.csv'", '"data.parquet"'])
def test_a_segment_reads_a_table_never_a_path(tmp_path: Path, warehouse: Path, table: str) -> None:
    """A segment's `from` naming a file is refused before any query runs."""
    (tmp_path / "hoist.yml").write_text(
        yaml.safe_dump(
            {
                "sources": {"w": {"type": "duckdb", "path": warehouse.name}},
                "segments": {"s": {"source": "w", "from": table}},
            }
        )
    )
    segment = load_project(tmp_path, environ={}).segments["s"]
    found = segment_problems(segment, pa.schema([("id", pa.string())]), "duckdb")
    assert [key for key, _ in found] == ["segments.s.from"]
    assert "never a file path" in found[0][1]


def test_connections_opened_at_once_are_all_sandboxed(warehouse: Path) -> None:
    """Threads opening the same warehouse together (the UI's pages and a run) all get a
    locked connection; none finds the database half configured."""
    with ThreadPoolExecutor(8) as pool:
        sources = list(pool.map(lambda _: DuckDBSource(warehouse), range(16)))
    try:
        for source in sources:
            with pytest.raises(SourceError, match="allowed_paths"):
                source.read(
                    f"SELECT * FROM read_text('{warehouse.parent / 'private.csv'}')"
                ).read_all()
    finally:
        for source in sources:
            source.close()
