"""The documents API: the whole journey from draft to done at the recipient, bad input as JSON with a
code, 404 for what the caller may not see."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import Client

from sen.core.models import AuditEvent
from sen.documents.models import IncomingDocument
from sen.documents.tests.world import appendix_pdf

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict | None = None, **headers):
    return client.post(url, data=body or {}, content_type="application/json", headers=headers)


def act(client: Client, kind: str, pk: int, action: str, **body):
    return post(client, f"/api/v1/documents/{kind}/{pk}/actions/{action}", body)


def draft_body(signer) -> dict:
    return {
        "doc_type": "KH",
        "subject": "Kế hoạch kiểm tra công tác chứng thực năm 2027",
        "body": "I. Mục đích, yêu cầu.\nII. Nội dung kiểm tra.",
        "signer": signer.username,
        "signer_position": "Giám đốc",
        "recipients": [{"unit_code": "H15.51"}],
        "appendices": [{"name": "lich-kiem-tra.pdf", "content_base64": base64.b64encode(appendix_pdf()).decode()}],
    }


def test_the_whole_journey_through_the_api(
    drafter, head, clerk, signer, seal, other, other_clerk, other_leader, other_specialist, jobs
):
    response = post(client_for(drafter), "/api/v1/documents/outgoing", draft_body(signer), **{"Idempotency-Key": "a1"})
    assert response.status_code == 201, response.json()
    document = response.json()
    again = post(client_for(drafter), "/api/v1/documents/outgoing", draft_body(signer), **{"Idempotency-Key": "a1"})
    assert again.json()["id"] == document["id"]

    pk = document["id"]
    for who, action in ((drafter, "submit"), (head, "approve"), (clerk, "approve"), (signer, "sign")):
        response = act(client_for(who), "outgoing", pk, action)
        assert response.status_code == 200, response.json()
    for action in ("number", "seal"):
        assert act(client_for(clerk), "outgoing", pk, action).status_code == 200
    with jobs(execute=True):
        issued = act(client_for(clerk), "outgoing", pk, "issue").json()
    assert issued["state"] == "issued" and issued["reference"] == "01/KH-STP"
    final = next(item for item in issued["files"] if item["role"] == "final")
    download = client_for(drafter).get(final["url"])
    assert download.status_code == 200 and download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content).startswith(b"%PDF")

    arrived = client_for(other_clerk).get("/api/v1/documents/incoming?box=arrived").json()
    assert [row["reference"] for row in arrived] == ["01/KH-STP"]
    incoming = arrived[0]["id"]
    assert act(client_for(other_clerk), "incoming", incoming, "accept").json()["incoming_number"] == 1
    deadline = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    directed = act(
        client_for(other_leader),
        "incoming",
        incoming,
        "direct",
        lead_unit="H15.51",
        handler=other_specialist.username,
        deadline=deadline,
        instruction="Chủ trì phối hợp kiểm tra.",
    ).json()
    assert directed["state"] == "05" and directed["handler"] == other_specialist.username
    mine = client_for(other_specialist).get("/api/v1/documents/incoming?box=mine").json()
    assert [row["id"] for row in mine] == [incoming]
    assert (
        act(client_for(other_specialist), "incoming", incoming, "complete", comment="Đã xong").json()["state"] == "06"
    )

    seen_by_sender = client_for(drafter).get(f"/api/v1/documents/outgoing/{pk}").json()
    assert [status["code"] for status in seen_by_sender["recipients"][0]["statuses"]] == ["01", "03", "05", "06"]

    found = client_for(signer).get("/api/v1/documents/outgoing?q=ke hoach kiem tra chung thuc").json()
    assert [row["id"] for row in found] == [pk]

    today = dt.date.today().isoformat()
    rows = client_for(signer).get(f"/api/v1/documents/participation?start={today}&end={today}").json()
    director = next(row for row in rows if row["username"] == signer.username)
    assert director["signed"] == 1 and director["signed_share"] == 1.0


@pytest.mark.parametrize(
    ("change", "status", "code"),
    [
        ({"doc_type": "XYZ"}, 400, "invalid_choice"),
        ({"subject": ""}, 400, "field_required"),
        ({"appendices": [{"name": "a.pdf", "content_base64": "%%% not base64"}]}, 400, "invalid_base64"),
        ({"appendices": [{"name": "a.pdf", "content_base64": base64.b64encode(b"MZ fake").decode()}]}, 400, None),
        ({"recipients": [{"organ_id": "bad id!", "name": "X"}]}, 400, "invalid_organ_id"),
        ({"copies": "nhiều"}, 400, None),
    ],
)
def test_bad_input_is_a_json_error_with_a_code(change, status, code, drafter, signer, other):
    response = post(client_for(drafter), "/api/v1/documents/outgoing", {**draft_body(signer), **change})
    assert response.status_code == status, response.content
    body = response.json()
    assert body["message"] and body["code"]
    if code:
        assert body["code"] == code


def test_an_illegal_action_is_409_and_someone_elses_draft_is_404(drafter, clerk, signer, other, other_clerk):
    pk = post(client_for(drafter), "/api/v1/documents/outgoing", draft_body(signer)).json()["id"]
    response = act(client_for(drafter), "outgoing", pk, "issue")
    assert response.status_code in (403, 409)
    response = act(client_for(clerk), "outgoing", pk, "number")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"
    assert client_for(other_clerk).get(f"/api/v1/documents/outgoing/{pk}").status_code == 404
    assert act(client_for(drafter), "outgoing", pk, "fly").json()["code"] == "unknown_action"
    assert Client().get(f"/api/v1/documents/outgoing/{pk}").status_code == 401


def test_a_paper_document_is_registered_through_the_api_and_the_box_is_checked(other_clerk, other):
    response = post(
        client_for(other_clerk),
        "/api/v1/documents/incoming",
        {"body": "H15.51", "sender_name": "UBND xã Mỹ An Hưng", "subject": "Đề nghị hỗ trợ", "reference": "3/TTr-UBND"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["state"] == "03" and response.json()["incoming_number"] == 1
    unknown = client_for(other_clerk).get("/api/v1/documents/incoming?box=nowhere")
    assert unknown.status_code == 400 and unknown.json()["code"] == "unknown_box"


def test_a_retried_paper_registration_answers_the_same_document_and_a_reused_key_is_409(other_clerk, other):
    client = client_for(other_clerk)
    scan = {"name": "scan.pdf", "content_base64": base64.b64encode(appendix_pdf()).decode()}
    body = {"body": "H15.51", "sender_name": "UBND xã Mỹ An Hưng", "subject": "Đề nghị hỗ trợ", "files": [scan]}
    first = post(client, "/api/v1/documents/incoming", body, **{"Idempotency-Key": "in-1"})
    assert first.status_code == 201, first.json()
    again = post(client, "/api/v1/documents/incoming", body, **{"Idempotency-Key": "in-1"})
    assert (again.status_code, again.json()) == (201, first.json())
    assert first.json()["incoming_number"] == 1 and IncomingDocument.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="documents.incoming.").count() == 2  # arrive, accept
    reused = post(client, "/api/v1/documents/incoming", {**body, "subject": "Khác"}, **{"Idempotency-Key": "in-1"})
    assert reused.status_code == 409 and reused.json()["code"] == "idempotency_key_reused"
    too_long = post(client, "/api/v1/documents/incoming", body, **{"Idempotency-Key": "k" * 129})
    assert too_long.status_code == 400 and too_long.json()["code"] == "idempotency_key_invalid"
    assert IncomingDocument.objects.count() == 1
    # Another key is another copy: registered with the next number, never dropped.
    copy = post(client, "/api/v1/documents/incoming", body, **{"Idempotency-Key": "in-2"})
    assert copy.status_code == 201 and copy.json()["incoming_number"] == 2


def test_a_request_over_the_body_limit_is_a_413_with_a_code_not_a_500(drafter, signer, other, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    appendix = base64.b64encode(b"%PDF-" + b"0" * 2_000_000).decode()
    response = post(
        client_for(drafter),
        "/api/v1/documents/outgoing",
        {**draft_body(signer), "appendices": [{"name": "lon.pdf", "content_base64": appendix}]},
    )
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large" and "1 MB" in response.json()["message"]
