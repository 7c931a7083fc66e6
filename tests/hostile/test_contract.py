"""Every hostile root is refused by `validate` and `plan` with a positioned error, cheaply, contacting nothing.

Cheaply means in bounded memory (the child's peak resident memory), within a processor-time ceiling and without
hanging (`run_cli` stops a child past either guard, both far above what a refusal costs): no wall-clock bound near the
normal time, which would measure the machine and its load rather than the command."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from hostile.cases import CASES, SECRET, Case
from hostile.run import Listener, Run, run_cli

MAX_PEAK_MB = 300.0
POSITIONED_ERROR = re.compile(r"^\S.*:\d+:\d+: error: ", re.MULTILINE)


@pytest.fixture
def listener() -> Iterator[Listener]:
    opened = Listener()
    yield opened
    opened.close()


def assert_contract(run: Run) -> None:
    assert run.exit_code == 1, run.stdout + run.stderr
    assert POSITIONED_ERROR.search(run.stderr), run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert SECRET not in run.stderr + run.stdout
    assert run.peak_mb < MAX_PEAK_MB, f"{run.peak_mb:.0f} MB"


def test_the_corpus_has_at_least_sixty_roots() -> None:
    assert len({case.id for case in CASES}) == len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.id)
@pytest.mark.parametrize("command", ["validate", "plan"])
def test_hostile_root_is_refused_cheaply_and_contacts_nothing(
    case: Case, command: str, tmp_path: Path, listener: Listener
) -> None:
    root = tmp_path / "root"
    root.mkdir()
    case.build(root, listener.url)
    run = run_cli(root, command, env={"OPENAI_API_KEY": SECRET, "FLOWISE_API_KEY": SECRET, "MY_CREDENTIAL": SECRET})
    assert_contract(run)
    assert listener.connections() == 0
