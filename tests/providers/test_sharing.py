"""Listings shared by the projects planned in one run: each collection of an account walked once, as far as the
project that needs the most of it, every project given its own copies; an account known by a hash of its key."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from assistplan.errors import ProviderError
from assistplan.manifest.models import ProjectConfig
from assistplan.providers import flowise_account, openai_account
from assistplan.providers.paging import Reached
from assistplan.providers.sharing import ListingClosed, SharedListings


class Source:
    """A collection of `size` objects walked by `walk(reached)` 100 a page, counting the objects it gave and telling
    `reached` the page it is on."""

    def __init__(self, size: int, fail_at: int | None = None) -> None:
        self.size, self.fail_at, self.given, self.walks, self.stopped = size, fail_at, 0, 0, False

    def walk(self, reached: Reached) -> Iterator[dict[str, Any]]:
        self.walks += 1
        try:
            for index in range(self.size):
                if index % 100 == 0:
                    reached(index // 100 + 1)
                if index == self.fail_at:
                    raise ProviderError("the API failed", operation="list agents")
                self.given += 1
                yield {"id": f"agent_{index}", "metadata": {}}
        finally:
            self.stopped = True


def test_a_collection_two_projects_read_is_walked_once() -> None:
    listings, source = SharedListings(), Source(250)

    first = list(listings.listing("agents", source.walk))
    second = list(listings.listing("agents", source.walk))

    assert first == second
    assert len(first) == 250
    assert (source.walks, source.given) == (1, 250)


def test_a_project_that_stops_early_leaves_the_walk_to_the_next() -> None:
    listings, source = SharedListings(), Source(250)

    head = list(itertools.islice(listings.listing("agents", source.walk), 120))
    assert source.given == 120
    everything = list(listings.listing("agents", source.walk))

    assert everything[:120] == head
    assert len(everything) == 250
    assert (source.walks, source.given) == (1, 250)


def test_closing_the_listings_stops_a_walk_no_project_took_to_its_end() -> None:
    listings, source = SharedListings(), Source(250)
    list(itertools.islice(listings.listing("agents", source.walk), 120))
    assert not source.stopped

    listings.close()

    assert source.stopped
    assert source.given == 120


def test_a_listing_read_after_the_listings_closed_fails_rather_than_ending_short() -> None:
    listings, source = SharedListings(), Source(250)
    list(itertools.islice(listings.listing("agents", source.walk), 120))
    listings.close()

    with pytest.raises(ListingClosed):
        list(listings.listing("agents", source.walk))
    assert source.walks == 1


def test_closing_the_listings_leaves_a_walked_listing_readable() -> None:
    listings, source = SharedListings(), Source(250)
    walked = list(listings.listing("agents", source.walk))
    listings.close()

    assert list(listings.listing("agents", source.walk)) == walked


def test_a_project_reading_what_another_walked_is_told_the_depth_the_walk_had_reached() -> None:
    listings, source = SharedListings(), Source(250)
    walking: list[int] = []
    reading: list[int] = []

    head = list(itertools.islice(listings.listing("agents", source.walk, walking.append), 120))
    everything = list(listings.listing("agents", source.walk, reading.append))

    assert (len(head), len(everything)) == (120, 250)
    assert (walking, reading) == ([1, 2], [1, 2, 3])


def test_each_project_gets_its_own_copy_of_an_object() -> None:
    listings, source = SharedListings(), Source(1)

    mine = next(listings.listing("agents", source.walk))
    mine["metadata"]["changed"] = "by one project"

    assert next(listings.listing("agents", source.walk))["metadata"] == {}


def test_a_failed_listing_fails_for_every_project_without_walking_again() -> None:
    listings, source = SharedListings(), Source(10, fail_at=5)

    for _ in range(2):
        with pytest.raises(ProviderError, match="the API failed"):
            list(listings.listing("agents", source.walk))
    assert source.walks == 1


def test_collections_of_different_keys_are_apart() -> None:
    listings, agents, stores = SharedListings(), Source(3), Source(2)

    assert len(list(listings.listing(("acct", "/agents"), agents.walk))) == 3
    assert len(list(listings.listing(("acct", "/vector_stores"), stores.walk))) == 2


def config(base_url: str, key_env: str = "TEST_KEY") -> ProjectConfig:
    return ProjectConfig.model_validate({"project": "shop", "openai": {"base_url": base_url, "api_key_env": key_env}})


def test_an_account_is_known_by_a_hash_of_its_key_never_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_KEY", "sk-first-key-0123456789")
    monkeypatch.setenv("OTHER_KEY", "sk-other-key-0123456789")

    first = openai_account(config("https://api.example/v1"), Path("a"))
    same = openai_account(config("https://api.example/v1/"), Path("b"))
    other = openai_account(config("https://api.example/v1", "OTHER_KEY"), Path("a"))

    assert first == same
    assert first != other
    assert not any("sk-first-key" in part for part in first)


def test_projects_of_one_organization_header_share_and_of_another_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_KEY", "sk-key")
    monkeypatch.setenv("OPENAI_ORG_ID", "org-one")
    one = openai_account(config("https://api.example/v1"), Path("a"))
    monkeypatch.setenv("OPENAI_ORG_ID", "org-two")

    assert openai_account(config("https://api.example/v1"), Path("a")) != one


def test_an_embedded_sandbox_s_listings_are_not_shared(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("TEST_KEY", "sk-key")

    assert openai_account(config("sandbox"), tmp_path / "a") is None


def test_a_flowise_account_is_its_url_and_a_hash_of_its_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_FLOWISE_KEY", "flowise-key")
    settings = {"project": "shop", "flowise": {"url": "http://127.0.0.1:3000/", "api_key_env": "TEST_FLOWISE_KEY"}}

    found = flowise_account(ProjectConfig.model_validate(settings), Path("a"))

    assert found is not None
    assert found[:2] == ("flowise", "http://127.0.0.1:3000")
    assert "flowise-key" not in found


class FakeProvider:
    """A provider that answers every read with the path it was asked for, counting the reads."""

    def __init__(self) -> None:
        self.reads: list[str] = []
        self.closed = False

    def list_objects(
        self,
        path: str,
        *,
        params: dict[str, str] | None = None,
        address: str | None,
        operation: str,
        parallelism: int = 2,
        reached: Reached | None = None,
    ) -> Iterator[dict[str, Any]]:
        self.reads.append(path)
        yield {"id": path}

    def get(self, path: str, *, address: str | None, operation: str) -> Any:
        self.reads.append(path)
        return [{"id": path}]

    def close(self) -> None:
        self.closed = True


def opened(provider_name: str, settings: dict[str, Any]) -> tuple[SharedListings, list[FakeProvider], list[Any]]:
    """Two projects' providers opened through the shared connectors of one run (the listings, the fakes in the
    order they were opened, and what the projects got)."""
    fakes: list[FakeProvider] = []

    def connect(config: ProjectConfig, root: Path) -> FakeProvider:
        fakes.append(FakeProvider())
        return fakes[-1]

    listings = SharedListings()
    connectors = listings.connectors({provider_name: connect})
    config = ProjectConfig.model_validate({"project": "shop", **settings})
    return listings, fakes, [connectors[provider_name](config, Path("root")) for _ in range(2)]


OPENAI = {"openai": {"base_url": "https://api.example/v1", "api_key_env": "TEST_KEY"}}


def test_two_projects_openai_listings_are_walked_once_by_the_account_s_own_connection(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_KEY", "sk-key")
    _, fakes, providers = opened("openai", OPENAI)

    for provider in providers:
        assert list(provider.list_objects("/agents", address=None, operation="list agents")) == [{"id": "/agents"}]
        list(provider.list_objects("/agents", address="Agent/helper", operation="look up"))

    assert [fake.reads for fake in fakes] == [["/agents"], ["/agents"], ["/agents"]]


def test_two_projects_flowise_collections_are_read_once_and_reads_of_one_object_are_not_shared(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_FLOWISE_KEY", "flowise-key")
    settings = {"flowise": {"url": "http://127.0.0.1:3000", "api_key_env": "TEST_FLOWISE_KEY"}}
    _, fakes, providers = opened("flowise", settings)

    for provider in providers:
        assert provider.get("/chatflows", address=None, operation="list chatflows") == [{"id": "/chatflows"}]
        provider.get("/chatflows/1", address="FlowiseChatflow/bot", operation="read")

    assert [fake.reads for fake in fakes] == [["/chatflows/1"], ["/chatflows/1"], ["/chatflows"]]


def test_a_project_closes_its_own_connection_and_the_run_closes_the_account_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TEST_KEY", "sk-key")
    listings, fakes, providers = opened("openai", OPENAI)
    list(providers[0].list_objects("/agents", address=None, operation="list agents"))

    providers[0].close()
    after_project = [fake.closed for fake in fakes]
    list(providers[1].list_objects("/agents", address=None, operation="list agents"))
    listings.close()

    assert after_project == [True, False, False]
    assert [fake.closed for fake in fakes] == [True, False, True]


def test_a_listing_read_by_many_projects_at_once_is_walked_once_in_order() -> None:
    listings, source = SharedListings(), Source(500)

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: list(listings.listing("agents", source.walk)), range(16)))

    assert all(result == results[0] for result in results)
    assert [item["id"] for item in results[0]] == [f"agent_{index}" for index in range(500)]
    assert (source.walks, source.given) == (1, 500)
