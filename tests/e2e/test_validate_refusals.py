"""`hoist validate` refuses, with file, key and fix and without calling Intercom, what a run
would refuse (or reject value by value): column types, mistyped columns. Contacts with
warehouse-native state are valid (issue 23)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.harness.project import hoist


def edit_activation(root: Path, name: str, **keys: Any) -> None:
    """Set top-level keys of activation `name` in hoist.yml (a dict value is merged in)."""
    data = yaml.safe_load((root / "hoist.yml").read_text())
    activation = data["activations"][name]
    for key, value in keys.items():
        if isinstance(value, dict) and isinstance(activation.get(key), dict):
            activation[key] = {**activation[key], **value}
        else:
            activation[key] = value
    (root / "hoist.yml").write_text(yaml.safe_dump(data, sort_keys=False))


def test_a_text_column_mapped_to_a_number_or_a_time_is_a_problem(
    project: Path,
    emulator: Any,
) -> None:
    """Text mapped to `monthly_spend` (a whole number) or `remote_created_at` (a timestamp)
    fails validate naming the key and the cast to write, and no Intercom call is made."""
    data = yaml.safe_load((project / "hoist.yml").read_text())
    sync = data["activations"]["by-sql"]["sync"]
    sync["mapping"].update({"monthly_spend": "tier", "remote_created_at": "plan_name"})
    (project / "hoist.yml").write_text(yaml.safe_dump(data, sort_keys=False))

    done = hoist("validate", cwd=project)

    assert done.returncode == 2
    assert (
        "hoist.yml: activations.by-sql.sync.mapping.monthly_spend: column 'tier' is text, but "
        "Intercom holds 'monthly_spend' as a whole number" in done.stdout
    )
    assert "e.g. CAST(tier AS BIGINT)" in done.stdout
    assert (
        "activations.by-sql.sync.mapping.remote_created_at: column 'plan_name' is text, but "
        "Intercom holds 'remote_created_at' as a timestamp" in done.stdout
    )
    assert "e.g. CAST(plan_name AS TIMESTAMP)" in done.stdout
    assert emulator.emulator.requests() == []


def test_a_boolean_column_mapped_to_size_is_a_problem(
    project: Path,
) -> None:
    """A column a run refuses for a standard attribute (a boolean for `size`) fails validate."""
    data = yaml.safe_load((project / "hoist.yml").read_text())
    data["activations"]["by-sql"]["sync"]["mapping"]["size"] = "is_enterprise"
    (project / "hoist.yml").write_text(yaml.safe_dump(data, sort_keys=False))

    done = hoist("validate", cwd=project)

    assert done.returncode == 2
    assert (
        "activations.by-sql.sync.mapping.size: column 'is_enterprise' (bool) cannot be sent to "
        "'size', which Intercom holds as integer" in done.stdout
    )


def test_contacts_with_warehouse_native_state_pass_validate(
    project: Path,
) -> None:
    """`contacts:` with `state.in_warehouse` passes validate (offline too): native state keeps
    the contact pairs beside its other tables."""
    contacts = {
        "model": {"sql": "select account_id, 'a@example.com' as email from analytics.companies"},
        "company_id": "account_id",
        "match": "email",
        "column": "email",
    }
    edit_activation(
        project, "by-sql", contacts=contacts, state={"in_warehouse": True, "schema": "hoist"}
    )

    for args in (["validate"], ["validate", "--offline"]):
        done = hoist(*args, cwd=project)

        assert done.returncode == 0, done.stdout
        assert "contacts" not in done.stderr


def test_a_mistyped_mapping_column_gets_a_did_you_mean(
    project: Path,
) -> None:
    """A mapped column the model lacks is named with the closest column it has."""
    data = yaml.safe_load((project / "hoist.yml").read_text())
    data["activations"]["by-sql"]["sync"]["mapping"]["name"] = "acount_name"
    (project / "hoist.yml").write_text(yaml.safe_dump(data, sort_keys=False))

    done = hoist("validate", cwd=project)

    assert done.returncode == 2
    assert (
        "activations.by-sql.sync.mapping.name: column 'acount_name' is not in the model; did "
        "you mean 'account_name'?" in done.stdout
    )


def test_an_unset_alert_variable_is_named_and_does_not_break_runs(
    project: Path,
) -> None:
    """An alert webhook from an unset variable: validate says to set it; `hoist runs` (which
    needs no webhook) still shows the history instead of "must be an http(s) URL"."""
    edit_activation(project, "by-sql", alerts=[{"webhook": "${HOIST_TEST_UNSET_HOOK}"}])

    checked = hoist("validate", "--offline", cwd=project, env={"HOIST_TEST_UNSET_HOOK": None})
    history = hoist("runs", "by-sql", cwd=project, env={"HOIST_TEST_UNSET_HOOK": None})

    assert checked.returncode == 2
    assert (
        "activations.by-sql.alerts[0].webhook: set HOIST_TEST_UNSET_HOOK in the environment"
        in checked.stdout
    )
    assert history.returncode == 0, history.stderr
    assert "http(s) URL" not in history.stderr
