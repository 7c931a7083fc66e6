"""FlowiseVariable: a Flowise variable (`/variables`), `static` (its value) or `runtime` (the server's environment).

A variable has nowhere to carry a mark: it is this project's only when the state records it (or after
`assistplan import`). Flowise has no GET-by-id route for variables (that path answers with the UI's HTML page), so a
single variable is read from the list.
"""

from __future__ import annotations

from typing import Any

from assistplan.addrs import Address
from assistplan.errors import NotFoundError
from assistplan.kinds.base import Applied, DesireContext, LiveObject, Spec, manifest_spec, register
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.kinds.flowise_base import FlowiseContext, FlowiseKind
from assistplan.manifest.flowise_models import FlowiseVariableSpec
from assistplan.manifest.project import Resource


class FlowiseVariableKind(FlowiseKind):
    kind = "FlowiseVariable"
    spec_model = FlowiseVariableSpec
    path = "/variables"
    noun = "variable"

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = manifest_spec(resource, FlowiseVariableSpec)
        return {
            "name": resource.address.name if spec.display_name is None else spec.display_name,
            "type": spec.type,
            "value": "" if spec.type == "runtime" else spec.value,
        }

    def normalize(self, obj: LiveObject, inventory: Any) -> Spec:
        raw = obj.raw
        return {"name": raw.get("name"), "type": raw.get("type"), "value": raw.get("value")}

    def _body(self, address: str, spec: Spec) -> dict[str, Any]:
        return {"name": spec["name"], "type": spec["type"], "value": spec["value"]}

    def create(self, ctx: FlowiseContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        body = self._body(address, spec)

        def find() -> dict[str, Any] | None:
            listed = self.list_raw(provider)
            return next((raw for raw in listed if all(raw.get(k) == v for k, v in body.items())), None)

        raw = self.create_safely(address, lambda: provider.post(self.path, body, address=address), find)
        return Applied(self.live(raw, ctx.project))

    def update(self, ctx: FlowiseContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        raw = provider.put(f"{self.path}/{remote_id}", self._body(address, spec), address=address)
        return Applied(self.live(raw, ctx.project))

    def delete(self, ctx: FlowiseContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        provider.delete(f"{self.path}/{remote_id}", address=address)

    def read(self, ctx: FlowiseContext, remote_id: str, address: Address) -> LiveObject:
        provider = ctx.provider
        for raw in self.list_raw(provider):
            if raw["id"] == remote_id:
                return self.live(raw, "")
        raise NotFoundError(f"no Flowise variable has the id {remote_id}", address=address, operation="read")

    def stamp(self, ctx: FlowiseContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        return live

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.flowise_exports import export_variable

        return export_variable(self, obj, ctx)


register(FlowiseVariableKind())
