"""EnvironmentTemplate through the command against the sandbox: identity in the name, write-only fields kept as
fingerprints and digests, no perpetual diffs without a state file, foreign templates untouched, lost creates adopted."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from assistplan.sandbox.faults import FaultConfig
from conftest import Project

TOKEN = "tok-SECRET-never-print-8841"
ROTATED = "tok-ROTATED-never-print-2277"
COMMAND_SECRET = "cmd-SECRET-never-print-5150"
NAME = "assistplan:test-shop:EnvironmentTemplate/analysis"

TEMPLATE = f"""\
kind: File
name: rates
path: data/rates.csv
purpose: user_data
---
kind: EnvironmentTemplate
name: analysis
packages:
  python: [pandas]
network:
  access: restricted
  allowed_domains: [pypi.org]
env:
  API_TOKEN: {{env: TEMPLATE_API_TOKEN}}
setup_commands:
  - command: echo {COMMAND_SECRET} > /workspace/.netrc
files:
  - {{file: rates, path: /workspace/data/rates.csv}}
  - {{source: data/notes.txt, path: /workspace/notes.txt}}
"""


@pytest.fixture
def templates(project: Project, monkeypatch: pytest.MonkeyPatch) -> Project:
    monkeypatch.setenv("TEMPLATE_API_TOKEN", TOKEN)
    project.write("templates.yaml", TEMPLATE)
    project.write("data/rates.csv", "currency,rate\nEUR,1.08\n")
    project.write("data/notes.txt", "Rates are refreshed nightly.\n")
    return project


def applied(project: Project) -> str:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    output: str = result.output
    return output


def changes(project: Project) -> dict[str, tuple[list[str], list[str]]]:
    result = project.run("plan", "--format", "json")
    assert result.exit_code == 0, result.output
    view = json.loads(result.output)
    return {
        rc["address"]: (rc["change"]["actions"], rc["change"]["changed_paths"])
        for rc in view["resource_changes"]
        if rc["change"]["actions"] != ["no-op"]
    }


def remote(project: Project) -> list[Any]:
    return list(project.client().beta.agents.environments.templates.list())


def test_apply_creates_the_template_named_with_its_identity(templates: Project) -> None:
    applied(templates)

    [template] = remote(templates)
    assert template.name == NAME
    assert template.packages.python == ["pandas"]
    assert template.to_dict()["network"] == {"access": "restricted", "allowed_domains": ["pypi.org"]}
    rates_id = templates.state()["resources"]["File/rates"]["id"]
    assert [f.to_dict() for f in template.files] == [
        {"type": "file_id", "file_id": rates_id, "path": "/workspace/data/rates.csv"},
        {"type": "inline", "path": "/workspace/notes.txt", "size_bytes": 29},
    ]


def test_plan_after_apply_has_no_changes_with_and_without_the_state_file(templates: Project) -> None:
    applied(templates)

    with_state = templates.run("plan", "--detailed-exitcode")
    templates.state_path.unlink()
    without_state = templates.run("plan", "--detailed-exitcode")
    after_rebuild = templates.run("plan", "--detailed-exitcode")

    assert with_state.exit_code == 0, with_state.output
    assert without_state.exit_code == 0, without_state.output
    assert after_rebuild.exit_code == 0, after_rebuild.output


def test_editing_packages_updates_exactly_that_field(templates: Project) -> None:
    applied(templates)
    templates.edit("templates.yaml", "python: [pandas]", "python: [pandas, polars]")

    assert changes(templates) == {"EnvironmentTemplate/analysis": (["update"], ["packages.python[1]"])}
    applied(templates)
    assert remote(templates)[0].packages.python == ["pandas", "polars"]
    assert templates.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_rotated_env_value_plans_an_update_of_its_fingerprint_only(
    templates: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    applied(templates)
    monkeypatch.setenv("TEMPLATE_API_TOKEN", ROTATED)

    assert changes(templates) == {"EnvironmentTemplate/analysis": (["update"], ["env.API_TOKEN.fingerprint"])}
    applied(templates)
    assert templates.run("plan", "--detailed-exitcode").exit_code == 0


def test_an_edited_setup_command_plans_an_update_of_its_fingerprint_never_its_text(templates: Project) -> None:
    applied(templates)
    templates.edit("templates.yaml", "> /workspace/.netrc", "> /workspace/.pypirc")

    result = templates.run("plan")

    assert changes(templates) == {"EnvironmentTemplate/analysis": (["update"], ["setup_commands.fingerprint"])}
    assert COMMAND_SECRET not in result.output and ".pypirc" not in result.output


def test_an_edited_inline_file_plans_an_update_of_its_content(templates: Project) -> None:
    applied(templates)
    templates.write("data/notes.txt", "Rates are refreshed at noon.\n")

    assert changes(templates) == {
        "EnvironmentTemplate/analysis": (["update"], ['file_contents["/workspace/notes.txt"].sha256'])
    }


def test_a_template_changed_outside_plans_its_write_only_fields_again(templates: Project) -> None:
    applied(templates)
    template = remote(templates)[0]
    templates.client().beta.agents.environments.templates.update(template.id, env={"API_TOKEN": "replaced"})
    state = templates.state()
    state["resources"]["EnvironmentTemplate/analysis"]["attributes"]["updated_at"] -= 1  # applied a second earlier
    templates.state_path.write_text(json.dumps(state))

    actions, paths = changes(templates)["EnvironmentTemplate/analysis"]

    assert actions == ["update"]
    assert {"env", "setup_commands", "file_contents", "network_blocked_domains"} <= set(paths)
    applied(templates)
    assert templates.run("plan", "--detailed-exitcode").exit_code == 0


def test_removing_the_template_deletes_it(templates: Project) -> None:
    applied(templates)
    templates.write("templates.yaml", TEMPLATE.split("---\n")[0])

    output = applied(templates)

    assert "Plan: 0 to add, 0 to change, 1 to destroy." in output
    assert remote(templates) == []


def test_a_foreign_template_is_never_touched(templates: Project) -> None:
    client = templates.client().beta.agents.environments.templates
    foreign = [client.create(name="hand-made").id, client.create(name="assistplan:other-shop:EnvironmentTemplate/x").id]

    applied(templates)
    destroyed = templates.run("destroy", "--auto-approve")

    assert destroyed.exit_code == 0, destroyed.output
    assert sorted(t.id for t in remote(templates)) == sorted(foreign)


def test_a_lost_create_response_does_not_duplicate_the_template(templates: Project) -> None:
    route = "POST /agents/environments/templates"
    templates.sandbox.set_faults(routes={route: FaultConfig(rate=1.0, modes=("lost",), max_faults=1)})

    applied(templates)

    assert templates.sandbox.count(route) == 1
    assert [t.name for t in remote(templates)] == [NAME]
    assert templates.run("plan", "--detailed-exitcode").exit_code == 0


def test_secrets_appear_in_no_output_state_or_plan_file(
    templates: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    planfile = tmp_path / "plan.json"
    outputs = [templates.run("plan", "--out", str(planfile)), templates.run("apply", str(planfile))]
    monkeypatch.setenv("TEMPLATE_API_TOKEN", ROTATED)
    outputs += [
        templates.run("plan", "--format", "json"),
        templates.run("plan", "--format", "markdown"),
        templates.run("apply", "--auto-approve"),
        templates.run("state", "pull"),
    ]

    assert all(result.exit_code == 0 for result in outputs), [r.output for r in outputs]
    written = [p.read_text() for p in templates.state_path.parent.iterdir() if p.is_file()] + [planfile.read_text()]
    texts = [result.output for result in outputs] + written
    assert not [text for text in texts if TOKEN in text or ROTATED in text or COMMAND_SECRET in text]


def test_an_unset_env_variable_fails_the_apply_naming_it(templates: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TEMPLATE_API_TOKEN")

    result = templates.run("apply", "--auto-approve")

    assert result.exit_code == 1
    assert "env.API_TOKEN: the environment variable TEMPLATE_API_TOKEN is not set" in result.output
    assert remote(templates) == []


def test_a_skill_reference_keeps_its_selector_and_plans_no_changes_with_or_without_state(templates: Project) -> None:
    templates.write(
        "skills/csv-tools/SKILL.md", "---\nname: csv-tools\ndescription: Reads CSV files.\n---\nUse pandas.\n"
    )
    templates.write("skills.yaml", "kind: Skill\nname: csv-tools\npath: skills/csv-tools\n")
    templates.edit("templates.yaml", "packages:\n", "skills:\n  - {skill: csv-tools, version: latest}\npackages:\n")
    applied(templates)

    skill_id = templates.state()["resources"]["Skill/csv-tools"]["id"]
    assert [s.to_dict() for s in remote(templates)[0].skills] == [
        {"type": "skill_reference", "skill_id": skill_id, "version": "latest"}
    ]
    assert templates.run("plan", "--detailed-exitcode").exit_code == 0
    templates.state_path.unlink()
    assert templates.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_plan_of_templates_that_name_no_file_does_not_list_the_uploads(templates: Project) -> None:
    (templates.root / "stack.yaml").unlink()
    templates.write("templates.yaml", TEMPLATE.split("---\n")[1].split("files:\n")[0])
    applied(templates)
    templates.sandbox.reset_counters()

    assert templates.run("plan", "--detailed-exitcode").exit_code == 0
    templates.state_path.unlink()
    assert templates.run("plan", "--detailed-exitcode").exit_code == 0
    assert templates.sandbox.count("GET /files") == 0


def test_an_imported_template_reads_its_files_back_by_name(templates: Project) -> None:
    applied(templates)
    template_id = remote(templates)[0].id
    assert templates.run("state", "rm", "EnvironmentTemplate/analysis").exit_code == 0

    imported = templates.run("import", "EnvironmentTemplate/analysis", template_id)

    assert imported.exit_code == 0, imported.output
    result = templates.run("plan", "--format", "json")
    view = json.loads(result.output)
    assert view["resource_drift"] == []
    [template] = [rc for rc in view["resource_changes"] if rc["address"] == "EnvironmentTemplate/analysis"]
    assert not [path for path in template["change"]["changed_paths"] if path.startswith("files")]


def test_import_refuses_a_template_another_project_named_as_its_own(templates: Project) -> None:
    client = templates.client().beta.agents.environments.templates
    theirs = client.create(name="assistplan:other-shop:EnvironmentTemplate/analysis")

    imported = templates.run("import", "EnvironmentTemplate/analysis", theirs.id)

    assert imported.exit_code == 1
    assert f"{theirs.id} belongs to project 'other-shop'" in imported.output
    assert [t.name for t in remote(templates)] == ["assistplan:other-shop:EnvironmentTemplate/analysis"]


SKILLED = """\
kind: Skill
name: csv-tools
path: skills/csv-tools
{promote}---
kind: EnvironmentTemplate
name: default
skills: [{{skill: csv-tools}}]
---
kind: EnvironmentTemplate
name: pinned
skills: [{{skill: csv-tools, version: 1}}]
---
kind: EnvironmentTemplate
name: newest
skills: [{{skill: csv-tools, version: latest}}]
"""
CSV_SKILL = "---\nname: csv-tools\ndescription: Reads CSV files.\n---\nUse pandas.\n"


def skilled(project: Project, promote: str = "") -> None:
    (project.root / "stack.yaml").unlink()
    project.write("templates.yaml", SKILLED.format(promote=promote))
    project.write("skills/csv-tools/SKILL.md", CSV_SKILL)
    applied(project)
    project.write("skills/csv-tools/SKILL.md", CSV_SKILL.replace("pandas", "the csv module"))


def test_a_new_default_skill_version_is_planned_as_reaching_the_templates_that_name_no_version(
    templates: Project,
) -> None:
    skilled(templates)

    view = json.loads(templates.run("plan", "--format", "json").output)
    text = templates.run("plan").output

    [skill] = [rc for rc in view["resource_changes"] if rc["address"] == "Skill/csv-tools"]
    assert skill["notes"] == [
        "reaches EnvironmentTemplate/default at its next session start: skills[0] names no version, so it takes the "
        "new default version",
        "reaches EnvironmentTemplate/newest at its next session start: skills[0] names latest, so it takes the new "
        "latest version",
    ]
    assert "  # reaches EnvironmentTemplate/default at its next session start" in text
    assert list(changes(templates)) == ["Skill/csv-tools"]


def test_a_version_not_promoted_reaches_only_the_templates_that_name_latest(templates: Project) -> None:
    skilled(templates, promote="promote: false\n")

    view = json.loads(templates.run("plan", "--format", "json").output)

    [skill] = [rc for rc in view["resource_changes"] if rc["address"] == "Skill/csv-tools"]
    assert [note.split(" at ")[0] for note in skill["notes"]] == ["reaches EnvironmentTemplate/newest"]


def test_keep_versions_never_deletes_a_version_a_template_pins(templates: Project) -> None:
    templates.write("templates.yaml", SKILLED.format(promote="keep_versions: 1\n"))
    templates.write("skills/csv-tools/SKILL.md", CSV_SKILL)
    applied(templates)
    for tool in ("the csv module", "polars"):
        templates.write("skills/csv-tools/SKILL.md", CSV_SKILL.replace("pandas", tool))
        applied(templates)

    skill_id = templates.state()["resources"]["Skill/csv-tools"]["id"]
    versions = sorted(int(v.version) for v in templates.client().skills.versions.list(skill_id))
    assert versions == [1, 3]
    assert templates.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_template_that_pins_a_version_the_skill_lacks_is_not_created(templates: Project) -> None:
    templates.write("templates.yaml", SKILLED.format(promote="").replace("version: 1}", "version: 99}"))
    templates.write("skills/csv-tools/SKILL.md", CSV_SKILL)

    result = templates.run("apply", "--auto-approve")

    assert result.exit_code == 1
    failure = "EnvironmentTemplate/pinned create: check the pinned skill versions: skills[0]: Skill/csv-tools"
    assert f"{failure} has no version 99" in result.output
    assert sorted(t.name for t in remote(templates)) == [
        "assistplan:test-shop:EnvironmentTemplate/default",
        "assistplan:test-shop:EnvironmentTemplate/newest",
    ]


def test_a_template_state_rm_forgot_is_recorded_again_by_the_next_apply(templates: Project) -> None:
    applied(templates)
    template_id = templates.state()["resources"]["EnvironmentTemplate/analysis"]["id"]
    assert templates.run("state", "rm", "EnvironmentTemplate/analysis").exit_code == 0

    planned = templates.run("plan", "--detailed-exitcode")
    applied(templates)

    assert planned.exit_code == 2, planned.output
    assert f'+ id = "{template_id}"' in planned.output
    assert templates.state()["resources"]["EnvironmentTemplate/analysis"]["id"] == template_id
    assert templates.run("plan", "--detailed-exitcode").exit_code == 0


def test_a_template_changed_outside_and_planned_without_the_state_file_is_not_said_to_have_a_changed_manifest(
    templates: Project,
) -> None:
    applied(templates)
    [template] = remote(templates)
    templates.client().beta.agents.environments.templates.update(template.id, packages={"python": ["numpy"]})
    templates.state_path.unlink()

    result = templates.run("plan")

    assert "it differs from the manifest (nothing records what was last applied to it)" in result.output
    assert "the manifest changed" not in result.output
