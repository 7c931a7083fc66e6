"""The embedded sandbox's profile (ASSISTPLAN_SANDBOX_PROFILE), and the check that refuses Assistant resources on
OpenAI's own API, where the Assistants API was shut down on 2026-08-26."""

from __future__ import annotations

from pathlib import Path

import openai
import pytest

from assistplan.errors import ConfigurationError
from assistplan.providers.openai import SANDBOX_PROFILE_ENV, assistants_shut_down, connect

KEY_ENV = "ASSISTPLAN_TEST_EMBEDDED_KEY"


@pytest.fixture
def no_base_url_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)


@pytest.mark.usefixtures("no_base_url_env")
@pytest.mark.parametrize(
    "base_url", [None, "https://api.openai.com/v1", "https://eu.api.openai.com/v1", "https://API.openai.com/v1/"]
)
def test_openai_itself_is_refused_for_assistants(base_url: str | None) -> None:
    message = assistants_shut_down(base_url)

    assert message is not None
    assert "shut the Assistants API down on 2026-08-26" in message
    assert "use the Agent kind instead" in message
    assert "openai.base_url" in message


@pytest.mark.usefixtures("no_base_url_env")
@pytest.mark.parametrize(
    "base_url",
    [
        "sandbox",
        "http://127.0.0.1:8000/v1",
        "https://my-resource.openai.azure.com/openai",
        "https://api.openai.com.example/v1",
    ],
)
def test_other_servers_are_accepted_for_assistants(base_url: str) -> None:
    assert assistants_shut_down(base_url) is None


def test_an_unset_base_url_follows_openai_base_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")

    assert assistants_shut_down(None) is None


def test_the_embedded_sandbox_takes_its_profile_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SANDBOX_PROFILE_ENV, "assistants-only")
    provider = connect(base_url="sandbox", api_key_env=KEY_ENV, root=tmp_path)
    try:
        with pytest.raises(openai.NotFoundError):
            provider.create_client.beta.agents.list()
    finally:
        provider.close()


def test_an_unknown_embedded_profile_is_a_configuration_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SANDBOX_PROFILE_ENV, "azure")

    with pytest.raises(ConfigurationError, match="ASSISTPLAN_SANDBOX_PROFILE='azure' names no sandbox profile"):
        connect(base_url="sandbox", api_key_env=KEY_ENV, root=tmp_path)


def test_a_sandbox_folder_that_is_a_file_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / ".assistplan").write_text("", encoding="utf-8")

    with pytest.raises(ConfigurationError, match=r"cannot make the folder .* for the embedded sandbox's database"):
        connect(base_url="sandbox", api_key_env=KEY_ENV, root=tmp_path)
