"""Where a project's OpenAI requests go, and how messages show a URL: a malformed `OPENAI_BASE_URL` is a clean
configuration error naming the variable, and showing a URL never fails nor shows its credentials."""

from __future__ import annotations

import pytest

from assistplan.errors import ConfigurationError
from assistplan.providers import display_url
from assistplan.providers.openai import assistants_shut_down, resolve_base_url


def test_a_malformed_openai_base_url_variable_is_a_configuration_error_naming_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://[::1")
    with pytest.raises(ConfigurationError, match="OPENAI_BASE_URL is not a usable URL: not a valid URL: Invalid IPv6"):
        resolve_base_url(None)


def test_a_host_label_too_long_in_the_openai_base_url_variable_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", f"http://{'a' * 5000}/v1")
    with pytest.raises(ConfigurationError, match="OPENAI_BASE_URL is not a usable URL: invalid host name"):
        resolve_base_url(None)


def test_an_openai_base_url_variable_with_an_ipv6_literal_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://[::1]:8000/v1")
    assert resolve_base_url(None) == "http://[::1]:8000/v1"


def test_the_assistants_check_of_a_malformed_base_url_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("OPENAI_BASE_URL", raising=False)
    with pytest.raises(ConfigurationError, match=r"openai\.base_url in assistplan\.yaml is not a usable URL"):
        assistants_shut_down("http://[::1")


def test_a_malformed_url_is_shown_without_its_credentials() -> None:
    assert display_url("http://user:hunter2@[::1/v1") == "http://[::1/v1"


def test_a_url_is_shown_without_its_credentials() -> None:
    assert (
        display_url("https://user:hunter2@proxy.example.com:8443/v1?a=b@c") == "https://proxy.example.com:8443/v1?a=b@c"
    )


def test_a_url_without_credentials_is_shown_as_it_is() -> None:
    assert display_url("http://[::1]:8000/v1") == "http://[::1]:8000/v1"
