"""scripts/regenerate-docs.py loaded as a module, for the tests that compare committed documents with its output."""

from __future__ import annotations

import importlib.util
from types import ModuleType

from .conftest import REPO_ROOT


def regenerate_docs() -> ModuleType:
    spec = importlib.util.spec_from_file_location("regenerate_docs", REPO_ROOT / "scripts" / "regenerate-docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
