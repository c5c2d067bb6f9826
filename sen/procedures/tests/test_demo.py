from io import StringIO

import pytest

from sen.procedures.demo import DEMO_CODES, demo_build
from sen.procedures.models import ComponentForm, Procedure, ProcedureVersion

pytestmark = pytest.mark.django_db


def test_demo_build_is_idempotent_and_carries_legal_times():
    first = demo_build(stdout=StringIO())
    second = demo_build(stdout=StringIO())
    assert first == {"procedure_versions_published": 7}
    assert second == {"procedure_versions_published": 0}
    assert ProcedureVersion.objects.count() == 7 and ComponentForm.objects.count() == 7
    times = {
        p.code: (p.current_version.processing_amount, p.current_version.processing_unit)
        for p in Procedure.objects.select_related("current_version")
    }
    assert times == {
        "1.001193": (1, "working_days"),
        "1.001612": (3, "working_days"),
        "2.000815": (1, "working_days"),
        "1.013225": (15, "calendar_days"),
        "3.000333": (10, "calendar_days"),
        "2.000720": (3, "working_days"),
        "2.002041": (3, "working_days"),
    }
    assert sorted(times) == sorted(DEMO_CODES)
    for version in ProcedureVersion.objects.all():
        assert version.eform and version.workflow_steps.count() == 4
