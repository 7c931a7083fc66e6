"""`assistplan migrate assistants-to-agents`: every Assistant becomes an Agent manifest that validates (and an
EnvironmentTemplate where it ran code), or an entry in the report; nothing is overwritten or edited unless asked."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from syrupy.assertion import SnapshotAssertion

from manifest_root import ManifestRoot

EXAMPLE = Path(__file__).resolve().parents[2] / "assistants"


def migrated(root: ManifestRoot, *args: str) -> str:
    result = root.run("migrate", "assistants-to-agents", *args)
    assert result.exit_code == 0, result.output
    return result.output


def valid(root: ManifestRoot) -> str:
    result = root.run("validate")
    assert result.exit_code == 0, result.output
    return result.output


def documents(root: ManifestRoot, name: str) -> list[dict[str, object]]:
    return list(yaml.safe_load_all((root.root / name).read_text(encoding="utf-8")))


def test_every_assistant_becomes_an_agent_that_validates(root: ManifestRoot) -> None:
    migrated(root)

    assert "13 resources" in valid(root)
    written = {
        name: [(doc["kind"], doc["name"]) for doc in documents(root, name)]
        for name in ("support.agent.yaml", "triage.agent.yaml", "notes.agent.yaml")
    }
    assert written == {
        "support.agent.yaml": [("Agent", "support"), ("EnvironmentTemplate", "support")],
        "triage.agent.yaml": [("Agent", "triage-agent")],
        "notes.agent.yaml": [("Agent", "notes"), ("EnvironmentTemplate", "notes")],
    }


def test_the_agent_manifest_reads_as_written_by_hand(root: ManifestRoot, yaml_snapshot: SnapshotAssertion) -> None:
    migrated(root)

    assert (root.root / "support.agent.yaml").read_text(encoding="utf-8") == yaml_snapshot


def test_the_report_lists_what_carries_over_changes_meaning_and_has_no_equivalent(
    root: ManifestRoot, markdown_snapshot: SnapshotAssertion
) -> None:
    migrated(root, "--report", str(root.root / "migration.md"))

    assert (root.root / "migration.md").read_text(encoding="utf-8") == markdown_snapshot


def test_the_terminal_report_names_each_assistant_and_what_it_became(root: ManifestRoot) -> None:
    output = migrated(root)

    assert "Assistant/support (assistants.yaml) -> Agent/support, EnvironmentTemplate/support in" in output
    assert "Assistant/triage (assistants.yaml) -> Agent/triage-agent in triage.agent.yaml" in output
    assert "No equivalent (recommended route):" in output
    assert "Wrote " in output


def test_templates_in_the_assistant_stay_templates_in_the_agent(root: ManifestRoot) -> None:
    migrated(root)

    text = (root.root / "support.agent.yaml").read_text(encoding="utf-8")
    assert 'model: "{{ vars.model }}"' in text
    assert 'env: "{{ vars.env }}"' in text


def test_a_value_that_looks_like_a_template_is_kept_literally(root: ManifestRoot) -> None:
    root.edit("assistants.yaml", "Answer with a JSON object.", "Answer with {% raw %}{{json}}{% endraw %}.")

    migrated(root)

    agent = documents(root, "triage.agent.yaml")[0]
    assert (
        agent["instructions"]
        == "Sort each message into billing, shipping or other.\nAnswer with {% raw %}{{json}}{% endraw %}.\n"
    )
    valid(root)


def test_an_agent_of_the_same_name_makes_the_new_one_take_a_suffix(root: ManifestRoot) -> None:
    root.write("more.yaml", "kind: Agent\nname: triage-agent\nmodel: gpt-5\n")

    migrated(root)

    assert documents(root, "triage.agent.yaml")[0]["name"] == "triage-agent-2"
    valid(root)


def test_code_interpreter_files_become_the_template_files(root: ManifestRoot) -> None:
    migrated(root)

    template = documents(root, "support.agent.yaml")[1]
    assert template["files"] == [
        {"source": "data/orders.csv", "path": "/workspace/data/orders.csv"},
        {"source": "data/prices.csv", "path": "/workspace/data/prices.csv"},
    ]
    assert template["network"] == {"access": "disabled"}


def test_response_format_becomes_text_format(root: ManifestRoot) -> None:
    migrated(root)

    support = documents(root, "support.agent.yaml")[0]
    notes = documents(root, "notes.agent.yaml")[0]
    assert support["text"] == {
        "format": {
            "type": "json_schema",
            "schema": {
                "type": "object",
                "properties": {"answer": {"type": "string"}},
                "required": ["answer"],
                "additionalProperties": False,
            },
        }
    }
    assert notes["text"] == {"format": "text"}
    assert "text" not in documents(root, "triage.agent.yaml")[0]


def test_what_has_no_equivalent_is_a_comment_in_the_agent(root: ManifestRoot) -> None:
    migrated(root)

    text = (root.root / "support.agent.yaml").read_text(encoding="utf-8")
    assert "# Not carried over: temperature 0.3" in text
    assert "# file_search over VectorStore/handbook has no Agent equivalent" in text
    assert "temperature:" not in text.replace("# Not carried over: temperature", "")


def test_the_old_manifests_are_left_as_they_are(root: ManifestRoot) -> None:
    before = (root.root / "assistants.yaml").read_text(encoding="utf-8")

    migrated(root)

    assert (root.root / "assistants.yaml").read_text(encoding="utf-8") == before


def test_a_report_path_that_cannot_be_written_is_an_error(root: ManifestRoot) -> None:
    result = root.run("migrate", "assistants-to-agents", "--report", str(root.root / ("r" * 300 + ".md")))

    assert result.exit_code == 1
    assert "File name too long" in result.output
    assert "Traceback" not in result.output


def test_an_existing_file_is_never_overwritten(root: ManifestRoot) -> None:
    root.write("notes.agent.yaml", "# mine\n")

    result = root.run("migrate", "assistants-to-agents", "--report", str(root.root / "migration.md"))

    assert result.exit_code == 1
    assert "never overwrites a file" in result.output
    assert "notes.agent.yaml" in result.output
    assert (root.root / "notes.agent.yaml").read_text(encoding="utf-8") == "# mine\n"
    assert not (root.root / "support.agent.yaml").exists()
    assert not (root.root / "migration.md").exists()


def test_migrating_twice_fails_instead_of_duplicating(root: ManifestRoot) -> None:
    migrated(root)

    result = root.run("migrate", "assistants-to-agents")

    assert result.exit_code == 1
    assert "was this migrated before?" in result.output
    valid(root)


def test_out_writes_into_a_folder_with_paths_relative_to_it(root: ManifestRoot) -> None:
    migrated(root, "--out", str(root.root / "agents"))

    agent, template = documents(root, "agents/support.agent.yaml")
    assert agent["instructions_file"] == "../prompts/support.md"
    assert template["files"][0] == {"source": "../data/orders.csv", "path": "/workspace/data/orders.csv"}
    valid(root)


def test_out_outside_the_manifest_root_is_refused(root: ManifestRoot, tmp_path: Path) -> None:
    result = root.run("migrate", "assistants-to-agents", "--out", str(tmp_path / "elsewhere"))

    assert result.exit_code == 1
    assert "outside the manifest root" in result.output


def test_in_place_replaces_each_assistant_document_in_its_file(root: ManifestRoot) -> None:
    migrated(root, "--in-place")

    kinds = [(doc["kind"], doc["name"]) for doc in documents(root, "assistants.yaml")]
    assert kinds == [
        ("VectorStore", "handbook"),
        ("Agent", "support"),
        ("EnvironmentTemplate", "support"),
        ("Agent", "triage-agent"),
        ("Agent", "notes"),
        ("EnvironmentTemplate", "notes"),
        ("Agent", "triage"),
    ]
    valid(root)


def test_in_place_and_out_cannot_be_combined(root: ManifestRoot) -> None:
    result = root.run("migrate", "assistants-to-agents", "--in-place", "--out", str(root.root / "x"))

    assert result.exit_code == 1
    assert "cannot be used together" in result.output


def test_a_project_without_assistants_has_nothing_to_migrate(root: ManifestRoot) -> None:
    root.write("assistants.yaml", "kind: Agent\nname: triage\nmodel: gpt-5\n")

    output = migrated(root, "--report", str(root.root / "migration.md"))

    assert "nothing to migrate" in output
    assert not (root.root / "migration.md").exists()


def test_the_example_stack_migrates_to_manifests_that_validate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACME_ORDERS_MCP_TOKEN", "example-token")
    example = ManifestRoot(root=tmp_path / "example", runner=CliRunner())
    shutil.copytree(EXAMPLE, example.root, ignore=shutil.ignore_patterns(".assistplan"))

    migrated(example)

    assert [(doc["kind"], doc["name"]) for doc in documents(example, "support.agent.yaml")] == [
        ("Agent", "support"),
        ("EnvironmentTemplate", "support"),
    ]
    valid(example)


def test_in_place_refuses_a_document_that_is_yaml_only_once_rendered(root: ManifestRoot) -> None:
    root.write(
        "generated.yaml",
        """\
        {% for name in ["alpha", "beta"] %}
        ---
        kind: Assistant
        name: {{ name }}
        model: gpt-4o
        {% endfor %}
        """,
    )
    before = (root.root / "assistants.yaml").read_text(encoding="utf-8")

    result = root.run("migrate", "assistants-to-agents", "--in-place")

    assert result.exit_code == 1
    assert "cannot be replaced in place" in result.output
    assert (root.root / "assistants.yaml").read_text(encoding="utf-8") == before


def test_a_document_that_is_yaml_only_once_rendered_migrates_to_new_files(root: ManifestRoot) -> None:
    root.write(
        "generated.yaml",
        """\
        {% for name in ["alpha", "beta"] %}
        ---
        kind: Assistant
        name: {{ name }}
        model: gpt-4o
        {% endfor %}
        """,
    )

    migrated(root)

    assert documents(root, "alpha.agent.yaml")[0]["model"] == "gpt-4o"
    valid(root)
