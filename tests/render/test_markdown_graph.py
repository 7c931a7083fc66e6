"""The picture of what a plan reaches in the pull-request comment, and the graph's DOT and Mermaid text."""

from __future__ import annotations

from syrupy.assertion import SnapshotAssertion

from assistplan.addrs import Address
from assistplan.plan.model import Action, Plan, ResourceChange
from assistplan.render import plan_view, render_markdown
from assistplan.render.graph import graph_of, reached, to_dot, to_mermaid
from assistplan.render.mdgraph import picture_blocks

from .plans import plan


def resource(address: str, action: Action, *depends_on: str) -> ResourceChange:
    kind, _, name = address.partition("/")
    return ResourceChange(
        address=Address.of(address),
        kind=kind,
        name=name,
        action=action,
        remote_id=None if action is Action.CREATE else f"{name}-1",
        depends_on=tuple(Address.of(d) for d in depends_on),
    )


def stack(*changes: ResourceChange) -> Plan:
    """A store, the assistant and the agent that use it, an automation of the agent and an unrelated file."""
    return plan(
        *changes,
        resource("File/prices", Action.NOOP),
    )


FOUR_CHANGES = stack(
    resource("VectorStore/handbook", Action.REPLACE),
    resource("Assistant/support", Action.UPDATE, "VectorStore/handbook"),
    resource("Agent/helpdesk", Action.UPDATE),
    resource("Agent/escalation", Action.CREATE),
    resource("Automation/nightly", Action.NOOP, "Agent/helpdesk"),
    resource("Automation/weekly", Action.NOOP, "Automation/nightly"),
    resource("Agent/legacy", Action.DELETE),
)


def comment(p: Plan, *, max_chars: int = 60_000) -> str:
    return render_markdown(plan_view(p, noops=False), max_chars=max_chars)


def test_markdown_picture_of_what_the_changes_reach(md_snapshot: SnapshotAssertion) -> None:
    [block] = picture_blocks(plan_view(FOUR_CHANGES, noops=False))

    assert block.text == md_snapshot


def test_the_picture_shows_unchanged_dependents_and_leaves_out_the_rest() -> None:
    text = comment(FOUR_CHANGES)

    assert '["Automation/weekly"]' in text
    assert "File/prices" not in text


def test_the_picture_is_the_same_from_the_full_view() -> None:
    full = picture_blocks(plan_view(FOUR_CHANGES))
    compact = picture_blocks(plan_view(FOUR_CHANGES, noops=False))

    assert [b.text for b in full] == [b.text for b in compact]


def test_a_plan_that_changes_three_resources_has_no_picture() -> None:
    small = stack(
        resource("VectorStore/handbook", Action.REPLACE),
        resource("Assistant/support", Action.UPDATE, "VectorStore/handbook"),
        resource("Agent/helpdesk", Action.UPDATE),
    )

    assert "```mermaid" not in comment(small)


def test_the_picture_is_left_out_before_any_change_when_the_comment_is_too_long() -> None:
    with_picture = comment(FOUR_CHANGES)
    picture = picture_blocks(plan_view(FOUR_CHANGES, noops=False))[0].text

    text = comment(FOUR_CHANGES, max_chars=len(with_picture) - 1)

    assert "```mermaid" not in text
    assert len(text) == len(with_picture) - len(picture)
    assert "not shown" not in text


def test_dot_draws_an_arrow_from_a_resource_to_what_depends_on_it() -> None:
    graph = graph_of({"VectorStore/kb": [], "Agent/bot": ["VectorStore/kb"]}, {"VectorStore/kb": "replace"})

    assert to_dot(graph) == (
        "digraph assistplan {\n"
        "  rankdir=LR;\n"
        '  node [shape=box, fontname="Helvetica"];\n'
        '  "VectorStore/kb" [label="-/+ VectorStore/kb", style=filled, fillcolor="#fbefff", color="#8250df"];\n'
        '  "Agent/bot" [label="Agent/bot"];\n'
        '  "VectorStore/kb" -> "Agent/bot";\n'
        "}\n"
    )


def test_mermaid_names_nodes_by_position_and_labels_them_with_the_address() -> None:
    graph = graph_of({"VectorStore/kb": [], "Agent/bot": ["VectorStore/kb"]})

    assert to_mermaid(graph) == 'flowchart LR\n  n0["VectorStore/kb"]\n  n1["Agent/bot"]\n  n0 --> n1\n'


def test_reached_keeps_changes_and_their_dependents_transitively() -> None:
    graph = graph_of(
        {"Skill/s": [], "EnvironmentTemplate/t": ["Skill/s"], "Automation/a": ["EnvironmentTemplate/t"], "Vault/v": []},
        {"Skill/s": "update"},
    )

    assert reached(graph).nodes == ("Skill/s", "EnvironmentTemplate/t", "Automation/a")
