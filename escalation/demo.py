"""Demo calendars and SLA policies, created before the demo tickets so that those get clocks."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.db import transaction

from tickets.sla.models import BusinessCalendar, Holiday, SlaPolicy, WorkingInterval

OFFICE = "Shanghai office hours"
ALWAYS = "24×7"
# Working hours with a lunch break, Monday to Friday.
OFFICE_HOURS = [(time(9), time(12)), (time(13), time(18))]
HOLIDAYS = [(date(2026, 10, 1) + timedelta(days=n), "国庆节 National Day") for n in range(7)] + [
    (date(2026, 1, 1), "元旦 New Year's Day"),
    (date(2027, 1, 1), "元旦 New Year's Day"),
]
POLICIES = [
    # name, calendar, priorities, first response, resolution (business minutes)
    ("P1 – critical, around the clock", ALWAYS, [1], 30, 4 * 60),
    ("P2 – high", OFFICE, [2], 60, 8 * 60),
    ("Standard", OFFICE, [], 4 * 60, 3 * 8 * 60),
]


@transaction.atomic
def seed_sla() -> int:
    office, created = BusinessCalendar.objects.get_or_create(name=OFFICE, defaults={"time_zone": "Asia/Shanghai"})
    if created:
        WorkingInterval.objects.bulk_create(
            WorkingInterval(calendar=office, weekday=day, start_time=start, end_time=end)
            for day in range(5)
            for start, end in OFFICE_HOURS
        )
        Holiday.objects.bulk_create(Holiday(calendar=office, date=day, name=name) for day, name in HOLIDAYS)
    always, _created = BusinessCalendar.objects.get_or_create(name=ALWAYS, defaults={"is_24x7": True})
    calendars = {OFFICE: office, ALWAYS: always}
    for position, (name, calendar, priorities, response, resolution) in enumerate(POLICIES):
        SlaPolicy.objects.get_or_create(
            name=name,
            defaults={
                "position": position * 10,
                "calendar": calendars[calendar],
                "priorities": priorities,
                "first_response_minutes": response,
                "resolution_minutes": resolution,
            },
        )
    return SlaPolicy.objects.count()
