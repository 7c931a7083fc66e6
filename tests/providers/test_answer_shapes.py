"""A server whose answer is valid JSON of another shape than the API reference gives (a string where an object goes)
is reported as that server's error, naming what it sent, never as a traceback of the code reading it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from assistplan.errors import ProviderError
from assistplan.kinds import Inventory, registered
from assistplan.plan.refresh import fetch
from assistplan.providers.openai import OpenAIProvider
from assistplan.sandbox.profiles import API_KEY


def answering(page: dict[str, Any]) -> OpenAIProvider:
    """A provider whose server answers every request with `page`."""
    return OpenAIProvider(
        base_url="http://127.0.0.1:9/v1",
        api_key=API_KEY,
        transport=httpx.MockTransport(lambda request: httpx.Response(200, json=page)),
    )


def test_a_listing_of_objects_of_another_shape_is_the_servers_error(tmp_path: Path) -> None:
    provider = answering({"object": "list", "data": [{"id": "vs_1", "metadata": "x"}], "has_more": False})

    with pytest.raises(ProviderError) as raised:
        fetch(lambda name: provider, [registered()["VectorStore"]], Inventory(project="p"), tmp_path)

    assert "the API's listing of VectorStore objects is not shaped as the API reference says" in str(raised.value)
    provider.close()
