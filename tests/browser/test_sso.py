"""Single sign-on: a separate relying-party app logs a member of staff in through Sen's OpenID Connect
provider, in a real browser.

The app is registered as trusted (`oidc_client --trusted`: a provincial system), so Sen shows no
consent page: logging in is the only step, as staff expect from single sign-on."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from sen.identity.tests.factories import StaffFactory
from sen.identity.tests.oidc_support import register_client, serve_wsgi
from tests.browser.sso_relying_party import RelyingParty


@pytest.mark.django_db(transaction=True)
def test_a_relying_party_app_logs_staff_in_through_sen(page: Page, live_server, unit, password):
    officer = StaffFactory(full_name="Phạm Văn Một Cửa", unit=unit, position="Cán bộ một cửa")
    relying_party = RelyingParty(sen_url=live_server.url)
    with serve_wsgi(relying_party) as rp_url:
        # given: the app is registered with Sen
        relying_party.base_url = rp_url
        relying_party.client_id, relying_party.client_secret = register_client(
            "Hệ thống quản lý văn bản", relying_party.redirect_uri, trusted=True
        )

        # when: the officer opens the app and chooses to log in with Sen
        page.goto(rp_url + "/")
        page.get_by_role("link", name="Đăng nhập bằng tài khoản Sen").click()

        # then: Sen's login page
        expect(page).to_have_url(re.compile(re.escape(live_server.url) + r"/accounts/login/\?next="))

        # when: they log in with their official e-mail
        page.locator("input[name=username]").fill(officer.email)
        page.locator("input[name=password]").fill(password)
        page.get_by_role("button", name="Đăng nhập", exact=True).click()

        # then: back in the app, greeted by the name from Sen's ID token, with their unit
        expect(page).to_have_url(rp_url + "/")
        expect(page.get_by_role("heading", name="Xin chào Phạm Văn Một Cửa")).to_be_visible()
        expect(page.get_by_text("Đơn vị: Sở Tư pháp")).to_be_visible()
        assert relying_party.errors == []
