"""Case files (hồ sơ) of a body's annual file list: who keeps them, codes unique per year, closing by the
server's clock, and a closed file taking no document — through the services, the API and the pages."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps as django_apps
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sen.core.calendar import VN_TZ
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from sen.documents.choices import OutgoingState, Source
from sen.documents.models import CaseFile, CaseFileItem, IssueKey
from sen.documents.services import case_file_close, case_file_create, incoming_file_into, outgoing_transition
from sen.documents.services_incoming import Arrival, incoming_arrive, incoming_register_paper
from sen.documents.tests.test_api import client_for
from sen.documents.tests.test_api import post as post_json
from sen.documents.tests.world import at_once, events, issue, to_pending_signature

pytestmark = pytest.mark.django_db

THIS_YEAR = timezone.now().astimezone(VN_TZ).year


def paper(other_clerk, other, subject: str = "Về việc đề nghị hỗ trợ kinh phí"):
    """A paper document registered by Sở Nội vụ (state 03, with its incoming number)."""
    arrival = Arrival(sender_name="Ủy ban nhân dân xã Mỹ An Hưng", subject=subject, reference="15/TTr-UBND")
    return incoming_register_paper(actor=other_clerk, body=other, arrival=arrival)


@pytest.fixture
def issued(drafter, head, clerk, signer, seal, other, jobs):
    """A decision of Sở Tư pháp issued to Sở Nội vụ."""
    return issue(
        to_pending_signature(drafter=drafter, head=head, clerk=clerk, signer=signer),
        signer=signer,
        clerk=clerk,
        jobs=jobs,
    )


# --- Services ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("who", "expected"),
    [("clerk", None), ("leader", None), ("drafter", PermissionDenied), ("head", PermissionDenied)],
)
def test_only_the_bodys_clerk_or_leader_creates_a_case_file(who, expected, clerk, leader, drafter, head, body):
    actor = {"clerk": clerk, "leader": leader, "drafter": drafter, "head": head}[who]
    if expected is None:
        case_file = case_file_create(actor=actor, body=body, code="01.VP", title="Hồ sơ tiếp công dân")
        assert case_file.year == THIS_YEAR and case_file.retention == "Vĩnh viễn"
        assert events("documents.case_file.create", case_file)[0].after["code"] == "01.VP"
    else:
        with pytest.raises(expected):
            case_file_create(actor=actor, body=body, code="01.VP", title="Hồ sơ tiếp công dân")
        assert not CaseFile.objects.exists()


def test_a_room_is_not_an_issuing_body_and_keeper_and_unit_must_belong_to_the_body(
    leader, clerk, body, room, drafter, other, other_specialist
):
    # The director leads the room too (the role inherits down), but the room keeps no file list.
    with pytest.raises(InvalidInput) as error:
        case_file_create(actor=leader, body=room, code="01", title="Hồ sơ")
    assert error.value.code == "not_an_issuing_body"
    with pytest.raises(InvalidInput) as error:
        case_file_create(actor=clerk, body=body, code="01", title="Hồ sơ", keeper=other_specialist.username)
    assert error.value.code == "keeper_not_eligible"
    with pytest.raises(InvalidInput) as error:
        case_file_create(actor=clerk, body=body, code="01", title="Hồ sơ", unit=other.code)
    assert error.value.code == "unit_not_in_body"
    case_file = case_file_create(
        actor=clerk, body=body, code="01", title="Hồ sơ", unit=room.code, keeper=drafter.username, retention="10 năm"
    )
    assert (case_file.unit, case_file.keeper, case_file.retention) == (room, drafter, "10 năm")


def test_a_code_is_unique_in_a_bodys_list_of_the_year(clerk, body, other, other_clerk):
    case_file_create(actor=clerk, body=body, year=2026, code="01", title="Hồ sơ thứ nhất")
    with pytest.raises(Conflict) as error:
        case_file_create(actor=clerk, body=body, year=2026, code="01", title="Hồ sơ khác")
    assert error.value.code == "case_file_exists"
    case_file_create(actor=clerk, body=body, year=2027, code="01", title="Năm sau")
    case_file_create(actor=other_clerk, body=other, year=2026, code="01", title="Cơ quan khác")
    assert CaseFile.objects.filter(body=body, year=2026).count() == 1
    assert CaseFile.objects.count() == 3


def test_a_retry_with_the_same_key_answers_the_same_file_and_a_reused_key_is_refused(clerk, body):
    first = case_file_create(actor=clerk, body=body, code="01", title="Hồ sơ", idempotency_key="cf-1")
    again = case_file_create(actor=clerk, body=body, code="01", title="Hồ sơ", idempotency_key="cf-1")
    assert again.pk == first.pk
    with pytest.raises(Conflict) as error:
        case_file_create(actor=clerk, body=body, code="02", title="Hồ sơ khác", idempotency_key="cf-1")
    assert error.value.code == "idempotency_key_reused"
    # The same code without a key, or with another key, is still a second file refused.
    for key in ("", "cf-2"):
        with pytest.raises(Conflict) as error:
            case_file_create(actor=clerk, body=body, code="01", title="Hồ sơ", idempotency_key=key)
        assert error.value.code == "case_file_exists"
    assert CaseFile.objects.count() == 1 and len(events("documents.case_file.create", first)) == 1
    assert IssueKey.objects.get(account=clerk, key="cf-1").case_file == first
    assert not IssueKey.objects.filter(key="cf-2").exists()


def test_a_key_stored_before_keys_pointed_at_case_files_is_linked_by_the_migration(clerk, body, room, drafter):
    """Keys stored by the earlier service had no case file: 0004 finds it from the request hash."""
    made = case_file_create(
        actor=clerk, body=body, code="01", title="Hồ sơ", unit=room.code, keeper=drafter.username, idempotency_key="old"
    )
    other = case_file_create(actor=clerk, body=body, code="02", title="Hồ sơ khác", idempotency_key="old-2")
    IssueKey.objects.update(case_file=None)
    migration = importlib.import_module("sen.documents.migrations.0004_issuekey_case_file")
    migration.link_case_file_keys(django_apps, None)
    assert dict(IssueKey.objects.values_list("key", "case_file")) == {"old": made.pk, "old-2": other.pk}
    again = case_file_create(
        actor=clerk, body=body, code="01", title="Hồ sơ", unit=room.code, keeper=drafter.username, idempotency_key="old"
    )
    assert again.pk == made.pk


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_the_same_creation_sent_twice_at_once_makes_one_file_and_both_get_it(clerk, body):
    threads_count = 6
    made: list[int] = []

    def work() -> None:
        case_file = case_file_create(actor=clerk, body=body, code="01", title="Hồ sơ", idempotency_key="race")
        made.append(case_file.pk)

    assert not at_once(threads_count, work)
    case_file = CaseFile.objects.get()
    assert made == [case_file.pk] * threads_count
    assert IssueKey.objects.get().case_file == case_file
    assert len(events("documents.case_file.create", case_file)) == 1


def test_closing_is_by_the_server_clock_once_and_audited(clerk, leader, drafter, body, other_clerk):
    case_file = case_file_create(actor=clerk, body=body, code="01", title="Hồ sơ")
    for outsider in (drafter, other_clerk):
        with pytest.raises(NotFound):
            case_file_close(actor=outsider, case_file=case_file)
    before = timezone.now()
    closed = case_file_close(actor=leader, case_file=case_file)
    assert closed.closed_at is not None and before <= closed.closed_at <= timezone.now()
    with pytest.raises(Conflict) as error:
        case_file_close(actor=clerk, case_file=case_file)
    assert error.value.code == "case_file_already_closed"
    [event] = events("documents.case_file.close", case_file)
    assert event.actor == leader and event.before == {"closed_at": None} and event.after["documents"] == 0


def test_an_outgoing_document_is_filed_into_an_open_file_and_a_closed_one_refuses_it(issued, clerk, body):
    open_file = case_file_create(actor=clerk, body=body, code="01", title="Hồ sơ mở")
    stale = case_file_create(actor=clerk, body=body, code="02", title="Hồ sơ đã kết thúc")
    case_file_close(actor=clerk, case_file=stale)
    # `stale` still says open in memory: the service reads it again, under a lock.
    assert stale.closed_at is None
    for value in (stale, stale.pk):
        with pytest.raises(Conflict) as error:
            outgoing_transition(actor=clerk, document=issued, action="file", case_file=value)
        assert error.value.code == "case_file_closed"
    issued.refresh_from_db()
    assert issued.state == OutgoingState.ISSUED and not CaseFileItem.objects.exists()

    filed = outgoing_transition(actor=clerk, document=issued, action="file", case_file=open_file.pk)
    assert filed.state == OutgoingState.FILED
    assert list(CaseFileItem.objects.values_list("case_file__code", "outgoing_id")) == [("01", issued.pk)]
    assert events("documents.outgoing.file", issued)[0].after["case_file"] == "01"


def test_an_incoming_document_is_filed_once_registered_and_never_into_a_closed_file(other_clerk, other, clerk, body):
    case_file = case_file_create(actor=other_clerk, body=other, code="01", title="Hồ sơ hỗ trợ kinh phí")
    arrived = incoming_arrive(
        body=other, source=Source.PAPER, arrival=Arrival(sender_name="UBND xã A", subject="Đề nghị"), uploads=[]
    )
    with pytest.raises(Conflict) as error:
        incoming_file_into(actor=other_clerk, case_file=case_file, incoming=arrived)
    assert error.value.code == "incoming_not_registered"

    document = paper(other_clerk, other)
    foreign = case_file_create(actor=clerk, body=body, code="01", title="Hồ sơ của Sở Tư pháp")
    with pytest.raises(InvalidInput) as error:
        incoming_file_into(actor=other_clerk, case_file=foreign, incoming=document)
    assert error.value.code == "case_file_required"
    item = incoming_file_into(actor=other_clerk, case_file=case_file, incoming=document)
    assert item.incoming == document and item.added_by == other_clerk
    assert events("documents.incoming.file", document)[0].after == {"case_file": "01", "year": THIS_YEAR}
    with pytest.raises(Conflict) as error:
        incoming_file_into(actor=other_clerk, case_file=case_file, incoming=document)
    assert error.value.code == "already_filed"

    case_file_close(actor=other_clerk, case_file=case_file)
    later = paper(other_clerk, other, subject="Văn bản đến sau khi kết thúc hồ sơ")
    with pytest.raises(Conflict) as error:
        incoming_file_into(actor=other_clerk, case_file=case_file.pk, incoming=later)
    assert error.value.code == "case_file_closed"
    assert CaseFileItem.objects.count() == 1


# --- API --------------------------------------------------------------------------------------------
def test_the_case_file_api_creates_lists_shows_and_closes(other_clerk, other, other_leader, clerk, body):
    client = client_for(other_clerk)
    body_json = {"code": "01", "title": "Hồ sơ hỗ trợ kinh phí", "retention": "10 năm"}
    created = post_json(client, "/api/v1/documents/case-files", body_json, **{"Idempotency-Key": "k-1"})
    assert created.status_code == 201, created.json()
    case_file = created.json()
    assert (case_file["body"], case_file["year"], case_file["items"]) == ("H15.51", THIS_YEAR, [])
    again = post_json(client, "/api/v1/documents/case-files", body_json, **{"Idempotency-Key": "k-1"})
    assert (again.status_code, again.json()) == (201, case_file)
    duplicate = post_json(client, "/api/v1/documents/case-files", {**body_json, "title": "Khác"})
    assert duplicate.status_code == 409 and duplicate.json()["code"] == "case_file_exists"
    other_key = post_json(client, "/api/v1/documents/case-files", body_json, **{"Idempotency-Key": "k-2"})
    assert other_key.status_code == 409 and other_key.json()["code"] == "case_file_exists"
    reused = post_json(
        client, "/api/v1/documents/case-files", {**body_json, "code": "02"}, **{"Idempotency-Key": "k-1"}
    )
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"
    assert CaseFile.objects.count() == 1

    document = paper(other_clerk, other)
    incoming_file_into(actor=other_clerk, case_file=case_file["id"], incoming=document)
    rows = client_for(other_leader).get(f"/api/v1/documents/case-files?year={THIS_YEAR}").json()
    assert [(row["code"], row["document_count"]) for row in rows] == [("01", 1)]
    assert client.get("/api/v1/documents/case-files?year=2001").json() == []
    detail = client.get(f"/api/v1/documents/case-files/{case_file['id']}").json()
    [item] = detail["items"]
    assert (item["direction"], item["document"], item["reference"]) == ("in", document.pk, "15/TTr-UBND")
    assert client.get(item["url"]).json()["id"] == document.pk

    closed = post_json(client, f"/api/v1/documents/case-files/{case_file['id']}/close")
    assert closed.status_code == 200 and closed.json()["closed_at"]
    twice = post_json(client, f"/api/v1/documents/case-files/{case_file['id']}/close")
    assert twice.status_code == 409 and twice.json()["code"] == "case_file_already_closed"
    assert len(events("documents.case_file.close", CaseFile.objects.get())) == 1


def test_the_case_file_api_answers_codes_for_bad_input_and_what_one_may_not_see(
    other_clerk, other, clerk, body, drafter
):
    case_file = case_file_create(actor=other_clerk, body=other, code="01", title="Hồ sơ")
    cases = [
        (client_for(clerk).get(f"/api/v1/documents/case-files/{case_file.pk}"), 404, "case_file_not_found"),
        (
            post_json(client_for(clerk), f"/api/v1/documents/case-files/{case_file.pk}/close"),
            404,
            "case_file_not_found",
        ),
        (post_json(client_for(drafter), "/api/v1/documents/case-files", {"code": "01", "title": "X"}), 403, None),
        (post_json(client_for(clerk), "/api/v1/documents/case-files", {"code": " ", "title": "X"}), 400, None),
        (
            post_json(client_for(clerk), "/api/v1/documents/case-files", {"body": "H99", "code": "1", "title": "X"}),
            400,
            "unknown_body",
        ),
        (client_for(clerk).get("/api/v1/documents/case-files?year=1990"), 400, "invalid_year"),
        (Client().get("/api/v1/documents/case-files"), 401, "not_authenticated"),
    ]
    for response, status, code in cases:
        assert response.status_code == status, response.content
        assert response.json()["message"]
        if code:
            assert response.json()["code"] == code
    assert client_for(clerk).get("/api/v1/documents/case-files").json() == []
    case_file.refresh_from_db()
    assert case_file.closed_at is None and CaseFile.objects.count() == 1


# --- Pages ------------------------------------------------------------------------------------------
def test_the_file_list_page_creates_shows_errors_in_vietnamese_and_closes(clerk, body, room, drafter):
    client = client_for(clerk)
    home = client.get(reverse("documents:home")).content.decode()
    assert reverse("documents:case_files") in home and "Danh mục hồ sơ" in home
    url = reverse("documents:case_files")
    page = client.get(url)
    assert page.status_code == 200 and f"Danh mục hồ sơ năm {THIS_YEAR}" in page.content.decode()

    form = {"year": THIS_YEAR, "code": "01.VP", "title": "Hồ sơ tiếp công dân năm nay", "unit": room.code}
    created = client.post(url, {**form, "keeper": drafter.username}, follow=True)
    text = created.content.decode()
    assert "Đã lập hồ sơ 01.VP." in text and "Hồ sơ tiếp công dân năm nay" in text and drafter.full_name in text

    again = client.post(url, {**form, "title": "Một hồ sơ khác, cùng số"})
    text = again.content.decode()
    assert again.status_code == 200
    assert f"Danh mục hồ sơ năm {THIS_YEAR} đã có hồ sơ số 01.VP." in text
    assert "Một hồ sơ khác, cùng số" in text  # what was typed is kept
    assert 'id="case-files"' in text and "Hồ sơ tiếp công dân năm nay" in text  # the list still renders
    empty = client.post(url, {**form, "code": "02", "title": "   "})
    assert "Trường này là bắt buộc." in empty.content.decode()
    assert CaseFile.objects.count() == 1

    case_file = CaseFile.objects.get()
    closed = client.post(reverse("documents:case_file_close", args=[case_file.pk]), follow=True)
    assert "Đã kết thúc hồ sơ 01.VP." in closed.content.decode()
    case_file.refresh_from_db()
    assert case_file.closed_at is not None
    twice = client.post(reverse("documents:case_file_close", args=[case_file.pk]), follow=True)
    assert "đã kết thúc từ" in twice.content.decode()
    assert client.get(reverse("documents:case_file_close", args=[case_file.pk])).status_code == 405


def test_someone_who_keeps_no_file_list_sees_none_and_gets_404_for_a_case_file(drafter, clerk, body):
    case_file = case_file_create(actor=clerk, body=body, code="01", title="Hồ sơ")
    client = client_for(drafter)
    assert 'id="no-case-file-list"' in client.get(reverse("documents:case_files")).content.decode()
    assert client.post(reverse("documents:case_files"), {"code": "02", "title": "X"}).status_code == 404
    assert client.get(reverse("documents:case_file", args=[case_file.pk])).status_code == 404
    assert client.post(reverse("documents:case_file_close", args=[case_file.pk])).status_code == 404
    case_file.refresh_from_db()
    assert case_file.closed_at is None


def test_an_incoming_document_is_filed_from_its_page_and_listed_on_the_case_file_page(other_clerk, other, other_leader):
    case_file = case_file_create(actor=other_clerk, body=other, code="05", title="Hồ sơ hỗ trợ kinh phí")
    document = paper(other_clerk, other)
    client = client_for(other_clerk)
    page = client.get(reverse("documents:incoming", args=[document.pk])).content.decode()
    assert "Lưu vào hồ sơ" in page and "05 — Hồ sơ hỗ trợ kinh phí" in page
    filed = client.post(
        reverse("documents:incoming_file", args=[document.pk]), {"file-case_file": case_file.pk}, follow=True
    )
    text = filed.content.decode()
    assert "Đã lưu văn bản vào hồ sơ 05." in text and 'id="filed-in"' in text
    assert CaseFileItem.objects.filter(case_file=case_file, incoming=document).exists()

    detail = client_for(other_leader).get(reverse("documents:case_file", args=[case_file.pk])).content.decode()
    assert "15/TTr-UBND" in detail and "Về việc đề nghị hỗ trợ kinh phí" in detail
    assert reverse("documents:incoming", args=[document.pk]) in detail
    listed = client.get(reverse("documents:case_files")).content.decode()
    assert f'id="case-file-{case_file.pk}"' in listed

    case_file_close(actor=other_clerk, case_file=case_file)
    later = paper(other_clerk, other, subject="Văn bản đến sau")
    refused = client.post(
        reverse("documents:incoming_file", args=[later.pk]), {"file-case_file": case_file.pk}, follow=True
    )
    assert "Cần chọn một hồ sơ đang mở của cơ quan." in refused.content.decode()
    assert not CaseFileItem.objects.filter(incoming=later).exists()


def test_the_case_file_pages_cost_the_same_queries_whatever_the_number_of_rows(other_clerk, other):
    client = client_for(other_clerk)
    first = case_file_create(actor=other_clerk, body=other, code="01", title="Hồ sơ 1")
    incoming_file_into(actor=other_clerk, case_file=first, incoming=paper(other_clerk, other))

    def queries(url: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    list_url, detail_url = reverse("documents:case_files"), reverse("documents:case_file", args=[first.pk])
    one_row, one_item = queries(list_url), queries(detail_url)
    for n in range(2, 6):
        case_file_create(actor=other_clerk, body=other, code=f"0{n}", title=f"Hồ sơ {n}")
        incoming_file_into(actor=other_clerk, case_file=first, incoming=paper(other_clerk, other, subject=f"VB {n}"))
    assert queries(list_url) == one_row
    assert queries(detail_url) == one_item


def test_a_leader_of_several_bodies_chooses_whose_list_the_page_shows(province, body, other, clerk, other_clerk):
    from sen.identity.tests.factories import StaffFactory

    chair = StaffFactory(full_name="Võ Văn Chủ Tịch", unit=province, position="Chủ tịch", roles=["leader"])
    case_file_create(actor=clerk, body=body, code="STP-01", title="Hồ sơ của Sở Tư pháp")
    case_file_create(actor=other_clerk, body=other, code="SNV-01", title="Hồ sơ của Sở Nội vụ")
    client = client_for(chair)
    first = client.get(reverse("documents:case_files")).content.decode()
    assert '<select name="body"' in first and "STP-01" in first and "SNV-01" not in first
    chosen = client.get(reverse("documents:case_files") + f"?body={other.code}&year={THIS_YEAR}").content.decode()
    assert "SNV-01" in chosen and "STP-01" not in chosen
    created = client.post(
        reverse("documents:case_files") + f"?body={other.code}", {"year": THIS_YEAR, "code": "SNV-02", "title": "Mới"}
    )
    assert created.status_code == 302 and CaseFile.objects.get(code="SNV-02").body == other
