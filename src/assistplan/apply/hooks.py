"""Progress events of an apply. The CLI renders them; the applier only emits them."""

from __future__ import annotations

from typing import Protocol

from assistplan.addrs import Address
from assistplan.apply.results import ActionResult
from assistplan.plan.model import ResourceChange


class Hooks(Protocol):
    def started(self, change: ResourceChange, step: str) -> None: ...

    def progress(self, address: Address, message: str) -> None: ...

    def finished(self, result: ActionResult) -> None: ...


class SilentHooks:
    """Hooks that report nothing (tests, library use)."""

    def started(self, change: ResourceChange, step: str) -> None:
        return None

    def progress(self, address: Address, message: str) -> None:
        return None

    def finished(self, result: ActionResult) -> None:
        return None
