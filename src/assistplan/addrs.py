"""Resource addresses: `Kind/name`, parsed, printed and ordered."""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS: tuple[str, ...] = (
    "Function",
    "File",
    "VectorStore",
    "Assistant",
    "Agent",
    "FlowiseTool",
    "FlowiseVariable",
    "FlowiseCredential",
    "FlowiseAssistant",
)

_ADDRESS = re.compile(r"^(?P<kind>[A-Za-z]+)/(?P<name>[^/\s]+)$")


@dataclass(frozen=True, order=True)
class Address:
    kind: str
    name: str

    @classmethod
    def parse(cls, text: str) -> Address:
        """Parse `Kind/name`; raises ValueError naming the problem."""
        match = _ADDRESS.match(text.strip())
        if match is None:
            raise ValueError(f"invalid address {text!r}: expected Kind/name, for example Agent/support")
        kind = match["kind"]
        if kind not in KINDS:
            raise ValueError(f"invalid address {text!r}: unknown kind {kind!r} (kinds: {', '.join(KINDS)})")
        return cls(kind, match["name"])

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"
