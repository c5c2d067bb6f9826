"""Submission through the three channels: codes, context, files, idempotency, bad input, no loss."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
from django.utils import timezone

from sen.core.calendar import VN_TZ
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from sen.core.models import AuditEvent
from sen.dossiers import services
from sen.dossiers.choices import DossierState
from sen.dossiers.models import Dossier, DossierCounter, DossierFile, DossierTransition, IdempotencyKey
from sen.dossiers.tests.factories import EXE, JPEG, PDF, PNG, form, pdf_for, publish_version, submit
from sen.identity.tests.factories import CitizenFactory
from sen.procedures.choices import Channel, OnlineLevel
from sen.procedures.specs import ComponentSpec


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def test_online_submission_gets_a_code_context_files_history_and_audit(citizen, unit, version, _media):
    # given a citizen with a form and two files
    # when they submit online
    dossier = submit(
        citizen,
        version,
        unit,
        files=[pdf_for(version), services.IncomingFile("anh.png", PNG)],
        context=services.RequestInfo(ip="10.0.0.7", user_agent="Thử nghiệm/1.0", device_cookie="dev-123"),
    )
    # then the code is {unit}-{yymmdd}-0001 by the Vietnam date, the dossier waits for receipt
    today = timezone.now().astimezone(VN_TZ).date()
    assert dossier.code == f"H15.50-{today:%y%m%d}-0001"
    assert dossier.state == DossierState.SUBMITTED
    assert dossier.channel == Channel.ONLINE and dossier.applicant == citizen
    assert dossier.due_at is None and dossier.received_at is None
    context = dossier.submission
    assert (context.channel, context.account, context.is_staff_account, context.created_by_staff) == (
        Channel.ONLINE,
        citizen,
        False,
        None,
    )
    assert (context.ip, context.user_agent, context.device_cookie) == ("10.0.0.7", "Thử nghiệm/1.0", "dev-123")
    files = list(dossier.files.order_by("id"))
    assert [(f.name, f.content_type, f.size) for f in files] == [
        ("to-khai.pdf", "application/pdf", len(PDF)),
        ("anh.png", "image/png", len(PNG)),
    ]
    assert files[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert files[0].file.read() == PDF
    assert len(stored_files(_media)) == 2
    assert list(dossier.transitions.values_list("action", "from_state", "to_state")) == [("submit", "", "1")]
    assert AuditEvent.objects.filter(action="dossiers.dossier.submit", object_id=str(dossier.pk)).count() == 1


def test_codes_count_per_unit_and_day(citizen, unit, version):
    first = submit(citizen, version, unit)
    second = submit(citizen, version, unit)
    assert [first.code[-4:], second.code[-4:]] == ["0001", "0002"]
    assert DossierCounter.objects.get(unit=unit).last == 2


def test_a_staff_account_submitting_online_is_recorded_as_staff(officer, unit, version):
    dossier = submit(officer, version, unit)
    assert dossier.submission.is_staff_account is True
    assert dossier.submission.created_by_staff is None  # online, for itself


def test_each_upload_is_its_own_stored_file_never_overwritten(citizen, unit, version, _media):
    submit(citizen, version, unit)
    submit(citizen, version, unit)
    first, second = DossierFile.objects.order_by("id")
    assert first.sha256 == second.sha256  # the same bytes, recorded as such
    assert first.file.name != second.file.name  # but stored apart, so neither request can remove the other's
    assert len(stored_files(_media)) == 2


def test_a_retry_with_the_same_key_returns_the_same_dossier(citizen, unit, version):
    first = submit(citizen, version, unit, idempotency_key="abc-1")
    again = submit(citizen, version, unit, idempotency_key="abc-1")
    assert again.pk == first.pk
    assert Dossier.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_the_same_key_with_another_body_is_a_conflict(citizen, unit, version):
    submit(citizen, version, unit, idempotency_key="abc-2")
    with pytest.raises(Conflict) as caught:
        submit(citizen, version, unit, idempotency_key="abc-2", form_data=form(ho_ten="Người Khác"))
    assert caught.value.code == "idempotency_key_reused"
    assert Dossier.objects.count() == 1


def test_keys_belong_to_their_account(citizen, unit, version):
    other = CitizenFactory(full_name="Đỗ Văn Khác")
    mine = submit(citizen, version, unit, idempotency_key="same")
    theirs = submit(other, version, unit, idempotency_key="same")
    assert mine.pk != theirs.pk


@pytest.mark.parametrize(
    ("overrides", "error", "code"),
    [
        ({"procedure_code": "9.999999"}, NotFound, "unknown_procedure"),
        ({"form_data": {"cccd": "082012345678"}}, InvalidInput, "invalid_input"),
        ({"form_data": form(cccd="12345")}, InvalidInput, "invalid_input"),
        ({"form_data": form(cccd="999012345678")}, InvalidInput, "invalid_input"),
        ({"files": [services.IncomingFile("giay-to.pdf", EXE)]}, InvalidInput, "file_type_not_allowed"),
        ({"files": [services.IncomingFile("anh.jpg", PDF[:3])]}, InvalidInput, "file_type_not_allowed"),
        (
            {"files": [services.IncomingFile("lon.pdf", PDF + b"\x00" * services.MAX_FILE_BYTES)]},
            InvalidInput,
            "file_too_large",
        ),
        ({"idempotency_key": ""}, InvalidInput, "idempotency_key_required"),
        ({"unit_code": "KHONG.CO"}, InvalidInput, "unknown_unit"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(citizen, unit, version, _media, overrides, error, code):
    with pytest.raises(error) as caught:
        submit(citizen, version, unit, **overrides)
    assert caught.value.code == code
    assert not Dossier.objects.exists()
    assert not DossierFile.objects.exists()
    assert stored_files(_media) == []


def test_form_errors_name_the_fields(citizen, unit, version):
    with pytest.raises(InvalidInput) as caught:
        submit(citizen, version, unit, form_data={"ho_ten": "", "cccd": "0820123"})
    fields = caught.value.details["fields"]
    assert set(fields) == {"ho_ten", "cccd"}
    assert "12 chữ số" in fields["cccd"]


def test_a_jpeg_is_accepted_by_content(citizen, unit, version):
    dossier = submit(citizen, version, unit, files=[pdf_for(version, "anh-chup", JPEG)])
    assert dossier.files.get().content_type == "image/jpeg"


def test_a_procedure_without_online_service_refuses_online_submission(citizen, unit):
    offline = publish_version(online_level=OnlineLevel.NONE)
    with pytest.raises(InvalidInput):
        submit(citizen, offline, unit)


def test_counter_intake_is_received_at_once_by_the_officer(officer, citizen, unit, version):
    dossier = services.dossier_receive_at_counter(
        actor=officer,
        applicant=citizen,
        procedure_code=version.procedure.code,
        form_data=form(),
        files=[pdf_for(version, "ban-quet.pdf")],
    )
    assert dossier.channel == Channel.COUNTER
    assert dossier.state == DossierState.RECEIVED
    assert dossier.unit == unit and dossier.receiver == officer and dossier.applicant == citizen
    assert dossier.due_at is not None
    context = dossier.submission
    assert (context.account, context.is_staff_account, context.created_by_staff) == (officer, True, officer)
    assert list(dossier.transitions.values_list("action", flat=True)) == ["submit", "receive"]
    assert not Dossier.objects.filter(channel=Channel.ONLINE).exists()


def test_postal_intake_keeps_the_tracking_number(officer, citizen, unit, version):
    dossier = services.dossier_receive_by_post(
        actor=officer,
        applicant=citizen,
        procedure_code=version.procedure.code,
        form_data=form(),
        files=[pdf_for(version)],
        postal_tracking_no="EB123456789VN",
    )
    assert (dossier.channel, dossier.postal_tracking_no, dossier.state) == (
        Channel.POSTAL,
        "EB123456789VN",
        DossierState.RECEIVED,
    )
    with pytest.raises(InvalidInput):
        services.dossier_receive_by_post(
            actor=officer,
            applicant=citizen,
            procedure_code=version.procedure.code,
            form_data=form(),
            files=[pdf_for(version)],
            postal_tracking_no="",
        )


def test_only_a_one_stop_officer_takes_counter_dossiers(specialist, citizen, version):
    with pytest.raises(PermissionDenied):
        services.dossier_receive_at_counter(
            actor=specialist, applicant=citizen, procedure_code=version.procedure.code, form_data=form()
        )
    assert not Dossier.objects.exists()


def test_a_failure_inside_the_transaction_leaves_nothing_half_written(officer, citizen, unit, _media):
    # given a procedure whose time the calendar refuses (a data error), so receipt fails after the
    # dossier, its files and its number were written in the transaction
    broken = publish_version(processing_amount=20_000)
    with pytest.raises(InvalidInput):
        services.dossier_receive_at_counter(
            actor=officer,
            applicant=citizen,
            procedure_code=broken.procedure.code,
            form_data=form(),
            files=[pdf_for(broken)],
        )
    # then no dossier, no file row, no stored file, no history
    assert not Dossier.objects.exists()
    assert not DossierFile.objects.exists()
    assert not DossierTransition.objects.exists()
    assert stored_files(_media) == []
    # and the number was given back: the next dossier of the day is 0001
    good = publish_version()
    dossier = services.dossier_receive_at_counter(
        actor=officer, applicant=citizen, procedure_code=good.procedure.code, form_data=form(), files=[pdf_for(good)]
    )
    assert re.fullmatch(r"H15\.50-\d{6}-0001", dossier.code)


def test_a_failed_request_never_removes_a_file_another_dossier_stored_with_the_same_bytes(
    officer, citizen, unit, version, _media
):
    # given a dossier that stored a PDF
    kept = submit(citizen, version, unit, files=[pdf_for(version)])
    # when another request with the very same bytes fails inside its transaction
    broken = publish_version(processing_amount=20_000)
    with pytest.raises(InvalidInput):
        services.dossier_receive_at_counter(
            actor=officer,
            applicant=citizen,
            procedure_code=broken.procedure.code,
            form_data=form(),
            files=[pdf_for(broken, "ban-sao.pdf")],
        )
    # then the first dossier's file is still there, byte for byte, and only it is stored
    stored = kept.files.get()
    assert stored.file.read() == PDF
    assert stored_files(_media) == [Path(stored.file.path)]


# --- Required components -------------------------------------------------------------------------
def two_required_and_one_optional():
    return publish_version(
        components=[
            ComponentSpec("Tờ khai đăng ký khai sinh", originals=1),
            ComponentSpec("Giấy chứng sinh", originals=1),
            ComponentSpec("Văn bản ủy quyền (nếu có)", originals=1, required=False),
        ]
    )


def test_a_missing_required_component_is_named_and_nothing_is_written(citizen, unit, _media):
    # given a procedure with two required components and an optional one
    version = two_required_and_one_optional()
    declaration, certificate, authorisation = version.components.order_by("order")
    # when the citizen attaches the declaration and the optional paper, but no birth certificate
    with pytest.raises(InvalidInput) as caught:
        submit(
            citizen,
            version,
            unit,
            files=[
                services.IncomingFile("to-khai.pdf", PDF, component_id=declaration.pk),
                services.IncomingFile("uy-quyen.pdf", PDF, component_id=authorisation.pk),
            ],
        )
    # then the error names the missing component, in Vietnamese, and lists it by id
    error = caught.value
    assert (error.status, error.code) == (400, "component_required")
    assert error.message == "Thiếu thành phần hồ sơ bắt buộc “Giấy chứng sinh”: cần đính kèm ít nhất một tệp."
    assert error.details["components"] == [{"id": certificate.pk, "name": "Giấy chứng sinh"}]
    assert not Dossier.objects.exists() and stored_files(_media) == []


def test_files_for_no_component_do_not_stand_for_a_required_one(citizen, unit):
    version = two_required_and_one_optional()
    with pytest.raises(InvalidInput) as caught:
        submit(citizen, version, unit, files=[services.IncomingFile("to-khai.pdf", PDF)])
    assert caught.value.message.startswith("Thiếu 2 thành phần hồ sơ bắt buộc: “Tờ khai đăng ký khai sinh”; “Giấy")
    assert [c["name"] for c in caught.value.details["components"]] == ["Tờ khai đăng ký khai sinh", "Giấy chứng sinh"]


def test_every_required_component_with_a_file_is_accepted(citizen, unit):
    version = two_required_and_one_optional()
    declaration, certificate, _optional = version.components.order_by("order")
    dossier = submit(
        citizen,
        version,
        unit,
        files=[
            services.IncomingFile("to-khai.pdf", PDF, component_id=declaration.pk),
            services.IncomingFile("chung-sinh-1.jpg", JPEG, component_id=certificate.pk),
            services.IncomingFile("chung-sinh-2.png", PNG, component_id=certificate.pk),
        ],
    )
    assert sorted(dossier.files.values_list("component_id", flat=True)) == sorted(
        [declaration.pk, certificate.pk, certificate.pk]
    )


@pytest.mark.parametrize("channel", ["counter", "postal"])
def test_staff_intake_enforces_required_components_too(officer, citizen, unit, channel):
    version = two_required_and_one_optional()
    intake = services.dossier_receive_at_counter if channel == "counter" else services.dossier_receive_by_post
    extra = {"postal_tracking_no": "EB123456789VN"} if channel == "postal" else {}
    with pytest.raises(InvalidInput) as caught:
        intake(
            actor=officer,
            applicant=citizen,
            procedure_code=version.procedure.code,
            form_data=form(),
            files=[pdf_for(version)],
            **extra,
        )
    assert caught.value.code == "component_required" and "“Giấy chứng sinh”" in caught.value.message
    assert not Dossier.objects.exists()


def test_a_long_component_name_is_shortened_in_the_message(citizen, unit):
    long_name = "Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng " * 3
    version = publish_version(components=[ComponentSpec(long_name, originals=1)])
    with pytest.raises(InvalidInput) as caught:
        submit(citizen, version, unit, files=[])
    assert "“Giấy chứng sinh; trường hợp không có Giấy chứng sinh thì nộp văn bản của người làm chứng…”:" in (
        caught.value.message
    )
    assert caught.value.details["components"][0]["name"] == long_name
