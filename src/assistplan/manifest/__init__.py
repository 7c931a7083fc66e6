"""The manifest layer: load a manifest root into a validated, resolved Project. Pure: no network."""

from assistplan.manifest.loader import load_project
from assistplan.manifest.models import RESERVED_METADATA_KEYS, ProjectConfig, ResourceSpec
from assistplan.manifest.project import LocalFile, Project, Resource

__all__ = [
    "RESERVED_METADATA_KEYS",
    "LocalFile",
    "Project",
    "ProjectConfig",
    "Resource",
    "ResourceSpec",
    "load_project",
]
