"""The manifest roots under a folder (the `projects` command): which there are, and which a git change touches.

A manifest root is a folder holding `assistplan.yaml`; a root inside another root is a project of its own, and its
files belong to it alone. Everything a plan reads (manifests, `*_file` fields, globs, local files) must lie inside
its root (the loader refuses anything else), so a change touches a project exactly when it changes a file under its
root outside any nested root, or a variable file the project is planned with. Hidden folders (`.git`,
`.assistplan`, ...) hold no roots.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from assistplan.errors import AssistplanError
from assistplan.manifest.fields import PROJECT_PATTERN

CONFIG_FILE = "assistplan.yaml"


class ProjectsError(AssistplanError):
    """The roots cannot be listed: an unreadable assistplan.yaml, two roots of one project, a failed git call, or an
    environment no root declares."""


@dataclass(frozen=True)
class Root:
    """One manifest root: its folder (resolved), the project it names and the environments it declares."""

    path: Path
    project: str
    environments: tuple[str, ...] = ()


def project_name(root: Path) -> str:
    """The `project` of ROOT/assistplan.yaml, read without the manifests (which may be what fails to load)."""
    config = root / CONFIG_FILE
    data = _config(config)
    project = data.get("project")
    if not isinstance(project, str) or not re.match(PROJECT_PATTERN, project):
        raise ProjectsError(f"{config} names no valid project (a literal `project:` of lowercase letters, digits, -)")
    return project


def find_roots(base: Path, *, max_depth: int | None = None) -> list[Root]:
    """Every manifest root at or below `base` (at most `max_depth` folders down), sorted by path; links to folders
    are not followed. Two roots naming one project are refused: their comments and objects would collide."""
    try:
        base = base.resolve(strict=True)
    except (OSError, RuntimeError) as error:  # missing, a loop of links, a name too long
        reason = (error.strerror if isinstance(error, OSError) else None) or str(error)
        raise ProjectsError(f"{base} cannot be used: {reason}") from None
    if not base.is_dir():
        raise ProjectsError(f"{base} is not a folder")
    roots: list[Root] = []
    for directory, folders, files in os.walk(base):
        here = Path(directory)
        depth = len(here.relative_to(base).parts)
        folders[:] = sorted(
            name
            for name in folders
            if not name.startswith(".") and not (here / name).is_symlink() and (max_depth is None or depth < max_depth)
        )
        if CONFIG_FILE in files:
            roots.append(Root(here, project_name(here), _environments(here / CONFIG_FILE)))
    roots.sort(key=lambda root: root.path.parts)
    _refuse_shared_projects(roots)
    return roots


def changed_files(base: Path, ref: str) -> set[Path]:
    """The files a change touches since the history of HEAD left REF (their merge base), as resolved paths: files
    committed since, changed in the working tree or the index, and untracked files git does not ignore."""
    top = Path(_git(base, "rev-parse", "--show-toplevel").strip()).resolve()
    _git(top, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", what=f"REF {ref!r}")
    since = _git(top, "merge-base", "--end-of-options", ref, "HEAD", what=f"the common history of {ref!r} and HEAD")
    names = _git(top, "diff", "--name-only", "--no-renames", "-z", since.strip(), "--")
    names += _git(top, "ls-files", "--others", "--exclude-standard", "-z")
    return {top / name for name in names.split("\0") if name}


def touched(roots: Sequence[Root], changed: Iterable[Path], var_files: Iterable[Path] = ()) -> list[Root]:
    """The roots a change of the `changed` files touches: every root when a variable file changed, else those
    holding a changed file outside their nested roots."""
    changed = set(changed)
    if changed & {Path(path).resolve() for path in var_files}:
        return list(roots)
    owners = {_owner(path, roots) for path in changed}
    return [root for root in roots if root.path in owners]


def in_environment(roots: Sequence[Root], environment: str) -> tuple[list[Root], list[Root]]:
    """The roots that declare `environment`, each with only that environment, and the roots left out (they do not
    declare it); an error, with the closest declared name, when no root declares it."""
    from assistplan.diagnostics import did_you_mean

    chosen = [Root(root.path, root.project, (environment,)) for root in roots if environment in root.environments]
    skipped = [root for root in roots if environment not in root.environments]
    if roots and not chosen:
        declared = sorted({name for root in roots for name in root.environments})
        listed = f"; the environments declared: {', '.join(declared)}" if declared else "; none declares environments"
        raise ProjectsError(
            f'no project declares the environment "{environment}" (--env or ASSISTPLAN_ENV)'
            f"{did_you_mean(environment, declared)}{listed}"
        )
    return chosen, skipped


def matrix(roots: Sequence[Root], cwd: Path) -> dict[str, list[dict[str, Any]]]:
    """The roots as a GitHub Actions matrix: one entry per project and environment (`null` without environments),
    every `dir` relative to `cwd` when all the roots are inside it, else every one absolute (never a mix)."""
    cwd = cwd.resolve()
    inside = all(root.path.is_relative_to(cwd) for root in roots)
    include: list[dict[str, Any]] = []
    for root in roots:
        folder = root.path.relative_to(cwd).as_posix() if inside else root.path.as_posix()
        for environment in root.environments or (None,):
            include.append({"dir": folder, "project": root.project, "environment": environment})
    return {"include": include}


def _owner(path: Path, roots: Sequence[Root]) -> Path | None:
    """The innermost root holding `path`."""
    holders = [root.path for root in roots if path.is_relative_to(root.path)]
    return max(holders, key=lambda folder: len(folder.parts), default=None)


def _config(config: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(config.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise ProjectsError(f"cannot read the project name from {config}: {error}") from None
    return data if isinstance(data, dict) else {}


def _environments(config: Path) -> tuple[str, ...]:
    """The names under `environments:` of an assistplan.yaml, in the order written (none when it declares none)."""
    declared = _config(config).get("environments")
    return tuple(str(name) for name in declared) if isinstance(declared, dict) else ()


def _refuse_shared_projects(roots: Sequence[Root]) -> None:
    seen: dict[str, Path] = {}
    for root in roots:
        first = seen.setdefault(root.project, root.path)
        if first != root.path:
            raise ProjectsError(
                f'{first} and {root.path} both name project "{root.project}": give each root its own project name'
            )


def _git(cwd: Path, *args: str, what: str | None = None) -> str:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False)
    except OSError as error:
        raise ProjectsError(f"cannot run git: {error}") from None
    if done.returncode != 0:
        if what is not None:
            raise ProjectsError(
                f"git cannot find {what} (a shallow clone? check out with fetch-depth: 0): "
                f"{done.stderr.strip() or 'no such commit'}"
            )
        raise ProjectsError(f"git {args[0]} failed in {cwd}: {done.stderr.strip()}")
    return done.stdout
