"""The original e-mail of an e-mail ticket, in a real browser: from the ticket page to the headers
and the .eml download; and a manager releasing a held e-mail."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from mail.models import InboundStatus, Mailbox, Transport
from mail.services import receive
from tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CORPUS = Path(__file__).resolve().parents[1] / "data" / "mail"


@pytest.fixture
def support(service_desk):
    return Mailbox.objects.create(
        name="Support", address="support@helpdesk.example", team=service_desk, transport=Transport.RECEIVER
    )


def test_agent_opens_the_original_email_and_downloads_it(page, sign_in, carol, password, support):
    raw = (CORPUS / "gbk_foxmail.eml").read_bytes()
    inbound = receive(support, raw)
    ticket = Ticket.objects.get()
    sign_in(carol.email, password)

    page.goto(f"/agent/tickets/{ticket.reference}/")
    page.get_by_test_id("ticket-emails").get_by_role("link", name="The request").click()

    expect(page.get_by_test_id("original-subject")).to_have_text(ticket.subject)
    expect(page.get_by_test_id("original-headers")).to_contain_text("Foxmail")
    expect(page.get_by_test_id("original-text")).to_contain_text(ticket.description.split("\n")[0][:10])
    with page.expect_download() as download_info:
        page.get_by_test_id("download-eml").click()
    download = download_info.value
    assert download.suggested_filename == f"email-{inbound.pk}.eml"
    assert Path(download.path()).read_bytes() == raw


def test_manager_releases_a_held_email_from_the_list(page, sign_in, erin, password, support, settings):
    settings.MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR = 0
    raw = b"From: Vera <vera@example.org>\r\nTo: support@helpdesk.example\r\nSubject: Ten printers\r\n"
    raw += b"Message-ID: <ten-printers@example.org>\r\n\r\nAll ten printers are offline.\r\n"
    inbound = receive(support, raw)
    assert inbound.status == InboundStatus.HELD
    sign_in(erin.email, password)

    page.goto("/")
    page.get_by_test_id("manage-menu").click()
    page.get_by_role("link", name="Held and failed e-mails").click()
    row = page.get_by_test_id("review-row")
    expect(row).to_contain_text("Ten printers")
    row.get_by_test_id("release").click()

    ticket = Ticket.objects.get()
    expect(page.get_by_role("alert")).to_contain_text(ticket.reference)
    expect(page.get_by_test_id("review-row")).to_have_count(0)
