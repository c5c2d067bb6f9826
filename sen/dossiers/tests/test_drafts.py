"""Drafts of online submissions (DossierDraft): saved with their files, resumed, submitted once, seen by
their owner only — through the service and the API (PUT/GET/DELETE /api/v1/dossier-drafts/...)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from sen.core.exceptions import InvalidInput, NotFound
from sen.core.models import AuditEvent
from sen.dossiers import services
from sen.dossiers.models import Dossier, DossierDraft, DossierDraftFile, DossierFile, IdempotencyKey
from sen.dossiers.tests.factories import EXE, PDF, PNG, component_id, form, pdf_for, publish_version
from sen.identity.tests.factories import CitizenFactory
from sen.procedures.services import procedure_publish, spec_from_version
from sen.procedures.specs import ComponentSpec


def stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()] if media.exists() else []


def save(actor, version, **kwargs):
    return services.dossier_draft_save(actor=actor, procedure_code=version.procedure.code, **kwargs)


def submit_draft(actor, version, key="draft-key-1", **kwargs):
    return services.dossier_submit_draft(
        actor=actor, procedure_code=version.procedure.code, idempotency_key=key, **kwargs
    )


# --- The service -----------------------------------------------------------------------------------
def test_a_draft_keeps_incomplete_values_and_files_with_their_hashes(citizen, unit, version, _media):
    # when the citizen saves half a form and a PDF
    draft = save(
        citizen, version, form_data={"ho_ten": "N", "cccd": "12"}, unit_code=unit.code, files=[pdf_for(version)]
    )
    # then the values are kept unvalidated, the file is stored by its SHA-256, and it is audited
    assert (draft.owner, draft.procedure_version, draft.form_data, draft.unit_code) == (
        citizen,
        version,
        {"ho_ten": "N", "cccd": "12"},
        unit.code,
    )
    (stored,) = draft.files.all()
    assert (stored.name, stored.content_type, stored.size, stored.component_id) == (
        "to-khai.pdf",
        "application/pdf",
        len(PDF),
        component_id(version),
    )
    assert stored.file.name.startswith(f"dossiers/files/{stored.sha256[:2]}/{stored.sha256}-")
    assert stored_files(_media) == [Path(stored.file.path)]
    assert AuditEvent.objects.filter(action="dossiers.draft.save", object_id=str(draft.pk)).count() == 1
    # and saving again updates the same draft: values replaced, files added
    again = save(citizen, version, form_data={"ho_ten": "Nguyễn Văn A"}, files=[services.IncomingFile("b.png", PNG)])
    assert again.pk == draft.pk and again.form_data == {"ho_ten": "Nguyễn Văn A"} and again.unit_code == unit.code
    assert again.files.count() == 2 and DossierDraft.objects.count() == 1


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"files": [services.IncomingFile("x.pdf", EXE)]}, "file_type_not_allowed"),
        ({"form_data": ["not", "an", "object"]}, "invalid_input"),
        ({"form_data": {"ghi_chu": "x" * (services.MAX_DRAFT_FORM_BYTES + 1)}}, "draft_too_large"),
    ],
)
def test_bad_draft_input_is_refused_and_nothing_is_written(citizen, version, _media, kwargs, code):
    with pytest.raises(InvalidInput) as caught:
        save(citizen, version, **kwargs)
    assert caught.value.code == code
    assert not DossierDraft.objects.exists() and stored_files(_media) == []


def test_a_draft_holds_no_more_files_than_a_submission(citizen, version, _media):
    save(citizen, version, files=[pdf_for(version)] * services.MAX_FILES)
    with pytest.raises(InvalidInput) as caught:
        save(citizen, version, files=[pdf_for(version)])
    assert caught.value.code == "too_many_files"
    assert DossierDraftFile.objects.count() == services.MAX_FILES
    assert len(stored_files(_media)) == services.MAX_FILES  # the refused upload was deleted again


def test_submitting_a_draft_makes_the_dossier_with_its_files_and_removes_the_draft(
    citizen, unit, version, _media, django_capture_on_commit_callbacks
):
    # given a complete draft with its PDF
    draft = save(citizen, version, form_data=form(), unit_code=unit.code, files=[pdf_for(version)])
    kept = draft.files.get()
    # when it is submitted
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit_draft(citizen, version)
    # then the dossier has the draft's values and file (the same stored file: nothing copied)
    assert (dossier.applicant, dossier.channel, dossier.unit, dossier.form_data["ho_ten"]) == (
        citizen,
        "online",
        unit,
        "Trần Thị Thử Nghiệm",
    )
    stored = dossier.files.get()
    assert (stored.sha256, stored.file.name, stored.component_id) == (kept.sha256, kept.file.name, kept.component_id)
    assert stored.file.read() == PDF and len(stored_files(_media)) == 1
    # and the draft is gone
    assert not DossierDraft.objects.exists() and not DossierDraftFile.objects.exists()
    # a retry with the same key, after the draft is gone, returns the same dossier
    assert submit_draft(citizen, version).pk == dossier.pk
    assert Dossier.objects.count() == 1 and IdempotencyKey.objects.count() == 1


def test_an_incomplete_draft_is_refused_on_submission_and_kept(citizen, unit, version, _media):
    # given a draft without the required component's file and with a malformed CCCD
    save(citizen, version, form_data=form(cccd="12"), unit_code=unit.code)
    with pytest.raises(InvalidInput) as caught:
        submit_draft(citizen, version)
    assert caught.value.code == "component_required"
    # when the file comes with the submission, the CCCD is still refused — and nothing is written
    with pytest.raises(InvalidInput) as caught:
        submit_draft(citizen, version, files=[pdf_for(version)])
    assert "cccd" in caught.value.details["fields"]
    assert DossierDraft.objects.get().files.count() == 0 and not Dossier.objects.exists()
    assert stored_files(_media) == []
    # and with the values corrected on the page, it goes through
    dossier = submit_draft(citizen, version, files=[pdf_for(version)], form_data=form())
    assert dossier.files.count() == 1 and not DossierDraft.objects.exists()


def test_files_taken_out_on_submission_do_not_count_and_are_deleted(
    citizen, unit, version, _media, django_capture_on_commit_callbacks
):
    draft = save(citizen, version, form_data=form(), unit_code=unit.code, files=[pdf_for(version)])
    kept = draft.files.get()
    with pytest.raises(InvalidInput) as caught:
        submit_draft(citizen, version, remove_file_ids=[kept.pk])
    assert caught.value.code == "component_required"
    with django_capture_on_commit_callbacks(execute=True):
        dossier = submit_draft(citizen, version, remove_file_ids=[kept.pk], files=[pdf_for(version, "moi.pdf")])
    assert [f.name for f in dossier.files.all()] == ["moi.pdf"]
    assert stored_files(_media) == [Path(dossier.files.get().file.path)]


def test_a_draft_is_its_owners_alone(citizen, unit, version):
    draft = save(citizen, version, form_data=form(), unit_code=unit.code, files=[pdf_for(version)])
    stranger = CitizenFactory(full_name="Lâm Thị Người Lạ")
    # another account has no draft of this procedure: it cannot submit, discard or touch this one
    with pytest.raises(NotFound):
        submit_draft(stranger, version)
    with pytest.raises(NotFound):
        services.dossier_draft_discard(actor=stranger, procedure_code=version.procedure.code)
    with pytest.raises(NotFound):
        save(stranger, version, remove_file_ids=[draft.files.get().pk])
    assert DossierDraft.objects.get().files.count() == 1
    assert not DossierDraft.objects.filter(owner=stranger).exists()  # a refused save leaves no empty draft


def test_a_draft_saved_under_an_older_version_moves_to_the_current_one(citizen, unit, _media):
    # given a draft with a file on "Tờ khai" and one on "Giấy chứng sinh"
    version = publish_version(components=[ComponentSpec("Tờ khai", originals=1), ComponentSpec("Giấy chứng sinh")])
    declaration, certificate = version.components.order_by("order")
    save(
        citizen,
        version,
        form_data=form(),
        unit_code=unit.code,
        files=[
            services.IncomingFile("to-khai.pdf", PDF, component_id=declaration.pk),
            services.IncomingFile("chung-sinh.pdf", PDF, component_id=certificate.pk),
        ],
    )
    # when the procedure publishes a version without the birth certificate
    spec = spec_from_version(version)
    spec.components = [ComponentSpec("Tờ khai", originals=1)]
    newer, _changed = procedure_publish(actor=None, spec=spec)
    # then submitting moves the draft: the declaration follows its component, the other file is dropped
    dossier = submit_draft(citizen, newer)
    assert dossier.procedure_version == newer
    assert [(f.name, f.component.name) for f in dossier.files.select_related("component")] == [
        ("to-khai.pdf", "Tờ khai")
    ]


# --- The API -----------------------------------------------------------------------------------------
def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def draft_url(version, rest: str = "") -> str:
    return f"/api/v1/dossier-drafts/{version.procedure.code}{rest}"


def test_the_draft_api_from_first_save_to_submission(citizen, unit, version, _media):
    client = client_for(citizen)
    # no draft yet
    response = client.get(draft_url(version))
    assert response.status_code == 404 and response.json()["code"] == "draft_not_found"
    # PUT creates it with the typed values
    body = client.put(draft_url(version), {"form_data": {"ho_ten": "Nháp"}, "unit_code": unit.code}, "application/json")
    assert body.status_code == 200, body.json()
    assert body.json()["form_data"] == {"ho_ten": "Nháp"} and body.json()["files"] == []
    # files are uploaded to it, each for its component
    uploaded = client.post(
        draft_url(version, "/files"),
        {"files": [SimpleUploadedFile("to-khai.pdf", PDF)], "file_components": json.dumps([component_id(version)])},
    )
    assert uploaded.status_code == 201, uploaded.json()
    (file,) = uploaded.json()["files"]
    assert (file["name"], file["component_id"], file["size"]) == ("to-khai.pdf", component_id(version), len(PDF))
    # GET resumes it; the list shows it
    assert client.get(draft_url(version)).json()["files"][0]["sha256"] == file["sha256"]
    assert [d["procedure_code"] for d in client.get("/api/v1/dossier-drafts").json()] == [version.procedure.code]
    # PUT the complete values, then submit with an Idempotency-Key
    client.put(draft_url(version), {"form_data": form(), "unit_code": unit.code}, "application/json")
    submitted = client.post(draft_url(version, "/submit"), headers={"Idempotency-Key": "api-draft-1"})
    assert submitted.status_code == 201, submitted.json()
    assert submitted.json()["state"] == "1" and submitted.json()["files"][0]["sha256"] == file["sha256"]
    # the draft is gone; the same request again answers the same dossier
    assert client.get(draft_url(version)).status_code == 404
    again = client.post(draft_url(version, "/submit"), headers={"Idempotency-Key": "api-draft-1"})
    assert again.status_code == 201 and again.json()["code"] == submitted.json()["code"]
    assert Dossier.objects.count() == 1 and DossierFile.objects.count() == 1


def test_the_draft_api_refuses_bad_input_with_json(citizen, unit, version):
    client = client_for(citizen)
    client.put(draft_url(version), {"form_data": form(), "unit_code": unit.code}, "application/json")
    fake = client.post(draft_url(version, "/files"), {"files": [SimpleUploadedFile("x.pdf", EXE)]})
    assert fake.status_code == 400 and fake.json()["code"] == "file_type_not_allowed"
    incomplete = client.post(draft_url(version, "/submit"), headers={"Idempotency-Key": "k"})
    assert incomplete.status_code == 400 and incomplete.json()["code"] == "component_required"
    assert client.post(draft_url(version, "/submit")).json()["code"] == "idempotency_key_required"
    assert client.put("/api/v1/dossier-drafts/9.999999", {"form_data": {}}, "application/json").status_code == 404
    assert Client().get(draft_url(version)).status_code == 401
    assert not Dossier.objects.exists()


def test_someone_elses_draft_and_its_files_are_404(citizen, unit, version):
    owner = client_for(citizen)
    owner.put(draft_url(version), {"form_data": {"ho_ten": "Của tôi"}}, "application/json")
    file_id = owner.post(
        draft_url(version, "/files"),
        {"files": [SimpleUploadedFile("a.pdf", PDF)], "file_components": json.dumps([component_id(version)])},
    ).json()["files"][0]["id"]
    stranger = client_for(CitizenFactory(full_name="Tạ Văn Lạ"))
    assert stranger.get(draft_url(version)).status_code == 404
    assert stranger.get("/api/v1/dossier-drafts").json() == []
    assert stranger.delete(draft_url(version)).status_code == 404
    response = stranger.delete(draft_url(version, f"/files/{file_id}"))
    assert response.status_code == 404 and response.json()["code"] == "draft_file_not_found"
    assert stranger.post(draft_url(version, "/submit"), headers={"Idempotency-Key": "x"}).status_code == 404
    # the owner's draft is untouched; the owner may remove the file and delete the draft
    assert owner.get(draft_url(version)).json()["form_data"] == {"ho_ten": "Của tôi"}
    assert owner.delete(draft_url(version, f"/files/{file_id}")).json()["files"] == []
    assert owner.delete(draft_url(version)).status_code == 204
    assert DossierDraft.objects.filter(owner=citizen).count() == 0
