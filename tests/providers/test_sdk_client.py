"""The SDK client is made only once `httpx` is whole: the SDK (which sends through `httpx2`) reads `httpx` from
`sys.modules` on every response, and a first import of it on another thread (the JSON layer's) would otherwise show
a request under way a half-initialized module (`AttributeError: partially initialized module 'httpx'`)."""

from __future__ import annotations

import subprocess
import sys

MADE_FIRST = """
import sys
from assistplan.providers.openai import OpenAIProvider

assert "httpx" not in sys.modules, "imported before the client: nothing left to check"
OpenAIProvider(base_url="http://127.0.0.1:9/v1", api_key="sk-test").client
httpx = sys.modules.get("httpx")
print(httpx is not None and hasattr(httpx, "Response") and hasattr(httpx, "Client"))
"""


def test_httpx_is_imported_whole_before_the_sdk_client_is_made() -> None:
    done = subprocess.run([sys.executable, "-c", MADE_FIRST], capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
