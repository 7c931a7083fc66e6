"""The outcome of an apply: one result per action, in the order they finished."""

from __future__ import annotations

from dataclasses import dataclass, field

from assistplan.addrs import Address


@dataclass(frozen=True)
class ActionResult:
    address: Address
    step: str
    ok: bool
    skipped: bool = False
    error: str | None = None
    request_id: str | None = None
    seconds: float = 0.0


@dataclass
class ApplyResult:
    results: list[ActionResult] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results)

    @property
    def failed(self) -> list[ActionResult]:
        return [r for r in self.results if not r.ok and not r.skipped]

    @property
    def skipped(self) -> list[ActionResult]:
        return [r for r in self.results if r.skipped]

    def count(self, step: str) -> int:
        return sum(1 for r in self.results if r.ok and r.step == step)
