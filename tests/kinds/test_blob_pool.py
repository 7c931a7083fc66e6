"""The pool of uploads: which copy of a content it offers to new uploads while an apply deletes others."""

from __future__ import annotations

from unittest.mock import Mock

from assistplan.addrs import Address
from assistplan.kinds.blobs import Blob, BlobPool

KEY = ("0123456789abcdef", "docs/a.md", "assistants")


def copy(blob_id: str) -> Blob:
    sha256, path, purpose = KEY
    return Blob(id=blob_id, project="acme", sha256=sha256, path=path, size=3, purpose=purpose)


def pool_of(*blobs: Blob) -> BlobPool:
    pool = BlobPool("acme")
    for blob in blobs:
        pool.add(blob)
    return pool


def deleted(pool: BlobPool, blob_id: str) -> None:
    provider = Mock()
    pool.delete(provider, blob_id, Address("File", "docs/a.md"))
    provider.client.files.delete.assert_called_once_with(blob_id)


def test_a_copy_about_to_be_deleted_is_not_offered() -> None:
    pool = pool_of(copy("file-twin"), copy("file-kept"))

    pool.retire(frozenset({"file-twin"}))

    found = pool.find(*KEY)
    assert found is not None and found.id == "file-kept"


def test_deleting_a_retired_copy_keeps_offering_the_copy_that_stays() -> None:
    pool = pool_of(copy("file-twin"), copy("file-kept"))
    pool.retire(frozenset({"file-twin"}))

    deleted(pool, "file-twin")

    found = pool.find(*KEY)
    assert found is not None and found.id == "file-kept"


def test_deleting_the_offered_copy_offers_another_that_stays() -> None:
    pool = pool_of(copy("file-first"), copy("file-second"))

    deleted(pool, "file-first")

    found = pool.find(*KEY)
    assert found is not None and found.id == "file-second"


def test_deleting_the_last_copy_offers_none() -> None:
    pool = pool_of(copy("file-only"))

    deleted(pool, "file-only")

    assert pool.find(*KEY) is None


def test_a_blob_added_twice_is_one_copy() -> None:
    pool = pool_of(copy("file-only"), copy("file-only"))

    deleted(pool, "file-only")

    assert pool.find(*KEY) is None
