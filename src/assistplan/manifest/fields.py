"""Building blocks shared by every kind's model: the base class, names, metadata, lifecycle, error helpers, the file
types a field of local files accepts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Annotated, Any, NamedTuple

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from assistplan.addrs import Address

if TYPE_CHECKING:
    from assistplan.manifest.resolution import Resolution

RESERVED_METADATA_KEYS: tuple[str, ...] = ("assistplan:project", "assistplan:address", "assistplan:digest")
RESERVED_METADATA_PREFIX = "assistplan:"
METADATA_MAX_PAIRS = 16
USER_METADATA_MAX_PAIRS = METADATA_MAX_PAIRS - len(RESERVED_METADATA_KEYS)
METADATA_KEY_MAX = 64
METADATA_VALUE_MAX = 512

FUNCTION_NAME_PATTERN = r"^[a-zA-Z0-9_-]{1,64}$"
RESOURCE_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
PROJECT_PATTERN = r"^[a-z0-9-]{1,40}$"
ENV_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"

PATTERN_DESCRIPTIONS: dict[str, str] = {
    FUNCTION_NAME_PATTERN: 'letters, digits, "_" and "-" only, 1 to 64 characters',
    RESOURCE_NAME_PATTERN: 'a letter or digit, then letters, digits, "_", "." and "-", at most 64 characters',
    PROJECT_PATTERN: 'lowercase letters, digits and "-" only, 1 to 40 characters',
    ENV_NAME_PATTERN: "an environment variable name: letters, digits and _, not starting with a digit",
    r"^[A-Z]{2}$": "a two-letter ISO country code in capitals, such as US",
    r"^https?://\S+$": "an http:// or https:// URL",
}


Problem = tuple[str, tuple[str | int, ...]]

SECRET_REFERENCE_ONLY = "come only from environment variables: write {env: VARIABLE}"
"""The wording of every error about a literal secret; the diagnostic then never shows its source line."""


def problem(message: str, at: tuple[str | int, ...] = ()) -> PydanticCustomError:
    """A validation error with our own wording; `at` is the path below the validated object where it points."""
    return PydanticCustomError("assistplan", message, {"at": at})


def check(problems: list[Problem]) -> None:
    """Raise every problem found by a cross-field check at once (the error carries them all)."""
    if len(problems) == 1:
        raise problem(*problems[0])
    if problems:
        raise PydanticCustomError("assistplan_many", "{count} problems", {"count": len(problems), "problems": problems})


class Spec(BaseModel):
    """Base of every manifest model: unknown fields are errors, instances are immutable.

    A field's docstring (the string literal under it) is its description in the editor schema (see schema.py).
    """

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False, defer_build=True)


class Lifecycle(Spec):
    """How apply treats the resource: refuse to destroy it, or ignore changes to some fields."""

    prevent_destroy: bool = False
    """Refuse any plan that deletes or replaces this object."""
    ignore_changes: list[str] = Field(default_factory=list)
    """Fields whose differences are not planned as updates."""


def _check_metadata(value: dict[str, str]) -> dict[str, str]:
    if len(value) > USER_METADATA_MAX_PAIRS:
        raise problem(
            f"{len(value)} pairs, at most {USER_METADATA_MAX_PAIRS} (the API allows {METADATA_MAX_PAIRS}; "
            f"assistplan uses {len(RESERVED_METADATA_KEYS)} for its own labels)"
        )
    problems: list[Problem] = []
    for key, item in value.items():
        if key.startswith(RESERVED_METADATA_PREFIX):
            problems.append(
                (f'the "{RESERVED_METADATA_PREFIX}" prefix is reserved for assistplan\'s own labels', (key,))
            )
        elif len(key) > METADATA_KEY_MAX:
            problems.append((f"key is {len(key)} characters long, at most {METADATA_KEY_MAX}", (key,)))
        if len(item) > METADATA_VALUE_MAX:
            problems.append((f"value is {len(item)} characters long, at most {METADATA_VALUE_MAX}", (key,)))
    check(problems)
    return value


Metadata = Annotated[
    dict[str, str],
    AfterValidator(_check_metadata),
    Field(description=f"String pairs, at most {USER_METADATA_MAX_PAIRS}; keys ≤ 64 and values ≤ 512 characters."),
]


class KindSpec(Spec):
    """Fields every manifest document has."""

    kind: str
    name: Annotated[str, Field(pattern=RESOURCE_NAME_PATTERN)]
    """Unique per kind; the address is Kind/name."""
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    """How plan and apply treat this object."""
    moved_from: str | list[str] | None = None
    """The address (or addresses, oldest first) this resource had before it was renamed, as `Kind/old-name`: the
    plan moves the object to the new address, keeping its remote id, instead of replacing it."""

    @model_validator(mode="after")
    def _check_moved_from(self) -> KindSpec:
        olds = moved_addresses(self.moved_from)
        problems: list[Problem] = []
        for index, old in enumerate(olds):
            at: tuple[str | int, ...] = ("moved_from", index) if isinstance(self.moved_from, list) else ("moved_from",)
            address = Address.spelled(old)
            if address is None or not re.fullmatch(RESOURCE_NAME_PATTERN, address.name):
                problems.append((f'"{old}" is not an address: expected Kind/old-name, for example Agent/support', at))
            elif address.kind != self.kind:
                problems.append((f"must be an address of kind {self.kind} (a move keeps the kind), not {old}", at))
            elif address.name == self.name:
                problems.append((f"{old} is this resource's own address", at))
        check(problems)
        return self

    def resolve(self, resolution: Resolution) -> None:
        """Resolve what this document refers to outside itself (other resources by name, local files), reporting
        problems through `resolution`: cross-references, file globs, `*_file` fields. The resolver itself names no
        kind; everything a kind refers to is resolved here."""
        return None


def read_instructions(resolution: Resolution, instructions_file: str | None, limit: int | None = None) -> None:
    """Read `instructions_file` (when set) into `instructions`, reporting a text longer than `limit` characters."""
    if instructions_file is None:
        return
    text = resolution.text_file(("instructions_file",), instructions_file)
    if text is None:
        return
    if limit is not None and len(text) > limit:
        resolution.error(("instructions_file",), f"instructions are {len(text)} characters long, at most {limit}")
    resolution.update("instructions", text)


def moved_addresses(moved_from: str | list[str] | None) -> list[str]:
    """The addresses a `moved_from` field names, oldest first."""
    if moved_from is None:
        return []
    return [moved_from] if isinstance(moved_from, str) else list(moved_from)


def exclusive(spec: Any, inline: str, from_file: str, *, required: bool, label: str | None = None) -> list[Problem]:
    """Problems if both an inline field and its `*_file` twin are set, or (when `required`) neither is."""
    label = label or inline
    if getattr(spec, inline) is not None and getattr(spec, from_file) is not None:
        return [(f'cannot be used together with "{label}"', (from_file,))]
    if required and getattr(spec, inline) is None and getattr(spec, from_file) is None:
        return [(f'one of "{label}" or "{from_file}" is required', ())]
    return []


class FileTypes(NamedTuple):
    """The file types a field accepts (`suffixes`, lowercase with the dot) and the caller's words for why another
    is refused (for example `file_search cannot index this type of file`)."""

    suffixes: frozenset[str]
    refused: str
