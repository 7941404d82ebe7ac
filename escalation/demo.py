"""Demo calendars and SLA policies (created before the demo tickets so that those get clocks), a vendor
and escalation rules."""

from __future__ import annotations

from datetime import date, time, timedelta

from django.db import transaction

from escalation.models import EscalationRule, RuleTrigger
from escalation.rule_services import rule_create
from tickets.models import Vendor
from tickets.sla.models import BusinessCalendar, Holiday, SlaPolicy, WorkingInterval

OFFICE = "Shanghai office hours"
ALWAYS = "24×7"
# What a reader of Simplified Chinese sees for the calendars and policies (name_zh_hans).
CHINESE_NAMES = {
    OFFICE: "上海办公时间",
    ALWAYS: "全天候 24×7",
    "P1 – critical, around the clock": "P1 – 紧急，全天候",
    "P2 – high": "P2 – 高",
    "Standard": "标准 SLA",
}
# Working hours with a lunch break, Monday to Friday.
OFFICE_HOURS = [(time(9), time(12)), (time(13), time(18))]
# (date, name, Chinese name)
HOLIDAYS = [(date(2026, 10, 1) + timedelta(days=n), "National Day", "国庆节") for n in range(7)] + [
    (date(2026, 1, 1), "New Year's Day", "元旦"),
    (date(2027, 1, 1), "New Year's Day", "元旦"),
]
POLICIES = [
    # name, calendar, priorities, first response, resolution (business minutes)
    ("P1 – critical, around the clock", ALWAYS, [1], 30, 4 * 60),
    ("P2 – high", OFFICE, [2], 60, 8 * 60),
    ("Standard", OFFICE, [], 4 * 60, 3 * 8 * 60),
]


@transaction.atomic
def seed_sla() -> int:
    office, created = BusinessCalendar.objects.get_or_create(
        name=OFFICE, defaults={"time_zone": "Asia/Shanghai", "name_zh_hans": CHINESE_NAMES[OFFICE]}
    )
    if created:
        WorkingInterval.objects.bulk_create(
            WorkingInterval(calendar=office, weekday=day, start_time=start, end_time=end)
            for day in range(5)
            for start, end in OFFICE_HOURS
        )
        Holiday.objects.bulk_create(
            Holiday(calendar=office, date=day, name=name, name_zh_hans=chinese) for day, name, chinese in HOLIDAYS
        )
    always, _created = BusinessCalendar.objects.get_or_create(
        name=ALWAYS, defaults={"is_24x7": True, "name_zh_hans": CHINESE_NAMES[ALWAYS]}
    )
    calendars = {OFFICE: office, ALWAYS: always}
    for position, (name, calendar, priorities, response, resolution) in enumerate(POLICIES):
        SlaPolicy.objects.get_or_create(
            name=name,
            defaults={
                "name_zh_hans": CHINESE_NAMES[name],
                "position": position * 10,
                "calendar": calendars[calendar],
                "priorities": priorities,
                "first_response_minutes": response,
                "resolution_minutes": resolution,
            },
        )
    return SlaPolicy.objects.count()


VENDOR = {
    "name": "Contoso Print Services",
    "contact_name": "Jonas Keller",
    "contact_email": "support@contoso-print.example",
    "contact_phone": "+86 21 5555 0188",
    "contract_reference": "CPS-2026-014",
    "contract_notes": "Next-business-day on-site repair for the office printers and scanners.",
}
# (name, trigger, values): one rule that tells the managers, one that moves the ticket up a tier.
RULES = [
    ("P1 created: tell the managers", RuleTrigger.P1_CREATED, {"notify_manager": True, "add_tag": "p1"}),
    (
        "Reopened twice: to the next tier",
        RuleTrigger.REOPENED_N_TIMES,
        {"threshold": 2, "move_to_tier": 2, "notify_manager": True},
    ),
]


@transaction.atomic
def seed_escalation() -> tuple[int, int]:
    """A vendor to escalate to and two escalation rules; after the demo tickets, so that their
    history stays as seeded. Returns (vendors, rules)."""
    Vendor.objects.get_or_create(name=VENDOR["name"], defaults=VENDOR)
    for name, trigger, values in RULES:
        if not EscalationRule.objects.filter(name=name).exists():
            rule_create(acting_user=None, name=name, trigger=trigger, **values)
    return Vendor.objects.count(), EscalationRule.objects.count()
