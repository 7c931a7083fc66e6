"""What a plan can be trusted with: stale or foreign state, objects and files left behind, lifecycle from manifests."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

from assistplan.kinds.blobs import PREFIX, parse_blob
from conftest import KEY_ENV, Project


def drop_documents(project: Project, kind: str) -> None:
    path = project.root / "stack.yaml"
    documents = path.read_text(encoding="utf-8").split("---\n")
    path.write_text("---\n".join(d for d in documents if not d.startswith(f"kind: {kind}\n")), encoding="utf-8")


def applied(project: Project, *args: str) -> None:
    result = project.run("apply", "--auto-approve", *args)
    assert result.exit_code == 0, result.output


def project_files(project: Project) -> list[str]:
    return sorted(f.filename for f in project.client().files.list() if f.filename.startswith("ap.test-shop."))


def stores_named(project: Project, address: str) -> list[str]:
    return [
        s.id
        for s in project.client().vector_stores.list()
        if (s.metadata or {}).get("assistplan:address") == address
        and (s.metadata or {}).get("assistplan:project") == "test-shop"
    ]


def test_a_state_file_of_another_project_is_refused_before_any_request(project: Project) -> None:
    applied(project)
    state = project.state()
    state["project"] = "someone-else"
    project.state_path.write_text(json.dumps(state))
    project.sandbox.reset_counters()

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 1
    assert "belongs to project 'someone-else'" in result.output
    assert project.sandbox.counters == {}


@pytest.mark.parametrize("kind", ["Agent", "Assistant"])
def test_a_state_record_whose_applied_spec_is_damaged_is_an_error_naming_it_and_the_way_out(
    project: Project, kind: str
) -> None:
    applied(project)
    state = project.state()
    address = next(address for address in state["resources"] if address.startswith(f"{kind}/"))
    del state["resources"][address]["applied"]["tools"]
    project.state_path.write_text(json.dumps(state))
    before = project.state_path.read_bytes()

    result = project.run("plan")

    assert result.exit_code == 1
    assert f"the state's record of {address} is damaged" in result.output
    assert f"assistplan state rm {address}" in result.output
    assert "Traceback" not in result.output
    assert project.state_path.read_bytes() == before


def test_a_vector_store_description_the_api_does_not_return_plans_no_changes_without_state(project: Project) -> None:
    project.edit("stack.yaml", "files: [handbook/*.md]", "files: [handbook/*.md]\ndescription: Store policies")
    applied(project)
    project.state_path.unlink()

    result = project.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output


def test_a_stale_state_id_gives_way_to_the_object_stamped_with_the_address(project: Project) -> None:
    applied(project)
    client = project.client()
    dead = project.state()["resources"]["VectorStore/handbook"]["id"]
    metadata = client.vector_stores.retrieve(dead).metadata
    client.vector_stores.delete(dead)
    recreated = client.vector_stores.create(name="handbook", metadata=metadata).id

    plan = project.run("plan", "--format", "json")
    applied(project)

    view = json.loads(plan.output)
    store = next(rc for rc in view["resource_changes"] if rc["address"] == "VectorStore/handbook")
    assert store["change"]["actions"] == ["update"]
    assert project.state()["resources"]["VectorStore/handbook"]["id"] == recreated
    assistant = client.beta.assistants.retrieve(project.state()["resources"]["Assistant/support"]["id"])
    assert assistant.tool_resources.file_search.vector_store_ids == [recreated]
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_dependent_still_pointing_at_a_deleted_object_is_updated(project: Project) -> None:
    applied(project)
    client = project.client()
    store_id = project.state()["resources"]["VectorStore/handbook"]["id"]
    client.vector_stores.delete(store_id)

    plan = project.run("plan", "--format", "json", "--detailed-exitcode")

    actions = {rc["address"]: rc["change"]["actions"] for rc in json.loads(plan.output)["resource_changes"]}
    assert plan.exit_code == 2
    assert actions["VectorStore/handbook"] == ["create"]
    assert actions["Assistant/support"] == ["update"]


def test_a_project_file_no_address_claims_is_deleted_by_the_next_apply(project: Project) -> None:
    applied(project)
    stray = project.client().files.create(
        file=("ap.test-shop.0123456789abcdef0123456789abcdef.old.md", b"x"), purpose="assistants"
    )

    plan = project.run("plan", "--detailed-exitcode")
    applied(project)

    assert plan.exit_code == 2
    assert f"old.md#{stray.id}" in plan.output
    assert stray.id not in {f.id for f in project.client().files.list()}
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_files_of_other_projects_are_never_deleted(project: Project) -> None:
    applied(project)
    other = project.client().files.create(
        file=("ap.other-shop.0123456789abcdef0123456789abcdef.x.md", b"x"), purpose="assistants"
    )
    mine_by_hand = project.client().files.create(file=("notes.md", b"x"), purpose="assistants")

    applied(project)
    result = project.run("destroy", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert {f.id for f in project.client().files.list()} == {other.id, mine_by_hand.id}


def test_a_file_removed_from_a_store_is_deleted_even_when_its_delete_failed_before(project: Project) -> None:
    applied(project)
    project.edit("stack.yaml", "files: [handbook/*.md]", "files: [handbook/returns.md]")
    project.sandbox.set_faults(routes={"DELETE /files/{file_id}": {"rate": 1.0, "modes": ["500"]}})
    project.run("apply", "--auto-approve")
    project.sandbox.set_faults(rate=0.0)

    applied(project)

    assert not any("shipping.md" in name for name in project_files(project))
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_lost_detach_converges_on_the_next_apply(project: Project) -> None:
    applied(project)
    project.edit("stack.yaml", "files: [handbook/*.md]", "files: [handbook/returns.md]")
    route = "DELETE /vector_stores/{vector_store_id}/files/{file_id}"
    project.sandbox.set_faults(routes={route: {"rate": 1.0, "modes": ["lost"], "max_faults": 1}})
    project.run("apply", "--auto-approve")
    project.sandbox.set_faults(rate=0.0)

    project.run("apply", "--auto-approve")

    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_destroy_leaves_no_project_file_behind(project: Project) -> None:
    applied(project)

    result = project.run("destroy", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert project_files(project) == []


def test_what_two_checkouts_applying_at_once_leave_is_one_object_per_address_after_the_next_apply(
    project: Project,
) -> None:
    applied(project)
    client = project.client()
    store = client.vector_stores.retrieve(project.state()["resources"]["VectorStore/handbook"]["id"])
    twin_files = [
        client.files.create(file=(f.filename, b"# twin upload"), purpose="assistants")
        for f in client.files.list()
        if f.filename.startswith("ap.test-shop.") and f.filename.endswith(".md")
    ]
    twin_store = client.vector_stores.create(
        name="handbook", metadata=store.metadata, file_ids=[f.id for f in twin_files]
    )

    applied(project)

    assert stores_named(project, "VectorStore/handbook") == [store.id]
    assert twin_store.id not in stores_named(project, "VectorStore/handbook")
    names = project_files(project)
    assert len(names) == len(set(names))
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_removing_prevent_destroy_from_the_manifest_allows_destroy_at_once(project: Project) -> None:
    project.edit(
        "stack.yaml",
        "metadata: {team: support}\n---",
        "metadata: {team: support}\nlifecycle: {prevent_destroy: true}\n---",
    )
    applied(project)
    assert project.run("destroy", "--auto-approve").exit_code == 1
    project.edit("stack.yaml", "lifecycle: {prevent_destroy: true}\n", "")

    result = project.run("destroy", "--auto-approve")

    assert result.exit_code == 0, result.output


def test_state_pull_drops_entries_whose_objects_are_gone(project: Project) -> None:
    applied(project)
    agent_id = project.state()["resources"]["Agent/support-agent"]["id"]
    project.client().beta.agents.delete(agent_id)

    result = project.run("state", "pull")

    assert result.exit_code == 0, result.output
    assert "Agent/support-agent" not in project.state()["resources"]


def test_only_the_endpoints_of_kinds_in_use_are_contacted(project: Project) -> None:
    project.write("stack.yaml", "kind: VectorStore\nname: handbook\nfiles: [handbook/*.md]\n")

    result = project.run("plan")

    assert result.exit_code == 0, result.output
    listed = {route for route in project.sandbox.counters if route.startswith("GET")}
    assert listed == {"GET /vector_stores", "GET /files"}


def test_assistants_pointed_at_openai_itself_fail_at_plan_before_any_request(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    project.write("assistplan.yaml", f"project: test-shop\nopenai:\n  api_key_env: {KEY_ENV}\n")

    result = project.run("plan")

    assert result.exit_code == 1
    assert "shut the Assistants API down on 2026-08-26" in result.output
    assert "Agent kind" in result.output


def test_a_fresh_apply_plans_no_changes_without_state_on_every_server_profile(
    project: Project, sandbox_profile: str
) -> None:
    unserved = {"openai": "Assistant", "assistants-only": "Agent"}.get(sandbox_profile)
    if unserved is not None:
        drop_documents(project, unserved)
    project.edit("stack.yaml", "files: [handbook/*.md]", "files: [handbook/*.md]\ndescription: Store policies")
    applied(project)
    assert project.run("plan", "--detailed-exitcode").exit_code == 0
    project.state_path.unlink()

    result = project.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("with_state", [True, False], ids=["with-state", "without-state"])
def test_a_changed_field_the_api_does_not_return_is_still_planned(project: Project, with_state: bool) -> None:
    project.sandbox.settings.profile = "spec"
    project.edit("stack.yaml", "files: [handbook/*.md]", "files: [handbook/*.md]\ndescription: Store policies")
    applied(project)
    if not with_state:
        project.state_path.unlink()
    project.edit("stack.yaml", "description: Store policies", "description: Return and shipping policies")

    result = project.run("plan", "--format", "json", "--detailed-exitcode")

    store = next(rc for rc in json.loads(result.output)["resource_changes"] if rc["address"] == "VectorStore/handbook")
    assert store["change"]["actions"] == ["create", "delete"]
    assert store["change"]["replace_paths"] == ["description"]


def test_an_assistant_with_a_json_schema_response_format_plans_no_changes_after_apply(project: Project) -> None:
    project.edit(
        "stack.yaml",
        "metadata: {team: support}\n---\nkind: Agent",
        "metadata: {team: support}\nresponse_format:\n  type: json_schema\n  json_schema:\n"
        "    name: out\n    schema: {type: object, properties: {x: {type: string}}}\n---\nkind: Agent",
    )
    applied(project)

    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_an_apply_killed_before_recording_its_change_converges_on_the_next_apply(project: Project) -> None:
    applied(project)
    state = project.state()
    state["resources"]["VectorStore/handbook"]["applied"]["files"].pop("handbook/returns.md")
    project.state_path.write_text(json.dumps(state))
    assert project.run("plan", "--detailed-exitcode").exit_code == 2

    applied(project)

    assert project.run("plan", "--detailed-exitcode").exit_code == 0


REPOSITORY_EXAMPLE = Path(__file__).resolve().parents[2] / "assistants"


@pytest.mark.parametrize("profile", ["sandbox", "spec"])
def test_the_repository_example_plans_no_changes_without_state_after_apply(
    project: Project, tmp_path: Path, profile: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACME_ORDERS_MCP_TOKEN", "example-token")
    example = Project(root=tmp_path / "example", runner=project.runner, sandbox=project.sandbox)
    shutil.copytree(REPOSITORY_EXAMPLE, example.root, ignore=shutil.ignore_patterns(".assistplan"))
    example.edit("assistplan.yaml", "base_url: sandbox", f"base_url: {project.sandbox.base_url}")
    example.edit("assistplan.yaml", "api_key_env: OPENAI_API_KEY", f"api_key_env: {KEY_ENV}")
    project.sandbox.settings.profile = profile
    applied(example)
    example.state_path.unlink()

    result = example.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output


def test_a_project_without_agents_plans_on_a_server_without_the_agents_api(project: Project) -> None:
    drop_documents(project, "Agent")
    project.sandbox.settings.profile = "assistants-only"

    applied(project)

    assert project.run("plan", "--detailed-exitcode").exit_code == 0
    assert project.sandbox.count("GET /agents") == 0


def test_a_project_with_agents_on_a_server_without_the_agents_api_is_told_the_server_does_not_serve_them(
    project: Project,
) -> None:
    project.sandbox.settings.profile = "assistants-only"

    result = project.run("plan")

    assert result.exit_code == 1
    assert "list agents: this server does not serve /agents, so what is kept there cannot be managed on it" in (
        result.output
    )
    assert "Invalid URL (GET /v1/agents)" in result.output


def test_a_store_created_beside_the_deletion_of_an_extra_upload_uses_the_copy_that_stays(project: Project) -> None:
    applied(project)
    client = project.client()
    store = client.vector_stores.retrieve(project.state()["resources"]["VectorStore/handbook"]["id"])
    kept = sorted(f.id for f in client.vector_stores.files.list(store.id))
    uploads = [parse_blob(client.files.retrieve(file_id).model_dump()) for file_id in kept]
    twins = [
        client.files.create(
            file=(f"{PREFIX}.test-shop.{blob.sha256}.{quote(blob.path, safe='')}", b"# twin"), purpose="assistants"
        ).id
        for blob in uploads
        if blob is not None
    ]
    assert len(twins) == len(kept) > 0
    project.edit(
        "stack.yaml",
        "kind: Assistant\n",
        "kind: VectorStore\nname: handbook-copy\nfiles: [handbook/*.md]\n---\nkind: Assistant\n",
    )

    applied(project)

    copy_id = project.state()["resources"]["VectorStore/handbook-copy"]["id"]
    assert sorted(f.id for f in client.vector_stores.files.list(copy_id)) == kept
    assert not {f.id for f in client.files.list()} & set(twins)
    assert project.run("plan", "--detailed-exitcode").exit_code == 0
