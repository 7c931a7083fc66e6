"""Model of the Skill kind: a folder of the repository uploaded as an OpenAI skill, and the rules its SKILL.md follows.

The folder is named relative to the manifest and never leaves the manifest root (no symbolic links either); every
file below it is part of the skill except names starting with a dot. It needs exactly one `SKILL.md` (or `skill.md`)
at its top, starting with YAML front matter whose `name` the API accepts (lowercase letters, digits and hyphens, at
most 64) and a non-empty `description`; it holds at most 499 files, because every upload adds assistplan's marker
file (`MARKER`) to the 500 the API takes. These are checked at validate, so the API never refuses the upload. Empty
files (an empty `__init__.py`) are part of the skill: a bundle takes them, unlike the Files API.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePosixPath
from posixpath import normpath
from typing import TYPE_CHECKING, Annotated, Any, Literal

import yaml
from pydantic import Field

from assistplan.manifest.fields import KindSpec
from assistplan.manifest.globs import has_magic

if TYPE_CHECKING:
    from assistplan.manifest.project import LocalFile
    from assistplan.manifest.resolution import Resolution

SKILL_NAME = re.compile(r"^[a-z0-9-]{1,64}$")
MAX_BUNDLE_FILES = 500
"""Files the API takes in one skill upload."""
MARKER = ".assistplan.json"
"""The file assistplan adds to every bundle it uploads: the project, the address and the digests."""
MAX_SKILL_FILES = MAX_BUNDLE_FILES - 1
SKILL_FILES = ("SKILL.md", "skill.md")


class SkillSpec(KindSpec):
    """A skill uploaded from a folder of this repository; each change of its files is a new immutable version."""

    kind: Literal["Skill"]
    path: Annotated[str, Field(min_length=1)]
    """The skill's folder, relative to this manifest, with SKILL.md at its top. Every file below it is uploaded,
    except names starting with a dot."""
    promote: bool = True
    """Whether a new version becomes the skill's default version when it is uploaded; false uploads it and leaves the
    default where it is (move it yourself, for example in the dashboard)."""
    keep_versions: Annotated[int, Field(ge=1)] | None = None
    """How many of the newest versions to keep: older ones are deleted, except the default version. Unset keeps
    every version."""

    def resolve(self, resolution: Resolution) -> None:
        if has_magic(self.path):
            resolution.error(("path",), "a Skill names one folder, not a pattern")
            return
        files = resolution.files(f"{normpath(self.path)}/**", ("path",), MAX_SKILL_FILES, allow_empty=True)
        if not files:
            return
        folder = skill_folder(files)
        tail = [part for part in PurePosixPath(normpath(self.path)).parts if part not in ("..", ".")]
        top = [file for file in files if file.path in {join(folder, name) for name in SKILL_FILES}]
        if len(top) != 1 or (tail and PurePosixPath(folder).parts[-len(tail) :] != tuple(tail)):
            problem = "has both SKILL.md and skill.md" if len(top) > 1 else "has no SKILL.md at its top"
            resolution.error(("path",), f'the skill folder "{self.path}" {problem}')
            return
        name = PurePosixPath(top[0].path).name
        text = resolution.text_file(("path",), f"{normpath(self.path)}/{name}")
        if text is None:
            return
        found = skill_front_matter(text)
        if isinstance(found, str):
            resolution.error(("path",), f'"{self.path}/{name}": {found}')


def join(folder: str, name: str) -> str:
    return f"{folder}/{name}" if folder else name


def skill_folder(files: Sequence[LocalFile]) -> str:
    """The folder (relative to the manifest root) that holds a skill's files: their deepest common folder."""
    parents = [PurePosixPath(file.path).parent.parts for file in files]
    common: list[str] = []
    for parts in zip(*parents, strict=False):
        if len(set(parts)) != 1:
            break
        common.append(parts[0])
    return "/".join(common)


def inside(folder: str, path: str) -> str:
    """A root-relative path as a path inside the skill's folder."""
    return path[len(folder) + 1 :] if folder else path


def front_matter(text: str) -> dict[str, Any] | str:
    """The YAML front matter of a SKILL.md, or what is wrong with it."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return "must start with YAML front matter between '---' lines (name and description)"
    end = next((index for index, line in enumerate(lines[1:], 1) if line.strip() == "---"), None)
    if end is None:
        return "the front matter has no closing '---' line"
    try:
        found = yaml.safe_load("\n".join(lines[1:end]))
    except yaml.YAMLError:
        return "the front matter is not valid YAML"
    if not isinstance(found, dict):
        return "the front matter must be a mapping with name and description"
    return found


def skill_front_matter(text: str) -> tuple[str, str] | str:
    """The name and description a SKILL.md gives, or why the API would refuse it."""
    found = front_matter(text)
    if isinstance(found, str):
        return found
    name, description = found.get("name"), found.get("description")
    if not isinstance(name, str) or not SKILL_NAME.match(name):
        shown = "missing" if name is None else f'"{name}"'
        return f"the front matter name is {shown}: use lowercase letters, digits and hyphens, at most 64 characters"
    if not isinstance(description, str) or not description.strip():
        return "the front matter needs a non-empty description"
    return name, description
