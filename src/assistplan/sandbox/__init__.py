"""The built-in OpenAI-compatible sandbox: files, vector stores (files, batches), assistants and agents over real HTTP.

It is the embedded default (`openai.base_url: sandbox`) and the test double the engine tests run against. See
docs/sandbox.md for what it emulates and how to inject faults.
"""

from assistplan.sandbox.app import create_app
from assistplan.sandbox.faults import MODES, FaultConfig, FaultInjector
from assistplan.sandbox.server import (
    API_KEY,
    PROJECT_DB,
    SandboxServer,
    serve,
    start_for_project,
    start_in_process,
)
from assistplan.sandbox.store import Store

__all__ = [
    "API_KEY",
    "MODES",
    "PROJECT_DB",
    "FaultConfig",
    "FaultInjector",
    "SandboxServer",
    "Store",
    "create_app",
    "serve",
    "start_for_project",
    "start_in_process",
]
