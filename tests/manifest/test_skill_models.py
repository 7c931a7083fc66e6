"""Skill manifests: the folder and its SKILL.md are checked at validate, as the API would check the upload."""

from __future__ import annotations

from pathlib import Path

from .conftest import Failing, Loader

OPENAI = "project: test\nopenai: {api_key_env: OPENAI_API_KEY}\n"
MANIFEST = "kind: Skill\nname: math\npath: skills/math\n"
SKILL_MD = "---\nname: basic-math\ndescription: Add numbers.\n---\n\nUse calc.py.\n"


def files(skill_md: str | None = SKILL_MD, manifest: str = MANIFEST, **more: str) -> dict[str, str]:
    tree = {"assistplan.yaml": OPENAI, "skills.yaml": manifest, "skills/math/calc.py": "x = 1\n", **more}
    if skill_md is not None:
        tree["skills/math/SKILL.md"] = skill_md
    return tree


def test_a_skill_folder_becomes_the_resource_files(load: Loader) -> None:
    project = load(files(**{"skills/math/lib/units.py": "m = 1\n", "skills/math/.hidden": "h\n"}))

    resource = next(iter(project.resources.values()))
    assert [local.path for local in resource.files] == [
        "skills/math/SKILL.md",
        "skills/math/calc.py",
        "skills/math/lib/units.py",
    ]


def test_an_empty_file_is_part_of_the_skill(load: Loader) -> None:
    project = load(files(**{"skills/math/__init__.py": ""}))

    [resource] = project.resources.values()
    assert [(local.path, local.size) for local in resource.files if local.size == 0] == [("skills/math/__init__.py", 0)]


def test_an_empty_file_of_a_skill_is_still_refused_as_a_file_or_in_a_vector_store(failing: Failing) -> None:
    tree = files(**{"skills/math/empty.md": ""})
    tree["uploads.yaml"] = (
        "kind: File\nname: empty\npath: skills/math/empty.md\n---\n"
        "kind: VectorStore\nname: kb\nfiles: [skills/math/*.md]\n"
    )

    assert failing(tree) == [
        'uploads.yaml:3:7: path[0]: "skills/math/empty.md" is empty: the API refuses empty files',
        'uploads.yaml:7:9: files[0]: "skills/math/*.md" matches "skills/math/empty.md", which is empty: the API '
        "refuses empty files",
    ]


def test_a_folder_without_skill_md_is_an_error(failing: Failing) -> None:
    assert failing(files(skill_md=None)) == [
        'skills.yaml:3:7: path: the skill folder "skills/math" has no SKILL.md at its top'
    ]


def test_skill_md_only_in_a_subfolder_is_an_error(failing: Failing) -> None:
    tree = files(skill_md=None, **{"skills/math/docs/SKILL.md": SKILL_MD})
    tree.pop("skills/math/calc.py")

    assert failing(tree) == ['skills.yaml:3:7: path: the skill folder "skills/math" has no SKILL.md at its top']


def test_a_missing_folder_is_an_error(failing: Failing) -> None:
    assert failing(files(manifest=MANIFEST.replace("skills/math", "skills/maths"))) == [
        'skills.yaml:3:7: path: "skills/maths/**" matches no files'
    ]


def test_skill_md_without_front_matter_is_an_error(failing: Failing) -> None:
    assert failing(files(skill_md="# Math\n")) == [
        "skills.yaml:3:7: path: \"skills/math/SKILL.md\": must start with YAML front matter between '---' lines "
        "(name and description)"
    ]


def test_a_name_the_api_refuses_is_an_error(failing: Failing) -> None:
    assert failing(files(skill_md=SKILL_MD.replace("basic-math", "Basic_Math"))) == [
        'skills.yaml:3:7: path: "skills/math/SKILL.md": the front matter name is "Basic_Math": use lowercase letters, '
        "digits and hyphens, at most 64 characters"
    ]


def test_a_missing_description_is_an_error(failing: Failing) -> None:
    assert failing(files(skill_md="---\nname: basic-math\n---\n")) == [
        'skills.yaml:3:7: path: "skills/math/SKILL.md": the front matter needs a non-empty description'
    ]


def test_more_files_than_one_upload_takes_is_an_error(failing: Failing) -> None:
    many = {f"skills/math/data/{index:03}.txt": "x\n" for index in range(499)}

    assert failing(files(**many)) == ["skills.yaml:3:1: path: 501 files, at most 499"]


def test_a_folder_outside_the_manifest_root_is_an_error(failing: Failing, project_dir: Path) -> None:
    outside = project_dir.parent / "elsewhere"
    outside.mkdir()
    (outside / "SKILL.md").write_text(SKILL_MD)

    assert failing(files(manifest=MANIFEST.replace("skills/math", "../elsewhere"))) == [
        'skills.yaml:3:7: path: "../elsewhere" is outside the manifest root'
    ]


def test_a_pattern_is_not_a_folder(failing: Failing) -> None:
    assert failing(files(manifest=MANIFEST.replace("skills/math", "skills/*"))) == [
        "skills.yaml:3:7: path: a Skill names one folder, not a pattern"
    ]


def test_keep_versions_must_be_positive(failing: Failing) -> None:
    lines = failing(files(manifest=MANIFEST + "keep_versions: 0\n"))

    assert len(lines) == 1
    assert lines[0].startswith("skills.yaml:4:16: keep_versions: ")
