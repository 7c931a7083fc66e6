"""How exported manifests look on disk: `# ` comments, then the document as YAML with multi-line texts as literal
blocks, kept verbatim by the templating that every manifest goes through."""

from __future__ import annotations

import textwrap
from typing import Any

import yaml

from assistplan.kinds.exporting import Exported

TEMPLATE_MARKS = ("{{", "{%", "{#")
COMMENT_WIDTH = 118


class _Dumper(yaml.SafeDumper):
    """Block style for multi-line strings (when the block keeps them exactly), flow style for nothing."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    if "\n" in value and "\r" not in value and not any(line != line.rstrip() for line in value.splitlines()):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_Dumper.add_representer(str, _string)


def document_text(exported: Exported) -> str:
    """The manifest file's text: comments, then the document. Text that looks like a template is wrapped in
    `{% raw %}` so that rendering the manifest leaves it as it is."""
    text = _dump(exported.document)
    lines = [wrapped for line in exported.comments for wrapped in textwrap.wrap(line, COMMENT_WIDTH) or [""]]
    comments = "".join(f"# {line}\n" if line else "#\n" for line in lines)
    if any(mark in text for mark in TEMPLATE_MARKS):
        return f"{comments}# {{% raw %}} (not a template)\n{text}# {{% endraw %}}\n"
    return comments + text


def _dump(document: dict[str, Any]) -> str:
    text = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
    if yaml.safe_load(text) == document:
        return text
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=120)
