"""What every page's header needs: the province name and the navigation for the user's kind and roles.

Templates hold no queries and no permission logic, so the menu is decided here. It is built lazily
(the template engine calls `nav_items` when the header is rendered, so a fragment that shows no header
costs nothing) and at most once per request (one query: the user's role grants for today).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _

from sen.identity.models import User
from sen.identity.policies import ADMIN_ROLE_CODES, LEADER, ONE_STOP_OFFICER, SPECIALIST, roles_of

# Roles that work dossiers: they get the work queue in their menu.
ONE_STOP_ROLE_CODES = (ONE_STOP_OFFICER, SPECIALIST, LEADER)


@dataclass(frozen=True)
class NavItem:
    label: str
    url: str
    current: bool = False


def url_or_none(name: str) -> str | None:
    """The URL of a named route, or None when that page does not exist (yet): link only what exists."""
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def _build(request: HttpRequest) -> list[NavItem]:
    user = getattr(request, "user", None)  # absent when a template is rendered outside the middleware
    candidates: list[tuple[str, str | None]] = [
        (_("Trang chủ"), url_or_none("portal:home")),
        (_("Thủ tục hành chính"), url_or_none("procedures:list")),
        (_("Tra cứu hồ sơ"), url_or_none("dossiers:citizen_track")),
    ]
    if isinstance(user, User) and user.is_authenticated:
        if user.kind != User.Kind.STAFF:
            candidates.append((_("Hồ sơ của tôi"), url_or_none("dossiers:citizen_list")))
        candidates.append((_("Thông tin của tôi"), url_or_none("identity:me")))
        if user.kind == User.Kind.STAFF:
            role_codes = {code for code, _unit in roles_of(user)}
            if role_codes & set(ONE_STOP_ROLE_CODES):
                candidates.append((_("Hồ sơ cần xử lý"), url_or_none("dossiers:work_queue")))
            candidates.append((_("Văn bản"), url_or_none("documents:home")))
            if user.is_superuser or role_codes & set(ADMIN_ROLE_CODES):
                candidates.append((_("Quản trị"), url_or_none("admin:index")))
            candidates.append((_("Tài liệu API"), url_or_none("api:openapi-view")))
    path, home_url = request.path, candidates[0][1]
    items = []
    for label, url in candidates:
        if url is None:
            continue
        # The home item is current only on the home page; the others also on the pages below them.
        current = path == url if url == home_url else path.startswith(url)
        items.append(NavItem(label=label, url=url, current=current))
    return items


def nav_items_for(request: HttpRequest) -> list[NavItem]:
    """The menu for this request, computed once however many templates ask for it (kept on the request,
    so it lives and dies with it)."""
    cache = request.__dict__
    if "_sen_nav_items" not in cache:
        cache["_sen_nav_items"] = _build(request)
    items: list[NavItem] = cache["_sen_nav_items"]
    return items


def language_choices() -> list[tuple[str, str]]:
    """(code, the language's own name) for the switch. NFC: Django spells "Tiếng Việt" with combining
    accents, which old fonts draw badly and which do not match the same words typed on a keyboard."""
    return [
        (code, unicodedata.normalize("NFC", get_language_info(code)["name_local"]))
        for code, _name in settings.LANGUAGES
    ]


def navigation(request: HttpRequest) -> dict[str, object]:
    return {
        "language_choices": language_choices(),
        "nav_items": lambda: nav_items_for(request),
        "province_name": settings.SEN_PROVINCE_NAME,
        "register_url": url_or_none("identity:register"),
    }
