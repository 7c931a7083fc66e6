"""Renderers: pure functions from a plan view to text, Markdown or JSON; only the CLI prints them.

The names below are imported from their modules on first use, so that rendering one format loads only that one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistplan.render.json import render_json
    from assistplan.render.markdown import render_markdown
    from assistplan.render.text import render_text
    from assistplan.render.view import plan_view

__all__ = ["plan_view", "render_json", "render_markdown", "render_text"]

_MODULES = {
    "plan_view": "assistplan.render.view",
    "render_json": "assistplan.render.json",
    "render_markdown": "assistplan.render.markdown",
    "render_text": "assistplan.render.text",
}


def __getattr__(name: str) -> Any:
    if name not in _MODULES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(_MODULES[name]), name)
    globals()[name] = value
    return value
