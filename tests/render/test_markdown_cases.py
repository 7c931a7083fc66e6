"""Pull-request comments for the two changes reviewers read most closely: a prompt rewrite and a function schema
change (which reaches every assistant and agent that uses the function)."""

from __future__ import annotations

from typing import Any

from syrupy.assertion import SnapshotAssertion

from assistplan.plan.model import Action, ActionReason, ChangeType, FieldChange, Plan, ResourceChange
from assistplan.render import plan_view, render_markdown

from .plans import NEW_INSTRUCTIONS, OLD_INSTRUCTIONS, agent_spec, order_status_schema, order_status_tool, plan

COMMIT = "9c1e5d0b7a3f4e2d8c6b1a0f9e8d7c6b5a4f3e2d"
CHANGED, ADDED, REMOVED = ChangeType.CHANGED, ChangeType.ADDED, ChangeType.REMOVED


def instructions_change_plan() -> Plan:
    before = agent_spec("support", instructions=OLD_INSTRUCTIONS, tools=[])
    after = agent_spec("support", instructions=NEW_INSTRUCTIONS, tools=[])
    change = ResourceChange(
        address="Agent/support",
        kind="Agent",
        name="support",
        action=Action.UPDATE,
        reason=ActionReason.MANIFEST_CHANGED,
        remote_id="agent_01JD3SUPPORT",
        before=before,
        after=after,
        changes=(FieldChange("instructions", CHANGED, OLD_INSTRUCTIONS, NEW_INSTRUCTIONS),),
    )
    return plan(change)


def assistant_spec(*, new: bool) -> dict[str, Any]:
    """An Assistants API v2 assistant: its function tools nest the function under `function`."""
    tool = order_status_tool(new=new)
    return {
        "name": "support",
        "model": "gpt-4o",
        "instructions": "Answer from the handbook.",
        "tools": [
            {"type": "code_interpreter"},
            {"type": "file_search"},
            {
                "type": "function",
                "function": {
                    "name": "get_order_status",
                    "description": tool["description"],
                    "parameters": order_status_schema(new=new),
                    "strict": True,
                },
            },
        ],
        "metadata": {},
    }


def schema_changes(prefix: str, description: tuple[str, str]) -> tuple[FieldChange, ...]:
    """The field changes the planner reports when the get_order_status Function manifest changes."""
    new = order_status_schema(new=True)
    return (
        FieldChange(f"{prefix}.description", CHANGED, *description),
        FieldChange(f"{prefix}.parameters.properties.channel.enum[3]", ADDED, None, "phone"),
        FieldChange(f"{prefix}.parameters.properties.email", REMOVED, {"type": "string", "format": "email"}, None),
        FieldChange(f"{prefix}.parameters.properties.include_items", ADDED, None, new["properties"]["include_items"]),
        FieldChange(f"{prefix}.parameters.properties.order_id.type", CHANGED, "integer", "string"),
        FieldChange(f"{prefix}.parameters.required[1]", CHANGED, "email", "include_items"),
    )


def function_schema_change_plan() -> Plan:
    description = (order_status_tool(new=False)["description"], order_status_tool(new=True)["description"])
    assistant = ResourceChange(
        address="Assistant/support",
        kind="Assistant",
        name="support",
        action=Action.UPDATE,
        reason=ActionReason.MANIFEST_CHANGED,
        remote_id="asst_9kSupport",
        before=assistant_spec(new=False),
        after=assistant_spec(new=True),
        changes=schema_changes("tools[2].function", description),
    )
    agent = ResourceChange(
        address="Agent/support",
        kind="Agent",
        name="support",
        action=Action.UPDATE,
        reason=ActionReason.MANIFEST_CHANGED,
        remote_id="agent_01JD3SUPPORT",
        before=agent_spec("support", instructions=OLD_INSTRUCTIONS, tools=[order_status_tool(new=False)]),
        after=agent_spec("support", instructions=OLD_INSTRUCTIONS, tools=[order_status_tool(new=True)]),
        changes=schema_changes("tools[0]", description),
    )
    return plan(assistant, agent)


def markdown(p: Plan) -> str:
    return render_markdown(plan_view(p), commit=COMMIT)


def test_markdown_instructions_change(md_snapshot: SnapshotAssertion) -> None:
    assert markdown(instructions_change_plan()) == md_snapshot


def test_markdown_function_schema_change(md_snapshot: SnapshotAssertion) -> None:
    assert markdown(function_schema_change_plan()) == md_snapshot


def test_an_instructions_change_is_a_unified_diff_not_a_table_row() -> None:
    out = markdown(instructions_change_plan())

    assert "| `~` | `instructions` |" not in out
    assert "-Never promise a refund; hand refunds to a human.\n+Offer a refund only when" in out


def test_a_function_schema_change_is_listed_by_property_for_assistants_and_agents_alike() -> None:
    out = markdown(function_schema_change_plan())
    assistant, agent = out.split("<details>")[1:]

    for section in (assistant, agent):
        assert "- `get_order_status`: parameters changed\n" in section
        assert "  - `order_id`: type `integer` → `string`\n" in section
        assert "  - parameters: required added `include_items`; removed `email`\n" in section
        assert ".parameters." not in section
    assert "| `~` | `tools[2].function.description` |" in assistant
    assert "| `~` | `tools[0].description` |" in agent
