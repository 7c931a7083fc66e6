"""`assistplan init`: the example manifest root shipped in the package (assistplan/scaffold), ready to copy."""

from __future__ import annotations

import re
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

DEFAULT_PROJECT = "my-assistants"


def project_name(target: Path) -> str:
    """A project name ([a-z0-9-]{1,40}) from the folder, or from its parent when the folder is `assistants`."""
    resolved = target.resolve()
    folder = resolved.parent if resolved.name == "assistants" and resolved.parent != resolved else resolved
    slug = re.sub(r"[^a-z0-9]+", "-", folder.name.lower()).strip("-")[:40].strip("-")
    return slug or DEFAULT_PROJECT


def _walk(node: Traversable, prefix: PurePosixPath) -> list[tuple[PurePosixPath, bytes]]:
    entries: list[tuple[PurePosixPath, bytes]] = []
    for child in sorted(node.iterdir(), key=lambda item: item.name):
        if child.name.startswith((".", "__")):
            continue
        if child.is_dir():
            entries.extend(_walk(child, prefix / child.name))
        else:
            entries.append((prefix / child.name, child.read_bytes()))
    return entries


def scaffold_files(target: Path) -> list[tuple[Path, bytes]]:
    """Every file `init` writes under `target`, with its content (the project named after the folder)."""
    project = project_name(target)
    out: list[tuple[Path, bytes]] = []
    for relative, content in _walk(files("assistplan").joinpath("scaffold"), PurePosixPath()):
        if relative == PurePosixPath("assistplan.yaml"):
            content = re.sub(rb"(?m)^project: .*$", f"project: {project}".encode(), content, count=1)
        out.append((target.joinpath(*relative.parts), content))
    return out
