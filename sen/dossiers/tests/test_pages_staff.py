"""Staff pages: the work queue (tabs, counts, filters, sorting, pagination, a fixed number of queries)
and a dossier's page with its actions (legal ones move the state, illegal ones answer with a message)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from sen.core import counts as core_counts
from sen.core.calendar import VN_TZ
from sen.dossiers import views_staff
from sen.dossiers.choices import DossierState
from sen.dossiers.models import Dossier, Handover
from sen.dossiers.services import dossier_receive_at_counter, dossier_transition
from sen.dossiers.tests.factories import PDF, form, pdf_for, publish_version, submit
from sen.identity.tests.factories import OrgUnitFactory, StaffFactory
from sen.procedures.choices import Channel
from sen.procedures.specs import ComponentSpec

S = DossierState
QUEUE = reverse("dossiers:work_queue")


def page_url(dossier: Dossier) -> str:
    return reverse("dossiers:work_dossier", args=[dossier.code])


def action_url(dossier: Dossier, action: str) -> str:
    return reverse("dossiers:work_action", args=[dossier.code, action])


def listed(response) -> list[str]:
    return re.findall(r'<tr data-code="([^"]+)"', response.content.decode())


def refreshed(dossier: Dossier) -> Dossier:
    return Dossier.objects.get(pk=dossier.pk)


def receive(officer, dossier: Dossier) -> Dossier:
    return dossier_transition(actor=officer, dossier=dossier, action="receive")


def set_due(dossier: Dossier, when: dt.datetime) -> None:
    Dossier.objects.filter(pk=dossier.pk).update(due_at=when, effective_due_at=when)


@pytest.fixture
def elsewhere(province):
    return OrgUnitFactory(code="H15.99", name="UBND xã Khác", parent=province)


@pytest.fixture
def world(citizen, officer, specialist, unit, version, elsewhere):
    """One dossier per situation the tabs tell apart, at `unit`, and one at another unit."""
    now = timezone.now()
    today_evening = dt.datetime.combine(now.astimezone(VN_TZ).date(), dt.time(23, 59), tzinfo=VN_TZ)
    dossiers = {"new": submit(citizen, version, unit)}
    dossiers["received"] = receive(officer, submit(citizen, version, unit))
    dossiers["assigned"] = dossier_transition(
        actor=officer,
        dossier=receive(officer, submit(citizen, version, unit)),
        action="assign",
        assignee=specialist.username,
    )
    dossiers["today"] = receive(officer, submit(citizen, version, unit))
    set_due(dossiers["today"], today_evening)
    dossiers["late"] = receive(officer, submit(citizen, version, unit))
    set_due(dossiers["late"], now - dt.timedelta(days=1))
    # waiting for a supplement: the clock is stopped, so never late nor due today
    dossiers["waiting"] = dossier_transition(
        actor=officer, dossier=receive(officer, submit(citizen, version, unit)), action="request-supplement"
    )
    set_due(dossiers["waiting"], now - dt.timedelta(days=1))
    # stopped: closed, in nobody's queue but "all"
    dossiers["stopped"] = dossier_transition(
        actor=officer, dossier=receive(officer, submit(citizen, version, unit)), action="stop", reason="Rút hồ sơ"
    )
    set_due(dossiers["stopped"], now - dt.timedelta(days=1))
    other_officer = StaffFactory(full_name="Lý Văn Xã Khác", unit=elsewhere, roles=["one_stop_officer"])
    dossiers["elsewhere"] = receive(other_officer, submit(citizen, version, elsewhere))
    return {name: dossier.code for name, dossier in dossiers.items()}


EVERYTHING_HERE = {"new", "received", "assigned", "today", "late", "waiting", "stopped"}


EXPECTED_TABS = {
    "officer": {
        "mine": {"received", "today", "late", "waiting"},
        "receive": {"new"},
        "today": {"today"},
        "late": {"late"},
        "all": EVERYTHING_HERE,
    },
    "specialist": {"mine": {"assigned"}, "today": {"today"}, "late": {"late"}, "all": EVERYTHING_HERE},
    "leader": {"mine": set(), "today": {"today"}, "late": {"late"}, "all": EVERYTHING_HERE},
}


@pytest.mark.parametrize("who", EXPECTED_TABS)
def test_each_tab_lists_what_it_should(client, world, officer, specialist, leader, who):
    # given a staff member of the unit
    client.force_login({"officer": officer, "specialist": specialist, "leader": leader}[who])
    for tab, expected in EXPECTED_TABS[who].items():
        # when they open the tab
        response = client.get(QUEUE, {"tab": tab})
        # then exactly the expected dossiers are listed, and the tab's count says so
        assert response.status_code == 200
        assert sorted(listed(response)) == sorted(world[name] for name in expected), tab
        counts = {item.key: item.count for item in response.context["tabs"]}
        assert counts[tab] == len(expected), tab
        assert world["elsewhere"] not in response.content.decode()


def test_counts_of_every_tab_are_in_the_labels(client, world, officer):
    client.force_login(officer)
    response = client.get(QUEUE)
    counts = {item.key: item.count for item in response.context["tabs"]}
    assert counts == {"mine": 4, "receive": 1, "today": 1, "late": 1, "all": 7}
    html = response.content.decode()
    for key, label in [("mine", "Được giao cho tôi"), ("receive", "Chờ tiếp nhận"), ("late", "Quá hạn")]:
        assert re.search(rf'data-tab="{key}">{label} <span class="tab-count">{counts[key]}</span>', html)


def test_the_receive_tab_is_only_for_those_who_may_receive(client, world, specialist):
    client.force_login(specialist)
    response = client.get(QUEUE)
    assert [item.key for item in response.context["tabs"]] == ["mine", "today", "late", "all"]


def test_filters_by_procedure_state_channel_and_code(client, citizen, officer, unit, version):
    # given dossiers of two procedures, online and at the counter
    other_version = publish_version()
    online = receive(officer, submit(citizen, version, unit))
    other = submit(citizen, other_version, unit)
    counter = dossier_receive_at_counter(
        actor=officer,
        applicant=citizen,
        procedure_code=version.procedure.code,
        form_data=form(),
        files=[pdf_for(version)],
        unit=unit,
    )
    client.force_login(officer)

    def codes(**params):
        return sorted(listed(client.get(QUEUE, {"tab": "all", **params})))

    assert codes() == sorted([online.code, other.code, counter.code])
    assert codes(procedure=other_version.procedure.code) == [other.code]
    assert codes(procedure=version.procedure.code) == sorted([online.code, counter.code])
    assert codes(state=S.SUBMITTED) == [other.code]
    assert codes(channel=Channel.COUNTER) == [counter.code]
    assert codes(q=online.code[-4:], channel=Channel.ONLINE) == [online.code]
    # an unknown value is ignored, not an error page
    assert codes(state="99", channel="pigeon") == sorted([online.code, other.code, counter.code])
    # the counts follow the filters
    response = client.get(QUEUE, {"tab": "all", "channel": Channel.COUNTER})
    assert {item.key: item.count for item in response.context["tabs"]}["all"] == 1


def test_sorting_by_due_date_and_by_received_date(client, citizen, officer, unit, version):
    now = timezone.now()
    first, second, third = (receive(officer, submit(citizen, version, unit)) for _ in range(3))
    set_due(first, now + dt.timedelta(days=9))
    set_due(second, now + dt.timedelta(days=2))
    set_due(third, now + dt.timedelta(days=5))
    for days_ago, dossier in ((3, first), (1, second), (2, third)):
        Dossier.objects.filter(pk=dossier.pk).update(received_at=now - dt.timedelta(days=days_ago))
    client.force_login(officer)

    def codes(sort):
        return listed(client.get(QUEUE, {"tab": "all", "sort": sort}))

    assert codes("due") == [second.code, third.code, first.code]
    assert codes("-due") == [first.code, third.code, second.code]
    assert codes("-received") == [second.code, third.code, first.code]
    assert codes("received") == [first.code, third.code, second.code]


def _make(n, citizen, officer, specialist, unit, version):
    for i in range(n):
        dossier = receive(officer, submit(citizen, version, unit))
        if i % 2:
            dossier_transition(actor=officer, dossier=dossier, action="assign", assignee=specialist.username)


def test_a_page_costs_the_same_queries_for_3_or_30_rows(
    client, citizen, officer, specialist, unit, version, django_assert_max_num_queries
):
    client.force_login(officer)
    client.get(QUEUE)  # warm the session
    counted = []
    for total in (3, 30):
        _make(total - Dossier.objects.count(), citizen, officer, specialist, unit, version)
        # one short count per tab (5), the rows, the procedures, the session, the user and their roles
        with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as queries:
            response = client.get(QUEUE, {"tab": "all"})
        assert len(listed(response)) == min(total, 25)
        counted.append(len(queries))
    assert counted[0] == counted[1]


def test_pagination_25_per_page(client, citizen, officer, specialist, unit, version):
    _make(27, citizen, officer, specialist, unit, version)
    client.force_login(officer)
    first = client.get(QUEUE, {"tab": "all"})
    second = client.get(QUEUE, {"tab": "all", "page": 2})
    assert len(listed(first)) == 25 and len(listed(second)) == 2
    assert not set(listed(first)) & set(listed(second))
    assert "Trang 1/2" in first.content.decode()
    assert 'href="?tab=all&amp;page=2"' in first.content.decode()
    # the count is exact, so a page past the end is the last one
    past = client.get(QUEUE, {"tab": "all", "page": 9})
    assert listed(past) == listed(second) and "Trang 2/2" in past.content.decode()


def test_tab_counts_stop_at_the_cap_and_say_so(client, world, officer, monkeypatch):
    # given tabs holding 4 ("mine") and 7 ("all") dossiers, and counts that stop at 4
    monkeypatch.setattr(core_counts, "COUNT_CAP", 4)
    client.force_login(officer)
    # when the officer opens the queue
    response = client.get(QUEUE)
    # then no count goes past the cap + 1: 4 is exact, 7 is "4+"
    counts = {item.key: item.count for item in response.context["tabs"]}
    assert counts == {"mine": 4, "receive": 1, "today": 1, "late": 1, "all": 5}
    html = response.content.decode()
    assert 'data-tab="mine">Được giao cho tôi <span class="tab-count">4</span>' in html
    assert 'data-tab="all">Tất cả <span class="tab-count">4+</span>' in html
    assert 'id="result-count">Được giao cho tôi: 4 hồ sơ<' in html
    # and the tab past the cap says "more than", with every dossier still listed
    everything = client.get(QUEUE, {"tab": "all"})
    assert 'id="result-count">Tất cả: hơn 4 hồ sơ<' in everything.content.decode()
    assert len(listed(everything)) == 7


def test_past_the_cap_pages_go_on_without_counting_them(
    client, citizen, officer, specialist, unit, version, monkeypatch
):
    # given 27 dossiers and counts that stop at 10
    _make(27, citizen, officer, specialist, unit, version)
    monkeypatch.setattr(core_counts, "COUNT_CAP", 10)
    client.force_login(officer)

    def get(page):
        response = client.get(QUEUE, {"tab": "all", "page": page})
        assert response.status_code == 200
        return response, response.content.decode()

    # then the pages follow one another with "next" and "previous" but no total
    first, first_html = get(1)
    second, second_html = get(2)
    assert len(listed(first)) == 25 and len(listed(second)) == 2
    assert not set(listed(first)) & set(listed(second))
    assert "<span>Trang 1</span>" in first_html and 'href="?tab=all&amp;page=2"' in first_html
    assert "<span>Trang 2</span>" in second_html and 'href="?tab=all&amp;page=1"' in second_html
    assert 'href="?tab=all&amp;page=3"' not in second_html
    # a page past the end is empty, not an error, and leads back to the first
    past, past_html = get(3)
    assert listed(past) == [] and "Trang 3 không có hồ sơ nào." in past_html
    assert '<a href="?tab=all">Về trang đầu</a>' in past_html
    # what is not a page number is the first page; a huge number stops at the deepest page
    assert listed(get("abc")[0]) == listed(first)
    assert get("9" * 40)[0].context["page"].number == views_staff.MAX_PAGE
    # the deepest page asks for a filter instead of offering the next one
    monkeypatch.setattr(views_staff, "MAX_PAGE", 1)
    deepest, deepest_html = get(2)
    assert listed(deepest) == listed(first) and 'href="?tab=all&amp;page=2"' not in deepest_html
    assert "Hãy lọc hoặc đổi thứ tự sắp xếp để xem các hồ sơ sau." in deepest_html


def test_the_late_tab_holds_exactly_the_dossiers_whose_clock_runs_past_due(
    client, citizen, officer, specialist, unit, version
):
    # given dossiers past due: processing, withdrawal requested (the clock runs), withdrawal requested
    # while waiting for a supplement (the pause stays), processed; and one processing, due tomorrow
    def received():
        return receive(officer, submit(citizen, version, unit))

    processing = dossier_transition(actor=officer, dossier=received(), action="assign", assignee=specialist.username)
    withdrawing = dossier_transition(actor=citizen, dossier=received(), action="request-withdrawal", reason="Nộp nhầm")
    waiting = dossier_transition(actor=officer, dossier=received(), action="request-supplement")
    paused = dossier_transition(actor=citizen, dossier=waiting, action="request-withdrawal", reason="Nộp nhầm")
    processed = received()
    Dossier.objects.filter(pk=processed.pk).update(state=S.PROCESSED)
    not_yet = dossier_transition(actor=officer, dossier=received(), action="assign", assignee=specialist.username)
    now = timezone.now()
    for dossier in (processing, withdrawing, paused, processed):
        set_due(dossier, now - dt.timedelta(hours=1))
    set_due(not_yet, now + dt.timedelta(days=1))
    client.force_login(officer)
    # when the officer opens "late", then exactly the two whose clock runs are listed and counted
    response = client.get(QUEUE, {"tab": "late"})
    assert sorted(listed(response)) == sorted([processing.code, withdrawing.code])
    assert {item.key: item.count for item in response.context["tabs"]}["late"] == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the planner's choice of index is PostgreSQL's")
def test_postgresql_may_read_the_late_and_today_tabs_from_the_partial_index(client, world, officer):
    # given the queries of the "late" and "today" tabs (their counts and their rows)
    client.force_login(officer)
    tab_queries = []
    for tab in ("late", "today"):
        with CaptureQueriesContext(connection) as queries:
            client.get(QUEUE, {"tab": tab})
        tab_queries += [q["sql"] for q in queries.captured_queries if '"effective_due_at" <' in q["sql"]]
    assert len(tab_queries) == 6  # each page counts both tabs and reads its rows
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")
        cursor.execute("SET LOCAL enable_seqscan = off")
        for sql in tab_queries:
            # then their conditions imply the index's, so the planner can use it (the same states)
            cursor.execute("EXPLAIN " + sql)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            assert "dossier_unit_due_running" in plan, plan


def test_htmx_filtering_renders_only_the_results(client, world, officer):
    client.force_login(officer)
    response = client.get(QUEUE, {"tab": "all"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html and 'id="queue-results"' in html
    assert len(listed(response)) == 7


# --- Who may open these pages ------------------------------------------------------------------
@pytest.mark.parametrize("who", ["citizen", "clerk"])
def test_people_without_a_one_stop_role_get_404(client, world, citizen, clerk, who):
    person = {"citizen": citizen, "clerk": clerk}[who]
    client.force_login(person)
    assert client.get(QUEUE).status_code == 404
    assert client.get(reverse("dossiers:work_dossier", args=[world["new"]])).status_code == 404


def test_the_applicant_cannot_open_their_dossier_through_the_staff_pages(client, citizen, unit, version):
    dossier = submit(citizen, version, unit)
    client.force_login(citizen)
    assert client.get(page_url(dossier)).status_code == 404


def test_anonymous_people_are_sent_to_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_another_units_dossier_is_404(client, world, specialist):
    client.force_login(specialist)
    assert client.get(reverse("dossiers:work_dossier", args=[world["elsewhere"]])).status_code == 404
    response = client.post(reverse("dossiers:work_action", args=[world["elsewhere"], "stop"]), {"stop-reason": "Thử"})
    assert response.status_code == 404


# --- The dossier page --------------------------------------------------------------------------
def test_the_dossier_page_shows_the_dossier(client, citizen, officer, specialist, unit, version):
    dossier = dossier_transition(
        actor=officer,
        dossier=receive(officer, submit(citizen, version, unit)),
        action="assign",
        assignee=specialist.username,
        note="Chuyển thẩm định",
    )
    client.force_login(specialist)
    response = client.get(page_url(dossier))
    html = response.content.decode()
    assert response.status_code == 200
    assert dossier.code in html and "Đang xử lý" in html
    assert version.name in html and citizen.full_name in html
    assert "Trần Thị Thử Nghiệm" in html and "Họ và tên" in html  # form data with its labels
    file = dossier.files.get()
    assert file.name in html and file.sha256[:12] in html
    assert "Chuyển thẩm định" in html  # the history
    assert len(response.context["handovers"]) == 2 and officer.full_name in html and specialist.full_name in html
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y %H:%M") in html


@pytest.mark.parametrize(
    ("who", "state", "expected"),
    [
        ("officer", "new", ["receive", "refuse"]),
        ("specialist", "new", []),  # receiving is the one-stop officer's step
        ("officer", "received", ["assign", "request-supplement", "stop", "reschedule"]),
        ("specialist", "assigned", ["assign", "forward", "approve", "return-for-rework", "request-supplement",
                                    "request-payment", "stop", "complete", "reschedule"]),
        ("officer", "assigned", []),
        ("officer", "stopped", []),
    ],
)  # fmt: skip
def test_the_buttons_are_those_the_user_may_use_now(client, world, officer, specialist, who, state, expected):
    client.force_login({"officer": officer, "specialist": specialist}[who])
    response = client.get(reverse("dossiers:work_dossier", args=[world[state]]))
    assert [item["action"] for item in response.context["action_forms"]] == expected
    html = response.content.decode()
    for action in expected:
        assert f'action="{reverse("dossiers:work_action", args=[world[state], action])}"' in html


def test_the_assign_form_offers_the_people_of_the_next_step(
    client, citizen, officer, specialist, leader, unit, version
):
    dossier = receive(officer, submit(citizen, version, unit))
    client.force_login(officer)
    response = client.get(page_url(dossier))
    assign = next(item["form"] for item in response.context["action_forms"] if item["action"] == "assign")
    usernames = [value for value, _label in assign.fields["assignee"].choices if value]
    assert usernames == [specialist.username]
    assert leader.username not in usernames


def test_a_legal_action_moves_the_state_and_records_history(client, citizen, officer, unit, version):
    # given a submitted dossier
    dossier = submit(citizen, version, unit)
    client.force_login(officer)
    # when the officer receives it from its page
    response = client.post(action_url(dossier, "receive"), {"receive-note": "Đủ giấy tờ"})
    # then the state moves, the history has the note, and the page says so after a redirect
    assert response.status_code == 302 and response["Location"] == page_url(dossier)
    dossier = refreshed(dossier)
    assert dossier.state == S.RECEIVED and dossier.due_at is not None and dossier.receiver == officer
    last = dossier.transitions.order_by("-id").first()
    assert (last.action, last.actor, last.note) == ("receive", officer, "Đủ giấy tờ")
    page = client.get(response["Location"]).content.decode()
    assert f"Đã thực hiện “Tiếp nhận” với hồ sơ {dossier.code}." in page


def test_assign_through_the_page_hands_over_to_the_chosen_person(client, citizen, officer, specialist, unit, version):
    dossier = receive(officer, submit(citizen, version, unit))
    client.force_login(officer)
    response = client.post(action_url(dossier, "assign"), {"assign-assignee": specialist.username})
    assert response.status_code == 302
    dossier = refreshed(dossier)
    assert (dossier.state, dossier.assignee) == (S.PROCESSING, specialist)
    handover = Handover.objects.filter(dossier=dossier).order_by("-id").first()
    assert (handover.giver, handover.receiver) == (officer, specialist)


def test_an_illegal_action_answers_with_a_message_not_a_500(client, citizen, officer, unit, version):
    dossier = submit(citizen, version, unit)
    client.force_login(officer)
    response = client.post(action_url(dossier, "return-result"), {})
    assert response.status_code == 409
    assert "Không thể “Trả kết quả” khi hồ sơ đang ở trạng thái “Mới đăng ký”." in response.content.decode()
    assert refreshed(dossier).state == S.SUBMITTED and dossier.transitions.count() == 1


def test_an_action_the_user_may_not_take_answers_403_with_a_message(client, citizen, specialist, unit, version):
    dossier = submit(citizen, version, unit)
    client.force_login(specialist)
    response = client.post(action_url(dossier, "receive"), {})
    assert response.status_code == 403
    assert "Bạn không có quyền thực hiện thao tác này với hồ sơ." in response.content.decode()
    assert refreshed(dossier).state == S.SUBMITTED


def test_a_missing_reason_is_an_inline_error(client, citizen, officer, unit, version):
    dossier = submit(citizen, version, unit)
    client.force_login(officer)
    response = client.post(action_url(dossier, "refuse"), {"refuse-reason": "  "})
    assert response.status_code == 400
    refuse = next(item for item in response.context["action_forms"] if item["action"] == "refuse")
    assert refuse["open"] and refuse["form"].errors["reason"]
    assert refreshed(dossier).state == S.SUBMITTED


def test_an_invalid_input_from_the_service_lands_on_its_field(client, citizen, officer, specialist, unit, version):
    # a second supplement request needs a reason: the service says so, the page shows it on the field
    dossier = dossier_transition(
        actor=officer, dossier=receive(officer, submit(citizen, version, unit)), action="request-supplement"
    )
    dossier = dossier_transition(actor=citizen, dossier=dossier, action="supplement")
    client.force_login(officer)
    response = client.post(action_url(dossier, "request-supplement"), {})
    assert response.status_code == 400
    item = next(item for item in response.context["action_forms"] if item["action"] == "request-supplement")
    assert item["form"].errors["reason"] == ["Yêu cầu bổ sung lần thứ hai trở lên phải nêu lý do."]
    assert refreshed(dossier).state == S.PROCESSING


def test_reschedule_keeps_the_original_due_date_beside_the_new_one(client, citizen, officer, unit, version):
    dossier = receive(officer, submit(citizen, version, unit))
    new_due = (
        (dossier.due_at + dt.timedelta(days=7)).astimezone(VN_TZ).replace(hour=16, minute=30, second=0, microsecond=0)
    )
    client.force_login(officer)
    response = client.post(
        action_url(dossier, "reschedule"),
        {"reschedule-new_due_at": new_due.strftime("%Y-%m-%dT%H:%M"), "reschedule-reason": "Cần xác minh thêm"},
    )
    assert response.status_code == 302
    after = refreshed(dossier)
    assert after.rescheduled_due_at == new_due and after.due_at == dossier.due_at
    html = client.get(page_url(dossier)).content.decode()
    assert new_due.strftime("%d/%m/%Y %H:%M") in html
    assert timezone.localtime(dossier.due_at).strftime("%d/%m/%Y %H:%M") in html


def test_an_unknown_action_is_404_and_get_is_not_allowed(client, citizen, officer, unit, version):
    dossier = submit(citizen, version, unit)
    client.force_login(officer)
    assert client.post(action_url(dossier, "teleport"), {}).status_code == 404
    assert client.get(action_url(dossier, "receive")).status_code == 405


def test_with_htmx_an_action_swaps_the_panel(client, citizen, officer, unit, version):
    dossier = submit(citizen, version, unit)
    client.force_login(officer)
    response = client.post(action_url(dossier, "receive"), {}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.lstrip().startswith('<div id="dossier-panel">')
    assert "Đã thực hiện “Tiếp nhận”" in html and "Đã tiếp nhận" in html
    # a refusal is shown in the panel too (htmx swaps 2xx answers only)
    refused = client.post(action_url(dossier, "receive"), {}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 200 and "Không thể “Tiếp nhận”" in refused.content.decode()


def test_files_are_listed_with_their_size(client, citizen, officer, unit, version):
    nothing_required = publish_version(components=[ComponentSpec("Giấy tờ khác (nếu có)", required=False)])
    without = submit(citizen, nothing_required, unit, files=[])
    with_file = dossier_receive_at_counter(
        actor=officer,
        applicant=citizen,
        procedure_code=version.procedure.code,
        form_data=form(),
        files=[pdf_for(version, "ban-sao.pdf")],
        unit=unit,
    )
    client.force_login(officer)
    assert "Không có tệp đính kèm." in client.get(page_url(without)).content.decode()
    html = client.get(page_url(with_file)).content.decode()
    assert "ban-sao.pdf" in html and f"{len(PDF)}\xa0byte" in html


def test_the_page_links_the_official_forms_that_exist_now(client, world, officer):
    client.force_login(officer)

    def numbers(state):
        response = client.get(reverse("dossiers:work_dossier", args=[world[state]]))
        return [re.search(r"/(0[1-5])\.pdf$", item["url"]).group(1) for item in response.context["documents"]]

    assert numbers("new") == []
    assert numbers("received") == ["01", "05"]  # receipt, and the slip with the receiving step
    assert numbers("waiting") == ["01", "02", "05"]
    refused = dossier_transition(
        actor=officer, dossier=Dossier.objects.get(code=world["new"]), action="refuse", reason="Sai thẩm quyền"
    )
    assert numbers("new") == ["03"] and refused.state == S.REFUSED
