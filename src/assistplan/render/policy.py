"""What the pull-request comment says about policy: the high-impact banner and the section of policy warnings.

High-impact changes are computed from the plan's field changes: a change (update or replace) touching a path its kind
declares high-impact (`Kind.high_impact_paths`: an Agent's model, service tier and tools) is listed with its old and
new value, or, for a list such as tools, with what was added and removed. Policy warnings come from validation
(rules with `severity: warning`); policy errors fail the plan before there is a comment to render.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assistplan.diagnostics import Diagnostic, Severity
from assistplan.manifest.policy import RULE_PREFIX
from assistplan.render import words
from assistplan.render.mdparts import alert, capped, code, escape


def policy_warnings(diagnostics: Iterable[Diagnostic]) -> list[dict[str, Any]]:
    """The policy rules' warnings (their `detail` names the rule) as JSON-ready entries for the plan view."""
    return [
        {
            "location": str(d.range.start) if d.range else None,
            "address": d.address,
            "message": d.summary,
            "rule": d.detail,
        }
        for d in sorted(diagnostics, key=Diagnostic.sort_key)
        if d.severity is Severity.WARNING and d.detail.startswith(RULE_PREFIX)
    ]


def policy_section(view: dict[str, Any]) -> str:
    """The comment's Policy section: every policy warning with where it is; empty when there are none."""
    entries = view.get("policy_warnings") or []
    if not entries:
        return ""
    count = len(entries)
    intro = f"{count} policy warning{'' if count == 1 else 's'} (rules set to `warning`: they do not fail the plan):"
    items = []
    for entry in entries:
        where = f"{code(entry['location'])} " if entry.get("location") else ""
        who = f"{code(entry['address'])}: " if entry.get("address") else ""
        items.append(f"- {where}{who}{escape(entry['message'])} ({escape(entry['rule'])})")
    return "\n".join(["#### Policy", "", intro, "", *capped(items, "- … and {} more")]) + "\n\n"


def high_impact(changes: Iterable[dict[str, Any]], paths_of: Mapping[str, Sequence[str]]) -> list[str]:
    """One Markdown line per high-impact field change: `Agent/x` model `gpt-5` → `gpt-5-mini`."""
    lines = []
    for rc in changes:
        if words.action_of(rc) not in (words.UPDATE, words.REPLACE):
            continue
        change = rc["change"]
        changed = change.get("changed_paths") or []
        for path in paths_of.get(rc["kind"], ()):
            if any(p == path or p.startswith((f"{path}.", f"{path}[")) for p in changed):
                before, after = _at(change.get("before"), path), _at(change.get("after"), path)
                lines.append(f"{code(rc['address'])} {escape(path)}{_difference(before, after)}")
    return lines


def high_impact_banner(changes: Iterable[dict[str, Any]], paths_of: Mapping[str, Sequence[str]]) -> list[str]:
    """The WARNING alert listing the high-impact changes, or nothing."""
    lines = high_impact(changes, paths_of)
    if not lines:
        return []
    return [alert("WARNING", ["**High-impact changes:**", *capped([f"- {line}" for line in lines], "- … and {} more")])]


def _at(spec: Any, path: str) -> Any:
    for part in path.split("."):
        spec = spec.get(part) if isinstance(spec, dict) else None
    return spec


def _difference(before: Any, after: Any) -> str:
    """` old → new` for values, `: added x; removed y; changed z` for lists (items named by `_label`), ` changed`
    for anything else."""
    if isinstance(before, list | None) and isinstance(after, list | None) and (before or after) is not None:
        old, new = [_label(item) for item in before or []], [_label(item) for item in after or []]
        kept = {label: item for label, item in zip(old, before or [], strict=True)}
        added = [label for label in new if label not in kept]
        removed = [label for label in old if label not in new]
        edited = [label for label, item in zip(new, after or [], strict=True) if label in kept and kept[label] != item]
        parts = [
            f"{verb} {', '.join(code(label) for label in labels)}"
            for verb, labels in (("added", added), ("removed", removed), ("changed", edited))
            if labels
        ]
        return f": {'; '.join(parts)}" if parts else " changed"
    if isinstance(before, dict | list) or isinstance(after, dict | list):
        return " changed"
    return f" {_scalar(before)} → {_scalar(after)}"


def _scalar(value: Any) -> str:
    return "(none)" if value is None else code(str(value))


def _label(item: Any) -> str:
    """A tool as a reviewer names it: its type, and its function name or MCP server label (never its settings)."""
    if not isinstance(item, dict):
        return str(item)
    name = item.get("name") or item.get("server_label") or item.get("function")
    kind = item.get("type")
    return " ".join(str(part) for part in (kind, name) if part) or "tool"
