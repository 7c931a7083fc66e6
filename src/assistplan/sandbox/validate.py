"""Request-body checks shared by the resource handlers.

Each helper reads one field, raises the 400 the real API would (naming the field by its dotted path), and returns the
value. Absent optional fields come back as `MISSING` so handlers can tell "omitted" from "null".
"""

from __future__ import annotations

import math
from collections.abc import Collection
from typing import Any, Final

from assistplan.sandbox.errors import invalid, invalid_type, invalid_value, missing_parameter, unknown_parameter


class _Missing:
    """Marks an omitted field; falsy, so `value or default` reads naturally."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()

MAX_PAIRS = 16
MAX_KEY = 64
MAX_VALUE = 512


def join(prefix: str, key: str) -> str:
    return f"{prefix}.{key}" if prefix else key


def only(body: dict[str, Any], allowed: Collection[str], prefix: str = "") -> None:
    """Reject any key not in `allowed` (the API's "Unknown parameter" 400)."""
    for key in body:
        if key not in allowed:
            raise unknown_parameter(join(prefix, key))


def obj(value: Any, param: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise invalid_type(param, "an object", value)
    return value


def field(body: dict[str, Any], key: str, prefix: str = "", *, required: bool = False) -> Any:
    if key not in body:
        if required:
            raise missing_parameter(join(prefix, key))
        return MISSING
    return body[key]


def string(
    body: dict[str, Any],
    key: str,
    prefix: str = "",
    *,
    required: bool = False,
    nullable: bool = True,
    max_length: int | None = None,
) -> Any:
    param = join(prefix, key)
    value = field(body, key, prefix, required=required)
    if value is MISSING or (value is None and nullable):
        return value
    if not isinstance(value, str):
        raise invalid_type(param, "a string", value)
    check_length(param, value, max_length)
    return value


def check_length(param: str, value: str, max_length: int | None) -> None:
    if max_length is not None and len(value) > max_length:
        raise invalid(
            param,
            f"string too long. Expected a string with maximum length {max_length}, "
            f"but got a string with length {len(value)} instead.",
            "string_above_max_length",
        )


def choice(body: dict[str, Any], key: str, values: tuple[str, ...], prefix: str = "", *, nullable: bool = True) -> Any:
    value = field(body, key, prefix)
    if value is MISSING or (value is None and nullable):
        return value
    if value not in values:
        raise invalid_value(join(prefix, key), value, values)
    return value


def boolean(body: dict[str, Any], key: str, prefix: str = "", *, nullable: bool = False) -> Any:
    value = field(body, key, prefix)
    if value is MISSING or (value is None and nullable):
        return value
    if not isinstance(value, bool):
        raise invalid_type(join(prefix, key), "a boolean", value)
    return value


def number(
    body: dict[str, Any],
    key: str,
    prefix: str = "",
    *,
    minimum: float | None = None,
    maximum: float | None = None,
    integer: bool = False,
    required: bool = False,
    nullable: bool = True,
) -> Any:
    param = join(prefix, key)
    value = field(body, key, prefix, required=required)
    if value is MISSING or (value is None and nullable):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float) or (integer and not isinstance(value, int)):
        raise invalid_type(param, "an integer" if integer else "a number", value)
    if isinstance(value, float) and not math.isfinite(value):
        raise invalid_type(param, "a number", value)
    return in_range(param, value, minimum, maximum)


def in_range(param: str, value: float, minimum: float | None, maximum: float | None) -> float:
    kind = "integer" if isinstance(value, int) else "decimal"
    if minimum is not None and value < minimum:
        raise invalid(
            param,
            f"{kind} below minimum value. Expected a value >= {minimum}, but got {value} instead.",
            f"{kind}_below_min_value",
        )
    if maximum is not None and value > maximum:
        raise invalid(
            param,
            f"{kind} above maximum value. Expected a value <= {maximum}, but got {value} instead.",
            f"{kind}_above_max_value",
        )
    return value


def array(
    body: dict[str, Any], key: str, prefix: str = "", *, max_items: int | None = None, nullable: bool = False
) -> Any:
    param = join(prefix, key)
    value = field(body, key, prefix)
    if value is MISSING or (value is None and nullable):
        return value
    if not isinstance(value, list):
        raise invalid_type(param, "an array", value)
    if max_items is not None and len(value) > max_items:
        raise invalid(
            param,
            f"array too long. Expected an array with maximum length {max_items}, "
            f"but got an array with length {len(value)} instead.",
            "array_above_max_length",
        )
    return value


def string_list(
    body: dict[str, Any], key: str, prefix: str = "", *, max_items: int | None = None, nullable: bool = False
) -> Any:
    items = array(body, key, prefix, max_items=max_items, nullable=nullable)
    if items is MISSING or items is None:
        return items
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise invalid_type(f"{join(prefix, key)}[{index}]", "a string", item)
    return items


def _pairs(param: str, value: Any) -> dict[str, Any]:
    mapping = obj(value, param)
    if len(mapping) > MAX_PAIRS:
        raise invalid(
            param,
            f"too many properties. Expected an object with at most {MAX_PAIRS} properties, "
            f"but got an object with {len(mapping)} properties instead.",
            "object_above_max_properties",
        )
    for key in mapping:
        check_length(param, key, MAX_KEY)
    return mapping


def metadata(value: Any, param: str = "metadata") -> dict[str, str]:
    """Metadata: at most 16 pairs, keys up to 64 characters, string values up to 512. Null means empty."""
    if value is None:
        return {}
    mapping = _pairs(param, value)
    for key, item in mapping.items():
        if not isinstance(item, str):
            raise invalid_type(f"{param}.{key}", "a string", item)
        check_length(f"{param}.{key}", item, MAX_VALUE)
    return dict(mapping)


def attributes(value: Any, param: str = "attributes") -> dict[str, Any] | None:
    """Vector-store file attributes: like metadata, but values may also be numbers or booleans."""
    if value is None:
        return None
    mapping = _pairs(param, value)
    for key, item in mapping.items():
        if isinstance(item, str):
            check_length(f"{param}.{key}", item, MAX_VALUE)
        elif not isinstance(item, int | float | bool):
            raise invalid_type(f"{param}.{key}", "a string, number, or boolean", item)
    return dict(mapping)
