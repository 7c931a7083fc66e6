"""Model of the Automation kind: a saved Agent started in a new session on a schedule (Agents API automations).

A periodic automation has `schedule: {cron, timezone}` (a standard five-field cron expression read in an IANA time
zone); a one-off has `run_at`, an RFC 3339 timestamp with an offset. Both are checked here, so a bad expression, an
unknown zone or a malformed time is a validate error at its line. The Agent, the EnvironmentTemplate and the Vaults
are named and resolved by name, with "did you mean" for an unknown one.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal

from pydantic import Field, field_validator, model_validator

from assistplan.cron import cron_problem, timezone_problem
from assistplan.manifest.fields import KindSpec, Metadata, Spec, check, problem

if TYPE_CHECKING:
    from assistplan.manifest.resolution import Resolution

Name = Annotated[str, Field(min_length=1)]


def run_at_seconds(value: str) -> int:
    """The Unix time of an RFC 3339 timestamp that names its offset (ValueError otherwise)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("no UTC offset")
    return int(moment.timestamp())


class Schedule(Spec):
    """When a periodic automation runs."""

    cron: Name
    """A standard five-field cron expression: minute hour day-of-month month day-of-week ("0 3 * * *")."""
    timezone: Name
    """The IANA time zone the expression is read in ("Europe/Berlin", "UTC")."""

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        found = cron_problem(value)
        if found is not None:
            raise problem(found)
        return value

    @field_validator("timezone")
    @classmethod
    def _timezone(cls, value: str) -> str:
        found = timezone_problem(value)
        if found is not None:
            raise problem(found)
        return value


class InputText(Spec):
    type: Literal["input_text"]
    text: str


class InputImage(Spec):
    type: Literal["input_image"]
    image_url: Name


class InputMessage(Spec):
    """A user message given to each new session."""

    role: Literal["user"] = "user"
    content: Annotated[list[Annotated[InputText | InputImage, Field(discriminator="type")]], Field(min_length=1)]


class AutomationSpec(KindSpec):
    """Scheduled work: each run starts a new session of a saved Agent with the given input."""

    kind: Literal["Automation"]
    display_name: Name | None = None
    """The automation's name on the server, when it is not the manifest name (kept by `export`)."""
    schedule: Schedule | None = None
    """{cron, timezone}: runs periodically (or give `run_at` for a single run)."""
    run_at: str | None = None
    """An RFC 3339 timestamp with an offset ("2026-12-01T03:00:00Z"): runs once, then completes."""
    agent: Name
    """The Agent manifest whose saved agent each session runs."""
    environment_template: Name | None = None
    """The EnvironmentTemplate each session's hosted environment starts from (none: sessions get no environment)."""
    vaults: list[Name] = Field(default_factory=list)
    """Vault manifests whose credentials each session may use."""
    input: str | Annotated[list[InputMessage], Field(min_length=1)]
    """The first input of each session: a text, or user messages ({content: [{type: input_text, text}, ...]})."""
    metadata: Metadata = Field(default_factory=dict)
    """String pairs on the automation."""
    paused: bool = False
    """Keep the automation paused (no scheduled runs)."""

    @field_validator("run_at")
    @classmethod
    def _run_at(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                run_at_seconds(value)
            except ValueError:
                message = f'"{value}" is not an RFC 3339 timestamp with an offset, such as 2026-12-01T03:00:00Z'
                raise problem(message) from None
        return value

    @model_validator(mode="after")
    def _one_schedule(self) -> AutomationSpec:
        if self.schedule is not None and self.run_at is not None:
            check([('give either "schedule" (periodic) or "run_at" (once), not both', ("run_at",))])
        if self.schedule is None and self.run_at is None:
            check([('one of "schedule" ({cron, timezone}) or "run_at" (a timestamp) is required', ())])
        duplicates = sorted({name for name in self.vaults if self.vaults.count(name) > 1})
        check([(f'vault "{name}" is listed twice', ("vaults", self.vaults.index(name))) for name in duplicates])
        return self

    def resolve(self, resolution: Resolution) -> None:
        resolution.reference("Agent", self.agent, ("agent",))
        if self.environment_template is not None:
            resolution.reference("EnvironmentTemplate", self.environment_template, ("environment_template",))
        for index, vault in enumerate(self.vaults):
            resolution.reference("Vault", vault, ("vaults", index))
