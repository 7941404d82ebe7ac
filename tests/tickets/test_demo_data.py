"""The demo desk `make run` starts with: believable volume, and facts that match the event log."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from notifications.models import OutboxEmail
from tickets.demo import demo_tickets
from tickets.facts import tickets_with_mismatches
from tickets.models import EventKind, SatisfactionAnswer, Status, TicketEvent


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker):
    """Seed once for the module (it takes seconds), inside a transaction rolled back at the end.

    Each test's ``db`` fixture then runs in a savepoint of this transaction, as in a TestCase.
    """
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=StringIO())
        yield
        transaction.set_rollback(True)


@pytest.fixture
def seeded(_seeded_once, db):
    return demo_tickets()


def test_seed_demo_creates_about_600_tickets_over_90_days(seeded):
    now = timezone.now()

    assert 570 <= seeded.count() <= 630
    assert not seeded.filter(created_at__lt=now - timedelta(days=91)).exists()
    assert seeded.filter(created_at__lt=now - timedelta(days=80)).exists()
    assert seeded.filter(created_at__gt=now - timedelta(days=7)).exists()
    assert not seeded.filter(events=None).exists()
    assert TicketEvent.objects.filter(ticket__in=seeded).count() > 6 * seeded.count()


def test_every_demo_ticket_has_facts_equal_to_its_events(seeded):
    assert tickets_with_mismatches(seeded) == []


def test_every_demo_event_has_the_team_and_assignee_of_its_replay_and_seq_in_time_order(seeded):
    from tickets.event_checks import event_log_problems

    assert TicketEvent.objects.filter(ticket__in=seeded, team__isnull=False).exists()
    assert TicketEvent.objects.filter(ticket__in=seeded, assignee__isnull=False).exists()
    assert event_log_problems(seeded) == []


def test_demo_sla_outcomes_are_recorded_for_resolved_tickets(seeded):
    resolved = seeded.filter(first_resolved_at__isnull=False)
    outcomes = TicketEvent.objects.filter(ticket__in=resolved, kind__in=[EventKind.SLA_MET, EventKind.SLA_MISSED])
    # Every resolution settles the resolution target of its policy (every demo ticket has one).
    resolutions = TicketEvent.objects.filter(ticket__in=seeded, kind=EventKind.RESOLVED).count()
    assert outcomes.filter(new_value__target="resolution").count() == resolutions
    assert outcomes.filter(kind=EventKind.SLA_MISSED).exists()
    assert outcomes.filter(kind=EventKind.SLA_MET).exists()


def test_every_demo_ticket_has_sla_clocks_equal_to_their_replay(seeded):
    from escalation.rebuild import differences

    assert seeded.filter(sla_policy__isnull=False).count() == seeded.count()
    assert seeded.filter(resolution_due_at__isnull=False).exists()
    assert differences(seeded.select_related("sla_policy__calendar")) == []


def test_demo_history_has_reopens_reassignments_and_backlog(seeded):
    total = seeded.count()
    still_open = seeded.exclude(status__in=[Status.RESOLVED, Status.CLOSED]).count()

    assert seeded.filter(reopen_count__gt=0).count() >= 0.04 * total
    assert seeded.filter(reassignment_count__gt=0).exists()
    assert 0.08 * total <= still_open <= 0.25 * total
    assert seeded.filter(status=Status.PENDING).exists()
    assert seeded.filter(status=Status.CLOSED, events__kind=EventKind.CLOSED, events__actor=None).exists()
    assert seeded.filter(requester__language="zh-hans", subject__regex=r"[\u4e00-\u9fff]").exists()


def test_csat_answers_point_at_resolution_events(seeded):
    answers = SatisfactionAnswer.objects.filter(ticket__in=seeded).select_related("resolution_event")
    resolutions = TicketEvent.objects.filter(ticket__in=seeded, kind=EventKind.RESOLVED).count()

    assert 0.3 * resolutions <= answers.count() <= 0.5 * resolutions
    assert all(a.resolution_event.kind == EventKind.RESOLVED for a in answers)
    assert all(a.resolution_event.ticket_id == a.ticket_id for a in answers)
    assert all(a.resolved_by_id == a.resolution_event.actor_id for a in answers)
    assert sum(a.score >= 4 for a in answers) > 0.7 * answers.count()


def test_demo_emails_are_marked_sent(seeded):
    demo_outbox = OutboxEmail.objects.filter(ticket__in=seeded)

    assert demo_outbox.exists()
    assert not demo_outbox.filter(sent_at=None).exists()


def test_seeding_twice_does_not_duplicate_tickets(seeded):
    first = (seeded.count(), TicketEvent.objects.count(), SatisfactionAnswer.objects.count())

    call_command("seed_demo", stdout=StringIO())

    assert (demo_tickets().count(), TicketEvent.objects.count(), SatisfactionAnswer.objects.count()) == first
