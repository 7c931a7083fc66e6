"""The picture in the pull-request comment: a Mermaid chart of the resources a plan changes and of everything that
depends on them, drawn when the plan changes more than a few resources and left out when the comment would not fit
with it."""

from __future__ import annotations

from typing import Any

from assistplan.render import words
from assistplan.render.graph import graph_of, reached, to_mermaid
from assistplan.render.mdparts import Block, fence

PICTURE_ABOVE = 3
"""The picture is drawn when the plan changes more resources than this."""
PICTURE_MAX_NODES = 100
"""A larger picture is not drawn (GitHub would render it too small to read)."""


def picture_blocks(view: dict[str, Any]) -> list[Block]:
    """The picture of what the plan reaches, as one optional block; none for a plan that changes a few resources."""
    changes = words.changed(view)
    if len(changes) <= PICTURE_ABOVE:
        return []
    depends_on = {rc["address"]: rc["depends_on"] for rc in view["resource_changes"]}
    depends_on.update({item["address"]: item["depends_on"] for item in view.get("unchanged_dependents", ())})
    actions = {rc["address"]: words.action_of(rc) for rc in changes}
    graph = reached(graph_of(depends_on, actions))
    if len(graph.nodes) > PICTURE_MAX_NODES:
        return []
    text = (
        "#### What the changes reach\n\n"
        "The resources this plan changes and everything that depends on them; an arrow points from a resource to "
        "what depends on it.\n\n" + fence(to_mermaid(graph).splitlines(), "mermaid") + "\n\n"
    )
    return [Block(lambda: text, optional=True)]
