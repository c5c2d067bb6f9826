import dataclasses
import gzip
import json
import zipfile
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation

from sen.core.exceptions import InvalidInput
from sen.core.models import AuditEvent
from sen.procedures.choices import VersionStatus
from sen.procedures.models import ComponentForm, Procedure, ProcedureVersion, WorkflowStep
from sen.procedures.services import procedure_import, procedure_publish, procedure_workflow_set, spec_from_version
from sen.procedures.specs import ComponentSpec, StepSpec
from sen.procedures.tests.factories import form, spec, steps

pytestmark = pytest.mark.django_db
EXTRACT = Path(settings.BASE_DIR) / "data" / "procedures" / "dvcqg_tthc_province_commune_2026-07.jsonl.gz"


def test_a_change_makes_a_new_version_and_the_old_one_stays(province_admin):
    # given a published procedure
    v1, changed = procedure_publish(actor=province_admin, spec=spec(code="9.100001", processing_amount=3))
    assert changed and v1.number == 1
    # when its time changes
    new_spec = dataclasses.replace(spec_from_version(v1), processing_amount=5)
    v2, changed = procedure_publish(actor=province_admin, spec=new_spec, change_note="Rút ngắn")
    # then a second version is current and the first is kept unchanged, children and all
    assert changed and v2.number == 2
    procedure = Procedure.objects.get(code="9.100001")
    assert procedure.current_version == v2
    v1.refresh_from_db()
    assert (v1.status, v1.processing_amount) == (VersionStatus.SUPERSEDED, 3)
    assert v1.workflow_steps.count() == 4 and v1.fees.count() == 1
    assert v2.processing_amount == 5 and v2.workflow_steps.count() == 4
    events = AuditEvent.objects.filter(action="procedures.version.publish", object_id=str(procedure.pk))
    assert [e.after["version"] for e in events.order_by("seq")] == [1, 2]


def test_publishing_the_same_spec_again_changes_nothing():
    same = spec(code="9.100002")
    v1, _ = procedure_publish(actor=None, spec=same)
    again, changed = procedure_publish(actor=None, spec=dataclasses.replace(same))
    assert (again, changed) == (v1, False)
    assert ProcedureVersion.objects.filter(procedure__code="9.100002").count() == 1


def test_the_database_allows_one_published_version_per_procedure():
    v1, _ = procedure_publish(actor=None, spec=spec(code="9.100003"))
    duplicate = ProcedureVersion.objects.get(pk=v1.pk)
    duplicate.pk = None
    duplicate.number = 2
    with pytest.raises(IntegrityError), transaction.atomic():
        duplicate.save()


@pytest.mark.parametrize(
    ("workflow", "message"),
    [
        (steps("10", "60", "20"), "Tổng tỷ lệ thời gian của các bước phải bằng 100% (hiện là 90%)."),
        (steps("50", "50.5"), "Tổng tỷ lệ thời gian của các bước phải bằng 100% (hiện là 100.5%)."),
        (steps("100", "0"), "Bước 2: tỷ lệ thời gian phải lớn hơn 0 và không quá 100%."),
        (steps("100", role="janitor"), "Bước 1: vai trò “janitor” không tồn tại."),
        ([], "Quy trình nội bộ cần ít nhất một bước."),
    ],
)
def test_workflow_shares_must_add_up_to_the_whole(workflow, message):
    with pytest.raises(InvalidInput) as caught:
        procedure_publish(actor=None, spec=spec(workflow=workflow))
    assert caught.value.message == message
    assert not Procedure.objects.exists()


def test_a_new_workflow_is_a_new_version(unit):
    v1, _ = procedure_publish(actor=None, spec=spec(code="9.100004"))
    workflow = [
        StepSpec("Tiếp nhận", "one_stop_officer", Decimal("12.5")),
        StepSpec("Xử lý", "specialist", Decimal("62.5"), unit_id=unit.pk),
        StepSpec("Ký duyệt", "leader", Decimal("25")),
    ]
    v2 = procedure_workflow_set(actor=None, procedure=v1.procedure, steps=workflow)
    assert v2.number == 2
    assert list(WorkflowStep.objects.filter(version=v2).values_list("role_code", "unit_id", "share_percent")) == [
        ("one_stop_officer", None, Decimal("12.50")),
        ("specialist", unit.pk, Decimal("62.50")),
        ("leader", None, Decimal("25.00")),
    ]
    assert WorkflowStep.objects.filter(version=v1).count() == 4


def test_a_workflow_set_in_english_gets_its_default_change_note_in_vietnamese(unit):
    v1, _ = procedure_publish(actor=None, spec=spec(code="9.100005"))

    with translation.override("en"):
        v2 = procedure_workflow_set(actor=None, procedure=v1.procedure, steps=steps("40", "60"))

    assert v2.change_note == "Cập nhật quy trình nội bộ"


def test_forms_are_stored_with_sha256_and_size_and_kept_across_versions():
    upload = form("to-khai.docx")
    v1, _ = procedure_publish(
        actor=None, spec=spec(components=[ComponentSpec("Tờ khai", originals=1, forms=(upload,))])
    )
    stored = ComponentForm.objects.get(component__version=v1)
    assert (stored.sha256, stored.size) == (upload.sha256, len(upload.content))
    assert stored.file.name == f"procedures/forms/{upload.sha256[:2]}/{upload.sha256}/to-khai.docx"
    with stored.file.open("rb") as handle:
        assert zipfile.ZipFile(BytesIO(handle.read())).testzip() is None
    v2, _ = procedure_publish(actor=None, spec=dataclasses.replace(spec_from_version(v1), processing_amount=9))
    assert ComponentForm.objects.get(component__version=v2).file.name == stored.file.name


@pytest.mark.parametrize(
    ("filename", "content"),
    [("to-khai.pdf", None), ("to-khai.docx", b"%PDF-1.7 not a docx"), ("../to-khai.docx", None)],
)
def test_forms_must_really_be_docx_or_xlsx(filename, content):
    bad = form(filename, content)
    with pytest.raises(InvalidInput):
        procedure_publish(actor=None, spec=spec(components=[ComponentSpec("Tờ khai", forms=(bad,))]))


def _sample(tmp_path, codes, change=None):
    lines = []
    with gzip.open(EXTRACT, "rt", encoding="utf-8") as handle:
        for line in handle:
            record = json.loads(line)
            if record["ma_thu_tuc"] in codes:
                if change and record["ma_thu_tuc"] in change:
                    record.update(change[record["ma_thu_tuc"]])
                lines.append(json.dumps(record, ensure_ascii=False))
    path = tmp_path / "sample.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


SAMPLE = {"1.001193", "2.000815", "3.000333", "2.002041", "1.013225", "1.001612", "2.000720", "1.004884"}


def test_import_is_idempotent_by_code_and_reports_what_it_could_not_read(tmp_path):
    path = _sample(tmp_path, SAMPLE)
    # when imported twice
    first = procedure_import(actor=None, path=path)
    second = procedure_import(actor=None, path=path)
    # then
    assert (first.records, first.created, first.updated, first.unchanged) == (8, 8, 0, 0)
    assert (second.created, second.updated, second.unchanged) == (0, 0, 8)
    assert sorted(code for code, _ in first.unreadable) == ["2.000815", "2.002041"]
    assert sorted(first.without_time) == ["1.001612", "2.000815", "2.002041"]
    assert Procedure.objects.count() == 8 and ProcedureVersion.objects.count() == 8
    birth = Procedure.objects.get(code="1.001193").current_version
    assert (birth.name, birth.processing_amount, birth.processing_unit) == (
        "Thủ tục đăng ký khai sinh",
        1,
        "working_days",
    )
    assert birth.level_codes == ["commune"] and birth.field.name == "Hộ tịch"


def test_reimporting_a_changed_record_makes_a_new_version(tmp_path):
    procedure_import(actor=None, path=_sample(tmp_path, SAMPLE))
    changed = _sample(tmp_path, SAMPLE, change={"1.001193": {"ten_thu_tuc": "Thủ tục đăng ký khai sinh (sửa đổi)"}})
    result = procedure_import(actor=None, path=changed)
    assert (result.updated, result.unchanged) == (1, 7)
    versions = ProcedureVersion.objects.filter(procedure__code="1.001193").order_by("number")
    assert [(v.number, v.status, v.name) for v in versions] == [
        (1, "superseded", "Thủ tục đăng ký khai sinh"),
        (2, "published", "Thủ tục đăng ký khai sinh (sửa đổi)"),
    ]


def test_import_leaves_procedures_the_province_adjusted(tmp_path):
    # given the demo's birth registration (the province's e-form, forms, workflow)
    from io import StringIO

    from sen.procedures.demo import demo_build

    demo_build(stdout=StringIO())
    # when the national record is imported
    result = procedure_import(actor=None, path=_sample(tmp_path, {"1.001193"}))
    # then the province's version stays current and the import says so
    assert result.kept_province == ["1.001193"]
    version = Procedure.objects.get(code="1.001193").current_version
    assert version.number == 1 and version.source == "province" and version.eform
