"""The invariant suite's knobs: the projects each sandbox profile may hold (every test runs once per profile through
the `sandbox_profile` fixture of `assistplan.sandbox.testing`), and hypothesis
settings that make every run the same (derandomized, no database, no deadline, few examples).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, Phase, note, settings
from hypothesis import strategies as st

from assistplan.sandbox.server import API_KEY, SandboxServer
from invariants.projects import GeneratedProject, changes, projects
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


def projects_for(profile: str) -> st.SearchStrategy[GeneratedProject]:
    """Projects of the kinds a server of `profile` serves: no Agents without the Agents API, no Assistants where
    the Assistants API is shut down."""
    return projects(assistants_allowed=profile != "openai", agents_allowed=profile != "assistants-only")


@contextmanager
def project_and_its_change(
    sandbox: SandboxServer, profile: str, data: st.DataObject
) -> Iterator[tuple[Workspace, GeneratedProject, GeneratedProject]]:
    """A workspace on a drawn project, with the drawn next version of that project (both noted for a failure)."""
    first = data.draw(projects_for(profile), label="project")
    with workspace(sandbox, first, API_KEY) as ws:
        change = data.draw(changes(first), label="its next version")
        note(first.listing())
        note(change.listing())
        yield ws, first, change
