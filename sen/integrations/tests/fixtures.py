"""Fixtures for exchange tests over real HTTP, usable from any app's tests.

In your app's tests/conftest.py:

    from sen.integrations.tests.fixtures import exchange_pair, second_sen_server, sen_server_template  # noqa: F401

Then, for "two Sen servers on loopback exchange an edXML package and its statuses":

    @pytest.mark.django_db(transaction=True)
    def test_exchange(live_server, exchange_pair):
        exchange_send(actor=clerk, peer=exchange_pair.peer, message=...)   # → POST to the second server
        exchange_pair.remote.sql("select state from integrations_exchangemessage")  # its database
        exchange_pair.remote.manage("exchange_send", LOCAL_ORGAN_ID, "status.edxml")  # it answers back

- `sen_server_template` (session): a migrated SQLite database, made once (~15 s).
- `second_sen_server`: a `SenServer` (sen.integrations.tests.servers) on a free loopback port, agency
  code REMOTE_ORGAN_ID ("000.00.00.H53", Tây Ninh), its own copy of the template database. It runs
  the same code as the test, so the handlers your app registers in ready() run there too.
- `exchange_pair`: the two sides registered as peers of each other with one fresh shared secret.
  This side is the test database, agency code settings.SEN_EXCHANGE_ORGAN_ID ("000.00.00.H20"); when
  the test also uses `live_server` (so a transactional database), the second server knows this side
  at live_server.url and can send back; without it, it can only answer.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from sen.integrations import services
from sen.integrations.models import ExchangePeer
from sen.integrations.tests.servers import SenServer, closed_port_url, migrated_database

REMOTE_ORGAN_ID = "000.00.00.H53"


@dataclass
class ExchangePair:
    remote: SenServer  # the second server
    peer: ExchangePeer  # the second server, as a peer in this test's database
    secret: str
    local_organ_id: str
    local_url: str  # where the second server sends to this side


@pytest.fixture(scope="session")
def sen_server_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return migrated_database(tmp_path_factory.mktemp("sen-server-template"))


@pytest.fixture
def second_sen_server(sen_server_template: Path, tmp_path: Path) -> Iterator[SenServer]:
    server = SenServer.start(template=sen_server_template, workdir=tmp_path / "second-sen", organ_id=REMOTE_ORGAN_ID)
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def exchange_pair(request: pytest.FixtureRequest, second_sen_server: SenServer) -> ExchangePair:
    if "live_server" in request.fixturenames:
        local_url = request.getfixturevalue("live_server").url
    else:
        request.getfixturevalue("db")
        local_url = closed_port_url()
    peer, secret = services.peer_save(
        actor=None,
        organ_id=REMOTE_ORGAN_ID,
        name="Sen tỉnh Tây Ninh (máy chủ thứ hai)",
        base_url=second_sen_server.base_url,
    )
    second_sen_server.add_peer(
        organ_id=settings.SEN_EXCHANGE_ORGAN_ID,
        name="Sen tỉnh Đồng Tháp (máy chủ thử nghiệm)",
        base_url=local_url,
        secret=secret,
    )
    return ExchangePair(
        remote=second_sen_server,
        peer=peer,
        secret=secret,
        local_organ_id=settings.SEN_EXCHANGE_ORGAN_ID,
        local_url=local_url,
    )
