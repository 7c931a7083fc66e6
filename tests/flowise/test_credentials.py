"""FlowiseCredential: write-only secrets from the environment, the keyed fingerprint, rotation, drift, recovery."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from assistplan.kinds.flowise_credentials import MARK, REDACTED, credential_id

from .conftest import OPENAI_CREDENTIAL as CREDENTIAL
from .conftest import SECRET_ENV, FlowiseProject, Sent

SECRET = "sk-flowise-SECRET-never-print-7731"
ROTATED = "sk-flowise-ROTATED-never-print-9917"


@pytest.fixture
def project(fproject: FlowiseProject, monkeypatch: pytest.MonkeyPatch) -> FlowiseProject:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    fproject.write("credentials.yaml", CREDENTIAL)
    return fproject


def live_credentials(project: FlowiseProject) -> list[dict]:
    with project.api() as api:
        return api.get("/credentials").json()


def test_apply_creates_the_credential_under_an_id_made_from_project_and_address(project: FlowiseProject) -> None:
    project.apply()

    [credential] = live_credentials(project)
    assert (credential["name"], credential["credentialName"]) == ("openai", "openAIApi")
    assert credential["id"] == credential_id("flowise-test", "FlowiseCredential/openai")
    assert "No changes." in project.ok("plan").output


def test_the_plan_shows_the_variable_and_a_fingerprint_never_the_secret(project: FlowiseProject) -> None:
    project.apply()

    [change] = project.plan_json()["resource_changes"]
    [entry] = change["change"]["after"]["secrets"].values()
    assert entry["env"] == SECRET_ENV
    assert len(entry["fingerprint"]) == 16


def test_a_rotated_secret_plans_an_update_of_its_fingerprint_only(
    project: FlowiseProject, monkeypatch: pytest.MonkeyPatch, sent: list[Sent]
) -> None:
    project.apply()
    monkeypatch.setenv(SECRET_ENV, ROTATED)

    assert project.changes() == {"FlowiseCredential/openai": (["update"], ["secrets.openAIApiKey.fingerprint"])}
    project.apply()

    [put] = [s for s in sent if s.method == "PUT"]
    assert put.body["plainDataObj"] == {"openAIApiKey": ROTATED}
    assert "No changes." in project.ok("plan").output


def test_a_missing_variable_is_an_error_naming_it(project: FlowiseProject, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV)

    result = project.run("plan")

    assert result.exit_code == 1
    assert f"secrets.openAIApiKey: the environment variable {SECRET_ENV} is not set" in result.output
    assert "Traceback" not in result.output


def test_a_changed_component_updates_the_credential_in_place(project: FlowiseProject) -> None:
    project.apply()
    project.edit("credentials.yaml", "credential: openAIApi", "credential: azureOpenAIApi")

    assert project.changes() == {"FlowiseCredential/openai": (["update"], ["credential"])}
    project.apply()

    [credential] = live_credentials(project)
    assert credential["credentialName"] == "azureOpenAIApi"


def test_removing_the_manifest_deletes_the_credential(project: FlowiseProject) -> None:
    project.apply()
    (project.root / "credentials.yaml").unlink()

    assert project.changes() == {"FlowiseCredential/openai": (["delete"], [])}
    project.apply()

    assert live_credentials(project) == []


def test_a_credential_changed_through_the_api_is_drift_and_its_secret_is_written_again(
    project: FlowiseProject, sent: list[Sent]
) -> None:
    project.apply()
    time.sleep(1.1)  # Flowise's updatedDate counts whole seconds
    with project.api() as api:
        remote_id = project.remote_id("FlowiseCredential/openai")
        api.put(f"/credentials/{remote_id}", json={"plainDataObj": {"openAIApiKey": "sk-edited"}}).raise_for_status()

    view = project.plan_json()

    assert [(d["address"], d["changed_paths"]) for d in view["resource_drift"]] == [
        ("FlowiseCredential/openai", ["secrets"])
    ]
    project.apply()
    assert [s.body["plainDataObj"] for s in sent if s.method == "PUT"] == [{"openAIApiKey": SECRET}]
    assert "No changes." in project.ok("plan").output


def test_a_lost_state_finds_the_credential_by_its_id_and_plans_no_changes(project: FlowiseProject) -> None:
    project.apply()
    remote_id = project.remote_id("FlowiseCredential/openai")
    project.state_path.unlink()

    assert project.changes() == {}
    project.apply()

    assert [c["id"] for c in live_credentials(project)] == [remote_id]


def test_a_lost_state_finds_a_credential_with_a_display_name_by_its_id(project: FlowiseProject) -> None:
    project.edit("credentials.yaml", "name: openai\n", "name: openai\ndisplay_name: OpenAI key (prod)\n")
    project.apply()
    remote_id = project.remote_id("FlowiseCredential/openai")
    project.state_path.unlink()

    assert "No changes." in project.ok("plan").output
    project.apply()

    assert [(c["id"], c["name"]) for c in live_credentials(project)] == [(remote_id, "OpenAI key (prod)")]


def test_the_redaction_marker_is_never_sent(project: FlowiseProject, sent: list[Sent]) -> None:
    project.apply()
    project.edit("credentials.yaml", "credential: openAIApi", "credential: azureOpenAIApi")
    project.apply()
    project.run("destroy", "--auto-approve")

    assert sent
    assert not [s for s in sent if REDACTED in str(s.body)]
    assert not [s for s in sent if s.method == "GET" and s.path.startswith("/credentials/")]


def test_a_variable_holding_the_redaction_marker_is_refused(
    project: FlowiseProject, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, REDACTED)

    result = project.run("plan")

    assert result.exit_code == 1
    assert f"{SECRET_ENV} holds Flowise's redaction marker" in result.output


def test_the_secret_appears_in_no_output_state_or_plan_file(
    project: FlowiseProject, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    planfile = tmp_path / "plan.json"
    outputs = [
        project.run("plan", "--out", str(planfile)),
        project.run("plan", "--format", "json"),
        project.run("plan", "--format", "markdown"),
        project.run("apply", str(planfile)),
        project.run("state", "show", "FlowiseCredential/openai"),
        project.run("state", "pull"),
        project.run("output", "--format", "json"),
    ]
    monkeypatch.setenv(SECRET_ENV, ROTATED)
    outputs += [project.run("plan"), project.run("apply", "--auto-approve"), project.run("destroy", "--auto-approve")]

    assert all(result.exit_code == 0 for result in outputs), [r.output for r in outputs]
    written = [p.read_text() for p in project.state_path.parent.iterdir() if p.is_file()] + [planfile.read_text()]
    texts = [r.output for r in outputs] + written
    assert not [text for text in texts if SECRET in text or ROTATED in text]


def other_project(project: FlowiseProject, name: str) -> FlowiseProject:
    """A second project, `name`, on the same Flowise with the same manifests."""
    other = FlowiseProject(
        root=project.root.parent / name, runner=project.runner, flowise=project.flowise, sandbox=project.sandbox
    )
    config = (project.root / "assistplan.yaml").read_text(encoding="utf-8")
    other.write("assistplan.yaml", config.replace("project: flowise-test", f"project: {name}"))
    other.write("credentials.yaml", CREDENTIAL)
    return other


def test_import_refuses_a_credential_that_another_project_adopted(project: FlowiseProject) -> None:
    with project.api() as api:
        body = {"name": "openai", "credentialName": "openAIApi", "plainDataObj": {"openAIApiKey": SECRET}}
        remote_id = api.post("/credentials", json=body).raise_for_status().json()["id"]
    other_project(project, "other-shop").ok("import", "FlowiseCredential/openai", remote_id)

    result = project.run("import", "FlowiseCredential/openai", remote_id)

    assert result.exit_code == 1
    assert f"{remote_id} belongs to project 'other-shop'" in result.output
    with project.api() as api:
        credential = api.get(f"/credentials/{remote_id}").raise_for_status().json()
    assert json.loads(credential["plainDataObj"][MARK])["project"] == "other-shop"


def test_a_credential_renamed_with_moved_from_is_found_without_the_state_file(project: FlowiseProject) -> None:
    project.apply()
    remote_id = project.remote_id("FlowiseCredential/openai")
    project.edit("credentials.yaml", "name: openai\n", "name: openai2\nmoved_from: FlowiseCredential/openai\n")
    project.apply()
    project.state_path.unlink()

    assert "No changes." in project.ok("plan").output
    assert project.remote_id("FlowiseCredential/openai2") == remote_id


def test_a_credential_of_the_same_name_that_another_project_adopted_is_an_error_naming_it(
    project: FlowiseProject,
) -> None:
    with project.api() as api:
        body = {"name": "openai", "credentialName": "openAIApi", "plainDataObj": {"openAIApiKey": SECRET}}
        remote_id = api.post("/credentials", json=body).raise_for_status().json()["id"]
    other_project(project, "other-shop").ok("import", "FlowiseCredential/openai", remote_id)

    result = project.run("plan")

    assert result.exit_code == 1
    assert f"a credential named 'openai' (id {remote_id}) that project 'other-shop' manages" in result.output
    assert "assistplan import" not in result.output
