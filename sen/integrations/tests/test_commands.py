"""Registering peers from the command line and in the demo: the secret is made at run time, handed
over once, and never changes behind the operators' backs."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from sen.core.models import AuditEvent
from sen.integrations.demo import demo_build
from sen.integrations.models import ExchangePeer

pytestmark = pytest.mark.django_db


def run(*args: str, stdin: str | None = None, monkeypatch=None) -> str:
    out = io.StringIO()
    if stdin is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    call_command("exchange_peer", *args, stdout=out)
    return out.getvalue()


def test_a_new_peer_gets_a_random_secret_printed_once():
    first = run("000.00.00.H53", "--name", "Sen tỉnh Tây Ninh", "--url", "https://sen.tayninh.gov.vn")
    peer = ExchangePeer.objects.get()
    again = run("000.00.00.H53", "--name", "Sen Tây Ninh", "--url", "https://sen.tayninh.gov.vn")

    assert len(peer.secret) >= 32
    assert peer.secret in first
    assert peer.secret not in again and "Đã cập nhật" in again
    peer.refresh_from_db()
    assert (peer.name, ExchangePeer.objects.count()) == ("Sen Tây Ninh", 1)
    assert peer.secret in first  # unchanged by the update
    assert all(peer.secret not in str(event.after) for event in AuditEvent.objects.all())


def test_the_other_side_takes_the_secret_from_stdin(monkeypatch):
    secret = "s" * 48

    run(
        "000.00.00.H20",
        "--name",
        "Sen Đồng Tháp",
        "--url",
        "http://127.0.0.1:8000",
        "--secret-stdin",
        stdin=secret + "\n",
        monkeypatch=monkeypatch,
    )

    assert ExchangePeer.objects.get().secret == secret


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "ftp://sen.example"], r"URL http\(s\)"),
        (["--url", "https://sen.example", "--secret-stdin"], "ít nhất 32"),
    ],
)
def test_bad_arguments_are_refused_in_vietnamese(monkeypatch, args, message):
    with pytest.raises(CommandError, match=message):
        run("000.00.00.H53", "--name", "Sen", *args, stdin="ngắn\n", monkeypatch=monkeypatch)

    assert not ExchangePeer.objects.exists()


def test_the_demo_registers_this_server_as_its_own_peer_once(settings):
    first = demo_build(stdout=io.StringIO())
    secret = ExchangePeer.objects.get().secret
    second = demo_build(stdout=io.StringIO())

    peer = ExchangePeer.objects.get()
    assert (first, second) == ({"exchange_peers": 1}, {"exchange_peers": 0})
    assert (peer.organ_id, peer.base_url, peer.secret) == (
        settings.SEN_EXCHANGE_ORGAN_ID,
        settings.SEN_BASE_URL,
        secret,
    )
