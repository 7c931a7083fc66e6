"""Hand-built plans for the renderer tests, with the data and path shapes the planner produces."""

from __future__ import annotations

from typing import Any

from assistplan.plan.model import (
    Action,
    ActionReason,
    ChangeType,
    Drift,
    FieldChange,
    Plan,
    PlanOptions,
    ResourceChange,
)

PROJECT = "acme-support"
CREATED_AT = "2026-11-20T09:30:00Z"

ADDED, REMOVED, CHANGED = ChangeType.ADDED, ChangeType.REMOVED, ChangeType.CHANGED

OLD_INSTRUCTIONS = """You are Acme's customer support agent.
Answer questions about orders, shipping and returns.
Always look up the order with get_order_status before answering.
Never promise a refund; hand refunds to a human.
Keep answers under 120 words.
Sign off with "— Acme Support"."""

NEW_INSTRUCTIONS = """You are Acme's customer support agent.
Answer questions about orders, shipping and returns.
Always look up the order with get_order_status before answering.
Offer a refund only when the return policy allows it, and quote the policy.
Keep answers under 120 words.
Format order numbers as code, for example:
```
A-10023
```
Sign off with "— Acme Support"."""

ESCALATION_INSTRUCTIONS = """You decide whether a conversation needs a human.
Escalate when the customer asks for a manager, mentions legal action, or is charged twice.
Otherwise answer with <details> of the next step."""


def order_status_schema(*, new: bool) -> dict[str, Any]:
    """The get_order_status parameters before (`new=False`) and after a change to the function manifest."""
    properties: dict[str, Any] = {
        "order_id": {"type": "string" if new else "integer", "description": "The order number, e.g. A-10023"},
        "channel": {"type": "string", "enum": ["web", "app", "store", *(["phone"] if new else [])]},
    }
    if new:
        properties["include_items"] = {"type": "boolean", "description": "Also list the items in the order"}
    else:
        properties["email"] = {"type": "string", "format": "email"}
    return {
        "type": "object",
        "properties": properties,
        "required": ["order_id", "include_items"] if new else ["order_id", "email"],
        "additionalProperties": False,
    }


def order_status_tool(*, new: bool) -> dict[str, Any]:
    return {
        "type": "function",
        "name": "get_order_status",
        "description": "Look up an order's status, carrier and delivery estimate"
        if new
        else "Look up an order's status",
        "parameters": order_status_schema(new=new),
        "defer_loading": False,
    }


def agent_spec(name: str, *, instructions: str, tools: list[dict[str, Any]], model: str = "gpt-5") -> dict[str, Any]:
    return {
        "name": name,
        "model": model,
        "instructions": instructions,
        "tools": tools,
        "reasoning": {"effort": "medium", "summary": None},
        "text": {"format": {"type": "text"}, "verbosity": "medium"},
        "service_tier": "auto",
        "metadata": {"team": "support"},
    }


def support_agent_update() -> ResourceChange:
    before = agent_spec("support", instructions=OLD_INSTRUCTIONS, tools=[order_status_tool(new=False)])
    after = agent_spec("support", instructions=NEW_INSTRUCTIONS, tools=[order_status_tool(new=True)])
    tool = "tools[0]"
    schema = f"{tool}.parameters"
    changes = (
        FieldChange("instructions", CHANGED, OLD_INSTRUCTIONS, NEW_INSTRUCTIONS),
        FieldChange(
            f"{tool}.description", CHANGED, before["tools"][0]["description"], after["tools"][0]["description"]
        ),
        FieldChange(f"{schema}.properties.channel.enum[3]", ADDED, None, "phone"),
        FieldChange(f"{schema}.properties.email", REMOVED, {"type": "string", "format": "email"}, None),
        FieldChange(
            f"{schema}.properties.include_items",
            ADDED,
            None,
            after["tools"][0]["parameters"]["properties"]["include_items"],
        ),
        FieldChange(f"{schema}.properties.order_id.type", CHANGED, "integer", "string"),
        FieldChange(f"{schema}.required[1]", CHANGED, "email", "include_items"),
    )
    return ResourceChange(
        address="Agent/support",
        kind="Agent",
        name="support",
        action=Action.UPDATE,
        reason=ActionReason.MANIFEST_CHANGED,
        remote_id="agent_01JD3SUPPORT",
        before=before,
        after=after,
        changes=changes,
        depends_on=(),
    )


def file_entry(sha: str, size: int) -> dict[str, Any]:
    return {"sha256": sha, "size": size}


def handbook_update() -> ResourceChange:
    before_files = {
        "handbook/faq.md": file_entry("3f79bb7b435b05321651daefd374cd21b3e9a3b4", 18_422),
        "handbook/old-prices.md": file_entry("a1d0c6e83f027327d8461063f4ac58a6b7c7a23b", 2_310),
        "handbook/shipping.md": file_entry("9b74c9897bac770ffc029102a200c5de0e5f7d11", 7_950),
    }
    after_files = {
        "handbook/faq.md": file_entry("c3499c2729730a7f807efb8676a92dcb6f8a3f8f", 19_004),
        "handbook/returns.md": file_entry("e4d909c290d0fb1ca068ffaddf22cbd0a1e7f1c2", 1_248_901),
        "handbook/shipping.md": file_entry("9b74c9897bac770ffc029102a200c5de0e5f7d11", 7_950),
    }
    spec = {
        "name": "handbook",
        "description": "Support handbook",
        "chunking": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
        "expires_after_days": None,
        "metadata": {"owner": "support"},
    }
    faq = 'files["handbook/faq.md"]'
    changes = (
        FieldChange(
            f"{faq}.sha256",
            CHANGED,
            before_files["handbook/faq.md"]["sha256"],
            after_files["handbook/faq.md"]["sha256"],
        ),
        FieldChange(f"{faq}.size", CHANGED, 18_422, 19_004),
        FieldChange('files["handbook/old-prices.md"]', REMOVED, before_files["handbook/old-prices.md"], None),
        FieldChange('files["handbook/returns.md"]', ADDED, None, after_files["handbook/returns.md"]),
        FieldChange("metadata.owner", CHANGED, "support", "support-ops"),
    )
    return ResourceChange(
        address="VectorStore/handbook",
        kind="VectorStore",
        name="handbook",
        action=Action.UPDATE,
        reason=ActionReason.MANIFEST_CHANGED,
        remote_id="vs_68a1handbook",
        before={**spec, "files": before_files},
        after={**spec, "metadata": {"owner": "support-ops"}, "files": after_files},
        changes=changes,
    )


def archive_replace() -> ResourceChange:
    before = {
        "name": "archive",
        "description": "Old tickets",
        "chunking": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400},
        "expires_after_days": 30,
        "metadata": {},
        "files": {},
    }
    after = {
        **before,
        "description": "Resolved tickets, 2025-2026",
        "chunking": {**before["chunking"], "max_chunk_size_tokens": 1200},
    }
    changes = (
        FieldChange("chunking.max_chunk_size_tokens", CHANGED, 800, 1200, forces_replace=True),
        FieldChange("description", CHANGED, "Old tickets", "Resolved tickets, 2025-2026", forces_replace=True),
    )
    return ResourceChange(
        address="VectorStore/archive",
        kind="VectorStore",
        name="archive",
        action=Action.REPLACE,
        reason=ActionReason.REPLACE_BECAUSE_CANNOT_UPDATE,
        remote_id="vs_68a1archive",
        before=before,
        after=after,
        changes=changes,
    )


def escalation_create() -> ResourceChange:
    tool = {
        "type": "function",
        "name": "open_ticket",
        "description": "Open a ticket for a human agent",
        "parameters": {
            "type": "object",
            "properties": {"summary": {"type": "string"}, "priority": {"type": "string", "enum": ["low", "high"]}},
            "required": ["summary", "priority"],
            "additionalProperties": False,
        },
        "defer_loading": False,
    }
    return ResourceChange(
        address="Agent/escalation",
        kind="Agent",
        name="escalation",
        action=Action.CREATE,
        reason=ActionReason.NEW,
        after=agent_spec("escalation", instructions=ESCALATION_INSTRUCTIONS, tools=[tool], model="gpt-5-mini"),
    )


def legacy_triage_delete() -> ResourceChange:
    return ResourceChange(
        address="Assistant/legacy-triage",
        kind="Assistant",
        name="legacy-triage",
        action=Action.DELETE,
        reason=ActionReason.REMOVED_FROM_MANIFEST,
        remote_id="asst_9kLegacyTriage",
        before={
            "name": "legacy-triage",
            "model": "gpt-4o",
            "description": "Routes tickets (Assistants API)",
            "instructions": "Route each ticket to billing, shipping or returns.",
            "tools": [{"type": "code_interpreter"}],
            "metadata": {},
        },
    )


def returns_bot_forget() -> ResourceChange:
    return ResourceChange(
        address="Assistant/returns-bot",
        kind="Assistant",
        name="returns-bot",
        action=Action.FORGET,
        reason=ActionReason.ALREADY_GONE,
        remote_id="asst_7hReturnsBot",
    )


def refund_policy_noop() -> ResourceChange:
    spec = {
        "path": "knowledge/refund-policy.pdf",
        "purpose": "assistants",
        "sha256": "5d41402abc4b2a76b972",
        "size": 48_213,
    }
    return ResourceChange(
        address="File/refund-policy",
        kind="File",
        name="refund-policy",
        action=Action.NOOP,
        remote_id="file-2QmRefundPolicy",
        before=spec,
        after=spec,
    )


def billing_revert_drift() -> ResourceChange:
    before = agent_spec("billing", instructions="Answer billing questions.", tools=[], model="gpt-4.1")
    after = agent_spec("billing", instructions="Answer billing questions.", tools=[])
    return ResourceChange(
        address="Agent/billing",
        kind="Agent",
        name="billing",
        action=Action.UPDATE,
        reason=ActionReason.DRIFT,
        remote_id="agent_01JD3BILLING",
        before=before,
        after=after,
        changes=(FieldChange("model", CHANGED, "gpt-4.1", "gpt-5"),),
    )


def billing_drift() -> Drift:
    return Drift(
        address="Agent/billing",
        kind="Agent",
        name="billing",
        remote_id="agent_01JD3BILLING",
        changes=(
            FieldChange("metadata.edited_by", ADDED, None, "dashboard"),
            FieldChange("model", CHANGED, "gpt-5", "gpt-4.1"),
        ),
    )


def scratch_deleted_drift() -> Drift:
    return Drift(
        address="VectorStore/scratch", kind="VectorStore", name="scratch", remote_id="vs_68a1scratch", deleted=True
    )


def plan(*changes: ResourceChange, drift: tuple[Drift, ...] = (), options: PlanOptions | None = None) -> Plan:
    return Plan(
        project=PROJECT,
        resource_changes=changes,
        drift=drift,
        options=options or PlanOptions(),
        state_lineage="5f0c9a52-8d1e-4c1b-9a57-2d7f3f0e6b11",
        state_serial=42,
        created_at=CREATED_AT,
    )


def every_action_plan() -> Plan:
    """Create, update (instructions and a function schema), replace, delete, forget and no-op, plus drift."""
    return plan(
        refund_policy_noop(),
        handbook_update(),
        archive_replace(),
        support_agent_update(),
        billing_revert_drift(),
        escalation_create(),
        legacy_triage_delete(),
        returns_bot_forget(),
        drift=(billing_drift(), scratch_deleted_drift()),
    )


def no_changes_plan() -> Plan:
    return plan(refund_policy_noop())


def drift_only_plan() -> Plan:
    """Drift in a field the manifest ignores (`lifecycle.ignore_changes: [metadata]`): nothing to revert."""
    drift = Drift(
        address="Agent/billing",
        kind="Agent",
        name="billing",
        remote_id="agent_01JD3BILLING",
        changes=(FieldChange("metadata.edited_by", ADDED, None, "dashboard"),),
    )
    return plan(refund_policy_noop(), drift=(drift,))


def refresh_only_plan() -> Plan:
    return plan(refund_policy_noop(), drift=(billing_drift(),), options=PlanOptions(refresh_only=True))


def creates_only_plan() -> Plan:
    returns_form = ResourceChange(
        address="File/returns-form",
        kind="File",
        name="returns-form",
        action=Action.CREATE,
        reason=ActionReason.NEW,
        after={
            "path": "knowledge/returns-form.pdf",
            "purpose": "assistants",
            "sha256": "7c211433f02071597741",
            "size": 96_004,
        },
    )
    return plan(escalation_create(), returns_form)


def big_plan(count: int) -> Plan:
    """`count` agents, each with long instructions rewritten line by line: far more than one comment can hold."""
    changes = []
    for i in range(count):
        old = "\n".join(f"Rule {n}: answer questions about product line {i}-{n} politely." for n in range(40))
        new = "\n".join(
            f"Rule {n}: answer questions about product line {i}-{n} briefly and politely." for n in range(40)
        )
        name = f"product-{i:03d}"
        changes.append(
            ResourceChange(
                address=f"Agent/{name}",
                kind="Agent",
                name=name,
                action=Action.UPDATE,
                reason=ActionReason.MANIFEST_CHANGED,
                remote_id=f"agent_{i:06d}",
                before=agent_spec(name, instructions=old, tools=[]),
                after=agent_spec(name, instructions=new, tools=[]),
                changes=(FieldChange("instructions", CHANGED, old, new),),
            )
        )
    return plan(*changes)
