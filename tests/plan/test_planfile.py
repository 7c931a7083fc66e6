"""A saved plan reads back as the plan that was saved, the notes of its changes included."""

from __future__ import annotations

from pathlib import Path

from assistplan.plan.planfile import load_plan, save_plan

from .fakes import Scenario, live, plan, recorded, want

KB = "VectorStore/kb"
HELPER = "Agent/helper"
STORE = {"name": "kb", "chunking": 800}
HELPER_SPEC = {"model": "m1", "vector_store": KB}


def test_a_saved_plan_reads_back_equal_with_its_notes(tmp_path: Path) -> None:
    made = plan(
        Scenario(
            want=[want(KB, {**STORE, "name": "kb v2"}), want(HELPER, HELPER_SPEC, depends_on=[KB])],
            state=[recorded(KB, STORE), recorded(HELPER, HELPER_SPEC)],
            live=[live(KB, STORE), live(HELPER, HELPER_SPEC)],
        )
    )
    assert [rc.notes for rc in made.resource_changes if rc.notes] == [("reaches Agent/helper through vector_store",)]

    save_plan(made, tmp_path / "plan.json")

    assert load_plan(tmp_path / "plan.json") == made


def test_a_plan_saved_without_notes_reads_back_with_none(tmp_path: Path) -> None:
    made = plan(Scenario(want=[want(KB, STORE)]))
    path = tmp_path / "plan.json"
    save_plan(made, path)
    path.write_text(path.read_text().replace(' "notes": [],\n', ""))

    assert "notes" not in path.read_text()
    assert load_plan(path) == made
