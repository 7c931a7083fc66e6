"""The manifest layer: load a manifest root into a validated, resolved Project. Pure: no network."""

from assistplan.manifest.loader import load_project
from assistplan.manifest.models import RESERVED_METADATA_KEYS, KindSpec, ProjectConfig
from assistplan.manifest.project import LocalFile, Project, Resource

__all__ = [
    "RESERVED_METADATA_KEYS",
    "KindSpec",
    "LocalFile",
    "Project",
    "ProjectConfig",
    "Resource",
    "load_project",
]
