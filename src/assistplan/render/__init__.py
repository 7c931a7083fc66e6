"""Renderers: pure functions from a plan view to text, Markdown or JSON; only the CLI prints them."""

from assistplan.render.json import render_json
from assistplan.render.markdown import render_markdown
from assistplan.render.text import render_text
from assistplan.render.view import plan_view

__all__ = ["plan_view", "render_json", "render_markdown", "render_text"]
