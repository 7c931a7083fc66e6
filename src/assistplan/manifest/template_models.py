"""Model of the EnvironmentTemplate kind: the configuration of a fresh OpenAI-hosted environment (Agents API).

Every limit of the API is checked here so that `validate` reports it at its line: file destinations (under
`/workspace/`, no `.`/`..` components, reserved prefixes), counts of files, setup commands, skills, env variables and
packages. `env` values are references only (`{env: NAME}`); a literal value is refused without repeating it.
References to Files and Skills by name, and local files sent inline, are resolved by `resolve`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import Field, field_validator, model_validator

from assistplan.manifest.fields import (
    ENV_NAME_PATTERN,
    SECRET_REFERENCE_ONLY,
    KindSpec,
    Problem,
    Spec,
    check,
    problem,
)

if TYPE_CHECKING:
    from assistplan.manifest.resolution import Resolution

WORKSPACE = "/workspace"
PATH_MAX = 4_096
PACKAGES_MAX = 16_384
ENV_MAX = 1_024
ENV_NAME_MAX = 256
SETUP_COMMANDS_MAX = 16
COMMAND_MAX = 65_536
FILES_MAX = 50
SKILLS_MAX = 200
CAPABILITY_DIRECTORIES_MAX = 16_384
INLINE_DATA_MAX = 6_990_508
"""Base64 characters of one inline file (about 5 MiB of content)."""
FILE_PURPOSE = "user_data"

ENV_REFERENCE = (
    f"env values {SECRET_REFERENCE_ONLY}; the value is sent to the API at apply time and never shown or stored"
)


def workspace_path_problem(path: str) -> str | None:
    """Why a destination inside the environment is refused, or None."""
    parts = path.split("/")
    if len(path) > PATH_MAX:
        return f"is {len(path)} characters long, at most {PATH_MAX}"
    if not path.startswith(f"{WORKSPACE}/") or any(part in ("", ".", "..") for part in parts[1:]):
        return f'must be an absolute path under {WORKSPACE}/ with no empty, "." or ".." components'
    top = parts[2]
    if top.startswith(".codex") or top.startswith(".managed-agents") or top == "outputs":
        return f"{WORKSPACE}/{top} is reserved for the platform"
    return None


def _at_most(items: list[Any] | dict[str, Any], limit: int, what: str) -> list[Any] | dict[str, Any]:
    if len(items) > limit:
        raise problem(f"{len(items)} {what}, at most {limit}")
    return items


class TemplatePackages(Spec):
    """Packages installed in each new environment."""

    python: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    npm: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    """Installed globally."""
    system: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)

    @field_validator("python", "npm", "system")
    @classmethod
    def _limit(cls, value: list[str]) -> list[str]:
        _at_most(value, PACKAGES_MAX, "packages")
        return value


class TemplateNetwork(Spec):
    """The environment's network access: enabled, disabled, or restricted to (or away from) some domains."""

    access: Literal["enabled", "disabled", "restricted"]
    allowed_domains: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    """With access restricted: the only domains reachable."""
    blocked_domains: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    """With access restricted and no allowed_domains: domains never reachable (no wildcards). Never read back."""

    @model_validator(mode="after")
    def _consistent(self) -> TemplateNetwork:
        problems: list[Problem] = []
        if self.blocked_domains and self.access != "restricted":
            problems.append(("needs access: restricted", ("blocked_domains",)))
        if self.blocked_domains and self.allowed_domains:
            problems.append(("cannot be combined with allowed_domains", ("blocked_domains",)))
        problems += [
            ("wildcard domains are not supported", ("blocked_domains", index))
            for index, domain in enumerate(self.blocked_domains)
            if "*" in domain
        ]
        check(problems)
        return self


class TemplateEnvRef(Spec):
    """Where an env value comes from: an environment variable of the machine running apply."""

    env: Annotated[str, Field(pattern=ENV_NAME_PATTERN)]


class TemplateSetupCommand(Spec):
    """A command run when each new environment starts (confidential: never read back, never shown in plans)."""

    command: Annotated[str, Field(min_length=1, max_length=COMMAND_MAX)]
    cwd: Annotated[str, Field(min_length=1)] = WORKSPACE
    """Where it runs."""


class TemplateFile(Spec):
    """A file placed in each new environment: a File manifest (uploaded with purpose user_data), or a local file
    sent inline."""

    path: str
    """Its absolute path inside the environment, under /workspace/."""
    file: Annotated[str, Field(min_length=1)] | None = None
    """A File manifest."""
    source: Annotated[str, Field(min_length=1)] | None = None
    """A local file relative to this manifest, sent inline (at most about 5 MiB; its content is never read back)."""

    @field_validator("path")
    @classmethod
    def _workspace(cls, value: str) -> str:
        reason = workspace_path_problem(value)
        if reason is not None:
            raise problem(reason)
        return value

    @model_validator(mode="after")
    def _one_origin(self) -> TemplateFile:
        if (self.file is None) == (self.source is None):
            raise problem('give exactly one of "file" (a File manifest) or "source" (a local file)')
        return self


class TemplateSkill(Spec):
    """A Skill manifest, at a version chosen when each session starts."""

    skill: Annotated[str, Field(min_length=1)]
    """The Skill manifest."""
    version: Annotated[int, Field(ge=1)] | Literal["latest"] | None = None
    """A version number or latest; omitted, the skill's default version."""


class TemplateDesktop(Spec):
    enabled: bool
    """Provision a desktop and browser proxy in each environment."""


class EnvironmentTemplateSpec(KindSpec):
    """Reusable configuration of a fresh OpenAI-hosted environment (Agents API, `OpenAI-Beta: agents=v1`)."""

    kind: Literal["EnvironmentTemplate"]
    packages: TemplatePackages = Field(default_factory=TemplatePackages)
    """{python, npm, system}: lists of packages."""
    network: TemplateNetwork = Field(default_factory=lambda: TemplateNetwork(access="disabled"))
    """{access, allowed_domains, blocked_domains}; disabled when omitted (always sent explicitly)."""
    env: dict[Annotated[str, Field(min_length=1, max_length=ENV_NAME_MAX)], TemplateEnvRef] = Field(
        default_factory=dict
    )
    """{NAME: {env: VARIABLE}}: values come only from environment variables; never read back, stored or shown."""
    setup_commands: list[TemplateSetupCommand] = Field(default_factory=list)
    """Commands run in order when each environment starts; confidential (never read back or shown)."""
    files: list[TemplateFile] = Field(default_factory=list)
    """Files placed in each environment: {file: FILE, path} or {source: LOCAL_PATH, path}."""
    skills: list[TemplateSkill] = Field(default_factory=list)
    """Skill manifests: {skill: NAME, version: N | latest}."""
    desktop: TemplateDesktop = Field(default_factory=lambda: TemplateDesktop(enabled=False))
    """{enabled: true} provisions a desktop and browser proxy."""
    capability_directories: list[Annotated[str, Field(min_length=1)]] = Field(default_factory=list)
    """Directories that expose capabilities to the agent."""

    @field_validator("env", mode="before")
    @classmethod
    def _only_env(cls, value: Any) -> Any:
        """Refuse literal values without ever repeating them in the message."""
        if isinstance(value, dict):
            check(
                [(ENV_REFERENCE, (key,)) for key, item in value.items() if not isinstance(item, dict | TemplateEnvRef)]
            )
            _at_most(value, ENV_MAX, "variables")
        return value

    @field_validator("setup_commands")
    @classmethod
    def _commands(cls, value: list[TemplateSetupCommand]) -> list[TemplateSetupCommand]:
        _at_most(value, SETUP_COMMANDS_MAX, "setup commands")
        return value

    @field_validator("files")
    @classmethod
    def _files(cls, value: list[TemplateFile]) -> list[TemplateFile]:
        _at_most(value, FILES_MAX, "files")
        seen: set[str] = set()
        problems: list[Problem] = []
        for index, entry in enumerate(value):
            if entry.path in seen:
                problems.append((f"{entry.path} is given twice", (index, "path")))
            seen.add(entry.path)
        check(problems)
        return value

    @field_validator("skills")
    @classmethod
    def _skills(cls, value: list[TemplateSkill]) -> list[TemplateSkill]:
        _at_most(value, SKILLS_MAX, "skills")
        return value

    @field_validator("capability_directories")
    @classmethod
    def _directories(cls, value: list[str]) -> list[str]:
        _at_most(value, CAPABILITY_DIRECTORIES_MAX, "directories")
        return value

    def resolve(self, resolution: Resolution) -> None:
        """Check the Files (purpose user_data) and Skills named, and read the local files sent inline (their `source`
        becomes the path relative to the manifest root)."""
        files = list(self.files)
        for index, entry in enumerate(self.files):
            if entry.file is not None:
                found = resolution.reference("File", entry.file, ("files", index, "file"))
                purpose = getattr(found, "purpose", FILE_PURPOSE)
                if purpose != FILE_PURPOSE:
                    message = f'File "{entry.file}" has purpose {purpose}; environment files need {FILE_PURPOSE}'
                    resolution.error(("files", index, "file"), message)
            elif entry.source is not None:
                for local in resolution.files(entry.source, ("files", index, "source"), 1):
                    files[index] = entry.model_copy(update={"source": local.path})
                    if 4 * -(-local.size // 3) > INLINE_DATA_MAX:
                        message = f'"{local.path}" is {local.size} bytes, more than an inline file may hold (~5 MiB)'
                        resolution.error(("files", index, "source"), message)
        if files != self.files:
            resolution.update("files", files)
        for index, skill in enumerate(self.skills):
            resolution.reference("Skill", skill.skill, ("skills", index, "skill"))
