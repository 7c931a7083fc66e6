"""Kinds: one module per kind. Importing this package imports every module in it, and each kind module registers
its kind in `assistplan.catalog`; nothing here lists them."""

from __future__ import annotations

import importlib
import pkgutil

from assistplan.kinds.base import (
    Applied,
    DesireContext,
    Garbage,
    Inventory,
    Kind,
    KindContext,
    LiveObject,
    PartialApplyError,
    Spec,
    digest,
    registered,
)

for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")

__all__ = [
    "Applied",
    "DesireContext",
    "Garbage",
    "Inventory",
    "Kind",
    "KindContext",
    "LiveObject",
    "PartialApplyError",
    "Spec",
    "digest",
    "registered",
]
