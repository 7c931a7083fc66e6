"""Kinds: one module per kind, named for it (see `assistplan.catalog`, which imports a kind's module when its kind is
first asked about, and each kind module registers its kind there); nothing here lists them."""

from __future__ import annotations

from assistplan.kinds.base import (
    Applied,
    DesireContext,
    Garbage,
    Inventory,
    Kind,
    KindContext,
    LiveObject,
    PartialApplyError,
    SharedContent,
    Spec,
    digest,
    registered,
)

__all__ = [
    "Applied",
    "DesireContext",
    "Garbage",
    "Inventory",
    "Kind",
    "KindContext",
    "LiveObject",
    "PartialApplyError",
    "SharedContent",
    "Spec",
    "digest",
    "registered",
]
