"""Preview and run pages count like the CLI's report and explain it: with insert off, nothing
is labelled "create", one cost estimate, a summary by outcome, a chart series per outcome."""

from __future__ import annotations

import re
import time
from pathlib import Path

import httpx
import pytest
import yaml

from hoist.emulator.testing import EmulatorHandle
from hoist.ui.missing import paged
from tests.harness.ui import add_activation, add_project_definitions, csrf_form

#: The segment `eu` of the test warehouse, and the two of its companies Intercom already has.
EU = [f"acct-{i:03d}" for i in range(40) if i % 3 == 0]
KNOWN = EU[:2]


@pytest.fixture
def update_only(project: Path, emulator: EmulatorHandle) -> str:
    """An insert-off activation of the segment `eu`; Intercom holds two of its companies."""
    add_project_definitions(project, emulator.base_url)
    add_activation(project, "eu-update-only", insert=False)
    for company_id in KNOWN:
        emulator.emulator.seed_company(company_id=company_id, name="Old name")
    return "eu-update-only"


def words(html: str) -> str:
    """A page's words, without tags or runs of white space."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_an_insert_off_preview_labels_no_create_and_gives_one_cost(
    client: httpx.Client, update_only: str
) -> None:
    """The preview of an insert-off activation labels every sampled change an update, says
    "2 to update, 12 not in Intercom: insert is off", and gives the cost once."""
    path = f"/activations/{update_only}"
    html = client.post(f"{path}/preview", data=csrf_form(client, path)).text
    changes = re.search(r'<table id="changes">.*?</table>', html, re.S)
    assert changes is not None, html
    assert re.findall(r"<td[^>]*>(create|update)</td>", changes.group(0)) == ["update"] * 2
    text = words(html)
    missing = len(EU) - len(KNOWN)
    assert f"2 to update, {missing} not in Intercom: insert is off" in text
    assert text.count("API calls") == 1


def test_an_insert_off_run_is_summarised_by_outcome_and_charted_per_outcome(
    client: httpx.Client, update_only: str
) -> None:
    """The run's page says "2 updated, 12 not in Intercom: insert is off" and never that they
    could not be synced; the history charts one series per outcome, with titles and times."""
    path = f"/activations/{update_only}"
    client.post(f"{path}/run", data=csrf_form(client, path))
    deadline = time.monotonic() + 120
    while "Run again" not in (shown := client.get(f"{path}/run/progress").text):
        assert time.monotonic() < deadline, shown
        time.sleep(0.2)
    text = words(shown)
    missing = len(EU) - len(KNOWN)
    assert f"2 updated, {missing} not in Intercom: insert is off" in text
    assert "could not be synced" not in text
    assert f"{missing} companies are not in Intercom: see which" in text
    history = client.get(f"{path}/history").text
    chart = re.search(r'<svg class="chart".*?</svg>', history, re.S)
    assert chart is not None
    legend = re.findall(r"■ ([^<]+)</text>", chart.group(0))
    assert legend == ["created", "updated", "unchanged", "not in Intercom", "rejected", "failed"]
    assert "Companies per run, by outcome" in chart.group(0)
    assert re.search(r'class="time">\d{4}-\d\d-\d\d \d\d:\d\d UTC<', chart.group(0))


def test_the_run_page_lists_the_companies_not_in_intercom_searchable(
    client: httpx.Client, update_only: str
) -> None:
    """After an insert-off run, the run's page lists each company not in Intercom, and the
    search narrows the list to the matching ones."""
    path = f"/activations/{update_only}"
    client.post(f"{path}/run", data=csrf_form(client, path))
    deadline = time.monotonic() + 120
    while "Run again" not in (shown := client.get(f"{path}/run/progress").text):
        assert time.monotonic() < deadline, shown
        time.sleep(0.2)
    link = re.search(r'href="([^"]+)#not-in-intercom" id="missing-link"', shown)
    assert link is not None, shown
    detail = client.get(link.group(1)).text
    listed = re.findall(r"<tr><td>(acct-\d+)</td></tr>", detail)
    assert listed == EU[2:]
    narrowed = client.get(link.group(1), params={"mq": EU[-1]}).text
    assert re.findall(r"<tr><td>(acct-\d+)</td></tr>", narrowed) == [EU[-1]]
    assert "insert_mode" not in detail


def test_errors_of_a_run_are_paged_fifty_at_a_time() -> None:
    """A list of 120 rows shows 50 on a page, three pages, and the last page the last 20."""
    rows = list(range(120))
    first, last = paged(rows, 1), paged(rows, 3)
    assert (len(first.rows), first.pages, first.total) == (50, 3, 120)
    assert last.rows == rows[100:]
    assert paged(rows, 99).number == 3


def test_a_preview_of_a_segment_matching_no_company_warns(
    client: httpx.Client, project: Path, emulator: EmulatorHandle
) -> None:
    """An activation whose segment matches no company previews with a warning that a run
    would send nothing, and the summary says there is no company."""
    add_project_definitions(project, emulator.base_url)
    document = yaml.safe_load((project / "hoist.yml").read_text())
    document["segments"]["eu"]["where"]["all"][0]["value"] = "mars"
    (project / "hoist.yml").write_text(yaml.safe_dump(document))
    add_activation(project, "nobody")
    page = client.get("/activations/nobody").text
    assert re.search(r'class="busy submit-busy" role="status" hidden>', page)
    html = client.post("/activations/nobody/preview", data=csrf_form(client, "/activations/nobody"))
    assert 'id="preview-empty"' in html.text
    assert "no company in the model" in words(html.text)
