"""The public calendar API: GET /api/v1/calendar/due and /api/v1/calendar/days, without logging in."""

from __future__ import annotations

import datetime as dt

import pytest

from sen.core.models import CalendarDay

DUE = "/api/v1/calendar/due"
DAYS = "/api/v1/calendar/days"

pytestmark = pytest.mark.django_db


def test_due_after_the_cutoff_before_tet(client):
    # given a dossier received on Friday 13 Feb 2026 at 16:00, Vietnam time
    response = client.get(DUE, {"start": "2026-02-13T16:00:00+07:00", "amount": 1, "unit": "working_days"})

    # then it counts from the first opening after Tết and is due at that day's close
    assert response.status_code == 200
    assert response.json() == {
        "due": "2026-02-23T17:00:00+07:00",
        "start": "2026-02-13T16:00:00+07:00",
        "effective_start": "2026-02-23T07:00:00+07:00",
        "amount": 1,
        "unit": "working_days",
        "cutoff_applied": True,
    }


def test_a_naive_start_means_vietnam_time(client):
    response = client.get(DUE, {"start": "2026-03-02T08:00", "amount": 3, "unit": "working_hours"})

    assert response.status_code == 200
    assert response.json()["start"] == "2026-03-02T08:00:00+07:00"
    assert response.json()["due"] == "2026-03-02T11:00:00+07:00"


@pytest.mark.parametrize("start", ["2026-03-02T01:00:00+00:00", "2026-03-02T01:00:00Z", "2026-03-01T20:00:00-05:00"])
def test_an_aware_start_is_converted_to_vietnam_time(client, start):
    response = client.get(DUE, {"start": start, "amount": 1, "unit": "working_hours"})

    assert response.status_code == 200
    assert response.json()["start"] == "2026-03-02T08:00:00+07:00"
    assert response.json()["due"] == "2026-03-02T09:00:00+07:00"


def test_an_unencoded_plus_in_the_offset_is_understood(client):
    # "+" in a hand-typed query string arrives as a space
    response = client.get(f"{DUE}?start=2026-03-02T08:00:00+07:00&amount=1&unit=working_hours")

    assert response.status_code == 200
    assert response.json()["due"] == "2026-03-02T09:00:00+07:00"


def test_the_cutoff_can_be_turned_off(client):
    response = client.get(DUE, {"start": "2026-02-13T16:00:00", "amount": 1, "unit": "working_days", "cutoff": "false"})

    assert response.status_code == 200
    assert response.json()["due"] == "2026-02-23T16:00:00+07:00"
    assert response.json()["cutoff_applied"] is False


def test_calendar_days_and_the_swapped_saturday(client):
    calendar_days = client.get(DUE, {"start": "2026-02-09T10:00", "amount": 10, "unit": "calendar_days"})
    swapped = client.get(DUE, {"start": "2026-08-21T08:00", "amount": 1, "unit": "working_days"})

    assert calendar_days.json()["due"] == "2026-02-19T10:00:00+07:00"
    assert swapped.json()["due"] == "2026-08-22T08:00:00+07:00"


def test_due_follows_the_provinces_calendar_days(client):
    CalendarDay.objects.create(date=dt.date(2026, 3, 10), kind=CalendarDay.Kind.DAY_OFF, reason="Lễ hội")

    response = client.get(DUE, {"start": "2026-03-09T10:00", "amount": 1, "unit": "working_days"})

    assert response.json()["due"] == "2026-03-11T10:00:00+07:00"


@pytest.mark.parametrize(
    ("params", "field", "words"),
    [
        ({"start": "ngày mai", "amount": 1, "unit": "working_days"}, "start", "định dạng"),
        ({"start": "2026-02-30T08:00", "amount": 1, "unit": "working_days"}, "start", "định dạng"),
        ({"start": "1999-12-31T08:00", "amount": 1, "unit": "working_days"}, "start", "năm"),
        ({"start": "0001-01-01T00:00+07:00", "amount": 1, "unit": "working_days"}, "start", "năm"),
        ({"start": "2026-03-02T08:00", "amount": -1, "unit": "working_days"}, "amount", "số nguyên"),
        ({"start": "2026-03-02T08:00", "amount": 10001, "unit": "working_days"}, "amount", "số nguyên"),
        ({"start": "2026-03-02T08:00", "amount": 10**30, "unit": "working_days"}, "amount", "số nguyên"),
        ({"start": "2026-03-02T08:00", "amount": 1, "unit": "weeks"}, "unit", "Đơn vị"),
        ({"start": "2026-03-02T08:00", "amount": 1, "unit": ""}, "unit", "Đơn vị"),
    ],
)
def test_bad_values_answer_400_in_vietnamese(client, params, field, words):
    response = client.get(DUE, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert words in body["message"]
    assert body["details"]["field"] == field


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"amount": 1, "unit": "working_days"}, "start"),
        ({"start": "2026-03-02T08:00", "unit": "working_days"}, "amount"),
        ({"start": "2026-03-02T08:00", "amount": 1}, "unit"),
        ({"start": "2026-03-02T08:00", "amount": "một", "unit": "working_days"}, "amount"),
        ({"start": "2026-03-02T08:00", "amount": "1.5", "unit": "working_days"}, "amount"),
        ({"start": "2026-03-02T08:00", "amount": 1, "unit": "working_days", "cutoff": "có lẽ"}, "cutoff"),
    ],
)
def test_missing_or_garbled_parameters_answer_400_with_the_same_shape(client, params, field):
    response = client.get(DUE, params)

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_input"
    assert body["message"] == "Dữ liệu gửi lên không hợp lệ."
    assert [error["loc"] for error in body["details"]] == [["query", field]]


def test_the_days_of_2026(client):
    response = client.get(DAYS, {"year": 2026})

    assert response.status_code == 200
    days = {day["date"]: day for day in response.json()["days"]}
    assert response.json()["year"] == 2026
    assert days["2026-02-17"] == {
        "date": "2026-02-17",
        "kind": "day_off",
        "name": "Tết Nguyên Đán",
        "source": "national",
    }
    assert days["2026-08-22"]["kind"] == "working_day"
    assert days["2026-08-31"]["kind"] == "day_off"
    assert "2026-04-26" not in days  # a Sunday is not an exception, even when it is a holiday
    assert len(days) == 14


def test_the_days_include_the_provinces_own(client):
    CalendarDay.objects.create(date=dt.date(2026, 3, 14), kind=CalendarDay.Kind.WORKING_DAY, reason="Làm bù")

    response = client.get(DAYS, {"year": 2026})

    assert {"date": "2026-03-14", "kind": "working_day", "name": "Làm bù", "source": "province"} in response.json()[
        "days"
    ]


def test_the_days_in_english(client):
    response = client.get(DAYS, {"year": 2026}, HTTP_ACCEPT_LANGUAGE="en")

    names = {day["date"]: day["name"] for day in response.json()["days"]}
    assert names["2026-09-02"] == "National Day"


@pytest.mark.parametrize(
    ("query", "status"), [({"year": 1999}, 400), ({"year": 2101}, 400), ({"year": "x"}, 400), ({}, 400)]
)
def test_bad_years_answer_400(client, query, status):
    response = client.get(DAYS, query)

    assert response.status_code == status
    assert response.json()["code"] == "invalid_input"


def test_the_operations_are_public_in_the_openapi_schema(client):
    schema = client.get("/api/v1/openapi.json").json()

    for path in ("/api/v1/calendar/due", "/api/v1/calendar/days"):
        assert "security" not in schema["paths"][path]["get"]
