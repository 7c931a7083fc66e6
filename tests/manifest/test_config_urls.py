"""The URLs of `assistplan.yaml` (`openai.base_url`, `flowise.url`, and their environments' overrides): validate
refuses what no request could be sent to, and accepts every URL that works."""

from __future__ import annotations

from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from assistplan.manifest.environment_models import FlowiseOverride, OpenAIOverride
from assistplan.manifest.fields import Spec
from assistplan.manifest.models import FlowiseConfig, OpenAIConfig
from assistplan.manifest.urls import url_problem

WORKING = [
    "http://127.0.0.1:8000/v1",
    "https://api.openai.com/v1",
    "http://[::1]:8000/v1",
    "http://[::1]/v1",
    "https://user:pa:ss@proxy.example.com:8443/openai/v1?tenant=a#top",
    "http://bücher.example/v1",
    "https://example.com./v1",
    "http://" + "a" * 63 + ".example.com",
]


@pytest.mark.parametrize("url", WORKING)
def test_a_working_openai_base_url_is_accepted(url: str) -> None:
    assert OpenAIConfig.model_validate({"base_url": url}).base_url == url


@pytest.mark.parametrize("url", WORKING)
def test_a_working_flowise_url_is_accepted(url: str) -> None:
    assert FlowiseConfig.model_validate({"url": url}).url == url


def test_the_sandbox_is_an_accepted_base_url() -> None:
    assert OpenAIConfig.model_validate({"base_url": "sandbox"}).base_url == "sandbox"


def test_a_url_problem_never_repeats_the_password() -> None:
    reason = url_problem("http://user:hunter2@[::1]x/v1")
    assert reason is not None
    assert "hunter2" not in reason


URL_TEXT = st.text(alphabet="ab.:@[]/?#%1-_ xü", max_size=30)


@settings(max_examples=500, deadline=None)
@given(scheme=st.sampled_from(["http://", "https://"]), rest=URL_TEXT, long_label=st.booleans())
def test_an_accepted_url_is_one_the_http_client_can_send_to(scheme: str, rest: str, long_label: bool) -> None:
    url = scheme + ("x" * 64 if long_label else "") + rest
    if url_problem(url) is not None:
        return
    parsed = httpx.URL(url)
    parsed.raw_host.decode("ascii").encode("idna")
    urlsplit(url).port  # noqa: B018 - messages show URLs through urllib, which reads the port
    assert parsed.host


@pytest.mark.parametrize(
    ("override", "url"),
    [(OpenAIOverride, "http://[::1"), (FlowiseOverride, "http://[::1"), (FlowiseOverride, "http://h:99999/")],
)
def test_an_environments_malformed_url_is_refused_as_the_projects_is(override: type[Spec], url: str) -> None:
    field = "base_url" if override is OpenAIOverride else "url"

    with pytest.raises(ValidationError):
        override.model_validate({field: url})
