"""Resource addresses: `Kind/name`, parsed once, then carried as a typed value with `kind` and `name`.

An `Address` is a `str` (its `Kind/name` text), so that it is its own JSON form on disk, a dictionary key, and
compares and sorts like the text; but code that needs the kind or the name reads the attributes, and functions that
take an address say so in their types. Leftover objects (`Agent/support#asst_1`, `File/docs/a.md#file-1`) are
addresses too: their names carry the remote id after a `#`.
"""

from __future__ import annotations

import re

from assistplan import catalog

_ADDRESS = re.compile(r"^(?P<kind>[A-Za-z]+)/(?P<name>[^/\s]+)$")


class Address(str):
    """`Kind/name`."""

    kind: str
    name: str

    def __new__(cls, kind: str, name: str) -> Address:
        address = super().__new__(cls, f"{kind}/{name}")
        address.kind = kind
        address.name = name
        return address

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return (self.kind, self.name)

    @classmethod
    def parse(cls, text: str) -> Address:
        """Parse `Kind/name` (a kind the catalog knows); raises ValueError naming the problem."""
        match = _ADDRESS.match(text.strip())
        if match is None:
            raise ValueError(f"invalid address {text!r}: expected Kind/name, for example Agent/support")
        kind = match["kind"]
        if catalog.get(kind) is None:
            from assistplan.diagnostics import did_you_mean

            names = catalog.names()
            hint = did_you_mean(kind, names)
            known = hint or f" (kinds: {', '.join(names)})"
            raise ValueError(f"invalid address {text!r}: unknown kind {kind!r}{known}")
        return cls(kind, match["name"])

    @classmethod
    def spelled(cls, text: str) -> Address | None:
        """The address `text` spells when it has the form `Kind/name` (both parts present, the name may hold `/`),
        else None: for input whose kinds and names the caller checks itself, with messages of its own."""
        kind, slash, name = text.partition("/")
        return cls(kind, name) if kind and slash and name else None

    @classmethod
    def of(cls, text: str) -> Address:
        """The address a string read from disk or from a label spells (`Kind/name`, the name may hold `/`)."""
        if isinstance(text, Address):
            return text
        kind, _, name = text.partition("/")
        return cls(kind, name)

    def leftover(self, remote_id: str) -> Address:
        """The address under which a leftover object of this address is planned for deletion."""
        return Address(self.kind, f"{self.name}#{remote_id}")


def reference(kind: str, name: str) -> str:
    """The text a spec holds where it refers to the resource `kind`/`name` (`"agent": "Agent/support"`): a plain `str`,
    for specs are data, compared by value and by type."""
    return str(Address(kind, name))


def rank(address: Address) -> tuple[tuple[int, str], str]:
    """Sort key: kinds in catalog order (dependencies first), then by name."""
    return (catalog.rank(address.kind), address.name)
