"""Nothing the project does not own is touched: objects created directly through the SDK before the first apply,
unstamped or stamped with another project (even one whose name starts like ours, even at our addresses, even with our
files' content), are byte-identical after apply and after destroy. On the Agents platform that covers unlabelled and
other projects' vaults, credentials and automations, credentials labelled as ours in a vault that is not, automations
an agent created (even labelled as ours), templates whose name carries no mark of ours, and skills without our
marker."""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from typing import Any

from hypothesis import given, note
from hypothesis import strategies as st

from assistplan.sandbox.server import API_KEY, SandboxServer
from assistplan.sandbox.testing import make_client
from invariants.conftest import COSTLY, projects_for
from invariants.remote import AUTOMATIONS, SKILL_MARKER, TEMPLATES, blob_name
from invariants.workspace import PROJECT, Workspace, workspace

OTHER_PROJECTS = (f"{PROJECT}-other", PROJECT[:-1], f"{PROJECT}x")
"""Projects that are not ours: one with our name as a prefix, one that is a prefix of ours, one sharing our start."""
COLLECTIONS = {"Assistant": "assistants", "Agent": "agents", "VectorStore": "vector_stores", "Vault": "vaults"}
FOREIGN_INPUT = [{"role": "user", "content": [{"type": "input_text", "text": "Hello"}]}]

Created = list[tuple[str, str]]
"""(collection, id) of each foreign object."""


def labels(project: str | None, address: str) -> dict[str, str]:
    if project is None:
        return {"team": "someone-else"}
    return {"assistplan:project": project, "assistplan:address": address, "assistplan:digest": "0" * 32}


def create_foreign_objects(ws: Workspace) -> dict[tuple[str, str], bytes]:
    """Files and objects of other owners, named and labelled like the project's; their raw bytes by (collection, id)."""
    client = make_client(ws.sandbox)
    created: Created = []
    path, content = next(iter(ws.generated.files.items()))
    names = ["notes.txt", path, *(blob_name(other, content, path) for other in OTHER_PROJECTS)]
    file_ids = []
    for filename in names:
        uploaded = client.files.create(file=(filename, content.encode()), purpose="assistants")
        file_ids.append(uploaded.id)
        created.append(("files", uploaded.id))
    creators: dict[str, Callable[..., Any]] = {
        "VectorStore": lambda **fields: client.vector_stores.create(**fields, file_ids=file_ids[:1]),
        "Assistant": lambda **fields: client.beta.assistants.create(model="gpt-4o", **fields),
        "Agent": lambda **fields: client.beta.agents.create(model="gpt-5", **fields),
        "Vault": lambda **fields: client.beta.agents.vaults.create(**fields),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for address in sorted(ws.generated.addresses()):
            kind, _, name = address.partition("/")
            if kind not in creators:
                continue
            for owner in (None, *OTHER_PROJECTS):
                created.append((COLLECTIONS[kind], creators[kind](name=name, metadata=labels(owner, address)).id))
    if ws.generated.kinds() & {"VaultCredential", "Automation", "EnvironmentTemplate", "Skill"}:
        created += create_foreign_platform_objects(ws, client)
    client.close()
    return snapshot(ws, created)


def create_foreign_platform_objects(ws: Workspace, client: Any) -> Created:
    """For each platform address of the project: credentials (in a vault of no project, labelled by no one, by other
    projects and as ours), automations (labelled like the others, plus one an agent created with our labels),
    templates named like ours without our mark, and skills with no marker or another project's."""
    created: Created = []
    agents = client.beta.agents
    vault = agents.vaults.create(name="foreign", metadata={"team": "someone-else"})
    agent = agents.create(model="gpt-5", name="foreign")
    created += [("vaults", vault.id), ("agents", agent.id)]
    target = {"type": "new_session", "agent_id": agent.id, "environment": {"type": "none"}, "input": FOREIGN_INPUT}
    for index, address in enumerate(sorted(ws.generated.addresses())):
        kind, _, name = address.partition("/")
        if kind == "VaultCredential":
            auth = {"type": "static_bearer", "mcp_server_url": "https://mcp.foreign.example/mcp", "token": "theirs"}
            for owner in (None, *OTHER_PROJECTS, PROJECT):
                credential = agents.vaults.credentials.create(
                    vault.id, name=name, auth=auth, metadata=labels(owner, address)
                )
                created.append((f"vaults/{vault.id}/credentials", credential.id))
        elif kind == "Automation":
            for owner in (None, *OTHER_PROJECTS):
                automation = agents.automations.create(
                    type="periodic",
                    name=name,
                    expression="0 9 * * *",
                    timezone="UTC",
                    target=target,
                    metadata=labels(owner, address),
                )
                created.append((AUTOMATIONS, automation.id))
            by_agent = {
                **automation.to_dict(),
                "id": f"auto_byagent{index}",
                "created_by": {"type": "agent", "session_id": "sess_foreign", "tool_call_id": "call_foreign"},
                "metadata": labels(PROJECT, address),
            }
            ws.sandbox.store.put("automation", by_agent)
            created.append((AUTOMATIONS, by_agent["id"]))
        elif kind == "EnvironmentTemplate":
            unmarked = [name, address, *(f"assistplan:{other}:{address}" for other in OTHER_PROJECTS)]
            for template_name in [*unmarked, f"assistplan:{PROJECT}:Automation/{name}"]:
                template = agents.environments.templates.create(name=template_name, network={"access": "disabled"})
                created.append((TEMPLATES, template.id))
        elif kind == "Skill":
            for owner in (None, *OTHER_PROJECTS):
                skill = client.skills.create(files=foreign_bundle(f"foreign-{index}-{len(created)}", owner, address))
                created.append(("skills", skill.id))
    return created


def foreign_bundle(skill_name: str, owner: str | None, address: str) -> list[tuple[str, bytes]]:
    """A skill bundle of another owner: a SKILL.md, and a marker of `owner`'s project at `address` (none for None)."""
    bundle = [(f"{skill_name}/SKILL.md", f"---\nname: {skill_name}\ndescription: Theirs.\n---\n".encode())]
    if owner is not None:
        marker = {"project": owner, "address": address, "digest": "0" * 32, "content": "0" * 64}
        bundle.append((f"{skill_name}/{SKILL_MARKER}", json.dumps(marker).encode()))
    return bundle


def snapshot(ws: Workspace, objects: list[tuple[str, str]] | Any) -> dict[tuple[str, str], bytes]:
    return {(collection, object_id): ws.remote.raw(collection, object_id) for collection, object_id in objects}


@COSTLY
@given(data=st.data())
def test_objects_not_ours_are_byte_identical_after_apply_and_destroy(
    sandbox: SandboxServer, sandbox_profile: str, data: st.DataObject
) -> None:
    with workspace(sandbox, data.draw(projects_for(sandbox_profile), label="project"), API_KEY) as ws:
        note(ws.generated.listing())
        foreign = create_foreign_objects(ws)

        applied = ws.apply()
        after_apply = snapshot(ws, foreign)
        destroyed = ws.run("destroy", "--auto-approve")
        after_destroy = snapshot(ws, foreign)

        assert applied.exit_code == 0, applied.output
        assert destroyed.exit_code == 0, destroyed.output
        assert after_apply == foreign
        assert after_destroy == foreign
