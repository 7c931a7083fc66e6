"""Loading a manifest root: discovery, resolution into resources, files, references and their order."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest

from assistplan.addrs import Address
from assistplan.errors import ManifestError
from assistplan.manifest import LocalFile, Project, load_project
from assistplan.manifest.cycles import find_cycles
from assistplan.manifest.flowise_models import FlowiseToolSpec
from assistplan.manifest.models import AgentSpec, AssistantSpec, FunctionSpec

Loader = Callable[..., Project]
Failing = Callable[..., list[str]]

FUNCTION = """
kind: Function
name: get_order_status
description: Look up an order.
parameters: {type: object, properties: {order_id: {type: string}}}
"""


def test_discovery_skips_hidden_folders_and_sub_projects(load: Loader) -> None:
    project = load(
        {
            "functions/f.yaml": FUNCTION,
            "agents/a.yml": "kind: Agent\nname: a\nmodel: gpt-5\n",
            ".assistplan/cache.yaml": "not: a manifest\n",
            "flowise/assistplan.yaml": "project: other\n",
            "flowise/tool.yaml": "kind: Broken\n",
            "notes.txt": "kind: Broken\n",
        }
    )
    assert list(project.resources) == [Address("Function", "get_order_status"), Address("Agent", "a")]


def test_yaml_inside_a_skill_folder_is_part_of_the_skill_not_a_manifest(load: Loader) -> None:
    project = load(
        {
            "skills.yaml": "kind: Skill\nname: csv-tools\npath: skills/csv-tools\n",
            "skills/csv-tools/SKILL.md": "---\nname: csv-tools\ndescription: Reads CSV files.\n---\nUse pandas.\n",
            "skills/csv-tools/config.yaml": "delimiter: ';'\n",
            "skills/csv-tools/examples/kinds.yml": "kind: Broken\n",
        }
    )
    [skill] = project.resources.values()
    assert skill.address == Address("Skill", "csv-tools")
    assert "skills/csv-tools/config.yaml" in [local.path for local in skill.files]


def test_a_lowercase_skill_md_marks_a_skill_folder_too(load: Loader) -> None:
    project = load(
        {
            "skills.yaml": "kind: Skill\nname: csv-tools\npath: skills/csv-tools\n",
            "skills/csv-tools/skill.md": "---\nname: csv-tools\ndescription: Reads CSV files.\n---\nUse pandas.\n",
            "skills/csv-tools/config.yaml": "kind: Broken\n",
        }
    )
    assert list(project.resources) == [Address("Skill", "csv-tools")]


def test_resources_are_ordered_by_kind_then_name(load: Loader) -> None:
    manifest = """
    kind: Agent
    name: zeta
    model: gpt-5
    ---
    kind: Assistant
    name: beta
    model: gpt-4o
    ---
    kind: Agent
    name: alpha
    model: gpt-5
    """
    project = load({"m.yaml": manifest, "f.yaml": FUNCTION})
    assert [str(a) for a in project.resources] == [
        "Function/get_order_status",
        "Assistant/beta",
        "Agent/alpha",
        "Agent/zeta",
    ]


def test_resource_source_is_where_the_document_starts(load: Loader) -> None:
    project = load({"m.yaml": "# header\n" + FUNCTION.lstrip() + "---\nkind: Agent\nname: a\nmodel: gpt-5\n"})
    assert str(project.resources[Address("Function", "get_order_status")].source) == "m.yaml:2:1"
    assert str(project.resources[Address("Agent", "a")].source) == "m.yaml:7:1"


def test_project_root_and_config(load: Loader, project_dir: Path) -> None:
    project = load({"assistplan.yaml": "project: acme\nopenai: {base_url: sandbox}\n"})
    assert project.root == project_dir.resolve()
    assert project.root.is_absolute()
    assert project.config.project == "acme"
    assert project.config.openai.base_url == "sandbox"
    assert project.config.openai.api_key_env == "OPENAI_API_KEY"
    assert project.config.state == ".assistplan/state.json"
    assert project.config.flowise is None
    assert project.resources == {}


def test_references_become_dependencies(load: Loader) -> None:
    manifest = """
    kind: VectorStore
    name: handbook
    files: [docs/*.md]
    ---
    kind: Assistant
    name: support
    model: gpt-4o
    tools: [file_search, {function: get_order_status}]
    file_search: {vector_store: handbook}
    """
    project = load({"m.yaml": manifest, "f.yaml": FUNCTION, "docs/a.md": "a\n"})
    assert project.resources[Address("Assistant", "support")].depends_on == (
        Address("Function", "get_order_status"),
        Address("VectorStore", "handbook"),
    )
    assert project.resources[Address("VectorStore", "handbook")].depends_on == ()


def test_a_resource_holds_the_resolved_resources_it_refers_to_and_no_others(load: Loader) -> None:
    manifest = """
    kind: Agent
    name: support
    model: gpt-5
    tools: [{function: get_order_status}]
    ---
    kind: Function
    name: unused
    description: Used by nothing.
    parameters: {type: object, properties: {}}
    """
    project = load({"m.yaml": manifest, "f.yaml": FUNCTION})

    support = project.resources[Address("Agent", "support")]

    assert list(support.referred) == [Address("Function", "get_order_status")]
    assert (
        support.referred[Address("Function", "get_order_status")]
        is project.resources[Address("Function", "get_order_status")]
    )


def test_a_resource_embeds_the_functions_it_refers_to_by_their_tool_names(load: Loader) -> None:
    renamed = FUNCTION + "tool_name: order_status\n"
    manifest = "kind: Assistant\nname: support\nmodel: gpt-4o\ntools: [{function: get_order_status}]\n"
    project = load({"m.yaml": manifest, "f.yaml": renamed})

    assert project.resources[Address("Assistant", "support")].functions() == {
        "get_order_status": {
            "name": "order_status",
            "description": "Look up an order.",
            "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}},
            "strict": False,
        }
    }


def test_globs_expand_sorted_and_deduplicated(load: Loader, project_dir: Path) -> None:
    manifest = """
    kind: VectorStore
    name: handbook
    files: [kb/*.md, kb/b.md, kb/**/*.md]
    """
    files = {"m.yaml": manifest, "kb/b.md": "bee\n", "kb/a.md": "a\n", "kb/deep/c.md": "c\n", "kb/skip.txt": "x"}
    resource = load(files).resources[Address("VectorStore", "handbook")]
    assert [f.path for f in resource.files] == ["kb/a.md", "kb/b.md", "kb/deep/c.md"]
    assert resource.files[1] == LocalFile(
        path="kb/b.md",
        abspath=(project_dir / "kb/b.md").resolve(),
        sha256=hashlib.sha256(b"bee\n").hexdigest(),
        size=4,
    )


def test_paths_are_relative_to_the_manifest_file(load: Loader) -> None:
    manifest = """
    kind: File
    name: orders
    path: ../data/orders.csv
    purpose: user_data
    """
    resource = load({"nested/files.yaml": manifest, "data/orders.csv": "id\n1\n"}).resources[Address("File", "orders")]
    assert [f.path for f in resource.files] == ["data/orders.csv"]


def test_code_interpreter_files_are_expanded(load: Loader) -> None:
    manifest = """
    kind: Assistant
    name: analyst
    model: gpt-4o
    tools: [code_interpreter]
    code_interpreter: {files: [data/*.csv]}
    """
    resource = load({"m.yaml": manifest, "data/a.csv": "a\n", "data/b.csv": "b\n"}).resources[
        Address("Assistant", "analyst")
    ]
    assert [f.path for f in resource.files] == ["data/a.csv", "data/b.csv"]


def test_symlinks_out_of_the_root_are_refused(failing: Failing, project_dir: Path) -> None:
    outside = project_dir.parent / "secret.md"
    outside.write_text("secret\n")
    (project_dir / "kb").mkdir()
    os.symlink(outside, project_dir / "kb" / "link.md")
    manifest = "kind: VectorStore\nname: kb\nfiles: [kb/*.md]\n"
    assert failing({"m.yaml": manifest}) == [
        'm.yaml:3:9: files[0]: "kb/*.md" matches "kb/link.md", '
        "which is outside the manifest root (through a symbolic link)"
    ]


def test_file_fields_are_loaded_into_their_inline_twins(load: Loader) -> None:
    files = {
        "m.yaml": """
        kind: Function
        name: f
        description: d
        parameters_file: schemas/f.yaml
        ---
        kind: Agent
        name: a
        model: gpt-5
        instructions_file: prompts/a.md
        text:
          format: {type: json_schema, schema_file: schemas/out.json}
        ---
        kind: Assistant
        name: s
        model: gpt-4o
        response_format:
          type: json_schema
          json_schema: {name: out, strict: true, schema_file: schemas/out.json}
        """,
        "schemas/f.yaml": "type: object\nproperties:\n  q: {type: string}\n",
        "schemas/out.json": '{"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"],'
        ' "additionalProperties": false}',
        "prompts/a.md": "Be brief.\n",
    }
    project = load(files)
    function = project.resources[Address("Function", "f")].spec
    assert isinstance(function, FunctionSpec)
    assert function.parameters == {"type": "object", "properties": {"q": {"type": "string"}}}
    assert function.parameters_file == "schemas/f.yaml"
    agent = project.resources[Address("Agent", "a")].spec
    assert isinstance(agent, AgentSpec)
    assert agent.instructions == "Be brief.\n"
    assert agent.text is not None
    assert agent.text.format.schema_["required"] == ["a"]
    assistant = project.resources[Address("Assistant", "s")].spec
    assert isinstance(assistant, AssistantSpec)
    assert assistant.response_format.json_schema.schema_["required"] == ["a"]


def test_a_yaml_file_named_by_a_file_field_is_not_a_manifest(load: Loader) -> None:
    project = load(
        {
            "f.yaml": "kind: Function\nname: f\ndescription: d\nparameters_file: f.params.yaml\n",
            "f.params.yaml": "type: object\n",
        }
    )
    assert list(project.resources) == [Address("Function", "f")]


def test_flowise_tool_code_comes_from_code_file(load: Loader) -> None:
    files = {
        "assistplan.yaml": "project: test\nflowise: {url: http://127.0.0.1:3000}\n",
        "f.yaml": FUNCTION,
        "tool.yaml": "kind: FlowiseTool\nname: t\nfunction: get_order_status\ncode_file: tool.js\n",
        "tool.js": "return $order_id;\n",
    }
    spec = load(files).resources[Address("FlowiseTool", "t")].spec
    assert isinstance(spec, FlowiseToolSpec)
    assert (spec.code, spec.code_file) == ("return $order_id;\n", "tool.js")


def test_flowise_credentials_never_read_their_secrets(load: Loader) -> None:
    files = {
        "assistplan.yaml": "project: test\nflowise: {url: http://127.0.0.1:3000}\n",
        "c.yaml": """
        kind: FlowiseCredential
        name: c
        credential: openAIApi
        secrets: {openAIApiKey: {env: UNSET_KEY}}
        """,
    }
    assert Address("FlowiseCredential", "c") in load(files, environ={}).resources


def test_no_assistplan_yaml(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as caught:
        load_project(tmp_path / "missing")
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.summary == (
        f"no assistplan.yaml in {(tmp_path / 'missing').resolve()} (the folder does not exist): "
        "create one with `assistplan init`"
    )


def test_a_manifest_root_whose_name_is_too_long_is_an_error_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(ManifestError) as caught:
        load_project(tmp_path / ("x" * 10_000))
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.summary.startswith("cannot open the manifest root")
    assert diagnostic.summary.endswith("File name too long")


def test_a_state_path_whose_name_is_too_long_is_an_error_at_it(failing: Failing) -> None:
    (problem,) = failing({"assistplan.yaml": "project: p\nstate: " + "s" * 5000 + "\n"})
    assert problem.startswith("assistplan.yaml:2:8: state: ")
    assert problem.endswith("cannot be used: File name too long")


@pytest.mark.parametrize("state", ["state.yaml", "deploy/state.yml"])
def test_a_state_path_that_would_be_read_as_a_manifest_is_an_error(failing: Failing, state: str) -> None:
    (problem,) = failing({"assistplan.yaml": f"project: p\nstate: {state}\n"})
    assert problem.startswith(f'assistplan.yaml:2:8: state: "{state}" would be read as a manifest')


def test_a_yaml_state_file_in_a_hidden_folder_is_fine(load: Loader) -> None:
    assert load({"assistplan.yaml": "project: p\nstate: .assistplan/state.yaml\n"}).config.state == (
        ".assistplan/state.yaml"
    )


def test_a_template_reading_a_variable_a_manifest_gives_as_a_secret_is_an_error_at_the_reference(
    failing: Failing,
) -> None:
    credential = (
        "kind: Vault\nname: tools\n---\n"
        "kind: VaultCredential\nname: github\nvault: tools\n"
        "auth:\n  type: static_bearer\n  mcp_server_url: https://mcp.example.com\n  token: {env: GH_PAT}\n"
    )
    agent = "kind: Agent\nname: helper\nmodel: gpt-5\ninstructions: \"pat={{ env('GH_PAT') }}\"\n"

    problems = failing(
        {"assistplan.yaml": "project: p\n", "vault.yaml": credential, "agent.yaml": agent},
        environ={"GH_PAT": "ghp_secret_value_123"},
    )

    assert problems == [
        'vault.yaml:10:16: auth.token.env: "GH_PAT" is a secret (given here as {env: GH_PAT}) and a template reads it '
        "with env(): templates never see secrets"
    ]


def test_assistplan_yaml_reading_a_variable_a_manifest_gives_as_a_secret_is_an_error_at_the_reference(
    failing: Failing,
) -> None:
    config = "project: p\nvars:\n  creds: \"{{ env('PROD_CREDS') }}\"\n"
    credential = (
        "kind: Vault\nname: tools\n---\n"
        "kind: VaultCredential\nname: github\nvault: tools\n"
        "auth:\n  type: static_bearer\n  mcp_server_url: https://mcp.example.com\n  token: {env: PROD_CREDS}\n"
    )
    agent = 'kind: Agent\nname: helper\nmodel: gpt-5\ninstructions: "{{ vars.creds }}"\n'

    problems = failing(
        {"assistplan.yaml": config, "vault.yaml": credential, "agent.yaml": agent},
        environ={"PROD_CREDS": "hunter2-prod-secret"},
    )

    assert problems == [
        'vault.yaml:10:16: auth.token.env: "PROD_CREDS" is a secret (given here as {env: PROD_CREDS}) and a template '
        "reads it with env(): templates never see secrets"
    ]


def test_a_template_may_read_a_variable_no_manifest_gives_as_a_secret(load: Loader) -> None:
    agent = "kind: Agent\nname: helper\nmodel: gpt-5\ninstructions: \"team={{ env('TEAM') }}\"\n"

    project = load({"assistplan.yaml": "project: p\n", "agent.yaml": agent}, environ={"TEAM": "support"})

    assert project.resources[Address("Agent", "helper")].spec.instructions == "team=support"


def test_assistplan_yaml_reading_its_api_key_with_env_is_an_error_whatever_the_variables_name(
    failing: Failing,
) -> None:
    config = "project: p\nopenai:\n  api_key_env: MYCRED\nvars:\n  leaked: \"{{ env('MYCRED') }}\"\n"

    problems = failing({"assistplan.yaml": config}, environ={"MYCRED": "sk-secret-1234"})

    assert problems == [
        'assistplan.yaml:3:16: openai.api_key_env: "MYCRED" holds an API key, and assistplan.yaml reads it with '
        "env(): templates never see secrets"
    ]


def test_assistplan_yaml_reading_an_environments_api_key_with_env_is_an_error(failing: Failing) -> None:
    config = (
        "project: p\nenvironments:\n  prod:\n    openai: {api_key_env: PRODCRED}\n"
        "default_environment: prod\nvars:\n  leaked: \"{{ env('PRODCRED', '') }}\"\n"
    )

    (problem,) = failing({"assistplan.yaml": config})

    assert problem.startswith('assistplan.yaml:4:27: environments.prod.openai.api_key_env: "PRODCRED" holds an API key')


def test_every_error_is_reported_at_once(failing: Failing) -> None:
    files = {
        "a.yaml": "kind: Agent\nname: a\nmodel: gpt-5\nservice_tier: slow\n",
        "b.yaml": "kind: Agent\nname: b\n",
        "c.yaml": "kind: Agnet\nname: c\n",
    }
    assert len(failing(files)) == 3


def test_a_misspelled_field_does_not_hide_the_other_problems_of_its_document(failing: Failing) -> None:
    agent = "kind: Agent\nname: a\nmodel: gpt-5\nbogus_field: 1\ntools:\n  - function: get_curent_time\n"

    problems = failing({"a.yaml": agent})

    assert [problem.split(": ", 1)[0] for problem in problems] == ["a.yaml:4:1", "a.yaml:6:15"]
    assert 'unknown field "bogus_field"' in problems[0]
    assert 'unknown Function "get_curent_time"' in problems[1]


def test_a_document_with_a_wrong_value_besides_a_misspelled_field_reports_both_and_nothing_more(
    failing: Failing,
) -> None:
    agent = "kind: Agent\nname: a\nmodel: gpt-5\nservice_tier: slow\nbogus_field: 1\n"

    assert len(failing({"a.yaml": agent})) == 2


def test_a_reference_to_a_document_with_errors_of_its_own_is_not_called_unknown(failing: Failing) -> None:
    function = "kind: Function\nname: lookup\ndescription: Look up.\nstrict: maybe\nparameters: {type: object}\n"
    agent = "kind: Agent\nname: a\nmodel: gpt-5\ntools:\n  - function: lookup\n"

    problems = failing({"f.yaml": function, "a.yaml": agent})

    assert len(problems) == 1
    assert problems[0].startswith("f.yaml:4:9: strict: ")


def test_not_utf8_is_reported_at_the_byte(failing: Failing) -> None:
    assert failing({"m.yaml": b"kind: Agent\nname: caf\xe9\n"}) == [
        "m.yaml:2:10: not UTF-8 text: byte 0xe9 cannot be decoded"
    ]


def test_empty_and_invalid_assistplan_yaml(failing: Failing) -> None:
    assert failing({"assistplan.yaml": "# nothing\n"}) == [
        'assistplan.yaml:1:1: assistplan.yaml is empty: it needs at least "project"'
    ]
    assert failing({"assistplan.yaml": "- project\n"}) == ["assistplan.yaml:1:1: assistplan.yaml must be a mapping"]


def test_var_file_errors_are_reported(failing: Failing, project_dir: Path) -> None:
    var_file = project_dir.parent / "vars.yaml"
    var_file.write_text("- not\n- a mapping\n")
    assert failing({}, var_files=[var_file]) == [
        f"{var_file.resolve()}:1:1: a var file must be a mapping of names to values"
    ]


def test_diagnostics_name_files_relative_to_the_working_directory(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project_dir / "assistplan.yaml").write_text("project: test\n")
    (project_dir / "m.yaml").write_text("kind: Agent\nname: a\n")
    monkeypatch.chdir(project_dir.parent)
    with pytest.raises(ManifestError) as caught:
        load_project(Path("project"))
    assert [str(d.range) for d in caught.value.diagnostics] == ["project/m.yaml:1:1"]


def test_find_cycles_reports_each_cycle_once() -> None:
    a, b, c, d = (Address("Function", name) for name in "abcd")
    graph = {a: (b,), b: (c,), c: (a,), d: (d,)}
    assert find_cycles(graph) == [[a, b, c], [d]]
    assert find_cycles({a: (b,), b: (), c: (a, b)}) == []


def test_an_agent_whose_tools_with_their_functions_inlined_pass_3_mib_is_refused_at_its_tools(
    failing: Failing,
) -> None:
    description = "x" * (3 * 1024 * 1024)
    schema = {"type": "object", "properties": {"q": {"type": "string", "description": description}}}
    files = {
        "m.yaml": """
        kind: Function
        name: big
        description: d
        parameters_file: schemas/big.json
        ---
        kind: Agent
        name: a
        model: gpt-5
        tools:
          - function: big
        """,
        "schemas/big.json": json.dumps(schema),
    }
    tools = [{"function": "big", "type": "function", "description": "d", "parameters": schema}]
    size = len(json.dumps(tools, separators=(",", ":")))

    assert failing(files) == [f"m.yaml:9:1: tools: {size} bytes of JSON, at most 3145728"]
