"""Vector stores: create, retrieve, update, list and delete; status, usage and counts follow their files."""

from __future__ import annotations

import openai
import pytest

from assistplan.sandbox import SandboxServer


def test_create_answers_an_empty_completed_store(openai_client: openai.OpenAI) -> None:
    store = openai_client.vector_stores.create(name="kb", metadata={"project": "acme"})

    assert store.id.startswith("vs_")
    assert (store.object, store.name, store.status, store.usage_bytes) == ("vector_store", "kb", "completed", 0)
    assert store.metadata == {"project": "acme"}
    assert store.file_counts.model_dump() == {"in_progress": 0, "completed": 0, "failed": 0, "cancelled": 0, "total": 0}
    assert (store.expires_after, store.expires_at, store.last_active_at) == (None, None, store.created_at)


def test_create_without_a_name_reads_back_an_empty_name(openai_client: openai.OpenAI) -> None:
    assert openai_client.vector_stores.create().name == ""


def test_create_with_file_ids_attaches_them(openai_client: openai.OpenAI, upload) -> None:
    files = [upload("a.md"), upload("b.txt")]

    store = openai_client.vector_stores.create(name="kb", file_ids=[f.id for f in files])

    assert store.file_counts.total == 2
    assert {f.id for f in openai_client.vector_stores.files.list(store.id)} == {f.id for f in files}


def test_create_with_an_unknown_file_is_not_found_naming_the_field(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        openai_client.vector_stores.create(name="kb", file_ids=["file-missing"])

    assert caught.value.param == "file_ids[0]"
    assert openai_client.vector_stores.list().data == []


def test_expires_after_sets_expires_at_from_last_activity(openai_client: openai.OpenAI) -> None:
    store = openai_client.vector_stores.create(name="kb", expires_after={"anchor": "last_active_at", "days": 7})

    assert store.expires_after is not None and store.expires_after.days == 7
    assert store.expires_at == store.last_active_at + 7 * 86400


def test_description_is_accepted_but_not_shown(openai_client: openai.OpenAI) -> None:
    store = openai_client.vector_stores.create(name="kb", description="support articles")

    assert "description" not in openai_client.vector_stores.retrieve(store.id).to_dict()


def test_update_changes_only_the_given_fields(openai_client: openai.OpenAI) -> None:
    store = openai_client.vector_stores.create(name="kb", metadata={"a": "1"})

    updated = openai_client.vector_stores.update(store.id, metadata={"b": "2"})

    assert (updated.name, updated.metadata) == ("kb", {"b": "2"})
    assert openai_client.vector_stores.retrieve(store.id) == updated


def test_update_with_null_clears_name_and_expiry(openai_client: openai.OpenAI) -> None:
    store = openai_client.vector_stores.create(name="kb", expires_after={"anchor": "last_active_at", "days": 1})

    updated = openai_client.vector_stores.update(store.id, name=None, expires_after=None)

    assert (updated.name, updated.expires_after, updated.expires_at) == ("", None, None)


def test_update_rejects_create_only_fields(openai_client: openai.OpenAI) -> None:
    store = openai_client.vector_stores.create(name="kb")

    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.vector_stores.update(store.id, extra_body={"description": "new"})

    assert (caught.value.param, caught.value.code) == ("description", "unknown_parameter")


def test_list_pages_with_after_and_has_more(openai_client: openai.OpenAI) -> None:
    stores = [openai_client.vector_stores.create(name=str(index)) for index in range(3)]

    first = openai_client.vector_stores.list(limit=2)
    second = openai_client.vector_stores.list(limit=2, after=first.data[-1].id)

    assert [s.id for s in first.data] == [stores[2].id, stores[1].id]
    assert first.has_more is True
    assert [s.id for s in second.data] == [stores[0].id]
    assert second.has_more is False


def test_delete_answers_the_deleted_shape_and_forgets_the_store(openai_client: openai.OpenAI, upload) -> None:
    store = openai_client.vector_stores.create(name="kb", file_ids=[upload().id])

    result = openai_client.vector_stores.delete(store.id)

    assert (result.id, result.object, result.deleted) == (store.id, "vector_store.deleted", True)
    with pytest.raises(openai.NotFoundError):
        openai_client.vector_stores.files.list(store.id)


def test_status_is_in_progress_while_a_file_indexes(
    openai_client: openai.OpenAI, sandbox: SandboxServer, upload
) -> None:
    sandbox.settings.indexing_delay = 60
    store = openai_client.vector_stores.create(name="kb", file_ids=[upload().id])

    assert (store.status, store.file_counts.in_progress, store.usage_bytes) == ("in_progress", 1, 0)


def test_usage_bytes_sums_completed_files_only(openai_client: openai.OpenAI, upload) -> None:
    good, unsupported = upload("a.md", b"12345"), upload("b.exe", b"123")

    store = openai_client.vector_stores.create(name="kb", file_ids=[good.id, unsupported.id])

    assert (store.status, store.usage_bytes) == ("completed", 5)
    assert (store.file_counts.completed, store.file_counts.failed, store.file_counts.total) == (1, 1, 2)


def test_unknown_store_is_not_found(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        openai_client.vector_stores.retrieve("vs_missing")

    assert caught.value.body == {
        "message": "No vector store found with id 'vs_missing'.",
        "type": "invalid_request_error",
        "param": None,
        "code": None,
    }
