"""Search (on whichever database the run uses: the suite runs on SQLite and on PostgreSQL), the public
pages and the API."""

import zipfile
from io import BytesIO, StringIO

import pytest
from django.urls import reverse

from sen.procedures.demo import demo_build
from sen.procedures.services import procedure_publish
from sen.procedures.tests.factories import spec

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    demo_build(stdout=StringIO())


def _codes(client, **params):
    response = client.get("/api/v1/procedures", params)
    assert response.status_code == 200
    return [item["code"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("khai sinh", ["1.001193"]),
        ("Khai Sinh", ["1.001193"]),
        ("KHAI SINH", ["1.001193"]),
        ("dang ky khai sinh", ["1.001193"]),
        ("đăng ký khai sinh", ["1.001193"]),
        ("ly lich tu phap", ["3.000333"]),
        ("giay phep xay dung", ["1.013225"]),
        ("chung thuc ban sao", ["2.000815"]),
        ("ho kinh doanh", ["1.001612", "2.000720"]),
        ("3.000333", ["3.000333"]),
        ("khong co thu tuc nay", []),
    ],
)
def test_search_is_accent_insensitive(client, catalogue, q, expected):
    assert _codes(client, q=q) == expected


def test_dang_ky_finds_every_registration(client, catalogue):
    assert _codes(client, q="dang ky") == ["1.001193", "1.001612", "2.000720", "2.002041"]


def test_filters(client, catalogue):
    assert _codes(client, level="province") == ["2.002041", "3.000333"]
    assert _codes(client, field="chung-thuc") == ["2.000815"]
    assert _codes(client, online_level="none") == ["2.000815"]
    assert _codes(client, agency="cong an tinh") == ["3.000333"]
    assert _codes(client, q="dang ky", level="commune") == ["1.001193", "1.001612", "2.000720"]


def test_api_pages(client, catalogue):
    body = client.get("/api/v1/procedures", {"limit": 3, "page": 2}).json()
    assert (body["count"], body["page"], len(body["results"])) == (7, 2, 3)
    assert client.get("/api/v1/procedures", {"limit": 1000}).status_code == 400


def test_api_detail_has_everything(client, catalogue):
    response = client.get("/api/v1/procedures/1.001193")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "Thủ tục đăng ký khai sinh"
    assert (body["processing_amount"], body["processing_unit"], body["online_level"]) == (1, "working_days", "full")
    assert [s["role_code"] for s in body["workflow"]] == [
        "one_stop_officer",
        "specialist",
        "leader",
        "one_stop_officer",
    ]
    assert sum(float(s["share_percent"]) for s in body["workflow"]) == 100
    form = body["components"][0]["forms"][0]
    assert form["filename"] == "to-khai-dang-ky-khai-sinh.docx" and len(form["sha256"]) == 64
    assert {f["name"] for f in body["eform"]} >= {"ho_ten_tre", "ngay_sinh", "cccd_me", "noi_sinh"}


def test_api_unknown_code_is_a_json_404(client, catalogue):
    response = client.get("/api/v1/procedures/9.999999")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert "9.999999" in response.json()["message"]


def test_list_page_without_login_and_htmx_fragment(client, catalogue):
    response = client.get(reverse("procedures:list"), {"q": "dang ky"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thủ tục đăng ký khai sinh" in html and "<html" in html
    assert "Chứng thực bản sao" not in html
    fragment = client.get(reverse("procedures:list"), {"q": "khai sinh"}, HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode() and "Thủ tục đăng ký khai sinh" in fragment.content.decode()


def test_list_page_costs_a_fixed_number_of_queries(client, django_assert_max_num_queries):
    for n in range(3):
        procedure_publish(actor=None, spec=spec(name=f"Đăng ký thử {n}"))
    with django_assert_max_num_queries(5) as few:
        client.get(reverse("procedures:list"), {"q": "dang ky"})
    for n in range(30):
        procedure_publish(actor=None, spec=spec(name=f"Đăng ký thêm {n}", field_name=f"Lĩnh vực {n}"))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("procedures:list"), {"q": "dang ky"})
    assert "Trang 1/2" in response.content.decode()


def test_detail_page_shows_the_seven_parts_and_costs_a_fixed_number_of_queries(
    client, catalogue, django_assert_max_num_queries
):
    with django_assert_max_num_queries(8):
        response = client.get(reverse("procedures:detail", args=["2.000815"]))
    html = response.content.decode()
    for text in (
        "Chứng thực bản sao từ bản chính",
        "Trình tự thực hiện",
        "Cách thức thực hiện",
        "Thành phần hồ sơ",
        "1 ngày làm việc",
        "Đối tượng thực hiện",
        "Ủy ban nhân dân cấp xã",
        "2.000 đ/trang",
        "bang-ke-giay-to-chung-thuc.xlsx",
        "Số trang của bản chính",
        "Phê duyệt kết quả",
        "Không trực tuyến",
    ):
        assert text in html, text
    assert 'id="submit-online"' not in html  # "Không trực tuyến": no online submission offered
    assert client.get(reverse("procedures:detail", args=["9.999999"])).status_code == 404


def test_an_online_procedure_offers_online_submission(client, catalogue):
    html = client.get(reverse("procedures:detail", args=["1.001193"])).content.decode()

    assert f'id="submit-online" href="{reverse("dossiers:citizen_submit", args=["1.001193"])}"' in html


def test_forms_download_as_real_office_files(client, catalogue):
    body = client.get("/api/v1/procedures/2.000815").json()
    form = body["components"][0]["forms"][0]
    response = client.get(form["url"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    content = b"".join(response.streaming_content)
    assert len(content) == form["size"]
    from openpyxl import load_workbook

    sheet = load_workbook(BytesIO(content)).active
    assert sheet["B2"].value == "Tên giấy tờ, văn bản"
    docx_url = client.get("/api/v1/procedures/1.001193").json()["components"][0]["forms"][0]["url"]
    docx = b"".join(client.get(docx_url).streaming_content)
    from docx import Document

    assert "TỜ KHAI ĐĂNG KÝ KHAI SINH" in [p.text for p in Document(BytesIO(docx)).paragraphs]
    assert zipfile.ZipFile(BytesIO(docx)).testzip() is None
    assert client.get(form["url"].replace(form["filename"], "other.xlsx")).status_code == 404


def test_birth_registration_lists_papers_with_their_ids_and_shows_the_notes_apart(client, catalogue):
    # given the demo's birth registration (the national record plus the province's form)
    body = client.get("/api/v1/procedures/1.001193").json()
    components = body["components"]
    # then the API gives each component its id (to attach files to) and says which are required:
    # the birth certificate only; the downloadable form is optional, the e-form holds its data
    assert len(components) == 9 and all(isinstance(c["id"], int) for c in components)
    assert [c["name"][:15] for c in components if c["required"]] == ["Giấy chứng sinh"]
    assert components[0]["name"] == "Tờ khai đăng ký khai sinh (theo mẫu)" and not components[0]["required"]
    assert body["component_notes"].startswith("Giấy tờ phải nộp:\n- Trường hợp người yêu cầu đã nộp bản điện tử")
    # and the page shows the notes under the components, not as rows of the table
    html = client.get(reverse("procedures:detail", args=["1.001193"])).content.decode()
    table = html[html.index('<table class="table" id="components">') : html.index('id="component-notes"')]
    assert table.count("<tr><td>") == 9
    assert "Người tiếp nhận có trách nhiệm" not in table
    assert "Người tiếp nhận có trách nhiệm" in html[html.index('id="component-notes"') :]
