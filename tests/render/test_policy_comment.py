"""What the pull-request comment says about policy: the high-impact banner and the Policy section."""

from __future__ import annotations

from typing import Any

from assistplan.addrs import Address
from assistplan.diagnostics import Diagnostic, SourcePos, SourceRange
from assistplan.kinds import registered
from assistplan.plan.model import Action, ActionReason, ChangeType, FieldChange, Plan, ResourceChange
from assistplan.render import plan_view, render_markdown
from assistplan.render.policy import high_impact, policy_warnings

from .plans import PROJECT, agent_spec, order_status_tool

CHANGED, ADDED = ChangeType.CHANGED, ChangeType.ADDED
KINDS = {name: kind.high_impact_paths for name, kind in registered().items()}
WEB_SEARCH = {"type": "web_search", "context_size": "medium", "mode": "live"}


def agent_update(before: dict[str, Any], after: dict[str, Any], *changes: FieldChange) -> ResourceChange:
    return ResourceChange(
        address=Address.of("Agent/support"),
        kind="Agent",
        name="support",
        action=Action.UPDATE,
        reason=ActionReason.MANIFEST_CHANGED,
        remote_id="agent_01",
        before=before,
        after=after,
        changes=changes,
    )


def view(*changes: ResourceChange) -> dict[str, Any]:
    return plan_view(Plan(project=PROJECT, resource_changes=changes), noops=False)


def spec(**fields: Any) -> dict[str, Any]:
    return {**agent_spec("support", instructions="Help.", tools=[order_status_tool(new=False)]), **fields}


def test_a_model_change_is_high_impact_with_both_values() -> None:
    change = agent_update(spec(), spec(model="gpt-5-mini"), FieldChange("model", CHANGED, "gpt-5", "gpt-5-mini"))
    assert high_impact(view(change)["resource_changes"], KINDS) == ["`Agent/support` model `gpt-5` → `gpt-5-mini`"]


def test_a_service_tier_change_is_high_impact() -> None:
    change = agent_update(
        spec(), spec(service_tier="priority"), FieldChange("service_tier", CHANGED, "auto", "priority")
    )
    lines = high_impact(view(change)["resource_changes"], KINDS)
    assert lines == ["`Agent/support` service\\_tier `auto` → `priority`"]


def test_tools_added_and_edited_are_named_by_type_and_name() -> None:
    before = spec()
    after = spec(tools=[order_status_tool(new=True), WEB_SEARCH])
    change = agent_update(
        before,
        after,
        FieldChange("tools[0].description", CHANGED, "old", "new"),
        FieldChange("tools[1]", ADDED, None, WEB_SEARCH),
    )
    assert high_impact(view(change)["resource_changes"], KINDS) == [
        "`Agent/support` tools: added `web_search`; changed `function get_order_status`"
    ]


def test_a_removed_tool_is_named() -> None:
    change = agent_update(spec(tools=[WEB_SEARCH]), spec(tools=[]), FieldChange("tools[0]", ChangeType.REMOVED))
    assert high_impact(view(change)["resource_changes"], KINDS) == ["`Agent/support` tools: removed `web_search`"]


def test_other_fields_and_creates_are_not_high_impact() -> None:
    instructions = agent_update(spec(), spec(instructions="Be brief."), FieldChange("instructions", CHANGED))
    create = ResourceChange(
        address=Address.of("Agent/new"),
        kind="Agent",
        name="new",
        action=Action.CREATE,
        reason=ActionReason.NEW,
        after=spec(),
    )
    assert high_impact(view(instructions, create)["resource_changes"], KINDS) == []


def test_the_banner_is_a_warning_alert_under_the_summary() -> None:
    change = agent_update(spec(), spec(model="gpt-5-mini"), FieldChange("model", CHANGED, "gpt-5", "gpt-5-mini"))
    comment = render_markdown(view(change), high_impact_paths=KINDS)
    banner = (
        "**Plan: 0 to add, 1 to change, 0 to destroy.**\n\n"
        "> [!WARNING]\n"
        "> **High-impact changes:**\n"
        "> - `Agent/support` model `gpt-5` → `gpt-5-mini`\n\n"
    )
    assert banner in comment


def test_without_high_impact_paths_there_is_no_banner() -> None:
    change = agent_update(spec(), spec(model="gpt-5-mini"), FieldChange("model", CHANGED, "gpt-5", "gpt-5-mini"))
    assert "High-impact" not in render_markdown(view(change))


def warning(line: int, message: str, rule: str, severity: str = "warning") -> Diagnostic:
    where = SourceRange(SourcePos("agents/support.yaml", line, 8))
    make = Diagnostic.warning if severity == "warning" else Diagnostic.error
    return make(message, range=where, address=Address.of("Agent/support"), detail=rule)


def test_policy_warnings_are_the_warnings_of_policy_rules() -> None:
    found = policy_warnings(
        [
            warning(3, 'model: "gpt-4o" is not an allowed model', 'policy.models allows "gpt-5*"'),
            warning(4, "node is deprecated", ""),
            warning(5, "error", "policy.models allows x", severity="error"),
        ]
    )
    assert found == [
        {
            "location": "agents/support.yaml:3:8",
            "address": "Agent/support",
            "message": 'model: "gpt-4o" is not an allowed model',
            "rule": 'policy.models allows "gpt-5*"',
        }
    ]


def test_the_policy_section_lists_each_warning_with_where_and_why() -> None:
    shown = view()
    shown["policy_warnings"] = policy_warnings(
        [warning(3, 'model: "gpt-4o" is not an allowed model', 'policy.models allows "gpt-5*"')]
    )
    comment = render_markdown(shown)
    assert (
        "#### Policy\n\n"
        "1 policy warning (rules set to `warning`: they do not fail the plan):\n\n"
        '- `agents/support.yaml:3:8` `Agent/support`: model: "gpt-4o" is not an allowed model '
        '(policy.models allows "gpt-5\\*")\n\n'
    ) in comment


def test_without_warnings_there_is_no_policy_section() -> None:
    assert "#### Policy" not in render_markdown(view())
