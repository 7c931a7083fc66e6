"""The `export` hooks of the Agents-platform kinds (Vault, VaultCredential, Skill, EnvironmentTemplate, Automation):
manifests made from live objects, so that the adopted objects plan as no changes.

What the API never returns is said in a comment: a credential's secrets (the manifest names an environment variable
for each, `{env: NAME}`, to set before an apply that changes the credential) and a template's `env` and
`setup_commands` (not even their names). A skill's newest version is downloaded into a folder beside its manifest,
without assistplan's marker file, so that its content digest is the live one. Objects a manifest cannot describe are
left out: automations with an inline agent, an existing-session target or environment overrides, templates with
inline files or inline skills, and skills whose bundle is not a zip of UTF-8 text files.
"""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from typing import Any

from assistplan.kinds.base import Kind, LiveObject, prune
from assistplan.kinds.exporting import ExportContext, Exported, keep_remote_name, relative, secret_variable
from assistplan.manifest.skill_models import MARKER

SECRETS_UNREAD = (
    "Secret values cannot be read back: set {names} before an apply that changes this credential (a plan needs none)."
)
TEMPLATE_UNREAD = (
    "env and setup_commands cannot be read back, not even their names: if this template has any, add them here "
    "(env values as {env: VARIABLE}) before an apply that changes it, or that apply removes them."
)
SKILL_MARKED = (
    "Adopting this skill uploads a new version of the same files with assistplan's marker (a skill has nowhere else "
    "to carry it), made the default only where the newest version was; a template pinned to a version number is "
    "unaffected."
)


def _named(kind: str, obj: LiveObject, ctx: ExportContext, folder: str) -> Exported:
    """The document's kind and name, and `display_name` where the remote name is not the manifest name."""
    name = ctx.name(obj)
    exported = Exported({"kind": kind, "name": name}, f"{folder}/{name}.yaml")
    remote = obj.raw.get("name")
    if isinstance(remote, str) and remote and remote != name:
        exported.document["display_name"] = remote
    return exported


def export_vault(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported:
    spec = ctx.inventory.normalized(obj, kind)
    name = ctx.name(obj)
    exported = Exported({"kind": "Vault", "name": name}, f"vaults/{name}.yaml")
    keep_remote_name(exported, spec["name"])
    if spec["metadata"]:
        exported.document["metadata"] = spec["metadata"]
    return exported


def export_vault_credential(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported | None:
    spec = ctx.inventory.normalized(obj, kind)
    vault = ctx.reference("Vault", str(obj.raw.get("vault_id")))
    if vault is None:
        return None
    exported = _named("VaultCredential", obj, ctx, "vault-credentials")
    envs: list[str] = []

    def secret(field: str) -> dict[str, str]:
        env = secret_variable(exported.document["name"], field)
        envs.append(f"{env} ({field})")
        return {"env": env}

    exported.document["vault"] = vault
    exported.document["auth"] = _auth(obj.raw.get("auth") or {}, spec, secret)
    if spec["metadata"]:
        exported.document["metadata"] = spec["metadata"]
    exported.comments.append(SECRETS_UNREAD.format(names=", ".join(envs)))
    return exported


def _auth(raw: dict[str, Any], spec: dict[str, Any], secret: Any) -> dict[str, Any]:
    """The credential's `auth` as a manifest gives it: what the API reads back, and each secret as `{env: ...}`."""
    auth = dict(spec["auth"])
    if auth["type"] == "static_bearer":
        return {**auth, "token": secret("token")}
    if auth["type"] == "environment_variable":
        return {
            "type": auth["type"],
            "secret_name": auth["secret_name"],
            "secret_value": secret("secret_value"),
            "networking": auth["networking"],
        }
    out: dict[str, Any] = {"type": auth["type"], "mcp_server_url": auth["mcp_server_url"]}
    out["access_token"] = secret("access_token")
    if spec.get("expires_at") is not None:
        out["expires_at"] = spec["expires_at"]
    if "refresh" in auth:
        refresh = dict(auth["refresh"])
        endpoint = dict(refresh.pop("token_endpoint_auth"))
        if endpoint["type"] != "none":
            endpoint["client_secret"] = secret("client_secret")
        out["refresh"] = {
            "client_id": refresh["client_id"],
            "token_endpoint": refresh["token_endpoint"],
            "refresh_token": secret("refresh_token"),
            "token_endpoint_auth": endpoint,
            **{key: refresh[key] for key in ("resource",) if key in refresh},
            **({"scope": spec["scope"]} if spec.get("scope") is not None else {}),
        }
    return out


def export_automation(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported | None:
    spec = ctx.inventory.normalized(obj, kind)
    target = obj.raw.get("target") or {}
    if spec.get("target_type") != "new_session" or not target.get("agent_id"):
        return None
    agent = ctx.reference("Agent", str(target["agent_id"]))
    template = _template(target.get("environment") or {"type": "none"}, ctx)
    vaults = [ctx.reference("Vault", str(vault)) for vault in target.get("vault_ids") or []]
    messages = _input(spec["input"])
    if agent is None or template is False or None in vaults or messages is None:
        return None
    exported = _named("Automation", obj, ctx, "automations")
    document = exported.document
    if spec["type"] == "periodic":
        document["schedule"] = {"cron": spec["expression"], "timezone": spec["timezone"]}
    else:
        moment = datetime.fromtimestamp(int(spec["run_at"]), UTC)
        document["run_at"] = moment.isoformat().replace("+00:00", "Z")
    document["agent"] = agent
    if template is not None:
        document["environment_template"] = template
    if vaults:
        document["vaults"] = vaults
    document["input"] = messages
    if spec["metadata"]:
        document["metadata"] = spec["metadata"]
    if spec["paused"]:
        document["paused"] = True
    return exported


def _template(environment: dict[str, Any], ctx: ExportContext) -> str | bool | None:
    """The EnvironmentTemplate a target's environment names (None: no environment; False: one a manifest cannot
    give, with overrides, or a template that cannot be named)."""
    if environment.get("type") == "none":
        return None
    rest = prune({k: v for k, v in environment.items() if k not in ("type", "environment_template_id")})
    template_id = environment.get("environment_template_id")
    if environment.get("type") != "openai_hosted" or rest or not template_id:
        return False
    return ctx.reference("EnvironmentTemplate", str(template_id)) or False


def _input(messages: list[dict[str, Any]]) -> str | list[dict[str, Any]] | None:
    """The input as a manifest gives it: a text for a single text message, else the messages (None when one is not
    a user message of text and image parts)."""
    if any(message.get("role") != "user" or not message.get("content") for message in messages) or not messages:
        return None
    parts = [part for message in messages for part in message["content"]]
    if any(part.get("type") not in ("input_text", "input_image") for part in parts):
        return None
    if (
        len(messages) == 1
        and len(parts) == 1
        and parts[0]["type"] == "input_text"
        and set(parts[0]) == {"type", "text"}
    ):
        return str(parts[0]["text"])
    return [{"content": message["content"]} for message in messages]


def export_skill(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported | None:
    from assistplan.kinds.skills import BUNDLE

    spec = ctx.inventory.normalized(obj, kind)
    data = obj.extra.get(BUNDLE)
    files = _bundle_files(data) if isinstance(data, bytes) else None
    if files is None:
        return None
    name = ctx.name(obj)
    exported = Exported({"kind": "Skill", "name": name}, f"skills/{name}.yaml")
    folder = f"skills/{name}"
    for path, text in sorted(files.items()):
        exported.files[ctx.path(f"{folder}/{path}")] = text
    exported.document["path"] = relative(exported.path, folder)
    exported.comments.append(SKILL_MARKED)
    hidden = sorted(path for path in files if any(part.startswith(".") for part in path.split("/")))
    if hidden:
        exported.comments.append(
            f"The skill holds {', '.join(hidden)}, which a skill folder leaves out (names starting with a dot): "
            "the next apply uploads a version without them."
        )
    if spec["default"] != "latest":
        exported.document["promote"] = False
        exported.comments.append(
            f"The folder holds the newest version ({obj.raw.get('latest_version')}); the default version is "
            f"{spec['default']}, and promote: false leaves it there."
        )
    return exported


def _bundle_files(data: bytes) -> dict[str, str] | None:
    """A downloaded bundle's files by path inside its top folder, without assistplan's marker; None when it is not
    a zip of UTF-8 text files."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = {info.filename: archive.read(info) for info in archive.infolist() if not info.is_dir()}
        files = {path.partition("/")[2]: body.decode("utf-8") for path, body in entries.items()}
    except (zipfile.BadZipFile, UnicodeDecodeError, ValueError):
        return None
    files.pop(MARKER, None)
    if "" in files or any(".." in path.split("/") for path in files):
        return None
    return files


def export_environment_template(kind: Kind, obj: LiveObject, ctx: ExportContext) -> Exported | None:
    spec = ctx.inventory.normalized(obj, kind)
    raw = obj.raw
    name = ctx.name(obj)
    exported = Exported({"kind": "EnvironmentTemplate", "name": name}, f"environment-templates/{name}.yaml")
    document = exported.document
    packages = {key: value for key, value in spec["packages"].items() if value}
    if packages:
        document["packages"] = packages
    network = {key: value for key, value in spec["network"].items() if value}
    if network.get("access") is None:
        ctx.leave_out(obj, "the API's answer does not say its network access")
        return None
    document["network"] = network
    files = [_template_file(entry, ctx) for entry in raw.get("files") or []]
    skills = [_template_skill(entry, ctx) for entry in raw.get("skills") or []]
    if None in files:
        entries = raw.get("files") or []
        unnamed = [str(entry.get("path")) for entry, named in zip(entries, files, strict=True) if named is None]
        ctx.leave_out(obj, f"no File manifest can name its file {', '.join(unnamed)} (an inline source or an upload)")
        return None
    if None in skills:
        ctx.leave_out(obj, "a skill it names is gone, inline, or another project's")
        return None
    if files:
        document["files"] = files
    if skills:
        document["skills"] = skills
    if spec["desktop"]["enabled"]:
        document["desktop"] = {"enabled": True}
    if spec["capability_directories"]:
        document["capability_directories"] = spec["capability_directories"]
    exported.comments.append(TEMPLATE_UNREAD)
    return exported


def _template_file(entry: dict[str, Any], ctx: ExportContext) -> dict[str, Any] | None:
    if entry.get("type") != "file_id":
        return None
    name = ctx.reference("File", str(entry.get("file_id")))
    return {"file": name, "path": entry.get("path")} if name is not None else None


def _template_skill(entry: dict[str, Any], ctx: ExportContext) -> dict[str, Any] | None:
    if entry.get("type") != "skill_reference":
        return None
    name = ctx.reference("Skill", str(entry.get("skill_id")))
    if name is None:
        return None
    out: dict[str, Any] = {"skill": name}
    version = entry.get("version")
    if version is not None:
        out["version"] = int(version) if str(version).isdigit() else version
    return out
