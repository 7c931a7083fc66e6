"""The result of loading a manifest root: the project's config and its resolved resources, as frozen data."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistplan.addrs import Address
from assistplan.diagnostics import SourceRange
from assistplan.manifest.models import ProjectConfig, ResourceSpec


@dataclass(frozen=True)
class LocalFile:
    """A file on disk named by a manifest (a path, or one match of a glob)."""

    path: str
    """Posix path relative to the manifest root."""
    abspath: Path
    sha256: str
    size: int


@dataclass(frozen=True)
class Resource:
    address: Address
    spec: ResourceSpec
    source: SourceRange
    """Where the manifest document starts."""
    depends_on: tuple[Address, ...]
    files: tuple[LocalFile, ...] = ()
    """File.path; VectorStore.files expanded (sorted, deduplicated); Assistant code_interpreter.files expanded."""


@dataclass(frozen=True)
class Project:
    root: Path
    """Absolute manifest root."""
    config: ProjectConfig
    resources: dict[Address, Resource]
    """Ordered by (kind order in addrs.KINDS, name)."""

    def of_kind(self, kind: str) -> list[Resource]:
        return [resource for address, resource in self.resources.items() if address.kind == kind]
