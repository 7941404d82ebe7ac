"""A requester opens, follows and reopens a ticket entirely by e-mail, in English and in Chinese.

Real parts: the receiver process (LMTP) takes the requester's e-mails; the outbox delivers the
helpdesk's e-mails to a capture (Django's locmem backend); the requester's client answers the
e-mail it got, using its Reply-To and Message-ID as any mail client does.
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass
from email.header import Header

import pytest
from django.core import mail as captured

from mail.models import InboundEmail, InboundStatus, Mailbox, Transport
from notifications.outbox import deliver_due
from tests.mail.receiver_process import ReceiverProcess
from tickets.models import Channel, EventKind, Message, Status, Ticket
from tickets.services import ticket_assign, ticket_change_status, ticket_reply, ticket_resolve

SUPPORT = "support@helpdesk.example"
CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Language:
    code: str
    charset: str
    name: str
    address: str
    subject: str
    request: str
    agent_question: str
    answer: str
    quote_header: str
    still_broken: str


ENGLISH = Language(
    code="en",
    charset="utf-8",
    name="Grace Hopper",
    address="grace@customer.example",
    subject="Laptop will not start",
    request="My laptop shows a black screen since this morning.",
    agent_question="Does the power light come on when you press the button?",
    answer="Yes, the light is on but the screen stays black.",
    quote_header="On Mon, 7 Dec 2026 at 09:12, Helpdesk <helpdesk@localhost> wrote:",
    still_broken="It is black again after a restart. Please have another look.",
)
CHINESE = Language(
    code="zh",
    charset="gbk",
    name="王芳",
    address="wangfang@customer.example",
    subject="笔记本电脑无法开机",
    request="从今天早上开始，笔记本电脑一直黑屏。",
    agent_question="按下电源键时，电源指示灯亮吗？",
    answer="指示灯是亮的，但屏幕还是黑的。",
    quote_header="在 2026年12月7日 09:12，Helpdesk <helpdesk@localhost> 写道：",
    still_broken="重启以后又黑屏了，请再看一下。",
)


def compose(language: Language, *, subject: str, body: str, message_id: str, replying_to=None) -> bytes:
    """An e-mail as the requester's client writes it: RFC 2047 headers and a base64 body in its charset."""
    headers = [
        f"From: {Header(language.name, language.charset).encode()} <{language.address}>",
        f"To: {replying_to['Reply-To'] if replying_to else SUPPORT}",
        f"Subject: {Header(subject, language.charset).encode()}",
        f"Message-ID: <{message_id}>",
        "Date: Mon, 07 Dec 2026 09:30:00 +0800",
        "MIME-Version: 1.0",
        f"Content-Type: text/plain; charset={language.charset}",
        "Content-Transfer-Encoding: base64",
    ]
    if replying_to is not None:
        headers.append(f"In-Reply-To: {replying_to['Message-ID']}")
        headers.append(
            f"References: {replying_to.get('References', '')} {replying_to['Message-ID']}".replace("  ", " ")
        )
    encoded = base64.encodebytes(body.encode(language.charset)).decode("ascii").replace("\n", "\r\n")
    return ("\r\n".join(headers) + "\r\n\r\n" + encoded).encode("ascii")


def answer_to(language: Language, received, text: str, message_id: str) -> bytes:
    """The requester's reply to a captured e-mail: "Re:", the quote of what they got under it."""
    quoted = "\n".join(f"> {line}" for line in received.body.splitlines())
    return compose(
        language,
        subject=f"Re: {received.subject}",
        body=f"{text}\n\n{language.quote_header}\n{quoted}\n",
        message_id=message_id,
        replying_to=received.extra_headers,
    )


def deliver() -> list:
    """Run the outbox sweep; return the e-mails it sent just now."""
    before = len(captured.outbox)
    deliver_due()
    return captured.outbox[before:]


def to(address: str, emails: list) -> list:
    return [email for email in emails if email.to == [address]]


@pytest.fixture
def receiver(transactional_db, tmp_path):
    process = ReceiverProcess(tmp_path / "receiver.log").start()
    yield process
    process.stop()


@pytest.mark.parametrize("language", [ENGLISH, CHINESE], ids=["english", "chinese"])
def test_requester_opens_follows_and_reopens_a_ticket_by_email(receiver, service_desk, carol, language):
    Mailbox.objects.create(name="Support", address=SUPPORT, team=service_desk, transport=Transport.RECEIVER)
    requester_id = f"first@{language.code}.customer.example"

    # 1. A new request by e-mail: a ticket on the e-mail channel, and an acknowledgement.
    receiver.send(
        compose(language, subject=language.subject, body=language.request, message_id=requester_id),
        mail_from=language.address,
        to=[SUPPORT],
    )
    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.subject, ticket.requester.email) == (
        Channel.EMAIL,
        language.subject,
        language.address,
    )
    assert language.request in ticket.description
    assert ticket.events.filter(kind=EventKind.CREATED).count() == 1
    [acknowledgement] = to(language.address, deliver())
    assert ticket.reference in acknowledgement.subject
    assert acknowledgement.extra_headers["Reply-To"] == SUPPORT
    assert acknowledgement.extra_headers["Auto-Submitted"] in ("auto-replied", "auto-generated")
    if language is CHINESE:  # the guest's language was read from the message
        assert CJK.search(acknowledgement.body), acknowledgement.body

    # 2. The agent asks a question and waits for the requester.
    ticket_assign(ticket, carol, acting_user=carol)
    ticket_reply(ticket, language.agent_question, acting_user=carol)
    ticket_change_status(ticket, Status.PENDING, acting_user=carol)
    [question] = [email for email in to(language.address, deliver()) if language.agent_question in email.body]
    assert question.extra_headers["Reply-To"] == SUPPORT
    assert "Auto-Submitted" not in question.extra_headers  # a person wrote it: autoresponders may answer

    # 3. The requester answers from their mail client: the reply joins the ticket, which reopens.
    answer = answer_to(language, question, language.answer, f"answer@{language.code}.customer.example")
    receiver.send(answer, mail_from=language.address, to=[SUPPORT])
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    reply = Message.objects.filter(ticket=ticket, author=ticket.requester).get()
    assert reply.is_public and reply.body.strip() == language.answer  # the quoted history is cut
    inbound = InboundEmail.objects.get(message_id=f"answer@{language.code}.customer.example")
    assert (inbound.status, inbound.ticket, inbound.ticket_message) == (InboundStatus.PROCESSED, ticket, reply)

    # 4. Resolved; the requester writes back that it is broken again: reopened within the window.
    ticket_resolve(ticket, code="fixed", summary="Reseated the display cable.", acting_user=carol)
    resolved_mail = to(language.address, deliver())
    assert resolved_mail, "the requester was told about the resolution"
    again = answer_to(language, resolved_mail[-1], language.still_broken, f"again@{language.code}.customer.example")
    receiver.send(again, mail_from=language.address, to=[SUPPORT])
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.events.filter(kind=EventKind.REOPENED).count() == 1
    assert Message.objects.filter(ticket=ticket, author=ticket.requester).count() == 2

    # One ticket all along, and every e-mail the requester sent imported once.
    assert Ticket.objects.count() == 1
    assert InboundEmail.objects.filter(status=InboundStatus.PROCESSED).count() == 3
