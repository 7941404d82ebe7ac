"""Spike detection (monitoring/spikes.py): a category's tickets in the window against its usual rate."""

import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test import override_settings

from accounts.models import Role
from monitoring.models import Spike
from monitoring.spikes import baseline_counts, baseline_windows, detect_spikes, window_counts
from monitoring.tasks import detect_spikes as detect_spikes_task
from notifications.models import OutboxEmail
from tests.factories import TeamFactory, UserFactory
from tests.monitoring.spike_fixtures import open_tickets
from tickets.models import Category

# A Monday morning; the settings' defaults apply: a 60-minute window, 8 weeks of baseline,
# a factor of 3 and at least 5 tickets.
NOW = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def usual_week(category, requester, *, per_week, weeks=8, team=None):
    """``per_week`` tickets in the same hour of the week in each of the previous ``weeks`` weeks."""
    for week in range(1, weeks + 1):
        open_tickets(category, [requester], at=NOW - timedelta(weeks=week, minutes=20), count=per_week, team=team)


def spike_emails():
    return list(OutboxEmail.objects.filter(kind="spike_detected").order_by("id"))


def test_counts_the_window_and_averages_the_same_hour_of_previous_weeks(vpn, alice, service_desk):
    usual_week(vpn, alice, per_week=2, weeks=4)  # 8 tickets over 4 of the 8 weeks: usual 1.0
    open_tickets(vpn, [alice], at=NOW - timedelta(minutes=1), count=3)
    open_tickets(vpn, [alice], at=NOW - timedelta(minutes=61), count=1)  # before the window
    open_tickets(vpn, [alice], at=NOW - timedelta(weeks=1, minutes=-5), count=1)  # after last week's window

    assert window_counts(NOW, timedelta(hours=1)) == {vpn.pk: 3}
    assert baseline_counts(NOW, timedelta(hours=1), 8) == {vpn.pk: 1.0}


def test_a_simulated_spike_notifies_the_managers_once(vpn, alice, bob, erin, service_desk):
    usual_week(vpn, alice, per_week=1)  # usual: 1 ticket in this hour of the week
    open_tickets(vpn, [alice, bob], at=NOW - timedelta(minutes=2), count=6)

    first = detect_spikes(NOW)
    open_tickets(vpn, [alice, bob], at=NOW + timedelta(minutes=4), count=1)
    second = detect_spikes(NOW + timedelta(minutes=5))

    spike = Spike.objects.get()
    assert first.opened == [spike.pk] and second.opened == [] and second.updated == [spike.pk]
    assert (spike.category, spike.tickets_in_window, spike.baseline) == (vpn, 7, 1.0)
    assert (spike.started_at, spike.last_seen_at, spike.ended_at) == (NOW, NOW + timedelta(minutes=5), None)
    emails = spike_emails()
    assert [email.to for email in emails] == [erin.email]
    assert "7 tickets in VPN" not in emails[0].subject  # the count when it opened, not later
    assert emails[0].subject == "Possible major incident: 6 tickets in VPN"
    assert f"/manage/incidents/spikes/{spike.pk}/" in emails[0].body
    assert "6 tickets arrived in VPN in the last 60 minutes, where 1.0 are usual" in emails[0].body


def test_a_spike_ends_below_the_threshold_and_a_new_burst_notifies_again(vpn, alice, bob, erin, service_desk):
    usual_week(vpn, alice, per_week=1)
    open_tickets(vpn, [alice, bob], at=NOW - timedelta(minutes=2), count=6)
    detect_spikes(NOW)
    detect_spikes(NOW + timedelta(minutes=5))

    ended = detect_spikes(NOW + timedelta(hours=2))  # the window is quiet again
    quiet = detect_spikes(NOW + timedelta(hours=2, minutes=5))
    open_tickets(vpn, [alice, bob], at=NOW + timedelta(hours=5, minutes=-1), count=5)
    again = detect_spikes(NOW + timedelta(hours=5))

    first, second = Spike.objects.order_by("started_at")
    assert ended.ended == [first.pk] and quiet.ended == [] and quiet.opened == []
    assert first.ended_at == NOW + timedelta(hours=2)
    assert again.opened == [second.pk] and second.ended_at is None and second.tickets_in_window == 5
    assert [email.to for email in spike_emails()] == [erin.email, erin.email]


def test_below_the_threshold_nothing_happens(vpn, alice, service_desk):
    open_tickets(vpn, [alice], at=NOW - timedelta(minutes=1), count=4)  # fewer than SPIKE_MIN_TICKETS
    printers = Category.objects.create(name="Printers")
    usual_week(printers, alice, per_week=2)  # usual 2: 6 is not more than 3 × 2
    open_tickets(printers, [alice], at=NOW - timedelta(minutes=1), count=6)

    result = detect_spikes(NOW)

    assert (result.opened, result.updated, result.ended) == ([], [], [])
    assert not Spike.objects.exists() and spike_emails() == []


@override_settings(SPIKE_FACTOR=1.5, SPIKE_MIN_TICKETS=3, SPIKE_WINDOW_MINUTES=30)
def test_the_thresholds_come_from_the_settings(vpn, alice, service_desk):
    usual_week(vpn, alice, per_week=2)
    open_tickets(vpn, [alice], at=NOW - timedelta(minutes=1), count=4)  # 4 > 1.5 × 2, within 30 minutes

    assert len(detect_spikes(NOW).opened) == 1


def test_managers_of_the_teams_with_the_tickets_are_told_in_their_language(vpn, alice, erin, service_desk, dave):
    li = UserFactory(email="li@helpdesk.example", full_name="Li Wei", role=Role.MANAGER, language="zh-hans")
    network = TeamFactory(name="Network", tier=2, members=[dave], managers=[li])
    vpn.name_zh_hans = "虚拟专用网"
    vpn.save()
    open_tickets(vpn, [alice], at=NOW - timedelta(minutes=1), count=5, team=network)

    detect_spikes(NOW)

    (email,) = spike_emails()
    assert email.to == li.email and email.language == "zh-hans"
    assert "虚拟专用网" in email.subject and "Possible" not in email.subject


def test_without_managers_in_those_teams_the_service_desk_managers_are_told(vpn, alice, erin, service_desk, dave):
    network = TeamFactory(name="Network", tier=2, members=[dave])  # no manager
    open_tickets(vpn, [alice], at=NOW - timedelta(minutes=1), count=5, team=network)

    detect_spikes(NOW)

    assert [email.to for email in spike_emails()] == [erin.email]


def test_baseline_windows_keep_the_local_time_of_day_across_daylight_saving(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    now = datetime(2026, 11, 2, 8, 30, tzinfo=UTC)  # 09:30 in Berlin (CET, after 25 October)

    windows = baseline_windows(now, timedelta(hours=1), 2)

    # 26 October is CET too; 19 October is still summer time (CEST): 09:30 local is 07:30 UTC.
    assert windows == [
        (datetime(2026, 10, 26, 7, 30, tzinfo=UTC), datetime(2026, 10, 26, 8, 30, tzinfo=UTC)),
        (datetime(2026, 10, 19, 6, 30, tzinfo=UTC), datetime(2026, 10, 19, 7, 30, tzinfo=UTC)),
    ]


@pytest.mark.django_db(transaction=True)
def test_concurrent_scans_open_one_spike_and_send_one_email(alice, bob, erin, service_desk):
    vpn = Category.objects.create(name="VPN")
    open_tickets(vpn, [alice, bob], at=NOW - timedelta(minutes=2), count=6)
    scans = 4
    barrier = threading.Barrier(scans)
    results, errors = [], []

    def scan():
        try:
            barrier.wait(timeout=10)
            results.append(detect_spikes(NOW))
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=scan) for _ in range(scans)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sum(len(result.opened) for result in results) == 1
    assert Spike.objects.count() == 1
    assert [email.to for email in spike_emails()] == [erin.email]


def test_the_beat_task_scans_now(alice, erin, service_desk):
    vpn = Category.objects.create(name="VPN")
    open_tickets(vpn, [alice], at=datetime.now(UTC) - timedelta(minutes=1), count=5)

    assert detect_spikes_task.apply().get() == 1
    assert detect_spikes_task.apply().get() == 0  # the same spike: nobody is told twice
    assert len(spike_emails()) == 1
