"""Skills (no beta header): multipart or zip uploads, immutable numbered versions, a default, zip content."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import openai
import pytest

SKILL_MD = b"---\nname: basic-math\ndescription: Add or multiply numbers.\n---\n\nUse calc.py.\n"
CALC = b"def add(a, b):\n    return a + b\n"
FILES = [("basic_math/SKILL.md", SKILL_MD), ("basic_math/calc.py", CALC)]


def unzipped(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def zipped(files: list[tuple[str, bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, data in files:
            archive.writestr(path, data)
    return buffer.getvalue()


def bad_request(call: Callable[[], object]) -> openai.BadRequestError:
    with pytest.raises(openai.BadRequestError) as caught:
        call()
    return caught.value


def test_create_reads_name_and_description_from_skill_md(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=FILES)

    assert skill.id.startswith("skill_")
    assert skill.to_dict() == {
        "id": skill.id,
        "object": "skill",
        "created_at": skill.created_at,
        "name": "basic-math",
        "description": "Add or multiply numbers.",
        "default_version": "1",
        "latest_version": "1",
    }


def test_content_is_a_zip_of_the_uploaded_paths(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=FILES)

    bundle = openai_client.skills.content.retrieve(skill.id)

    assert unzipped(bundle.content) == dict(FILES)


def test_a_single_zip_holding_one_folder_is_a_bundle(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=("basic_math.zip", zipped(FILES), "application/zip"))

    assert skill.name == "basic-math"
    assert unzipped(openai_client.skills.content.retrieve(skill.id).content) == dict(FILES)


def test_a_single_file_part_named_files_is_accepted(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=("basic_math/SKILL.md", SKILL_MD))

    assert skill.latest_version == "1"


def test_files_outside_one_top_level_folder_are_refused(openai_client: openai.OpenAI) -> None:
    error = bad_request(lambda: openai_client.skills.create(files=[("a/SKILL.md", SKILL_MD), ("b/calc.py", CALC)]))

    assert error.body == {
        "message": "Invalid 'files': every file must be inside a single top-level folder, but found 2.",
        "type": "invalid_request_error",
        "param": "files",
        "code": None,
    }


def test_a_bare_filename_is_refused(openai_client: openai.OpenAI) -> None:
    error = bad_request(lambda: openai_client.skills.create(files=[("SKILL.md", SKILL_MD)]))

    assert "single top-level folder" in error.message


def test_a_bundle_without_skill_md_is_refused(openai_client: openai.OpenAI) -> None:
    error = bad_request(lambda: openai_client.skills.create(files=[("basic_math/calc.py", CALC)]))

    assert "exactly one SKILL.md" in error.message


def test_skill_md_without_front_matter_is_refused(openai_client: openai.OpenAI) -> None:
    error = bad_request(lambda: openai_client.skills.create(files=[("m/SKILL.md", b"# Math\n")]))

    assert "front matter" in error.message


@pytest.mark.parametrize("name", ["Basic-Math", "basic_math", "a" * 65])
def test_a_name_outside_the_rules_is_refused(openai_client: openai.OpenAI, name: str) -> None:
    text = f"---\nname: {name}\ndescription: Math.\n---\n".encode()

    error = bad_request(lambda: openai_client.skills.create(files=[("m/SKILL.md", text)]))

    assert "lowercase letters, digits and hyphens" in error.message


def test_more_than_500_files_are_refused(openai_client: openai.OpenAI) -> None:
    files = [("m/SKILL.md", SKILL_MD), *((f"m/{index}.txt", b"x") for index in range(500))]

    error = bad_request(lambda: openai_client.skills.create(files=files))

    assert "at most 500 files" in error.message


def test_a_new_version_is_not_the_default_unless_asked(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=FILES)

    version = openai_client.skills.versions.create(skill.id, files=FILES, default=False)

    assert version.to_dict() == {
        "id": version.id,
        "object": "skill.version",
        "skill_id": skill.id,
        "version": "2",
        "name": "basic-math",
        "description": "Add or multiply numbers.",
        "created_at": version.created_at,
    }
    after = openai_client.skills.retrieve(skill.id)
    assert (after.default_version, after.latest_version) == ("1", "2")


def test_a_new_default_version_moves_the_default_and_the_skill_name(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=FILES)
    renamed = SKILL_MD.replace(b"basic-math", b"math")

    openai_client.skills.versions.create(skill.id, files=[("basic_math/SKILL.md", renamed)], default=True)

    after = openai_client.skills.retrieve(skill.id)
    assert (after.name, after.default_version, after.latest_version) == ("math", "2", "2")


def test_update_sets_only_the_default_version(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=FILES)
    openai_client.skills.versions.create(skill.id, files=FILES, default=True)

    updated = openai_client.skills.update(skill.id, default_version="1")

    assert (updated.default_version, updated.latest_version) == ("1", "2")


def test_update_to_a_missing_version_is_refused(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=FILES)

    error = bad_request(lambda: openai_client.skills.update(skill.id, default_version="7"))

    assert error.param == "default_version"


def test_version_content_is_that_versions_bundle(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=FILES)
    openai_client.skills.versions.create(skill.id, files=[("basic_math/SKILL.md", SKILL_MD)], default=False)

    first = openai_client.skills.versions.content.retrieve("1", skill_id=skill.id)
    second = openai_client.skills.versions.content.retrieve("2", skill_id=skill.id)

    assert sorted(unzipped(first.content)) == ["basic_math/SKILL.md", "basic_math/calc.py"]
    assert sorted(unzipped(second.content)) == ["basic_math/SKILL.md"]


def test_versions_list_newest_first_and_page_by_version_id(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=FILES)
    for _ in range(2):
        openai_client.skills.versions.create(skill.id, files=FILES)

    first = openai_client.skills.versions.list(skill.id, limit=2)
    rest = openai_client.skills.versions.list(skill.id, limit=2, after=first.data[-1].id)

    assert [v.version for v in first.data] == ["3", "2"]
    assert first.has_more is True
    assert [v.version for v in rest.data] == ["1"]


def test_retrieve_a_version_by_its_number(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=FILES)

    version = openai_client.skills.versions.retrieve("1", skill_id=skill.id)

    assert (version.skill_id, version.version) == (skill.id, "1")


def test_deleting_the_latest_version_moves_latest_back_and_numbers_are_not_reused(
    openai_client: openai.OpenAI,
) -> None:
    skill = openai_client.skills.create(files=FILES)
    openai_client.skills.versions.create(skill.id, files=FILES, default=False)

    gone = openai_client.skills.versions.delete("2", skill_id=skill.id)
    again = openai_client.skills.versions.create(skill.id, files=FILES, default=False)

    assert (gone.object, gone.deleted, gone.version) == ("skill.version.deleted", True, "2")
    assert again.version == "3"
    assert openai_client.skills.retrieve(skill.id).latest_version == "3"


def test_the_default_version_cannot_be_deleted(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=FILES)

    error = bad_request(lambda: openai_client.skills.versions.delete("1", skill_id=skill.id))

    assert "default version" in error.message


def test_list_pages_skills_newest_first(openai_client: openai.OpenAI) -> None:
    made = [openai_client.skills.create(files=FILES).id for _ in range(3)]

    first = openai_client.skills.list(limit=2)
    rest = openai_client.skills.list(limit=2, after=first.data[-1].id)

    assert [s.id for s in [*first.data, *rest.data]] == made[::-1]


def test_delete_removes_the_skill_and_its_versions(openai_client: openai.OpenAI) -> None:
    skill = openai_client.skills.create(files=FILES)

    gone = openai_client.skills.delete(skill.id)

    assert (gone.id, gone.object, gone.deleted) == (skill.id, "skill.deleted", True)
    with pytest.raises(openai.NotFoundError):
        openai_client.skills.retrieve(skill.id)
    with pytest.raises(openai.NotFoundError):
        openai_client.skills.versions.retrieve("1", skill_id=skill.id)
