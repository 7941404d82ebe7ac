"""SLA clocks for the benchmark's active tickets, as tickets/sla/clocks.py would have set them.

The fill (``fill.py``) generates none. ``give_clocks`` adds four policies by priority on a 24×7
calendar, starts a clock on every active ticket at its creation (pending ones paused), and
records every crossing already passed as the earlier scans would have: the steady state that the
per-minute scan (bench/sla_scan.py) meets, and that the queue rows' SLA badges
(bench/queues.py) show. Idempotent: a second call only records crossings passed since.

Import after ``django.setup()``.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from dataset.database import log

# (priority, first response, resolution) in minutes: a common shape of targets.
TARGETS = [(1, 15, 240), (2, 60, 480), (3, 240, 1440), (4, 480, 4320)]


def give_clocks(now: datetime) -> dict[str, int]:
    """Policies by priority on a 24×7 calendar; clocks on the active tickets; past crossings recorded."""
    from django.db import connection, transaction

    from escalation.models import SlaEvent, SlaScanMark
    from tickets.models import Ticket
    from tickets.sla.models import BusinessCalendar, SlaPolicy

    table, events = Ticket._meta.db_table, SlaEvent._meta.db_table
    with transaction.atomic():
        calendar, _ = BusinessCalendar.objects.get_or_create(name="Bench 24x7", defaults={"is_24x7": True})
        for priority, response, resolution in TARGETS:
            SlaPolicy.objects.update_or_create(
                name=f"Bench P{priority}",
                defaults={
                    "position": priority,
                    "calendar": calendar,
                    "priorities": [priority],
                    "first_response_minutes": response,
                    "resolution_minutes": resolution,
                    "warning_percent": 80,
                },
            )
        if not Ticket.objects.filter(sla_policy__isnull=False).exists():
            log("giving the active tickets SLA clocks")
            with connection.cursor() as cursor:
                # Pending tickets are paused (no due times); new, open and on-hold ones run since creation.
                cursor.execute(
                    f"""
                    UPDATE {table} AS t SET
                        sla_policy_id = p.id,
                        sla_running_since = CASE WHEN t.status <> 'pending' THEN t.created_at END,
                        first_response_due_at = CASE WHEN t.status <> 'pending' AND t.first_response_at IS NULL
                            THEN t.created_at + p.first_response_minutes * interval '1 minute' END,
                        first_response_warn_at = CASE WHEN t.status <> 'pending' AND t.first_response_at IS NULL
                            THEN t.created_at + (p.first_response_minutes * 60 * p.warning_percent / 100)
                                * interval '1 second' END,
                        resolution_due_at = CASE WHEN t.status <> 'pending'
                            THEN t.created_at + p.resolution_minutes * interval '1 minute' END,
                        resolution_warn_at = CASE WHEN t.status <> 'pending'
                            THEN t.created_at + (p.resolution_minutes * 60 * p.warning_percent / 100)
                                * interval '1 second' END
                    FROM escalation_slapolicy AS p
                    WHERE t.status IN ('new', 'open', 'pending', 'on_hold') AND p.name = 'Bench P' || t.priority
                    """
                )
        # Every crossing up to now, as the scans before this one would have recorded it.
        with connection.cursor() as cursor:
            # What the queues sort and filter by ("SLA due first", "breaching soon"), and the
            # badge reads: the earlier of the two due times, as tickets/sla/clocks.py sets it.
            # Separate, so that clocks given by an earlier version of this function get it too.
            cursor.execute(
                f"""
                UPDATE {table} SET sla_next_due_at = LEAST(first_response_due_at, resolution_due_at)
                WHERE sla_policy_id IS NOT NULL
                    AND sla_next_due_at IS DISTINCT FROM LEAST(first_response_due_at, resolution_due_at)
                """
            )
            for target in ("first_response", "resolution"):
                for kind, column in (("warning", f"{target}_warn_at"), ("breach", f"{target}_due_at")):
                    cursor.execute(
                        f"""
                        INSERT INTO {events} (ticket_id, target, kind, due_at, recorded_at)
                        SELECT id, %s, %s, {column}, {column} + interval '30 seconds'
                        FROM {table} WHERE {column} <= %s
                        ON CONFLICT DO NOTHING
                        """,
                        [target, kind, now],
                    )
        SlaScanMark.objects.update_or_create(pk=1, defaults={"scanned_until": now - timedelta(minutes=1)})
    connection.close()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute(f"VACUUM ANALYZE {events}")
    connection.close()
    running = Ticket.objects.filter(resolution_due_at__isnull=False)
    return {
        "tickets": Ticket.objects.count(),
        "running": running.count(),
        "past_due": running.filter(resolution_due_at__lte=now).count(),
        "sla_events": SlaEvent.objects.count(),
    }
