"""Value helpers shared by the text and Markdown renderers: paths, inline and pretty JSON, file digests, diffs."""

from __future__ import annotations

import difflib
import json
import re
from typing import Any

INLINE_WIDTH = 72

_TOKEN = re.compile(r"""\[(?P<index>\d+)\]|\[(?P<quoted>"(?:[^"\\]|\\.)*"|'[^']*')\]|\.?(?P<key>[^.\[]+)""")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# one encoder for every inline value: json.dumps with options builds a new encoder on each call
_INLINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def parse_path(path: str) -> list[str | int]:
    """`tools[0].parameters.properties["order id"]` -> ["tools", 0, "parameters", "properties", "order id"]."""
    tokens: list[str | int] = []
    pos = 0
    while pos < len(path):
        match = _TOKEN.match(path, pos)
        if match is None or match.end() == pos:
            tokens.append(path[pos:])
            break
        if match["index"] is not None:
            tokens.append(int(match["index"]))
        elif match["quoted"] is not None:
            quoted = match["quoted"]
            tokens.append(json.loads(quoted) if quoted.startswith('"') else quoted[1:-1])
        else:
            tokens.append(match["key"])
        pos = match.end()
    return tokens


def is_multiline(value: Any) -> bool:
    return isinstance(value, str) and "\n" in value.rstrip("\n")


def is_file_digest(value: Any) -> bool:
    """A knowledge-file entry: `{sha256, size}`."""
    return isinstance(value, dict) and set(value) == {"sha256", "size"}


def human_size(size: Any) -> str:
    if not isinstance(size, int) or isinstance(size, bool):
        return str(size)
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


def short_hash(digest: Any) -> str:
    return str(digest)[:12]


def describe_file(value: dict[str, Any]) -> str:
    """`4.1 KiB, sha256 9f86d081884c`."""
    return f"{human_size(value['size'])}, sha256 {short_hash(value['sha256'])}"


def inline(value: Any) -> str:
    """One-line JSON of a value (strings quoted and escaped, so control characters never reach a terminal)."""
    return _INLINE.encode(value)


def is_long(value: Any) -> bool:
    """Whether a value is better shown on several lines than inline."""
    return is_multiline(value) or (isinstance(value, dict | list) and len(inline(value)) > INLINE_WIDTH)


_PRETTY: dict[tuple[str, int], tuple[str, ...]] = {}
"""`pretty_lines` of values already laid out, by their inline text and width: a plan repeats values (the tool of a
function in every agent that uses it), and laying one out encodes each of its containers again at every level. The
values laid out are a plan view's (`render.view.jsonable`: dicts with string keys), so their inline text determines
their layout."""
_PRETTY_LIMIT = 4096


def pretty_lines(value: Any, width: int = INLINE_WIDTH) -> list[str]:
    """Compact pretty JSON: containers that fit in `width` stay on one line, others open one item per line."""
    text = inline(value)
    if len(text) <= width or not isinstance(value, dict | list) or not value:
        return [text]
    known = _PRETTY.get((text, width))
    if known is not None:
        return list(known)
    if isinstance(value, dict):
        items = list(value.items())
        opening, closing = "{", "}"
    else:
        items = [(None, v) for v in value]
        opening, closing = "[", "]"
    lines = [opening]
    for i, (key, item) in enumerate(items):
        prefix = f"{inline(key)}: " if key is not None else ""
        body = pretty_lines(item, width - 2)
        comma = "," if i < len(items) - 1 else ""
        lines.append(f"  {prefix}{body[0]}" + (comma if len(body) == 1 else ""))
        lines.extend(f"  {line}" for line in body[1:-1])
        if len(body) > 1:
            lines.append(f"  {body[-1]}{comma}")
    lines.append(closing)
    if len(_PRETTY) >= _PRETTY_LIMIT:
        _PRETTY.clear()
    _PRETTY[text, width] = tuple(lines)
    return lines


def text_lines(value: Any) -> list[str]:
    """The lines to diff for a value: a string's own lines, pretty JSON for anything else, none for None."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.splitlines()
    return pretty_lines(value)


def unified_diff(before: Any, after: Any, context: int = 3) -> list[str]:
    """The hunks (from the first `@@` line) of a unified diff between two values, control characters escaped."""
    lines = difflib.unified_diff(text_lines(before), text_lines(after), lineterm="", n=context)
    return [printable(line) for line in lines if not line.startswith(("---", "+++"))]


def printable(text: str) -> str:
    """`text` with control characters other than tab shown as `\\uXXXX` escapes."""
    return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def display_changes(change: dict[str, Any]) -> list[dict[str, Any]]:
    """The field changes to show for a resource change: the planner's, or for a create without them, its fields."""
    fields = change["change"]["field_changes"]
    after = change["change"]["after"]
    if fields or change["change"]["actions"] != ["create"] or not isinstance(after, dict):
        return list(fields)
    return [
        {"path": key, "change": "added", "before": None, "after": value, "forces_replace": False}
        for key, value in after.items()
    ]
