"""The portal's pages: home, navigation by role, language switch, error pages, components, static assets."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.template import Context, Template
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils.translation.template import templatize

from sen.portal.context_processors import nav_items_for
from sen.portal.views import server_error

ROOT = Path(settings.BASE_DIR)
PORTAL_TEMPLATES = [
    ROOT / "templates" / "base.html",
    *sorted((ROOT / "templates" / "components").glob("*.html")),
    *sorted((ROOT / "templates" / "portal").glob("*.html")),
    *sorted((ROOT / "templates" / "errors").glob("*.html")),
]
PORTAL_MODULES = [ROOT / "sen" / "portal" / "views.py", ROOT / "sen" / "portal" / "context_processors.py"]


def nav_labels(html: str, css_class: str = "mainnav") -> list[str]:
    """The link texts of one of the header's menus (the wide one or the folded mobile one)."""
    if css_class == "mainnav":
        block = re.search(r'<nav class="mainnav".*?</nav>', html, re.S)
    else:
        block = re.search(r'<details class="mobile-menu">.*?<ul class="nav-list">(.*?)</ul>', html, re.S)
    assert block, f"no {css_class} menu in the page"
    return re.findall(r"<a [^>]*>([^<]+)</a>", block.group(0))


# --- Home -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_home_for_anonymous_visitor_offers_login_and_register(client):
    response = client.get("/")

    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Cổng dịch vụ công tỉnh Đồng Tháp" in html
    assert f'href="{reverse("identity:login")}"' in html
    assert f'href="{reverse("identity:register")}"' in html
    assert 'id="home-unit"' not in html


@pytest.mark.django_db
def test_home_shows_a_staff_member_their_current_unit(client, officer):
    client.force_login(officer)

    response = client.get("/")

    html = response.content.decode()
    assert '<strong id="home-unit">Sở Tư pháp</strong>' in html
    assert "Xin chào, Phạm Văn Một Cửa" in html
    assert f'action="{reverse("identity:logout")}"' in html
    assert f'href="{reverse("identity:login")}"' not in html


@pytest.mark.django_db
def test_home_greets_a_citizen_by_name_without_a_unit(client, citizen):
    client.force_login(citizen)

    response = client.get("/")

    html = response.content.decode()
    assert "Xin chào, Lê Thị Công Dân" in html
    assert 'id="home-unit"' not in html


@pytest.mark.django_db
def test_home_page_costs_a_fixed_number_of_queries_for_staff(client, unit_admin, django_assert_max_num_queries):
    client.force_login(unit_admin)

    # Session, user, role grants (menu), employment (unit on the home page).
    with django_assert_max_num_queries(4):
        response = client.get("/")

    assert response.status_code == 200


# --- Navigation by role ---------------------------------------------------------------------------

HOME, ME, ADMIN, API_DOCS = "Trang chủ", "Thông tin của tôi", "Quản trị", "Tài liệu API"
DOCUMENTS = "Văn bản"
PROCEDURES, TRACK, MY_DOSSIERS, WORK = "Thủ tục hành chính", "Tra cứu hồ sơ", "Hồ sơ của tôi", "Hồ sơ cần xử lý"
PUBLIC = [HOME, PROCEDURES, TRACK]


@pytest.fixture
def business(db):
    from sen.identity.tests.factories import BusinessFactory

    return BusinessFactory(full_name="Công ty TNHH Sen Hồng")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("actor", "expected"),
    [
        (None, PUBLIC),
        ("citizen", [*PUBLIC, MY_DOSSIERS, ME]),
        ("business", [*PUBLIC, MY_DOSSIERS, ME]),
        ("officer", [*PUBLIC, ME, WORK, DOCUMENTS, API_DOCS]),
        ("specialist", [*PUBLIC, ME, WORK, DOCUMENTS, API_DOCS]),
        ("leader", [*PUBLIC, ME, WORK, DOCUMENTS, API_DOCS]),
        ("clerk", [*PUBLIC, ME, DOCUMENTS, API_DOCS]),
        ("unit_admin", [*PUBLIC, ME, DOCUMENTS, ADMIN, API_DOCS]),
        ("province_admin", [*PUBLIC, ME, DOCUMENTS, ADMIN, API_DOCS]),
    ],
)
def test_menu_shows_what_the_role_may_open(client, request, actor, expected):
    if actor:
        client.force_login(request.getfixturevalue(actor))

    html = client.get("/").content.decode()

    assert nav_labels(html) == expected
    assert nav_labels(html, "mobile-menu") == expected


@pytest.mark.django_db
def test_menu_links_lead_to_existing_pages_and_mark_the_current_one(client, province_admin):
    client.force_login(province_admin)

    html = client.get("/").content.decode()

    menu = re.search(r'<nav class="mainnav".*?</nav>', html, re.S).group(0)
    links = re.findall(r'<a href="([^"]+)"( aria-current="page")?>', menu)
    assert links == [
        ("/", ' aria-current="page"'),
        (reverse("procedures:list"), ""),
        (reverse("dossiers:citizen_track"), ""),
        (reverse("identity:me"), ""),
        (reverse("documents:home"), ""),
        (reverse("admin:index"), ""),
        (reverse("api:openapi-view"), ""),
    ]


@pytest.mark.django_db
def test_menu_is_built_once_per_request_with_one_query(unit_admin, django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = unit_admin

    with django_assert_num_queries(1):
        first = nav_items_for(request)
    with django_assert_num_queries(0):
        second = nav_items_for(request)

    assert first is second
    assert [item.label for item in first] == [*PUBLIC, ME, DOCUMENTS, ADMIN, API_DOCS]


@pytest.mark.django_db
def test_menu_for_anonymous_visitor_needs_no_query(django_assert_num_queries):
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    with django_assert_num_queries(0):
        items = nav_items_for(request)

    assert [item.label for item in items] == PUBLIC


# --- Languages ------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_switching_to_english_and_back(client, officer):
    client.force_login(officer)

    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    vietnamese = client.get("/").content.decode()

    assert switched.status_code == 302
    assert '<html lang="en">' in english
    assert "Đồng Tháp Province Public Service Portal" in english
    assert "Unit:" in english
    assert ">Log out</button>" in english
    assert nav_labels(english) == [
        "Home",
        "Administrative procedures",
        "Track a dossier",
        "My details",
        "Work queue",
        "Documents",
        "API documentation",
    ]
    assert "Cổng dịch vụ công" not in english
    # The way back is labelled in Vietnamese, in precomposed (NFC) letters as typed on a keyboard.
    back = '<button type="submit" name="language" value="vi" lang="vi" class="lang-button">Tiếng Việt</button>'
    assert back in english
    assert '<html lang="vi">' in vietnamese
    assert "Cổng dịch vụ công tỉnh Đồng Tháp" in vietnamese


@pytest.mark.django_db
def test_visitor_who_has_not_logged_in_can_switch_to_english(client):
    # Needs config/urls.py to route i18n/setlang/ to sen.portal.views.set_language: Django's own view
    # is behind LoginRequiredMiddleware and sends anonymous visitors to the login page instead.
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/").content.decode()

    assert switched.status_code == 302
    assert switched["Location"] == "/"
    assert "Đồng Tháp Province Public Service Portal" in english
    assert ">Create an account</a>" in english


@pytest.mark.django_db
def test_language_switch_is_a_form_that_returns_to_the_same_page(client):
    html = client.get("/khong-co-trang-nay/?q=1").content.decode()

    form = re.search(r'<form class="lang-switch".*?</form>', html, re.S).group(0)
    assert f'action="{reverse("set_language")}"' in form
    assert 'name="csrfmiddlewaretoken"' in form
    assert '<input type="hidden" name="next" value="/khong-co-trang-nay/?q=1">' in form
    assert '<button type="submit" name="language" value="en" lang="en" class="lang-button">English</button>' in form


@pytest.mark.django_db
def test_vietnamese_first_middleware_ignores_the_browser_language_but_honours_the_choice(client, settings, citizen):
    client.force_login(citizen)
    settings.MIDDLEWARE = [
        "sen.portal.middleware.VietnameseFirstLocaleMiddleware"
        if name == "django.middleware.locale.LocaleMiddleware"
        else name
        for name in settings.MIDDLEWARE
    ]
    assert "sen.portal.middleware.VietnameseFirstLocaleMiddleware" in settings.MIDDLEWARE

    browser_in_english = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    chosen_english = client.get("/", HTTP_ACCEPT_LANGUAGE="vi")

    assert "Cổng dịch vụ công tỉnh Đồng Tháp" in browser_in_english.content.decode()
    assert browser_in_english["Content-Language"] == "vi"
    assert "Đồng Tháp Province Public Service Portal" in chosen_english.content.decode()
    assert chosen_english["Content-Language"] == "en"


def _template_msgids(path: Path) -> set[str]:
    code = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    return {ast.literal_eval(literal) for literal in re.findall(r"gettext\((u'(?:[^'\\]|\\.)*')\)", code)}


def _python_msgids(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }


def test_every_portal_string_has_an_english_translation():
    catalogue = {entry.msgid: entry.msgstr for entry in polib.pofile(str(ROOT / "locale/en/LC_MESSAGES/django.po"))}
    msgids = set().union(*map(_template_msgids, PORTAL_TEMPLATES), *map(_python_msgids, PORTAL_MODULES))

    untranslated = sorted(msgid for msgid in msgids if not catalogue.get(msgid))

    assert len(msgids) > 40
    assert untranslated == []


# --- Error pages ----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_unknown_page_is_a_vietnamese_404(client):
    response = client.get("/khong-co-trang-nay/")

    html = response.content.decode()
    assert response.status_code == 404
    assert '<html lang="vi">' in html
    assert "<h1>Không tìm thấy trang</h1>" in html
    assert "Về trang chủ" in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "status", "title"),
    [
        ("/test-errors/400/", 400, "Yêu cầu không hợp lệ"),
        ("/test-errors/403/", 403, "Không có quyền truy cập"),
        ("/test-errors/500/", 500, "Lỗi máy chủ"),
    ],
)
def test_failing_views_show_vietnamese_error_pages(settings, path, status, title):
    settings.ROOT_URLCONF = "sen.portal.tests.urls_errors"
    client = Client(raise_request_exception=False)

    response = client.get(path)

    assert response.status_code == status
    assert f"<h1>{title}</h1>" in response.content.decode()


def test_server_error_page_needs_neither_database_nor_user():
    # No django_db mark: any query would fail the test.
    request = RequestFactory().get("/")

    response = server_error(request)

    html = response.content.decode()
    assert response.status_code == 500
    assert "<h1>Lỗi máy chủ</h1>" in html
    assert "Cổng dịch vụ công tỉnh Đồng Tháp" in html
    assert "csrfmiddlewaretoken" not in html


@pytest.mark.django_db
def test_csrf_failure_view_explains_an_expired_form(client, settings):
    settings.CSRF_FAILURE_VIEW = "sen.portal.views.csrf_failure"
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/i18n/setlang/", {"language": "en"})

    assert response.status_code == 403
    assert "<h1>Phiên làm việc đã hết hạn</h1>" in response.content.decode()


# --- Components -----------------------------------------------------------------------------------


def test_field_component_shows_inline_errors_linked_to_the_input():
    from django import forms

    class PhoneForm(forms.Form):
        phone = forms.CharField(label="Số điện thoại", help_text="10 chữ số.")

    form = PhoneForm(data={"phone": ""})
    form.is_valid()

    html = Template('{% include "components/field.html" with field=form.phone %}').render(Context({"form": form}))

    assert '<label for="id_phone">Số điện thoại:</label>' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_phone_helptext id_phone_error"' in html
    assert '<div class="help" id="id_phone_helptext">10 chữ số.</div>' in html
    assert re.search(r'<ul class="field-errors" id="id_phone_error"><li>[^<]+</li></ul>', html)
    assert 'class="field field-error"' in html


def test_form_errors_component_shows_errors_not_tied_to_a_field():
    from django import forms

    class LoginForm(forms.Form):
        username = forms.CharField()

        def clean(self):
            raise forms.ValidationError("Tên đăng nhập hoặc mật khẩu không đúng.")

    form = LoginForm(data={"username": "x"})
    form.is_valid()

    html = render_to_string("components/form_fields.html", {"form": form})

    assert '<div class="form-errors" role="alert">' in html
    assert "<li>Tên đăng nhập hoặc mật khẩu không đúng.</li>" in html
    assert 'name="username"' in html


@pytest.mark.parametrize(
    ("level", "css_class", "role"),
    [
        (constants.SUCCESS, "msg-success", "status"),
        (constants.INFO, "msg-info", "status"),
        (constants.WARNING, "msg-warning", "status"),
        (constants.ERROR, "msg-error", "alert"),
    ],
)
def test_messages_component_styles_each_level(level, css_class, role):
    html = render_to_string("components/messages.html", {"messages": [Message(level, "Đã lưu hồ sơ.")]})

    assert f'<div class="msg {css_class}" role="{role}">' in html
    assert "Đã lưu hồ sơ." in html


# --- Static assets --------------------------------------------------------------------------------


@pytest.mark.django_db
def test_stylesheet_is_served_from_the_project_and_small(client):
    response = client.get(static("css/sen.css"))

    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    assert len(body) < 30_000
    assert b"@import" not in body and b"url(http" not in body and b"@font-face" not in body


@pytest.mark.django_db
def test_pages_load_nothing_from_other_sites(client, officer):
    client.force_login(officer)

    html = client.get("/").content.decode()

    assets = re.findall(r'<(?:script|link|img)[^>]+(?:src|href)="([^"]+)"', html)
    assert static("css/sen.css") in assets and static("vendor/htmx.min.js") in assets
    assert [url for url in assets if "//" in url] == []
