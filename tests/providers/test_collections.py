"""The OpenAI collections the kinds declare (`providers/openai.py: collection`): the `OpenAI-Beta` header every path
in or below one gets, whether its listing is walked from both ends, and that the answer does not depend on which kinds
a command happened to import."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from assistplan import catalog
from assistplan.providers.openai import declared
from assistplan.sandbox.app import ROUTES
from assistplan.sandbox.routing import Route

ROUTE_ID = re.compile(r"\{[a-z_]+\}")


def concrete(route_path: str) -> str:
    """A sandbox route's path with an id in each of its `{...}` segments."""
    return ROUTE_ID.sub("id_1", route_path)


@pytest.fixture(autouse=True)
def every_kind() -> None:
    catalog.kinds()  # every kind's module imported: every collection declared


@pytest.mark.parametrize("route", [route for route in ROUTES if declared(concrete(route.path))], ids=lambda r: r.key)
def test_a_path_in_or_below_a_declared_collection_gets_the_beta_header_the_api_requires(route: Route) -> None:
    collection = declared(concrete(route.path))

    assert collection is not None
    assert collection.beta == route.beta


@pytest.mark.parametrize(
    ("path", "walked_from_both_ends"),
    [
        ("/agents", True),
        ("/vaults/vault_1/credentials", True),
        ("/vector_stores/vs_1/files", True),
        ("/files", True),
        ("/skills", False),
        ("/skills/skill_1/versions", False),
        ("/agents/agent_1", False),
    ],
)
def test_a_listing_is_walked_from_both_ends_only_where_its_collection_is_declared_to_list_in_either_order(
    path: str, walked_from_both_ends: bool
) -> None:
    collection = declared(path)

    assert collection is not None
    assert (collection.two_ended and collection.pattern.fullmatch(path) is not None) is walked_from_both_ends


def test_a_path_no_kind_declares_gets_no_collection() -> None:
    assert declared("/chat/completions") is None


def test_a_collection_is_known_before_its_kind_s_module_is_imported() -> None:
    probe = (
        "import sys\n"
        "from assistplan.providers.openai import declared\n"
        "before = 'assistplan.kinds.vault_credentials' in sys.modules\n"
        "print(before, declared('/vaults/vault_1/credentials/cred_1').beta)\n"
    )
    answer = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)

    assert answer.stdout.split() == ["False", "agents=v1"]
