"""StateFile and ResourceState: identity, immutable updates, lookups."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from assistplan.addrs import Address
from assistplan.state import STATE_VERSION, ResourceState, StateFile


def resource(name: str = "support", remote_id: str = "asst_1", kind: str = "Assistant") -> ResourceState:
    return ResourceState(kind=kind, name=name, id=remote_id, digest="ab12", applied={"model": "gpt-4o"})


def test_new_state_has_a_uuid4_lineage_serial_zero_and_no_resources() -> None:
    state = StateFile.new("demo")

    assert uuid.UUID(state.lineage).version == 4
    assert state.serial == 0
    assert state.version == STATE_VERSION
    assert state.project == "demo"
    assert state.resources == {}


def test_each_new_state_gets_its_own_lineage() -> None:
    assert StateFile.new("demo").lineage != StateFile.new("demo").lineage


def test_with_resource_returns_a_new_state_and_leaves_the_original_unchanged() -> None:
    empty = StateFile.new("demo")

    state = empty.with_resource("Assistant/support", resource())

    assert empty.get("Assistant/support") is None
    assert state.get("Assistant/support") is not None
    assert state.get("Assistant/support").id == "asst_1"


def test_with_resource_stamps_the_time_of_the_change() -> None:
    old = resource().model_copy(update={"updated_at": datetime(2020, 1, 1, tzinfo=UTC)})

    state = StateFile.new("demo").with_resource("Assistant/support", old)

    assert state.resources["Assistant/support"].updated_at > datetime(2024, 1, 1, tzinfo=UTC)


def test_with_resource_rejects_an_address_that_does_not_match_kind_and_name() -> None:
    with pytest.raises(ValueError, match="Assistant/support"):
        StateFile.new("demo").with_resource("Agent/support", resource())


def test_without_removes_the_address() -> None:
    state = StateFile.new("demo").with_resource("Assistant/support", resource())

    assert state.without("Assistant/support").get("Assistant/support") is None


def test_without_an_absent_address_changes_nothing() -> None:
    state = StateFile.new("demo")

    assert state.without("Assistant/missing") is state


def test_by_id_maps_remote_ids_to_addresses() -> None:
    state = (
        StateFile.new("demo")
        .with_resource("Assistant/support", resource())
        .with_resource("VectorStore/docs", resource("docs", "vs_9", kind="VectorStore"))
    )

    assert state.by_id() == {"asst_1": "Assistant/support", "vs_9": "VectorStore/docs"}


def test_state_round_trips_through_json() -> None:
    state = StateFile.new("demo").with_resource("Assistant/support", resource())

    assert StateFile.model_validate_json(state.model_dump_json()) == state


def test_a_resource_filed_under_the_wrong_address_is_invalid() -> None:
    data = StateFile.new("demo").model_dump(mode="json")
    data["resources"] = {"Agent/other": resource().model_dump(mode="json")}

    with pytest.raises(ValidationError, match="Assistant/support"):
        StateFile.model_validate(data)


def test_models_are_frozen() -> None:
    with pytest.raises(ValidationError):
        StateFile.new("demo").serial = 5  # type: ignore[misc]


def test_a_state_read_from_json_keys_its_resources_by_typed_addresses() -> None:
    written = StateFile.new("demo").with_resource("Assistant/support", resource()).model_dump_json()

    (address,) = StateFile.model_validate_json(written).resources

    assert isinstance(address, Address)
    assert (address.kind, address.name) == ("Assistant", "support")


def test_typed_addresses_are_written_as_their_kind_slash_name_text() -> None:
    state = StateFile.new("demo").with_resource(Address("Assistant", "support"), resource())

    assert list(json.loads(state.model_dump_json())["resources"]) == ["Assistant/support"]


def test_a_state_key_without_a_slash_is_named_as_written_and_not_an_address() -> None:
    data = StateFile.new("demo").model_dump(mode="json")
    data["resources"] = {"support": resource().model_dump(mode="json")}

    with pytest.raises(ValidationError, match="'support' is not an address: expected Kind/name"):
        StateFile.model_validate(data)
