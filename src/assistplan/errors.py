"""The exception tree. Every failure a user can cause or meet is one of these; the CLI prints them, never a traceback.

AssistplanError
├── ManifestError          diagnostics about manifests (carries a Diagnostics)
├── StateError             unreadable or incompatible state file
│   └── LockError          the state lock is held by someone else (names the holder)
├── PlanError              a plan cannot be made or applied (prevent_destroy, stale saved plan, bad target)
│   └── StalePlanError
└── ProviderError          a remote API failed: names the resource, the operation and the request id
    ├── NotFoundError
    └── ConfigurationError missing API key, unreachable server, bad base URL
"""

from __future__ import annotations

from assistplan.diagnostics import Diagnostics
from assistplan.reading import json_limit


class AssistplanError(Exception):
    """Base class: str(error) is the message shown to the user."""


class ManifestError(AssistplanError):
    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        count = len(diagnostics.errors())
        super().__init__(f"{count} error{'s' if count != 1 else ''} in manifests")


class StateError(AssistplanError):
    pass


class LockError(StateError):
    pass


class PlanError(AssistplanError):
    pass


class StalePlanError(PlanError):
    pass


class ProviderError(AssistplanError):
    def __init__(
        self,
        message: str,
        *,
        address: str | None = None,
        operation: str | None = None,
        request_id: str | None = None,
        status: int | None = None,
    ) -> None:
        self.address = address
        self.operation = operation
        self.request_id = request_id
        self.status = status
        self.reason = message
        parts = []
        if address:
            parts.append(address)
        if operation:
            parts.append(operation)
        prefix = ": ".join([" ".join(parts)]) + ": " if parts else ""
        suffix = f" (request id {request_id})" if request_id else ""
        super().__init__(f"{prefix}{message}{suffix}")


class NotFoundError(ProviderError):
    pass


class ConfigurationError(ProviderError):
    pass


UNREADABLE_ANSWER = (KeyError, IndexError, TypeError, AttributeError, ValueError, RecursionError)
"""What reading a server's answer of another shape than the API reference describes raises (in the SDK's parsing or
a kind's reading of it): JSON nested too deeply or with a number too long, a string where an object goes, a key
missing. The refresh and the applier report it as the server's error, never as a traceback."""


def unreadable_answer(error: Exception) -> str:
    """An `UNREADABLE_ANSWER` error in words."""
    limit = json_limit(error)
    if limit == "depth":
        return "JSON nested too deeply"
    if limit == "digits":
        return "a number too long to read"
    return f"{type(error).__name__}: {error}"
