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
