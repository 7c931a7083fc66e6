"""Environment templates (Agents beta): create, retrieve, update (partial), list, delete; confidential fields are
accepted but never read back."""

from __future__ import annotations

import base64
from typing import Any

import openai
import pytest

INLINE: Any = {"type": "inline", "path": "/workspace/data/notes.txt", "data": base64.b64encode(b"hello\n").decode()}


def dump(template: Any) -> dict[str, Any]:
    result: dict[str, Any] = template.to_dict()
    return result


def test_create_answers_the_template_with_its_defaults(openai_client: openai.OpenAI) -> None:
    template = openai_client.beta.agents.environments.templates.create(name="tools")

    assert template.id.startswith("envtpl_")
    assert dump(template) == {
        "id": template.id,
        "object": "agent.environment.template",
        "created_at": template.created_at,
        "updated_at": template.created_at,
        "name": "tools",
        "capability_directories": [],
        "files": [],
        "network": {"access": "enabled", "allowed_domains": []},
        "packages": {"npm": [], "python": [], "system": []},
        "plugins": [],
        "skills": [],
        "desktop": {"enabled": False},
    }


def test_confidential_fields_are_never_read_back(openai_client: openai.OpenAI) -> None:
    templates = openai_client.beta.agents.environments.templates
    created = templates.create(
        env={"API_TOKEN": "s3cret-value"},
        setup_commands=[{"command": "echo s3cret-value", "cwd": "/workspace"}],
        network={"access": "restricted", "blocked_domains": ["evil.example"]},
        files=[INLINE],
    )

    for answer in (created, templates.retrieve(created.id), next(iter(templates.list()))):
        text = str(dump(answer))
        assert "s3cret-value" not in text
        assert "env" not in dump(answer) and "setup_commands" not in dump(answer)
        assert dump(answer)["network"] == {"access": "restricted", "allowed_domains": []}
        assert dump(answer)["files"] == [{"type": "inline", "path": "/workspace/data/notes.txt", "size_bytes": 6}]


def test_skill_references_keep_their_version_selector(openai_client: openai.OpenAI) -> None:
    skills = [
        {"type": "skill_reference", "skill_id": "skill_a"},
        {"type": "skill_reference", "skill_id": "skill_b", "version": "latest"},
        {"type": "skill_reference", "skill_id": "skill_c", "version": "3"},
    ]

    template = openai_client.beta.agents.environments.templates.create(skills=skills)  # type: ignore[arg-type]

    assert dump(template)["skills"] == [
        {"type": "skill_reference", "skill_id": "skill_a", "version": None},
        {"type": "skill_reference", "skill_id": "skill_b", "version": "latest"},
        {"type": "skill_reference", "skill_id": "skill_c", "version": "3"},
    ]


def test_file_id_entries_read_back_as_sent(openai_client: openai.OpenAI) -> None:
    entry = {"type": "file_id", "file_id": "file-abc", "path": "/workspace/prices.csv"}

    template = openai_client.beta.agents.environments.templates.create(files=[entry])  # type: ignore[list-item]

    assert dump(template)["files"] == [entry]


def test_update_changes_only_the_given_fields(openai_client: openai.OpenAI) -> None:
    templates = openai_client.beta.agents.environments.templates
    created = templates.create(name="tools", packages={"python": ["pandas"]}, desktop={"enabled": True})

    updated = templates.update(created.id, packages={"npm": ["typescript"]})

    assert dump(updated) == {
        **dump(created),
        "packages": {"npm": ["typescript"], "python": [], "system": []},
        "updated_at": updated.updated_at,
    }


def test_update_with_null_resets_network_clears_name_and_disables_desktop(openai_client: openai.OpenAI) -> None:
    templates = openai_client.beta.agents.environments.templates
    created = templates.create(
        name="tools", network={"access": "restricted", "allowed_domains": ["pypi.org"]}, desktop={"enabled": True}
    )

    updated = templates.update(created.id, name=None, network=None, desktop=None)

    assert (updated.name, dump(updated)["network"], dump(updated)["desktop"]) == (
        None,
        {"access": "enabled", "allowed_domains": []},
        {"enabled": False},
    )


def test_update_replaces_lists_wholesale(openai_client: openai.OpenAI) -> None:
    templates = openai_client.beta.agents.environments.templates
    created = templates.create(files=[INLINE], capability_directories=["/workspace/a", "/workspace/b"])

    updated = templates.update(created.id, files=[], capability_directories=["/workspace/c"])

    assert (updated.files, updated.capability_directories) == ([], ["/workspace/c"])


def test_list_pages_newest_first_with_a_cursor(openai_client: openai.OpenAI) -> None:
    templates = openai_client.beta.agents.environments.templates
    made = [templates.create(name=f"t{index}").id for index in range(3)]

    first = templates.list(limit=2)
    second = templates.list(limit=2, after=first.data[-1].id)

    assert [t.id for t in first.data] + [t.id for t in second.data] == made[::-1]
    assert (first.has_more, second.has_more) == (True, False)


def test_delete_answers_the_deleted_shape(openai_client: openai.OpenAI) -> None:
    templates = openai_client.beta.agents.environments.templates
    created = templates.create()

    result = templates.delete(created.id)

    assert (result.id, result.object, result.deleted) == (created.id, "agent.environment.template.deleted", True)
    with pytest.raises(openai.NotFoundError):
        templates.retrieve(created.id)


def test_the_agents_beta_header_is_required(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.environments.templates.list(extra_headers={"OpenAI-Beta": openai.Omit()})

    assert caught.value.code == "invalid_beta"


@pytest.mark.parametrize(
    ("options", "param"),
    [
        ({"name": "x" * 257}, "name"),
        ({"name": ""}, "name"),
        ({"setup_commands": [{"command": "true"}] * 17}, "setup_commands"),
        ({"files": [{**INLINE, "path": f"/workspace/f{index}"} for index in range(51)]}, "files"),
        ({"files": [{**INLINE, "path": "/workspace/outputs/a.txt"}]}, "files[0].path"),
        ({"files": [{**INLINE, "path": "/workspace/.codex/config"}]}, "files[0].path"),
        ({"files": [{**INLINE, "path": "/workspace/../etc/passwd"}]}, "files[0].path"),
        ({"files": [{**INLINE, "path": "/tmp/a.txt"}]}, "files[0].path"),
        ({"files": [{**INLINE, "data": "not base64!"}]}, "files[0].data"),
        ({"skills": [{"type": "skill_reference", "skill_id": "s"}] * 201}, "skills"),
        ({"skills": [{"type": "skill_reference", "skill_id": "s", "version": "0"}]}, "skills[0].version"),
        ({"env": {f"V{index}": "x" for index in range(1025)}}, "env"),
        ({"network": {"access": "enabled", "blocked_domains": ["a.example"]}}, "network.blocked_domains"),
        ({"network": {"access": "open"}}, "network.access"),
        ({"network": {"allowed_domains": []}}, "network.access"),
    ],
)
def test_out_of_bounds_input_is_refused_naming_the_field(
    openai_client: openai.OpenAI, options: dict[str, Any], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.beta.agents.environments.templates.create(**options)

    assert caught.value.param == param
    assert caught.value.body["type"] == "invalid_request_error"  # type: ignore[index]


def test_a_refused_update_changes_nothing(openai_client: openai.OpenAI) -> None:
    templates = openai_client.beta.agents.environments.templates
    created = templates.create(name="tools")

    with pytest.raises(openai.BadRequestError):
        templates.update(created.id, name="renamed", packages={"python": [1]})  # type: ignore[arg-type]

    assert templates.retrieve(created.id).name == "tools"
