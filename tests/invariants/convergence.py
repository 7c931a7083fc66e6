"""What "converged" means for a project on the server, asserted in one place for every property that needs it."""

from __future__ import annotations

from invariants.workspace import Workspace


def assert_no_duplicates(ws: Workspace) -> None:
    """No two remote objects carry the same project and address labels; no two files have the same blob name."""
    assert ws.inventory().duplicates(ws.project) == {}


def assert_no_orphans(ws: Workspace) -> None:
    """No object stamped with the project, or file named with its `ap.<project>.` prefix, that no address claims."""
    assert ws.inventory().orphans(ws.project, ws.claims()) == []


def assert_no_surplus_versions(ws: Workspace) -> None:
    """No skill keeps more versions than its manifest's `keep_versions` (besides an older default version)."""
    assert ws.inventory().surplus_versions(ws.project, ws.kept_versions()) == {}


def assert_converged(ws: Workspace) -> None:
    """A clean apply exits 0 and leaves exactly what the manifests declare: every address and every local file once
    on the server, nothing else of the project's, no skill versions beyond what the manifests keep, and a plan with no
    changes."""
    result = ws.apply()
    assert result.exit_code == 0, result.output
    assert_no_duplicates(ws)
    assert_no_orphans(ws)
    assert_no_surplus_versions(ws)
    assert ws.inventory().missing(ws.project, ws.claims()) == set()
    plan = ws.plan()
    assert plan.exit_code == 0, plan.output
