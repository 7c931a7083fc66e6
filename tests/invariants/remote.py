"""What is on the server, read over plain HTTP (no SDK models, so every profile's responses read the same).

`Inventory` lists every assistant, agent, vector store and file; routes a profile does not serve (404) are skipped.
It answers the invariants' questions: which objects carry a project's label or file-name prefix, which of them are
duplicates (two objects for one address, two files with one name), which are orphans (no address claims them), and
the exact bytes of any object, for "nothing not ours was touched".
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import httpx

PROJECT_KEY = "assistplan:project"
ADDRESS_KEY = "assistplan:address"
BETA = {"assistants": "assistants=v2", "vector_stores": "assistants=v2", "agents": "agents=v1", "files": None}
KIND_OF_COLLECTION = {"assistants": "Assistant", "agents": "Agent", "vector_stores": "VectorStore"}
BLOB_SHA_CHARS = 32


def blob_name(project: str, content: str, path: str) -> str:
    """The remote filename the README documents for a project file: `ap.<project>.<sha256 prefix>.<path>`."""
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()[:BLOB_SHA_CHARS]
    return f"ap.{project}.{digest}.{quote(path, safe='')}"


@dataclass(frozen=True)
class RemoteObject:
    collection: str
    id: str
    body: dict[str, Any]

    @property
    def labels(self) -> dict[str, str]:
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
        return self.labels.get(ADDRESS_KEY, f"{KIND_OF_COLLECTION[self.collection]}?{self.id}")


class Remote:
    """A plain HTTP client of the sandbox's OpenAI routes."""

    def __init__(self, base_url: str, api_key: str) -> None:
        self.http = httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {api_key}"}, timeout=10.0)

    def close(self) -> None:
        self.http.close()

    def _headers(self, collection: str) -> dict[str, str]:
        beta = BETA[collection]
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
        return raw

    def create(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.http.post(f"/{collection}", json=body, headers=self._headers(collection))
        response.raise_for_status()
        return response.json()

    def upload(self, filename: str, content: bytes, purpose: str = "assistants") -> dict[str, Any]:
        response = self.http.post("/files", files={"file": (filename, content)}, data={"purpose": purpose})
        response.raise_for_status()
        return response.json()

    def inventory(self) -> Inventory:
        objects: list[RemoteObject] = []
        for collection in ("files", "vector_stores", "assistants", "agents"):
            for body in self.list(collection) or []:
                objects.append(RemoteObject(collection, body["id"], body))
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
