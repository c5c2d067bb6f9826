import pytest


@pytest.mark.django_db
def test_openapi_schema_is_public_json(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Sen API"


@pytest.mark.django_db
def test_interactive_docs_are_served(client):
    response = client.get("/api/v1/docs")

    assert response.status_code == 200
    assert b"openapi.json" in response.content
    assert b"cdn." not in response.content  # offices with weak links: assets come from Sen itself


@pytest.mark.django_db
def test_unknown_api_url_answers_json_404(client):
    response = client.get("/api/v1/no-such-thing")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "Không tìm thấy" in response.json()["message"]


@pytest.mark.django_db
def test_every_response_carries_a_request_id(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="abc123")

    assert response["X-Request-ID"] == "abc123"


@pytest.mark.django_db
def test_pages_still_require_login(client):
    response = client.get("/admin/")

    assert response.status_code == 302


@pytest.mark.django_db
def test_a_wrong_http_method_answers_json_405(client):
    response = client.delete("/api/v1/calendar/due")

    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert response["Allow"] == "GET"


@pytest.mark.django_db
def test_unexpected_errors_answer_json_500_without_a_stack_trace(client, monkeypatch):
    from sen.core import calendar_api

    def explode(*args, **kwargs):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(calendar_api, "working_calendar", explode)
    client.raise_request_exception = False

    response = client.get("/api/v1/calendar/due", {"start": "2026-03-02T08:00", "amount": 1, "unit": "working_days"})

    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "secret internal detail" not in response.content.decode()


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "expected"),
    [
        ([], "203.0.113.9", "1.2.3.4", "203.0.113.9"),  # no proxy configured: the header is ignored
        (["10.0.0.1"], "203.0.113.9", "1.2.3.4", "203.0.113.9"),  # not from the proxy: ignored
        (["10.0.0.1"], "10.0.0.1", "1.2.3.4", "1.2.3.4"),  # from the proxy: believed
        (["10.0.0.1"], "10.0.0.1", "6.6.6.6, 1.2.3.4", "1.2.3.4"),  # a forged first hop is not the client
        (["10.0.0.1", "10.0.0.2"], "10.0.0.1", "1.2.3.4, 10.0.0.2", "1.2.3.4"),  # two proxies in a row
        (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
    ],
)
def test_client_ip_believes_forwarded_for_only_from_trusted_proxies(settings, trusted, remote, forwarded, expected):
    from django.test import RequestFactory

    from sen.core.middleware import client_ip

    settings.SEN_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected
