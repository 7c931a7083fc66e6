"""Five-field cron expressions and IANA time zones: what an automation's schedule may say.

A standard cron expression has five fields separated by spaces: minute (0-59), hour (0-23), day of month (1-31),
month (1-12 or JAN-DEC) and day of week (0-7, where 0 and 7 are Sunday, or SUN-SAT). Each field is `*` or a
comma-separated list of values and ranges (`a-b`), each optionally followed by a step (`*/15`, `1-31/2`). Names are
case-insensitive. Macros such as `@daily` and six-field expressions (seconds) are not standard and are refused.
Time zones are the names of the IANA database as `zoneinfo` knows it.

Both the manifest models (validate) and the sandbox (the API's own check) use these functions; nothing here imports
either of them.
"""

from __future__ import annotations

import difflib
import zoneinfo
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class _Field:
    name: str
    low: int
    high: int
    names: tuple[str, ...] = ()


FIELDS = (
    _Field("minute", 0, 59),
    _Field("hour", 0, 23),
    _Field("day of month", 1, 31),
    _Field("month", 1, 12, ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")),
    _Field("day of week", 0, 7, ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")),
)


def _value(text: str, spec: _Field) -> int:
    upper = text.upper()
    if upper in spec.names:
        return spec.names.index(upper) + spec.low
    if not text.isdigit():
        names = f" or a name ({', '.join(spec.names)})" if spec.names else ""
        raise ValueError(f'"{text}" is not a number{names}')
    number = int(text)
    if not spec.low <= number <= spec.high:
        raise ValueError(f"{number} is out of range {spec.low}-{spec.high}")
    return number


def _item(text: str, spec: _Field) -> None:
    base, slash, step = text.partition("/")
    if slash:
        if not step.isdigit() or int(step) < 1:
            raise ValueError(f'the step "{step}" must be a whole number of at least 1')
        if int(step) > spec.high - spec.low + 1:
            raise ValueError(f"the step {step} is larger than the field's range {spec.low}-{spec.high}")
    if base == "*":
        return
    if not base:
        raise ValueError(f'"{text}" has no value before the step')
    low_text, dash, high_text = base.partition("-")
    if dash:
        low, high = _value(low_text, spec), _value(high_text, spec)
        if low > high:
            raise ValueError(f'the range "{base}" runs backwards')
        return
    if slash:
        raise ValueError(f'a step needs "*" or a range before it, not "{base}"')
    _value(base, spec)


def cron_problem(expression: str) -> str | None:
    """Why `expression` is not a standard five-field cron expression, or None when it is."""
    parts = expression.split()
    if len(parts) != len(FIELDS):
        return (
            f"a cron expression has 5 fields (minute hour day-of-month month day-of-week), "
            f'"{expression}" has {len(parts)}'
        )
    for part, spec in zip(parts, FIELDS, strict=True):
        for item in part.split(","):
            try:
                _item(item, spec)
            except ValueError as exc:
                return f'{spec.name} field "{part}": {exc}'
    return None


@cache
def known_timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def timezone_problem(name: str) -> str | None:
    """Why `name` is not an IANA time zone, with the closest names, or None when it is one."""
    zones = known_timezones()
    if name in zones:
        return None
    close = difflib.get_close_matches(name, sorted(zones), n=3, cutoff=0.6)
    quoted = " or ".join(f'"{zone}"' for zone in close)
    hint = f" (did you mean {quoted}?)" if close else ""
    return f'"{name}" is not an IANA time zone (such as "Europe/Berlin" or "UTC"){hint}'
