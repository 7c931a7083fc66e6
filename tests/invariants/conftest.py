"""The invariant suite's knobs: the projects each sandbox profile may hold (every test runs once per profile through
the `sandbox_profile` fixture of `assistplan.sandbox.testing`), and hypothesis
settings that make every run the same (derandomized, no database, no deadline, few examples).

The Agents platform kinds (vaults and credentials, skills, environment templates, automations) are added to the
projects of the `sandbox` and `openai` profiles: in the first example of every property (hypothesis's simplest draw),
then in about half of the others, and in every project of a property that needs them (the kill table's platform
rows). The `spec` profile changes nothing in their responses (the official spec declares
no Agents API), so it would repeat the `sandbox` profile's runs at their cost; `assistants-only` serves none of them.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, Phase, note, settings
from hypothesis import strategies as st

from assistplan.sandbox.server import API_KEY, SandboxServer
from invariants.platform import platform_changes, platform_kinds
from invariants.projects import GeneratedProject, changes, present, projects
from invariants.workspace import Workspace, workspace

SHRINK = os.environ.get("ASSISTPLAN_INVARIANTS_SHRINK") == "1"
"""Shrinking a failure re-runs many applies: off by default (a derandomized failure repeats anyway), on with
ASSISTPLAN_INVARIANTS_SHRINK=1 to get the smallest failing project for a report."""

SCALE = int(os.environ.get("ASSISTPLAN_INVARIANTS_SCALE", "1"))
"""Multiplies every property's number of examples, for a longer search than CI's budget allows."""

SUITE = settings(
    derandomize=True,
    phases=(Phase.explicit, Phase.reuse, Phase.generate, *((Phase.shrink,) if SHRINK else ())),
    database=None,
    deadline=None,
    max_examples=3 * SCALE,
    print_blob=False,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
"""The settings of the properties that cost an apply or two per example."""

COSTLY = settings(SUITE, max_examples=2 * SCALE)
"""The settings of the properties that cost several applies or retries under faults per example."""

COSTLIEST = settings(SUITE, max_examples=1 * SCALE)
"""The settings of the properties that run killed subprocesses, or many applies and retries under faults, per example:
one project (the first example uses every optional field) per profile within CI's budget; raise
ASSISTPLAN_INVARIANTS_SCALE for more."""


PLATFORM_PROFILES = ("sandbox", "openai")
"""The profiles whose projects hold the Agents platform kinds."""


@st.composite
def projects_for(draw: st.DrawFn, profile: str, platform: bool = False) -> GeneratedProject:
    """Projects of the kinds a server of `profile` serves: no Agents (nor the platform around them) without the
    Agents API, no Assistants where the Assistants API is shut down. With `platform`, the project always has the
    Agents platform kinds (the profile must serve them)."""
    project = draw(projects(assistants_allowed=profile != "openai", agents_allowed=profile != "assistants-only"))
    if profile in PLATFORM_PROFILES and (platform or draw(present)):
        project = draw(platform_kinds(project))
    return project


@st.composite
def changes_of(draw: st.DrawFn, project: GeneratedProject) -> GeneratedProject:
    """The drawn next version of a project, its Agents platform part included."""
    return draw(platform_changes(project, draw(changes(project))))


@contextmanager
def project_and_its_change(
    sandbox: SandboxServer, profile: str, data: st.DataObject
) -> Iterator[tuple[Workspace, GeneratedProject, GeneratedProject]]:
    """A workspace on a drawn project, with the drawn next version of that project (both noted for a failure)."""
    first = data.draw(projects_for(profile), label="project")
    with workspace(sandbox, first, API_KEY) as ws:
        change = data.draw(changes_of(first), label="its next version")
        note(first.listing())
        note(change.listing())
        yield ws, first, change
