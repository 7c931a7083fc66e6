"""Field-level differences between two normalized specs (the only user of deepdiff, imported only when two specs
differ: a plan with no changes never loads it)."""

from __future__ import annotations

import marshal
import re
from collections.abc import Iterable
from typing import Any

from assistplan.plan.model import ChangeType, FieldChange

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

_REPORTS: dict[str, ChangeType] = {
    "values_changed": ChangeType.CHANGED,
    "type_changes": ChangeType.CHANGED,
    "dictionary_item_added": ChangeType.ADDED,
    "dictionary_item_removed": ChangeType.REMOVED,
    "iterable_item_added": ChangeType.ADDED,
    "iterable_item_removed": ChangeType.REMOVED,
}


def format_path(keys: Iterable[Any]) -> str:
    """`tools[0].function.parameters`, `metadata["team-name"]`, `files["handbook/faq.md"]`."""
    out = ""
    for key in keys:
        if isinstance(key, int):
            out += f"[{key}]"
        elif _IDENT.match(str(key)):
            out += f".{key}" if out else str(key)
        else:
            escaped = str(key).replace("\\", "\\\\").replace('"', '\\"')
            out += f'["{escaped}"]'
    return out


def top_key(path: str) -> str:
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def diff_specs(
    before: dict[str, Any], after: dict[str, Any], replace_paths: frozenset[str] = frozenset()
) -> list[FieldChange]:
    """The changes that turn `before` into `after`, in path order; nulls and absent keys are distinct."""
    if _same(before, after):
        return []
    from deepdiff import DeepDiff

    tree = DeepDiff(before, after, view="tree", ignore_order=False, threshold_to_diff_deeper=0)
    changes: list[FieldChange] = []
    for report, change_type in _REPORTS.items():
        for level in tree.get(report, []):
            path = format_path(level.path(output_format="list"))
            before_value = None if change_type is ChangeType.ADDED else level.t1
            after_value = None if change_type is ChangeType.REMOVED else level.t2
            changes.append(
                FieldChange(
                    path=path,
                    change=change_type,
                    before=before_value,
                    after=after_value,
                    forces_replace=top_key(path) in replace_paths,
                )
            )
    return sorted(changes, key=lambda c: c.path)


def _same(before: Any, after: Any) -> bool:
    """Equal with the same types all the way down: then DeepDiff reports nothing, and this is much faster to tell."""
    if before != after:
        return False
    try:
        # marshal (format 2: no references between values) writes each JSON value (the values specs hold) with its
        # exact type, and maps in the order they iterate: the same bytes mean the same types. It refuses what it
        # cannot write exactly (a subclass of str); other bytes may still be the same types in another order, which
        # the walk tells.
        if marshal.dumps(before, 2) == marshal.dumps(after, 2):
            return True
    except ValueError:
        pass
    return _same_types(before, after)


def _same_types(before: Any, after: Any) -> bool:
    """`before` and `after` being equal, whether their values have the same types all the way down (and every
    value equals itself, which a NaN does not)."""
    pairs = [(before, after)]
    while pairs:
        one, other = pairs.pop()
        kind = type(one)
        if kind is not type(other):
            return False
        if kind is str:
            continue
        if isinstance(one, dict):
            pairs.extend(zip(one.values(), map(other.__getitem__, one), strict=True))
        elif isinstance(one, list):
            pairs.extend(zip(one, other, strict=True))
        elif one != other:
            return False
    return True


def without_paths(changes: list[FieldChange], ignored: Iterable[str]) -> list[FieldChange]:
    """Drop changes at or below any ignored path (`lifecycle.ignore_changes`)."""
    prefixes = tuple(ignored)
    return [c for c in changes if not any(_under(c.path, p) for p in prefixes)]


def _under(path: str, prefix: str) -> bool:
    return path == prefix or path.startswith(prefix + ".") or path.startswith(prefix + "[")
