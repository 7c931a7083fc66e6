"""The catalog of kinds: each kind's name, manifest model, provider and the kinds it depends on, as declared by the
kind's own module (`assistplan.kinds.<module>` calls `register` next to its implementation).

Nothing else lists kinds. A kind's module is named for the kind, in snake case and plural (`VectorStore` in
`assistplan.kinds.vector_stores`), so a kind is found without importing any other: `get` imports the one module, on
the first question about its kind, and a command imports only the kinds its project uses. Questions about every kind
(`kinds`, `names`) import every module of the package. The order in which kinds are validated, planned and shown
(by depth of dependencies, then by name) is derived here from the declared dependencies: `rank` reads only the kind
and those it depends on. The manifest layer reads names and models from this module without importing any provider.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

KINDS_PACKAGE = "assistplan.kinds"


@dataclass(frozen=True)
class KindInfo:
    """What a kind declares about itself."""

    name: str
    spec_model: type[Any]
    """The pydantic model of its manifests' `spec`-level fields (a `manifest.fields.KindSpec`)."""
    provider: str | None
    """The provider whose API holds its objects; None for a kind with no remote object of its own (Function)."""
    depends_on: tuple[str, ...] = ()
    """Kinds whose resources this kind's resources may refer to (they are created before, deleted after)."""
    implementation: Any = None
    """The kind's implementation (an `assistplan.kinds.base.Kind`); None for a manifest-only kind."""


_registered: dict[str, KindInfo] = {}
_ordered: dict[str, KindInfo] = {}
_depths: dict[str, int] = {}
_modules: list[str] = []
_lock = threading.Lock()
"""Held only to change the tables above, never while a module is imported (its import registers a kind)."""
_UNKNOWN_RANK = (sys.maxsize, "")


def register(info: KindInfo) -> None:
    """Add a kind; called by its module when imported. A second registration of a name replaces the first."""
    with _lock:
        _registered[info.name] = info
        _ordered.clear()
        _depths.clear()


def kinds() -> Mapping[str, KindInfo]:
    """Every kind, dependencies first (by depth), then by name (imports every kind module)."""
    if _ordered:
        return _ordered
    for module in _module_names():
        importlib.import_module(f"{KINDS_PACKAGE}.{module}")
    ordered = sorted(list(_registered), key=rank)
    with _lock:
        if not _ordered:
            _ordered.update((name, _registered[name]) for name in ordered)
    return _ordered


def names() -> tuple[str, ...]:
    return tuple(kinds())


def get(name: str) -> KindInfo | None:
    """A kind, its module imported on the first question; None for a name that is no kind, including one whose
    module name is that of a module registering another (`agent`, a kind's name miswritten in a manifest, is looked
    for in `agents`, which registers `Agent`; `blobs` registers nothing)."""
    info = _registered.get(name)
    if info is not None:
        return info
    module = module_name(name)
    if module not in _module_names():
        return None
    importlib.import_module(f"{KINDS_PACKAGE}.{module}")
    return _registered.get(name)


def module_name(kind: str) -> str:
    """The module of a kind: its name in snake case, plural (`VectorStore` -> `vector_stores`)."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", kind).lower() + "s"


def rank(name: str) -> tuple[int, str]:
    """Where a kind sorts in the catalog order: its depth of dependencies (a kind with none is 0, else one more than
    its deepest dependency), then its name; unknown kinds last. A cycle or an unknown dependency is a programming
    error in a kind module."""
    if get(name) is None:
        return _UNKNOWN_RANK
    return (_depth(name, ()), name)


def _depth(name: str, path: tuple[str, ...]) -> int:
    if name in _depths:
        return _depths[name]
    if name in path:
        raise RuntimeError(f"kind dependencies form a cycle: {' -> '.join((*path, name))}")
    info = get(name)
    if info is None:
        raise RuntimeError(f"{path[-1]} depends on an unregistered kind: {name}")
    deps = info.depends_on
    depth = 1 + max(_depth(dep, (*path, name)) for dep in deps) if deps else 0
    _depths[name] = depth
    return depth


def _module_names() -> list[str]:
    """The modules of the kinds package, found without importing them."""
    if not _modules:
        package = importlib.import_module(KINDS_PACKAGE)
        with _lock:
            if not _modules:
                _modules.extend(module.name for module in pkgutil.iter_modules(package.__path__))
    return _modules
