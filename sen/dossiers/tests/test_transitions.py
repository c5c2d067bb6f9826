"""The state machine: the whole way through the workflow, the table's refusals, who may act, the
deadline bookkeeping (supplement pauses, reschedule), and a Hypothesis walk over random actions."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sen.core.calendar import VN_TZ, working_calendar
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied, SenError
from sen.core.models import AuditEvent
from sen.dossiers.choices import DossierState
from sen.dossiers.models import Dossier, Handover, SupplementRequest
from sen.dossiers.policies import APPLICANT_ONLY_ACTIONS
from sen.dossiers.services import dossier_transition
from sen.dossiers.states import ACTIONS, PREVIOUS, TRANSITIONS, reachable_states
from sen.dossiers.tests.factories import submit
from sen.identity.tests.factories import CitizenFactory, OrgUnitFactory, StaffFactory

S = DossierState


def refreshed(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def test_the_whole_workflow(citizen, officer, specialist, leader, unit, version, unit_certificate):
    dossier = submit(citizen, version, unit)
    # the officer receives: the clock starts, the receiving step is the officer's
    dossier = dossier_transition(actor=officer, dossier=dossier, action="receive", note="Đủ giấy tờ")
    assert dossier.state == S.RECEIVED and dossier.receiver == officer
    assert dossier.due_at == working_calendar().due(dossier.received_at, 3, "working_days", apply_cutoff=True)
    assert dossier.effective_due_at == dossier.due_at
    # hand-overs through the steps, each with giver, receiver, time and its own due time
    dossier = dossier_transition(actor=officer, dossier=dossier, action="assign", assignee=specialist.username)
    dossier = dossier_transition(actor=specialist, dossier=dossier, action="forward", assignee=leader.username)
    dossier = dossier_transition(actor=leader, dossier=dossier, action="approve")
    assert dossier.assignee == officer  # the return step goes back to the officer who received it
    dossier = dossier_transition(actor=officer, dossier=dossier, action="complete")
    assert dossier.state == S.PROCESSED and dossier.processed_at is not None
    dossier = dossier_transition(actor=officer, dossier=dossier, action="return-result")
    assert dossier.state == S.RETURNED
    handovers = list(Handover.objects.filter(dossier=dossier).select_related("step").order_by("id"))
    assert [(h.step.order, h.giver, h.receiver) for h in handovers] == [
        (1, officer, officer),
        (2, officer, specialist),
        (3, specialist, leader),
        (4, leader, officer),
    ]
    # step shares 10/60/20/10 % of 3 working days = 144/864/288/144 working minutes from each hand-over
    calendar = working_calendar()
    for handover, minutes in zip(handovers, [144, 864, 288, 144], strict=True):
        assert handover.step_due_at == calendar.add_working_minutes(calendar.next_working_instant(handover.at), minutes)
    assert list(dossier.transitions.values_list("action", flat=True)) == [
        "submit",
        "receive",
        "assign",
        "forward",
        "approve",
        "complete",
        "return-result",
    ]
    assert AuditEvent.objects.filter(object_id=str(dossier.pk), action__startswith="dossiers.dossier.").count() == 7


def test_an_illegal_transition_is_a_conflict_naming_state_and_action(citizen, officer, unit, version):
    dossier = submit(citizen, version, unit)
    with pytest.raises(Conflict) as caught:
        dossier_transition(actor=officer, dossier=dossier, action="return-result")
    assert caught.value.status == 409
    assert "Trả kết quả" in caught.value.message and "Mới đăng ký" in caught.value.message
    assert caught.value.details == {"state": "1", "action": "return-result", "allowed_from": ["9"]}
    assert refreshed(dossier).state == S.SUBMITTED
    assert dossier.transitions.count() == 1


def test_receiving_twice_is_refused_and_due_at_stays(citizen, officer, unit, version):
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")
    with pytest.raises(Conflict):
        dossier_transition(actor=officer, dossier=dossier, action="receive")
    assert refreshed(dossier).due_at == dossier.due_at


def test_an_unknown_action_is_invalid_input(citizen, officer, unit, version):
    with pytest.raises(InvalidInput):
        dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="teleport")


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("specialist", PermissionDenied),  # sees the unit's dossiers, but receiving is the officer's step
        ("the_applicant", PermissionDenied),  # may only supplement
        ("another_citizen", NotFound),
        ("officer_elsewhere", NotFound),
    ],
)
def test_who_may_receive(citizen, specialist, unit, version, province, who, error):
    people = {
        "specialist": lambda: specialist,
        "the_applicant": lambda: citizen,
        "another_citizen": lambda: CitizenFactory(full_name="Phan Thị Người Lạ"),
        "officer_elsewhere": lambda: StaffFactory(
            full_name="Lý Văn Xã Khác",
            unit=OrgUnitFactory(code="H15.99", name="UBND xã Khác", parent=province),
            roles=["one_stop_officer"],
        ),
    }
    dossier = submit(citizen, version, unit)
    with pytest.raises(error):
        dossier_transition(actor=people[who](), dossier=dossier, action="receive")
    assert refreshed(dossier).state == S.SUBMITTED


def test_assignee_must_hold_the_next_steps_role(citizen, officer, leader, unit, version):
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")
    with pytest.raises(InvalidInput) as caught:
        dossier_transition(actor=officer, dossier=dossier, action="assign", assignee=leader.username)
    assert caught.value.code == "assignee_not_eligible"


def test_complete_needs_the_leaders_approval(citizen, officer, specialist, unit, version):
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")
    dossier = dossier_transition(actor=officer, dossier=dossier, action="assign", assignee=specialist.username)
    with pytest.raises(Conflict):
        dossier_transition(actor=specialist, dossier=dossier, action="complete")


def test_return_for_rework_goes_back_to_the_previous_receiver(citizen, officer, specialist, leader, unit, version):
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")
    dossier = dossier_transition(actor=officer, dossier=dossier, action="assign", assignee=specialist.username)
    dossier = dossier_transition(actor=specialist, dossier=dossier, action="forward", assignee=leader.username)
    with pytest.raises(InvalidInput):
        dossier_transition(actor=leader, dossier=dossier, action="return-for-rework")  # a reason is needed
    dossier = dossier_transition(actor=leader, dossier=dossier, action="return-for-rework", reason="Thiếu căn cứ")
    assert (dossier.state, dossier.current_step.order, dossier.assignee) == (S.PROCESSING, 2, specialist)


def test_a_supplement_pause_moves_the_effective_due_date_not_due_at(citizen, officer, unit, version):
    # given a received dossier and a supplement request made at a known instant
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")
    due_at = dossier.due_at
    dossier = dossier_transition(actor=officer, dossier=dossier, action="request-supplement", note="Thiếu ảnh")
    assert dossier.state == S.WAITING_SUPPLEMENT
    asked = dt.datetime(2026, 11, 2, 7, 0, tzinfo=VN_TZ)  # a Monday morning, weeks ago
    SupplementRequest.objects.filter(dossier=dossier).update(requested_at=asked)
    # when the applicant supplements
    dossier = dossier_transition(actor=citizen, dossier=dossier, action="supplement")
    # then the pause's working minutes are counted and the effective due date moves by them
    request = SupplementRequest.objects.get(dossier=dossier)
    calendar = working_calendar()
    assert request.paused_minutes == calendar.working_minutes_between(asked, request.resumed_at) > 5 * 8 * 60
    assert dossier.state == S.PROCESSING
    assert dossier.paused_minutes == request.paused_minutes
    assert dossier.due_at == due_at
    assert dossier.effective_due_at == calendar.add_working_minutes(due_at, request.paused_minutes)


def test_a_second_supplement_request_needs_a_reason_and_is_flagged(citizen, officer, unit, version):
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")
    dossier = dossier_transition(actor=officer, dossier=dossier, action="request-supplement")
    dossier = dossier_transition(actor=citizen, dossier=dossier, action="supplement")
    assert dossier.late_by_rule is False
    with pytest.raises(InvalidInput) as caught:
        dossier_transition(actor=officer, dossier=dossier, action="request-supplement")
    assert caught.value.code == "reason_required"
    dossier = dossier_transition(
        actor=officer, dossier=dossier, action="request-supplement", reason="Giấy khai sinh bản sao bị mờ"
    )
    assert dossier.late_by_rule is True
    assert list(SupplementRequest.objects.filter(dossier=dossier).values_list("late_by_rule", flat=True)) == [
        False,
        True,
    ]


def test_a_reschedule_is_stored_beside_the_original_due_date(citizen, officer, unit, version):
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")
    due_at = dossier.due_at
    with pytest.raises(InvalidInput):  # not before the current due date
        dossier_transition(
            actor=officer, dossier=dossier, action="reschedule", reason="Xin lỗi", new_due_at=due_at - dt.timedelta(1)
        )
    new_date = due_at + dt.timedelta(days=7)
    dossier = dossier_transition(
        actor=officer, dossier=dossier, action="reschedule", reason="Cần xác minh thêm", new_due_at=new_date
    )
    assert (dossier.state, dossier.due_at, dossier.rescheduled_due_at) == (S.RECEIVED, due_at, new_date)
    assert dossier.transitions.last().action == "reschedule"


# --- Hypothesis: random walks never leave the table and never change due_at --------------------
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(actions=st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=14))
def test_random_action_sequences_stay_inside_the_table(citizen, all_roles, unit, version, actions):
    dossier = submit(citizen, version, unit)
    states = reachable_states()
    due_at = None
    for number, action in enumerate(actions):
        before = refreshed(dossier).state
        # the applicant asks for a withdrawal; staff holding every role do the rest
        actor = citizen if action in APPLICANT_ONLY_ACTIONS else all_roles
        try:
            dossier_transition(
                actor=actor,
                dossier=dossier,
                action=action,
                reason="Lý do thử nghiệm",
                assignee=all_roles.username,
                new_due_at=dt.datetime(2099, 1, 1, tzinfo=VN_TZ) + dt.timedelta(days=number),
                amount_vnd=50000,
            )
            moved = True
        except SenError:
            moved = False
        after = refreshed(dossier)
        assert after.state in states
        transition = TRANSITIONS[action]
        if moved:
            assert before in transition.sources
            if transition.target == PREVIOUS:
                request = after.transitions.filter(action="request-withdrawal").order_by("-at", "-id").first()
                assert after.state == request.from_state
            else:
                assert after.state == (transition.target or before)
        else:
            assert after.state == before
        # the clock is paused exactly while a supplement or a financial obligation is open
        open_pauses = (
            after.supplement_requests.filter(resumed_at__isnull=True).count()
            + after.financial_obligations.filter(resumed_at__isnull=True).count()
        )
        assert open_pauses == (1 if after.paused_since is not None else 0)
        if after.state in (S.WAITING_SUPPLEMENT, S.WAITING_FINANCIAL):
            assert after.paused_since is not None
        if due_at is not None:
            assert after.due_at == due_at
        due_at = after.due_at
