"""A run imports pandas and pyspark only when a Spark source is used, although pandas is
installed (pyarrow would import it on hoist's behalf)."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import yaml

from hoist.emulator.testing import EmulatorHandle

_HEAVY = ("pandas", "numpy", "pyspark", "pyarrow")
_REPORT = f"import json; print(json.dumps([m for m in {_HEAVY!r} if m in sys.modules]))"


def _loaded(code: str, env: dict[str, str] | None = None) -> list[str]:
    """The heavy modules a fresh interpreter has imported after running `code`."""
    done = subprocess.run(
        [sys.executable, "-c", f"import sys\n{code}\n{_REPORT}"],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, **(env or {})},
    )
    loaded: list[str] = json.loads(done.stdout.strip().splitlines()[-1])
    return loaded


def test_pandas_is_installed_here() -> None:
    """The tests below mean something only where pandas could be imported."""
    assert importlib.util.find_spec("pandas") is not None


def test_import_hoist_imports_no_dataframe_library() -> None:
    """`import hoist` imports neither pandas, numpy, pyspark nor pyarrow."""
    assert _loaded("import hoist") == []


def test_a_duckdb_run_imports_neither_pandas_nor_pyspark(
    tmp_path: Path, emulator: EmulatorHandle
) -> None:
    """A whole DuckDB run (reading, state, sending) leaves pandas and pyspark unimported; numpy
    comes with pyarrow, which imports it itself wherever it is installed."""
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("CREATE TABLE companies AS SELECT 'a' AS id, 'Acme' AS name, 3 AS seats")
    con.close()
    document = {
        "name": "idle",
        "source": {"path": "warehouse.duckdb"},
        "model": {"table": "companies"},
        "destination": {"access_token": "${IDLE_TOKEN}", "base_url": emulator.base_url},
        "sync": {"company_id": "id", "mapping": {"name": "name"}, "custom_attributes": ["seats"]},
    }
    file = tmp_path / "activation.yml"
    file.write_text(yaml.safe_dump(document))
    code = f"import hoist\nassert hoist.run({str(file)!r}).created == 1"

    loaded = _loaded(code, {"IDLE_TOKEN": "idle-token"})

    assert sorted(loaded) == ["numpy", "pyarrow"]


def test_a_spark_source_gets_pyarrows_pandas_integration_back() -> None:
    """Once the Spark source is loaded, pyarrow converts pandas objects as pandas objects, even
    after hoist's own conversions made it go on without pandas."""
    code = (
        "import hoist\nimport pyarrow as pa\n"
        "exec('import pyarrow as pa; pa.array([1])', {'__name__': 'hoist.probe'})\n"
        "assert 'pandas' not in sys.modules\n"
        "import hoist.sources.spark.connector\n"
        "import pandas as pd\n"
        "assert pa.array(pd.Series([1.0, None])).null_count == 1\n"
    )
    assert set(_loaded(code)) == set(_HEAVY)


def test_pandas_imported_later_by_other_code_gets_pyarrows_pandas_integration() -> None:
    """hoist used as a library: pandas imported by the caller after a run converts through
    pyarrow as pandas (NaN as null), as if hoist had never kept it idle."""
    code = (
        "import hoist\nimport pyarrow as pa\n"
        "exec('import pyarrow as pa; pa.array([1])', {'__name__': 'hoist.probe'})\n"
        "assert 'pandas' not in sys.modules\n"
        "import pandas as pd\n"
        "assert pa.array(pd.Series([1.0, None])).null_count == 1\n"
        "assert 'pyspark' not in sys.modules\n"
    )
    assert set(_loaded(code)) == {"pandas", "numpy", "pyarrow"}
