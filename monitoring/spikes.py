"""Spike detection (spec §7, "Trends"): a category receiving far more tickets than usual.

Every scan (beat, "spike-scan") counts each category's tickets created in the last
``SPIKE_WINDOW_MINUTES`` and compares the count with the category's usual count for the same
window of the week: the tickets created in that window on the same weekday and time of day in
each of the previous ``SPIKE_BASELINE_WEEKS`` weeks, averaged. Both counts are one aggregate
query each. A category is spiking when its count reaches ``SPIKE_MIN_TICKETS`` and exceeds
``SPIKE_FACTOR`` times the usual count.

A spike opens once, is updated while the category stays above the threshold, and ends at the
first scan that finds it below. Only the scan that opens a spike tells the managers, so they
hear of each spike once; the partial unique constraint (one open spike per category) makes
concurrent scans agree on who opened it.

Who is told: the managers of the teams holding the category's tickets in the window (those
teams will work the incident); when those teams have no manager, the managers of the service
desk (the first tier-1 team, where new requests land by default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, FloatField, Q, QuerySet
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone

from accounts.models import Team, User
from accounts.permissions import visible
from monitoring.major_incidents import major_incident_link, major_incident_open
from monitoring.models import Spike
from notifications.outbox import queue_email
from tickets.models import Category, Ticket
from tickets.services.creation import default_team


@dataclass(frozen=True)
class SpikeSettings:
    window: timedelta
    weeks: int
    factor: float
    min_tickets: int

    @classmethod
    def current(cls) -> SpikeSettings:
        return cls(
            window=timedelta(minutes=settings.SPIKE_WINDOW_MINUTES),
            weeks=settings.SPIKE_BASELINE_WEEKS,
            factor=settings.SPIKE_FACTOR,
            min_tickets=settings.SPIKE_MIN_TICKETS,
        )


@dataclass
class ScanResult:
    opened: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    ended: list[int] = field(default_factory=list)


def window_counts(now: datetime, window: timedelta) -> dict[int, int]:
    """Tickets per category created in ``[now - window, now)``: one query."""
    rows = (
        Ticket.objects.filter(category__isnull=False, created_at__gte=now - window, created_at__lt=now)
        .values("category")
        .annotate(n=Count("id"))
        .values_list("category", "n")
    )
    return dict(rows)


def baseline_windows(now: datetime, window: timedelta, weeks: int) -> list[tuple[datetime, datetime]]:
    """The same window of the week in each of the previous ``weeks`` weeks.

    Counted back in wall-clock time of the site's time zone, so that across a daylight-saving
    change "Monday 09:00–10:00" stays 09:00–10:00 local time.
    """
    local = now.astimezone(ZoneInfo(settings.TIME_ZONE))
    windows = []
    for week in range(1, weeks + 1):
        # Aware datetime arithmetic keeps the wall time and takes that date's UTC offset.
        end = (local - timedelta(weeks=week)).astimezone(ZoneInfo("UTC"))
        windows.append((end - window, end))
    return windows


def baseline_counts(now: datetime, window: timedelta, weeks: int) -> dict[int, float]:
    """Usual tickets per category for this window of the week: one query, averaged in SQL."""
    if weeks <= 0:
        return {}
    in_a_window = Q()
    for start, end in baseline_windows(now, window, weeks):
        in_a_window |= Q(created_at__gte=start, created_at__lt=end)
    rows = (
        Ticket.objects.filter(in_a_window, category__isnull=False)
        .values("category")
        .annotate(usual=Cast(Count("id"), FloatField()) / float(weeks))
        .values_list("category", "usual")
    )
    return dict(rows)


def is_spike(count: int, baseline: float, config: SpikeSettings) -> bool:
    return count >= config.min_tickets and count > config.factor * baseline


def detect_spikes(now: datetime | None = None, *, config: SpikeSettings | None = None) -> ScanResult:
    """One scan: open, update and end spikes. Safe to run twice at once (see the module's doc)."""
    now = now or timezone.now()
    config = config or SpikeSettings.current()
    counts = window_counts(now, config.window)
    baselines = baseline_counts(now, config.window, config.weeks)
    spiking = {
        category: (count, baselines.get(category, 0.0))
        for category, count in counts.items()
        if is_spike(count, baselines.get(category, 0.0), config)
    }
    result = ScanResult()
    with transaction.atomic():
        # Locked so that a concurrent scan waits for this one's verdict on each open spike.
        for spike in Spike.objects.select_for_update().filter(ended_at__isnull=True):
            if spike.category_id in spiking:
                count, _baseline = spiking.pop(spike.category_id)
                spike.last_seen_at = max(spike.last_seen_at, now)
                spike.tickets_in_window = max(spike.tickets_in_window, count)
                spike.save(update_fields=["last_seen_at", "tickets_in_window"])
                result.updated.append(spike.pk)
            elif now > spike.last_seen_at:
                spike.ended_at = now
                spike.save(update_fields=["ended_at"])
                result.ended.append(spike.pk)
    for category_id, (count, baseline) in sorted(spiking.items()):
        spike = spike_open(category_id, count=count, baseline=baseline, now=now, window=config.window)
        if spike is not None:
            result.opened.append(spike.pk)
    return result


def spike_open(category_id: int, *, count: int, baseline: float, now: datetime, window: timedelta) -> Spike | None:
    """Open the category's spike and tell its managers; None when another scan opened it first."""
    try:
        with transaction.atomic():
            spike = Spike.objects.create(
                category_id=category_id,
                started_at=now,
                last_seen_at=now,
                tickets_in_window=count,
                baseline=round(baseline, 2),
                notified_at=now,
            )
            _notify_managers(spike, window)
    except IntegrityError:
        # The partial unique constraint: a concurrent scan opened (and announced) it.
        return None
    return spike


def managers_to_tell(category_id: int, start: datetime, end: datetime) -> list[User]:
    """Managers of the teams holding the category's tickets in the window, else the service desk's."""
    teams = Team.objects.filter(
        tickets__category_id=category_id, tickets__created_at__gte=start, tickets__created_at__lt=end
    )
    managers = list(User.objects.filter(is_active=True, managed_teams__in=teams).distinct().order_by("id"))
    if not managers:
        desk = default_team()
        if desk is not None:
            managers = list(desk.managers.filter(is_active=True).order_by("id"))
    return managers


def _notify_managers(spike: Spike, window: timedelta) -> None:
    category = Category.objects.select_related("parent").get(pk=spike.category_id)
    link = settings.SITE_URL + reverse("incidents:spike_detail", args=[spike.pk])
    minutes = int(window.total_seconds() // 60)
    for manager in managers_to_tell(spike.category_id, spike.started_at - window, spike.started_at):
        queue_email(
            kind="spike_detected",
            to=manager.email,
            language=manager.language,
            template="spike_detected",
            context={"recipient": manager, "spike": spike, "category": category, "link": link, "minutes": minutes},
        )


# --- Reading spikes (the pages at /manage/incidents/) ----------------------------------------


def spikes_for(user: User) -> QuerySet[Spike]:
    """Every spike, open ones first, then newest first. Staff only (views check who may look)."""
    return Spike.objects.select_related("category__parent", "parent").order_by(
        F("ended_at").desc(nulls_first=True), "-started_at", "-id"
    )


def spike_period(spike: Spike, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The tickets of a spike: created from the window that set it off until it ended (or now)."""
    window = timedelta(minutes=settings.SPIKE_WINDOW_MINUTES)
    return spike.started_at - window, spike.ended_at or now or timezone.now()


def spike_tickets(spike: Spike, user: User, *, limit: int = 200) -> list[Ticket]:
    """The category's tickets of the spike that ``user`` may see, oldest first, but its major incident."""
    start, end = spike_period(spike)
    tickets = visible(user, Ticket.objects.all()).filter(
        category_id=spike.category_id, created_at__gte=start, created_at__lte=end
    )
    if spike.parent_id:
        tickets = tickets.exclude(pk=spike.parent_id)
    return list(tickets.select_related("requester", "team", "assignee").order_by("created_at", "id")[:limit])


@transaction.atomic
def spike_attach_parent(spike: Spike, parent: Ticket) -> Spike:
    """Remember the major incident a spike's tickets were linked under."""
    spike = Spike.objects.select_for_update().get(pk=spike.pk)
    if spike.parent_id != parent.pk:
        spike.parent = parent
        spike.save(update_fields=["parent"])
    return spike


@transaction.atomic
def spike_link_major_incident(
    spike: Spike,
    tickets: list[Ticket],
    *,
    acting_user: User,
    parent: Ticket | None = None,
    new_parent: dict | None = None,
    at: datetime | None = None,
) -> Ticket:
    """Link a spike's tickets under one major incident: ``parent``, or a new one from ``new_parent``.

    ``new_parent`` holds ``subject``, ``description``, ``team`` and ``priority`` (P1 or P2); the
    new ticket takes the spike's category. All in one transaction: a refused ticket links none.
    """
    if parent is None:
        if new_parent is None:
            raise ValueError("a parent or a new parent is needed")
        parent = major_incident_open(**new_parent, category=spike.category, acting_user=acting_user, at=at)
    major_incident_link(parent, tickets, acting_user=acting_user, at=at)
    spike_attach_parent(spike, parent)
    return parent
