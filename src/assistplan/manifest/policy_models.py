"""The `policy` section of `assistplan.yaml`, and `PolicyPaths`: where a kind's spec holds what the rules read.

A pattern is a glob (`*`, `?`, `[abc]`, matched against the whole value, case-sensitive) unless it starts with `re:`:
then the rest is a Python regular expression that must match the whole value, matched without backtracking
(`assistplan.manifest.regexes`).
Each rule has a severity: `error` (the default) fails validate and plan, `warning` is reported and fails nothing. The
rules themselves are applied by `assistplan.manifest.policy`.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, field_validator, model_validator

from assistplan.manifest.fields import Problem, Spec, check, problem
from assistplan.manifest.regexes import UnmatchablePattern, automaton

REGEX_PREFIX = "re:"
PolicySeverity = Literal["error", "warning"]


@dataclass(frozen=True)
class PolicyPaths:
    """Where a kind's resolved spec holds what policy rules read: dotted paths, `[]` standing for every item of a
    list (`tools[].transport.server_url`). A kind declares them as its spec model's `policy_paths` class attribute;
    `metadata` is read from every kind whose model has a `metadata` field."""

    models: tuple[str, ...] = ()
    """Model ids."""
    tools: tuple[str, ...] = ()
    """Tools: a string is its own type; a mapping has a `type`, or names a Function (`function: NAME`)."""
    mcp_urls: tuple[str, ...] = ()
    """URLs of MCP servers."""
    temperature: tuple[str, ...] = ()
    top_p: tuple[str, ...] = ()


def matches(value: str, patterns: Sequence[str]) -> bool:
    """Whether `value` matches one of `patterns` (globs, or regular expressions after `re:`), as a whole."""
    for pattern in patterns:
        if pattern.startswith(REGEX_PREFIX):
            if automaton(pattern[len(REGEX_PREFIX) :]).fullmatch(value):
                return True
        elif fnmatch.fnmatchcase(value, pattern):
            return True
    return False


Pattern = Annotated[str, Field(min_length=1)]


class PatternRule(Spec):
    """Values must match one of `allow`."""

    allow: Annotated[list[Pattern], Field(min_length=1)]
    """Globs (`gpt-5*`), or regular expressions after `re:` (`re:^o[34]-mini$`), matched against the whole value."""
    severity: PolicySeverity = "error"
    """`error` fails validate and plan; `warning` is reported and fails nothing."""

    @field_validator("allow")
    @classmethod
    def _compiles(cls, patterns: list[str]) -> list[str]:
        problems: list[Problem] = []
        for index, pattern in enumerate(patterns):
            if pattern.startswith(REGEX_PREFIX):
                try:
                    automaton(pattern[len(REGEX_PREFIX) :])
                except (re.error, OverflowError) as error:
                    problems.append((f"not a regular expression: {error}", (index,)))
                except RecursionError:
                    problems.append(("not a regular expression: its groups are nested too deeply", (index,)))
                except UnmatchablePattern as error:
                    problems.append((str(error), (index,)))
        check(problems)
        return patterns


class ToolTypesRule(Spec):
    """Tools must be of one of the `allow` types."""

    allow: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    """Tool types: function, web_search, mcp, file_search, code_interpreter, tool_search, computer_use, ..."""
    severity: PolicySeverity = "error"
    """`error` fails validate and plan; `warning` is reported and fails nothing."""


class MetadataRule(Spec):
    """Resources with metadata must carry these keys."""

    keys: Annotated[list[Annotated[str, Field(min_length=1)]], Field(min_length=1)]
    """The keys every matching resource's `metadata` must have."""
    kinds: list[str] | None = None
    """The kinds the rule applies to; omitted: every kind that has `metadata`."""
    severity: PolicySeverity = "error"
    """`error` fails validate and plan; `warning` is reported and fails nothing."""

    @field_validator("kinds")
    @classmethod
    def _known(cls, kinds: list[str] | None) -> list[str] | None:
        from assistplan import catalog
        from assistplan.diagnostics import did_you_mean

        problems: list[Problem] = []
        for index, kind in enumerate(kinds or ()):
            info = catalog.get(kind)  # imports that kind's module alone; the others only to word a problem
            if info is None or "metadata" not in info.spec_model.model_fields:
                with_metadata = metadata_kinds()
                hint = did_you_mean(kind, with_metadata) or f": expected one of {', '.join(with_metadata)}"
                problems.append((f'"{kind}" is not a kind with metadata{hint}', (index,)))
        check(problems)
        return kinds


class Limit(Spec):
    """Bounds of a number."""

    max: float | None = None
    """The highest value allowed."""
    min: float | None = None
    """The lowest value allowed."""
    severity: PolicySeverity = "error"
    """`error` fails validate and plan; `warning` is reported and fails nothing."""

    @model_validator(mode="after")
    def _bounded(self) -> Limit:
        if self.max is None and self.min is None:
            raise problem('needs "max", "min" or both')
        if self.max is not None and self.min is not None and self.min > self.max:
            raise problem(f"min {self.min:g} is above max {self.max:g}", ("min",))
        return self


class Limits(Spec):
    temperature: Limit | None = None
    """Sampling temperature (Assistant `temperature`, FlowiseAssistant `chat_model.temperature`)."""
    top_p: Limit | None = None
    """Nucleus sampling (Assistant `top_p`)."""


class PolicyConfig(Spec):
    """Rules every resource must follow, checked by validate and plan on the resolved manifests."""

    models: PatternRule | None = None
    """Allowed model ids."""
    tool_types: ToolTypesRule | None = None
    """Allowed tool types of Agents and Assistants."""
    mcp_hosts: PatternRule | None = None
    """Allowed MCP server hosts (patterns of host names), for MCP tools and VaultCredentials."""
    required_metadata: list[MetadataRule] = Field(default_factory=list)
    """Metadata keys resources must carry, for every kind with metadata or for the kinds named."""
    limits: Limits = Field(default_factory=Limits)
    """Bounds of temperature and top_p."""


def metadata_kinds() -> list[str]:
    """The kinds whose manifests have `metadata`, in catalog order."""
    from assistplan import catalog

    return [name for name, info in catalog.kinds().items() if "metadata" in info.spec_model.model_fields]
