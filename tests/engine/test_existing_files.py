"""A File given by id (`existing`): a file uploaded outside assistplan, whose content cannot be downloaded, is exported
as a reference to it, found again with and without the state file, named by templates without being uploaded again,
and forgotten (never deleted) when its manifest goes."""

from __future__ import annotations

import io
import json

import pytest

from conftest import Project

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def upload(project: Project, name: str = "rates.csv", purpose: str = "user_data") -> str:
    created = project.client().files.create(
        file=(name, io.BytesIO(b"currency,rate\nEUR,1.08\n")),
        purpose=purpose,  # type: ignore[arg-type]
    )
    return created.id


def no_changes(project: Project) -> None:
    result = project.run("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.output


def actions(project: Project) -> dict[str, list[str]]:
    result = project.run("plan", "--format", "json")
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    return {rc["address"]: rc["change"]["actions"] for rc in view["resource_changes"]}


def given_by_id(file_id: str, template: bool = False) -> str:
    text = f"kind: File\nname: rates\nexisting: {file_id}\npurpose: user_data\n"
    if template:
        text += "---\nkind: EnvironmentTemplate\nname: analysis\n"
        text += "files:\n  - {file: rates, path: /workspace/rates.csv}\n"
    return text


def test_an_uploaded_file_exports_as_a_file_given_by_id_with_a_comment_saying_why(account: Project) -> None:
    file_id = upload(account)

    result = account.run("export")

    assert result.exit_code == 0, result.output
    written = (account.root / "files/rates.csv.yaml").read_text(encoding="utf-8")
    assert f"existing: {file_id}" in written
    assert "purpose: user_data" in written
    assert "# This file was uploaded outside assistplan and cannot be downloaded" in written
    assert account.run("validate").exit_code == 0


def test_an_exported_file_plans_no_changes_with_and_without_the_state_file(account: Project) -> None:
    upload(account)
    assert account.run("export").exit_code == 0

    no_changes(account)
    account.state_path.unlink()
    no_changes(account)


def test_a_file_a_vector_store_holds_gets_no_file_manifest_of_its_own(account: Project) -> None:
    file_id = upload(account, "handbook.md", "assistants")
    account.client().vector_stores.create(name="handbook", file_ids=[file_id])

    result = account.run("export")

    assert result.exit_code == 0, result.output
    assert not (account.root / "files").exists()
    assert file_id in (account.root / "vector-stores/handbook.yaml").read_text(encoding="utf-8")
    no_changes(account)


def test_a_template_placing_an_uploaded_file_exports_with_that_file_by_name(account: Project) -> None:
    file_id = upload(account)
    account.client().beta.agents.environments.templates.create(
        name="analysis", files=[{"type": "file_id", "file_id": file_id, "path": "/workspace/rates.csv"}]
    )

    result = account.run("export")

    assert result.exit_code == 0, result.output
    template = (account.root / "environment-templates/analysis.yaml").read_text(encoding="utf-8")
    assert "file: rates.csv" in template
    assert account.run("validate").exit_code == 0
    no_changes(account)
    account.state_path.unlink()
    no_changes(account)


def test_a_new_file_given_by_id_is_found_by_its_id_and_plans_no_changes(account: Project) -> None:
    account.write("files.yaml", given_by_id(upload(account)))

    no_changes(account)


def test_a_template_naming_a_file_given_by_id_places_that_file_without_uploading_it(account: Project) -> None:
    file_id = upload(account)
    account.write("templates.yaml", given_by_id(file_id, template=True))
    account.sandbox.reset_counters()

    result = account.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert account.sandbox.count("POST /files") == 0
    [template] = account.client().beta.agents.environments.templates.list()
    assert [(f.file_id, f.path) for f in template.files] == [(file_id, "/workspace/rates.csv")]  # type: ignore[union-attr]
    no_changes(account)
    account.state_path.unlink()
    no_changes(account)


def test_removing_a_file_given_by_id_forgets_it_and_leaves_it_on_the_server(account: Project) -> None:
    file_id = upload(account)
    assert account.run("export").exit_code == 0
    (account.root / "files/rates.csv.yaml").unlink()

    planned = actions(account)
    result = account.run("apply", "--auto-approve")

    assert planned == {"File/rates.csv": ["forget"]}
    assert result.exit_code == 0, result.output
    assert "File/rates.csv: removed from the state" in result.output
    assert "already gone" not in result.output
    assert file_id in {f.id for f in account.client().files.list()}


def test_destroy_forgets_a_file_given_by_id_and_leaves_it_on_the_server(account: Project) -> None:
    file_id = upload(account)
    assert account.run("export").exit_code == 0

    result = account.run("destroy", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "0 to destroy, 1 to forget" in result.output
    assert file_id in {f.id for f in account.client().files.list()}


def test_a_file_with_both_a_path_and_an_id_is_refused(account: Project) -> None:
    account.write("files.yaml", "kind: File\nname: rates\npath: rates.csv\nexisting: file-abc\n")
    account.write("rates.csv", "currency,rate\n")

    result = account.run("validate")

    assert result.exit_code == 1
    assert 'give exactly one of "path" (a local file) or "existing" (the id of an uploaded file)' in result.output


def test_a_file_given_by_id_needs_no_local_file(account: Project) -> None:
    account.write("files.yaml", given_by_id("file-abc"))

    result = account.run("validate")

    assert result.exit_code == 0, result.output
