"""The terminal format: a Terraform-like plan, optionally coloured with ANSI escapes."""

from __future__ import annotations

import json
from typing import Any

from assistplan.render import words
from assistplan.render.values import (
    describe_file,
    display_changes,
    inline,
    is_file_digest,
    is_long,
    is_multiline,
    pretty_lines,
    printable,
    text_lines,
    unified_diff,
)

_CODES = {"green": "32", "yellow": "33", "red": "31", "magenta": "35", "cyan": "36", "bold": "1"}
_SYMBOL_COLORS = {"+": "green", "~": "yellow", "-": "red", "-/+": "magenta", ".": "cyan"}
_CHANGE_SYMBOLS = {"added": "+", "removed": "-", "changed": "~"}
_RULE = "─" * 78


class _Paint:
    """Wraps text in ANSI escapes, or leaves it alone when colour is off."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, style: str | None) -> str:
        if not self.enabled or style is None or not text.strip():
            return text
        return f"\x1b[{_CODES[style]}m{text}\x1b[0m"

    def symbol(self, symbol: str, width: int = 1) -> str:
        """The symbol in its colour, right-aligned in `width` columns (padding left uncoloured)."""
        return " " * (width - len(symbol)) + self(symbol, _SYMBOL_COLORS.get(symbol))

    def diff_line(self, line: str) -> str:
        style = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1])
        return self(line, style)


def render_text(view: dict[str, Any], *, color: bool) -> str:
    paint = _Paint(color)
    changes = words.changed(view)
    out: list[str] = []
    if changes:
        out += _legend(view, paint)
    if view["resource_drift"]:
        out += _drift_section(view, paint, has_changes=bool(changes))
    if not changes:
        out.append(paint(words.no_changes_message(view), "bold"))
    else:
        out += ["assistplan will perform the following actions:", ""]
        for change in changes:
            out += _resource(change, paint)
            out.append("")
        out.append(paint(words.summary_line(view["summary"]), "bold"))
    note = words.targets_note(view)
    if note:
        out += ["", f"Warning: {note}"]
    return "\n".join(out) + "\n"


def _legend(view: dict[str, Any], paint: _Paint) -> list[str]:
    lines = ["Resource actions are indicated with the following symbols:"]
    for action in words.actions_used(view):
        lines.append(f"{paint.symbol(words.SYMBOLS[action], 3)} {words.LEGEND[action]}")
    return [*lines, ""]


def _drift_section(view: dict[str, Any], paint: _Paint, *, has_changes: bool) -> list[str]:
    out = [
        paint("Objects changed outside assistplan", "bold"),
        "",
        "assistplan detected the following changes made outside assistplan since the last apply:",
        "",
    ]
    for drift in view["resource_drift"]:
        out.append(f"  # {paint(drift['address'], 'bold')} {words.drift_headline(drift)}")
        symbol = "-" if drift["deleted"] else "~"
        out += _block(symbol, drift["kind"], drift["name"], drift["remote_id"], drift["field_changes"], paint)
        out.append("")
    if has_changes:
        out += [
            "Unless you have made equivalent changes to your manifests, or ignored the relevant fields with",
            "lifecycle.ignore_changes, the plan below includes actions to undo or respond to these changes.",
            "",
        ]
    return [*out, _RULE, ""]


def _resource(change: dict[str, Any], paint: _Paint) -> list[str]:
    action = words.action_of(change)
    subject, predicate = words.headline(change)
    out = [f"  # {paint(subject, 'bold')} {predicate}"]
    reason = words.reason_phrase(change)
    if change.get("previous_address") and change["action_reason"] != "moved":
        out.append(f"  # (moved from {change['previous_address']})")
    if reason and change["action_reason"] not in ("new", "moved"):
        out.append(f"  # (because {reason})")
    elif change["action_reason"] == "moved":
        out.append("  # (the object keeps its remote id; its labels are restamped with the new address)")
    out += [f"  # {printable(note)}" for note in change.get("notes", ())]
    fields = display_changes(change)
    out += _block(words.SYMBOLS[action], change["kind"], change["name"], change["remote_id"], fields, paint)
    return out


def _block(
    symbol: str, kind: str, name: str, remote_id: str | None, fields: list[dict[str, Any]], paint: _Paint
) -> list[str]:
    out = [f"{paint.symbol(symbol, 3)} {kind} {json.dumps(name, ensure_ascii=False)} {{"]
    width = max([len(f["path"]) for f in fields] + [2 if remote_id else 0])
    if remote_id and not any(f["path"] == "id" for f in fields):  # a changed id is shown as the change alone
        out.append(f"        {'id':<{width}} = {inline(remote_id)}")
    for field in fields:
        out += _field(field, width, paint)
    out.append("    }")
    return out


def _is_block(field: dict[str, Any]) -> bool:
    return is_long(field["before"]) or is_long(field["after"])


def _field(field: dict[str, Any], width: int, paint: _Paint) -> list[str]:
    symbol = paint.symbol(_CHANGE_SYMBOLS[field["change"]])
    marker = paint("  # forces replacement", "red") if field["forces_replace"] else ""
    before, after = field["before"], field["after"]
    path = printable(field["path"])
    if field.get("sensitive"):
        value = "(sensitive value changed)" if field["change"] == "changed" else _value(after or before)
        return [f"      {symbol} {path:<{width}} = {value}{marker}"]
    if not _is_block(field):
        if field["change"] == "added":
            value = _value(after)
        elif field["change"] == "removed":
            value = _value(before)
        else:
            value = f"{_value(before)} -> {_value(after)}"
        return [f"      {symbol} {path:<{width}} = {value}{marker}"]
    if field["change"] == "changed":
        tag = "EOT" if isinstance(before, str) and isinstance(after, str) else "JSON"
        body = [paint.diff_line(line) for line in unified_diff(before, after)]
        return [
            f"      {symbol} {path:<{width}} = <<-{tag}{marker}",
            *(f"            {line}" for line in body),
            f"        {tag}",
        ]
    value = after if field["change"] == "added" else before
    if is_multiline(value):
        lines = [f"            {printable(line)}" for line in text_lines(value)]
        return [f"      {symbol} {path:<{width}} = <<-EOT{marker}", *lines, "        EOT"]
    pretty = pretty_lines(value)
    return [f"      {symbol} {path:<{width}} = {pretty[0]}{marker}", *(f"        {line}" for line in pretty[1:])]


def _value(value: Any) -> str:
    if is_file_digest(value):
        return describe_file(value)
    return inline(value)
