"""A server that answers a write with something the API reference does not describe (JSON nested too deeply, a
number too long, a string where an object goes): the action fails with an error saying the change may have been
made, the other actions go on, and the command ends with exit 1, never a traceback."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from assistplan.cli import cli

EMPTY_PAGE = b'{"object": "list", "data": [], "has_more": false}'
NOT_AN_OBJECT = "the API answered 200 with something that is not a JSON object (POST http://127.0.0.1:"
UNREADABLE = "the API's answer could not be read (AttributeError: 'str' object has no attribute 'get'); the create may "
ANSWERS = {
    "nested-too-deeply": (b"[" * 100_000 + b"]" * 100_000, NOT_AN_OBJECT),
    "number-too-long": (b'{"id": "agent_1", "created_at": ' + b"9" * 5000 + b"}", NOT_AN_OBJECT),
    "a-list": (b"[]", NOT_AN_OBJECT),
    "string-for-an-object": (b'{"id": "agent_1", "object": "agent", "metadata": "x", "tools": "none"}', UNREADABLE),
}
"""What the server answers a create with, and what the error then says."""


@contextlib.contextmanager
def serving(answer: bytes) -> Iterator[str]:
    """A loopback server listing nothing and answering every write with `answer`; yields its base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._answer(EMPTY_PAGE)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._answer(answer)

        def _answer(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize("answer", sorted(ANSWERS))
def test_an_answer_that_cannot_be_read_fails_the_action_not_the_command(answer: str, tmp_path: Path) -> None:
    body, said = ANSWERS[answer]
    with serving(body) as base_url:
        result = applied(tmp_path, base_url)

    assert result.exit_code == 1, result.output
    assert f"Agent/helper create: {said}" in result.output
    assert "Traceback" not in result.output


def applied(tmp_path: Path, base_url: str) -> Result:
    """`apply --auto-approve` of a project of one Agent on the server at `base_url`."""
    (tmp_path / "assistplan.yaml").write_text(f"project: shapes\nopenai:\n  base_url: {base_url}\n")
    (tmp_path / "agents.yaml").write_text("kind: Agent\nname: helper\nmodel: gpt-5\ninstructions: Help.\n")

    return CliRunner().invoke(
        cli, ["--chdir", str(tmp_path), "apply", "--auto-approve"], env={"OPENAI_API_KEY": "sk-test"}
    )
