"""The demo's documents: issuing bodies with their registers, a drafting room with its head and a
drafter, and a few documents at different steps. Idempotent: a second run changes nothing.

Two builders, because the sample documents need certificates that sen.signing.demo issues to every
leader: `demo_build` (bodies, registers, abbreviations) runs before it, `demo_samples` after it.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

from django.db import transaction

from sen.core.models import OrgUnit
from sen.documents.choices import IncomingAction, OutgoingAction
from sen.documents.models import OutgoingDocument, Register
from sen.documents.services import DraftIn, RecipientIn, outgoing_create, outgoing_transition
from sen.documents.services_incoming import Arrival, incoming_register_paper, incoming_transition
from sen.documents.services_setup import body_set_up, unit_profile_set
from sen.identity import policies as identity_policies
from sen.identity.models import RoleGrant, User

# The drafting room of Sở Tư pháp (its head and drafter are in sen.core.demo.people).
ROOM_NAME = "Văn phòng Sở"
SAMPLE_MARK = "(dữ liệu demo)"


def _unaccent(text: str) -> str:
    # NFD leaves Đ/đ whole: the abbreviation keeps Đ, as in "SGDĐT".
    return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))


def initials(name: str) -> str:
    """A room's abbreviation: "Văn phòng Sở" → "VP"; "Phòng Hành chính tư pháp" → "HCTP"."""
    if name.startswith("Văn phòng"):
        return "VP"
    words = [word for word in name.replace(",", " ").replace("-", " ").split() if word.lower() not in {"phòng", "và"}]
    return "".join(_unaccent(word[0]).upper() for word in words if word[0].isalpha())[:20]


def _units() -> dict[str, OrgUnit]:
    return {unit.code: unit for unit in OrgUnit.objects.filter(active_to__isnull=True).select_related("kind")}


def _bodies() -> list[tuple[OrgUnit, str, str]]:
    """(unit, abbreviation, heading) of every demo issuing body."""
    root = OrgUnit.objects.filter(parent__isnull=True, active_to__isnull=True).order_by("id").first()
    if root is None:
        return []
    province = root.name.replace("Ủy ban nhân dân ", "").upper()
    bodies = [(root, "UBND", f"ỦY BAN NHÂN DÂN\n{province}")]
    children = OrgUnit.objects.filter(parent=root, active_to__isnull=True).select_related("kind").order_by("code")
    departments = [unit for unit in children if unit.kind.code == "department"]
    staffed = set(
        User.objects.filter(employments__valid_to__isnull=True).values_list("employments__unit_id", flat=True)
    )
    for unit in departments:
        abbreviation = unit.short_name if unit.short_name and unit.short_name.isupper() else initials(unit.name)
        abbreviation = abbreviation.replace(" ", "")
        bodies.append((unit, abbreviation, f"UBND {province}\n{unit.name.upper()}"))
    for unit in children:
        if unit.kind.code in {"ward", "commune"} and unit.pk in staffed:
            bodies.append((unit, "UBND", f"ỦY BAN NHÂN DÂN\n{unit.name.upper()}"))
    return bodies


def justice_department() -> OrgUnit | None:
    return OrgUnit.objects.filter(name="Sở Tư pháp", active_to__isnull=True, parent__parent__isnull=True).first()


def demo_build(*, stdout: Any) -> dict[str, int]:
    counts = {"bodies": 0, "registers": 0, "rooms": 0}
    with transaction.atomic():
        for unit, abbreviation, heading in _bodies():
            before = Register.objects.filter(body=unit).count()
            body_set_up(actor=None, body=unit, abbreviation=abbreviation, place="Đồng Tháp", heading=heading)
            added = Register.objects.filter(body=unit).count() - before
            counts["registers"] += added
            counts["bodies"] += bool(added)
            for room in OrgUnit.objects.filter(parent=unit, active_to__isnull=True, kind__code="room"):
                if not hasattr(room, "document_profile"):
                    unit_profile_set(actor=None, unit=room, abbreviation=initials(room.name))
                    counts["rooms"] += 1
    stdout.write(
        f"Văn bản: {counts['bodies']} cơ quan mới có sổ, {counts['registers']} sổ mới, "
        f"{counts['rooms']} phòng có chữ viết tắt.\n"
    )
    return counts


def _role_holder(unit: OrgUnit, role: str) -> User | None:
    grant = (
        RoleGrant.objects.filter(identity_policies.valid_on(), unit=unit, role__code=role, user__is_active=True)
        .select_related("user")
        .order_by("id")
        .first()
    )
    return grant.user if grant is not None else None


def demo_samples(*, stdout: Any) -> dict[str, int]:
    """An issued decision of Sở Tư pháp to two departments, a draft in review, a draft waiting for the
    signature, and a paper document from a commune registered at Sở Tư pháp, waiting for direction."""
    justice = justice_department()
    if justice is None or OutgoingDocument.objects.filter(subject__endswith=SAMPLE_MARK).exists():
        stdout.write("Văn bản mẫu: đã có.\n")
        return {"documents": 0}
    # One transaction: a failure leaves no half-built sample (and the next run builds them all).
    with transaction.atomic():
        counts = _samples(justice, stdout=stdout)
    return counts


def _samples(justice: OrgUnit, *, stdout: Any) -> dict[str, int]:
    counts = {"documents": 0}
    room = OrgUnit.objects.filter(parent=justice, name=ROOM_NAME).first()
    director, clerk = _role_holder(justice, "leader"), _role_holder(justice, "clerk")
    head = _role_holder(room, "leader") if room else None
    drafter = (
        User.objects.filter(employments__unit=room, employments__valid_to__isnull=True).exclude(pk=head.pk).first()
        if head is not None
        else None
    )
    if not (director and clerk and head and drafter):
        stdout.write("Văn bản mẫu: thiếu người trong demo, bỏ qua.\n")
        return counts
    recipients = tuple(
        RecipientIn(unit_code=unit.code)
        for unit in OrgUnit.objects.filter(name__in=["Sở Nội vụ", "Sở Xây dựng"], active_to__isnull=True)
    )

    def draft(subject: str, doc_type: str, body: str) -> DraftIn:
        return DraftIn(
            doc_type=doc_type,
            subject=f"{subject} {SAMPLE_MARK}",
            body=body,
            signer=director.username,
            signer_position="Giám đốc",
            recipients=recipients,
        )

    issued = outgoing_create(
        actor=drafter,
        data=draft(
            "Về việc ban hành Quy chế tiếp nhận hồ sơ trực tuyến",
            "QĐ",
            "Điều 1. Ban hành kèm theo Quyết định này Quy chế tiếp nhận hồ sơ trực tuyến của Sở Tư pháp.\n"
            "Điều 2. Quyết định có hiệu lực kể từ ngày ký.\n"
            "Điều 3. Chánh Văn phòng Sở và các phòng thuộc Sở chịu trách nhiệm thi hành Quyết định này.",
        ),
    )
    steps = [
        (drafter, OutgoingAction.SUBMIT),
        (head, OutgoingAction.APPROVE),
        (clerk, OutgoingAction.APPROVE),
        (director, OutgoingAction.SIGN),
        (clerk, OutgoingAction.NUMBER),
        (clerk, OutgoingAction.SEAL),
        (clerk, OutgoingAction.ISSUE),
    ]
    for actor, action in steps:
        issued = outgoing_transition(actor=actor, document=issued, action=action)
    waiting = outgoing_create(
        actor=drafter,
        data=draft(
            "Về việc góp ý dự thảo Kế hoạch chuyển đổi số năm 2027",
            "CV",
            "Sở Tư pháp đề nghị các cơ quan góp ý dự thảo Kế hoạch chuyển đổi số năm 2027 trước ngày 15/12/2026.",
        ),
    )
    for actor, action in steps[:3]:
        outgoing_transition(actor=actor, document=waiting, action=action)
    in_review = outgoing_create(
        actor=drafter,
        data=draft(
            "Báo cáo kết quả công tác tư pháp năm 2026",
            "BC",
            "I. Kết quả thực hiện nhiệm vụ năm 2026.\nII. Phương hướng, nhiệm vụ năm 2027.",
        ),
    )
    outgoing_transition(actor=drafter, document=in_review, action=OutgoingAction.SUBMIT)
    paper = incoming_register_paper(
        actor=clerk,
        body=justice,
        arrival=Arrival(
            sender_name="Ủy ban nhân dân xã Mỹ An Hưng",
            subject=f"Về việc đề nghị hướng dẫn chứng thực bản sao điện tử {SAMPLE_MARK}",
            reference="15/TTr-UBND",
            issued_on=dt.date(2026, 11, 20),
            doc_type="TTr",
        ),
    )
    incoming_transition(actor=clerk, document=paper, action=IncomingAction.SUBMIT)
    counts["documents"] += 4
    stdout.write(
        f"Văn bản mẫu: {counts['documents']} văn bản ({issued.reference} đã ban hành, "
        f"gửi {issued.recipients.count()} nơi nhận).\n"
    )
    return counts
