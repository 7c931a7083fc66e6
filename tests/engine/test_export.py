"""`assistplan export`: objects made directly through the SDK become manifests, are adopted in the same step, and
plan as no changes with and without the state file; clashes, merges and filters."""

from __future__ import annotations

import io

import openai
import pytest

from conftest import Project, files_under, no_changes, plan_changes

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

LONG_INSTRUCTIONS = "You are the support agent of Acme.\nAnswer from the handbook.\nBe brief.\nNever guess.\n"
LOOKUP = {"type": "object", "properties": {"order_id": {"type": "string"}}, "required": ["order_id"]}
OTHER_LOOKUP = {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]}


def function(name: str, parameters: dict[str, object], description: str = "Look an order up.") -> dict[str, object]:
    return {"type": "function", "name": name, "description": description, "parameters": parameters}


def build(client: openai.OpenAI) -> dict[str, str]:
    """Every OpenAI kind with awkward names; returns remote ids by role."""
    upload = client.files.create(
        file=("handbook.md", io.BytesIO(b"# Returns\nWithin 30 days.\n")), purpose="assistants"
    )
    store = client.vector_stores.create(name="Support handbook (v2)", file_ids=[upload.id], metadata={"team": "a"})
    data = client.files.create(file=("orders.csv", io.BytesIO(b"id,status\n1,shipped\n")), purpose="assistants")
    assistant = client.beta.assistants.create(
        model="gpt-4o",
        name="Support assistant (old)",
        instructions=LONG_INSTRUCTIONS,
        tools=[
            {"type": "file_search"},
            {"type": "code_interpreter"},
            {
                "type": "function",
                "function": {"name": "lookup", "description": "Look an order up.", "parameters": LOOKUP},
            },
        ],
        tool_resources={"file_search": {"vector_store_ids": [store.id]}, "code_interpreter": {"file_ids": [data.id]}},
        temperature=0.5,
    )
    first = client.beta.agents.create(
        model="gpt-5",
        name="Support agent",
        instructions=LONG_INSTRUCTIONS,
        tools=[function("lookup", LOOKUP), {"type": "web_search", "allowed_domains": ["acme.example"]}],
    )
    second = client.beta.agents.create(model="gpt-5", name="support AGENT", tools=[function("lookup", LOOKUP)])
    third = client.beta.agents.create(model="gpt-5", name="x" * 100, tools=[function("lookup", OTHER_LOOKUP)])
    mcp = client.beta.agents.create(
        model="gpt-5",
        name="support agent",
        tools=[
            {
                "type": "mcp",
                "server_label": "github",
                "transport": {
                    "type": "http",
                    "server_url": "https://mcp.example.com/mcp",
                    "headers": {"Authorization": "Bearer secret-token-value"},
                },
            }
        ],
    )
    return {
        "store": store.id,
        "assistant": assistant.id,
        "first": first.id,
        "second": second.id,
        "third": third.id,
        "mcp": mcp.id,
    }


def test_an_exported_account_validates_and_plans_no_changes_with_and_without_the_state_file(account: Project) -> None:
    build(account.client())

    result = account.run("export")

    assert result.exit_code == 0, result.output
    assert "Adopted 6 objects" in result.output
    assert account.run("validate").exit_code == 0
    no_changes(account)
    account.state_path.unlink()
    no_changes(account)


def test_export_writes_one_file_per_object_with_long_instructions_and_schemas_apart(account: Project) -> None:
    build(account.client())

    account.run("export")

    written = sorted(
        str(p.relative_to(account.root))
        for p in account.root.rglob("*")
        if p.is_file() and ".assistplan" not in p.parts
    )
    assert written == [
        "agents/Support-agent.yaml",
        "agents/support-AGENT-2.yaml",
        "agents/support-agent-3.yaml",
        "agents/" + "x" * 64 + ".yaml",
        "assistants/Support-assistant-old.yaml",
        "assistplan.yaml",
        "functions/lookup-2.yaml",
        "functions/lookup.yaml",
        "prompts/Support-agent.md",
        "prompts/Support-assistant-old.md",
        "schemas/lookup-2.json",
        "schemas/lookup.json",
        "vector-stores/Support-handbook-v2.yaml",
    ]


def test_editing_an_exported_manifest_applies_exactly_that_change_and_keeps_the_remote_name(account: Project) -> None:
    ids = build(account.client())
    account.run("export")
    account.edit("agents/support-AGENT-2.yaml", "model: gpt-5", "model: gpt-5-mini")

    assert plan_changes(account) == [("Agent/support-AGENT-2", ["update"], ["model"])]
    result = account.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    agent = account.client().beta.agents.retrieve(ids["second"])
    assert (agent.name, agent.model) == ("support AGENT", "gpt-5-mini")
    no_changes(account)


def test_a_vector_store_of_existing_files_is_updated_without_uploading_them_again(account: Project) -> None:
    ids = build(account.client())
    account.run("export")
    account.edit("vector-stores/Support-handbook-v2.yaml", "team: a", "team: b")
    before = [f.id for f in account.client().vector_stores.files.list(ids["store"])]
    account.sandbox.reset_counters()

    result = account.run("apply", "--auto-approve")

    assert result.exit_code == 0, result.output
    assert "Resources: 0 added, 1 changed, 0 destroyed." in result.output
    assert account.sandbox.count("POST /files") == 0
    assert [f.id for f in account.client().vector_stores.files.list(ids["store"])] == before
    no_changes(account)


def test_exporting_again_with_merge_writes_nothing_new(account: Project) -> None:
    build(account.client())
    account.run("export")
    before = files_under(account.root)

    result = account.run("export", "--merge")

    assert result.exit_code == 0, result.output
    assert "Nothing to export." in result.output
    assert files_under(account.root) == before
    no_changes(account)


def test_exporting_again_without_merge_names_every_clash_and_writes_nothing(account: Project) -> None:
    build(account.client())
    account.run("export")
    account.client().beta.agents.create(model="gpt-5", name="newcomer")
    before = files_under(account.root)

    result = account.run("export")

    assert result.exit_code == 1
    assert "Agent/Support-agent: the project already has it" in result.output
    assert "VectorStore/Support-handbook-v2: the project already has it" in result.output
    assert "--merge" in result.output
    assert files_under(account.root) == before


def test_a_file_in_the_way_is_a_clash_and_nothing_is_written(account: Project) -> None:
    build(account.client())
    account.write("prompts/Support-agent.md", "notes of my own\n")

    result = account.run("export")

    assert result.exit_code == 1
    assert "Agent/Support-agent: prompts/Support-agent.md exists" in result.output
    assert sorted(files_under(account.root)) == ["assistplan.yaml", "prompts/Support-agent.md"]
    assert not account.state_path.exists()


def test_merge_skips_an_object_whose_file_is_in_the_way_and_exports_the_rest(account: Project) -> None:
    build(account.client())
    account.write("prompts/Support-agent.md", "notes of my own\n")

    result = account.run("export", "--merge")

    assert result.exit_code == 0, result.output
    assert "Skipped Agent/Support-agent: prompts/Support-agent.md exists" in result.output
    assert "agents/Support-agent.yaml" not in files_under(account.root)
    assert account.run("validate").exit_code == 0
    no_changes(account)


def test_the_new_objects_of_a_merge_are_exported_next_to_the_adopted_ones(account: Project) -> None:
    build(account.client())
    account.run("export")
    account.client().beta.agents.create(model="gpt-5", name="newcomer")

    result = account.run("export", "--merge")

    assert result.exit_code == 0, result.output
    assert "Wrote agents/newcomer.yaml (Agent/newcomer)" in result.output
    assert "Adopted 1 object:" in result.output
    no_changes(account)


def test_kind_and_name_filters_choose_what_is_exported_with_the_functions_it_uses(account: Project) -> None:
    build(account.client())

    result = account.run("export", "--kind", "Agent", "--name", "support*")

    assert result.exit_code == 0, result.output
    assert sorted(files_under(account.root)) == [
        "agents/support-AGENT.yaml",
        "agents/support-agent-2.yaml",
        "assistplan.yaml",
        "functions/lookup.yaml",
        "schemas/lookup.json",
    ]
    no_changes(account)


def test_an_assistant_brings_along_the_vector_store_it_searches(account: Project) -> None:
    build(account.client())

    result = account.run("export", "--kind", "Assistant")

    assert result.exit_code == 0, result.output
    assert "vector-stores/Support-handbook-v2.yaml" in files_under(account.root)
    no_changes(account)


def test_unowned_leaves_out_what_this_project_manages_and_no_export_takes_another_projects_objects(
    account: Project,
) -> None:
    client = account.client()
    client.beta.agents.create(model="gpt-5", name="theirs", metadata={"assistplan:project": "someone-else"})
    client.beta.agents.create(model="gpt-5", name="first")
    account.run("export")
    client.beta.agents.create(model="gpt-5", name="second")

    result = account.run("export", "--unowned")

    assert result.exit_code == 0, result.output
    assert sorted(name for name in files_under(account.root) if name.startswith("agents/")) == [
        "agents/first.yaml",
        "agents/second.yaml",
    ]


def test_an_mcp_header_value_is_never_written_and_its_variable_is_named(account: Project) -> None:
    build(account.client())

    result = account.run("export")

    assert "secret-token-value" not in result.output
    assert not any("secret-token-value" in text for text in files_under(account.root).values())
    assert "secret-token-value" not in account.state_path.read_text(encoding="utf-8")
    manifest = files_under(account.root)["agents/support-agent-3.yaml"]
    assert "set the environment variable ASSISTPLAN_GITHUB_AUTHORIZATION" in " ".join(manifest.replace("#", "").split())
    assert "env: ASSISTPLAN_GITHUB_AUTHORIZATION" in manifest


def test_a_dry_run_writes_and_adopts_nothing(account: Project) -> None:
    build(account.client())

    result = account.run("export", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Would write agents/Support-agent.yaml, prompts/Support-agent.md (Agent/Support-agent)" in result.output
    assert sorted(files_under(account.root)) == ["assistplan.yaml"]
    assert not account.state_path.exists()


def test_exporting_many_agents_and_vector_stores_reads_by_listing_only(account: Project) -> None:
    """Several pages of agents and stores: one GET per page, no GET per object (the cost the README states for 1,000
    agents and 100 stores is this, scaled by pages). Objects made in the same second are walked from both ends to the
    end (see `assistplan.providers.paging`), so a collection of several pages may cost up to twice its pages."""
    client = account.client()
    upload = client.files.create(file=("a.md", io.BytesIO(b"# A\n")), purpose="assistants")
    for index in range(250):
        client.beta.agents.create(model="gpt-5", name=f"agent {index}", tools=[function("lookup", LOOKUP)])
    for index in range(120):
        client.vector_stores.create(name=f"store {index}", file_ids=[upload.id])
    account.sandbox.reset_counters()

    result = account.run("export")

    assert result.exit_code == 0, result.output
    assert "Adopted 370 objects" in result.output
    reads = {route: count for route, count in account.sandbox.counters.items() if route.startswith("GET ")}
    assert 3 <= reads["GET /agents"] <= 2 * 3
    assert 2 <= reads["GET /vector_stores"] <= 2 * 2
    assert reads["GET /vector_stores/{vector_store_id}/files"] == 240  # listed, then read back with the labels
    assert "GET /agents/{agent_id}" not in reads
    assert "GET /vector_stores/{vector_store_id}" not in reads
    assert account.sandbox.count("POST /agents/{agent_id}") == 250


def test_text_that_looks_like_a_template_is_kept_as_it_is(account: Project) -> None:
    account.client().beta.agents.create(model="gpt-5", name="greeter", instructions="Greet {{ user }} by {% name %}.")

    result = account.run("export")

    assert result.exit_code == 0, result.output
    assert "{% raw %}" in files_under(account.root)["agents/greeter.yaml"]
    no_changes(account)


def test_objects_without_a_name_are_exported_under_their_id_and_stay_nameless(account: Project) -> None:
    client = account.client()
    agent = client.beta.agents.create(model="gpt-5")
    assistant = client.beta.assistants.create(model="gpt-4o")
    store = client.vector_stores.create()
    other_agent = client.beta.agents.create(model="gpt-5-mini", name="")

    result = account.run("export")

    assert result.exit_code == 0, result.output
    written = files_under(account.root)
    for folder, remote_id in [
        ("agents", agent.id),
        ("agents", other_agent.id),
        ("assistants", assistant.id),
        ("vector-stores", store.id),
    ]:
        assert f"name: {remote_id}\ndisplay_name: ''\n" in written[f"{folder}/{remote_id}.yaml"]
    assert account.run("validate").exit_code == 0
    no_changes(account)
    account.state_path.unlink()
    no_changes(account)
    assert not client.beta.agents.retrieve(agent.id).name
    assert not client.beta.assistants.retrieve(assistant.id).name
    assert not client.vector_stores.retrieve(store.id).name


def test_export_on_a_server_without_the_agents_platform_names_the_kinds_it_leaves_out(account: Project) -> None:
    account.sandbox.settings.profile = "assistants-only"
    account.client().beta.assistants.create(model="gpt-4o", name="support")

    result = account.run("export", "--dry-run")

    assert result.exit_code == 0, result.output
    assert "Not exported: Agent: list agents: this server does not serve /agents" in result.output
    assert "Assistant/support" in result.output
