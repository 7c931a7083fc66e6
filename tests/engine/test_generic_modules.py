"""The generic layers (the workflow, the planner, the refresh, the applier, the state, the renderers) name no kind and
no provider, and import no kind's module and no provider's: a kind is one module, found through the catalog."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import assistplan
from assistplan import catalog

PACKAGE = Path(assistplan.__file__).parent
GENERIC = ("workflow.py", "batch.py", "projects.py", "forked.py", "plan", "apply", "state", "render")
PROVIDERS = ("openai", "flowise")
DISPLAY_WORDS = {("render/mdfields.py", "File")}
"""Words shown to the reader that happen to be a kind's name: the column of a vector store's files."""


def generic_modules() -> Iterator[Path]:
    for name in GENERIC:
        path = PACKAGE / name
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def module_id(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@pytest.mark.parametrize("path", list(generic_modules()), ids=module_id)
def test_a_generic_module_spells_no_kind_and_no_provider(path: Path) -> None:
    names = set(catalog.names()) | set(PROVIDERS)
    tree = ast.parse(path.read_text(encoding="utf-8"))

    spelled = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in names
    }

    assert {word for word in spelled if (module_id(path), word) not in DISPLAY_WORDS} == set()


@pytest.mark.parametrize("path", list(generic_modules()), ids=module_id)
def test_a_generic_module_imports_no_kind_and_no_provider(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported |= {node.module} | {f"{node.module}.{alias.name}" for alias in node.names}

    specific = {name for name in imported if specific_module(name)}
    assert specific == set()


def specific_module(name: str) -> bool:
    """A kind's module (any of `kinds/` but `base`) or a provider's (`providers/openai.py`, `providers/flowise.py`)."""
    parts = name.split(".")
    if parts[:2] == ["assistplan", "kinds"] and len(parts) > 2:
        return parts[2] != "base" and (PACKAGE / "kinds" / f"{parts[2]}.py").exists()
    return parts[:2] == ["assistplan", "providers"] and len(parts) > 2 and parts[2] in PROVIDERS
