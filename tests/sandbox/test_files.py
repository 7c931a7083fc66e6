"""Files: multipart upload, list, retrieve, delete and content, as the SDK's `client.files` uses them."""

from __future__ import annotations

import openai
import pytest


def test_upload_answers_a_processed_file_object(openai_client: openai.OpenAI) -> None:
    uploaded = openai_client.files.create(file=("guide.md", b"hello world"), purpose="assistants")

    assert uploaded.id.startswith("file-")
    assert (uploaded.object, uploaded.filename, uploaded.bytes) == ("file", "guide.md", 11)
    assert (uploaded.purpose, uploaded.status, uploaded.expires_at) == ("assistants", "processed", None)


def test_retrieve_returns_the_uploaded_file(openai_client: openai.OpenAI, upload) -> None:
    uploaded = upload()

    assert openai_client.files.retrieve(uploaded.id) == uploaded


def test_content_returns_the_uploaded_bytes(openai_client: openai.OpenAI, upload) -> None:
    uploaded = upload("data.json", b'{"a": 1}\n')

    assert openai_client.files.content(uploaded.id).content == b'{"a": 1}\n'


def test_wait_for_processing_returns_at_once(openai_client: openai.OpenAI, upload) -> None:
    uploaded = upload()

    assert openai_client.files.wait_for_processing(uploaded.id, poll_interval=0.01).status == "processed"


def test_list_is_newest_first_by_default(openai_client: openai.OpenAI, upload) -> None:
    first, second = upload("a.md"), upload("b.md")

    assert [f.id for f in openai_client.files.list()] == [second.id, first.id]


def test_list_in_ascending_order_after_a_cursor(openai_client: openai.OpenAI, upload) -> None:
    files = [upload(f"{index}.md") for index in range(4)]

    page = openai_client.files.list(order="asc", after=files[0].id, limit=2)

    assert [f.id for f in page.data] == [files[1].id, files[2].id]
    assert page.has_more is True


def test_list_filters_by_purpose(openai_client: openai.OpenAI, upload) -> None:
    upload("a.md", purpose="assistants")
    wanted = upload("b.jsonl", b"{}\n", purpose="batch")

    assert [f.id for f in openai_client.files.list(purpose="batch")] == [wanted.id]


def test_delete_answers_the_file_delete_shape(openai_client: openai.OpenAI, upload) -> None:
    uploaded = upload()

    result = openai_client.files.delete(uploaded.id)

    assert (result.id, result.object, result.deleted) == (uploaded.id, "file", True)
    with pytest.raises(openai.NotFoundError):
        openai_client.files.retrieve(uploaded.id)


def test_delete_detaches_the_file_from_vector_stores(openai_client: openai.OpenAI, upload) -> None:
    uploaded = upload()
    store = openai_client.vector_stores.create(name="kb", file_ids=[uploaded.id])

    openai_client.files.delete(uploaded.id)

    assert openai_client.vector_stores.files.list(store.id).data == []
    assert openai_client.vector_stores.retrieve(store.id).file_counts.total == 0


def test_expires_after_sets_expires_at(openai_client: openai.OpenAI) -> None:
    uploaded = openai_client.files.create(
        file=("a.md", b"x"), purpose="assistants", expires_after={"anchor": "created_at", "seconds": 3600}
    )

    assert uploaded.expires_at == uploaded.created_at + 3600


def test_batch_files_expire_after_thirty_days_by_default(openai_client: openai.OpenAI) -> None:
    uploaded = openai_client.files.create(file=("requests.jsonl", b"{}\n"), purpose="batch")

    assert uploaded.expires_at == uploaded.created_at + 30 * 24 * 3600


def test_unknown_purpose_is_rejected_naming_the_field(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.files.create(file=("a.md", b"x"), purpose="training")  # type: ignore[arg-type]

    assert caught.value.param == "purpose"


def test_expiry_below_one_hour_is_rejected(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.files.create(
            file=("a.md", b"x"), purpose="assistants", expires_after={"anchor": "created_at", "seconds": 60}
        )

    assert caught.value.param == "expires_after.seconds"


def test_unknown_file_is_not_found(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        openai_client.files.retrieve("file-missing")

    assert caught.value.message == "Error code: 404 - No such File object: file-missing"
