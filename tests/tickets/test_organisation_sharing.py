"""Sharing with the organisation is the requester's choice per ticket; the organisation's setting
is only where the choice starts. Alice and Bob work at Acme; Oscar at Globex."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.permissions import may_view
from tickets.models import Ticket
from tickets.search import search_tickets
from tickets.services import ticket_create, ticket_reply, ticket_resolve

SUBMIT = reverse("tickets:submit")
MY = reverse("tickets:my_tickets")


def _ticket(requester, subject, **extra):
    return ticket_create(requester=requester, subject=subject, description="Details.", acting_user=requester, **extra)


def _submit(client, **extra):
    data = {"subject": "Payslip is wrong", "description": "Private.", "impact": "3", "urgency": "2", **extra}
    response = client.post(SUBMIT, data)
    assert response.status_code == 302, response.content.decode()
    return Ticket.objects.latest("id")


@pytest.fixture
def sharing_acme(acme):
    acme.shares_tickets = True
    acme.save()
    return acme


def test_the_form_offers_sharing_ticked_when_the_organisation_shares(client, alice, sharing_acme, service_desk):
    client.force_login(alice)

    form = client.get(SUBMIT).context["form"]

    assert form.fields["shared_with_organisation"].initial is True
    assert "Share with my organisation" in client.get(SUBMIT).content.decode()


def test_the_form_offers_sharing_unticked_when_the_organisation_does_not(client, alice, acme, service_desk):
    client.force_login(alice)

    assert client.get(SUBMIT).context["form"].fields["shared_with_organisation"].initial is False


def test_no_organisation_no_choice(client, service_desk):
    from tests.factories import UserFactory

    loner = UserFactory(email="lone@example.net")
    client.force_login(loner)

    assert "shared_with_organisation" not in client.get(SUBMIT).context["form"].fields
    ticket = _submit(client, shared_with_organisation="on")
    assert not ticket.shared_with_organisation


def test_requester_keeps_a_ticket_private_although_the_organisation_shares(
    client, alice, bob, sharing_acme, service_desk
):
    client.force_login(alice)
    private = _submit(client)  # the box left unticked
    shared = _submit(client, subject="Projector in room 4", shared_with_organisation="on")

    assert (private.shared_with_organisation, shared.shared_with_organisation) == (False, True)
    client.force_login(bob)
    listed = client.get(MY).content.decode()
    assert "Projector in room 4" in listed and "Payslip is wrong" not in listed
    assert client.get(reverse("tickets:my_ticket", args=[shared.reference])).status_code == 200
    assert client.get(reverse("tickets:my_ticket", args=[private.reference])).status_code == 404
    assert client.post(reverse("tickets:my_ticket", args=[private.reference]), {"body": "hi"}).status_code == 404
    # The search box of /my/ and the search module alike.
    assert "Payslip" not in client.get(MY, {"q": "payslip"}).content.decode()
    assert "Projector" in client.get(MY, {"q": "projector"}).content.decode()
    assert [t.pk for t in search_tickets(bob, "payslip")] == []
    assert [t.pk for t in search_tickets(bob, "projector")] == [shared.pk]


def test_a_requester_shares_one_ticket_where_the_organisation_does_not(client, alice, bob, acme, service_desk):
    client.force_login(alice)
    shared = _submit(client, subject="Coffee machine broken", shared_with_organisation="on")

    client.force_login(bob)

    assert "Coffee machine broken" in client.get(MY).content.decode()
    assert client.get(reverse("tickets:my_ticket", args=[shared.reference])).status_code == 200


def test_the_owner_always_sees_their_private_ticket(client, alice, sharing_acme, service_desk):
    ticket = _ticket(alice, "Payslip is wrong", shared_with_organisation=False)
    client.force_login(alice)

    assert "Payslip is wrong" in client.get(MY).content.decode()
    assert client.get(reverse("tickets:my_ticket", args=[ticket.reference])).status_code == 200


def test_the_organisations_setting_is_the_default_for_other_channels(alice, bob, acme, service_desk):
    private = _ticket(alice, "Before sharing")
    acme.shares_tickets = True
    acme.save()
    alice.refresh_from_db()
    shared = _ticket(alice, "After sharing")

    assert (private.shared_with_organisation, shared.shared_with_organisation) == (False, True)
    assert not may_view(bob, private) and may_view(bob, shared)


def test_a_later_change_of_the_organisations_setting_does_not_open_private_tickets(alice, bob, acme, service_desk):
    private = _ticket(alice, "Payslip is wrong")
    acme.shares_tickets = True
    acme.save()

    assert not may_view(bob, Ticket.objects.get(pk=private.pk))


def test_someone_from_another_organisation_never_sees_a_shared_ticket(client, alice, oscar, acme, service_desk):
    shared = _ticket(alice, "Shared at Acme", shared_with_organisation=True)
    client.force_login(oscar)

    assert "Shared at Acme" not in client.get(MY).content.decode()
    assert client.get(reverse("tickets:my_ticket", args=[shared.reference])).status_code == 404


def test_the_api_follows_the_same_choice(alice, bob, sharing_acme, service_desk):
    private = _ticket(alice, "Payslip is wrong", shared_with_organisation=False)
    shared = _ticket(alice, "Projector", shared_with_organisation=True)
    api = APIClient()
    api.force_authenticate(bob)

    listed = api.get(reverse("tickets_api:ticket-list")).json()
    references = {row["reference"] for row in listed["results"]}
    assert shared.reference in references and private.reference not in references
    assert api.get(reverse("tickets_api:ticket-detail", args=[private.reference])).status_code == 404
    assert api.get(reverse("tickets_api:ticket-detail", args=[shared.reference])).status_code == 200


def test_a_follow_up_is_as_private_as_the_request_it_follows(alice, carol, sharing_acme, service_desk):
    from tickets.services import ticket_close

    private = _ticket(alice, "Payslip is wrong", shared_with_organisation=False)
    ticket_resolve(private, code="fixed", summary="Corrected.", acting_user=carol)
    ticket_close(private, acting_user=carol)

    follow_up = ticket_reply(private, "Wrong again this month.", acting_user=alice).follow_up

    assert follow_up is not None and not follow_up.shared_with_organisation


def test_a_guest_shares_only_when_they_tick_the_box(client, sharing_acme, service_desk):
    data = {
        "name": "Gus Guest",
        "email": "gus@acme.example",
        "subject": "Badge does not open door 3",
        "description": "Since Monday.",
        "impact": "3",
        "urgency": "2",
    }
    assert client.get(SUBMIT).context["form"].fields["shared_with_organisation"].initial in (None, False)

    client.post(SUBMIT, data)
    client.post(SUBMIT, {**data, "subject": "Door 4 too", "shared_with_organisation": "on"})

    first, second = Ticket.objects.order_by("id")
    assert first.organisation == second.organisation == sharing_acme
    assert (first.shared_with_organisation, second.shared_with_organisation) == (False, True)


def test_a_private_ticket_is_never_merged_into_a_colleagues(alice, bob, carol, sharing_acme, service_desk):
    from helpdesk.errors import ApplicationError
    from tickets.services import ticket_merge

    private = _ticket(alice, "Printer offline", shared_with_organisation=False)
    shared = _ticket(bob, "Printer offline too", shared_with_organisation=True)

    with pytest.raises(ApplicationError):
        ticket_merge([shared], private, acting_user=carol)
    with pytest.raises(ApplicationError):
        ticket_merge([private], shared, acting_user=carol)
