"""FlowiseTool: a Flowise custom tool (`/tools`) whose description and schema rows come from a Function.

Flowise tools carry no metadata, so the tool's JavaScript is headed by a one-line comment naming the project, the
address and the applied digest; it is stripped again when the tool is read, so plans and exports show the code as
written. A comment is inert where Flowise runs the code (it wraps it in an async function body). Without `color`
or `icon` in the manifest the tool keeps what it has (a new tool gets a colour made from its name).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from typing import Any

from assistplan.addrs import Address
from assistplan.kinds.base import (
    LABEL_ADDRESS,
    LABEL_DIGEST,
    LABEL_PROJECT,
    Applied,
    DesireContext,
    LiveObject,
    Spec,
    manifest_spec,
    register,
)
from assistplan.kinds.exporting import ExportContext, Exported
from assistplan.kinds.flowise_base import UNMARKED, FlowiseContext, FlowiseKind, Identity
from assistplan.manifest.flowise_models import FlowiseToolSpec
from assistplan.manifest.flowise_schema import normalize_rows, payload_rows, rows_from_schema
from assistplan.manifest.project import Resource
from assistplan.providers.flowise import FlowiseApi

_MARK = re.compile(r"\A/\* assistplan: project=(\S+) address=(\S+) digest=(\S*) [^\n]*?\*/\n")


def mark(code: str, labels: Mapping[str, str]) -> str:
    """The code headed by the comment that tells which project and address the tool belongs to."""
    project, address, digest = labels[LABEL_PROJECT], labels[LABEL_ADDRESS], labels[LABEL_DIGEST]
    return (
        f"/* assistplan: project={project} address={address} digest={digest} "
        "(managed in git: edits made in Flowise are undone by the next apply) */\n" + code
    )


def split_mark(func: str) -> tuple[Identity, str]:
    """The identity a tool's code names, and the code without the comment."""
    found = _MARK.match(func)
    if found is None:
        return UNMARKED, func
    return (found[1], found[2], found[3]), func[found.end() :]


def default_color(name: str) -> str:
    """A gradient like the ones the Flowise editor picks, fixed by the tool's name."""
    seed = hashlib.sha256(name.encode()).digest()
    return f"linear-gradient(rgb({seed[0]},{seed[1]},{seed[2]}), rgb({seed[3]},{seed[4]},{seed[5]}))"


class FlowiseToolKind(FlowiseKind):
    kind = "FlowiseTool"
    spec_model = FlowiseToolSpec
    depends_on = ("Function",)
    path = "/tools"
    noun = "tool"

    def desired(self, resource: Resource, ctx: DesireContext) -> Spec:
        spec = manifest_spec(resource, FlowiseToolSpec)
        function = resource.functions()[spec.function]
        return {
            "name": resource.address.name if spec.display_name is None else spec.display_name,
            "description": function["description"],
            "schema": rows_from_schema(function["parameters"]),
            "code": spec.code or "",
            "color": spec.color,
            "icon": spec.icon,
        }

    def fold_live(self, desired: Spec, live: Spec) -> Spec:
        folded = dict(desired)
        for key in ("color", "icon"):
            if folded.get(key) is None:
                folded[key] = live.get(key)
        return folded

    def identify(self, raw: dict[str, Any], project: str) -> Identity:
        return split_mark(str(raw.get("func") or ""))[0]

    def normalize(self, obj: LiveObject, inventory: Any) -> Spec:
        raw = obj.raw
        return {
            "name": raw.get("name"),
            "description": raw.get("description"),
            "schema": normalize_rows(raw.get("schema") or "[]"),
            "code": split_mark(str(raw.get("func") or ""))[1],
            "color": raw.get("color"),
            "icon": raw.get("iconSrc"),
        }

    def _body(self, ctx: FlowiseContext, address: Address, spec: Spec) -> dict[str, Any]:
        body = {
            "name": spec["name"],
            "description": spec["description"],
            "schema": payload_rows(spec["schema"]),
            "func": mark(spec["code"], ctx.labels(address)),
            "color": spec.get("color") or default_color(spec["name"]),
        }
        if spec.get("icon") is not None:
            body["iconSrc"] = spec["icon"]
        return body

    def _find(self, provider: FlowiseApi, project: str, address: str) -> dict[str, Any] | None:
        for raw in self.list_raw(provider):
            owner, marked, _ = self.identify(raw, project)
            if (owner, marked) == (project, address):
                return raw
        return None

    def create(self, ctx: FlowiseContext, address: Address, spec: Spec) -> Applied:
        provider = ctx.provider
        body = self._body(ctx, address, spec)
        raw = self.create_safely(
            address,
            lambda: provider.post(self.path, body, address=address),
            lambda: self._find(provider, ctx.project, address),
        )
        return Applied(self.live(raw, ctx.project))

    def update(self, ctx: FlowiseContext, address: Address, remote_id: str, before: Spec, spec: Spec) -> Applied:
        provider = ctx.provider
        raw = provider.put(f"{self.path}/{remote_id}", self._body(ctx, address, spec), address=address)
        return Applied(self.live(raw, ctx.project))

    def delete(self, ctx: FlowiseContext, address: Address, remote_id: str) -> None:
        provider = ctx.provider
        provider.delete(f"{self.path}/{remote_id}", address=address)

    def read(self, ctx: FlowiseContext, remote_id: str, address: Address) -> LiveObject:
        provider = ctx.provider
        return self.live(provider.get(f"{self.path}/{remote_id}", address=address, operation="read"), "")

    def stamp(self, ctx: FlowiseContext, address: Address, live: LiveObject, stamp: dict[str, str]) -> LiveObject:
        provider = ctx.provider
        self.check_owner(address, live, stamp)
        code = split_mark(str(live.raw.get("func") or ""))[1]
        body = {"func": mark(code, stamp)}
        return self.live(provider.put(f"{self.path}/{live.id}", body, address=address, operation="import"), "")

    def export(self, obj: LiveObject, ctx: ExportContext) -> Exported | None:
        from assistplan.kinds.flowise_exports import export_tool

        return export_tool(self, obj, ctx)


register(FlowiseToolKind())
