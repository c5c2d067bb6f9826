"""The exchange in the admin: province admins look and act through the services; nobody edits."""

from __future__ import annotations

import pytest

from sen.integrations import services
from sen.integrations.models import ExchangeMessage, ExchangePeer
from sen.integrations.tests.factories import document_message, peer
from sen.integrations.tests.servers import closed_port_url

pytestmark = pytest.mark.django_db


def test_a_province_admin_sees_peers_and_messages_but_never_the_secret(client, province_admin):
    remote = peer()
    services.exchange_send(actor=None, peer=remote, message=document_message())
    client.force_login(province_admin)

    peers = client.get("/admin/integrations/exchangepeer/")
    page = client.get(f"/admin/integrations/exchangepeer/{remote.pk}/change/")
    listing = client.get("/admin/integrations/exchangemessage/")

    assert peers.status_code == page.status_code == listing.status_code == 200
    assert "000.00.00.H53" in peers.content.decode()
    assert remote.secret not in page.content.decode()
    assert "123/STP-VP" in listing.content.decode()


def test_a_clerk_is_not_let_in(client, clerk):
    client.force_login(clerk)

    assert client.get("/admin/integrations/exchangemessage/").status_code in {302, 403}


def test_the_send_again_action_queues_a_failed_message_through_the_service(
    client, province_admin, django_capture_on_commit_callbacks
):
    # given a message that failed because its peer was down
    remote = peer(base_url=closed_port_url())
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.exchange_send(actor=None, peer=remote, message=document_message())
    sent.refresh_from_db()
    assert sent.state == "failed"
    client.force_login(province_admin)

    # when the province admin sends it again (the peer is still down)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/integrations/exchangemessage/",
            {"action": "send_again", "_selected_action": [sent.pk]},
            follow=True,
        )

    # then a second attempt was made, through the service
    assert response.status_code == 200
    sent.refresh_from_db()
    assert (sent.state, sent.attempts) == ("failed", 2)
    assert ExchangeMessage.objects.count() == 1
    assert ExchangePeer.objects.count() == 1
