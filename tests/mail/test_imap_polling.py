"""IMAP polling against a real Dovecot (tests/mail/dovecot.py), in-process and in a real Celery worker."""

from __future__ import annotations

import base64
import os
import signal
import socket
import threading
import time
from collections import Counter
from email import message_from_bytes
from email.header import Header
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.db import connection

from helpdesk.celery import app
from mail.imap import IMPORTED_KEYWORD, poll_mailbox, polling_lock, quote_folder
from mail.models import AfterImport, ImapSecurity, InboundEmail, InboundStatus, Mailbox, Transport
from mail.services import receive
from tests.mail import dovecot
from tests.mail.dovecot import Dovecot
from tickets.models import Channel, Ticket

SUPPORT = "support@helpdesk.example"


def an_email(number: int, *, sender: str | None = None, subject: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender or f"Customer {number} <customer{number}@example.org>"
    message["To"] = SUPPORT
    message["Subject"] = subject or f"Request number {number}"
    message["Message-ID"] = make_msgid(f"request{number}", domain="example.org")
    message.set_content(f"Please help with thing {number}.")
    return message.as_bytes()


def wait_for(condition, timeout: float, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return False


@pytest.fixture
def imap_server():
    server = Dovecot()
    server.start()
    yield server
    server.stop()


def make_mailbox(server: Dovecot, team, **fields) -> Mailbox:
    mailbox = Mailbox(
        name="Support",
        address=SUPPORT,
        team=team,
        transport=Transport.IMAP,
        imap_host="127.0.0.1",
        imap_port=server.port,
        imap_security=server.security,
        imap_user=dovecot.USER,
        **fields,
    )
    mailbox.set_imap_password(dovecot.PASSWORD)
    mailbox.save()
    return mailbox


@pytest.fixture
def support(transactional_db, imap_server, service_desk):
    return make_mailbox(imap_server, service_desk)


def test_poll_imports_each_message_once_and_moves_it(imap_server, support):
    for number in range(3):
        imap_server.append(an_email(number))
    # As a Chinese client writes it: GBK in RFC 2047 headers and in a base64 body.
    name, subject = (Header(text, "gbk").encode() for text in ("张三", "会议室投影仪不亮"))
    body = base64.b64encode("投影仪打不开。".encode("gbk")).decode()
    chinese = (
        f"From: {name} <zhangsan@example.cn>\r\nTo: {SUPPORT}\r\nSubject: {subject}\r\n"
        "Message-ID: <gbk-1@example.cn>\r\nMIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=gbk\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        f"{body}\r\n"
    )
    imap_server.append(chinese.encode("ascii"))

    assert poll_mailbox(support.pk) == 4

    assert Ticket.objects.filter(channel=Channel.EMAIL).count() == 4
    assert Ticket.objects.filter(subject="会议室投影仪不亮").exists()
    assert InboundEmail.objects.filter(mailbox=support, status=InboundStatus.PROCESSED).count() == 4
    assert imap_server.folder_messages("INBOX") == []
    assert len(imap_server.folder_messages("Imported")) == 4
    support.refresh_from_db()
    assert support.last_polled_at is not None and support.last_error == ""

    # The next minute's poll finds nothing new.
    assert poll_mailbox(support.pk) == 0
    assert Ticket.objects.count() == 4


def test_flag_mode_keeps_messages_and_skips_them_afterwards(imap_server, support):
    support.imap_after_import = AfterImport.FLAG
    support.save()
    imap_server.append(an_email(1))

    assert poll_mailbox(support.pk) == 1

    [(flags, _raw)] = imap_server.folder_messages("INBOX")
    assert b"\\Seen" in flags and IMPORTED_KEYWORD.encode() in flags
    # Someone marks it unread again in their mail client: it is still not imported twice.
    client = imap_server.connect()
    client.select("INBOX")
    client.uid("STORE", "1:*", "-FLAGS", "(\\Seen)")
    client.logout()
    assert poll_mailbox(support.pk) == 0
    assert Ticket.objects.count() == 1


def test_a_message_stored_before_a_crash_is_not_imported_twice(imap_server, support):
    """The worker died after receive() committed and before the move: the next poll dedupes."""
    raw = an_email(7)
    imap_server.append(raw)
    receive(support, raw)  # what the poll that crashed had done
    assert Ticket.objects.count() == 1

    assert poll_mailbox(support.pk) == 1

    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.count() == 1
    assert imap_server.folder_messages("INBOX") == []
    assert len(imap_server.folder_messages("Imported")) == 1


def test_folders_with_spaces_and_chinese_names(imap_server, support):
    support.imap_move_to = "Helpdesk/已导入 mail"
    support.save()
    imap_server.append(an_email(1))

    assert poll_mailbox(support.pk) == 1

    assert len(imap_server.folder_messages(quote_folder("Helpdesk/已导入 mail").strip('"'))) == 1


def test_wrong_password_is_reported_on_the_mailbox(imap_server, support):
    support.set_imap_password("not-the-password")
    support.save()
    imap_server.append(an_email(1))

    assert poll_mailbox(support.pk) == 0

    support.refresh_from_db()
    assert "login as 'helpdesk' refused" in support.last_error
    assert support.last_polled_at is not None
    assert len(imap_server.folder_messages("INBOX")) == 1
    assert Ticket.objects.count() == 0


def test_unreachable_server_is_reported_and_the_next_poll_recovers(imap_server, support):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    Mailbox.objects.filter(pk=support.pk).update(imap_port=closed_port)

    assert poll_mailbox(support.pk) == 0
    support.refresh_from_db()
    assert "ConnectionRefusedError" in support.last_error

    Mailbox.objects.filter(pk=support.pk).update(imap_port=imap_server.port)
    imap_server.append(an_email(1))
    assert poll_mailbox(support.pk) == 1
    support.refresh_from_db()
    assert support.last_error == ""


def test_an_overlapping_poll_leaves_the_mailbox_alone(imap_server, support):
    imap_server.append(an_email(1))
    holding, release = threading.Event(), threading.Event()

    def other_poll():
        # Another worker's poll, on its own database connection, holding the mailbox's lock.
        try:
            with polling_lock(support.pk) as acquired:
                assert acquired
                holding.set()
                release.wait(10)
        finally:
            connection.close()

    other = threading.Thread(target=other_poll)
    other.start()
    try:
        assert holding.wait(10)
        assert poll_mailbox(support.pk) == 0
        assert len(imap_server.folder_messages("INBOX")) == 1
    finally:
        release.set()
        other.join()
    assert poll_mailbox(support.pk) == 1


@pytest.mark.parametrize("security", [ImapSecurity.SSL, ImapSecurity.STARTTLS])
def test_tls_with_a_verified_certificate(transactional_db, service_desk, monkeypatch, security):
    server = Dovecot(security=security)
    server.start()
    try:
        # The test's self-signed certificate is the one trusted authority: verification stays on.
        monkeypatch.setenv("SSL_CERT_FILE", str(server.directory / "cert.pem"))
        mailbox = make_mailbox(server, service_desk)
        server.append(an_email(1))

        assert poll_mailbox(mailbox.pk) == 1
        assert Ticket.objects.count() == 1

        # Without that trust, the poll refuses the certificate instead of sending the password.
        monkeypatch.setenv("SSL_CERT_FILE", "/nonexistent.pem")
        monkeypatch.setenv("SSL_CERT_DIR", "/nonexistent")
        server.append(an_email(2))
        assert poll_mailbox(mailbox.pk) == 0
        mailbox.refresh_from_db()
        assert "CERTIFICATE_VERIFY_FAILED" in mailbox.last_error
    finally:
        server.stop()


def test_beat_task_imports_once_across_a_worker_killed_mid_import(imap_server, support, start_celery_worker):
    count = 40
    for number in range(count):
        imap_server.append(an_email(number))
    worker = start_celery_worker()

    app.send_task("mail.poll_mailboxes")
    assert wait_for(lambda: InboundEmail.objects.count() >= 3, timeout=30), worker.log[-3000:]
    os.killpg(worker.process.pid, signal.SIGKILL)  # in the middle of the import: no goodbye
    worker.process.wait()
    imported_before_kill = InboundEmail.objects.count()
    assert imported_before_kill < count, "the worker finished before it was killed; the test proves nothing"

    # Restarted; beat's next tick.
    restarted = start_celery_worker()
    app.send_task("mail.poll_mailboxes")
    assert wait_for(lambda: imap_server.count("INBOX") == 0, timeout=60, interval=0.5), restarted.log[-3000:]

    assert InboundEmail.objects.count() == count
    assert Ticket.objects.count() == count
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == sorted(
        f"Request number {n}" for n in range(count)
    )
    # Every message archived. The one whose MOVE the kill cut off may stand there twice: the
    # server had copied it but not yet expunged it from the inbox, and the restarted worker
    # (which imported it again as the same e-mail, no second ticket) moved it once more.
    archived = [message_from_bytes(raw)["Subject"] for _flags, raw in imap_server.folder_messages("Imported")]
    assert sorted(set(archived)) == sorted(f"Request number {n}" for n in range(count))
    assert len(archived) <= count + 1, Counter(archived).most_common(3)
    support.refresh_from_db()
    assert support.last_error == ""


def test_a_changed_encryption_key_is_reported_not_crashed(imap_server, support):
    from cryptography.fernet import Fernet

    # The password as another key encrypted it: what the rows hold after MAIL_ENCRYPTION_KEY changed.
    other = Fernet(Fernet.generate_key()).encrypt(dovecot.PASSWORD.encode()).decode()
    Mailbox.objects.filter(pk=support.pk).update(imap_password_encrypted=other)
    imap_server.append(an_email(1))

    assert poll_mailbox(support.pk) == 0

    support.refresh_from_db()
    assert "cannot be decrypted" in support.last_error
    assert len(imap_server.folder_messages("INBOX")) == 1
