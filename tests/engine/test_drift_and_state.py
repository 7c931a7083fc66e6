"""Drift, lost state, content-addressed files, saved plans, the lock and prevent_destroy, through the command."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable

import pytest

from assistplan.sandbox.faults import FaultConfig
from assistplan.sandbox.indexing import FILE_KIND
from assistplan.sandbox.server import SandboxServer
from assistplan.state import StateLock
from conftest import Project


def apply(project: Project) -> None:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output


def plan_json(project: Project, *args: str) -> dict:
    result = project.run("plan", "--format", "json", *args)
    assert result.exit_code in (0, 2), result.output
    return json.loads(result.output)


def test_a_dashboard_edit_is_reported_as_drift(project: Project) -> None:
    apply(project)
    agent_id = project.state()["resources"]["Agent/support-agent"]["id"]
    project.client().beta.agents.update(agent_id, instructions="Edited in the dashboard.")

    view = plan_json(project)

    assert [(d["address"], d["changed_paths"]) for d in view["resource_drift"]] == [
        ("Agent/support-agent", ["instructions"])
    ]
    [change] = [rc for rc in view["resource_changes"] if rc["change"]["actions"] == ["update"]]
    assert change["action_reason"] == "drift"


def test_drift_counts_as_changes_for_detailed_exitcode(project: Project) -> None:
    apply(project)
    agent_id = project.state()["resources"]["Agent/support-agent"]["id"]
    project.client().beta.agents.update(agent_id, metadata={"edited": "yes"})

    assert project.run("plan", "--detailed-exitcode").exit_code == 2


def test_a_lost_state_file_still_plans_no_changes(project: Project) -> None:
    apply(project)
    project.state_path.unlink()

    result = project.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output
    assert "No changes." in result.output


def test_a_plan_without_state_rebuilds_what_apply_recorded(project: Project) -> None:
    apply(project)
    before = project.state()["resources"]
    project.state_path.unlink()

    project.run("plan")

    rebuilt = project.state()["resources"]
    assert {a: (r["id"], r["digest"], r["applied"]) for a, r in rebuilt.items()} == {
        a: (r["id"], r["digest"], r["applied"]) for a, r in before.items()
    }


def test_apply_after_losing_the_state_uploads_and_creates_nothing(project: Project) -> None:
    apply(project)
    project.state_path.unlink()
    project.sandbox.reset_counters()

    apply(project)

    posts = {route: n for route, n in project.sandbox.counters.items() if route.startswith("POST")}
    assert posts == {}


def test_editing_a_file_uploads_it_once_and_reindexes_it(project: Project) -> None:
    apply(project)
    project.write("handbook/returns.md", "# Returns\n\nItems can be returned within 60 days.\n")
    project.sandbox.reset_counters()

    apply(project)

    counters = project.sandbox.counters
    assert counters.get("POST /files") == 1
    assert counters.get("POST /vector_stores/{vector_store_id}/file_batches") == 1
    assert counters.get("DELETE /vector_stores/{vector_store_id}/files/{file_id}") == 1
    assert counters.get("DELETE /files/{file_id}") == 1
    names = sorted(f.filename for f in project.client().files.list())
    assert len(names) == 4
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def fail_indexing_of(sandbox: SandboxServer, filename_part: str) -> Callable[[], None]:
    """A trigger action: the server's indexing of every attached file whose name contains `filename_part` ends
    `failed` with a `server_error` (one of the API's documented `last_error` codes)."""

    def fail() -> None:
        for store in sandbox.store.scan("vector_store", descending=False):
            for record in sandbox.store.children(FILE_KIND, store["id"]):
                file = sandbox.store.get("file", record["id"]) or {}
                if filename_part in str(file.get("filename")):
                    error = {"code": "server_error", "message": "The file could not be processed."}
                    sandbox.store.put(FILE_KIND, {**record, "_outcome": "failed", "_error": error}, store["id"])

    return fail


def test_a_file_that_fails_to_index_fails_the_apply_naming_it(project: Project) -> None:
    route = "POST /vector_stores/{vector_store_id}/file_batches"
    project.sandbox.settings.indexing_delay = 0.01
    failing = fail_indexing_of(project.sandbox, "returns.md")
    trigger = project.sandbox.on_request(1, failing, route=route, when="after", then="answer")

    result = project.run("apply", "--auto-approve")

    assert trigger.fired.is_set()
    assert result.exit_code == 1, result.output
    assert "handbook/returns.md: The file could not be processed." in result.output
    assert "Assistant/support: skipped: depends on VectorStore/handbook, which failed" in result.output


def test_a_saved_plan_applies_exactly_and_without_a_prompt(project: Project, tmp_path) -> None:
    planfile = tmp_path / "plan.json"
    assert project.run("plan", "--out", str(planfile)).exit_code == 0

    result = project.run("apply", str(planfile))

    assert result.exit_code == 0, result.output
    assert "Resources: 4 added" in result.output


def test_a_saved_destroy_plan_reports_a_destroy(project: Project, tmp_path) -> None:
    apply(project)
    planfile = tmp_path / "plan.json"
    assert project.run("plan", "--destroy", "--out", str(planfile)).exit_code == 0

    result = project.run("apply", str(planfile))

    assert result.exit_code == 0, result.output
    assert "Destroy complete! Resources: 7 destroyed." in result.output


def test_a_saved_plan_that_destroys_what_the_manifests_now_protect_is_refused(project: Project, tmp_path) -> None:
    apply(project)
    planfile = tmp_path / "plan.json"
    assert project.run("plan", "--destroy", "--out", str(planfile)).exit_code == 0
    project.edit("stack.yaml", "name: support-agent\n", "name: support-agent\nlifecycle: {prevent_destroy: true}\n")

    result = project.run("apply", str(planfile))

    assert result.exit_code == 1
    assert "lifecycle.prevent_destroy forbids this plan: Agent/support-agent would be destroyed" in result.output
    assert len(list(project.client().beta.agents.list())) == 1


def test_refresh_only_is_refused_with_a_saved_plan(project: Project, tmp_path) -> None:
    planfile = tmp_path / "plan.json"
    assert project.run("plan", "--out", str(planfile)).exit_code == 0

    result = project.run("apply", str(planfile), "--refresh-only")

    assert result.exit_code == 1
    assert "--refresh-only would plan anew: a saved PLANFILE is applied exactly as it was planned" in result.output
    assert list(project.client().beta.agents.list()) == []


def test_a_saved_plan_of_manifests_that_read_variables_applies_with_them(project: Project, tmp_path) -> None:
    project.edit("stack.yaml", "You are the support agent of Acme.", "You are the {{ vars.tier }} agent of Acme.")
    planfile = tmp_path / "plan.json"
    assert project.run("plan", "--var", "tier=gold", "--out", str(planfile)).exit_code == 0

    result = project.run("apply", str(planfile), "--var", "tier=gold")

    assert result.exit_code == 0, result.output
    [agent] = project.client().beta.agents.list()
    assert agent.instructions == "You are the gold agent of Acme."


def test_a_stale_saved_plan_is_refused_naming_what_changed(project: Project, tmp_path) -> None:
    apply(project)
    project.edit("stack.yaml", "Be brief.", "Be very brief.")
    planfile = tmp_path / "plan.json"
    assert project.run("plan", "--out", str(planfile)).exit_code == 0
    agent_id = project.state()["resources"]["Agent/support-agent"]["id"]
    project.client().beta.agents.update(agent_id, instructions="Edited meanwhile.")

    result = project.run("apply", str(planfile))

    assert result.exit_code == 1
    assert "stale" in result.output
    assert f"Agent/support-agent ({agent_id}) changed" in result.output


def test_a_second_apply_fails_at_once_naming_the_lock_holder(project: Project) -> None:
    with StateLock(project.state_path, "apply"):
        result = project.run("apply", "--auto-approve")

    assert result.exit_code == 1
    assert "locked by" in result.output
    assert "for apply" in result.output


def test_an_apply_that_waits_for_the_lock_says_so_before_it_gives_up(project: Project) -> None:
    with StateLock(project.state_path, "apply"):
        result = project.run("apply", "--auto-approve", "--lock-timeout", "0.2")

    assert result.exit_code == 1
    waiting = result.output.index("Waiting up to 0.2s for the state lock, held by ")
    assert waiting < result.output.index("cannot apply: the state is locked by ")


def test_prevent_destroy_blocks_a_plan_that_deletes(project: Project) -> None:
    project.edit("stack.yaml", "name: support-agent\n", "name: support-agent\nlifecycle: {prevent_destroy: true}\n")
    apply(project)

    result = project.run("destroy", "--auto-approve")

    assert result.exit_code == 1
    assert "Agent/support-agent would be destroyed" in result.output
    assert len(list(project.client().beta.agents.list())) == 1


def test_prevent_destroy_does_not_block_a_targeted_destroy_that_leaves_the_resource_alone(project: Project) -> None:
    project.edit("stack.yaml", "name: support-agent\n", "name: support-agent\nlifecycle: {prevent_destroy: true}\n")
    apply(project)

    result = project.run("destroy", "--target", "VectorStore/handbook", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "Destroy complete! Resources: 2 destroyed." in result.output
    assert [agent.name for agent in project.client().beta.agents.list()] == ["support-agent"]


def test_a_state_rebuilt_while_a_field_the_api_does_not_return_is_edited_records_no_placeholder(
    project: Project,
) -> None:
    described = "name: handbook\ndescription: What the handbook knows\n"
    project.edit("stack.yaml", "name: handbook\n", described)
    apply(project)
    project.edit("stack.yaml", "What the handbook knows", "Everything about Acme")
    project.state_path.unlink()
    rebuilding = project.run("plan", "--detailed-exitcode")
    assert rebuilding.exit_code == 2, rebuilding.output
    assert "changed since the last apply" not in project.state_path.read_text(encoding="utf-8")

    project.edit("stack.yaml", "Everything about Acme", "What the handbook knows")
    refresh_only = project.run("plan", "--refresh-only", "--detailed-exitcode")
    result = project.run("plan", "--detailed-exitcode")

    assert refresh_only.exit_code == 0, refresh_only.output
    assert result.exit_code == 0, result.output
    assert "changed outside" not in result.output


def test_ignore_changes_keeps_a_field_out_of_the_plan(project: Project) -> None:
    project.edit(
        "stack.yaml", "name: support-agent\n", "name: support-agent\nlifecycle: {ignore_changes: [instructions]}\n"
    )
    apply(project)
    project.edit("stack.yaml", "You are the support agent of Acme.", "You are someone else.")

    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_target_plans_only_that_resource_and_its_dependencies(project: Project) -> None:
    view = plan_json(project, "--target", "Assistant/support")

    assert [rc["address"] for rc in view["resource_changes"]] == ["VectorStore/handbook", "Assistant/support"]


def test_import_of_a_miswritten_address_names_the_argument_and_the_unknown_kind(project: Project) -> None:
    result = project.run("import", "agent/support-agent", "agent_1")

    assert result.exit_code == 1
    assert (
        "Invalid value for 'ADDRESS': invalid address 'agent/support-agent': unknown kind 'agent' "
        '(did you mean "Agent"?)' in result.output
    )


def test_import_adopts_an_unmanaged_agent(project: Project) -> None:
    agent = project.client().beta.agents.create(model="gpt-5", name="support-agent", metadata={"owner": "ops"})

    result = project.run("import", "Agent/support-agent", agent.id)

    assert result.exit_code == 0, result.output
    assert project.state()["resources"]["Agent/support-agent"]["id"] == agent.id
    stamped = project.client().beta.agents.retrieve(agent.id).metadata
    assert stamped["assistplan:project"] == "test-shop"
    assert stamped["owner"] == "ops"


def test_import_at_a_managed_address_says_why_state_rm_alone_would_not_do(project: Project) -> None:
    first = project.client().beta.agents.create(model="gpt-5", name="support-agent")
    second = project.client().beta.agents.create(model="gpt-5", name="support-agent")
    assert project.run("import", "Agent/support-agent", first.id).exit_code == 0

    result = project.run("import", "Agent/support-agent", second.id)

    assert result.exit_code == 1
    assert f"Agent/support-agent is already managed (remote id {first.id}): an address is one object" in result.output
    assert f"`state rm` alone would not do: {first.id} keeps this project's labels" in result.output


def test_state_rm_says_the_object_keeps_its_labels_and_is_found_again(project: Project) -> None:
    apply(project)
    agent_id = project.state()["resources"]["Agent/support-agent"]["id"]

    removed = project.run("state", "rm", "Agent/support-agent")
    planned = project.run("plan", "--detailed-exitcode")
    applied = project.run("apply", "--auto-approve")

    assert removed.exit_code == 0, removed.output
    assert f"Its remote object ({agent_id}) is untouched and keeps this project's labels" in removed.output
    assert planned.exit_code == 2, planned.output
    assert f'+ id = "{agent_id}"' in planned.output
    assert planned.output.count(agent_id) == 1
    assert applied.exit_code == 0, applied.output
    assert project.state()["resources"]["Agent/support-agent"]["id"] == agent_id
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_an_import_whose_stamp_fails_names_the_resource_operation_url_and_request_id(project: Project) -> None:
    agent = project.client().beta.agents.create(model="gpt-5", name="support-agent")
    project.sandbox.set_faults(routes={"POST /agents/{agent_id}": FaultConfig(rate=1.0, modes=("500",))})

    result = project.run("import", "Agent/support-agent", agent.id)

    assert result.exit_code == 1
    line = next(line for line in result.output.splitlines() if "Agent/support-agent" in line)
    assert "import" in line
    assert f"(POST {project.sandbox.base_url}/agents/{agent.id})" in line
    assert re.search(r"\(request id req_[0-9a-f]{32}\)", line)


def test_a_failed_upload_names_it_once_with_its_file_its_url_and_its_request_id(project: Project) -> None:
    project.sandbox.set_faults(routes={"POST /files": FaultConfig(rate=1.0, modes=("500",))})

    result = project.run("apply", "--auto-approve")

    assert result.exit_code == 1
    progress = next(line for line in result.output.splitlines() if line.startswith("VectorStore/handbook: create"))
    summary = next(line for line in result.output.splitlines() if "failed:  VectorStore/handbook" in line)
    assert progress.startswith("VectorStore/handbook: create failed: upload handbook/returns.md: ")
    assert summary.startswith("  failed:  VectorStore/handbook create: upload handbook/returns.md: ")
    for line in (progress, summary):
        assert line.count("VectorStore/handbook") == 1
        assert f"(POST {project.sandbox.base_url}/files)" in line
        assert len(re.findall(r"\(request id req_[0-9a-f]{32}\)", line)) == 1


def test_objects_of_other_projects_are_never_touched(project: Project) -> None:
    other = project.client().beta.agents.create(
        model="gpt-5", name="support-agent", metadata={"assistplan:project": "other", "assistplan:address": "Agent/x"}
    )
    apply(project)

    assert project.run("destroy", "--auto-approve").exit_code == 0
    assert [a.id for a in project.client().beta.agents.list()] == [other.id]


def test_output_lists_remote_ids_by_address(project: Project) -> None:
    apply(project)

    result = project.run("output", "--format", "json")

    ids = json.loads(result.output)
    assert ids == {a: r["id"] for a, r in project.state()["resources"].items()}


def test_an_object_found_by_its_labels_where_the_state_records_a_gone_one_is_recorded_by_the_next_apply(
    project: Project,
) -> None:
    apply(project)
    stale = project.state_path.read_bytes()
    gone_id = project.state()["resources"]["Agent/support-agent"]["id"]
    replaced = project.run("apply", "--auto-approve", "--replace", "Agent/support-agent")
    assert replaced.exit_code == 0, replaced.output
    live_id = project.state()["resources"]["Agent/support-agent"]["id"]
    project.state_path.write_bytes(stale)

    planned = project.run("plan", "--detailed-exitcode")
    applied = project.run("apply", "--auto-approve")

    assert planned.exit_code == 2, planned.output
    assert f'~ id = "{gone_id}" -> "{live_id}"' in planned.output
    assert applied.exit_code == 0, applied.output
    assert project.state()["resources"]["Agent/support-agent"]["id"] == live_id
    assert project.run("output", "Agent/support-agent").output.strip() == live_id
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_plan_saved_without_a_state_file_applies_where_there_is_none_either(project: Project, tmp_path) -> None:
    apply(project)
    project.edit("stack.yaml", "Be brief.", "Be very brief.")
    planfile = tmp_path / "plan.json"
    shutil.rmtree(project.state_path.parent)
    assert project.run("plan", "--out", str(planfile)).exit_code == 0
    shutil.rmtree(project.state_path.parent)

    result = project.run("apply", str(planfile))

    assert result.exit_code == 0, result.output
    assert "Resources: 0 added, 1 changed, 0 destroyed." in result.output
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_plan_saved_without_a_state_file_is_stale_against_another_state_file(project: Project, tmp_path) -> None:
    apply(project)
    other = project.state_path.read_bytes()
    project.edit("stack.yaml", "Be brief.", "Be very brief.")
    planfile = tmp_path / "plan.json"
    shutil.rmtree(project.state_path.parent)
    assert project.run("plan", "--out", str(planfile)).exit_code == 0
    project.state_path.write_bytes(other)

    result = project.run("apply", str(planfile))

    assert result.exit_code == 1
    assert "the saved plan is stale: the state file is a different one" in result.output


@pytest.mark.parametrize(
    ("out", "reason"),
    [
        (".assistplan/state.json", "that is one of the state's files"),
        (".assistplan/state.json.journal", "that is one of the state's files"),
        ("plan.yaml", "a .yaml file in the manifest root is read as a manifest"),
    ],
)
def test_plan_out_refuses_a_path_it_would_break_the_project_with(project: Project, out: str, reason: str) -> None:
    apply(project)
    state = project.state_path.read_bytes()

    result = project.run("plan", "--out", str(project.root / out))

    assert result.exit_code == 1
    assert reason in result.output
    assert project.state_path.read_bytes() == state
    assert not (project.root / "plan.yaml").exists()


def test_a_file_declared_for_an_upload_a_store_already_made_is_no_drift(project: Project) -> None:
    apply(project)
    project.write("returns.yaml", "kind: File\nname: returns\npath: handbook/returns.md\n")

    result = project.run("plan", "--detailed-exitcode")

    assert result.exit_code == 0, result.output
    assert "changed outside" not in result.output


def test_a_plan_saved_without_a_state_file_applies_in_the_same_checkout(project: Project, tmp_path) -> None:
    apply(project)
    project.edit("stack.yaml", "Be brief.", "Be very brief.")
    planfile = tmp_path / "plan.json"
    shutil.rmtree(project.state_path.parent)
    assert project.run("plan", "--out", str(planfile)).exit_code == 0

    result = project.run("apply", str(planfile))

    assert result.exit_code == 0, result.output
    assert "Resources: 0 added, 1 changed, 0 destroyed." in result.output
    assert project.run("plan", "--detailed-exitcode").exit_code == 0


def test_plan_out_refuses_a_link_to_a_manifest(project: Project) -> None:
    apply(project)
    manifest = (project.root / "stack.yaml").read_bytes()
    (project.root / "link.json").symlink_to(project.root / "stack.yaml")

    result = project.run("plan", "--out", str(project.root / "link.json"))

    assert result.exit_code == 1
    assert "a .yaml file in the manifest root is read as a manifest" in result.output
    assert (project.root / "stack.yaml").read_bytes() == manifest
