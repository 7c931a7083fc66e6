"""Addresses (`Kind/name`) read from text: parsed in one place, by `assistplan.addrs`."""

from __future__ import annotations

import pytest

from assistplan.addrs import Address


def test_text_spelling_kind_slash_name_is_that_address() -> None:
    address = Address.spelled("Agent/support")

    assert address == "Agent/support"
    assert address is not None
    assert (address.kind, address.name) == ("Agent", "support")


def test_a_name_may_hold_slashes() -> None:
    address = Address.spelled("File/docs/guide.md")

    assert address is not None
    assert (address.kind, address.name) == ("File", "docs/guide.md")


@pytest.mark.parametrize("text", ["support", "Agent/", "/support", ""])
def test_text_missing_a_kind_a_slash_or_a_name_spells_no_address(text: str) -> None:
    assert Address.spelled(text) is None
