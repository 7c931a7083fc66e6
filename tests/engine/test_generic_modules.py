"""The generic layers (the workflow, the planner, the refresh, the applier, the state, the renderers, export) name no
kind and no provider, and import no kind's module and no provider's: a kind is one module, found through the catalog.
A name counts wherever a string spells it as a word (`"File"`, `f"File/{name}"`, `"a File"`), docstrings aside."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import assistplan
from assistplan import catalog

PACKAGE = Path(assistplan.__file__).parent
GENERIC = ("workflow.py", "batch.py", "projects.py", "forked.py", "plan", "apply", "state", "render", "export")
PROVIDERS = ("openai", "flowise")
DISPLAY_WORDS = {("render/mdfields.py", "File"), ("render/mdfields.py", "Function")}
"""Words shown to the reader that happen to be a kind's name: the column of a vector store's files, the heading of the
function schemas a change shows."""


def generic_modules() -> Iterator[Path]:
    for name in GENERIC:
        path = PACKAGE / name
        yield from sorted(path.rglob("*.py")) if path.is_dir() else [path]


def module_id(path: Path) -> str:
    return path.relative_to(PACKAGE).as_posix()


@pytest.mark.parametrize("path", list(generic_modules()), ids=module_id)
def test_a_generic_module_spells_no_kind_and_no_provider(path: Path) -> None:
    kinds = "|".join(map(re.escape, sorted(catalog.names(), key=len, reverse=True)))
    providers = "|".join(map(re.escape, PROVIDERS))
    word = re.compile(rf"(?<!\w)({kinds}|(?i:{providers}))(?!\w)")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    documentation = {id(node) for node in docstrings(tree)}

    spelled = {
        match.group(1)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in documentation
        for match in word.finditer(node.value)
    }

    assert {name for name in spelled if (module_id(path), name) not in DISPLAY_WORDS} == set()


def docstrings(tree: ast.Module) -> Iterator[ast.Constant]:
    """The strings that stand alone as statements: the docstrings of modules, classes, functions and attributes."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            yield node.value


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


KIND_INTERFACE = ("base", "exporting")
"""The modules of `kinds/` that every kind shares: the hooks' interface and the export hook's types."""


def specific_module(name: str) -> bool:
    """A kind's module (any of `kinds/` but the interface's) or a provider's (`providers/openai.py`,
    `providers/flowise.py`)."""
    parts = name.split(".")
    if parts[:2] == ["assistplan", "kinds"] and len(parts) > 2:
        return parts[2] not in KIND_INTERFACE and (PACKAGE / "kinds" / f"{parts[2]}.py").exists()
    return parts[:2] == ["assistplan", "providers"] and len(parts) > 2 and parts[2] in PROVIDERS
