"""Search: accent-insensitive on every field, and the newest-first windows (selectors._newest_first)
give exactly the page the plain query gives, whichever way the matches are spread over time."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from sen.core.text import fold, search_words
from sen.documents import selectors
from sen.documents.models import IncomingDocument, OutgoingDocument

pytestmark = pytest.mark.django_db

COUNT = 60


def words_of(index: int) -> str:
    """Where each word lives: everywhere, only in the oldest, only in the newest, in a middle band,
    every seventh, nowhere but one document."""
    words = ["Quyết định"]
    if index % 2 == 0:
        words.append("thường")
    if index < 10:
        words.append("cũ")
    if index >= COUNT - 5:
        words.append("mới")
    if 20 <= index < 26:
        words.append("giữa")
    if index % 7 == 0:
        words.append("thưa")
    if index == 33:
        words.append("duy nhất")
    return " ".join(words)


QUERIES = ["quyet dinh", "Thường", "cũ", "mới", "giữa", "thưa", "duy nhat", "thường giữa", "không có"]


@pytest.fixture
def small_windows(monkeypatch):
    """Pages of 3 and windows of a few rows, so 60 documents exercise every branch."""
    monkeypatch.setattr(selectors, "PAGE_SIZE", 3)
    monkeypatch.setattr(selectors, "SEARCH_WINDOW_IDS", 4)
    monkeypatch.setattr(selectors, "SEARCH_WINDOW_AGE", dt.timedelta(days=2))
    monkeypatch.setattr(selectors, "SEARCH_WINDOW_LIMIT", {"id": 30, "arrived_at": dt.timedelta(days=25)})
    monkeypatch.setattr(selectors, "SEARCH_SCAN_LIMIT", {"id": 12, "arrived_at": dt.timedelta(days=6)})


def plain_page(documents, page: int) -> list[int]:
    start = (page - 1) * selectors.PAGE_SIZE
    return [row.pk for row in documents[start : start + selectors.PAGE_SIZE]]


def test_outgoing_pages_searched_newest_first_equal_the_plain_query(small_windows, drafter, room, body):
    OutgoingDocument.objects.bulk_create(
        OutgoingDocument(
            organisation=body,
            drafting_unit=room,
            drafter=drafter,
            doc_type="QĐ",
            subject=f"Dự thảo số {index}",
            body=words_of(index),
            search_text=fold(f"Dự thảo số {index} {words_of(index)}"),
        )
        for index in range(COUNT)
    )
    for q in QUERIES:
        for page in (1, 2, 3, 5):
            expected = plain_page(selectors.outgoing_for(drafter, q=q), page)
            assert [row.pk for row in selectors.outgoing_page(drafter, q=q, page=page)] == expected, (q, page)
    assert len(selectors.outgoing_page(drafter, q="Quyết Định")) == 3
    assert selectors.outgoing_page(drafter, q="không có") == []


def spread_incoming(organisation) -> None:
    """COUNT incoming documents, one a day, newest last; two share an instant so the tie-break by id
    counts too."""
    now = timezone.now()
    IncomingDocument.objects.bulk_create(
        IncomingDocument(
            organisation=organisation,
            source="paper",
            sender_name="Bộ Tư pháp",
            subject=f"Văn bản đến số {index}",
            content=words_of(index),
            arrived_at=now - dt.timedelta(days=COUNT - index - (1 if index == 41 else 0)),
            search_text=fold(f"Văn bản đến số {index} {words_of(index)}"),
        )
        for index in range(COUNT)
    )


def test_incoming_pages_searched_newest_first_equal_the_plain_query(small_windows, other_clerk, other):
    spread_incoming(other)
    for q in QUERIES:
        for page in (1, 2, 4):
            expected = plain_page(selectors.incoming_for(other_clerk, q=q), page)
            assert [row.pk for row in selectors.incoming_page(other_clerk, q=q, page=page)] == expected, (q, page)


def test_the_search_is_accent_insensitive_through_the_api(client, drafter, room, body):
    OutgoingDocument.objects.create(
        organisation=body,
        drafting_unit=room,
        drafter=drafter,
        doc_type="QĐ",
        subject="Quyết định về việc đăng ký khai sinh lưu động",
        search_text=fold("Quyết định về việc đăng ký khai sinh lưu động"),
    )
    client.force_login(drafter)
    for q in ("quyet dinh dang ky", "QUYẾT ĐỊNH", "Đăng Ký khai"):
        rows = client.get("/api/v1/documents/outgoing", {"q": q}).json()
        assert [row["subject"] for row in rows] == ["Quyết định về việc đăng ký khai sinh lưu động"], q
    assert client.get("/api/v1/documents/outgoing", {"q": "hộ tịch"}).json() == []


def test_a_far_page_is_empty_and_one_past_the_last_allowed_is_a_clear_400(monkeypatch, client, other_clerk, other):
    monkeypatch.setattr(selectors, "SEARCH_WINDOW_IDS", 4)  # windows on; their real widths
    spread_incoming(other)
    # the last page allowed, for a word the first window holds 5 times: 30 days × 200,000 would overflow
    assert selectors.incoming_page(other_clerk, q="mới", page=selectors.MAX_PAGE) == []
    client.force_login(other_clerk)
    response = client.get("/api/v1/documents/incoming", {"q": "thuong", "page": selectors.MAX_PAGE + 1})
    assert response.status_code == 400
    assert response.json()["code"] == "page_out_of_range"
    assert client.get("/api/v1/documents/outgoing", {"page": 10**30}).status_code == 400


# Letters, marks, digits, the punctuation of a ký hiệu, and every kind of space fold() collapses.
TEXT = st.text(alphabet=st.sampled_from("aăâbdđeêioôơuưyAĐỢ́̀̉̃ 0123456789/-.,\t\n\u00a0"), max_size=60)


@given(text=TEXT, other=TEXT, data=st.data())
def test_each_word_once_finds_exactly_what_the_whole_text_finds(text, other, data):
    # Words cut out of the text, the same cut run together across its spaces, and unrelated words.
    start = data.draw(st.integers(0, len(text)))
    cut = fold(text[start : data.draw(st.integers(start, len(text)))])
    for word in [*cut.split(), cut.replace(" ", ""), *fold(other).split()]:
        if not word:
            continue
        assert (word in fold(text)) == (word in search_words(text)), (text, word)


def test_search_words_keeps_each_word_once_in_order_of_first_appearance():
    assert search_words("Quyết định về việc  quyết ĐỊNH\nđăng ký, đăng ký") == "quyet dinh ve viec dang ky, ky"
    assert search_words("") == ""


def test_the_migration_drops_repeated_words_and_every_search_still_finds_the_same(drafter, room, body, other):
    texts = ["quyet dinh ve viec quyet dinh dang ky", "cong van cong van 12/ubnd-vp", ""]
    outgoing = [
        OutgoingDocument.objects.create(
            organisation=body, drafting_unit=room, drafter=drafter, doc_type="QĐ", subject=text, search_text=text
        )
        for text in texts
    ]
    arrived = IncomingDocument.objects.create(
        organisation=other,
        source="paper",
        sender_name="Bộ Tư pháp",
        subject="x",
        arrived_at=timezone.now(),
        search_text="bo tu phap bo tu phap",
    )
    before = {q: [row.pk for row in selectors.outgoing_for(drafter, q=q)] for q in ("quyet dinh", "cong", "12/ubnd")}
    migration = importlib.import_module("sen.documents.migrations.0005_search_text_each_word_once")
    migration.forwards(apps, None)
    assert [OutgoingDocument.objects.get(pk=row.pk).search_text for row in outgoing] == [
        "quyet dinh ve viec dang ky",
        "cong van 12/ubnd-vp",
        "",
    ]
    assert IncomingDocument.objects.get(pk=arrived.pk).search_text == "bo tu phap"
    assert {q: [row.pk for row in selectors.outgoing_for(drafter, q=q)] for q in before} == before
