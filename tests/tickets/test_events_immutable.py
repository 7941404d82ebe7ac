"""Ticket events are an append-only audit log: the model and the database both refuse changes."""

import pytest
from django.db import IntegrityError, InternalError, connection, transaction

from tickets.models import EventKind, ImmutableEventError, TicketEvent
from tickets.services import ticket_assign, ticket_create

REFUSED_BY_DATABASE = (IntegrityError, InternalError)


def snapshot():
    return list(TicketEvent.objects.order_by("id").values_list("id", "kind", "old_value", "new_value", "actor_id"))


@pytest.fixture
def ticket(alice, carol, service_desk):
    ticket = ticket_create(requester=alice, subject="Password expired", description="Locked out.", acting_user=alice)
    return ticket_assign(ticket, carol, acting_user=carol)


@pytest.fixture
def event(ticket):
    return ticket.events.get(kind=EventKind.ASSIGNED)


def test_saving_an_existing_event_is_refused(event):
    before = snapshot()
    event.new_value = None

    with pytest.raises(ImmutableEventError):
        event.save()

    assert snapshot() == before


def test_deleting_an_event_is_refused(event):
    before = snapshot()

    with pytest.raises(ImmutableEventError):
        event.delete()

    assert snapshot() == before


def test_raw_queryset_update_is_refused_by_the_database(ticket):
    before = snapshot()

    with pytest.raises(REFUSED_BY_DATABASE), transaction.atomic():
        TicketEvent.objects.filter(ticket=ticket).update(actor=None)

    assert snapshot() == before


def test_raw_queryset_delete_is_refused_by_the_database(ticket):
    before = snapshot()

    with pytest.raises(REFUSED_BY_DATABASE), transaction.atomic():
        TicketEvent.objects.filter(ticket=ticket).delete()

    assert snapshot() == before


def test_plain_sql_cannot_rewrite_history_either(event):
    before = snapshot()

    with pytest.raises(REFUSED_BY_DATABASE), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE tickets_ticketevent SET kind = 'created' WHERE id = %s", [event.pk])

    assert snapshot() == before


def test_new_events_can_still_be_added(ticket, carol):
    count = TicketEvent.objects.count()

    ticket_assign(ticket, None, acting_user=carol)

    assert TicketEvent.objects.count() == count + 1
