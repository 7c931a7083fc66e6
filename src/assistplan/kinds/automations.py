"""Automation: an Agents platform automation (`/agents/automations`, beta header agents=v1) that starts a new session
of a saved Agent on a cron schedule or once.

Automations carry metadata, so they carry the project's labels; the API has no metadata filter for them, so the
whole collection is listed and matched here. Automations an agent created for itself (`created_by.type: agent`) are
never the project's. The target's metadata is stamped with the project and address too, so the sessions an
automation starts can be traced back to it.

The normalized spec is flat: `type`, the schedule (`expression` and `timezone`, or `run_at` in Unix seconds), the
target's `agent`, `environment_template` (None for a `{type: none}` environment) and `vaults` as addresses,
`input` as the API reads it back, `metadata`, and `paused`. A `type` or target type change replaces the automation;
so does a new `run_at` once the one-off has run (`delivered_run_at`, the run_at of a completed one-off, is taken from
the live object while the manifest keeps the same time). Everything else is updated in place; `paused` goes through
pause and resume, except on a completed one-off, which the API neither pauses nor resumes: its live `paused` is
taken as desired. A pause the service made itself (`pause_reason: target_session_failed`) is never resumed
silently: while the manifest says `paused: false` the plan shows the reason going away and `paused` going back,
and only applying that plan resumes it.
"""

from __future__ import annotations

import json
from typing import Any

from assistplan.addrs import Address, reference
from assistplan.kinds.base import (
    LABEL_ADDRESS,
    LABEL_PROJECT,
    Applied,
    DesireContext,
    Inventory,
    Kind,
    LiveObject,
    OpenAIContext,
    Spec,
    find_stamped,
    manifest_spec,
    owned_objects,
    prune,
    read_object,
    register,
    stamp_metadata,
    user_metadata,
)
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.manifest.automation_models import AutomationSpec, run_at_seconds
from assistplan.manifest.project import Resource
from assistplan.providers.openai import OpenAIApi, call, collection, create_safely

PATH = "/agents/automations"
DELIVERED = "delivered_run_at"
PAUSE_REASON = "pause_reason"


def _messages(value: str | list[Any]) -> list[dict[str, Any]]:
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": [{"type": "input_text", "text": value}]}]
    return [
        {"type": "message", "role": "user", "content": [part.model_dump(mode="json") for part in message.content]}
        for message in value
    ]


def _environment(raw: dict[str, Any], inventory: Inventory) -> Any:
    """None for no environment, a template's address for a hosted environment that only names one, else the
    environment as read (pruned of its nulls)."""
    if raw.get("type") == "none":
        return None
    template = raw.get("environment_template_id")
    rest = prune({k: v for k, v in raw.items() if k not in ("type", "environment_template_id")})
    if raw.get("type") == "openai_hosted" and template and not rest:
        return inventory.id_to_address.get(template, template)
    return prune(raw)


class AutomationKind(Kind):
    kind = "Automation"
    spec_model = AutomationSpec
    depends_on = ("Agent", "EnvironmentTemplate", "Vault")
    replace_paths = frozenset({"type", "target_type", DELIVERED})
    fields_in_labels = True

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = manifest_spec(resource, AutomationSpec)
        desired: Spec = {"name": spec.display_name or resource.address.name}
        if spec.schedule is not None:
            desired.update(type="periodic", expression=spec.schedule.cron, timezone=spec.schedule.timezone)
        else:
            assert spec.run_at is not None
            desired.update({"type": "once", "run_at": run_at_seconds(spec.run_at), DELIVERED: None})
        template = spec.environment_template
        desired.update(
            target_type="new_session",
            agent=reference("Agent", spec.agent),
            environment_template=reference("EnvironmentTemplate", template) if template else None,
            vaults=[reference("Vault", name) for name in spec.vaults],
            input=_messages(spec.input),
            metadata=dict(spec.metadata),
            paused=spec.paused,
        )
        return desired

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        folded = dict(desired)
        if live.get(PAUSE_REASON) and desired.get("paused"):
            folded[PAUSE_REASON] = live[PAUSE_REASON]
        delivered = live.get(DELIVERED)
        if desired.get("type") == "once" and delivered is not None and delivered == desired.get("run_at"):
            # a completed one-off has run and will not run again: it can no longer be paused, nor resumed
            folded.update({DELIVERED: delivered, "paused": live.get("paused")})
        return folded

    def reference_paths(self, spec: Spec) -> dict[str, str]:
        paths = {"agent": spec["agent"]} if isinstance(spec.get("agent"), str) else {}
        if isinstance(spec.get("environment_template"), str):
            paths["environment_template"] = spec["environment_template"]
        paths.update({f"vaults[{i}]": vault for i, vault in enumerate(spec.get("vaults") or [])})
        return paths

    def normalize(self, obj: LiveObject, inventory: Inventory) -> Spec:
        raw = obj.raw
        target = raw.get("target") or {}
        ids = inventory.id_to_address
        spec: Spec = {"name": raw.get("name"), "type": raw.get("type")}
        if raw.get("type") == "periodic":
            spec.update(expression=raw.get("expression"), timezone=raw.get("timezone"))
        else:
            delivered = raw.get("run_at") if raw.get("status") == "completed" else None
            spec.update({"run_at": raw.get("run_at"), DELIVERED: delivered})
        agent_id = target.get("agent_id")
        spec.update(
            target_type=target.get("type"),
            agent=ids.get(agent_id, agent_id) if agent_id else prune(target.get("agent")),
            environment_template=_environment(target.get("environment") or {"type": "none"}, inventory),
            vaults=[ids.get(vault, vault) for vault in target.get("vault_ids") or []],
            input=[
                {"type": "message", "role": item.get("role", "user"), "content": item.get("content") or []}
                for item in target.get("input") or []
            ],
            metadata=user_metadata(raw.get("metadata")),
            paused=raw.get("status") == "paused",
        )
        if target.get("type") == "existing_session":
            spec.update(agent=None, session_id=target.get("session_id"), instructions=target.get("instructions"))
        if raw.get(PAUSE_REASON):
            spec[PAUSE_REASON] = raw[PAUSE_REASON]
        return spec

    def refresh(self, ctx: OpenAIContext) -> list[LiveObject]:
        objects = owned_objects(ctx, self.kind, PATH, "automation")
        return [obj for obj in objects if (obj.raw.get("created_by") or {}).get("type") != "agent"]

    def _target(self, ctx: OpenAIContext, address: str, spec: Spec) -> dict[str, Any]:
        template = spec.get("environment_template")
        environment: dict[str, Any] = {"type": "none"}
        if template:
            environment = {"type": "openai_hosted", "environment_template_id": ctx.remote_id(template)}
        return {
            "type": "new_session",
            "agent_id": ctx.remote_id(spec["agent"]),
            "environment": environment,
            "input": spec["input"],
            "metadata": {LABEL_PROJECT: ctx.project, LABEL_ADDRESS: address},
            "vault_ids": [ctx.remote_id(vault) for vault in spec["vaults"]],
        }

    def _body(self, ctx: OpenAIContext, address: Address, spec: Spec, *, run_at: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": spec["name"],
            "target": self._target(ctx, address, spec),
            "metadata": {**spec["metadata"], **ctx.labels(address)},
        }
        if spec["type"] == "periodic":
            body.update(expression=spec["expression"], timezone=spec["timezone"])
        elif run_at:
            body["run_at"] = spec["run_at"]
        return body

    def create(self, ctx: OpenAIContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        body = {"type": spec["type"], **self._body(ctx, address, spec, run_at=True)}
        raw: dict[str, Any] = create_safely(
            provider,
            address=address,
            create=lambda client: json.loads(client.beta.agents.automations.with_raw_response.create(**body).text),
            find_existing=lambda: find_stamped(
                provider.list_objects(PATH, address=address, operation="look up"), ctx.project, address
            ),
        )
        if spec["paused"] and raw.get("status") != "paused":
            raw = _switch(provider, address, raw["id"], "pause")
        return Applied(LiveObject.from_metadata(self.kind, raw))

    def update(self, ctx: OpenAIContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        body = self._body(ctx, address, spec, run_at=before.get("run_at") != spec.get("run_at"))
        raw: dict[str, Any] = call(
            lambda: json.loads(
                provider.client.beta.agents.automations.with_raw_response.update(remote_id, **body).text
            ),
            address=address,
            operation="update",
        )
        if spec["paused"] and raw.get("status") == "active":
            raw = _switch(provider, address, remote_id, "pause")
        elif not spec["paused"] and raw.get("status") == "paused":
            raw = _switch(provider, address, remote_id, "resume")
        return Applied(LiveObject.from_metadata(self.kind, raw))

    def delete(self, ctx: OpenAIContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        call(lambda: provider.client.beta.agents.automations.delete(remote_id), address=address, operation="delete")

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.platform_exports import export_automation

        return export_automation(self, obj, ctx)

    def read(self, ctx: OpenAIContext, remote_id: str, address: Address) -> LiveObject:
        return LiveObject.from_metadata(self.kind, read_object(ctx, f"{PATH}/{remote_id}", address))

    def stamp(self, ctx: OpenAIContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        return LiveObject.from_metadata(self.kind, stamp_metadata(ctx, f"{PATH}/{live.id}", address, live, stamp))


def _switch(provider: OpenAIApi, address: str, remote_id: str, verb: str) -> dict[str, Any]:
    """Pause or resume (no body); the automation as it then is."""
    automations = provider.client.beta.agents.automations.with_raw_response
    action = automations.pause if verb == "pause" else automations.resume
    raw: dict[str, Any] = call(lambda: json.loads(action(remote_id).text), address=address, operation=verb)
    return raw


collection("/agents/automations", beta="agents=v1", two_ended=True)
register(AutomationKind())
