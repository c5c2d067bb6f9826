"""The applicant is told by e-mail (a real SMTP server on loopback) and SMS (recorded, not sent) when
their dossier is received, when a supplement or the financial obligation is requested and when the
result is returned — after the
transaction commits, never for a transition that rolled back."""

from __future__ import annotations

import pytest
from django.db import transaction

from sen.core.calendar import VN_TZ
from sen.core.models import Notification
from sen.core.tests.test_notifications import LoopbackSMTPServer, use_smtp
from sen.dossiers.models import Dossier
from sen.dossiers.services import dossier_transition
from sen.dossiers.tests.factories import submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def smtp(settings):
    server = LoopbackSMTPServer().start()
    use_smtp(settings, server.port)
    yield server
    server.stop()


def mails_about(server: LoopbackSMTPServer, code: str):
    return [m for m in server.messages if code in str(m["Subject"])]


def plain(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def sms_rows(citizen, template: str):
    return list(Notification.objects.filter(recipient=citizen, channel="sms", template=template))


def test_receipt_is_mailed_with_the_code_and_the_due_date(smtp, citizen, officer, unit, version):
    dossier = submit(citizen, version, unit)
    assert mails_about(smtp, dossier.code) == []  # submitting alone sends nothing of these

    dossier = dossier_transition(actor=officer, dossier=dossier, action="receive")

    [message] = mails_about(smtp, dossier.code)
    assert message["Subject"].strip() == f"Hồ sơ {dossier.code} đã được tiếp nhận"
    assert message["To"] == citizen.email
    text = plain(message)
    due = dossier.due_at.astimezone(VN_TZ).strftime("%H:%M ngày %d/%m/%Y")
    assert f"Kính gửi {citizen.full_name}," in text
    assert f"Mã hồ sơ: {dossier.code}" in text
    assert f"Ngày hẹn trả kết quả: {due}" in text
    assert f"{unit.name} đã tiếp nhận hồ sơ của ông/bà." in text
    assert f"<strong>{dossier.code}</strong>" in message.get_body(preferencelist=("html",)).get_content()
    [sms] = sms_rows(citizen, "dossier_received")
    assert (sms.status, sms.address) == ("recorded", citizen.phone)
    assert sms.body.strip() == f"Sen Đồng Tháp: hồ sơ {dossier.code} đã được tiếp nhận. Hẹn trả kết quả: {due}."
    email_row = Notification.objects.get(recipient=citizen, channel="email", template="dossier_received")
    assert email_row.status == "sent"


def test_a_counter_dossier_is_mailed_on_receipt_too(smtp, citizen, officer, unit, version):
    from sen.dossiers.services import dossier_receive_at_counter
    from sen.dossiers.tests.factories import form, pdf_for

    dossier = dossier_receive_at_counter(
        actor=officer,
        applicant=citizen,
        procedure_code=version.procedure.code,
        form_data=form(),
        files=[pdf_for(version)],
        unit=unit,
    )
    [message] = mails_about(smtp, dossier.code)
    assert "đã được tiếp nhận" in message["Subject"]


def test_a_supplement_request_is_mailed_with_its_reason(smtp, citizen, officer, unit, version):
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")

    dossier_transition(
        actor=officer, dossier=dossier, action="request-supplement", reason="Thiếu bản sao giấy chứng sinh"
    )

    subjects = [m["Subject"].strip() for m in mails_about(smtp, dossier.code)]
    assert subjects == [f"Hồ sơ {dossier.code} đã được tiếp nhận", f"Hồ sơ {dossier.code} cần bổ sung giấy tờ"]
    text = plain(mails_about(smtp, dossier.code)[1])
    assert "Nội dung cần bổ sung: Thiếu bản sao giấy chứng sinh" in text
    assert "Thời hạn giải quyết tạm dừng" in text
    [sms] = sms_rows(citizen, "dossier_supplement_requested")
    assert sms.status == "recorded"
    assert sms.body.startswith(
        f"Sen Đồng Tháp: hồ sơ {dossier.code} cần bổ sung giấy tờ: Thiếu bản sao giấy chứng sinh."
    )


def test_a_financial_obligation_is_mailed_and_a_refused_withdrawal_sends_no_second_receipt(
    smtp, citizen, officer, specialist, unit, version
):
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")
    dossier = dossier_transition(actor=officer, dossier=dossier, action="assign", assignee=specialist.username)

    dossier_transition(
        actor=specialist, dossier=dossier, action="request-payment", reason="Lệ phí trích lục", amount_vnd=8000
    )

    message = mails_about(smtp, dossier.code)[-1]
    assert message["Subject"].strip() == f"Hồ sơ {dossier.code}: đề nghị thực hiện nghĩa vụ tài chính"
    text = plain(message)
    assert "Nội dung: Lệ phí trích lục" in text and "Số tiền: 8.000 đồng" in text
    assert "không tính vào thời hạn giải quyết" in text
    [sms] = sms_rows(citizen, "dossier_payment_requested")
    assert sms.status == "recorded" and "(8.000 đồng)" in sms.body
    # a withdrawal asked for and refused brings the dossier back to 6 without telling it again
    dossier = dossier_transition(actor=citizen, dossier=dossier, action="request-withdrawal", reason="Không cần")
    dossier_transition(actor=specialist, dossier=dossier, action="reject-withdrawal", reason="Đang xử lý")
    assert len(mails_about(smtp, dossier.code)) == 2  # the receipt and the obligation


def test_the_returned_result_is_mailed_with_the_download_and_rating_links(
    smtp, settings, citizen, officer, specialist, leader, unit, version, unit_certificate
):
    dossier = submit(citizen, version, unit)
    dossier = dossier_transition(actor=officer, dossier=dossier, action="receive")
    dossier = dossier_transition(actor=officer, dossier=dossier, action="assign", assignee=specialist.username)
    dossier = dossier_transition(actor=specialist, dossier=dossier, action="forward", assignee=leader.username)
    dossier = dossier_transition(actor=leader, dossier=dossier, action="approve")
    dossier = dossier_transition(actor=officer, dossier=dossier, action="complete")
    assert len(mails_about(smtp, dossier.code)) == 1  # processing steps send nothing; only the receipt so far

    dossier_transition(actor=officer, dossier=dossier, action="return-result")

    message = mails_about(smtp, dossier.code)[-1]
    assert message["Subject"].strip() == f"Hồ sơ {dossier.code} đã có kết quả"
    text = plain(message)
    site = settings.SEN_BASE_URL.rstrip("/")
    assert f"{site}/dossiers/results/{dossier.code}/result.pdf" in text
    assert f"{site}/dossiers/results/{dossier.code}/rate/" in text
    assert f"{site}/verify/" in text
    assert "đã được Sở Tư pháp giải quyết xong và trả kết quả" in text
    [sms] = sms_rows(citizen, "dossier_result_returned")
    assert sms.status == "recorded" and dossier.code in sms.body and "đã có kết quả" in sms.body


def test_a_transition_that_rolls_back_sends_nothing(smtp, citizen, officer, unit, version):
    dossier = submit(citizen, version, unit)

    with pytest.raises(RuntimeError), transaction.atomic():
        dossier_transition(actor=officer, dossier=dossier, action="receive")
        raise RuntimeError("the caller failed after the transition")

    assert Dossier.objects.get(pk=dossier.pk).state == "1"
    assert not Notification.objects.filter(template__startswith="dossier_").exists()
    smtp.received.wait(timeout=0.3)  # (the citizen's welcome mail may arrive; nothing about the dossier)
    assert mails_about(smtp, dossier.code) == []
