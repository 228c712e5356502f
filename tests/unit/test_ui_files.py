"""The UI's writes to project files: where each definition goes, comments kept, and a file
changed on disk since the page opened never overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from hoist.ui.charts import line_chart
from hoist.ui.files import ABSENT, ChangedOnDiskError, ProjectFiles, fingerprint

PROJECT = """\
# Our Intercom sync. Reviewed in Git.
destinations:
  intercom:
    access_token: ${INTERCOM_ACCESS_TOKEN}  # from the vault
    region: eu
sources:
  warehouse:
    path: warehouse.duckdb
"""


@pytest.fixture
def files(tmp_path: Path) -> ProjectFiles:
    (tmp_path / "hoist.yml").write_text(PROJECT)
    return ProjectFiles(tmp_path)


def test_an_edit_in_hoist_yml_keeps_comments_order_and_other_keys(files: ProjectFiles) -> None:
    """Changing a destination's region rewrites that key only; comments stay."""
    file = files.root / "hoist.yml"
    data = {"access_token": "${INTERCOM_ACCESS_TOKEN}", "region": "us"}
    files.save("destinations", "intercom", data, expected=fingerprint(file))
    text = file.read_text()
    assert text.startswith("# Our Intercom sync. Reviewed in Git.")
    assert "# from the vault" in text
    assert yaml.safe_load(text)["destinations"]["intercom"]["region"] == "us"
    assert yaml.safe_load(text)["sources"] == {"warehouse": {"path": "warehouse.duckdb"}}


def test_new_segments_and_activations_get_a_file_of_their_own(files: ProjectFiles) -> None:
    """A new activation goes to activations/NAME.yml; a new destination under hoist.yml."""
    assert files.target("activations", "a") == files.root / "activations" / "a.yml"
    assert files.target("segments", "s") == files.root / "segments" / "s.yml"
    assert files.target("destinations", "other") == files.root / "hoist.yml"
    written = files.save("activations", "a", {"destination": "intercom"}, expected=ABSENT)
    assert yaml.safe_load(written.read_text()) == {"destination": "intercom"}
    assert files.raw("activations", "a") == {"destination": "intercom"}


def test_a_file_changed_since_the_page_opened_is_not_overwritten(files: ProjectFiles) -> None:
    """The save refuses, naming the file; the edit made on disk is still there."""
    file = files.root / "hoist.yml"
    seen = fingerprint(file)
    file.write_text(PROJECT + "# added by a git pull\n")
    with pytest.raises(ChangedOnDiskError, match=r"hoist\.yml changed on disk"):
        files.save("destinations", "intercom", {"access_token": "${X}"}, expected=seen)
    assert file.read_text().endswith("# added by a git pull\n")
    with pytest.raises(ChangedOnDiskError):
        files.save("segments", "s", {"source": "warehouse"}, expected="0123")  # not ABSENT


def test_a_chart_draws_one_line_per_series_with_escaped_names() -> None:
    """Each series is a line with one point per run; names are escaped into the SVG."""
    svg = line_chart("runs <all>", {"created": [1, 5, 3], "fail<ed>": [0, 0, 2]})
    assert svg.count("<polyline") == 2
    assert svg.count("<circle") == 6
    assert "runs &lt;all&gt;" in svg
    assert "fail&lt;ed&gt;" in svg
