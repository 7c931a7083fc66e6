"""The catalog of kinds: each kind's name, manifest model, provider and the kinds it depends on, as declared by the
kind's own module (`assistplan.kinds.<module>` calls `register` next to its implementation).

Nothing else lists kinds. The order in which kinds are validated, planned and shown (by depth of dependencies,
then by name) is derived here from the declared dependencies. The manifest layer reads names and models
from this module without importing any provider: the kind modules are imported once, on the first question asked.
"""

from __future__ import annotations

import importlib
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
_ranks: dict[str, int] = {}
_lock = threading.RLock()


def register(info: KindInfo) -> None:
    """Add a kind; called by its module when imported. A second registration of a name replaces the first."""
    with _lock:
        _registered[info.name] = info
        _ordered.clear()
        _ranks.clear()


def kinds() -> Mapping[str, KindInfo]:
    """Every kind, dependencies first (by depth), then by name."""
    if _ordered:
        return _ordered
    with _lock:
        if not _ordered:
            importlib.import_module(KINDS_PACKAGE)
            ordered = {name: _registered[name] for name in _dependency_order(_registered)}
            _ranks.clear()
            _ranks.update((name, index) for index, name in enumerate(ordered))
            _ordered.update(ordered)
        return _ordered


def names() -> tuple[str, ...]:
    return tuple(kinds())


def get(name: str) -> KindInfo | None:
    return kinds().get(name)


def rank(name: str) -> int:
    """The position of a kind in the catalog order (unknown kinds last)."""
    if not _ranks:
        kinds()
    return _ranks.get(name, len(_ranks))


def _dependency_order(registered: Mapping[str, KindInfo]) -> list[str]:
    """Kinds by depth (a kind with no dependencies is 0, else one more than its deepest dependency), then by name:
    every kind after those it depends on. A cycle or an unknown dependency is a programming error in a kind module."""
    unknown = {dep for info in registered.values() for dep in info.depends_on} - set(registered)
    if unknown:
        raise RuntimeError(f"kinds depend on unregistered kinds: {', '.join(sorted(unknown))}")
    depth: dict[str, int] = {}

    def measure(name: str, path: tuple[str, ...]) -> int:
        if name in path:
            raise RuntimeError(f"kind dependencies form a cycle: {' -> '.join((*path, name))}")
        if name not in depth:
            deps = registered[name].depends_on
            depth[name] = 1 + max(measure(dep, (*path, name)) for dep in deps) if deps else 0
        return depth[name]

    return sorted(registered, key=lambda name: (measure(name, ()), name))
