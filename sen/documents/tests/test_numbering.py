"""Decree 30 numbering: per body and register, per calendar year from 01, no gaps, no duplicates."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, transaction

from sen.core.exceptions import Conflict
from sen.documents import numbering
from sen.documents.choices import Direction
from sen.documents.models import OutgoingDocument, Register
from sen.documents.services_setup import register_open, unit_profile_set
from sen.documents.tests.world import at_once
from sen.identity.tests.factories import OrgUnitFactory


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("doc_type", "drafting", "expected"),
    [
        ("QĐ", "room", "QĐ-STP"),
        ("TB", "room", "TB-STP"),
        ("TTr", "room", "TTr-STP"),
        ("CV", "room", "STP-VP"),  # a công văn: no type, the body then the drafting unit
        ("CV", "body", "STP"),
    ],
)
def test_the_ky_hieu_follows_decree_30(doc_type, drafting, expected, body, room):
    unit = room if drafting == "room" else body
    assert numbering.symbol_for(doc_type, body=body, drafting_unit=unit) == expected


@pytest.mark.django_db
def test_numbers_start_at_01_each_year_and_secret_documents_have_their_own_series(body):
    ordinary = numbering.register_for(body, Direction.OUTGOING, secret=False)
    secret = numbering.register_for(body, Direction.OUTGOING, secret=True)
    with transaction.atomic():
        taken = [numbering.next_number(ordinary, 2026) for _ in range(3)]
        taken_secret = [numbering.next_number(secret, 2026)]
        next_year = numbering.next_number(ordinary, 2027)
    assert taken == [1, 2, 3] and taken_secret == [1] and next_year == 1
    assert numbering.reference_text(5, "QĐ-STP") == "05/QĐ-STP"
    assert numbering.reference_text(123, "STP-VP") == "123/STP-VP"


@pytest.mark.django_db
def test_a_rolled_back_numbering_gives_its_number_back(body):
    register = numbering.register_for(body, Direction.OUTGOING, secret=False)
    with pytest.raises(RuntimeError), transaction.atomic():
        numbering.next_number(register, 2026)
        raise RuntimeError("the seal failed")
    with transaction.atomic():
        assert numbering.next_number(register, 2026) == 1


@pytest.mark.django_db
def test_a_body_without_a_register_or_an_abbreviation_gets_a_clear_conflict(province):
    bare = OrgUnitFactory(code="H15.77", name="Ban Quản lý dự án", parent=province)
    with pytest.raises(Conflict) as error:
        numbering.register_for(bare, Direction.OUTGOING, secret=False)
    assert error.value.code == "register_missing"
    with pytest.raises(Conflict) as error:
        numbering.symbol_for("QĐ", body=bare, drafting_unit=bare)
    assert error.value.code == "abbreviation_missing"
    register_open(actor=None, body=bare, direction=Direction.OUTGOING)
    with pytest.raises(Conflict) as error:
        register_open(actor=None, body=bare, direction=Direction.OUTGOING)
    assert error.value.code == "register_exists"
    unit_profile_set(actor=None, unit=bare, abbreviation="BQLDA")
    assert numbering.symbol_for("KH", body=bare, drafting_unit=bare) == "KH-BQLDA"


@pytest.mark.django_db
def test_the_database_refuses_a_second_document_with_the_same_number(body, drafter):
    register = Register.objects.get(body=body, direction=Direction.OUTGOING, is_secret=False)
    common = {"organisation": body, "drafting_unit": body, "drafter": drafter, "doc_type": "QĐ", "subject": "x"}
    OutgoingDocument.objects.create(**common, register=register, year=2026, number=7, symbol="QĐ-STP")
    with pytest.raises(IntegrityError), transaction.atomic():
        OutgoingDocument.objects.create(**common, register=register, year=2026, number=7, symbol="QĐ-STP")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_numbering_hands_out_every_number_once_without_gaps(body):
    register = numbering.register_for(body, Direction.OUTGOING, secret=False)
    threads_count, per_thread = 8, 10
    taken: list[int] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(per_thread):
            with transaction.atomic():
                number = numbering.next_number(register, 2026)
            with lock:
                taken.append(number)

    assert not at_once(threads_count, work)
    assert sorted(taken) == list(range(1, threads_count * per_thread + 1))
