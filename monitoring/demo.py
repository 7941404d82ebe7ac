"""Demo data: a past spike in Network › VPN, linked under one major incident with a reply to all;
and an alert source with one open and one cleared alert.

Made through the same services as real use (tickets, links, replies), with no e-mail queued.
Run by ``seed_demo`` after the demo accounts and tickets; does nothing once a spike exists.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import Role, Team, User
from monitoring.major_incidents import major_incident_reply_all
from monitoring.models import AlertSource, Spike
from monitoring.services import IncomingAlert, alert_source_create, alerts_receive
from monitoring.spikes import spike_link_major_incident
from notifications.outbox import silenced
from tickets.models import Category, Priority
from tickets.services import ticket_create

MANAGER_EMAIL = "erin.manager@helpdesk.example"
TEAM = "Network & Infrastructure"
SUBJECTS = [
    "VPN keeps disconnecting",
    "Cannot connect to the VPN",
    "VPN login times out",
    "VPN very slow this morning",
    "VPN: authentication failed",
]
BURST = 9


@transaction.atomic
def seed_spike(now: datetime | None = None) -> int:
    """Create the demo spike three days ago at 09:00 UTC; returns how many spikes were created."""
    if Spike.objects.exists():
        return 0
    vpn = Category.objects.filter(name="VPN", parent__name="Network").first()
    team = Team.objects.filter(name=TEAM).first()
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    requesters = list(User.objects.filter(role=Role.REQUESTER, is_active=True).order_by("id")[:BURST])
    if vpn is None or team is None or manager is None or len(requesters) < BURST:
        return 0
    start = (now or timezone.now()).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=3)
    with silenced():
        tickets = [
            ticket_create(
                requester=requester,
                subject=SUBJECTS[index % len(SUBJECTS)],
                description="Since about nine o'clock the VPN client drops the connection after a few seconds.",
                acting_user=requester,
                category=vpn,
                team=team,
                at=start + timedelta(minutes=5 * index),
            )
            for index, requester in enumerate(requesters)
        ]
        spike = Spike.objects.create(
            category=vpn,
            started_at=start + timedelta(minutes=40),
            last_seen_at=start + timedelta(minutes=60),
            ended_at=start + timedelta(minutes=120),
            tickets_in_window=BURST,
            baseline=0.6,
            notified_at=start + timedelta(minutes=40),
        )
        parent = spike_link_major_incident(
            spike,
            tickets,
            acting_user=manager,
            new_parent={
                "subject": "Major incident: VPN gateway unreachable",
                "description": "The VPN gateway stopped accepting connections at 09:00; the VPN tickets are here.",
                "team": team,
                "priority": Priority.P1,
            },
            at=start + timedelta(minutes=50),
        )
        major_incident_reply_all(
            parent,
            "We know about the VPN problem and are working on it. We will write again when it is fixed.",
            acting_user=manager,
            at=start + timedelta(minutes=55),
        )
    return 1


ALERT_SOURCE = "Prometheus (demo)"


@transaction.atomic
def seed_alerts(now: datetime | None = None) -> int:
    """A demo alert source for Network with one firing alert (an open incident ticket), and one
    that fired and cleared (auto-resolved). Returns the alerts created; nothing once the source exists.

    The source's token is not kept: make a new source (``manage.py alert_source_create``) to post.
    """
    team = Team.objects.filter(name=TEAM).first()
    if team is None or AlertSource.objects.filter(name=ALERT_SOURCE).exists():
        return 0
    now = now or timezone.now()
    source, _token = alert_source_create(ALERT_SOURCE, team, auto_resolve=True)
    disk = IncomingAlert(
        fingerprint="demo-disk-fileserver-01",
        status="firing",
        severity="warning",
        summary="Disk /srv on fileserver-01 is 92% full",
        labels={"alertname": "DiskAlmostFull", "instance": "fileserver-01", "severity": "warning"},
        details={"description": "Free space has fallen under 8% and is shrinking by ~1% a day."},
    )
    link = IncomingAlert(
        fingerprint="demo-uplink-branch-2",
        status="firing",
        severity="critical",
        summary="Branch office 2 uplink down",
        labels={"alertname": "UplinkDown", "site": "branch-2", "severity": "critical"},
        details={"description": "No response from the branch router for 5 minutes."},
    )
    alerts_receive(source, [disk], at=now - timedelta(hours=5))
    alerts_receive(source, [link], at=now - timedelta(days=2, hours=3))
    alerts_receive(source, [replace(link, status="resolved")], at=now - timedelta(days=2, hours=2, minutes=20))
    return 2
