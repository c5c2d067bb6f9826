"""Labels follow the reader's language; what is kept, sent or printed stays Vietnamese (sen.core.i18n)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from sen.dossiers.results import result_name
from sen.dossiers.tests.factories import submit

pytestmark = pytest.mark.django_db


def test_the_applicant_reading_in_english_sees_the_state_in_english(citizen, version, unit, english_client):
    dossier = submit(citizen, version, unit)

    listing = english_client(citizen).get(reverse("dossiers:citizen_list")).content.decode()
    api = english_client(citizen).get(f"/api/v1/dossiers/{dossier.code}").json()
    vietnamese = Client()
    vietnamese.force_login(citizen)

    assert "<td>Newly submitted</td>" in listing
    assert api["state_label"] == "Newly submitted"
    assert vietnamese.get(f"/api/v1/dossiers/{dossier.code}").json()["state_label"] == "Mới đăng ký"


def test_a_result_without_a_name_of_its_own_is_named_in_vietnamese_under_english(citizen, version, unit):
    dossier = submit(citizen, version, unit)
    dossier.procedure_version.result = ""

    with translation.override("en"):
        name = result_name(dossier)

    assert name == "Kết quả giải quyết thủ tục hành chính"
