"""Vector-store file batches: create with `file_ids` or per-file `files`, retrieve, cancel, list files."""

from __future__ import annotations

import openai
import pytest

from assistplan.sandbox import SandboxServer


@pytest.fixture
def store_id(openai_client: openai.OpenAI) -> str:
    return openai_client.vector_stores.create(name="kb").id


def test_create_with_file_ids_applies_the_shared_attributes(
    openai_client: openai.OpenAI, store_id: str, upload
) -> None:
    files = [upload("a.md"), upload("b.md")]

    batch = openai_client.vector_stores.file_batches.create(
        store_id, file_ids=[f.id for f in files], attributes={"project": "acme"}
    )

    assert batch.id.startswith("vsfb_")
    assert (batch.object, batch.vector_store_id, batch.status) == ("vector_store.files_batch", store_id, "completed")
    assert (batch.file_counts.completed, batch.file_counts.total) == (2, 2)
    attached = openai_client.vector_stores.files.list(store_id)
    assert [f.attributes for f in attached] == [{"project": "acme"}, {"project": "acme"}]


def test_create_with_files_sets_attributes_per_file(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    first, second = upload("a.md"), upload("b.md")

    openai_client.vector_stores.file_batches.create(
        store_id, files=[{"file_id": first.id, "attributes": {"n": 1}}, {"file_id": second.id}]
    )

    attributes = {f.id: f.attributes for f in openai_client.vector_stores.files.list(store_id)}
    assert attributes == {first.id: {"n": 1}, second.id: None}


def test_file_ids_and_files_together_are_rejected(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    file_id = upload().id

    with pytest.raises(openai.BadRequestError):
        openai_client.vector_stores.file_batches.create(store_id, file_ids=[file_id], files=[{"file_id": file_id}])


def test_retrieve_counts_in_progress_files(
    openai_client: openai.OpenAI, sandbox: SandboxServer, store_id: str, upload
) -> None:
    sandbox.settings.indexing_delay = 60
    batch = openai_client.vector_stores.file_batches.create(store_id, file_ids=[upload().id])

    retrieved = openai_client.vector_stores.file_batches.retrieve(batch.id, vector_store_id=store_id)

    assert (retrieved.status, retrieved.file_counts.in_progress) == ("in_progress", 1)


def test_cancel_cancels_the_files_still_indexing(
    openai_client: openai.OpenAI, sandbox: SandboxServer, store_id: str, upload
) -> None:
    sandbox.settings.indexing_delay = 60
    batch = openai_client.vector_stores.file_batches.create(store_id, file_ids=[upload().id, upload().id])

    cancelled = openai_client.vector_stores.file_batches.cancel(batch.id, vector_store_id=store_id)

    assert (cancelled.status, cancelled.file_counts.cancelled, cancelled.file_counts.in_progress) == ("cancelled", 2, 0)
    assert openai_client.vector_stores.retrieve(store_id).status == "completed"


def test_list_files_shows_only_the_batch_files(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    openai_client.vector_stores.files.create(vector_store_id=store_id, file_id=upload().id)
    in_batch = upload()
    batch = openai_client.vector_stores.file_batches.create(store_id, file_ids=[in_batch.id])

    listed = openai_client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store_id)

    assert [f.id for f in listed] == [in_batch.id]


def test_list_files_filters_by_status(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    bad = upload("x.zip")
    batch = openai_client.vector_stores.file_batches.create(store_id, file_ids=[upload().id, bad.id])

    failed = openai_client.vector_stores.file_batches.list_files(batch.id, vector_store_id=store_id, filter="failed")

    assert [f.id for f in failed] == [bad.id]


def test_create_and_poll_waits_for_indexing(
    openai_client: openai.OpenAI, sandbox: SandboxServer, store_id: str, upload
) -> None:
    sandbox.settings.indexing_delay = 0.05

    batch = openai_client.vector_stores.file_batches.create_and_poll(
        store_id, file_ids=[upload().id], poll_interval_ms=10
    )

    assert (batch.status, batch.file_counts.completed) == ("completed", 1)


def test_unknown_batch_is_not_found(openai_client: openai.OpenAI, store_id: str) -> None:
    with pytest.raises(openai.NotFoundError):
        openai_client.vector_stores.file_batches.retrieve("vsfb_missing", vector_store_id=store_id)


def test_batch_polling_follows_the_servers_hint(
    openai_client: openai.OpenAI, sandbox: SandboxServer, store_id: str, upload, sdk_poll_waits: list[float]
) -> None:
    sandbox.settings.indexing_delay = 0.5

    batch = openai_client.vector_stores.file_batches.create_and_poll(store_id, file_ids=[upload().id])

    assert batch.status == "completed"
    assert sdk_poll_waits, "the batch was never polled"
    assert max(sdk_poll_waits) <= 0.5  # what is left of the indexing, never the SDK's own default of 1 s
