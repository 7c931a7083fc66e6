"""Helpers for manifest tests: write a project into a temporary folder and load it."""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

from assistplan.errors import ManifestError
from assistplan.manifest import Project, load_project

BASE_CONFIG = "project: test\n"
FLOWISE_CONFIG = "project: test\nflowise: {url: http://127.0.0.1:3000}\n"


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")


def error_lines(error: ManifestError) -> list[str]:
    """`file:line:col: message` for every diagnostic, in report order."""
    lines = []
    for diagnostic in error.diagnostics.sorted():
        where = diagnostic.range
        location = f"{where.start.file}:{where.start.line}:{where.start.col}: " if where else ""
        lines.append(f"{location}{diagnostic.summary}")
    return lines


Loader = Callable[..., Project]
Failing = Callable[..., list[str]]


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty manifest root, also the working directory, so diagnostics name files relative to it."""
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def load(project_dir: Path) -> Loader:
    """Write files (assistplan.yaml defaults to `project: test`) and load the project."""

    def run(files: Mapping[str, str | bytes], **options: Any) -> Project:
        write_tree(project_dir, {"assistplan.yaml": BASE_CONFIG, **files})
        options.setdefault("environ", {})
        return load_project(project_dir, **options)

    return run


@pytest.fixture
def failing(load: Loader) -> Failing:
    """Like `load`, but the project must be invalid: returns its error lines."""

    def run(files: Mapping[str, str | bytes], **options: Any) -> list[str]:
        with pytest.raises(ManifestError) as caught:
            load(files, **options)
        return error_lines(caught.value)

    return run
