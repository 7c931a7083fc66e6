"""Every Assistant the invariant suite can generate (every field, tool and response format, with random values and
names that clash with Agents) migrates to manifests that validate, apply to the sandbox and then plan no changes."""

from __future__ import annotations

from hypothesis import HealthCheck, given, note, settings

from assistplan.sandbox.server import API_KEY, SandboxServer
from invariants.projects import GeneratedProject, projects
from invariants.workspace import workspace


@settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=6,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(generated=projects())
def test_every_generated_assistant_migrates_to_agents_that_apply_and_plan_no_changes(
    sandbox: SandboxServer, generated: GeneratedProject
) -> None:
    note(generated.listing())
    with workspace(sandbox, generated, API_KEY) as project:
        migrated = project.run("migrate", "assistants-to-agents")
        assert migrated.exit_code == 0, migrated.output
        validated = project.run("validate")
        assert validated.exit_code == 0, validated.output
        applied = project.apply()
        assert applied.exit_code == 0, applied.output
        planned = project.plan()
        assert planned.exit_code == 0, planned.output
        project.state_path.unlink()
        assert project.plan().exit_code == 0
