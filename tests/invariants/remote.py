"""What is on the server, read over plain HTTP (no SDK models, so every profile's responses read the same).

`Inventory` lists every file, vector store, assistant and agent, and on the Agents platform every environment template,
automation, vault with its credentials, and skill with its versions (the marker of its newest bundle read); routes a
profile does not serve (404) are skipped. It answers the invariants' questions: which objects belong to a project
(its labels, its file-name prefix, its template-name mark, its skill marker), which of them are duplicates (two
objects for one address, two files with one name), which are orphans (no address claims them), which skills keep more
versions than their manifest allows, and the exact bytes of any object, for "nothing not ours was touched".
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import httpx

PROJECT_KEY = "assistplan:project"
ADDRESS_KEY = "assistplan:address"
BETA = {
    "assistants": "assistants=v2",
    "vector_stores": "assistants=v2",
    "agents": "agents=v1",
    "vaults": "agents=v1",
    "files": None,
    "skills": None,
}
"""The `OpenAI-Beta` header of each path's first segment."""
TEMPLATES = "agents/environments/templates"
AUTOMATIONS = "agents/automations"
KIND_OF_COLLECTION = {
    "assistants": "Assistant",
    "agents": "Agent",
    "vector_stores": "VectorStore",
    "vaults": "Vault",
    TEMPLATES: "EnvironmentTemplate",
    AUTOMATIONS: "Automation",
    "skills": "Skill",
}
LISTED = ("files", "vector_stores", "assistants", "agents", TEMPLATES, AUTOMATIONS, "vaults", "skills")
TEMPLATE_MARK = "assistplan"
SKILL_MARKER = ".assistplan.json"
BLOB_SHA_CHARS = 32


def blob_name(project: str, content: str, path: str) -> str:
    """The remote filename the README documents for a project file: `ap.<project>.<sha256 prefix>.<path>`."""
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:BLOB_SHA_CHARS]
    return f"ap.{project}.{digest}.{quote(path, safe='')}"


def kind_of(collection: str) -> str:
    """The kind of a collection path (`vaults/<id>/credentials` holds VaultCredentials)."""
    return "VaultCredential" if collection.endswith("/credentials") else KIND_OF_COLLECTION[collection]


def template_identity(name: Any) -> dict[str, str]:
    """The project and address an environment template's name carries (`assistplan:<project>:EnvironmentTemplate/x`),
    as labels; none for any other name."""
    parts = name.split(":", 2) if isinstance(name, str) else []
    if len(parts) != 3 or parts[0] != TEMPLATE_MARK or not parts[2].startswith("EnvironmentTemplate/"):
        return {}
    return {PROJECT_KEY: parts[1], ADDRESS_KEY: parts[2]}


def skill_marker(bundle: bytes) -> dict[str, str]:
    """The project and address of a skill bundle's marker file, as labels; none without a marker."""
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        for info in archive.infolist():
            if info.filename.rpartition("/")[2] == SKILL_MARKER:
                marker = json.loads(archive.read(info))
                return {PROJECT_KEY: marker.get("project"), ADDRESS_KEY: marker.get("address")}
    return {}


@dataclass(frozen=True)
class RemoteObject:
    collection: str
    id: str
    body: dict[str, Any]
    identity: dict[str, str] | None = None
    """The project and address of an object without metadata (a template's name mark, a skill's marker)."""
    versions: list[str] = field(default_factory=list)
    """A skill's version numbers."""

    @property
    def labels(self) -> dict[str, str]:
        """Its project and address; an automation an agent created is nobody's project's (it is the agent's)."""
        if (self.body.get("created_by") or {}).get("type") == "agent":
            return {}
        if self.identity is not None:
            return self.identity
        return self.body.get("metadata") or {}

    @property
    def filename(self) -> str:
        return str(self.body.get("filename", ""))

    def stamped(self, project: str) -> bool:
        return self.labels.get(PROJECT_KEY) == project

    def named_for(self, project: str) -> bool:
        return self.collection == "files" and self.filename.startswith(f"ap.{project}.")

    def belongs_to(self, project: str) -> bool:
        return self.stamped(project) or self.named_for(project)

    def claim(self) -> str:
        """What identifies the object within its project: `Kind/name` from its label, or a file's name."""
        if self.collection == "files":
            return self.filename
        return self.labels.get(ADDRESS_KEY, f"{kind_of(self.collection)}?{self.id}")


class Remote:
    """A plain HTTP client of the sandbox's OpenAI routes."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=10.0)

    def close(self) -> None:
        self.http.close()

    def _headers(self, collection: str) -> dict[str, str]:
        beta = BETA[collection.partition("/")[0]]
        return {"OpenAI-Beta": beta} if beta else {}

    def list(self, collection: str) -> list[dict[str, Any]] | None:
        """Every object of the collection, all pages; None when the server does not serve it."""
        items: list[dict[str, Any]] = []
        params: dict[str, Any] = {"limit": 100}
        while True:
            response = self.http.get(f"/{collection}", params=params, headers=self._headers(collection))
            if response.status_code == 404 and not items:
                return None
            response.raise_for_status()
            page = response.json()
            items += page["data"]
            if not page.get("has_more") or not page["data"]:
                return items
            params["after"] = page["data"][-1]["id"]

    def raw(self, collection: str, object_id: str) -> bytes:
        """The object exactly as the server answers a GET (status and body), with a file's content or a vector
        store's attached files after it; an object that is gone reads as its 404."""
        response = self.http.get(f"/{collection}/{object_id}", headers=self._headers(collection))
        raw = f"{response.status_code}\n".encode() + response.content
        if response.status_code != 200:
            return raw
        if collection == "files":
            raw += b"\n--content--\n" + self.http.get(f"/files/{object_id}/content").content
        elif collection == "vector_stores":
            attached = self.http.get(
                f"/vector_stores/{object_id}/files", params={"limit": 100}, headers=self._headers(collection)
            )
            raw += b"\n--files--\n" + attached.content
        elif collection == "skills":
            raw += b"\n--versions--\n" + self.http.get(f"/skills/{object_id}/versions", params={"limit": 100}).content
        return raw

    def create(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"/{collection}", json=body, headers=self._headers(collection))
        response.raise_for_status()
        return response.json()

    def upload(self, filename: str, content: bytes, purpose: str = "assistants") -> dict[str, Any]:
        response = self.http.post("/files", files={"file": (filename, content)}, data={"purpose": purpose})
        response.raise_for_status()
        return response.json()

    def skill(self, body: dict[str, Any]) -> RemoteObject:
        """A skill with its versions and the marker of its newest bundle."""
        versions = [str(item["version"]) for item in self.list(f"skills/{body['id']}/versions") or []]
        bundle = self.http.get(f"/skills/{body['id']}/versions/{body['latest_version']}/content")
        bundle.raise_for_status()
        return RemoteObject("skills", body["id"], body, skill_marker(bundle.content), versions)

    def inventory(self) -> Inventory:
        objects: list[RemoteObject] = []
        for collection in LISTED:
            for body in self.list(collection) or []:
                if collection == "skills":
                    objects.append(self.skill(body))
                    continue
                identity = template_identity(body.get("name")) if collection == TEMPLATES else None
                objects.append(RemoteObject(collection, body["id"], body, identity))
                if collection == "vaults":
                    credentials = f"vaults/{body['id']}/credentials"
                    objects += [RemoteObject(credentials, item["id"], item) for item in self.list(credentials) or []]
        return Inventory(objects)


@dataclass(frozen=True)
class Inventory:
    objects: list[RemoteObject]

    def of(self, project: str) -> list[RemoteObject]:
        """The objects stamped with the project's label or named with its file prefix."""
        return [obj for obj in self.objects if obj.belongs_to(project)]

    def duplicates(self, project: str) -> dict[str, int]:
        """Claims (address labels, file names) that more than one object of the project makes, with their counts."""
        counts = Counter(obj.claim() for obj in self.of(project))
        return {claim: count for claim, count in counts.items() if count > 1}

    def orphans(self, project: str, claims: set[str]) -> list[str]:
        """Objects of the project that no expected claim (address or blob name) covers, as `claim (id)`."""
        return sorted(f"{obj.claim()} ({obj.id})" for obj in self.of(project) if obj.claim() not in claims)

    def missing(self, project: str, claims: set[str]) -> set[str]:
        """Expected claims no object of the project makes."""
        return claims - {obj.claim() for obj in self.of(project)}

    def surplus_versions(self, project: str, keep: dict[str, int]) -> dict[str, list[str]]:
        """Skills of the project (by address) holding more versions than their manifest's `keep_versions` (the
        default version is kept beyond that when it is older), with their versions."""
        surplus: dict[str, list[str]] = {}
        for obj in self.of(project):
            limit = keep.get(obj.claim())
            if obj.collection != "skills" or limit is None:
                continue
            newest = sorted(obj.versions, key=int, reverse=True)[:limit]
            allowed = len(newest) + (str(obj.body.get("default_version")) not in newest)
            if len(obj.versions) > allowed:
                surplus[obj.claim()] = obj.versions
        return surplus
