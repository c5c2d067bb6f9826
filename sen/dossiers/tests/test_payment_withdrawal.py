"""States 6 (waiting for the financial obligation) and 7 (withdrawal requested): their actions in the
one transition table, the clock paused in 6 like for a supplement, who may act, the API, the work
queue's buttons and the applicant's page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse

from sen.core.calendar import VN_TZ, working_calendar
from sen.core.exceptions import Conflict, InvalidInput, NotFound, PermissionDenied
from sen.core.models import AuditEvent
from sen.dossiers.choices import DossierState, Timeliness
from sen.dossiers.deadlines import dossier_timeliness
from sen.dossiers.models import Dossier, FinancialObligation
from sen.dossiers.services import dossier_transition
from sen.dossiers.tests.factories import submit
from sen.identity.tests.factories import CitizenFactory

S = DossierState


def refreshed(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


@pytest.fixture
def processing(citizen, officer, specialist, unit, version):
    """A received dossier handed to the specialist (state 4)."""
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")
    return dossier_transition(actor=officer, dossier=dossier, action="assign", assignee=specialist.username)


# --- 6: the financial obligation ---------------------------------------------------------------------
def test_a_financial_obligation_pauses_the_clock_until_it_is_confirmed(processing, specialist):
    due_at = processing.due_at
    # a description is needed
    with pytest.raises(InvalidInput) as caught:
        dossier_transition(actor=specialist, dossier=processing, action="request-payment", amount_vnd=8000)
    assert caught.value.code == "reason_required"
    # when the specialist asks for the fee, with its amount
    dossier = dossier_transition(
        actor=specialist,
        dossier=processing,
        action="request-payment",
        reason="Lệ phí cấp bản sao trích lục",
        amount_vnd=8000,
    )
    # then the dossier waits (6), the clock is stopped, and the timeliness is pending whatever the date
    assert dossier.state == S.WAITING_FINANCIAL and dossier.paused_since is not None
    obligation = FinancialObligation.objects.get(dossier=dossier)
    assert (obligation.description, obligation.amount_vnd, obligation.requested_by) == (
        "Lệ phí cấp bản sao trích lục",
        8000,
        specialist,
    )
    Dossier.objects.filter(pk=dossier.pk).update(effective_due_at=dt.datetime(2026, 1, 5, 17, tzinfo=VN_TZ))
    assert dossier_timeliness(refreshed(dossier)) == Timeliness.PENDING
    Dossier.objects.filter(pk=dossier.pk).update(effective_due_at=due_at)
    asked = dt.datetime(2026, 11, 2, 7, 0, tzinfo=VN_TZ)  # a Monday morning, weeks ago
    FinancialObligation.objects.filter(pk=obligation.pk).update(requested_at=asked)
    # when the payment is confirmed
    dossier = dossier_transition(actor=specialist, dossier=refreshed(dossier), action="confirm-payment")
    # then the clock runs again and the effective due date moves by the working minutes waited
    obligation.refresh_from_db()
    calendar = working_calendar()
    assert dossier.state == S.PROCESSING and dossier.paused_since is None
    assert obligation.paused_minutes == calendar.working_minutes_between(asked, obligation.resumed_at) > 5 * 8 * 60
    assert obligation.confirmed_by == specialist
    assert dossier.due_at == due_at and dossier.paused_minutes == obligation.paused_minutes
    assert dossier.effective_due_at == calendar.add_working_minutes(due_at, obligation.paused_minutes)
    actions = list(
        AuditEvent.objects.filter(object_id=str(dossier.pk), action__startswith="dossiers.dossier.").values_list(
            "action", flat=True
        )
    )
    assert actions[-2:] == ["dossiers.dossier.request-payment", "dossiers.dossier.confirm-payment"]


def test_a_dossier_stopped_while_waiting_to_pay_ends_its_pause_unconfirmed(processing, specialist):
    dossier = dossier_transition(actor=specialist, dossier=processing, action="request-payment", reason="Lệ phí")
    dossier = dossier_transition(actor=specialist, dossier=dossier, action="stop", reason="Quá hạn nộp lệ phí")
    obligation = FinancialObligation.objects.get(dossier=dossier)
    assert dossier.state == S.STOPPED and dossier.paused_since is None
    assert obligation.resumed_at is not None and obligation.confirmed_by is None


@pytest.mark.parametrize(
    ("setup", "action", "allowed_from"),
    [
        ("received", "request-payment", ["4"]),  # asked while processing only
        ("processing", "confirm-payment", ["6"]),
        ("processing", "accept-withdrawal", ["7"]),
        ("processing", "reject-withdrawal", ["7"]),
    ],
)
def test_the_new_actions_refuse_other_states_with_409(
    citizen, officer, specialist, unit, version, setup, action, allowed_from
):
    dossier = dossier_transition(actor=officer, dossier=submit(citizen, version, unit), action="receive")
    actor = officer
    if setup == "processing":
        dossier = dossier_transition(actor=officer, dossier=dossier, action="assign", assignee=specialist.username)
        actor = specialist
    with pytest.raises(Conflict) as caught:
        dossier_transition(actor=actor, dossier=dossier, action=action, reason="Lý do")
    assert caught.value.status == 409 and caught.value.code == "invalid_transition"
    assert caught.value.details["allowed_from"] == allowed_from
    assert refreshed(dossier).state == dossier.state


def test_a_negative_amount_is_refused(processing, specialist):
    with pytest.raises(InvalidInput) as caught:
        dossier_transition(actor=specialist, dossier=processing, action="request-payment", reason="Phí", amount_vnd=-1)
    assert caught.value.code == "invalid_amount"
    assert refreshed(processing).state == S.PROCESSING


# --- 7: the withdrawal -------------------------------------------------------------------------------
def test_a_withdrawal_requested_while_waiting_for_a_supplement_keeps_the_pause(
    citizen, officer, specialist, processing
):
    waiting = dossier_transition(actor=specialist, dossier=processing, action="request-supplement")
    paused_since = waiting.paused_since
    # staff cannot ask for it, and the applicant must say why
    with pytest.raises(PermissionDenied):
        dossier_transition(actor=specialist, dossier=waiting, action="request-withdrawal", reason="Thay công dân")
    with pytest.raises(InvalidInput):
        dossier_transition(actor=citizen, dossier=waiting, action="request-withdrawal")
    # when the applicant asks
    dossier = dossier_transition(actor=citizen, dossier=waiting, action="request-withdrawal", reason="Nộp nhầm")
    assert (dossier.state, dossier.paused_since) == (S.WITHDRAWAL_REQUESTED, paused_since)
    # the applicant cannot decide on it, staff must give a reason to refuse it
    with pytest.raises(PermissionDenied):
        dossier_transition(actor=citizen, dossier=dossier, action="accept-withdrawal")
    with pytest.raises(InvalidInput):
        dossier_transition(actor=specialist, dossier=dossier, action="reject-withdrawal")
    # a refusal takes it back where it was: still waiting for the supplement, still paused
    dossier = dossier_transition(
        actor=specialist, dossier=dossier, action="reject-withdrawal", reason="Hồ sơ đã được thẩm định"
    )
    assert (dossier.state, dossier.paused_since) == (S.WAITING_SUPPLEMENT, paused_since)
    assert dossier.transitions.last().details["back_to"] == S.WAITING_SUPPLEMENT
    # asked again and accepted: stopped, the pause ended
    dossier = dossier_transition(actor=citizen, dossier=dossier, action="request-withdrawal", reason="Không cần nữa")
    dossier = dossier_transition(actor=specialist, dossier=dossier, action="accept-withdrawal")
    assert (dossier.state, dossier.paused_since) == (S.STOPPED, None)
    assert dossier.ended_at is not None and dossier.supplement_requests.get().resumed_at is not None


def test_a_dossier_not_yet_received_is_withdrawn_with_the_one_stop_officer(citizen, officer, unit, version):
    dossier = dossier_transition(
        actor=citizen, dossier=submit(citizen, version, unit), action="request-withdrawal", reason="Nộp nhầm thủ tục"
    )
    dossier = dossier_transition(actor=officer, dossier=dossier, action="reject-withdrawal", reason="Thử lại")
    assert dossier.state == S.SUBMITTED and dossier.received_at is None
    dossier = dossier_transition(actor=citizen, dossier=dossier, action="request-withdrawal", reason="Nộp nhầm")
    dossier = dossier_transition(actor=officer, dossier=dossier, action="accept-withdrawal")
    assert dossier.state == S.STOPPED and dossier.due_at is None


def test_someone_elses_dossier_cannot_be_withdrawn(citizen, unit, version):
    dossier = submit(citizen, version, unit)
    with pytest.raises(NotFound):
        dossier_transition(actor=CitizenFactory(), dossier=dossier, action="request-withdrawal", reason="Không")


# --- The API -----------------------------------------------------------------------------------------
def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def act(user, code, action, **body):
    return client_for(user).post(f"/api/v1/dossiers/{code}/actions/{action}", body, content_type="application/json")


def test_the_api_takes_the_new_actions(citizen, specialist, processing):
    code = processing.code
    body = act(specialist, code, "request-payment", reason="Lệ phí", amount_vnd=8000).json()
    assert body["state"] == "6" and body["paused_since"] is not None
    assert body["financial_obligations"][0] | {"requested_at": None} == {
        "requested_at": None,
        "description": "Lệ phí",
        "amount_vnd": 8000,
        "resumed_at": None,
        "confirmed": False,
        "paused_minutes": 0,
    }
    again = act(specialist, code, "request-payment", reason="Lệ phí")
    assert again.status_code == 409 and again.json()["code"] == "invalid_transition"
    assert act(specialist, code, "confirm-payment").json()["financial_obligations"][0]["confirmed"] is True
    assert act(specialist, code, "request-payment", reason="Phí", amount_vnd=-5).status_code == 400
    withdrawn = act(citizen, code, "request-withdrawal", reason="Không cần nữa")
    assert withdrawn.status_code == 200 and withdrawn.json()["state"] == "7"
    assert act(specialist, code, "request-withdrawal", reason="x").status_code == 403  # the applicant's alone
    assert act(citizen, code, "request-withdrawal", reason="x").status_code == 409  # already in 7
    assert act(specialist, code, "reject-withdrawal").json()["code"] == "reason_required"
    assert act(specialist, code, "reject-withdrawal", reason="Đã ký kết quả").json()["state"] == "4"


# --- The pages -------------------------------------------------------------------------------------
def buttons(user, code) -> list[str]:
    response = client_for(user).get(reverse("dossiers:work_dossier", args=[code]))
    return [item["action"] for item in response.context["action_forms"]]


def test_the_work_page_shows_the_buttons_of_6_and_7(citizen, specialist, processing):
    assert "request-payment" in buttons(specialist, processing.code)
    assert "request-withdrawal" not in buttons(specialist, processing.code)
    dossier = dossier_transition(actor=specialist, dossier=processing, action="request-payment", reason="Lệ phí")
    assert buttons(specialist, dossier.code) == ["confirm-payment", "stop"]
    dossier_transition(actor=citizen, dossier=dossier, action="request-withdrawal", reason="Không cần nữa")
    assert buttons(specialist, dossier.code) == ["accept-withdrawal", "reject-withdrawal"]
    # the button posts to the page action, which moves it
    response = client_for(specialist).post(
        reverse("dossiers:work_action", args=[dossier.code, "reject-withdrawal"]),
        {"reject-withdrawal-reason": "Đã có kết quả thẩm định"},
    )
    assert response.status_code == 302 and refreshed(dossier).state == S.WAITING_FINANCIAL


def test_a_dossier_waiting_to_pay_is_never_late_in_the_queue(specialist, processing):
    dossier = dossier_transition(actor=specialist, dossier=processing, action="request-payment", reason="Lệ phí")
    Dossier.objects.filter(pk=dossier.pk).update(effective_due_at=dt.datetime(2026, 1, 5, 17, tzinfo=VN_TZ))
    response = client_for(specialist).get(reverse("dossiers:work_queue"), {"tab": "late"})
    assert dossier.code not in response.content.decode()
    dossier_transition(actor=specialist, dossier=refreshed(dossier), action="confirm-payment")
    Dossier.objects.filter(pk=dossier.pk).update(effective_due_at=dt.datetime(2026, 1, 5, 17, tzinfo=VN_TZ))
    response = client_for(specialist).get(reverse("dossiers:work_queue"), {"tab": "late"})
    assert dossier.code in response.content.decode()


def test_the_applicant_asks_to_withdraw_on_their_page_and_sees_what_to_pay(citizen, specialist, processing):
    detail = reverse("dossiers:citizen_detail", args=[processing.code])
    dossier_transition(
        actor=specialist, dossier=processing, action="request-payment", reason="Lệ phí trích lục", amount_vnd=8000
    )
    html = client_for(citizen).get(detail).content.decode()
    assert 'id="payment-notice"' in html and "Lệ phí trích lục" in html and "8000 đồng" in html
    assert 'id="withdraw"' in html
    withdraw = reverse("dossiers:citizen_withdraw", args=[processing.code])
    client = client_for(citizen)
    response = client.post(withdraw, {"reason": ""}, follow=True)
    assert "Cần nêu lý do." in response.content.decode() and refreshed(processing).state == S.WAITING_FINANCIAL
    response = client.post(withdraw, {"reason": "Không còn nhu cầu"}, follow=True)
    html = response.content.decode()
    assert refreshed(processing).state == S.WITHDRAWAL_REQUESTED
    assert "Đã gửi yêu cầu rút hồ sơ" in html and "Không còn nhu cầu" in html and 'id="withdraw"' not in html
    # nobody else may
    stranger = client_for(CitizenFactory(full_name="Vương Văn Lạ"))
    assert stranger.post(withdraw, {"reason": "x"}).status_code == 404
