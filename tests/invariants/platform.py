"""Hypothesis strategies for the Agents platform kinds, added to a generated project that already has Agents and Files:
Vault, VaultCredential, Skill, EnvironmentTemplate and Automation, with the references between them.

An Agent's MCP tool names a VaultCredential (static_bearer or mcp_oauth), each credential names a Vault; an
EnvironmentTemplate names Skills (with a version selector), a File of purpose user_data and a local file sent inline,
and takes env values from `{env: NAME}`; an Automation names an Agent, maybe an EnvironmentTemplate, and Vaults.
Skills are small folders with a SKILL.md. Every secret is a variable of `GeneratedProject.env`, set for each command.
"""

from __future__ import annotations

import copy
import string
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from invariants.projects import (
    GeneratedProject,
    file_contents,
    metadata,
    present,
    references,
    text,
    unique_names,
)

PLATFORM_KINDS = ("Vault", "VaultCredential", "Skill", "EnvironmentTemplate", "Automation")
REMOVABLE = ("Automation", "EnvironmentTemplate", "Skill", "VaultCredential")
"""Kinds a next version may remove, when nothing names the resource."""
MCP_AUTH = ("static_bearer", "mcp_oauth")
"""Credential types an Agent's MCP tool may use."""

lower_names = st.from_regex(r"\A[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,4})?\Z").filter(lambda name: "foreign" not in name)
"""Names that are valid for every platform kind and as a SKILL.md name; "foreign" is left to other owners' objects."""
secret_values = st.from_regex(r"\A[A-Za-z0-9]{16,24}\Z").map(lambda value: f"inv-secret-{value}")
hosts = st.from_regex(r"\A[a-z]{1,8}\.example\Z")
CRONS = ("0 3 * * *", "*/15 * * * *", "30 2 * * MON-FRI", "0 0 1 JAN *", "5 4 * * SUN")
TIMEZONES = ("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata")
RUN_AT = ("2031-03-01T03:00:00Z", "2032-07-14T23:30:00+02:00", "2033-01-01T00:00:00-05:00")
PACKAGES = {"python": ["pandas", "numpy==2.1.0", "polars"], "npm": ["left-pad", "zod"], "system": ["jq", "ripgrep"]}


def secret(draw: st.DrawFn, project: GeneratedProject, variable: str) -> dict[str, str]:
    """An `{env: VARIABLE}` reference, with the variable's value recorded in the project's environment."""
    project.env[variable] = draw(secret_values)
    return {"env": variable}


@st.composite
def credential_auths(draw: st.DrawFn, project: GeneratedProject, index: int, kind: str) -> dict[str, Any]:
    prefix = f"INV_CRED{index}"
    if kind == "static_bearer":
        return {
            "type": kind,
            "mcp_server_url": f"https://mcp{index}.example/mcp",
            "token": secret(draw, project, f"{prefix}_TOKEN"),
        }
    if kind == "environment_variable":
        networking: dict[str, Any] = {"type": "unrestricted"}
        if draw(present):
            drawn = draw(st.lists(hosts, min_size=1, max_size=3, unique=True))
            networking = {"type": "limited", "allowed_hosts": [draw(st.sampled_from([h, h.upper()])) for h in drawn]}
        return {
            "type": kind,
            "secret_name": draw(st.from_regex(r"\A[A-Z][A-Z0-9_]{0,10}\Z").filter(lambda n: not n.startswith("CODEX"))),
            "secret_value": secret(draw, project, f"{prefix}_VALUE"),
            "networking": networking,
        }
    auth: dict[str, Any] = {
        "type": kind,
        "mcp_server_url": f"https://mcp{index}.example/oauth",
        "access_token": secret(draw, project, f"{prefix}_ACCESS"),
    }
    if draw(present):
        auth["expires_at"] = draw(st.sampled_from(["2031-01-31T00:00:00Z", "2031-06-30T12:00:00+02:00"]))
    if draw(present):
        refresh: dict[str, Any] = {
            "client_id": f"client-{index}",
            "token_endpoint": f"https://auth{index}.example/token",
            "refresh_token": secret(draw, project, f"{prefix}_REFRESH"),
            "token_endpoint_auth": {"type": "none"},
        }
        if draw(present):
            refresh["token_endpoint_auth"] = {
                "type": draw(st.sampled_from(["client_secret_basic", "client_secret_post"])),
                "client_secret": secret(draw, project, f"{prefix}_CLIENT"),
            }
        if draw(present):
            refresh["resource"] = f"https://mcp{index}.example/"
        if draw(present):
            refresh["scope"] = draw(st.sampled_from(["repo", "repo read:org"]))
        auth["refresh"] = refresh
    return auth


@st.composite
def skill_folders(draw: st.DrawFn, name: str, project: GeneratedProject) -> dict[str, Any]:
    """A Skill manifest and its folder `skills/<name>/`: a SKILL.md (named like the manifest or not) and 0-2 more
    files."""
    folder = f"skills/{name}"
    skill_name = name if draw(st.booleans()) else f"{name}-skill"
    front = yaml.safe_dump({"name": skill_name, "description": draw(text(1, 60).filter(str.strip))}, width=1000)
    project.sources[f"{folder}/SKILL.md"] = f"---\n{front}---\n\n{draw(text(0, 200))}\n"
    for path in draw(st.lists(st.sampled_from(["notes.md", "scripts/calc.py", "data/table.csv"]), unique=True)):
        project.sources[f"{folder}/{path}"] = draw(file_contents)
    document: dict[str, Any] = {"kind": "Skill", "name": name, "path": folder}
    if draw(present):
        document["promote"] = draw(st.booleans())
    if draw(present):
        document["keep_versions"] = draw(st.integers(1, 3))
    return document


@st.composite
def environment_templates(
    draw: st.DrawFn, name: str, index: int, project: GeneratedProject, skills: list[str], user_data: list[str]
) -> dict[str, Any]:
    document: dict[str, Any] = {"kind": "EnvironmentTemplate", "name": name}
    if draw(present):
        document["packages"] = {
            key: draw(st.lists(st.sampled_from(values), min_size=1, unique=True))
            for key, values in PACKAGES.items()
            if draw(present)
        }
    if draw(present):
        access = draw(st.sampled_from(["restricted", "enabled", "disabled"]))
        network: dict[str, Any] = {"access": access}
        if access == "restricted" and draw(st.booleans()):
            network["allowed_domains"] = draw(st.lists(hosts, min_size=1, max_size=3, unique=True))
        elif access == "restricted" and draw(present):
            network["blocked_domains"] = draw(st.lists(hosts, min_size=1, max_size=2, unique=True))
        document["network"] = network
    if draw(present):
        names = draw(st.lists(st.from_regex(r"\A[A-Z][A-Z0-9_]{0,10}\Z"), min_size=1, max_size=2, unique=True))
        document["env"] = {key: secret(draw, project, f"INV_TPL{index}_{key}") for key in names}
    if draw(present):
        commands = []
        for _ in range(draw(st.integers(1, 2))):
            command: dict[str, Any] = {"command": draw(st.sampled_from(["pip install -e .", "make setup", "echo ok"]))}
            if draw(st.booleans()):
                command["cwd"] = "/workspace/app"
            commands.append(command)
        document["setup_commands"] = commands
    files: list[dict[str, str]] = []
    if user_data and draw(present):
        files.append({"file": draw(st.sampled_from(user_data)), "path": "/workspace/data/input.txt"})
    if draw(present):
        source = f"environments/{name}-notes.txt"
        project.sources[source] = draw(file_contents)
        files.append({"source": source, "path": "/workspace/notes.txt"})
    if files:
        document["files"] = files
    if skills and draw(present):
        chosen = []
        for skill in draw(st.lists(st.sampled_from(skills), min_size=1, unique=True)):
            entry: dict[str, Any] = {"skill": skill}
            version = draw(st.sampled_from(["latest", 1, None]))
            if version is not None:
                entry["version"] = version
            chosen.append(entry)
        document["skills"] = chosen
    if draw(st.booleans()):
        document["desktop"] = {"enabled": draw(st.booleans())}
    if draw(st.booleans()):
        document["capability_directories"] = ["/workspace/capabilities"]
    return document


@st.composite
def automations(
    draw: st.DrawFn, name: str, agents: list[str], templates: list[str], vaults: list[str]
) -> dict[str, Any]:
    document: dict[str, Any] = {"kind": "Automation", "name": name, "agent": draw(st.sampled_from(agents))}
    if draw(present):
        document["schedule"] = {"cron": draw(st.sampled_from(CRONS)), "timezone": draw(st.sampled_from(TIMEZONES))}
    else:
        document["run_at"] = draw(st.sampled_from(RUN_AT))
    if templates and draw(present):
        document["environment_template"] = draw(st.sampled_from(templates))
    if vaults and draw(present):
        document["vaults"] = draw(st.lists(st.sampled_from(vaults), min_size=1, unique=True))
    if draw(st.booleans()):
        content: list[dict[str, str]] = [{"type": "input_text", "text": draw(text(1, 80))}]
        if draw(st.booleans()):
            content.append({"type": "input_image", "image_url": "https://img.example/chart.png"})
        document["input"] = [{"content": content}]
    else:
        document["input"] = draw(text(1, 120))
    if draw(present):
        document["metadata"] = draw(metadata)
    if draw(st.booleans()):
        document["paused"] = draw(st.booleans())
    return document


def user_data_files(project: GeneratedProject, draw: st.DrawFn) -> list[str]:
    """The names of the project's Files of purpose user_data, after adding one when there is none."""
    documents = project.manifests["uploads/files.yaml"]
    found = [document["name"] for document in documents if document.get("purpose") == "user_data"]
    if found:
        return found
    taken = {document["name"].lower() for document in documents}
    name = next(candidate for candidate in ("env-data", "env-data-2", "env-data-3") if candidate not in taken)
    path = f"uploads/file{len(documents)}.txt"
    project.files[path] = draw(file_contents)
    documents.append({"kind": "File", "name": name, "path": path.partition("/")[2], "purpose": "user_data"})
    return [name]


@st.composite
def platform_kinds(draw: st.DrawFn, project: GeneratedProject) -> GeneratedProject:
    """`project` (which has Agents) with 1-2 Vaults, 1-3 VaultCredentials (one MCP credential named by an Agent's
    tool), 1-2 Skills, 1-2 EnvironmentTemplates and 1-2 Automations added, with references between them."""
    agent_documents = project.manifests["agents.yaml"]
    vaults = draw(unique_names(lower_names, 1, 2))
    project.manifests["vaults.yaml"] = [{"kind": "Vault", "name": name} for name in vaults]
    for document in project.manifests["vaults.yaml"]:
        if draw(present):
            document["metadata"] = draw(metadata)
    credentials = []
    others = draw(st.lists(st.sampled_from([*MCP_AUTH, "environment_variable"]), max_size=2))
    kinds = [draw(st.sampled_from(MCP_AUTH)), *others]
    for index, (name, kind) in enumerate(zip(draw(unique_names(lower_names, 3, 3)), kinds, strict=False)):
        document: dict[str, Any] = {
            "kind": "VaultCredential",
            "name": name,
            "vault": draw(st.sampled_from(vaults)),
            "auth": draw(credential_auths(project, index, kind)),
        }
        if draw(present):
            document["metadata"] = draw(metadata)
        credentials.append(document)
    project.manifests["vaults.yaml"] += credentials
    mcp = [document for document in credentials if document["auth"]["type"] in MCP_AUTH]
    for agent in agent_documents[: draw(st.integers(1, len(agent_documents)))]:
        credential = draw(st.sampled_from(mcp))
        tool = {
            "type": "mcp",
            "server_label": "vaulted",
            "transport": {"type": "http", "server_url": credential["auth"]["mcp_server_url"]},
            "credential": credential["name"],
        }
        tools = [*agent.get("tools", []), tool]
        agent["tools"] = draw(st.permutations(tools))
    skills = draw(unique_names(lower_names, 1, 2))
    project.manifests["skills.yaml"] = [draw(skill_folders(name, project)) for name in skills]
    user_data = user_data_files(project, draw)
    templates = draw(unique_names(lower_names, 1, 2))
    project.manifests["environments.yaml"] = [
        draw(environment_templates(name, index, project, skills, user_data)) for index, name in enumerate(templates)
    ]
    agent_names = [document["name"] for document in agent_documents]
    project.manifests["automations.yaml"] = [
        draw(automations(name, agent_names, templates, vaults)) for name in draw(unique_names(lower_names, 1, 2))
    ]
    return project


def edit_text(draw: st.DrawFn, content: str) -> str:
    return content + draw(st.text(string.ascii_letters, min_size=1, max_size=10))


@st.composite
def platform_changes(draw: st.DrawFn, project: GeneratedProject, changed: GeneratedProject) -> GeneratedProject:
    """The Agents platform part of a next version: rotated secrets, edited skill files (new versions), changed
    template packages and commands, moved schedules and paused automations, and removed Automations, Skills,
    EnvironmentTemplates and VaultCredentials that nothing names any more."""
    for variable in project.env:
        if draw(st.booleans()):
            changed.env[variable] = draw(secret_values)
    for path, content in project.sources.items():
        if path.startswith("skills/") and not path.endswith("SKILL.md") and draw(present):
            changed.sources[path] = edit_text(draw, content)
    named = references(changed.documents)
    for name, documents in list(changed.manifests.items()):
        kept = []
        for document in documents:
            address = f"{document['kind']}/{document['name']}"
            if document["kind"] in REMOVABLE and address not in named and draw(st.booleans()):
                drop_sources(changed, document)
                named = references([d for d in changed.documents if d is not document])
                continue
            document = copy.deepcopy(document)
            if document["kind"] == "EnvironmentTemplate" and draw(present):
                document["packages"] = {"python": draw(st.lists(st.sampled_from(PACKAGES["python"]), unique=True))}
            if document["kind"] == "EnvironmentTemplate" and draw(st.booleans()):
                document["setup_commands"] = [{"command": "make setup-" + draw(st.sampled_from(["a", "b"]))}]
            if document["kind"] == "Automation" and draw(present):
                if "schedule" in document:
                    document["schedule"] = {"cron": draw(st.sampled_from(CRONS)), "timezone": "UTC"}
                document["paused"] = draw(st.booleans())
            if document["kind"] in ("Vault", "VaultCredential", "Automation") and draw(st.booleans()):
                document["metadata"] = draw(metadata)
            kept.append(document)
        changed.manifests[name] = kept
    changed.manifests = {name: documents for name, documents in changed.manifests.items() if documents}
    return changed


def drop_sources(project: GeneratedProject, document: dict[str, Any]) -> None:
    """Remove the local files only a removed Skill or EnvironmentTemplate used."""
    if document["kind"] == "Skill":
        folder = Path(document["path"])
        for path in [path for path in project.sources if folder in Path(path).parents]:
            del project.sources[path]
    for entry in document.get("files", []):
        if "source" in entry:
            project.sources.pop(entry["source"], None)
