"""`/agents/environments/templates` (Agents API beta): create, retrieve, update (partial), list, delete.

A template answers with its readable configuration only. `env`, `setup_commands`, `network.blocked_domains` and
inline file contents are confidential: they are kept (under `_` keys, never shown) but never returned, not even their
keys or a count; an inline file reads back as `{type, path, size_bytes}`, an inline skill or plugin as `{type, name,
description}`, a skill reference with its version selector as sent (null when omitted). `packages` always reads back
with its three lists, `desktop` as `{enabled}` (disabled by default) and `network` as `{access, allowed_domains}`;
a network omitted on create, or null on update, is the default of the beta API version (access enabled).

An update is partial: omitted fields keep their value, every list and map given replaces the old one, null resets a
field to its default (`name: null` clears the name, `network: null` resets the policy, `desktop: null` disables the
desktop). Nothing is checked against other objects: a file id or skill id that does not exist is accepted.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from assistplan.sandbox.errors import invalid, invalid_type, not_found
from assistplan.sandbox.routing import AGENTS_BETA, Call, delete, deleted, get, list_query, paginate, post, public
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import (
    MISSING,
    array,
    boolean,
    check_length,
    choice,
    field,
    obj,
    only,
    string,
    string_list,
)

KIND = "environment_template"
FIELDS = (
    "name",
    "network",
    "packages",
    "env",
    "setup_commands",
    "files",
    "skills",
    "plugins",
    "desktop",
    "capability_directories",
)
NAME_MAX = 256
PACKAGES_MAX = 16_384
ENV_MAX = 1_024
ENV_NAME_MAX = 256
ENV_VALUE_MAX = 1024 * 1024
SETUP_COMMANDS_MAX = 16
COMMAND_MAX = 65_536
FILES_MAX = 50
PATH_MAX = 4_096
INLINE_DATA_MAX = 6_990_508
SKILLS_MAX = 200
SKILL_ID_MAX = 64
PLUGINS_MAX = 32
ARCHIVE_NAME_MAX = 64
ARCHIVE_DATA_MAX = 70_254_592
CAPABILITY_DIRECTORIES_MAX = 16_384
WORKSPACE = "/workspace"
DEFAULT_NETWORK = {"access": "enabled", "allowed_domains": []}
"""The policy of a template created without one under the beta API version."""


def _name(body: dict[str, Any]) -> Any:
    value = string(body, "name", max_length=NAME_MAX)
    if value == "":
        raise invalid("name", "string too short. Expected a string with minimum length 1.", "string_below_min_length")
    return value


def _network(value: Any) -> tuple[dict[str, Any], list[str]]:
    """The readable policy and the blocked domains (never returned)."""
    if value is None:
        return dict(DEFAULT_NETWORK), []
    spec = obj(value, "network")
    only(spec, ("access", "allowed_domains", "blocked_domains"), "network")
    field(spec, "access", "network", required=True)
    access = choice(spec, "access", ("enabled", "disabled", "restricted"), "network", nullable=False)
    allowed = string_list(spec, "allowed_domains", "network", nullable=True) or []
    blocked = string_list(spec, "blocked_domains", "network", nullable=True) or []
    if blocked and access != "restricted":
        raise invalid("network.blocked_domains", "a nonempty list requires access 'restricted'.")
    if blocked and allowed:
        raise invalid("network.blocked_domains", "cannot be combined with nonempty 'allowed_domains'.")
    for index, domain in enumerate(blocked):
        if "*" in domain:
            raise invalid(f"network.blocked_domains[{index}]", "wildcard domains are not supported.")
    return {"access": access, "allowed_domains": list(allowed)}, list(blocked)


def _packages(value: Any) -> dict[str, list[str]]:
    spec = obj(value, "packages") if value is not None else {}
    only(spec, ("npm", "python", "system"), "packages")
    return {
        key: list(string_list(spec, key, "packages", max_items=PACKAGES_MAX, nullable=True) or [])
        for key in ("npm", "python", "system")
    }


def _env(value: Any) -> dict[str, str]:
    if value is None:
        return {}
    mapping = obj(value, "env")
    if len(mapping) > ENV_MAX:
        raise invalid(
            "env",
            f"too many properties. Expected an object with at most {ENV_MAX} properties, "
            f"but got an object with {len(mapping)} properties instead.",
            "object_above_max_properties",
        )
    for key, item in mapping.items():
        if not key:
            raise invalid("env", "variable names must not be empty.", "string_below_min_length")
        check_length("env", key, ENV_NAME_MAX)
        if not isinstance(item, str):
            raise invalid_type(f"env.{key}", "a string", item)
        check_length(f"env.{key}", item, ENV_VALUE_MAX)
    return dict(mapping)


def _setup_commands(value: Any) -> list[dict[str, Any]]:
    items = array({"setup_commands": value}, "setup_commands", max_items=SETUP_COMMANDS_MAX, nullable=True) or []
    commands = []
    for index, item in enumerate(items):
        param = f"setup_commands[{index}]"
        command = obj(item, param)
        only(command, ("command", "cwd"), param)
        text = string(command, "command", param, required=True, nullable=False, max_length=COMMAND_MAX)
        commands.append({"command": text, "cwd": string(command, "cwd", param) or WORKSPACE})
    return commands


def check_path(param: str, path: str) -> None:
    """A destination inside the environment: under /workspace/, no empty, `.` or `..` components, not reserved."""
    check_length(param, path, PATH_MAX)
    parts = path.split("/")
    if not path.startswith(f"{WORKSPACE}/") or any(part in ("", ".", "..") for part in parts[1:]):
        raise invalid(param, f"must be an absolute path under {WORKSPACE}/ without empty, '.' or '..' components.")
    top = parts[2]
    if top.startswith(".codex") or top.startswith(".managed-agents") or top == "outputs":
        raise invalid(param, f"'{WORKSPACE}/{top}' is reserved.")


def _decoded_size(param: str, data: Any, limit: int) -> int:
    if not isinstance(data, str):
        raise invalid_type(param, "a string", data)
    check_length(param, data, limit)
    try:
        return len(base64.b64decode(data, validate=True))
    except (binascii.Error, ValueError):
        raise invalid(param, "must be standard base64.", "invalid_base64") from None


def _files(value: Any) -> list[dict[str, Any]]:
    items = array({"files": value}, "files", max_items=FILES_MAX, nullable=True) or []
    files: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        param = f"files[{index}]"
        entry = obj(item, param)
        kind = choice(entry, "type", ("file_id", "inline"), param, nullable=False)
        if kind is MISSING:
            field(entry, "type", param, required=True)
        path = string(entry, "path", param, required=True, nullable=False)
        check_path(f"{param}.path", path)
        if path in seen:
            raise invalid(f"{param}.path", f"'{path}' is given twice.")
        seen.add(path)
        if kind == "file_id":
            only(entry, ("type", "file_id", "path"), param)
            file_id = string(entry, "file_id", param, required=True, nullable=False)
            files.append({"type": "file_id", "file_id": file_id, "path": path})
        else:
            only(entry, ("type", "data", "path"), param)
            data = field(entry, "data", param, required=True)
            size = _decoded_size(f"{param}.data", data, INLINE_DATA_MAX)
            files.append({"type": "inline", "path": path, "size_bytes": size})
    return files


def _archive(entry: dict[str, Any], param: str) -> dict[str, Any]:
    """An inline skill or plugin: its name and description; the archive itself is kept by no one."""
    only(entry, ("type", "name", "description", "source"), param)
    name = string(entry, "name", param, required=True, nullable=False, max_length=ARCHIVE_NAME_MAX)
    description = string(entry, "description", param, required=True, nullable=False)
    source = obj(field(entry, "source", param, required=True), f"{param}.source")
    only(source, ("type", "media_type", "data"), f"{param}.source")
    choice(source, "type", ("base64",), f"{param}.source", nullable=False)
    choice(source, "media_type", ("application/zip",), f"{param}.source", nullable=False)
    _decoded_size(f"{param}.source.data", field(source, "data", f"{param}.source", required=True), ARCHIVE_DATA_MAX)
    return {"type": "inline", "name": name, "description": description}


def _version(param: str, value: Any) -> Any:
    if value is MISSING or value is None:
        return None
    if not isinstance(value, str):
        raise invalid_type(param, "a string", value)
    if value != "latest" and not (value.isdigit() and int(value) > 0):
        raise invalid(param, f"expected a positive integer or 'latest', but got '{value}' instead.", "invalid_value")
    return value


def _skills(value: Any) -> list[dict[str, Any]]:
    items = array({"skills": value}, "skills", max_items=SKILLS_MAX, nullable=True) or []
    skills: list[dict[str, Any]] = []
    for index, item in enumerate(items):
        param = f"skills[{index}]"
        entry = obj(item, param)
        kind = choice(entry, "type", ("skill_reference", "inline"), param, nullable=False)
        if kind is MISSING:
            field(entry, "type", param, required=True)
        if kind == "inline":
            skills.append(_archive(entry, param))
            continue
        only(entry, ("type", "skill_id", "version"), param)
        skill_id = string(entry, "skill_id", param, required=True, nullable=False, max_length=SKILL_ID_MAX)
        version = _version(f"{param}.version", field(entry, "version", param))
        skills.append({"type": "skill_reference", "skill_id": skill_id, "version": version})
    return skills


def _plugins(value: Any) -> list[dict[str, Any]]:
    items = array({"plugins": value}, "plugins", max_items=PLUGINS_MAX, nullable=True) or []
    plugins = []
    for index, item in enumerate(items):
        param = f"plugins[{index}]"
        entry = obj(item, param)
        field(entry, "type", param, required=True)
        choice(entry, "type", ("inline",), param, nullable=False)
        plugins.append(_archive(entry, param))
    return plugins


def _desktop(value: Any) -> dict[str, bool]:
    if value is None:
        return {"enabled": False}
    spec = obj(value, "desktop")
    only(spec, ("enabled",), "desktop")
    field(spec, "enabled", "desktop", required=True)
    return {"enabled": boolean(spec, "enabled", "desktop")}


def _capability_directories(value: Any) -> list[str]:
    body = {"capability_directories": value}
    return list(string_list(body, "capability_directories", max_items=CAPABILITY_DIRECTORIES_MAX, nullable=True) or [])


READABLE = {
    "packages": _packages,
    "files": _files,
    "skills": _skills,
    "plugins": _plugins,
    "desktop": _desktop,
    "capability_directories": _capability_directories,
}
CONFIDENTIAL = {"env": ("_env", _env), "setup_commands": ("_setup_commands", _setup_commands)}


def _apply(template: dict[str, Any], body: dict[str, Any]) -> None:
    """Validate every field present in `body`, then write them all (a refused request changes nothing)."""
    only(body, FIELDS)
    changes: dict[str, Any] = {}
    name = _name(body)
    if name is not MISSING:
        changes["name"] = name
    if "network" in body:
        changes["network"], changes["_blocked_domains"] = _network(body["network"])
    for key, resolve in READABLE.items():
        if key in body:
            changes[key] = resolve(body[key])
    for key, (stored, resolve_confidential) in CONFIDENTIAL.items():
        if key in body:
            changes[stored] = resolve_confidential(body[key])
    template.update(changes)


def require(call: Call) -> dict[str, Any]:
    template = call.store.get(KIND, call.params["environment_template_id"])
    if template is None:
        raise not_found("environment template", call.params["environment_template_id"])
    return template


def create(call: Call) -> dict[str, Any]:
    template: dict[str, Any] = {
        "id": new_id("envtpl_"),
        "object": "agent.environment.template",
        "created_at": call.timestamp,
        "updated_at": call.timestamp,
        "name": None,
        "capability_directories": [],
        "files": [],
        "network": dict(DEFAULT_NETWORK),
        "packages": _packages(None),
        "plugins": [],
        "skills": [],
        "desktop": _desktop(None),
        "_blocked_domains": [],
        "_env": {},
        "_setup_commands": [],
    }
    _apply(template, call.body)
    call.store.put(KIND, template)
    return public(template)


def retrieve(call: Call) -> dict[str, Any]:
    return public(require(call))


def update(call: Call) -> dict[str, Any]:
    template = require(call)
    _apply(template, call.body)
    template["updated_at"] = call.timestamp
    call.store.put(KIND, template)
    return public(template)


def list_templates(call: Call) -> dict[str, Any]:
    return paginate(call, KIND, list_query(call, before=False))


def remove(call: Call) -> dict[str, Any]:
    template_id = require(call)["id"]
    call.store.delete(KIND, template_id)
    return deleted(template_id, "agent.environment.template.deleted")


ROUTES = [
    post("/agents/environments/templates", create, AGENTS_BETA),
    get("/agents/environments/templates", list_templates, AGENTS_BETA),
    get("/agents/environments/templates/{environment_template_id}", retrieve, AGENTS_BETA),
    post("/agents/environments/templates/{environment_template_id}", update, AGENTS_BETA),
    delete("/agents/environments/templates/{environment_template_id}", remove, AGENTS_BETA),
]
