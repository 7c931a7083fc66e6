"""Vector-store files: attach with attributes, simulated indexing, list with filter, update, detach, content."""

from __future__ import annotations

import time

import openai
import pytest

from assistplan.sandbox import SandboxServer

STATIC_800_400 = {"type": "static", "static": {"max_chunk_size_tokens": 800, "chunk_overlap_tokens": 400}}


@pytest.fixture
def store_id(openai_client: openai.OpenAI) -> str:
    return openai_client.vector_stores.create(name="kb").id


def test_attach_echoes_attributes_and_reads_auto_chunking_as_static(
    openai_client: openai.OpenAI, store_id: str, upload
) -> None:
    file_id = upload().id

    attached = openai_client.vector_stores.files.create(
        vector_store_id=store_id,
        file_id=file_id,
        attributes={"project": "acme", "version": 2, "draft": False},
        chunking_strategy={"type": "auto"},
    )

    assert (attached.id, attached.object, attached.vector_store_id) == (file_id, "vector_store.file", store_id)
    assert attached.attributes == {"project": "acme", "version": 2, "draft": False}
    assert attached.to_dict()["chunking_strategy"] == STATIC_800_400


def test_static_chunking_reads_back_as_given(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    strategy = {"type": "static", "static": {"max_chunk_size_tokens": 1200, "chunk_overlap_tokens": 100}}

    attached = openai_client.vector_stores.files.create(
        vector_store_id=store_id, file_id=upload().id, chunking_strategy=strategy
    )

    assert attached.to_dict()["chunking_strategy"] == strategy


def test_chunk_overlap_above_half_the_chunk_size_is_rejected(
    openai_client: openai.OpenAI, store_id: str, upload
) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.vector_stores.files.create(
            vector_store_id=store_id,
            file_id=upload().id,
            chunking_strategy={"type": "static", "static": {"max_chunk_size_tokens": 400, "chunk_overlap_tokens": 300}},
        )

    assert caught.value.param == "chunking_strategy.static.chunk_overlap_tokens"


def test_indexing_goes_from_in_progress_to_completed_after_the_delay(
    openai_client: openai.OpenAI, sandbox: SandboxServer, store_id: str, upload
) -> None:
    sandbox.settings.indexing_delay = 0.2
    file_id = upload(content=b"12345").id

    attached = openai_client.vector_stores.files.create(vector_store_id=store_id, file_id=file_id)
    time.sleep(0.25)
    indexed = openai_client.vector_stores.files.retrieve(file_id, vector_store_id=store_id)

    assert (attached.status, attached.usage_bytes) == ("in_progress", 0)
    assert (indexed.status, indexed.usage_bytes, indexed.last_error) == ("completed", 5, None)


def test_create_and_poll_returns_the_indexed_file(
    openai_client: openai.OpenAI, sandbox: SandboxServer, store_id: str, upload
) -> None:
    sandbox.settings.indexing_delay = 0.05

    attached = openai_client.vector_stores.files.create_and_poll(
        file_id=upload().id, vector_store_id=store_id, poll_interval_ms=10
    )

    assert attached.status == "completed"


def test_upload_and_poll_uploads_and_indexes(openai_client: openai.OpenAI, store_id: str) -> None:
    attached = openai_client.vector_stores.files.upload_and_poll(
        vector_store_id=store_id, file=("notes.txt", b"notes"), poll_interval_ms=10
    )

    assert attached.status == "completed"
    assert openai_client.files.retrieve(attached.id).filename == "notes.txt"


def test_unsupported_file_type_fails_with_unsupported_file(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    attached = openai_client.vector_stores.files.create(vector_store_id=store_id, file_id=upload("tool.exe").id)

    assert attached.status == "failed"
    assert attached.last_error is not None and attached.last_error.code == "unsupported_file"


def test_empty_file_fails_with_invalid_file(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    attached = openai_client.vector_stores.files.create(vector_store_id=store_id, file_id=upload("empty.md", b"").id)

    assert attached.status == "failed"
    assert attached.last_error is not None and attached.last_error.code == "invalid_file"


def test_list_filters_by_status(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    good, bad = upload("a.md"), upload("b.bin")
    for file in (good, bad):
        openai_client.vector_stores.files.create(vector_store_id=store_id, file_id=file.id)

    failed = openai_client.vector_stores.files.list(store_id, filter="failed")
    completed = openai_client.vector_stores.files.list(store_id, filter="completed")

    assert [f.id for f in failed] == [bad.id]
    assert [f.id for f in completed] == [good.id]


def test_update_replaces_the_attributes(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    file_id = upload().id
    openai_client.vector_stores.files.create(vector_store_id=store_id, file_id=file_id, attributes={"a": "1"})

    updated = openai_client.vector_stores.files.update(file_id, vector_store_id=store_id, attributes={"b": True})

    assert updated.attributes == {"b": True}


def test_update_with_null_clears_the_attributes(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    file_id = upload().id
    openai_client.vector_stores.files.create(vector_store_id=store_id, file_id=file_id, attributes={"a": "1"})

    updated = openai_client.vector_stores.files.update(file_id, vector_store_id=store_id, attributes=None)

    assert updated.attributes is None


def test_detach_answers_the_deleted_shape_and_keeps_the_file(
    openai_client: openai.OpenAI, store_id: str, upload
) -> None:
    file_id = upload().id
    openai_client.vector_stores.files.create(vector_store_id=store_id, file_id=file_id)

    result = openai_client.vector_stores.files.delete(file_id, vector_store_id=store_id)

    assert (result.id, result.object, result.deleted) == (file_id, "vector_store.file.deleted", True)
    assert openai_client.vector_stores.retrieve(store_id).file_counts.total == 0
    assert openai_client.files.retrieve(file_id).id == file_id


def test_content_is_a_page_of_text(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    file_id = upload("a.md", b"# Title").id
    openai_client.vector_stores.files.create(vector_store_id=store_id, file_id=file_id)

    page = openai_client.vector_stores.files.content(file_id, vector_store_id=store_id)

    assert [(part.type, part.text) for part in page] == [("text", "# Title")]


def test_file_not_in_the_store_is_not_found(openai_client: openai.OpenAI, store_id: str, upload) -> None:
    with pytest.raises(openai.NotFoundError):
        openai_client.vector_stores.files.retrieve(upload().id, vector_store_id=store_id)


def test_attaching_an_unknown_file_is_not_found_naming_the_field(openai_client: openai.OpenAI, store_id: str) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        openai_client.vector_stores.files.create(vector_store_id=store_id, file_id="file-missing")

    assert caught.value.param == "file_id"


def test_retrieve_while_indexing_tells_pollers_when_to_come_back(
    openai_client: openai.OpenAI, sandbox: SandboxServer, store_id: str, upload
) -> None:
    sandbox.settings.indexing_delay = 0.3
    file_id = upload().id
    openai_client.vector_stores.files.create(vector_store_id=store_id, file_id=file_id)

    response = openai_client.vector_stores.files.with_raw_response.retrieve(file_id, vector_store_id=store_id)

    assert 10 <= int(response.headers["openai-poll-after-ms"]) <= 300


def test_sdk_polling_follows_the_hint_instead_of_its_one_second_default(
    openai_client: openai.OpenAI, sandbox: SandboxServer, store_id: str, upload, sdk_poll_waits: list[float]
) -> None:
    sandbox.settings.indexing_delay = 0.5

    attached = openai_client.vector_stores.files.create_and_poll(file_id=upload().id, vector_store_id=store_id)

    assert attached.status == "completed"
    assert sdk_poll_waits, "the file was never polled"
    assert max(sdk_poll_waits) <= 0.5
