"""The result of loading a manifest root: the project's config and its resolved resources, as frozen data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from assistplan.addrs import Address
from assistplan.diagnostics import Diagnostics, SourceRange
from assistplan.manifest.environments import identity, siblings
from assistplan.manifest.models import FunctionSpec, KindSpec, ProjectConfig


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
    spec: KindSpec
    source: SourceRange
    """Where the manifest document starts."""
    depends_on: tuple[Address, ...]
    files: tuple[LocalFile, ...] = ()
    """File.path; VectorStore.files expanded (sorted, deduplicated); Assistant code_interpreter.files expanded."""
    referred: Mapping[Address, Resource] = field(default_factory=dict, compare=False, repr=False)
    """The resolved resources this one refers to (those of `depends_on` that the manifests declare): what its kind
    embeds of them (a Function's definition in a tool) comes from here, not from the whole project."""

    def functions(self) -> dict[str, dict[str, Any]]:
        """The Functions this resource refers to, by manifest name, as the tools naming them embed them
        (`FunctionSpec.definition`)."""
        return {
            address.name: spec.definition(address.name)
            for address, resource in self.referred.items()
            if isinstance(spec := resource.spec, FunctionSpec)
        }


@dataclass(frozen=True)
class Project:
    root: Path
    """Absolute manifest root."""
    config: ProjectConfig
    resources: dict[Address, Resource]
    """Ordered by (kind order in the catalog, name)."""
    warnings: Diagnostics = field(default_factory=Diagnostics, compare=False)
    """What the manifests say that is valid but probably not meant (with the source lines they may be shown with)."""
    environment: str | None = None
    """The environment of assistplan.yaml in use (None: the project declares none)."""

    @property
    def identity(self) -> str:
        """What this project's remote objects are stamped with: `<project>`, or `<project>@<environment>` (see
        `assistplan.manifest.environments.identity`)."""
        return identity(self.config, self.environment)

    @property
    def siblings(self) -> frozenset[str]:
        """The identities of this project's other environments (see `assistplan.manifest.environments.siblings`)."""
        return siblings(self.config, self.environment)

    def of_kind(self, kind: str) -> list[Resource]:
        return [resource for address, resource in self.resources.items() if address.kind == kind]

    @cached_property
    def functions(self) -> dict[str, dict[str, Any]]:
        """Every Function of the manifests, by name, as a tool embeds it (`FunctionSpec.definition`): for `export`,
        which names the Functions the live tools match."""
        return {
            address.name: spec.definition(address.name)
            for address, resource in self.resources.items()
            if isinstance(spec := resource.spec, FunctionSpec)
        }
