"""`/skills` (no beta header): skills uploaded as a folder of files or a zip, with immutable numbered versions.

An upload is either multipart parts named `files[]` (or a single `files` part) whose filenames are paths inside one
top-level folder, or one zip holding a single top-level folder. The bundle has at most 500 files and exactly one
`SKILL.md` (or `skill.md`) at the top of its folder, starting with YAML front matter that gives `name` (lowercase
letters, digits and hyphens, at most 64) and `description`. Each upload is a version numbered "1", "2", ... (numbers
are never reused); a skill shows the `name` and `description` of its default version. The only update is
`default_version`. `…/content` answers the bundle as a zip.

Where the reference is silent the sandbox chooses: lists default to newest first (skills by creation, versions by
number); deleting a skill's default version is refused (400) so that a skill always has one; the zip answered holds
the files as uploaded, under their paths.
"""

from __future__ import annotations

import io
import re
import zipfile
from posixpath import normpath
from typing import Any

import yaml
from starlette.datastructures import UploadFile
from starlette.responses import Response

from assistplan.sandbox.errors import SandboxError, invalid, invalid_type, missing_parameter, not_found
from assistplan.sandbox.routing import Call, Route, delete, deleted, get, list_query, paginate, post, public
from assistplan.sandbox.store import new_id
from assistplan.sandbox.validate import only, string

KIND = "skill"
VERSION = "skill.version"
MAX_FILES = 500
NAME = re.compile(r"^[a-z0-9-]{1,64}$")
MANIFESTS = ("SKILL.md", "skill.md")
ZIP_TYPES = ("application/zip", "application/x-zip-compressed")

Bundle = list[tuple[str, bytes]]


def _bad_bundle(message: str) -> SandboxError:
    return invalid("files", message)


def _uploads(call: Call, allowed: frozenset[str]) -> list[UploadFile]:
    assert call.form is not None
    for name in call.form:
        if name not in allowed:
            raise SandboxError(400, f"Unknown parameter: '{name}'.", param=name, code="unknown_parameter")
    parts = [*call.form.getlist("files[]"), *call.form.getlist("files")]
    if not parts:
        raise missing_parameter("files")
    uploads: list[UploadFile] = []
    for part in parts:
        if not isinstance(part, UploadFile):
            raise invalid_type("files", "a file", part)
        uploads.append(part)
    return uploads


def _is_zip(upload: UploadFile) -> bool:
    return (upload.filename or "").lower().endswith(".zip") or (upload.content_type or "") in ZIP_TYPES


def _unzip(data: bytes) -> Bundle:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = [info for info in archive.infolist() if not info.is_dir()]
            if len(entries) > MAX_FILES:
                raise _bad_bundle(f"a skill holds at most {MAX_FILES} files, but the zip has {len(entries)}.")
            return [(info.filename, archive.read(info)) for info in entries]
    except zipfile.BadZipFile:
        raise _bad_bundle("the uploaded .zip is not a valid zip archive.") from None


def _bundle(uploads: list[UploadFile]) -> Bundle:
    if len(uploads) == 1 and _is_zip(uploads[0]):
        return _unzip(uploads[0].file.read())
    if len(uploads) > MAX_FILES:
        raise _bad_bundle(f"a skill holds at most {MAX_FILES} files, but {len(uploads)} were uploaded.")
    return [(upload.filename or "", upload.file.read()) for upload in uploads]


def _folder(bundle: Bundle) -> str:
    """The one top-level folder every path is inside; each path must be relative and plain."""
    folders: set[str] = set()
    seen: set[str] = set()
    for path, _ in bundle:
        top, _, rest = path.partition("/")
        if not top or not rest or normpath(path) != path or path.startswith("/") or ".." in path.split("/"):
            raise _bad_bundle(
                f"'{path}' is not a path inside a single top-level folder (for example 'my-skill/SKILL.md')."
            )
        if path in seen:
            raise _bad_bundle(f"the path '{path}' appears twice.")
        seen.add(path)
        folders.add(top)
    if len(folders) != 1:
        raise _bad_bundle(f"every file must be inside a single top-level folder, but found {len(folders)}.")
    return folders.pop()


def front_matter(text: str) -> dict[str, Any] | str:
    """The front matter of a SKILL.md as a mapping, or why it has none the API accepts."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return "SKILL.md must start with YAML front matter between '---' lines."
    end = next((index for index, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    if end is None:
        return "the front matter of SKILL.md has no closing '---' line."
    try:
        found = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return "the front matter of SKILL.md is not valid YAML."
    if not isinstance(found, dict):
        return "the front matter of SKILL.md must be a mapping with 'name' and 'description'."
    return found


def _manifest(bundle: Bundle, folder: str) -> tuple[str, str]:
    found = [data for path, data in bundle if path in {f"{folder}/{name}" for name in MANIFESTS}]
    if len(found) != 1:
        problem = "has none" if not found else "has both SKILL.md and skill.md"
        raise _bad_bundle(f"a skill needs exactly one SKILL.md at the top of its folder, and '{folder}' {problem}.")
    try:
        text = found[0].decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _bad_bundle("SKILL.md is not UTF-8 text.") from None
    matter = front_matter(text)
    if isinstance(matter, str):
        raise _bad_bundle(matter)
    name, description = matter.get("name"), matter.get("description")
    if not isinstance(name, str) or not NAME.match(name):
        raise _bad_bundle(
            f"the skill name {name!r} is not valid: use lowercase letters, digits and hyphens, at most 64 characters."
        )
    if not isinstance(description, str) or not description.strip():
        raise _bad_bundle("the front matter of SKILL.md needs a non-empty 'description'.")
    return name, description


def _zip(bundle: Bundle) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path, data in sorted(bundle):
            archive.writestr(zipfile.ZipInfo(path, (1980, 1, 1, 0, 0, 0)), data)
    return buffer.getvalue()


def _upload(call: Call, allowed: frozenset[str]) -> tuple[bytes, str, str]:
    """The uploaded bundle as a zip, with the name and description of its SKILL.md."""
    bundle = _bundle(_uploads(call, allowed))
    name, description = _manifest(bundle, _folder(bundle))
    return _zip(bundle), name, description


def _new_version(call: Call, skill: dict[str, Any], data: bytes, name: str, description: str) -> dict[str, Any]:
    number = str(skill["_next_version"])
    skill["_next_version"] += 1
    version = {
        "id": new_id("skillver_"),
        "object": "skill.version",
        "skill_id": skill["id"],
        "version": number,
        "name": name,
        "description": description,
        "created_at": call.timestamp,
    }
    call.store.put_blob(version["id"], data)
    call.store.put(VERSION, version, skill["id"])
    skill["latest_version"] = number
    return version


def _show(call: Call, skill: dict[str, Any]) -> dict[str, Any]:
    """Store the skill with the name and description of its default version."""
    default = _version(call, skill, skill["default_version"])
    skill["name"], skill["description"] = default["name"], default["description"]
    call.store.put(KIND, skill)
    return public(skill)


def create(call: Call) -> dict[str, Any]:
    data, name, description = _upload(call, frozenset({"files", "files[]"}))
    skill: dict[str, Any] = {
        "id": new_id("skill_"),
        "object": "skill",
        "created_at": call.timestamp,
        "name": name,
        "description": description,
        "default_version": "1",
        "latest_version": "1",
        "_next_version": 1,
    }
    with call.store.transaction():
        _new_version(call, skill, data, name, description)
        return _show(call, skill)


def _require(call: Call) -> dict[str, Any]:
    skill = call.store.get(KIND, call.params["skill_id"])
    if skill is None:
        raise not_found("skill", call.params["skill_id"])
    return skill


def _version(call: Call, skill: dict[str, Any], number: str) -> dict[str, Any]:
    for version in call.store.children(VERSION, skill["id"]):
        if version["version"] == number:
            return version
    raise SandboxError(404, f"No version '{number}' found for skill '{skill['id']}'.", param="version")


def retrieve(call: Call) -> dict[str, Any]:
    return public(_require(call))


def update(call: Call) -> dict[str, Any]:
    skill = _require(call)
    only(call.body, ("default_version",))
    number = string(call.body, "default_version", required=True, nullable=False)
    if not any(version["version"] == number for version in call.store.children(VERSION, skill["id"])):
        raise invalid("default_version", f"skill '{skill['id']}' has no version '{number}'.")
    skill["default_version"] = number
    return _show(call, skill)


def remove(call: Call) -> dict[str, Any]:
    skill = _require(call)
    with call.store.transaction():
        for version in call.store.children(VERSION, skill["id"]):
            call.store.delete_blob(version["id"])
        call.store.delete_children(VERSION, skill["id"])
        call.store.delete(KIND, skill["id"])
    return deleted(skill["id"], "skill.deleted")


def _zip_response(call: Call, version: dict[str, Any]) -> Response:
    return Response(call.store.get_blob(version["id"]) or b"", media_type="application/zip")


def content(call: Call) -> Response:
    skill = _require(call)
    return _zip_response(call, _version(call, skill, skill["default_version"]))


def create_version(call: Call) -> dict[str, Any]:
    skill = _require(call)
    assert call.form is not None
    raw_default = call.form.get("default")
    if raw_default is not None and raw_default not in ("true", "false"):
        raise invalid_type("default", "a boolean", raw_default if isinstance(raw_default, str) else {})
    data, name, description = _upload(call, frozenset({"files", "files[]", "default"}))
    with call.store.transaction():
        version = _new_version(call, skill, data, name, description)
        if raw_default == "true":
            skill["default_version"] = version["version"]
        _show(call, skill)
    return version


def list_versions(call: Call) -> dict[str, Any]:
    skill = _require(call)
    return paginate(call, VERSION, list_query(call, before=False), parent=skill["id"])


def retrieve_version(call: Call) -> dict[str, Any]:
    return _version(call, _require(call), call.params["version"])


def remove_version(call: Call) -> dict[str, Any]:
    skill = _require(call)
    version = _version(call, skill, call.params["version"])
    if version["version"] == skill["default_version"]:
        raise invalid(
            "version", f"version '{version['version']}' is the default version; set another default_version first."
        )
    with call.store.transaction():
        call.store.delete(VERSION, version["id"], skill["id"])
        call.store.delete_blob(version["id"])
        remaining = [int(item["version"]) for item in call.store.children(VERSION, skill["id"])]
        skill["latest_version"] = str(max(remaining))
        _show(call, skill)
    return {**deleted(version["id"], "skill.version.deleted"), "version": version["version"]}


def version_content(call: Call) -> Response:
    skill = _require(call)
    return _zip_response(call, _version(call, skill, call.params["version"]))


ROUTES = [
    Route("POST", "/skills", create, body="multipart"),
    get("/skills", lambda call: paginate(call, KIND, list_query(call, before=False))),
    get("/skills/{skill_id}", retrieve),
    post("/skills/{skill_id}", update),
    delete("/skills/{skill_id}", remove),
    get("/skills/{skill_id}/content", content),
    Route("POST", "/skills/{skill_id}/versions", create_version, body="multipart"),
    get("/skills/{skill_id}/versions", list_versions),
    get("/skills/{skill_id}/versions/{version}", retrieve_version),
    delete("/skills/{skill_id}/versions/{version}", remove_version),
    get("/skills/{skill_id}/versions/{version}/content", version_content),
]
