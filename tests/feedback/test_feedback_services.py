"""Editing items, moving their status (with history) and telling requesters once when one ships."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied

from feedback.models import FeedbackLink, FeedbackShippedNotice, FeedbackStatusChange, ProductArea
from feedback.services import (
    feedback_change_status,
    feedback_link,
    feedback_raise,
    feedback_unlink,
    feedback_update,
)
from helpdesk.errors import ApplicationError
from notifications.models import OutboxEmail
from tickets.models import Ticket
from tickets.services import ticket_create
from tickets.services.creation import ticket_create_by_guest

T0 = dt.datetime(2026, 10, 5, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def reports(db):
    return ProductArea.objects.create(name="Reports", name_zh_hans="报表")


def _ticket(requester, subject="Export to Excel"):
    return ticket_create(requester=requester, subject=subject, description="…", acting_user=requester)


def _shipped_emails():
    return OutboxEmail.objects.filter(kind="feedback_shipped").order_by("id")


def test_an_agent_edits_the_title_description_and_area(carol, service_desk, reports):
    item = feedback_raise("Excel export", acting_user=carol)

    feedback_update(item, title="  Export  reports to Excel ", description=" Weekly ", area=reports, acting_user=carol)

    item.refresh_from_db()
    assert (item.title, item.description, item.area) == ("Export reports to Excel", "Weekly", reports)


def test_an_edit_needs_a_title_and_an_area_in_use(carol, service_desk, reports):
    item = feedback_raise("Excel export", acting_user=carol)
    with pytest.raises(ApplicationError) as refused:
        feedback_update(item, title=" ", description="", area=None, acting_user=carol)
    assert refused.value.extra == {"field": "title"}

    retired = ProductArea.objects.create(name="Fax", is_active=False)
    with pytest.raises(ApplicationError) as refused:
        feedback_update(item, title="Excel export", description="", area=retired, acting_user=carol)
    assert refused.value.extra == {"field": "area"}
    with pytest.raises(ApplicationError):
        feedback_raise("Fax to e-mail", area=retired, acting_user=carol)


def test_an_item_keeps_its_area_after_the_area_is_taken_out_of_use(carol, service_desk, reports):
    item = feedback_raise("Excel export", area=reports, acting_user=carol)
    reports.is_active = False
    reports.save()

    feedback_update(item, title="Excel export, weekly", description="", area=reports, acting_user=carol)

    item.refresh_from_db()
    assert (item.title, item.area) == ("Excel export, weekly", reports)


def test_requesters_may_not_edit_or_move_items(alice, carol, service_desk):
    item = feedback_raise("Excel export", acting_user=carol)
    with pytest.raises(PermissionDenied):
        feedback_update(item, title="Mine", description="", area=None, acting_user=alice)
    with pytest.raises(PermissionDenied):
        feedback_change_status(item, "declined", acting_user=alice)
    item.refresh_from_db()
    assert (item.title, item.status) == ("Excel export", "new")


def test_a_status_change_records_who_and_when(carol, erin, service_desk):
    item = feedback_raise("Excel export", acting_user=carol)

    feedback_change_status(item, "under_review", acting_user=carol, at=T0)
    feedback_change_status(item, "planned", acting_user=erin, at=T0 + dt.timedelta(days=1))
    feedback_change_status(item, "planned", acting_user=erin)  # no change, no row

    item.refresh_from_db()
    assert item.status == "planned"
    assert list(
        FeedbackStatusChange.objects.filter(item=item).values_list(
            "old_status", "new_status", "changed_by", "created_at"
        )
    ) == [("new", "under_review", carol.pk, T0), ("under_review", "planned", erin.pk, T0 + dt.timedelta(days=1))]


def test_an_unknown_status_is_refused_with_a_message(carol, service_desk):
    item = feedback_raise("Excel export", acting_user=carol)
    with pytest.raises(ApplicationError) as refused:
        feedback_change_status(item, "done", acting_user=carol)
    assert refused.value.extra == {"field": "status"}
    assert not FeedbackStatusChange.objects.exists()


def test_shipping_tells_each_distinct_requester_once_even_when_it_ships_again(alice, bob, carol, service_desk):
    first, second, third = _ticket(alice), _ticket(alice, "Excel again"), _ticket(bob)
    item = feedback_raise("Export reports to Excel", ticket=first, acting_user=carol)
    feedback_link(item, second, acting_user=carol)
    feedback_link(item, third, acting_user=carol)

    feedback_change_status(item, "shipped", acting_user=carol)
    feedback_change_status(item, "planned", acting_user=carol)
    feedback_change_status(item, "shipped", acting_user=carol)

    emails = list(_shipped_emails())
    assert sorted(email.to for email in emails) == sorted([alice.email, bob.email])
    to_alice = next(email for email in emails if email.to == alice.email)
    # Her first linked ticket, named in the subject and linked in the body.
    assert to_alice.ticket_id == first.pk
    assert first.reference in to_alice.subject and "Export reports to Excel" in to_alice.subject
    assert "Export reports to Excel" in to_alice.body
    assert f"/my/tickets/{first.reference}/" in to_alice.body
    assert set(FeedbackShippedNotice.objects.values_list("requester_id", flat=True)) == {alice.pk, bob.pk}


def test_a_requester_linked_after_shipping_is_told_the_next_time_it_ships(alice, bob, carol, service_desk):
    item = feedback_raise("Dark mode", ticket=_ticket(alice, "Dark mode please"), acting_user=carol)
    feedback_change_status(item, "shipped", acting_user=carol)
    feedback_change_status(item, "planned", acting_user=carol)
    feedback_link(item, _ticket(bob, "Too bright"), acting_user=carol)

    feedback_change_status(item, "shipped", acting_user=carol)

    assert [email.to for email in _shipped_emails()] == [alice.email, bob.email]


def test_guests_get_the_tracking_link_in_their_language(carol, service_desk):
    ticket = ticket_create_by_guest(
        name="王芳", email="wang.fang@example.cn", language="zh-hans", subject="导出报表", description="…"
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    item = feedback_raise("Export to Excel", ticket=ticket, acting_user=carol)

    feedback_change_status(item, "shipped", acting_user=carol)

    email = _shipped_emails().get()
    assert email.to == "wang.fang@example.cn" and email.language == "zh-hans"
    assert f"/t/{ticket.access_token}/" in email.body
    assert "/my/tickets/" not in email.body
    assert "您提出的需求已发布：Export to Excel" in email.subject


def test_declining_or_planning_tells_nobody(alice, carol, service_desk):
    item = feedback_raise("Dark mode", ticket=_ticket(alice), acting_user=carol)
    feedback_change_status(item, "planned", acting_user=carol)
    feedback_change_status(item, "declined", acting_user=carol)
    assert not _shipped_emails().exists()


def test_unlinking_takes_the_ticket_off_the_item(alice, carol, dave, service_desk, network_team):
    ticket = _ticket(alice)
    item = feedback_raise("Excel export", ticket=ticket, acting_user=carol)
    with pytest.raises(PermissionDenied):
        feedback_unlink(item, ticket, acting_user=dave)  # not a ticket he may see

    assert feedback_unlink(item, ticket, acting_user=carol) is True
    assert feedback_unlink(item, ticket, acting_user=carol) is False
    assert not FeedbackLink.objects.exists()
