"""The state journal's format: one JSON object per line, appended beside the state file as `<state>.journal`.

This module owns the lines and their meaning, not the files: it encodes the header, session and change lines and
parses a journal's bytes back into the changes it holds. The store decides when to write, replay and remove it.

- The first line is the header, `{"journal": 1, "lineage": L, "serial": S}`: the journal extends the state file of
  lineage L at serial S, and opens the first session.
- `{"session": K}` opens session K (2, 3, ...): a store that continues a journal left by an interrupted run.
- `{"set": ADDRESS, "resource": {...}}` records an address; `{"remove": ADDRESS}` forgets it.

A line is complete when it ends with a newline. Only the last line may be incomplete (a write cut short by a crash):
it was never acknowledged, so it is ignored. Any other line that cannot be read is corruption.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from assistplan.addrs import Address
from assistplan.errors import StateError
from assistplan.reading import unreadable_json
from assistplan.state.model import ResourceState

JOURNAL_VERSION = 1


@dataclass(frozen=True)
class Header:
    """What the journal extends: the state file of `lineage` at `serial`."""

    lineage: str
    serial: int


@dataclass
class Parsed:
    """A journal's content. `header` is None when not even the header line is complete (an empty journal).

    `changes` are (address, resource or None for a removal) in order; `sessions` counts the header's session and
    every session line; `valid_size` is the byte length of the complete lines (anything after it is a torn write).
    """

    header: Header | None
    changes: list[tuple[Address, ResourceState | None]] = field(default_factory=list)
    sessions: int = 0
    valid_size: int = 0


def header_line(lineage: str, serial: int) -> bytes:
    return _line({"journal": JOURNAL_VERSION, "lineage": lineage, "serial": serial})


def session_line(session: int) -> bytes:
    return _line({"session": session})


def set_line(address: Address, resource: ResourceState) -> bytes:
    return _line({"set": address, "resource": resource.model_dump(mode="json")})


def remove_line(address: Address) -> bytes:
    return _line({"remove": address})


def _line(value: dict[str, Any]) -> bytes:
    # json.dumps escapes every newline inside strings, so the only newline is the terminator
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).encode("ascii") + b"\n"


def parse(data: bytes, path: Path) -> Parsed:
    """The header and changes in `data`, the bytes of the journal at `path` (named in errors)."""
    end = data.rfind(b"\n") + 1
    parsed = Parsed(header=None, valid_size=end)
    for number, raw in enumerate(data[:end].split(b"\n")[:-1], start=1):
        value = _decode(raw, number, path)
        if number == 1:
            parsed.header = _header(value, path)
            parsed.sessions = 1
        elif "session" in value:
            if set(value) != {"session"} or value["session"] != parsed.sessions + 1:
                raise _corrupt(path, number, f"expected session {parsed.sessions + 1}, found {_shown(value)}")
            parsed.sessions += 1
        else:
            parsed.changes.append(_change(value, number, path))
    return parsed


def _decode(raw: bytes, number: int, path: Path) -> dict[str, Any]:
    try:
        value: Any = json.loads(raw)
    except json.JSONDecodeError as error:
        raise _corrupt(path, number, f"not valid JSON ({error})") from error
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError, a number too long, nesting too deep
        raise _corrupt(path, number, unreadable_json(error)) from error
    if not isinstance(value, dict):
        raise _corrupt(path, number, f"expected a JSON object, found {_shown(value)}")
    return value


def _header(value: dict[str, Any], path: Path) -> Header:
    version = value.get("journal")
    if isinstance(version, int) and not isinstance(version, bool) and version > JOURNAL_VERSION:
        raise StateError(
            f"state journal {path} has version {version}, written by a newer assistplan; "
            f"this one reads version {JOURNAL_VERSION}: upgrade assistplan"
        )
    lineage, serial = value.get("lineage"), value.get("serial")
    if (
        set(value) != {"journal", "lineage", "serial"}
        or version != JOURNAL_VERSION
        or not isinstance(lineage, str)
        or not isinstance(serial, int)
        or isinstance(serial, bool)
        or serial < 0
    ):
        raise _corrupt(path, 1, f"expected the journal header, found {_shown(value)}")
    return Header(lineage=lineage, serial=serial)


def _change(value: dict[str, Any], number: int, path: Path) -> tuple[Address, ResourceState | None]:
    if set(value) == {"remove"} and isinstance(value["remove"], str):
        return Address.of(value["remove"]), None
    if set(value) != {"set", "resource"} or not isinstance(value["set"], str):
        raise _corrupt(path, number, f"expected a set, remove or session line, found {_shown(value)}")
    address = value["set"]
    try:
        resource = ResourceState.model_validate(value["resource"])
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in problem['loc']) or 'top level'}: {problem['msg']}"
            for problem in error.errors()
        )
        raise _corrupt(path, number, f"invalid resource for {address}: {problems}") from error
    if resource.address != address:
        raise _corrupt(path, number, f"the resource recorded under {address} is {resource.address}")
    return resource.address, resource


def _shown(value: Any) -> str:
    text = json.dumps(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _corrupt(path: Path, number: int, problem: str) -> StateError:
    return StateError(
        f"state journal {path} is corrupt at line {number}: {problem}. The state file beside it holds the state "
        f"before the journal's changes; move {path.name} away to use that state (objects created since are found "
        "again by their labels on the next plan)"
    )
