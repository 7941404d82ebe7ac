"""The corpus (tests/data/mail/*.eml) through the import, each message with its expected outcome."""

from __future__ import annotations

from datetime import timedelta
from email.message import EmailMessage

import pytest
import time_machine
from django.utils import timezone

from mail.models import InboundEmail, InboundStatus
from mail.parsing import parse
from mail.services import receive
from notifications.models import OutboxEmail
from notifications.suppression import is_failing
from tickets.models import Channel, EventKind, LinkKind, Status, Ticket, TicketLink
from tickets.services import ticket_change_status, ticket_close, ticket_create, ticket_reply, ticket_resolve


@pytest.fixture
def calendar_ticket(mailbox, alice):
    """Alice's request the replies in the corpus answer (HD-… "Cannot open the shared calendar")."""
    return ticket_create(
        requester=alice,
        subject="Cannot open the shared calendar",
        description="Outlook says the calendar is not available.",
        acting_user=alice,
        channel=Channel.EMAIL,
        team=mailbox.team,
    )


def created_event(ticket: Ticket):
    return ticket.events.get(kind=EventKind.CREATED)


# --- New requests -----------------------------------------------------------------------------


def test_plain_message_opens_an_email_ticket_with_its_cc_as_participants(mailbox, corpus):
    inbound = receive(mailbox, corpus("plain_gmail.eml"))

    assert inbound.status == InboundStatus.PROCESSED
    ticket = Ticket.objects.get()
    assert inbound.ticket == ticket and inbound.ticket_message is None
    assert (ticket.subject, ticket.channel, ticket.team) == (
        "Printer on the 3rd floor jams on every job",
        Channel.EMAIL,
        mailbox.team,
    )
    assert ticket.requester.email == "priya.patel@initech.example"
    assert ticket.requester.full_name == "Priya Patel"
    assert "PRN-3F-02" in ticket.description
    # The signature is cut for display; the whole message stays in the raw bytes.
    assert "+44 20" not in ticket.description
    assert b"+44 20 7946 0000" in bytes(inbound.raw)
    assert created_event(ticket).new_value["channel"] == "email"
    # Cc: the colleague follows the ticket; the helpdesk's own address does not.
    assert list(ticket.participants.values_list("email", flat=True)) == ["tom.baker@initech.example"]
    # The acknowledgement is the usual ticket-created e-mail, to the sender.
    assert list(OutboxEmail.objects.values_list("kind", "to")) == [("ticket_created", "priya.patel@initech.example")]


def test_html_only_message_becomes_markdown_without_its_script(mailbox, corpus):
    receive(mailbox, corpus("html_only_outlook.eml"))

    ticket = Ticket.objects.get()
    assert ticket.requester.full_name == "Renée Dubois"
    assert "**VPN client**" in ticket.description
    assert "* error 809 at home" in ticket.description
    assert "Café Wi–Fi is the same." in ticket.description
    assert "alert" not in ticket.description and "MsoNormal" not in ticket.description
    assert "<strong>VPN client</strong>" in ticket.description_html
    assert "<script" not in ticket.description_html


def test_attachments_are_checked_and_a_forbidden_one_is_dropped_with_a_note(mailbox, corpus):
    inbound = receive(mailbox, corpus("multipart_attachments_apple.eml"))

    assert inbound.status == InboundStatus.PROCESSED
    ticket = Ticket.objects.get()
    assert sorted(ticket.attachments.values_list("original_name", "content_type")) == [
        ("battery-report.pdf", "application/pdf"),
        ("power.log", "text/plain"),
    ]
    note = ticket.messages.get()
    assert not note.is_public and note.author is None
    assert "diagtool.exe" in note.body and "“.exe”" in note.body
    assert "battery" in ticket.description


def test_inline_image_is_imported_as_an_attachment(mailbox, corpus):
    receive(mailbox, corpus("inline_image_outlook.eml"))

    ticket = Ticket.objects.get()
    assert list(ticket.attachments.values_list("original_name", "content_type")) == [("image001.png", "image/png")]
    assert "cid:" not in ticket.description
    assert "\\\\fileserver\\projects" in ticket.description


@pytest.mark.parametrize(
    ("name", "subject", "text", "requester_name"),
    [
        # Foxmail labels GBK text "gb2312": 喆 and 堃 are not in GB2312.
        ("gbk_foxmail.eml", "打印机无法连接 - 喆堃的电脑", "我的电脑（喆堃的工作站）连不上三楼的打印机", "王喆"),
        ("gb2312_qq.eml", "邮箱密码过期", "我的邮箱密码过期了，无法登录。请帮我重置。", "李娜"),
        ("big5_outlook.eml", "會議室投影機沒有畫面", "三樓會議室的投影機接上筆電後沒有畫面", "陳怡君"),
    ],
)
def test_chinese_charsets_are_read_and_the_guest_gets_chinese(mailbox, corpus, name, subject, text, requester_name):
    receive(mailbox, corpus(name))

    ticket = Ticket.objects.get()
    assert ticket.subject == subject
    assert text in ticket.description
    assert ticket.requester.full_name == requester_name
    assert ticket.requester.language == "zh-hans"
    acknowledgement = OutboxEmail.objects.get()
    assert acknowledgement.language == "zh-hans"


def test_rfc2047_subject_in_b_and_q_words(mailbox, corpus):
    receive(mailbox, corpus("rfc2047_subjects.eml"))

    ticket = Ticket.objects.get()
    assert ticket.subject == "Réunion: écran noir – 会议室 screen"
    assert ticket.requester.full_name == "José Müller"


def test_message_without_message_id_is_imported_once(mailbox, corpus):
    first = receive(mailbox, corpus("no_message_id.eml"))
    second = receive(mailbox, corpus("no_message_id.eml"))

    assert first.pk == second.pk
    assert first.message_id.startswith("sha256:")
    assert Ticket.objects.count() == 1


def test_duplicate_delivery_changes_nothing(mailbox, corpus):
    first = receive(mailbox, corpus("plain_gmail.eml"))
    second = receive(mailbox, corpus("plain_gmail.eml"))

    assert second.pk == first.pk and second.status == InboundStatus.PROCESSED
    assert InboundEmail.objects.count() == 1
    assert Ticket.objects.count() == 1
    assert OutboxEmail.objects.count() == 1
    assert Ticket.objects.get().participants.count() == 1


# --- Replies ----------------------------------------------------------------------------------


def test_outlook_reply_joins_its_ticket_without_the_quoted_history(mailbox, corpus, calendar_ticket):
    inbound = receive(mailbox, corpus("outlook_reply_en.eml", calendar_ticket))

    assert Ticket.objects.count() == 1
    message = calendar_ticket.messages.get()
    assert inbound.ticket == calendar_ticket and inbound.ticket_message == message
    assert message.is_public and message.author.email == "alice@acme.example"
    assert message.body.startswith(
        "It works again after the restart, thank you. One more question: can Bob see it too?"
    )
    assert "Please restart Outlook" not in message.body
    assert "Older history" not in message.body
    # The agent hears of it; the requester gets no acknowledgement of her own reply.
    assert not OutboxEmail.objects.filter(kind="ticket_created").exclude(ticket=calendar_ticket).exists()
    assert not OutboxEmail.objects.filter(to="alice@acme.example", kind="public_reply").exists()


def test_chinese_outlook_reply_joins_without_the_quoted_history(mailbox, corpus, calendar_ticket):
    receive(mailbox, corpus("outlook_reply_zh.eml", calendar_ticket))

    message = calendar_ticket.messages.get()
    assert message.body == "重启以后可以打开了，谢谢！"


def test_qq_mail_html_reply_in_gb18030_joins_without_the_original(mailbox, corpus, calendar_ticket):
    inbound = receive(mailbox, corpus("qq_reply_html.eml", calendar_ticket))

    assert inbound.ticket == calendar_ticket
    assert inbound.subject == f"回复： [{calendar_ticket.reference}] 打印机脱机"
    assert calendar_ticket.messages.get().body == "打印机还是脱机，附上新的截图说明。"


def test_apple_mail_chinese_reply_threads_by_the_outbox_message_id(mailbox, corpus, calendar_ticket):
    acknowledgement = OutboxEmail.objects.get(ticket=calendar_ticket)

    inbound = receive(mailbox, corpus("apple_reply_zh.eml", calendar_ticket, outbox_id=acknowledgement.pk))

    assert inbound.ticket == calendar_ticket
    assert calendar_ticket.messages.get().body == "还是不行，打印机依然显示脱机。"


def test_requester_reply_reopens_a_pending_ticket(mailbox, corpus, calendar_ticket, carol):
    ticket_change_status(calendar_ticket, Status.PENDING, acting_user=carol)

    receive(mailbox, corpus("requester_reply_gmail.eml", calendar_ticket))

    calendar_ticket.refresh_from_db()
    assert calendar_ticket.status == Status.OPEN
    assert calendar_ticket.messages.get().body == "It is broken again this morning."


def test_reply_to_a_resolved_ticket_within_the_window_reopens_it(mailbox, corpus, calendar_ticket, carol, settings):
    ticket_resolve(calendar_ticket, code="fixed", summary="Restarted Outlook.", acting_user=carol)

    with time_machine.travel(timezone.now() + timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS - 1)):
        inbound = receive(mailbox, corpus("requester_reply_gmail.eml", calendar_ticket))

    calendar_ticket.refresh_from_db()
    assert inbound.ticket == calendar_ticket
    assert (calendar_ticket.status, calendar_ticket.reopen_count) == (Status.OPEN, 1)
    assert Ticket.objects.count() == 1


def test_reply_to_a_resolved_ticket_after_the_window_opens_a_follow_up(
    mailbox, corpus, calendar_ticket, carol, settings
):
    ticket_resolve(calendar_ticket, code="fixed", summary="Restarted Outlook.", acting_user=carol)

    with time_machine.travel(timezone.now() + timedelta(days=settings.TICKET_REOPEN_WINDOW_DAYS + 1)):
        inbound = receive(mailbox, corpus("requester_reply_gmail.eml", calendar_ticket))

    calendar_ticket.refresh_from_db()
    assert calendar_ticket.status == Status.RESOLVED
    follow_up = Ticket.objects.exclude(pk=calendar_ticket.pk).get()
    assert inbound.ticket == follow_up
    assert follow_up.requester == calendar_ticket.requester
    assert follow_up.description == "It is broken again this morning."
    assert TicketLink.objects.filter(source=follow_up, target=calendar_ticket, kind=LinkKind.FOLLOW_UP_OF).exists()


def test_reply_to_a_closed_ticket_opens_a_follow_up(mailbox, corpus, calendar_ticket, carol):
    ticket_resolve(calendar_ticket, code="fixed", summary="Restarted Outlook.", acting_user=carol)
    ticket_close(calendar_ticket, acting_user=carol)

    inbound = receive(mailbox, corpus("requester_reply_gmail.eml", calendar_ticket))

    follow_up = Ticket.objects.exclude(pk=calendar_ticket.pk).get()
    assert inbound.ticket == follow_up and follow_up.channel == Channel.EMAIL
    assert TicketLink.objects.filter(source=follow_up, target=calendar_ticket, kind=LinkKind.FOLLOW_UP_OF).exists()
    calendar_ticket.refresh_from_db()
    assert calendar_ticket.status == Status.CLOSED


def test_staff_reply_by_email_is_an_internal_note_never_sent_to_the_requester(mailbox, corpus, calendar_ticket, carol):
    receive(mailbox, corpus("staff_reply_thunderbird.eml", calendar_ticket))

    message = calendar_ticket.messages.get()
    # A forged From of an agent's address must not speak to the requester; nor must an agent's
    # answer to an SLA-warning e-mail.
    assert (message.author, message.is_public) == (carol, False)
    assert message.body == "I have given Bob read access to the calendar."
    calendar_ticket.refresh_from_db()
    assert calendar_ticket.first_response_at is None
    assert not OutboxEmail.objects.filter(kind="public_reply", to="alice@acme.example").exists()


def test_participant_reply_to_the_first_email_joins_the_ticket(mailbox, corpus):
    receive(mailbox, corpus("plain_gmail.eml"))
    ticket = Ticket.objects.get()

    inbound = receive(mailbox, corpus("participant_reply_gmail.eml"))

    assert inbound.ticket == ticket
    message = ticket.messages.get()
    assert message.author.email == "tom.baker@initech.example"
    assert message.body == "Same here: it jams on page two of every job."
    assert Ticket.objects.count() == 1


def test_stranger_quoting_a_reference_opens_a_new_ticket(mailbox, corpus, calendar_ticket):
    before = (calendar_ticket.status, calendar_ticket.version)

    inbound = receive(mailbox, corpus("stranger_reply.eml", calendar_ticket))

    new = Ticket.objects.exclude(pk=calendar_ticket.pk).get()
    assert inbound.ticket == new
    assert new.requester.email == "mallory@evil.example"
    calendar_ticket.refresh_from_db()
    assert (calendar_ticket.status, calendar_ticket.version) == before
    assert not calendar_ticket.messages.exists()


# --- Noise: never a ticket, never an acknowledgement --------------------------------------------


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("auto_reply_outlook.eml", "Auto-Submitted"),
        ("out_of_office_qq.eml", "x-autoreply"),
        ("mailing_list.eml", "Precedence: list"),
        ("bounce_dsn.eml", "bounce"),
    ],
)
def test_machine_mail_opens_nothing_and_is_not_answered(mailbox, corpus, calendar_ticket, name, reason):
    queued = OutboxEmail.objects.count()

    inbound = receive(mailbox, corpus(name, calendar_ticket))

    assert inbound.status == InboundStatus.IGNORED
    assert reason in inbound.reason
    assert Ticket.objects.count() == 1
    assert not calendar_ticket.messages.exists()
    assert OutboxEmail.objects.count() == queued


def test_bounce_marks_the_failed_recipient(mailbox, corpus):
    receive(mailbox, corpus("bounce_dsn.eml"))

    assert is_failing("gone.person@initech.example")
    assert not is_failing("support@helpdesk.example")


# --- Charsets the message does not declare, or declares wrongly ----------------------------------


@pytest.mark.parametrize(
    ("declared", "encoding"),
    [
        ("", "gbk"),  # no charset at all
        ("", "big5"),
        ('; charset="utf-8"', "gbk"),  # declared UTF-8, written in GBK
        ('; charset="us-ascii"', "utf-8"),  # declared ASCII, written in UTF-8
    ],
)
def test_missing_or_wrong_charset_declarations_are_read(declared, encoding):
    text = "打印机坏了，请帮忙。" if encoding != "big5" else "印表機壞了，請幫忙。"
    raw = (
        b"From: someone@initech.example\nTo: support@helpdesk.example\nSubject: help\n"
        + f"Content-Type: text/plain{declared}\n\n".encode()
        + text.encode(encoding)
    )

    parsed = parse(raw)

    assert parsed.text == text
    assert parsed.language == "zh-hans"


def test_raw_eight_bit_headers_are_read():
    raw = "From: 王伟 <wangwei@initech.example>\nSubject: 打印机坏了\n\nhello\n".encode("gbk")

    parsed = parse(raw)

    assert (parsed.sender_name, parsed.sender, parsed.subject) == ("王伟", "wangwei@initech.example", "打印机坏了")


# --- A whole request by e-mail: open, follow, reopen --------------------------------------------


def _mail(sender: str, subject: str, body: str, message_id: str, in_reply_to: str | None = None) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = "support@helpdesk.example"
    message["Subject"] = subject
    message["Message-ID"] = f"<{message_id}>"
    if in_reply_to:
        message["In-Reply-To"] = message["References"] = f"<{in_reply_to}>"
    message.set_content(body)
    return message.as_bytes()


@pytest.mark.parametrize(
    ("sender", "subject", "first", "again", "language"),
    [
        ("Nina Berg <nina@initech.example>", "Scanner offline", "The scanner is offline.", "Offline again.", "en"),
        ("周敏 <zhoumin@initech.example>", "扫描仪离线", "扫描仪离线了。", "又离线了。", "zh-hans"),
    ],
)
def test_a_requester_opens_follows_and_reopens_a_ticket_by_email(
    mailbox, carol, settings, sender, subject, first, again, language
):
    domain = settings.EMAIL_MESSAGE_ID_DOMAIN
    receive(mailbox, _mail(sender, subject, first, "m1@initech.example"))
    ticket = Ticket.objects.get()
    assert (ticket.description, ticket.requester.language) == (first, language)
    acknowledgement = OutboxEmail.objects.get(kind="ticket_created")
    assert acknowledgement.language == language

    # The agent answers on the web; the requester answers that e-mail.
    ticket_reply(ticket, "Please check the cable.", acting_user=carol)
    answer = OutboxEmail.objects.get(kind="public_reply")
    receive(
        mailbox, _mail(sender, f"Re: {subject}", "Cable is fine.", "m2@initech.example", f"outbox-{answer.pk}@{domain}")
    )
    assert list(ticket.messages.values_list("body", flat=True)) == ["Please check the cable.", "Cable is fine."]

    # Resolved, then the requester writes again to the thread: the ticket reopens.
    ticket_resolve(ticket, code="fixed", summary="Replaced the cable.", acting_user=carol)
    receive(mailbox, _mail(sender, f"Re: {subject}", again, "m3@initech.example", f"ticket-{ticket.pk}@{domain}"))
    ticket.refresh_from_db()
    assert (ticket.status, ticket.reopen_count) == (Status.OPEN, 1)
    assert ticket.messages.last().body == again
    assert Ticket.objects.count() == 1
