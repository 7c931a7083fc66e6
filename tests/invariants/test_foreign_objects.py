"""Nothing the project does not own is touched: objects created directly through the SDK before the first apply,
unstamped or stamped with another project (even one whose name starts like ours, even at our addresses, even with our
files' content), are byte-identical after apply and after destroy."""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from hypothesis import given, note
from hypothesis import strategies as st

from assistplan.sandbox.server import API_KEY, SandboxServer
from assistplan.sandbox.testing import make_client
from invariants.conftest import COSTLY, projects_for
from invariants.remote import blob_name
from invariants.workspace import PROJECT, Workspace, workspace

OTHER_PROJECTS = (f"{PROJECT}-other", PROJECT[:-1], f"{PROJECT}x")
"""Projects that are not ours: one with our name as a prefix, one that is a prefix of ours, one sharing our start."""
COLLECTIONS = {"Assistant": "assistants", "Agent": "agents", "VectorStore": "vector_stores"}


def labels(project: str | None, address: str) -> dict[str, str]:
    if project is None:
        return {"team": "someone-else"}
    return {"assistplan:project": project, "assistplan:address": address, "assistplan:digest": "0" * 32}


def create_foreign_objects(ws: Workspace) -> dict[tuple[str, str], bytes]:
    """Files and objects of other owners, named and labelled like the project's; their raw bytes by (collection, id)."""
    client = make_client(ws.sandbox)
    created: list[tuple[str, str]] = []
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
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        for address in sorted(ws.generated.addresses()):
            kind, _, name = address.partition("/")
            if kind not in creators:
                continue
            for owner in (None, *OTHER_PROJECTS):
                created.append((COLLECTIONS[kind], creators[kind](name=name, metadata=labels(owner, address)).id))
    client.close()
    return snapshot(ws, created)


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
