"""A saved plan reads back as the plan that was saved, the notes of its changes included; a file that is not a whole
plan of this format, every value of its type, is refused with an error naming what is wrong."""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from assistplan.errors import PlanError
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


def saved(tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    """A saved plan with a change of each kind of field, and its JSON."""
    made = plan(
        Scenario(
            want=[want(KB, {**STORE, "name": "kb v2"}), want(HELPER, HELPER_SPEC, depends_on=[KB])],
            state=[recorded(KB, STORE), recorded(HELPER, HELPER_SPEC)],
            live=[live(KB, STORE), live(HELPER, HELPER_SPEC)],
        )
    )
    path = tmp_path / "plan.json"
    save_plan(made, path)
    return path, json.loads(path.read_text())


@pytest.mark.parametrize(
    ("damage", "named"),
    [
        pytest.param(lambda p: p["resource_changes"][0].update(address=5), "resource_changes.0.address", id="address"),
        pytest.param(lambda p: p["resource_changes"][0].update(address="kb"), "not an address", id="not-an-address"),
        pytest.param(lambda p: p["resource_changes"][0].update(kind="Agent"), "kind and name", id="kind"),
        pytest.param(lambda p: p["resource_changes"][0]["changes"][0].update(path=5), "changes.0.path", id="path"),
        pytest.param(lambda p: p["resource_changes"][0].update(action="explode"), "action", id="action"),
        pytest.param(lambda p: p["resource_changes"][0].update(notes=[None]), "notes.0", id="notes"),
        pytest.param(lambda p: p["resource_changes"][1].update(depends_on=[5]), "depends_on.0", id="depends-on"),
        pytest.param(lambda p: p.update(project=None), "project", id="project"),
        pytest.param(lambda p: p["options"].update(targets=[None]), "options.targets.0", id="targets"),
        pytest.param(lambda p: p.pop("resource_changes"), "resource_changes", id="missing"),
        pytest.param(lambda p: p.update(state_serial="2"), "state_serial", id="serial"),
    ],
)
def test_a_plan_file_with_a_value_of_the_wrong_type_is_refused_naming_it(
    tmp_path: Path, damage: Callable[[dict[str, Any]], object], named: str
) -> None:
    path, body = saved(tmp_path)
    damage(body["plan"])
    path.write_text(json.dumps(body))

    with pytest.raises(PlanError, match="the plan file is damaged") as raised:
        load_plan(path)

    assert named in str(raised.value)


def test_a_plan_file_nested_too_deeply_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("[" * 100_000 + "]" * 100_000)

    with pytest.raises(PlanError, match="not a plan file: its JSON is nested too deeply to read"):
        load_plan(path)


def test_a_fifo_in_place_of_a_plan_file_is_refused_without_waiting_on_it(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    os.mkfifo(path)
    outcome: list[BaseException] = []

    def read() -> None:
        try:
            load_plan(path)
        except PlanError as error:
            outcome.append(error)

    reading = threading.Thread(target=read, daemon=True)
    reading.start()
    reading.join(timeout=60)  # a bound, not a wait: a reader that blocks on the FIFO never ends

    assert not reading.is_alive()
    assert "not a regular file" in str(outcome[0])
