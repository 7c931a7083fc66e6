"""`assistplan sandbox serve`: the standalone server any OpenAI client can use through OPENAI_BASE_URL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import openai
import pytest
from click.testing import CliRunner

from assistplan.cli import cli

SERVE = [sys.executable, "-c", "from assistplan.cli import main; main()", "sandbox", "serve", "--port", "0"]


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """`serve(*options)`: start `assistplan sandbox serve`, return its base URL; stopped after the test."""
    processes: list[subprocess.Popen[str]] = []

    def start(*options: str) -> str:
        process = subprocess.Popen(
            [*SERVE, *options],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            cwd=tmp_path,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        processes.append(process)
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line.startswith("OpenAI sandbox listening on "), line
        return line.rsplit(" ", 1)[1].strip()

    yield start
    for process in processes:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def test_serve_answers_the_sdk_on_the_printed_url(serve) -> None:
    base_url = serve()
    client = openai.OpenAI(base_url=base_url, api_key="sk-any", max_retries=0, _strict_response_validation=True)

    agent = client.beta.agents.create(model="gpt-5.1")

    assert client.beta.agents.retrieve(agent.id) == agent


def test_serve_with_db_keeps_data_across_restarts(serve, tmp_path: Path) -> None:
    db = str(tmp_path / "data.sqlite3")
    first = openai.OpenAI(base_url=serve("--db", db), api_key="k", max_retries=0)
    agent = first.beta.agents.create(model="gpt-5.1")
    second = openai.OpenAI(base_url=serve("--db", db), api_key="k", max_retries=0)

    assert second.beta.agents.retrieve(agent.id).id == agent.id


def test_serve_injects_faults_from_its_options(serve) -> None:
    base_url = serve("--fault-rate", "1", "--fault-modes", "429", "--seed", "1")
    client = openai.OpenAI(base_url=base_url, api_key="k", max_retries=0)

    with pytest.raises(openai.RateLimitError):
        client.files.list()
    with urllib.request.urlopen(base_url.removesuffix("/v1") + "/_sandbox/counters", timeout=10) as response:
        assert json.load(response) == {"counters": {"GET /files": 1}}


def test_serve_behaves_like_the_profile_it_is_given(serve) -> None:
    client = openai.OpenAI(base_url=serve("--profile", "assistants-only"), api_key="k", max_retries=0)

    with pytest.raises(openai.NotFoundError):
        client.beta.agents.list()


def test_serve_rejects_an_unknown_profile() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "serve", "--profile", "azure"])

    assert result.exit_code == 1
    assert "'azure' is not one of" in result.output


def test_serve_rejects_an_unknown_fault_mode() -> None:
    result = CliRunner().invoke(cli, ["sandbox", "serve", "--fault-modes", "429,timeout"])

    assert result.exit_code == 1
    assert "unknown fault mode 'timeout'" in result.output


def test_cli_startup_does_not_import_the_sandbox() -> None:
    code = "import sys, assistplan.cli; print(json.dumps([m in sys.modules for m in MODULES]))"
    modules = ["assistplan.sandbox", "starlette", "uvicorn"]

    output = subprocess.run(
        [sys.executable, "-c", f"import json; MODULES = {modules!r}; {code}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout

    assert json.loads(output) == [False, False, False]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--host", ""], "name an interface"),
        (["--latency-ms", "nan"], "expected a number, not nan"),
        (["--db", "/dev/null"], "/dev/null is not a regular file"),
    ],
)
def test_serve_refuses_an_option_value_it_cannot_serve_with(args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["sandbox", "serve", "--port", "0", *args])

    assert result.exit_code == 1
    assert message in result.output


def test_serve_refuses_a_db_that_is_not_a_database(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database, but long enough to have a header to read\n" * 20)

    result = CliRunner().invoke(cli, ["sandbox", "serve", "--port", "0", "--db", str(notes)])

    assert result.exit_code == 1
    assert f"cannot keep the data in {notes}: file is not a database" in result.output
    assert "Traceback" not in result.output
