"""Notifications against a real SMTP server on loopback (aiosmtpd), with jobs run as in the embedded
default: in-process, after the transaction commits."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import logging
import socket
import threading
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from sen.core import notifications
from sen.core.models import Notification
from sen.core.notifications import notify
from sen.core.tasks import notifications_resend_stranded


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# aiosmtpd's thread logs every connection, sometimes after pytest has closed the stream it captured.
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


class LoopbackSMTPServer:
    """A real SMTP server on 127.0.0.1 that keeps every message it accepts."""

    def __init__(self, port: int | None = None, *, refuse_recipients: bool = False) -> None:
        self.port = port or free_port()
        self.refuse_recipients = refuse_recipients
        self.messages: list[EmailMessage] = []
        self.envelope_recipients: list[list[str]] = []
        self.received = threading.Event()
        # (a generous ready_timeout: CI machines are sometimes very busy)
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=30)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse_recipients:
            return "550 5.1.1 No such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        self.messages.append(message)
        self.envelope_recipients.append(list(envelope.rcpt_tos))
        self.received.set()
        return "250 Message accepted for delivery"

    def start(self) -> LoopbackSMTPServer:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()


@pytest.fixture
def smtp_server():
    server = LoopbackSMTPServer().start()
    yield server
    server.stop()


def use_smtp(settings, port: int) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 30


@pytest.fixture
def recipient(db):
    return get_user_model().objects.create_user(
        username="082099000123",
        password=None,
        full_name="Nguyễn Thị Ánh Tuyết",
        email="anh.tuyet@example.vn",
        phone="0912345678",
        national_id="082099000123",
    )


@pytest.mark.django_db(transaction=True)
def test_a_committed_notification_arrives_by_smtp_in_vietnamese(settings, smtp_server, recipient):
    # given a real SMTP server and a service that notifies inside its transaction
    use_smtp(settings, smtp_server.port)

    # when the transaction commits
    with transaction.atomic():
        [created] = notify(recipient=recipient, template="account_registered", context={})
        assert created.status == Notification.Status.PENDING
        assert smtp_server.messages == []  # nothing leaves before the commit

    # then the message has arrived, subject and body with their diacritics intact
    assert smtp_server.envelope_recipients == [["anh.tuyet@example.vn"]]
    [message] = smtp_server.messages
    # (Django 5.2 folds a long encoded Subject onto a continuation line, so the unfolded value starts
    # with the folding space; mail clients drop it.)
    assert message["Subject"].strip() == "Chào mừng Nguyễn Thị Ánh Tuyết đã đăng ký tài khoản trên Sen"
    assert message["To"] == "anh.tuyet@example.vn"
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "Kính gửi Nguyễn Thị Ánh Tuyết," in text
    assert "Tên đăng nhập của bạn: 082099000123" in text
    assert "tỉnh Đồng Tháp" in text
    assert "http://127.0.0.1:8000/accounts/login/" in text
    html = message.get_body(preferencelist=("html",)).get_content()
    assert "<strong>Nguyễn Thị Ánh Tuyết</strong>" in html
    # and the row says so
    created.refresh_from_db()
    assert created.status == Notification.Status.SENT
    assert created.attempts == 1
    assert created.error == ""
    assert created.sent_at is not None
    assert created.subject == "Chào mừng Nguyễn Thị Ánh Tuyết đã đăng ký tài khoản trên Sen"
    assert "Kính gửi Nguyễn Thị Ánh Tuyết," in created.body


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_sends_nothing_and_leaves_no_row(settings, smtp_server, recipient):
    use_smtp(settings, smtp_server.port)

    with pytest.raises(RuntimeError), transaction.atomic():
        notify(recipient=recipient, template="account_registered", context={})
        raise RuntimeError("the service failed after notifying")

    assert Notification.objects.count() == 0
    assert not smtp_server.received.wait(timeout=0.5)
    assert smtp_server.messages == []


@pytest.mark.django_db(transaction=True)
def test_a_mail_server_that_is_down_marks_the_notification_failed_without_breaking_the_caller(settings, recipient):
    # given no SMTP server listening on the configured port
    use_smtp(settings, free_port())

    # when the caller's transaction commits, nothing is raised into it
    with transaction.atomic():
        [created] = notify(recipient=recipient, template="account_registered", context={})

    # then the notification is failed, after one attempt (the embedded default never retries in-process)
    created.refresh_from_db()
    assert created.status == Notification.Status.FAILED
    assert created.attempts == 1
    assert "ConnectionRefusedError" in created.error
    assert created.sent_at is None


@pytest.mark.django_db(transaction=True)
def test_text_bodies_are_not_html_escaped_but_the_html_alternative_is(settings, smtp_server, recipient):
    use_smtp(settings, smtp_server.port)
    recipient.full_name = "Công ty <Sen> & Cộng sự"
    recipient.save()

    with transaction.atomic():
        notify(recipient=recipient, template="account_registered", context={})

    [message] = smtp_server.messages
    assert message["Subject"].strip() == "Chào mừng Công ty <Sen> & Cộng sự đã đăng ký tài khoản trên Sen"
    assert "Kính gửi Công ty <Sen> & Cộng sự," in message.get_body(preferencelist=("plain",)).get_content()
    assert "Công ty &lt;Sen&gt; &amp; Cộng sự" in message.get_body(preferencelist=("html",)).get_content()


@pytest.mark.django_db(transaction=True)
def test_sms_and_zalo_are_recorded_with_their_body_but_not_sent(settings, smtp_server, recipient):
    use_smtp(settings, smtp_server.port)

    with transaction.atomic():
        created = notify(recipient=recipient, template="account_registered", context={}, channels=("sms", "zalo"))

    assert smtp_server.messages == []
    rows = Notification.objects.filter(pk__in=[n.pk for n in created]).order_by("channel")
    assert [(n.channel, n.address, n.status, n.attempts) for n in rows] == [
        ("sms", "0912345678", "recorded", 1),
        ("zalo", "0912345678", "recorded", 1),
    ]
    for row in rows:
        assert row.body.startswith("Sen Đồng Tháp: chào mừng Nguyễn Thị Ánh Tuyết đã đăng ký tài khoản.")
        assert row.sent_at is not None


class CollectingAdapter:
    """An adapter for a provider that is not a demo's: keeps what it was handed, in this process."""

    delivered_status = Notification.Status.SENT
    delivered: list[tuple[str, str]] = []

    def send(self, notification):
        self.delivered.append((notification.address, notification.body))


@pytest.mark.django_db(transaction=True)
def test_the_adapter_of_a_channel_is_chosen_by_setting(settings, recipient):
    settings.SEN_NOTIFICATION_ADAPTERS = {
        **settings.SEN_NOTIFICATION_ADAPTERS,
        "sms": f"{__name__}.CollectingAdapter",
    }
    CollectingAdapter.delivered.clear()

    with transaction.atomic():
        [created] = notify(recipient=recipient, template="account_registered", context={}, channels=("sms",))

    assert [address for address, _body in CollectingAdapter.delivered] == ["0912345678"]
    created.refresh_from_db()
    assert created.status == Notification.Status.SENT


@pytest.mark.django_db(transaction=True)
def test_a_channel_without_an_address_is_recorded_as_failed_and_not_sent(settings, smtp_server, recipient):
    use_smtp(settings, smtp_server.port)
    recipient.email = ""
    recipient.save()

    with transaction.atomic():
        [created] = notify(recipient=recipient, template="account_registered", context={})

    created.refresh_from_db()
    assert created.status == Notification.Status.FAILED
    assert created.error == "Người nhận chưa có địa chỉ thư điện tử."
    assert created.attempts == 0
    assert smtp_server.messages == []


@pytest.mark.django_db
def test_an_unknown_template_or_channel_fails_in_the_caller(recipient):
    with pytest.raises(ValueError, match="no_such_template"):
        notify(recipient=recipient, template="no_such_template", context={})
    with pytest.raises(ValueError, match="pigeon"):
        notify(recipient=recipient, template="account_registered", context={}, channels=("email", "pigeon"))
    assert Notification.objects.count() == 0


@pytest.mark.django_db
def test_the_caller_context_is_stored_as_json_and_overrides_the_defaults(recipient, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        [created] = notify(
            recipient=recipient,
            template="account_registered",
            context={"recipient_name": "Chị Tuyết", "received_on": dt.date(2026, 2, 16)},
        )

    assert len(callbacks) == 1  # the job waits for the commit
    created.refresh_from_db()
    assert created.context["recipient_name"] == "Chị Tuyết"
    assert created.context["received_on"] == "2026-02-16"
    assert created.context["username"] == "082099000123"
    subject, _body = notifications.render(created)
    assert subject == "Chào mừng Chị Tuyết đã đăng ký tài khoản trên Sen"


@pytest.mark.django_db
def test_a_temporary_failure_before_the_last_attempt_is_raised_for_the_worker_to_retry(settings, recipient):
    # given a pending notification and a mail server that is down
    use_smtp(settings, free_port())
    with transaction.atomic():
        [created] = notify(recipient=recipient, template="account_registered", context={})

    # when a worker's non-final attempt fails, the error goes back to Celery (autoretry) and the row stays pending
    with pytest.raises(ConnectionRefusedError):
        notifications.deliver(created.pk, final_attempt=False)
    created.refresh_from_db()
    assert (created.status, created.attempts) == (Notification.Status.PENDING, 1)
    assert "ConnectionRefusedError" in created.error

    # and the final attempt records the failure instead of raising
    notifications.deliver(created.pk, final_attempt=True)
    created.refresh_from_db()
    assert (created.status, created.attempts) == (Notification.Status.FAILED, 2)


@pytest.mark.django_db
def test_a_mailbox_the_server_refuses_is_a_permanent_failure_not_retried(settings, recipient):
    # given a real SMTP server that answers 550 for every recipient
    server = LoopbackSMTPServer(refuse_recipients=True).start()
    try:
        use_smtp(settings, server.port)
        with transaction.atomic():
            [created] = notify(recipient=recipient, template="account_registered", context={})

        # when even a non-final attempt is refused, it is failed at once: retrying cannot help
        notifications.deliver(created.pk, final_attempt=False)
    finally:
        server.stop()

    created.refresh_from_db()
    assert (created.status, created.attempts) == (Notification.Status.FAILED, 1)
    assert "SMTPRecipientsRefused" in created.error
    assert server.messages == []


@pytest.mark.django_db(transaction=True)
def test_notifications_whose_job_never_ran_are_sent_by_the_periodic_job(settings, smtp_server, recipient):
    # given a notification whose job was lost (the broker was down at commit) and one whose retry is scheduled
    use_smtp(settings, smtp_server.port)
    with transaction.atomic():
        stranded = Notification.objects.create(
            recipient=recipient, channel="email", address=recipient.email, template="account_registered", context={}
        )
        retrying = Notification.objects.create(
            recipient=recipient,
            channel="email",
            address="other@example.vn",
            template="account_registered",
            context={},
            attempts=1,
        )
        an_hour_ago = timezone.now() - dt.timedelta(hours=1)
        Notification.objects.filter(pk__in=[stranded.pk, retrying.pk]).update(created_at=an_hour_ago)

    # when the periodic job runs
    assert notifications_resend_stranded.delay().get() == 1

    # then only the stranded one is sent
    stranded.refresh_from_db()
    retrying.refresh_from_db()
    assert stranded.status == Notification.Status.SENT
    assert retrying.status == Notification.Status.PENDING
    assert smtp_server.envelope_recipients == [["anh.tuyet@example.vn"]]
