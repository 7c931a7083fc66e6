"""Applying `assistplan.yaml`'s policy to the resolved resources: one diagnostic per violation, at the offending value.

The rules read values by the paths each kind declares (`PolicyPaths` on its spec model), so nothing here knows a
kind by name. Values are read from the resolved specs, after templating: a model given by a variable is checked as
rendered. Each diagnostic has its rule's severity; its `detail` names the rule (`policy.models`) and says what the
rule allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any
from urllib.parse import urlsplit

from assistplan.addrs import Address
from assistplan.diagnostics import Diagnostic, Severity, SourceRange
from assistplan.manifest.fields import KindSpec
from assistplan.manifest.policy_models import PolicyConfig, PolicyPaths, PolicySeverity, matches
from assistplan.manifest.validate import describe
from assistplan.manifest.yamlpos import JsonPath, Positions, format_path

EVERY_ITEM = "[]"
RULE_PREFIX = "policy."
"""How a policy diagnostic's `detail` starts: the rule it enforces (`policy.models allows ...`)."""


def values_at(data: Any, path: str) -> Iterator[tuple[JsonPath, Any]]:
    """Every value at `path` in `data`, with its concrete JSON path (list indices filled in)."""
    found: list[tuple[JsonPath, Any]] = [((), data)]
    for part in _segments(path):
        step: list[tuple[JsonPath, Any]] = []
        for where, value in found:
            if part == EVERY_ITEM and isinstance(value, list):
                step += [((*where, index), item) for index, item in enumerate(value)]
            elif part != EVERY_ITEM and isinstance(value, dict) and value.get(part) is not None:
                step.append(((*where, part), value[part]))
        found = step
    yield from found


def _segments(path: str) -> list[str]:
    segments: list[str] = []
    for part in path.split("."):
        name, _, rest = part.partition("[")
        if name:
            segments.append(name)
        segments += [EVERY_ITEM] * rest.count("]")
    return segments


def tool_type(tool: Any) -> tuple[str | None, JsonPath]:
    """A tool's type and where it is written below the tool: a string is its own type, a mapping has a `type` or
    names a Function (`function: NAME`)."""
    if isinstance(tool, str):
        return tool, ()
    if isinstance(tool, dict):
        if isinstance(tool.get("type"), str):
            return tool["type"], ("type",)
        if "function" in tool:
            return "function", ("function",)
    return None, ()


class _Checker:
    """The violations of one resource."""

    def __init__(self, address: Address, spec: KindSpec, positions: Positions, start: SourceRange) -> None:
        self.address = address
        self.spec = spec
        self.positions = positions
        self.start = start
        self.data = spec.model_dump(mode="json", by_alias=True, exclude_none=True)
        self.paths: PolicyPaths = getattr(type(spec), "policy_paths", PolicyPaths())
        self.found: list[Diagnostic] = []

    def report(self, path: JsonPath, message: str, severity: PolicySeverity, rule: str, detail: str) -> None:
        where = self.positions.value(path) if path else self.start
        text = f"{format_path(path)}: {message}" if path else message
        self.found.append(
            Diagnostic(Severity(severity), text, f"{rule} {detail}", address=str(self.address), range=where)
        )

    def values(self, paths: Iterable[str]) -> Iterator[tuple[JsonPath, Any]]:
        for path in paths:
            yield from values_at(self.data, path)

    def check(self, policy: PolicyConfig) -> list[Diagnostic]:
        if policy.models is not None:
            rule = policy.models
            for path, model in self.values(self.paths.models):
                if isinstance(model, str) and not matches(model, rule.allow):
                    message = f"{describe(model)} is not an allowed model"
                    self.report(path, message, rule.severity, "policy.models", f"allows {_listed(rule.allow)}")
        if policy.tool_types is not None:
            allowed = policy.tool_types
            for path, tool in self.values(self.paths.tools):
                kind, below = tool_type(tool)
                if kind is not None and kind not in allowed.allow:
                    message = f"{describe(kind)} is not an allowed tool type"
                    detail = f"allows {_listed(allowed.allow)}"
                    self.report((*path, *below), message, allowed.severity, "policy.tool_types", detail)
        if policy.mcp_hosts is not None:
            hosts = policy.mcp_hosts
            for path, url in self.values(self.paths.mcp_urls):
                host = _host(url)
                if host is None or not matches(host, hosts.allow):
                    message = f"host {describe(host or url)} is not an allowed MCP server host"
                    self.report(path, message, hosts.severity, "policy.mcp_hosts", f"allows {_listed(hosts.allow)}")
        self.metadata(policy)
        self.limits(policy)
        return self.found

    def metadata(self, policy: PolicyConfig) -> None:
        if "metadata" not in type(self.spec).model_fields:
            return
        metadata = self.data.get("metadata") or {}
        for index, rule in enumerate(policy.required_metadata):
            if rule.kinds is not None and self.address.kind not in rule.kinds:
                continue
            missing = [key for key in rule.keys if key not in metadata]
            if missing:
                noun = "key" if len(missing) == 1 else "keys"
                path: JsonPath = ("metadata",) if metadata else ()
                message = f"missing required {'' if path else 'metadata '}{noun} {_listed(missing)}"
                detail = f"requires {_listed(rule.keys)}"
                self.report(path, message, rule.severity, f"policy.required_metadata[{index}]", detail)

    def limits(self, policy: PolicyConfig) -> None:
        for name in ("temperature", "top_p"):
            limit = getattr(policy.limits, name)
            if limit is None:
                continue
            for path, value in self.values(getattr(self.paths, name)):
                if not isinstance(value, int | float) or isinstance(value, bool):
                    continue
                if limit.max is not None and value > limit.max:
                    message = f"{describe(value)} is above the maximum {describe(limit.max)}"
                elif limit.min is not None and value < limit.min:
                    message = f"{describe(value)} is below the minimum {describe(limit.min)}"
                else:
                    continue
                self.report(path, message, limit.severity, f"policy.limits.{name}", _range(limit.min, limit.max))


def _listed(values: Iterable[str]) -> str:
    return ", ".join(f'"{value}"' for value in values)


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"allows {describe(low)} to {describe(high)}"
    return f"allows at most {describe(high)}" if high is not None else f"allows at least {describe(low)}"


def check_policy(
    policy: PolicyConfig | None, resources: Iterable[tuple[Address, KindSpec, Positions, SourceRange]]
) -> list[Diagnostic]:
    """Every violation of `policy` by the resources, each given as (address, resolved spec, the positions of its
    manifest document, where the document starts)."""
    if policy is None:
        return []
    found: list[Diagnostic] = []
    for address, spec, positions, start in resources:
        found += _Checker(address, spec, positions, start).check(policy)
    return found


def _host(url: object) -> str | None:
    """The host of an MCP server's URL; None when it is no URL (then no host is allowed)."""
    if not isinstance(url, str):
        return None
    try:
        return urlsplit(url).hostname
    except ValueError:  # an unclosed IPv6 bracket, a bad port
        return None
