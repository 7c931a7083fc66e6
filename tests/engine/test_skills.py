"""Skills from a folder through the command: versions on change, promotion, retention, identity by marker file."""

from __future__ import annotations

import io
import json
import os
import zipfile
from pathlib import Path

import pytest
from openai import OpenAI

from assistplan.manifest.models import ProjectConfig
from assistplan.providers.openai import OpenAIProvider
from assistplan.sandbox.faults import FaultConfig
from conftest import Project

SKILL_MD = """\
---
name: basic-math
description: Add or multiply numbers.
---

Use calc.py for exact sums.
"""
CALC = "def add(a, b):\n    return a + b\n"
MANIFEST = """\
kind: Skill
name: math
path: skills/basic-math
"""


@pytest.fixture
def skills(project: Project) -> Project:
    (project.root / "stack.yaml").unlink()
    project.write("skills.yaml", MANIFEST)
    project.write("skills/basic-math/SKILL.md", SKILL_MD)
    project.write("skills/basic-math/calc.py", CALC)
    return project


def applied(project: Project) -> str:
    result = project.run("apply", "--auto-approve")
    assert result.exit_code == 0, result.output
    return result.output


def no_changes(project: Project) -> None:
    result = project.run("plan", "--detailed-exitcode")
    assert result.exit_code == 0, result.output
    assert "No changes." in result.output


def plan_json(project: Project) -> dict[str, object]:
    result = project.run("plan", "--format", "json")
    assert result.exit_code == 0, result.output
    view: dict[str, object] = json.loads(result.output)
    return view


def changes(project: Project) -> list[tuple[str, list[str], list[str]]]:
    view = plan_json(project)
    rows = view["resource_changes"]
    assert isinstance(rows, list)
    return [
        (rc["address"], rc["change"]["actions"], rc["change"]["changed_paths"])
        for rc in rows
        if rc["change"]["actions"] != ["no-op"]
    ]


def bundle(project: Project, skill_id: str, version: str) -> dict[str, bytes]:
    data = project.client().skills.versions.content.retrieve(version, skill_id=skill_id).content
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def skill_id(project: Project) -> str:
    found: str = project.state()["resources"]["Skill/math"]["id"]
    return found


def test_apply_uploads_the_folder_with_a_marker(skills: Project) -> None:
    output = applied(skills)

    assert "Plan: 1 to add, 0 to change, 0 to destroy." in output
    files = bundle(skills, skill_id(skills), "1")
    assert sorted(files) == ["math/.assistplan.json", "math/SKILL.md", "math/calc.py"]
    marker = json.loads(files["math/.assistplan.json"])
    assert (marker["project"], marker["address"]) == ("test-shop", "Skill/math")


def test_plan_after_apply_has_no_changes(skills: Project) -> None:
    applied(skills)

    no_changes(skills)


def test_plan_without_state_has_no_changes(skills: Project) -> None:
    applied(skills)
    skills.state_path.unlink()

    no_changes(skills)
    assert skills.state()["resources"]["Skill/math"]["id"].startswith("skill_")


def test_a_plan_with_state_downloads_no_content(skills: Project) -> None:
    applied(skills)
    skills.sandbox.reset_counters()

    no_changes(skills)

    assert skills.sandbox.count("GET /skills/{skill_id}/versions/{version}/content") == 0


class WithoutSdk(OpenAIProvider):
    """The JSON layer only: a use of the SDK's client fails the test."""

    @property
    def client(self) -> OpenAI:
        raise AssertionError("a plan reads skills without the openai SDK")


def without_sdk(config: ProjectConfig, root: Path) -> OpenAIProvider:
    return WithoutSdk(base_url=config.openai.base_url or "", api_key=os.environ[config.openai.api_key_env])


def test_a_plan_without_state_proves_ownership_without_the_sdk(skills: Project) -> None:
    applied(skills)
    skills.state_path.unlink()
    skills.sandbox.reset_counters()
    skills.connectors = {"openai": without_sdk}

    no_changes(skills)
    assert skills.sandbox.count("GET /skills/{skill_id}/versions/{version}/content") == 1


def test_an_empty_file_is_uploaded_with_the_skill(skills: Project) -> None:
    skills.write("skills/basic-math/__init__.py", "")

    applied(skills)

    assert bundle(skills, skill_id(skills), "1")["math/__init__.py"] == b""
    no_changes(skills)
    skills.state_path.unlink()
    no_changes(skills)


def test_editing_one_file_plans_exactly_that_file(skills: Project) -> None:
    applied(skills)
    skills.write("skills/basic-math/calc.py", CALC + "\n\ndef mul(a, b):\n    return a * b\n")

    assert changes(skills) == [("Skill/math", ["update"], ['files["calc.py"].sha256', 'files["calc.py"].size'])]


def test_adding_a_file_plans_it_as_added(skills: Project) -> None:
    applied(skills)
    skills.write("skills/basic-math/notes/units.md", "# Units\n")

    view = plan_json(skills)
    text = skills.run("plan").output

    assert "notes/units.md" in json.dumps(view)
    assert "notes/units.md" in text


def test_a_changed_file_uploads_a_new_default_version(skills: Project) -> None:
    applied(skills)
    skills.write("skills/basic-math/calc.py", CALC.replace("a + b", "b + a"))

    output = applied(skills)

    assert "0 to add, 1 to change, 0 to destroy" in output
    skill = skills.client().skills.retrieve(skill_id(skills))
    assert (skill.default_version, skill.latest_version) == ("2", "2")
    assert bundle(skills, skill.id, "2")["math/calc.py"] == CALC.replace("a + b", "b + a").encode()
    no_changes(skills)


def test_without_promote_the_new_version_is_not_the_default(skills: Project) -> None:
    skills.write("skills.yaml", MANIFEST + "promote: false\n")
    applied(skills)
    skills.write("skills/basic-math/calc.py", CALC.replace("a + b", "b + a"))

    applied(skills)

    skill = skills.client().skills.retrieve(skill_id(skills))
    assert (skill.default_version, skill.latest_version) == ("1", "2")
    no_changes(skills)
    skills.state_path.unlink()
    no_changes(skills)


def test_promote_moves_a_default_someone_moved_back(skills: Project) -> None:
    applied(skills)
    skills.write("skills/basic-math/calc.py", CALC.replace("a + b", "b + a"))
    applied(skills)
    skills.client().skills.update(skill_id(skills), default_version="1")

    assert changes(skills) == [("Skill/math", ["update"], ["default"])]
    applied(skills)
    assert skills.client().skills.retrieve(skill_id(skills)).default_version == "2"


def test_keep_versions_prunes_older_versions(skills: Project) -> None:
    skills.write("skills.yaml", MANIFEST + "keep_versions: 2\n")
    applied(skills)
    for index in range(3):
        skills.write("skills/basic-math/calc.py", CALC + f"# {index}\n")
        applied(skills)

    versions = skills.client().skills.versions.list(skill_id(skills))

    assert sorted(v.version for v in versions) == ["3", "4"]
    no_changes(skills)


def test_a_version_uploaded_elsewhere_is_drift(skills: Project) -> None:
    applied(skills)
    client = skills.client()
    other = SKILL_MD.replace("exact sums", "rough sums").encode()
    client.skills.versions.create(skill_id(skills), files=[("math/SKILL.md", other)], default=True)

    assert changes(skills) == [("Skill/math", ["update"], ['files["SKILL.md"].sha256', 'files["calc.py"]'])]
    applied(skills)
    skill = client.skills.retrieve(skill_id(skills))
    assert (skill.default_version, skill.latest_version) == ("3", "3")
    no_changes(skills)


def test_removing_the_manifest_deletes_the_skill(skills: Project) -> None:
    applied(skills)
    remote = skill_id(skills)
    (skills.root / "skills.yaml").unlink()

    output = applied(skills)

    assert "0 to add, 0 to change, 1 to destroy" in output
    assert remote not in [s.id for s in skills.client().skills.list()]


def test_a_foreign_skill_with_the_same_name_is_never_touched(skills: Project) -> None:
    client = skills.client()
    foreign = client.skills.create(files=[("other/SKILL.md", SKILL_MD.encode())])

    result = skills.run("plan")

    assert result.exit_code == 1
    assert foreign.id in result.output
    assert "assistplan import Skill/math" in result.output
    assert [s.id for s in client.skills.list()] == [foreign.id]
    assert client.skills.retrieve(foreign.id).latest_version == "1"


def test_a_lost_create_response_leaves_one_skill(skills: Project) -> None:
    skills.sandbox.set_faults(routes={"POST /skills": FaultConfig(rate=1.0, modes=("lost",), max_faults=1)})

    output = applied(skills)

    assert "1 added" in output
    assert len(list(skills.client().skills.list())) == 1
    no_changes(skills)


def test_import_marks_a_foreign_skill_with_a_new_version_of_the_same_files(skills: Project) -> None:
    client = skills.client()
    foreign = client.skills.create(files=[("other/SKILL.md", SKILL_MD.encode()), ("other/calc.py", CALC.encode())])

    imported = skills.run("import", "Skill/math", foreign.id)

    assert imported.exit_code == 0, imported.output
    no_changes(skills)
    marked = client.skills.retrieve(foreign.id)
    assert (marked.latest_version, marked.default_version) == ("2", "2")
    assert sorted(bundle(skills, foreign.id, "2")) == ["math/.assistplan.json", "math/SKILL.md", "math/calc.py"]
    skills.state_path.unlink()
    no_changes(skills)
    skills.write("skills/basic-math/calc.py", CALC + "# exact\n")
    applied(skills)
    assert [s.id for s in client.skills.list()] == [foreign.id]


def test_import_refuses_a_skill_marked_as_another_address_of_this_project(skills: Project) -> None:
    applied(skills)
    math = skill_id(skills)
    skills.edit("skills.yaml", "name: math", "name: other")
    skills.state_path.unlink()

    result = skills.run("import", "Skill/other", math)

    assert result.exit_code == 1
    assert f"{math} is marked as Skill/math of project 'test-shop'" in result.output
    assert skills.client().skills.retrieve(math).latest_version == "1"


def test_an_imported_skill_plans_only_what_differs_from_the_manifest(skills: Project) -> None:
    client = skills.client()
    foreign = client.skills.create(files=[("other/SKILL.md", SKILL_MD.encode()), ("other/calc.py", b"old = 1\n")])
    client.skills.versions.create(foreign.id, files=[("other/SKILL.md", SKILL_MD.encode())], default=False)

    assert skills.run("import", "Skill/math", foreign.id).exit_code == 0

    assert changes(skills) == [("Skill/math", ["update"], ["default", 'files["calc.py"]'])]
    assert plan_json(skills)["resource_drift"] == []


def test_a_name_taken_by_another_projects_skill_names_that_project_and_suggests_no_import(
    skills: Project, tmp_path: Path
) -> None:
    other = Project(root=tmp_path / "exp1", runner=skills.runner, sandbox=skills.sandbox)
    other.write("assistplan.yaml", (skills.root / "assistplan.yaml").read_text().replace("test-shop", "exp1"))
    other.write("skills.yaml", MANIFEST.replace("name: math", "name: ops-skill"))
    other.write("skills/basic-math/SKILL.md", SKILL_MD)
    applied(other)
    [taken] = skills.client().skills.list()

    result = skills.run("plan")

    assert result.exit_code == 1
    assert f"already exists (id {taken.id}), marked as Skill/ops-skill of project 'exp1'" in result.output
    assert "assistplan import" not in result.output


def test_a_skill_moved_with_moved_from_plans_no_changes_with_and_without_state(skills: Project) -> None:
    applied(skills)
    skills.edit("skills.yaml", "name: math", "name: calculator\nmoved_from: Skill/math")
    applied(skills)

    no_changes(skills)
    skills.state_path.unlink()
    no_changes(skills)


def test_a_skill_made_anew_is_found_by_its_marker_with_a_state_restored_from_before(skills: Project) -> None:
    applied(skills)
    before = skills.state_path.read_bytes()
    replaced = skills.run("apply", "--auto-approve", "--replace", "Skill/math")
    assert replaced.exit_code == 0, replaced.output
    new_id = skill_id(skills)
    skills.state_path.write_bytes(before)

    planned = skills.run("plan", "--detailed-exitcode")
    applied(skills)

    assert planned.exit_code == 2, planned.output
    assert f'-> "{new_id}"' in planned.output
    assert skill_id(skills) == new_id
    assert skills.run("plan", "--detailed-exitcode").exit_code == 0
