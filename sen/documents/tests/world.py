"""The documents world of the tests (a pytest plugin the root conftest loads, so the browser tests
share it).

    province  Ủy ban nhân dân tỉnh Đồng Tháp (H15)
    └── unit  Sở Tư pháp (H15.50)          issuing body "STP": out/in registers, a seal certificate
        └── room  Văn phòng Sở (H15.50.01)  the drafting unit "VP"
    └── other Sở Nội vụ (H15.51)           a recipient body "SNV" with its own clerk and leader

People: `drafter` (specialist in room), `head` (leader of room only), `leader` (director of the Sở,
with a signing certificate), `clerk` (văn thư of the Sở), `other_clerk`, `other_leader`,
`other_specialist` (in Sở Nội vụ).
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable

import pytest
from django.db import close_old_connections

from sen.core.models import AuditEvent
from sen.documents.services import DraftIn, RecipientIn, outgoing_create, outgoing_transition
from sen.documents.services_setup import body_set_up
from sen.identity.tests.factories import OrgUnitFactory, StaffFactory
from sen.signing import samples
from sen.signing import services as signing


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.VAR_DIR = tmp_path
    return settings.MEDIA_ROOT


@pytest.fixture
def jobs(django_capture_on_commit_callbacks):
    """`with jobs(execute=True): ...` runs the jobs a service enqueued, as after its commit."""
    return django_capture_on_commit_callbacks


@functools.cache
def appendix_pdf() -> bytes:
    return samples.appendix_pdf()


@pytest.fixture
def body(unit, other):
    """The Sở, set up as an issuing body (Sở Nội vụ, its usual recipient in the tests, too)."""
    body_set_up(actor=None, body=unit, abbreviation="STP", place="Đồng Tháp", heading="UBND TỈNH ĐỒNG THÁP\nSỞ TƯ PHÁP")
    return unit


@pytest.fixture
def room(body):
    room = OrgUnitFactory(code="H15.50.01", name="Văn phòng Sở", parent=body)
    from sen.documents.services_setup import unit_profile_set

    unit_profile_set(actor=None, unit=room, abbreviation="VP")
    return room


@pytest.fixture
def other(province):
    other = OrgUnitFactory(code="H15.51", name="Sở Nội vụ", parent=province)
    body_set_up(actor=None, body=other, abbreviation="SNV", place="Đồng Tháp", heading="UBND TỈNH ĐỒNG THÁP\nSỞ NỘI VỤ")
    return other


@pytest.fixture
def drafter(room):
    return StaffFactory(full_name="Trần Thị Soạn Thảo", unit=room, position="Chuyên viên", roles=["specialist"])


@pytest.fixture
def head(room):
    return StaffFactory(full_name="Lê Văn Chánh Văn Phòng", unit=room, position="Chánh Văn phòng", roles=["leader"])


@pytest.fixture
def signer(leader, body):
    signing.certificate_issue(actor=None, user=leader)
    return leader


@pytest.fixture
def seal(body):
    return signing.certificate_issue(actor=None, unit=body)


@pytest.fixture
def other_clerk(other):
    return StaffFactory(full_name="Phan Thị Văn Thư Nội Vụ", unit=other, position="Văn thư", roles=["clerk"])


@pytest.fixture
def other_leader(other):
    return StaffFactory(full_name="Đỗ Văn Giám Đốc Nội Vụ", unit=other, position="Giám đốc", roles=["leader"])


@pytest.fixture
def other_specialist(other):
    return StaffFactory(full_name="Mai Thị Xử Lý", unit=other, position="Chuyên viên", roles=["specialist"])


def draft_in(signer=None, *, recipients=("H15.51",), doc_type="QĐ", **changes) -> DraftIn:
    values = {
        "doc_type": doc_type,
        "subject": "Về việc ban hành Quy chế tiếp nhận hồ sơ trực tuyến của Sở Tư pháp",
        "body": "Điều 1. Ban hành kèm theo Quyết định này Quy chế tiếp nhận hồ sơ trực tuyến.\n"
        "Điều 2. Quyết định có hiệu lực kể từ ngày ký.",
        "signer": signer.username if signer is not None else "",
        "signer_position": "Giám đốc",
        "recipients": tuple(RecipientIn(unit_code=code) for code in recipients),
    }
    values.update(changes)
    return DraftIn(**values)


def to_pending_signature(*, drafter, head, clerk, signer, **draft_changes):
    """A new draft taken through review and the format check, waiting for the signer."""
    document = outgoing_create(actor=drafter, data=draft_in(signer, **draft_changes))
    outgoing_transition(actor=drafter, document=document, action="submit")
    outgoing_transition(actor=head, document=document, action="approve")
    return outgoing_transition(actor=clerk, document=document, action="approve")


def issue(document, *, signer, clerk, jobs):
    """Sign, number, seal and issue; the delivery jobs run as after a commit."""
    outgoing_transition(actor=signer, document=document, action="sign")
    outgoing_transition(actor=clerk, document=document, action="number")
    outgoing_transition(actor=clerk, document=document, action="seal")
    with jobs(execute=True):
        return outgoing_transition(actor=clerk, document=document, action="issue")


def at_once(count: int, work: Callable[[], None]) -> list[BaseException]:
    """Run `work` in `count` threads released together (each on its own database connection); the
    errors they raised."""
    barrier = threading.Barrier(count)
    errors: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as error:  # returned to the test
            errors.append(error)
        finally:
            close_old_connections()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def events(action: str, obj) -> list[AuditEvent]:
    """The audit events `action` of `obj`, in order."""
    return list(AuditEvent.objects.filter(action=action, object_id=str(obj.pk)).order_by("seq"))
