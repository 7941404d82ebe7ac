"""The staff pages of the e-mail channel: the original e-mail, its .eml, held and failed e-mails."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mail.models import InboundEmail, InboundStatus
from mail.services import receive
from tests.mail.mail_fixtures import held
from tickets.models import Ticket


def test_agent_sees_the_original_email_of_a_ticket_in_her_team(client, carol, with_files):
    client.force_login(carol)

    response = client.get(reverse("mail:original", args=[with_files.pk]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Laptop battery report and the tool they sent" in page
    assert "My laptop battery drains in an hour." in page
    assert "X-Mailer" in page and "Apple Mail (2.3774.600.62)" in page
    # Every file the e-mail carried, also the one the import refused.
    names = [attachment.name for attachment in response.context["original"].attachments]
    assert names == ["battery-report.pdf", "power.log", "diagtool.exe"]
    assert reverse("mail:original_raw", args=[with_files.pk]) in page


def test_raw_download_is_the_message_as_received(client, carol, with_files, corpus):
    client.force_login(carol)

    response = client.get(reverse("mail:original_raw", args=[with_files.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "message/rfc822"
    assert response["Content-Disposition"] == f'attachment; filename="email-{with_files.pk}.eml"'
    assert response.content == corpus("multipart_attachments_apple.eml")


@pytest.mark.parametrize("url_name", ["mail:original", "mail:original_raw"])
def test_someone_else_s_ticket_e_mail_is_refused(client, dave, alice, with_files, url_name):
    url = reverse(url_name, args=[with_files.pk])
    client.force_login(dave)  # agent of another team: as for the ticket, a 404
    assert client.get(url).status_code == 404
    client.force_login(alice)  # a requester, even of her own organisation: staff only
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_agent_ticket_page_links_the_original_emails(client, carol, with_files):
    client.force_login(carol)
    ticket = Ticket.objects.get()

    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()

    assert 'data-testid="ticket-emails"' in page
    assert reverse("mail:original", args=[with_files.pk]) in page


def test_web_ticket_page_has_no_email_box(client, carol, alice, service_desk):
    from tickets.services import ticket_create

    ticket = ticket_create(requester=alice, subject="VPN", description="down", acting_user=alice, team=service_desk)
    client.force_login(carol)

    page = client.get(reverse("tickets:agent_ticket", args=[ticket.reference])).content.decode()

    assert 'data-testid="ticket-emails"' not in page


def test_manager_lists_held_and_failed_emails_of_her_teams(client, erin, mailbox, network_mailbox, settings):
    settings.MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR = 0  # every new sender is held
    mine = held(mailbox, 1)
    held(network_mailbox, 2)  # another team's: not hers
    broken = receive(mailbox, b"this is not an e-mail at all")
    assert (mine.status, broken.status) == (InboundStatus.HELD, InboundStatus.FAILED)
    client.force_login(erin)

    response = client.get(reverse("mail:review_list"))

    assert response.status_code == 200
    assert [row.pk for row in response.context["rows"]] == [broken.pk, mine.pk]
    page = response.content.decode()
    assert reverse("mail:release", args=[mine.pk]) in page
    assert reverse("mail:reprocess", args=[broken.pk]) in page


def test_review_list_is_for_managers(client, carol, mailbox):
    client.force_login(carol)
    assert client.get(reverse("mail:review_list")).status_code == 403


def test_review_list_queries_do_not_grow_with_rows(client, erin, mailbox, settings, django_assert_max_num_queries):
    settings.MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR = 0
    for number in range(12):
        held(mailbox, number)
    client.force_login(erin)

    with django_assert_max_num_queries(12):
        response = client.get(reverse("mail:review_list"))

    assert len(response.context["rows"]) == 12


def test_manager_releases_a_held_email_into_a_ticket(client, erin, mailbox, settings):
    settings.MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR = 0
    inbound = held(mailbox, 1)
    client.force_login(erin)

    response = client.post(reverse("mail:release", args=[inbound.pk]), follow=True)

    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.PROCESSED
    ticket = Ticket.objects.get()
    assert inbound.ticket == ticket and ticket.subject == "Offer 1"
    assert ticket.reference in response.content.decode()


def test_manager_reprocesses_a_failed_email(client, erin, mailbox, settings):
    settings.MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR = 0
    inbound = held(mailbox, 1)
    # Its import failed once (a fault since fixed): it was kept as it arrived.
    InboundEmail.objects.filter(pk=inbound.pk).update(status=InboundStatus.FAILED, reason="boom")
    client.force_login(erin)

    client.post(reverse("mail:reprocess", args=[inbound.pk]))

    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.PROCESSED and inbound.ticket is not None


def test_release_of_another_team_s_email_is_refused(client, erin, network_mailbox, settings):
    settings.MAIL_MAX_NEW_TICKETS_PER_SENDER_HOUR = 0
    inbound = held(network_mailbox, 1)
    client.force_login(erin)

    assert client.post(reverse("mail:release", args=[inbound.pk])).status_code == 403
    inbound.refresh_from_db()
    assert inbound.status == InboundStatus.HELD


def test_a_failed_email_without_ticket_is_shown_to_its_reviewers_only(client, erin, carol, mailbox):
    broken = receive(mailbox, b"this is not an e-mail at all")
    client.force_login(erin)
    response = client.get(reverse("mail:original", args=[broken.pk]))
    assert response.status_code == 200
    assert "this is not an e-mail at all" in response.content.decode()
    client.force_login(carol)  # an agent: tickets yes, the review of unassigned mail no
    assert client.get(reverse("mail:original", args=[broken.pk])).status_code == 404
