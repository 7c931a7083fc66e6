"""Glob patterns of manifests (`*`, `?`, `[...]`, `**` for any depth) as matchers of relative posix paths.

Matching is done on names listed by a folder walk, so a pattern never follows a symbolic link to a folder and a
link loop cannot multiply the work. As in shell globs, a wildcard does not match a name starting with ".".
"""

from __future__ import annotations

import re
from collections.abc import Callable

_MAGIC = re.compile(r"[*?\[]")


def has_magic(pattern: str) -> bool:
    return _MAGIC.search(pattern) is not None


def _segment(part: str) -> str:
    """One path segment as a regex; a leading wildcard does not match hidden names."""
    out: list[str] = []
    index = 0
    while index < len(part):
        char = part[index]
        index += 1
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        elif char == "[" and part.find("]", index + 1) > 0:
            end = part.find("]", index + 1)
            body = part[index:end].replace("\\", "\\\\")
            out.append("[" + ("^" + body[1:] if body.startswith("!") else body) + "]")
            index = end + 1
        else:
            out.append(re.escape(char))
    body = "".join(out)
    return body if part.startswith(".") else f"(?!\\.){body}"


def split_pattern(pattern: str) -> tuple[str, Callable[[str], bool]]:
    """The literal folder prefix of `pattern` (may be empty or use ".."), and a matcher of paths below it."""
    parts = [part for part in pattern.replace("\\", "/").split("/") if part not in ("", ".")]
    literal: list[str] = []
    while parts and not has_magic(parts[0]):
        literal.append(parts.pop(0))
    regex = ""
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        if part == "**":
            regex += "(?:(?!\\.)[^/]+/)*" if not last else "(?:(?!\\.)[^/]+/)*(?!\\.)[^/]+"
        else:
            regex += _segment(part) + ("" if last else "/")
    compiled = re.compile(regex + r"\Z", re.DOTALL)
    return "/".join(literal), lambda path: compiled.match(path) is not None
